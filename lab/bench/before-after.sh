#!/usr/bin/env bash
# `bash lab/bench/before-after.sh <baseline-ref> [rounds]`: what a change costs where it runs hot.
# Runs `bench:listeners` (10,000 listeners, 1 notification/s, 30 s) and `bench:api` on the baseline
# (a git worktree of <baseline-ref>) and on this tree, interleaved (baseline, this, baseline, …)
# so the machine's drift hits both alike, keeps every round's JSON in reports/bench/before-after/
# and prints the medians of the paired ratios (this ÷ baseline). Nothing else may run meanwhile.
set -euo pipefail
ref=${1:?usage: bash lab/bench/before-after.sh <baseline-ref> [rounds]}
rounds=${2:-5}
here=$(git rev-parse --show-toplevel)
out="$here/reports/bench/before-after"
base=$(mktemp -d /tmp/event-lab-baseline.XXXXXX)
trap 'git -C "$here" worktree remove --force "$base" >/dev/null 2>&1 || true' EXIT
git -C "$here" worktree add --detach "$base" "$ref" >/dev/null
ln -s "$here/node_modules" "$base/node_modules"
mkdir -p "$out"
for round in $(seq 1 "$rounds"); do
  for side in baseline current; do
    dir=$here; [ "$side" = baseline ] && dir=$base
    echo "round $round/$rounds: $side ($(date +%T))"
    (cd "$dir" && npm run -s bench:listeners -- --listeners 10000 --rate 1 --duration 30 \
      --out "$out/listeners-$side-$round.json" >"$out/listeners-$side-$round.log" 2>&1)
    if [ "$round" -le 2 ]; then
      (cd "$dir" && BENCH_ROUNDS=3 npm run -s bench:api >"$out/api-$side-$round.log" 2>&1 &&
        cp reports/bench/api.json "$out/api-$side-$round.json")
    fi
  done
done
git -C "$here" checkout -- reports/bench/api.json 2>/dev/null || true
node --import tsx "$here/lab/bench/before-after-summary.ts" "$out" "$rounds"
