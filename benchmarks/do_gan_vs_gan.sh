#!/usr/bin/env bash
# DO-GAN vs the plain GAN with the same number of generator gradient steps (issue 6, docs/do-gan.md).
# Usage: benchmarks/do_gan_vs_gan.sh PRESET "SEEDS" ITERATIONS ORACLE_STEPS WARM_START OUT [PARALLEL]
# Each seed runs `equilibrium oracle` (warm start + ITERATIONS × ORACLE_STEPS generator steps) and
# `equilibrium train` for the same total; a table of modes / HQ / reverse KL / wall time follows.
set -euo pipefail
preset=${1:-pacgan-ring}; seeds=${2:-"0 1 2"}; iterations=${3:-10}; oracle_steps=${4:-500}; warm=${5:-500}
out=${6:-runs/do-vs-gan-$preset}; parallel=${7:-2}
bin=${BIN:-.build/release/equilibrium}  # BIN: a copy of the binary, so rebuilding does not disturb a long run
[ -x "$bin" ] || swift build -c release --product equilibrium
budget=$((warm + iterations * oracle_steps))
mkdir -p "$out"
jobs=()
for s in $seeds; do
    jobs+=("$bin oracle --preset $preset --seed $s --iterations $iterations --oracle-steps $oracle_steps --warm-start-steps $warm --out $out/do-seed$s > $out/do-seed$s.log 2>&1")
    jobs+=("$bin train --preset $preset --seed $s --steps $budget --eval-every $budget --out $out/gan-seed$s > $out/gan-seed$s.log 2>&1")
done
printf '%s\n' "${jobs[@]}" | xargs -P "$parallel" -I{} bash -c {}
python3 - "$out" "$seeds" "$budget" <<'PY'
import json, sys, statistics as st
out, seeds, budget = sys.argv[1], sys.argv[2].split(), sys.argv[3]
def row(kind):
    rs = [json.load(open(f"{out}/{kind}-seed{s}/summary.json")) for s in seeds]
    def ms(k):
        v = [float(r[k]) for r in rs if r.get(k) is not None]
        se = st.stdev(v) / len(v) ** 0.5 if len(v) > 1 else 0
        return f"{st.mean(v):.2f} ± {se:.2f}"
    return f"| {kind} | {ms('modes_covered')} | {100*st.mean(float(r['high_quality_fraction']) for r in rs):.1f} | {ms('reverse_kl')} | {ms('wall_seconds')} |"
print(f"{len(seeds)} seeds, {budget} generator steps each (mean ± standard error)")
print("| model | modes | HQ % | reverse KL | wall s |"); print("|---|---|---|---|---|")
print(row("do")); print(row("gan"))
PY
