#!/usr/bin/env bash
# Run Autobahn|Testsuite against wsproto (both roles, in parallel, loopback only).
#
#   bash compliance/run.sh [--python PY] [--no-compression] [--role server|client] [CASES]
#
# Installs wstest first if needed.  All options: bash compliance/run.sh --help
# Exit status: 0 all cases OK/INFORMATIONAL, 1 a case failed, 3 a run did not
# complete, 77 skipped because wstest (Python 2.7) could not be installed.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
exec python3 "$HERE/run.py" "$@"
