#!/usr/bin/env bash
# DCGAN on Fashion-MNIST: NS-GAN vs NS + DRAGAN vs WGAN-GP (presets dcgan-fashion,
# dcgan-fashion-dragan, dcgan-fashion-wgan-gp), SEEDS seeds each, the same number of generator
# steps, scored with the in-repo evaluation classifier (classifier score over 10 splits, FCD and
# precision/recall against the first 10,000 test images) on EVAL_SAMPLES generated images.
#
# It trains the classifier first when classifiers/fashion-mnist is missing, runs JOBS training
# runs at a time, skips runs whose summary.json exists (so a killed sweep resumes), and prints a
# Markdown table of mean ± standard error over seeds, plus each run's wall time.
#
# PRESETS (a space-separated list) replaces the three presets, e.g. the Stacked Fashion-MNIST
# arms, whose table then shows modes and KL over the 1,000 label triples instead:
#   PRESETS="dcgan-stacked-fashion dcgan-stacked-fashion-dragan" benchmarks/image_gans.sh runs/stacked 500 3 2 26000
#
# Usage: benchmarks/image_gans.sh [OUT_DIR] [STEPS] [SEEDS] [JOBS] [EVAL_SAMPLES]
#        (defaults: runs/image-gans, 1000, 3, 2, 10000)
# Needs Fashion-MNIST (apt-get install -y dataset-fashion-mnist) and python3 for the table.
set -euo pipefail

OUT="${1:-runs/image-gans}"
STEPS="${2:-1000}"
SEEDS="${3:-3}"
JOBS="${4:-2}"
EVAL="${5:-10000}"
PRESETS="${PRESETS:-dcgan-fashion dcgan-fashion-dragan dcgan-fashion-wgan-gp}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"

swift build -c release --product equilibrium >/dev/null
BIN_DIR="$(mktemp -d)"
# A private copy, so a rebuild during the sweep does not change the binary under the runs.
cp "$(swift build -c release --show-bin-path)/equilibrium" "$BIN_DIR/equilibrium"
BIN="$BIN_DIR/equilibrium"
CLASSIFIER="classifiers/fashion-mnist"
[ -f "$CLASSIFIER/checkpoint.json" ] || "$BIN" classifier train --data fashion-mnist --out "$CLASSIFIER" --threads "$JOBS"
mkdir -p "$OUT"

run() {
    local preset="$1" seed="$2" dir="$OUT/$1-seed$2"
    if [ -f "$dir/summary.json" ]; then return 0; fi
    rm -rf "$dir"
    "$BIN" train --preset "$preset" --seed "$seed" --steps "$STEPS" --eval-every "$((STEPS / 2))" \
        --eval-samples "$EVAL" --classifier "$CLASSIFIER" --out "$dir" > "$OUT/$1-seed$2.log" 2>&1 \
        || echo "run $preset seed $seed failed; see $OUT/$1-seed$2.log" >&2
}
export -f run
export OUT STEPS EVAL CLASSIFIER BIN

for seed in $(seq 0 $((SEEDS - 1))); do
    for preset in $PRESETS; do
        echo "$preset $seed"
    done
done | xargs -P "$JOBS" -L 1 bash -c 'run "$0" "$1"'

python3 - "$OUT" "$SEEDS" $PRESETS <<'PY'
import json, math, os, sys
out, seeds, presets = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
rows = []
stacked = False
for preset in presets:
    runs = []
    for s in range(seeds):
        path = os.path.join(out, f"{preset}-seed{s}", "summary.json")
        if os.path.exists(path):
            runs.append(json.load(open(path)))
    if not runs:
        continue
    def stat(key):
        v = [r[key] for r in runs if isinstance(r.get(key), (int, float))]
        if not v:
            return "n/a"
        m = sum(v) / len(v)
        se = math.sqrt(sum((x - m) ** 2 for x in v) / (len(v) - 1) / len(v)) if len(v) > 1 else float("nan")
        return f"{m:.3f} ± {se:.3f}"
    wall = sum(r["wall_seconds"] for r in runs) / len(runs)
    if any(isinstance(r.get("stacked_modes"), int) for r in runs):
        stacked = True
        rows.append(f"| {preset} | {len(runs)} | {stat('stacked_modes')} | {stat('stacked_kl')} | {wall / 60:.1f} |")
    else:
        rows.append(f"| {preset} | {len(runs)} | {stat('classifier_score')} | {stat('fcd')} | {stat('precision')} | {stat('recall')} | {wall / 60:.1f} |")
if stacked:
    print("| preset | seeds | modes (of 1,000) | KL to uniform | minutes per run |")
    print("|---|---:|---:|---:|---:|")
else:
    print("| preset | seeds | classifier score | FCD | precision | recall | minutes per run |")
    print("|---|---:|---:|---:|---:|---:|---:|")
print("\n".join(rows))
first = next((json.load(open(os.path.join(out, d, "summary.json"))) for d in sorted(os.listdir(out))
              if os.path.exists(os.path.join(out, d, "summary.json"))), None)
if first:
    for key in ("classifier_score_protocol", "fcd_protocol", "precision_recall_protocol", "stacked_protocol"):
        if first.get(key):
            print("\n" + first[key])
PY
