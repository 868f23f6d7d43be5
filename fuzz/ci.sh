#!/usr/bin/env bash
# CI: fuzz every target for a short, bounded time (FUZZ_SECONDS each, default 10: ~1 minute).
# Installs atheris into its own venv (.venv-fuzz/); if atheris cannot be installed on any
# available Python, says so loudly and exits 0 (skipped), as issue 8 allows.
set -uo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-10}
venv=.venv-fuzz

find_python() {  # find_python X.Y -> an interpreter path, or nothing
  local p
  if command -v pyenv >/dev/null 2>&1; then
    for p in "$(pyenv root)"/versions/"$1".*/bin/python3; do [ -x "$p" ] && { echo "$p"; return; }; done
  fi
  for p in "$HOME"/.pyenv/versions/"$1".*/bin/python3; do [ -x "$p" ] && { echo "$p"; return; }; done
  command -v "python$1" 2>/dev/null || true
}

installed=""
for v in ${FUZZ_PYTHONS:-3.11 3.12 3.10 3.13 3.9}; do
  py=$(find_python "$v")
  [ -n "$py" ] || continue
  rm -rf "$venv"
  "$py" -m venv "$venv" || continue
  args=(-e . )
  [ -f wsproto_deflate/pyproject.toml ] && args+=(-e ./wsproto_deflate)
  log=$(mktemp)
  if "$venv/bin/python" -m pip install -q --disable-pip-version-check atheris "${args[@]}" >"$log" 2>&1 \
     && "$venv/bin/python" -c "import atheris, wsproto"; then
    installed=$v
    rm -f "$log"
    break
  fi
  grep -v "is ignored" "$log" | tail -5 >&2
  rm -f "$log"
  echo "!!! atheris could not be installed on Python $v ($py); trying another version" >&2
done

if [ -z "$installed" ]; then
  echo "!!! FUZZING SKIPPED: atheris could not be installed on any available Python" \
       "(tried ${FUZZ_PYTHONS:-3.11 3.12 3.10 3.13 3.9}). The seed corpus and past crashes still" \
       "run in pytest (tests/robustness/test_fuzz_corpus.py)." >&2
  exit 0
fi
echo "fuzzing with atheris on Python $installed, $seconds s per target"
"$venv/bin/python" fuzz/run.py --seconds "$seconds"
