#!/usr/bin/env bash
# What CI runs: install wstest, then the whole Autobahn|Testsuite (all 517 cases,
# server and client roles in parallel) against this checkout's wsproto and
# wsproto_deflate.  Bounded: at most COMPLIANCE_BUDGET seconds (default 2100 =
# 35 min) for the whole script, installs included.
#
#   bash compliance/ci.sh                     # what CI runs
#   bash compliance/ci.sh --no-compression    # extra run.py options, for a quick check
#
# Environment:
#   COMPLIANCE_PYTHON   interpreter that already has this checkout's wsproto (and
#                       wsproto-deflate) installed; default: a venv made here, in
#                       .venv-compliance/ at the top of the checkout
#   COMPLIANCE_BUDGET   seconds for the whole script (default 2100)
#   COMPLIANCE_REQUIRE_COMPLETE=1   fail (exit 4) when the budget cut the run short
#
# Exit status: 0 when every case is OK or INFORMATIONAL; also 0, with a loud
# banner, when wstest cannot be installed on this machine (SKIPPED) or when the
# budget ran out before every case ran but every case that ran passed (OUT OF
# TIME); otherwise that of run.py (1 a case failed, 3 a run did not complete).
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
BUDGET=${COMPLIANCE_BUDGET:-2100}
START=$SECONDS
say() { echo "[compliance/ci] $*"; }
skipped() {
    printf '%s\n' "$(printf '!%.0s' {1..78})" \
        "!!! AUTOBAHN COMPLIANCE SUITE SKIPPED: $*" \
        "$(printf '!%.0s' {1..78})"
    exit 0
}

# 1. wstest (Python 2.7).  Bounded by install.sh's own per-step timeouts.
bash "$HERE/install.sh" || skipped "wstest could not be installed (needs Python 2.7; see above)"

# 2. The interpreter under test.
PY=${COMPLIANCE_PYTHON:-}
if [[ -z $PY ]]; then
    VENV="$ROOT/.venv-compliance"
    say "creating $VENV with this checkout's wsproto"
    rm -rf "$VENV"
    python3 -m venv "$VENV" || exit 1
    PKGS=(-e "$ROOT")
    [[ -f "$ROOT/wsproto_deflate/pyproject.toml" ]] && PKGS+=(-e "$ROOT/wsproto_deflate")
    timeout 600 "$VENV/bin/python" -m pip install --quiet "${PKGS[@]}" \
        2> >(grep -v -e 'is ignored' >&2) || { say "ERROR: pip install ${PKGS[*]} failed"; exit 1; }
    PY="$VENV/bin/python"
fi
"$PY" -c 'import wsproto, sys; print("[compliance/ci] testing wsproto", wsproto.__version__, "from", wsproto.__file__)' \
    || exit 1

# 3. Both roles, all cases, in parallel; each role gets what is left of the budget.
LEFT=$((BUDGET - (SECONDS - START) - 60))
[[ $LEFT -gt 300 ]] || { say "ERROR: only $LEFT s of the $BUDGET s budget left"; exit 1; }
say "running ${*:-all cases}, both roles in parallel, at most $LEFT s per role"
timeout --kill-after=30 $((LEFT + 45)) python3 "$HERE/run.py" --python "$PY" \
    --timeout "$LEFT" --out "$HERE/reports/ci" "$@"
RC=$?
say "done in $((SECONDS - START)) s (exit $RC); reports in compliance/reports/ci/"
[[ $RC -eq 77 ]] && skipped "wstest could not be installed"
if [[ $RC -eq 4 && ${COMPLIANCE_REQUIRE_COMPLETE:-0} != 1 ]]; then
    # Out of time, nothing failed: the machine was too slow or too busy for the
    # budget.  A hang of the library would show as FAILED cases instead (wstest
    # bounds each case by 60-480 s), so this does not fail CI.
    printf '%s\n' "$(printf '!%.0s' {1..78})" \
        "!!! AUTOBAHN COMPLIANCE SUITE OUT OF TIME: not every case ran in $BUDGET s (see above);" \
        "!!! every case that ran passed.  Not failing CI (COMPLIANCE_REQUIRE_COMPLETE=1 would)." \
        "$(printf '!%.0s' {1..78})"
    exit 0
fi
exit "$RC"
