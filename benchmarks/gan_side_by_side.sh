#!/usr/bin/env bash
# Equilibrium vs PyTorch, training steps/s of a GAN step (plain NS-GAN and NS + DRAGAN), measured
# in one run on this machine: MODEL=mlp (default; the small MLP GAN on the 8-mode ring, batch
# 512) or MODEL=dcgan (the 28×28 DCGAN, batch 64), THREADS threads each (default 1; Equilibrium's
# threads go to its convolution, batch-norm and element-wise kernels, whose results do not depend
# on the count).
#
# It builds the release binary, then alternates `equilibrium bench gan` and
# benchmarks/pytorch_gan_step.py ROUNDS times (so slow drifts of a shared machine hit both
# alike), prints every table, and ends with the median over rounds of each side's median
# steps/s and their ratio.
#
# Usage: benchmarks/gan_side_by_side.sh [ROUNDS] [OUT_DIR]     (defaults: 3, /tmp/gan-bench)
#   PYTHON=/work/venv-torch/bin/python benchmarks/gan_side_by_side.sh
#   MODEL=dcgan THREADS=2 PYTHON=/work/venv-torch/bin/python benchmarks/gan_side_by_side.sh 3 /tmp/dcgan-bench
# The Python interpreter is $PYTHON (default python3); it must already have torch. This
# script installs nothing.
set -euo pipefail

ROUNDS="${1:-3}"
OUT="${2:-/tmp/gan-bench}"
PYTHON="${PYTHON:-python3}"
MODEL="${MODEL:-mlp}"
THREADS="${THREADS:-1}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"

if ! command -v "$PYTHON" >/dev/null 2>&1; then
    echo "error: Python interpreter '$PYTHON' not found; set PYTHON to one that has torch (e.g. PYTHON=/work/venv-torch/bin/python)" >&2
    exit 1
fi
if ! "$PYTHON" -c "import torch" >/dev/null 2>&1; then
    echo "error: '$PYTHON' cannot import torch; set PYTHON to an interpreter that has it (this script installs nothing)" >&2
    exit 1
fi

swift build -c release
BIN="$(swift build -c release --show-bin-path)/equilibrium"
mkdir -p "$OUT"

for round in $(seq 1 "$ROUNDS"); do
    echo "### round $round of $ROUNDS"
    echo
    if [ "$MODEL" = dcgan ]; then STEPS=(--warmup 10 --steps 30); else STEPS=(); fi
    "$BIN" bench gan --model "$MODEL" --threads "$THREADS" "${STEPS[@]}" --json "$OUT/equilibrium-$round.json"
    "$PYTHON" benchmarks/pytorch_gan_step.py --model "$MODEL" --threads "$THREADS" "${STEPS[@]}" --json "$OUT/pytorch-$round.json"
    echo
done

"$PYTHON" - "$OUT" "$ROUNDS" "$MODEL" "$THREADS" <<'EOF'
import json, statistics, sys
out, rounds, model, threads = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
eq, pt = {}, {}
for r in range(1, rounds + 1):
    for res in json.load(open(f"{out}/equilibrium-{r}.json"))["results"]:
        eq.setdefault(res["variant"], []).append(res["medianStepsPerSecond"])
    for res in json.load(open(f"{out}/pytorch-{r}.json"))["results"]:
        pt.setdefault(res["variant"], []).append(res["median_steps_per_s"])
core = json.load(open(f"{out}/equilibrium-1.json"))["blasCore"]
torch_version = json.load(open(f"{out}/pytorch-1.json"))["info"]["torch_version"]
what = "MLP GAN on the ring, batch 512" if model == "mlp" else "DCGAN 28x28, batch 64"
print(f"## Equilibrium vs PyTorch {torch_version}: {what}, {threads} thread{'s' if threads > 1 else ''} each")
print(f"(median over {rounds} alternating rounds of each run's median steps/s; OpenBLAS core {core})\n")
print("| variant | Equilibrium steps/s | ms/step | PyTorch steps/s | ms/step | Equilibrium / PyTorch |")
print("|---|---:|---:|---:|---:|---:|")
for v in ("plain", "dragan"):
    if v in eq and v in pt:
        e, p = statistics.median(eq[v]), statistics.median(pt[v])
        print(f"| {v} | {e:.1f} | {1000 / e:.2f} | {p:.1f} | {1000 / p:.2f} | {e / p:.2f}× |")
EOF
