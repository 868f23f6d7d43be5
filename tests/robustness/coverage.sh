#!/usr/bin/env bash
# Branch-coverage gate (>= 95%) of wsproto/ and wsproto_deflate/ over the test suite.
# Usage: bash tests/robustness/coverage.sh PYTHON [pytest args...]
#   PYTHON: an interpreter whose environment has the three local distributions and
#   tests/requirements.txt installed (coverage >= 7.10), e.g. .venv-test/py3.11/bin/python.
# The interop tests are left out (they need external peers); the core tests run a second
# time on the pure-Python masking path, as .ci/tests.sh does.
set -uo pipefail
cd "$(dirname "$0")/../.."
py=${1:?usage: coverage.sh PYTHON [pytest args...]}
shift
rc=tests/robustness/coverage.cfg
export COVERAGE_FILE="$PWD/.coverage.gate"
export COVERAGE_RCFILE="$PWD/$rc"
rm -f .coverage.gate .coverage.gate.*
"$py" -m coverage run -m pytest -q -p no:cacheprovider -m "not interop" "$@" tests
tests_rc=$?
WSPROTO_PURE_PYTHON=1 "$py" -m coverage run -m pytest -q -p no:cacheprovider tests/core tests/core_extra
pure_rc=$?
"$py" -m coverage combine -q
"$py" -m coverage report
gate_rc=$?
echo "coverage gate: tests rc=$tests_rc, pure-Python rc=$pure_rc, report rc=$gate_rc (fail_under=95)"
[ $tests_rc -eq 0 ] && [ $pure_rc -eq 0 ] && [ $gate_rc -eq 0 ]
