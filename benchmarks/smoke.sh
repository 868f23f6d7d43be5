#!/usr/bin/env bash
# Smoke check of the benchmark scenarios (not a measurement): every scenario runs
# briefly for each family with the given interpreter, which must have this package
# (and wsproto-deflate) installed, plus websockets for the websockets family.
# Usage: bash benchmarks/smoke.sh [PYTHON]   (default: python3). About 20 s.
set -euo pipefail
py=${1:-python3}
case "$py" in */*) py=$(cd "$(dirname "$py")" && pwd)/$(basename "$py") ;; esac
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"   # keep the checkout's wsproto/ off the children's sys.path
families=(wsproto)
"$py" -c "import websockets" 2>/dev/null && families+=(websockets)
scenarios=$("$py" -c "from scenarios import SCENARIOS; print(' '.join(SCENARIOS))")
failed=0
passed=0
for family in "${families[@]}"; do
  for scenario in $scenarios; do
    if out=$(timeout 120 "$py" scenarios.py "$scenario" --family "$family" \
        --duration 0.02 --count 3 2>&1); then
      passed=$((passed + 1))
    else
      failed=$((failed + 1))
      echo "FAIL $scenario ($family): $(echo "$out" | tail -n 1)"
    fi
  done
done
echo "benchmark smoke: $passed scenario runs ok, $failed broken"
[ "$failed" -eq 0 ]
