#!/usr/bin/env bash
# The README's demo: installs the library (with the deflate plugin) into .venv-demo and runs `python -m wsproto demo`.
set -euo pipefail
cd "$(dirname "$0")/.."
source .ci/_venv.sh
py=$(find_python 3.11); [ -n "$py" ] || py=$(command -v python3)
make_venv "$py" .venv-demo >&2
exec .venv-demo/bin/python -m wsproto demo "$@"
