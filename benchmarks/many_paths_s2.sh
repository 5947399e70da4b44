#!/usr/bin/env bash
# Many Paths S2 (../shared/spec/many-paths.md §3): non-monotone divergence. The pacgan-ring
# preset with the generator started at (5, 5) (benchmarks/configs/many-paths-s2.toml), for the
# five models of the spec: MM-GAN, NS-GAN, NS + GAN-GP, NS + DRAGAN (authors' sampler) and
# WGAN-GP, SEEDS seeds each, STEPS generator steps, evaluated every 500 steps.
#
# Usage: benchmarks/many_paths_s2.sh [SEEDS] [STEPS] [OUT] [JOBS]   (defaults 10, 20000, sweeps/s2, nproc)
#   CONFIG=FILE   another config laid over the preset (default benchmarks/configs/many-paths-s2.toml;
#                 many-paths-s2-lambda0.1.toml sets the penalties' weight to 0.1)
#   MODELS=penalised   only NS + GAN-GP, NS + DRAGAN and WGAN-GP (default: all five)
#
# Every sweep runs with --resume: run the same command again to continue an interrupted one.
# Ends with one row per run (modes, HQ %, the spec's success flag: ≥ 7 of 8 modes with
# ≥ 80 % high-quality samples, and the fraction of evaluation intervals in which histogram JS
# and sliced W1 rose) and each model's mean fractions, from the runs' summary.json files.
# Cost: a pacgan-ring run makes about 38 steps/s alone on one core of the 2-core machine
# (AMD EPYC), fewer with two runs sharing it; 10 seeds × 5 models × 20,000 steps is several
# CPU-hours. Pass fewer seeds or steps for a slice, and say so beside its numbers.
set -euo pipefail

SEEDS="${1:-10}"
STEPS="${2:-20000}"
OUT="${3:-sweeps/s2}"
JOBS="${4:-$(nproc)}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
CONFIG="${CONFIG:-benchmarks/configs/many-paths-s2.toml}"
MODELS="${MODELS:-all}"
if [ "$MODELS" != all ] && [ "$MODELS" != penalised ]; then
    echo "error: MODELS must be 'all' or 'penalised', not '$MODELS'" >&2
    exit 1
fi
swift build -c release
BIN="$(swift build -c release --show-bin-path)/equilibrium"

common=(--preset pacgan-ring --config "$CONFIG" --seeds "$SEEDS" --steps "$STEPS" --jobs "$JOBS" --resume)
if [ "$MODELS" = all ]; then
    "$BIN" sweep "${common[@]}" --objective mm,ns --penalty none --out "$OUT/unpenalised"
fi
"$BIN" sweep "${common[@]}" --objective ns --penalty gan-gp,dragan --out "$OUT/ns-penalised"
"$BIN" sweep "${common[@]}" --objective wgan --penalty gan-gp --out "$OUT/wgan-gp"

python3 - "$OUT" <<'PY'
import glob, json, os, statistics, sys
out = sys.argv[1]
rows = []
for path in sorted(glob.glob(os.path.join(out, "*", "*", "seed-*", "summary.json"))):
    s = json.load(open(path))
    model = s["objective"] + ("+" + "+".join(s["penalties"]) if s["penalties"] else "")
    ok = s["modes_covered"] >= 7 and s["high_quality_fraction"] >= 0.8
    rows.append((model, s["seed"], s["steps"], s["modes_covered"], 100 * s["high_quality_fraction"], ok,
                 s["hist_js_increase_fraction"], s["sliced_w1_increase_fraction"], s["hist_js"], s["sliced_w1"]))
print("| model | seed | steps | modes | HQ % | success (≥ 7 modes, ≥ 80 % HQ) | JS rose | sliced W1 rose | final JS (hist) | final sliced W1 |")
print("|---|---|---|---|---|---|---|---|---|---|")
for r in rows:
    print(f"| {r[0]} | {r[1]} | {r[2]} | {r[3]} | {r[4]:.1f} | {'yes' if r[5] else 'no'} | {r[6]:.2f} | {r[7]:.2f} | {r[8]:.3f} | {r[9]:.3f} |")
print()
print("| model | runs | successes | mean fraction JS rose | mean fraction sliced W1 rose |")
print("|---|---|---|---|---|")
for model in sorted({r[0] for r in rows}):
    rs = [r for r in rows if r[0] == model]
    print(f"| {model} | {len(rs)} | {sum(r[5] for r in rs)} | {statistics.mean(r[6] for r in rs):.2f} | {statistics.mean(r[7] for r in rs):.2f} |")
PY
echo "tables: $OUT/*/table.md"
