# Shared helper: make_venv PYTHON DIR -> a venv with the three local distributions and the test deps.
# The local core is installed in the same pip call as the plugins, so pip never takes upstream wsproto.
make_venv() {
  local python=$1 dir=$2
  local root
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  local stamp="$dir/.stamp"
  local want
  want=$(cat "$root/pyproject.toml" "$root"/wsproto_deflate/pyproject.toml "$root"/plugins_example/pyproject.toml \
         "$root/tests/requirements.txt" 2>/dev/null | sha1sum | cut -c1-12)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then return 0; fi
  rm -rf "$dir"
  "$python" -m venv "$dir"
  local args=(-e "$root")
  [ -f "$root/wsproto_deflate/pyproject.toml" ] && args+=(-e "$root/wsproto_deflate")
  [ -f "$root/plugins_example/pyproject.toml" ] && args+=(-e "$root/plugins_example")
  "$dir/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip 2>&1 | grep -v "is ignored" || true
  "$dir/bin/python" -m pip install -q --disable-pip-version-check "${args[@]}" -r "$root/tests/requirements.txt" \
    2>&1 | grep -v "is ignored" || true
  "$dir/bin/python" -c "import wsproto, pytest" || { echo "install into $dir failed" >&2; return 1; }
  echo "$want" > "$stamp"
}

# find_python X.Y -> path of an interpreter for that version, or nothing
find_python() {
  local v=$1 p
  if command -v pyenv >/dev/null 2>&1; then
    for p in "$(pyenv root)"/versions/"$v".*/bin/python3; do
      [ -x "$p" ] && { echo "$p"; return 0; }
    done
  fi
  for p in "$HOME"/.pyenv/versions/"$v".*/bin/python3; do
    [ -x "$p" ] && { echo "$p"; return 0; }
  done
  command -v "python$v" 2>/dev/null && return 0
  return 0
}
