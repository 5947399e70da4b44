#!/usr/bin/env bash
# The GAN issue's benchmark grid for docs/benchmarks.md: NS-GAN, NS+DRAGAN, NS+GAN-GP and
# WGAN-GP, each with the simultaneous and the alternating schedule, plus unrolled-5 (its
# discriminator steps from θ_t, so it is simultaneous by construction), on pacgan-ring and
# pacgan-grid, SEEDS seeds each, every run STEPS generator steps.
#
# Usage: benchmarks/gan_grid.sh [SEEDS] [STEPS] [OUT] [JOBS]   (defaults 10, 20000, sweeps/grid, nproc)
#
# Every sweep runs with --resume, so an interrupted grid continues where it stopped: run the
# same command again. Each sweep directory ends with table.md / table.csv / sweep.json.
# Cost: on the 2-core development machine, with two runs sharing it, a pacgan-ring NS run
# made about 24–33 steps/s and an NS+DRAGAN run about 22–33 (docs/benchmarks.md); WGAN-GP
# and unrolled-5 cost more per step and were not timed. The grid is 18 cells × SEEDS runs:
# at 10 seeds × 20,000 steps that is days, not hours, of one core here. Pass fewer seeds
# or steps for a slice, and say so beside its numbers.
set -euo pipefail

SEEDS="${1:-10}"
STEPS="${2:-20000}"
OUT="${3:-sweeps/grid}"
JOBS="${4:-$(nproc)}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
swift build -c release
BIN="$(swift build -c release --show-bin-path)/equilibrium"

for preset in pacgan-ring pacgan-grid; do
    common=(--preset "$preset" --seeds "$SEEDS" --steps "$STEPS" --jobs "$JOBS" --resume)
    "$BIN" sweep "${common[@]}" --objective ns --penalty none,dragan,gan-gp \
        --schedule simultaneous,alternating --out "$OUT/$preset-ns"
    "$BIN" sweep "${common[@]}" --objective wgan --penalty gan-gp \
        --schedule simultaneous,alternating --out "$OUT/$preset-wgan-gp"
    "$BIN" sweep "${common[@]}" --objective ns --penalty none --schedule unrolled:5 \
        --out "$OUT/$preset-unrolled5"
done
echo "tables: $OUT/*/table.md"
