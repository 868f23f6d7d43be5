#!/usr/bin/env bash
# Install the independent WebSocket peers used by tests/interop:
#   - Python `websockets` (>= 13) for $PYTHON, when set (the test venvs get it from
#     tests/requirements.txt)
#   - Node's `ws` and `playwright-core` (npm ci in tests/interop/node)
#   - Debian's Chromium at /usr/bin/chromium (apt-get, only when missing)
# Idempotent. Never fails on its own: whatever can't be installed is reported loudly
# here, and the interop tests then skip it with a reason.
set -u

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NODE_DIR="$ROOT/tests/interop/node"
PYTHON_SET="${PYTHON:-}"
PYTHON="${PYTHON:-python3}"
CHROMIUM="${WSPROTO_INTEROP_CHROMIUM:-/usr/bin/chromium}"
MISSING=()

say() { printf 'install-peers: %s\n' "$*"; }
missing() { MISSING+=("$1"); say "!!! MISSING: $1"; }

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"
    elif command -v sudo >/dev/null 2>&1; then sudo -n "$@"
    else return 1
    fi
}

# --- Python websockets -------------------------------------------------------------
has_websockets() {
    "$PYTHON" - <<'EOF' 2>/dev/null
import sys
from websockets.version import version
sys.exit(0 if tuple(int(p) for p in version.split(".")[:2]) >= (13, 0) else 1)
EOF
}
if [ -z "${PYTHON_SET:-}" ]; then
    say "websockets: left to the test venv (tests/requirements.txt); PYTHON=/path/to/python installs it there"
elif has_websockets; then
    say "websockets: already installed for $PYTHON"
elif timeout 300 "$PYTHON" -m pip install --quiet 'websockets>=13' && has_websockets; then
    say "websockets: installed for $PYTHON"
else
    missing "Python websockets>=13 for $PYTHON (try: $PYTHON -m pip install 'websockets>=13')"
fi

# --- Node peers: ws, playwright-core -----------------------------------------------
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    say "node/npm not found: trying Debian's nodejs and npm"
    export DEBIAN_FRONTEND=noninteractive
    { as_root timeout 600 apt-get update -qq && as_root timeout 900 apt-get install -y -qq nodejs npm; } \
        >/dev/null 2>&1 || true
fi
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
    say "node $(node --version), npm $(npm --version 2>/dev/null)"
    if (cd "$NODE_DIR" && timeout 600 npm ci --no-audit --no-fund --loglevel=error); then
        say "npm packages installed in tests/interop/node/node_modules"
    else
        missing "npm packages ws/playwright-core (npm ci in tests/interop/node failed)"
    fi
else
    missing "Node.js >= 20 and npm (needed for the ws and Chromium peers)"
fi

# --- Chromium ----------------------------------------------------------------------
if [ ! -x "$CHROMIUM" ]; then
    say "no browser at $CHROMIUM: installing Debian's chromium"
    export DEBIAN_FRONTEND=noninteractive
    if as_root timeout 600 apt-get update -qq && as_root timeout 1200 apt-get install -y -qq chromium >/dev/null; then
        say "chromium installed"
    fi
fi
if [ -x "$CHROMIUM" ]; then
    say "browser: $("$CHROMIUM" --version 2>/dev/null | head -n 1)"
else
    missing "Chromium at $CHROMIUM (try: apt-get install -y chromium)"
fi

# --- Summary -----------------------------------------------------------------------
if [ "${#MISSING[@]}" -eq 0 ]; then
    say "all interop peers are installed"
else
    say "================================================================"
    say "!!! ${#MISSING[@]} interop peer(s) could not be installed; their tests will be SKIPPED:"
    for item in "${MISSING[@]}"; do say "!!!   - $item"; done
    say "================================================================"
fi
exit 0
