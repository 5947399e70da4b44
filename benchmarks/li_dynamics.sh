#!/usr/bin/env bash
# Li et al. model: the reference experiment (spec li-dynamics.md §6) and single-trajectory speed.
# Usage: benchmarks/li_dynamics.sh [OUT_DIR]   (builds in release first)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-/tmp/li-bench}"
swift build -c release --product equilibrium >/dev/null
bin=.build/release/equilibrium
echo "== machine: $(nproc) cores, $(uname -m)"
echo "== single-trajectory speed (one thread)"
"$bin" dynamics li --bench --dynamics optimal,first-order,alternating,k-step-5,unrolled-5
echo "== full reference grid: 20x20 (210 cells with mu1<=mu2) x 100 inits x 3000 steps, first-order"
/usr/bin/time -f "wall %e s, user %U s, max RSS %M KB" \
  "$bin" dynamics li --dynamics first-order --grid 20 --inits 100 --out "$out/first-order"
echo "== optimal discriminator, same grid, 1000 steps"
/usr/bin/time -f "wall %e s, user %U s, max RSS %M KB" \
  "$bin" dynamics li --dynamics optimal --grid 20 --out "$out/optimal"
