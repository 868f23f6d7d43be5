#!/usr/bin/env bash
# ruff and mypy --strict over the library and the plugin distributions.
set -euo pipefail
cd "$(dirname "$0")/.."
source .ci/_venv.sh
py=$(find_python 3.11); [ -n "$py" ] || py=$(command -v python3)
make_venv "$py" .venv-test/py3.11
.venv-test/py3.11/bin/python -m pip install -q --disable-pip-version-check ruff mypy 2>&1 | grep -v "is ignored" || true
.venv-test/py3.11/bin/python -m ruff check wsproto wsproto_deflate plugins_example examples compat
.venv-test/py3.11/bin/python -m mypy --strict wsproto
.venv-test/py3.11/bin/python -m mypy --strict compat/run.py compat/compare.py compat/consumers.py compat/plugin/compat_pytest.py
for d in wsproto_deflate/wsproto_deflate plugins_example/*/; do
  [ -d "$d" ] && [ -f "$d/__init__.py" ] && .venv-test/py3.11/bin/python -m mypy --strict "$d"
done
echo "lint: ruff and mypy --strict clean"
