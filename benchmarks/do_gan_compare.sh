#!/usr/bin/env bash
# DO-GAN against the plain GAN (and optionally a jointly trained mixture of K generators) with
# the same number of generator gradient updates (issue 6, docs/do-gan.md).
#
# Usage: benchmarks/do_gan_compare.sh PRESET "SEEDS" OUT [ORACLE OPTIONS...]
#   e.g. benchmarks/do_gan_compare.sh pacgan-grid "0 1 2" runs/cmp --iterations 10 --oracle-steps 500
# Environment: PARALLEL (default 2) runs at once; BIN, the binary to use (a copy keeps a long run
# safe from rebuilds); MIXTURE_K="4 8" also trains `equilibrium mixture` with K generators for
# budget/K steps (each step updates every generator once); MIXTURE_ARGS extra mixture options
# (split on spaces). Finished runs (summary.json present) are kept; a DO run killed part-way is
# resumed from its checkpoint, so re-running the same command completes an interrupted comparison.
#
# Phase 1 runs `equilibrium oracle` for every seed; phase 2 reads each run's generator_steps from
# its summary.json and gives `equilibrium train` (and the mixtures) exactly that budget. Then a
# table of modes / HQ / reverse KL / wall time, mean ± standard error over the seeds.
set -euo pipefail
preset=${1:?preset}; seeds=${2:?seeds}; out=${3:?output directory}; shift 3
bin=${BIN:-.build/release/equilibrium}
parallel=${PARALLEL:-2}
[ -x "$bin" ] || swift build -c release --product equilibrium
mkdir -p "$out"
q() { printf '%q ' "$@"; }            # shell-quote, so options with spaces survive `bash -c`
oracle_args=$(q "$@")
run_all() { [ $# -eq 0 ] || printf '%s\n' "$@" | xargs -d '\n' -P "$parallel" -I{} bash -c {}; }
jobs=()
for s in $seeds; do
    dir="$out/do-seed$s"
    [ -f "$dir/summary.json" ] && continue
    if [ -f "$dir/checkpoint/checkpoint.json" ]; then   # killed part-way: continue it exactly
        jobs+=("$(q "$bin") oracle --resume $(q "$dir") >> $(q "$dir.log") 2>&1")
    else
        jobs+=("$(q "$bin") oracle --preset $(q "$preset") --seed $s $oracle_args --out $(q "$dir") > $(q "$dir.log") 2>&1")
    fi
done
run_all "${jobs[@]}"
jobs=()
for s in $seeds; do
    budget=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['generator_steps'])" "$out/do-seed$s/summary.json")
    [ -f "$out/gan-seed$s/summary.json" ] || \
        jobs+=("$(q "$bin") train --preset $(q "$preset") --seed $s --steps $budget --eval-every $budget --out $(q "$out/gan-seed$s") > $(q "$out/gan-seed$s.log") 2>&1")
    for k in ${MIXTURE_K:-}; do
        [ -f "$out/mixture-k$k-seed$s/summary.json" ] || \
            jobs+=("$(q "$bin") mixture --preset $(q "$preset") --seed $s --generators $k --steps $((budget / k)) ${MIXTURE_ARGS:-} --out $(q "$out/mixture-k$k-seed$s") > $(q "$out/mixture-k$k-seed$s.log") 2>&1")
    done
done
run_all "${jobs[@]}"
python3 - "$out" "$seeds" "${MIXTURE_K:-}" <<'PY'
import json, sys, statistics as st
out, seeds, ks = sys.argv[1], sys.argv[2].split(), sys.argv[3].split()
def row(kind, label):
    rs = [json.load(open(f"{out}/{kind}-seed{s}/summary.json")) for s in seeds]
    def ms(k, scale=1):
        # Undefined values (reverse KL with no HQ sample: NaN or null) are left out, and said so.
        v = [scale * float(r[k]) for r in rs if r.get(k) is not None]
        v = [x for x in v if x == x]
        if not v: return "undefined"
        se = st.stdev(v) / len(v) ** 0.5 if len(v) > 1 else 0
        return f"{st.mean(v):.2f} ± {se:.2f}" + ("" if len(v) == len(rs) else f" ({len(v)} of {len(rs)} defined)")
    updates = st.mean(float(r.get("generator_updates", r.get("generator_steps", r["steps"]))) for r in rs)
    return f"| {label} | {ms('modes_covered')} | {ms('high_quality_fraction', 100)} | {ms('reverse_kl')} | {updates:.0f} | {ms('wall_seconds')} |"
print(f"{len(seeds)} seeds, mean ± standard error")
print("| model | modes | HQ % | reverse KL | generator updates | wall s |"); print("|---|---|---|---|---|---|")
print(row("do", "DO-GAN (mixed generator)")); print(row("gan", "NS-GAN"))
for k in ks: print(row(f"mixture-k{k}", f"mixture of {k} generators"))
PY
