#!/usr/bin/env bash
# End-to-end checks of CLI plumbing that unit tests cannot reach (the executable's child
# processes and files): a tiny `equilibrium search` must write its report, hand each child
# exactly the drawn configuration, rewrite the same report on --resume, and reject bad input
# with a message naming the flag. About 20 s after the release build.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=.build/release/equilibrium
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "cli smoke: FAIL: $*" >&2; exit 1; }

"$bin" search --preset pacgan-ring --model ns,wgan+wgan-gp --configurations 2 --steps 20 --jobs 2 --out "$tmp/s" \
    > "$tmp/out.txt" 2> "$tmp/err.txt" || { cat "$tmp/out.txt" "$tmp/err.txt"; fail "search exited non-zero"; }
for f in table.md runs.csv search.json boxplots.png; do [ -s "$tmp/s/$f" ] || fail "no $f"; done
[ "$(wc -l < "$tmp/s/runs.csv")" -eq 5 ] || fail "runs.csv should hold a header and 4 runs"
grep -q '^| wgan+wgan-gp | 2 / 0 / 0 |' "$tmp/s/table.md" || fail "table.md lacks the finished wgan+wgan-gp row"

# The child's resolved config carries the drawn values: runs.csv's lr, β2 = 0.9 for WGAN, λ, schedule, seed.
IFS=, read -r model k seed lr beta1 beta2 nd lambda _ < <(grep '^wgan+wgan-gp,1,' "$tmp/s/runs.csv")
config="$tmp/s/wgan+wgan-gp/config-1/config.json"
grep -q "\"lr\" : $lr," "$config" || fail "child lr differs from runs.csv ($lr)"
grep -q '"beta2" : 0.9,' "$config" || fail "WGAN child should run with beta2 0.9"
grep -q "\"penalty_weight\" : $lambda," "$config" || fail "child penalty_weight differs from runs.csv ($lambda)"
grep -q "\"schedule\" : \"ratio:$nd:1\"," "$config" || fail "child schedule is not ratio:$nd:1"
grep -q "\"seed\" : 1," "$config" || fail "configuration 1 should train with seed 1"

# --resume on a finished search starts nothing and writes the same table.
cp "$tmp/s/table.md" "$tmp/table-before.md"
"$bin" search --preset pacgan-ring --model ns,wgan+wgan-gp --configurations 2 --steps 20 --out "$tmp/s" --resume \
    > /dev/null 2>&1 || fail "--resume on a finished search exited non-zero"
cmp -s "$tmp/table-before.md" "$tmp/s/table.md" || fail "--resume rewrote a different table"

# Bad input: non-zero exit, the flag named.
if "$bin" search --model ns+bogus --out "$tmp/bad" > /dev/null 2> "$tmp/bad.txt"; then fail "--model ns+bogus was accepted"; fi
grep -q "\-\-model 'ns+bogus': unknown penalty 'bogus'" "$tmp/bad.txt" || fail "unclear --model error: $(cat "$tmp/bad.txt")"
if "$bin" search --lr 1e-2:1e-5 --out "$tmp/bad" > /dev/null 2> "$tmp/bad.txt"; then fail "a reversed --lr range was accepted"; fi
grep -q -- "--lr: " "$tmp/bad.txt" || fail "unclear --lr error: $(cat "$tmp/bad.txt")"
echo "cli smoke: search report, child configs, resume and input errors OK"
