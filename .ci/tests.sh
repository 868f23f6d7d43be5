#!/usr/bin/env bash
# The whole test suite on every Python 3.9-3.13 this machine has. Installs what it needs into .venv-test/.
# WSPROTO_TEST_PYTHONS="3.11" limits the versions; extra arguments go to pytest.
set -uo pipefail
cd "$(dirname "$0")/.."
source .ci/_venv.sh
versions=${WSPROTO_TEST_PYTHONS:-"3.9 3.10 3.11 3.12 3.13"}
primary=${WSPROTO_PRIMARY_PYTHON:-3.11}
failed=() passed=() missing=()
# The interop peers (Node ws, playwright-core, Chromium): installed here so that their tests
# run rather than skip. Only its summary is shown; the full log is in .venv-test/peers.log.
mkdir -p .venv-test
bash .ci/install-peers.sh >.venv-test/peers.log 2>&1
grep -E "all interop peers|MISSING|!!!" .venv-test/peers.log | sort -u >&2 || true
for v in $versions; do
  py=$(find_python "$v")
  if [ -z "$py" ]; then
    echo "!!! Python $v not found on this machine: SKIPPED" >&2
    missing+=("$v"); continue
  fi
  venv=".venv-test/py$v"
  echo "=== Python $v ($py)"
  if ! make_venv "$py" "$venv"; then failed+=("$v"); continue; fi
  # The slow and peer-interop tests run once, on the primary interpreter.
  # Real-install tests run there and on the oldest Python (the importlib-metadata backport).
  if [ "$v" = "$primary" ]; then marks=()
  elif [ "$v" = "3.9" ]; then marks=(-m "not slow and not interop")
  else marks=(-m "not slow and not interop and not installs"); fi
  ok=1
  # More hypothesis examples on the primary interpreter.
  if [ "$v" = "$primary" ]; then export HYPOTHESIS_PROFILE=${HYPOTHESIS_PROFILE:-ci}; else unset HYPOTHESIS_PROFILE; fi
  "$venv/bin/python" -m pytest -q -p no:cacheprovider "${marks[@]}" "$@" tests plugins_example/tests || ok=0
  if [ "$v" = "$primary" ]; then
    echo "=== Python $v, pure-Python masking path (WSPROTO_PURE_PYTHON=1)"
    # The C-only tests ran in the pass above; here they are deselected rather than skipped.
    WSPROTO_PURE_PYTHON=1 "$venv/bin/python" -m pytest -q -p no:cacheprovider -k "not test_c_mask" tests/core || ok=0
  fi
  if [ $ok = 1 ]; then passed+=("$v"); else failed+=("$v"); fi
done
echo "=== Python versions passed: ${passed[*]:-none}; failed: ${failed[*]:-none}; missing: ${missing[*]:-none}"
[ ${#failed[@]} -eq 0 ] && [ ${#passed[@]} -gt 0 ]
