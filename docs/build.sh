#!/usr/bin/env bash
# Build the HTML documentation with warnings as errors.
#
#   bash docs/build.sh            # output in docs/_build/html
#
# Creates (and reuses) a venv of its own at docs/_build/venv, installs the
# documentation requirements and this repository's distributions (editable),
# then runs sphinx-build -W --keep-going. Set DOCS_PYTHON to choose the
# interpreter; otherwise the newest Python 3.9+ found is used (pyenv versions
# first), since the newest Sphinx releases need a recent Python.
set -euo pipefail

DOCS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(dirname "$DOCS_DIR")"
BUILD_DIR="$DOCS_DIR/_build"
VENV="$BUILD_DIR/venv"

pick_python() {
    if [[ -n "${DOCS_PYTHON:-}" ]]; then
        echo "$DOCS_PYTHON"
        return
    fi
    local candidates=(python3.13 python3.12 python3.11 python3.10 python3 python3.9)
    if command -v pyenv >/dev/null 2>&1; then
        local root
        root="$(pyenv root)"
        for v in 3.9 3.10 3.11 3.12 3.13; do
            for exe in "$root"/versions/"$v".*/bin/python3; do
                [[ -x "$exe" ]] && candidates=("$exe" "${candidates[@]}")
            done
        done
    fi
    for exe in "${candidates[@]}"; do
        if command -v "$exe" >/dev/null 2>&1 &&
            "$exe" -c 'import sys; sys.exit(sys.version_info < (3, 9))' 2>/dev/null; then
            command -v "$exe"
            return
        fi
    done
    echo "docs/build.sh: no Python >= 3.9 found (set DOCS_PYTHON)" >&2
    exit 1
}

mkdir -p "$BUILD_DIR"
if [[ ! -x "$VENV/bin/python" ]]; then
    PYTHON="$(pick_python)"
    echo "docs/build.sh: creating $VENV with $PYTHON"
    "$PYTHON" -m venv "$VENV"
fi

# Everything in one pip call, so that the resolver sees the plugins and the core together.
install=(-r "$DOCS_DIR/requirements.txt" -e "$REPO")
for plugin in wsproto_deflate plugins_example; do
    if [[ -f "$REPO/$plugin/pyproject.toml" ]]; then
        install+=(-e "$REPO/$plugin")
    fi
done
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "${install[@]}"

rm -rf "$BUILD_DIR/html" "$BUILD_DIR/doctrees"
"$VENV/bin/python" -m sphinx -W --keep-going -b html -d "$BUILD_DIR/doctrees" \
    "$DOCS_DIR" "$BUILD_DIR/html"
echo "docs/build.sh: HTML in $BUILD_DIR/html/index.html"
