#!/usr/bin/env bash
# Instructions per call of each flat-cost request, stores empty and caps full, counted by
# callgrind: the same on a loaded machine, so the ratio is free of timing noise.
# Usage: benches/flat_cost_counts.sh   (needs valgrind; builds the bench in the release profile)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(cargo bench --bench flat_cost --no-run --message-format=json 2>/dev/null |
  python3 -c 'import json,sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "flat_cost" and m.get("executable"):
        print(m["executable"])')
rounds=2000
names=(token check-status "saved-card payment" transfer)
out=$(mktemp -d)
echo "| request | empty instr/call | caps full instr/call | full / empty |"
echo "|---|---:|---:|---:|"
for which in 0 1 2 3; do
  for state in empty full; do
    FLAT_COST_COUNT="$which:$state" valgrind --tool=callgrind --collect-atstart=no \
      --toggle-collect='*counted_window*' --callgrind-out-file="$out/$which.$state" "$bin" >/dev/null 2>&1
  done
  e=$(grep -m1 '^summary:' "$out/$which.empty" | awk '{print $2}')
  f=$(grep -m1 '^summary:' "$out/$which.full" | awk '{print $2}')
  python3 -c "e,f=$e/$rounds,$f/$rounds; print(f'| ${names[$which]} | {e:,.0f} | {f:,.0f} | {f/e:.3f} |')"
done
rm -rf "$out"
