#!/usr/bin/env bash
# CI for the wsproto-deflate plugin: lint, strict type check, and tests/deflate with
# both backends (stdlib zlib, then zlib-ng). Makes its own venv; bounded; ~1 minute.
#
#   bash wsproto_deflate/ci.sh            # from anywhere
#   DEFLATE_PYTHON=python3.12 bash wsproto_deflate/ci.sh
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(dirname "$HERE")"
PY="${DEFLATE_PYTHON:-python3}"
VENV="${DEFLATE_VENV:-${TMPDIR:-/tmp}/wsproto-deflate-ci-venv}"

if [[ ! -x "$VENV/bin/python" ]]; then
    "$PY" -m venv "$VENV"
fi
# The core requires wsproto-deflate: both local paths in one call (the extra is named
# directly, since pip does not match "path[extra]" to the core's requirement).
"$VENV/bin/python" -m pip install -q --disable-pip-version-check \
    -e "$REPO" -e "$REPO/wsproto_deflate" 'zlib-ng>=0.4' pytest hypothesis mypy ruff

cd "$REPO"
echo "[deflate-ci] ruff"
"$VENV/bin/ruff" check wsproto_deflate tests/deflate
"$VENV/bin/ruff" format --check wsproto_deflate tests/deflate
echo "[deflate-ci] mypy --strict"
"$VENV/bin/mypy" --strict --follow-imports=silent wsproto_deflate/wsproto_deflate
echo "[deflate-ci] tests, stdlib zlib backend"
WSPROTO_DEFLATE_BACKEND=zlib timeout 900 "$VENV/bin/python" -m pytest -q -p no:cacheprovider tests/deflate
# The default and lean presets keep stdlib zlib even with zlib-ng installed: force it.
echo "[deflate-ci] tests, zlib-ng backend ($(WSPROTO_DEFLATE_BACKEND=zlib-ng "$VENV/bin/python" -c 'import wsproto_deflate._backend as b; print(b.get_backend().name)'))"
WSPROTO_DEFLATE_BACKEND=zlib-ng timeout 900 "$VENV/bin/python" -m pytest -q -p no:cacheprovider -m "not slow" tests/deflate
echo "[deflate-ci] ok"
