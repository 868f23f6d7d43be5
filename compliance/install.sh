#!/usr/bin/env bash
# Install Autobahn|Testsuite (wstest) into a Python 2.7 virtualenv.  Idempotent.
#
#   bash compliance/install.sh           install, or just verify an existing install
#   bash compliance/install.sh --force   wipe the virtualenv and install again
#   bash compliance/install.sh --print-venv   print the virtualenv path and exit
#
# Environment:
#   WSTEST_VENV   virtualenv to create (default /opt/wsproto-compliance/wstest-venv)
#   PYTHON27      a Python 2.7 interpreter to use instead of searching for one
#   WSTEST_NO_APT=1   never fall back to installing python2.7 with apt
#
# Python 2.7 is searched in this order: $PYTHON27, pyenv's versions/2.7.*, the
# system's /usr/bin/python2.7, and finally (as root, with apt-get) Debian
# bullseye's python2.7 package pinned at low priority so nothing else changes.
#
# Exit status: 0 = wstest is installed and works; 1 = it could not be installed
# (the reason is printed); 2 = bad usage.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
VENV=${WSTEST_VENV:-/opt/wsproto-compliance/wstest-venv}
REQUIREMENTS="$HERE/requirements-wstest.txt"
LAUNCHER="$HERE/wstest_local.py"
SUITE_PIN="autobahntestsuite==25.10.1"
WSACCEL_PIN="wsaccel==0.6.6"
VIRTUALENV_PIN="virtualenv==20.21.1"   # newest virtualenv that still creates 2.7 envs
STEP_TIMEOUT=900                      # seconds, bound on each download/build step

FORCE=0
case "${1:-}" in
    "") ;;
    --force) FORCE=1 ;;
    --print-venv) echo "$VENV"; exit 0 ;;
    *) echo "usage: $0 [--force|--print-venv]" >&2; exit 2 ;;
esac

START=$SECONDS
log() { echo "[compliance/install] $*" >&2; }
die() {
    log "ERROR: $*"
    log "wstest is NOT installed."
    exit 1
}
# pip on 2.7 and the machine-wide pip config print harmless noise; keep errors.
quiet_pip_noise() { grep -v -e 'is ignored' -e 'DEPRECATION' -e 'Running pip as' >&2 || true; }

fingerprint() {
    # What the environment is made of.  The launcher is not part of it: it is
    # (re)written on every run, atomically, so that a change to it never wipes a
    # virtualenv that another run may be using.
    { cat "$REQUIREMENTS"; echo "$SUITE_PIN $WSACCEL_PIN $VIRTUALENV_PIN"; } | sha256sum | cut -d' ' -f1
}

install_launcher() {
    { echo "#!$VENV/bin/python"; cat "$LAUNCHER"; } >"$VENV/bin/wstest-local.tmp"
    chmod 755 "$VENV/bin/wstest-local.tmp"
    mv -f "$VENV/bin/wstest-local.tmp" "$VENV/bin/wstest-local"
}

installed_ok() {
    [[ -x "$VENV/bin/python" && -x "$VENV/bin/wstest-local" ]] || return 1
    "$VENV/bin/python" -c 'import sys; compile(open(sys.argv[1]).read(), sys.argv[1], "exec")' \
        "$LAUNCHER" 2>/dev/null || return 1
    "$VENV/bin/python" - <<'EOF' >/dev/null 2>&1 || return 1
import autobahntestsuite.fuzzing, twisted.internet.epollreactor
import wsaccel.utf8validator, wsaccel.xormask
EOF
    "$VENV/bin/wstest" --autobahnversion 2>/dev/null | grep -q "AutobahnTestSuite ${SUITE_PIN#*==}"
}

mkdir -p "$(dirname "$VENV")"
exec 9>"$VENV.lock"
flock -w 1200 9 || die "another install holds $VENV.lock for more than 20 minutes"

if [[ $FORCE == 0 && -f "$VENV/.fingerprint" && "$(cat "$VENV/.fingerprint")" == "$(fingerprint)" ]] \
        && install_launcher && installed_ok; then
    log "wstest already installed in $VENV ($((SECONDS - START)) s)"
    exit 0
fi

# ----------------------------------------------------------------- Python 2.7
is_py27() {
    [[ -n "${1:-}" && -x "$1" ]] &&
        "$1" -c 'import sys, zlib, ssl; assert sys.version_info[:2] == (2, 7)' >/dev/null 2>&1
}

pyenv_py27() {
    local root candidate
    root=$(pyenv root 2>/dev/null || echo "${PYENV_ROOT:-$HOME/.pyenv}")
    for candidate in $(ls -d "$root"/versions/2.7*/bin/python2.7 2>/dev/null | sort -rV); do
        if is_py27 "$candidate"; then echo "$candidate"; return 0; fi
    done
    return 1
}

apt_py27() {
    # Debian bookworm dropped python2.7; bullseye still has it.  Add bullseye
    # with pin priority 100 (below the default 500) so apt only takes from it
    # what the installed release lacks, and install normally (no `-t`, which
    # would raise the whole of bullseye for the transaction).
    [[ ${WSTEST_NO_APT:-0} != 1 ]] || return 1
    [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null || return 1
    grep -qs 'bookworm\|trixie' /etc/os-release || return 1
    log "no Python 2.7 found: installing Debian bullseye's python2.7 (pinned at priority 100)"
    cat >/etc/apt/sources.list.d/wsproto-compliance-bullseye.list <<'EOF'
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bullseye main
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bullseye-updates main
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian-security bullseye-security main
EOF
    cat >/etc/apt/preferences.d/wsproto-compliance-bullseye <<'EOF'
Package: *
Pin: release n=bullseye
Pin-Priority: 100

Package: *
Pin: release n=bullseye-updates
Pin-Priority: 100

Package: *
Pin: release n=bullseye-security
Pin-Priority: 100
EOF
    timeout "$STEP_TIMEOUT" apt-get update -qq || return 1
    DEBIAN_FRONTEND=noninteractive timeout "$STEP_TIMEOUT" \
        apt-get install -y -qq --no-install-recommends python2.7 python2.7-dev >/dev/null || return 1
    is_py27 /usr/bin/python2.7 && echo /usr/bin/python2.7
}

PY27=""
if [[ -n "${PYTHON27:-}" ]]; then
    is_py27 "$PYTHON27" || die "PYTHON27=$PYTHON27 is not a working Python 2.7"
    PY27=$PYTHON27
elif PY27=$(pyenv_py27); then :
elif is_py27 /usr/bin/python2.7; then PY27=/usr/bin/python2.7
elif PY27=$(apt_py27); then :
else
    die "no Python 2.7 interpreter (looked at \$PYTHON27, pyenv versions/2.7.*, /usr/bin/python2.7, apt)"
fi
log "Python 2.7: $PY27"

# ----------------------------------------------------------------- virtualenv
PY3=$(command -v python3) || die "python3 is needed to run virtualenv"
WORK=$(mktemp -d /tmp/wsproto-compliance-install.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

log "fetching $VIRTUALENV_PIN into a scratch directory"
timeout "$STEP_TIMEOUT" "$PY3" -m pip install --quiet --no-warn-script-location \
    --target "$WORK/venv-tool" "$VIRTUALENV_PIN" 2> >(quiet_pip_noise) \
    || die "could not install $VIRTUALENV_PIN"

rm -rf "$VENV"
log "creating $VENV"
PYTHONPATH="$WORK/venv-tool" timeout "$STEP_TIMEOUT" "$PY3" -m virtualenv --quiet \
    --no-periodic-update --app-data "$WORK/app-data" --python "$PY27" "$VENV" \
    || die "virtualenv could not create a Python 2.7 environment"

# ----------------------------------------------------------------- packages
pip27() {
    timeout "$STEP_TIMEOUT" "$VENV/bin/python" -m pip --disable-pip-version-check \
        --no-python-version-warning install --quiet --no-cache-dir "$@" 2> >(quiet_pip_noise)
}
log "installing the pinned dependencies"
pip27 -r "$REQUIREMENTS" || die "pip could not install $REQUIREMENTS"
log "installing $SUITE_PIN"
pip27 --no-deps "$SUITE_PIN" || die "pip could not install $SUITE_PIN"
# The sdist ships generated C, so no Cython (and no build isolation) is needed;
# it does need gcc and the Python 2.7 headers.
log "building $WSACCEL_PIN (C speedups for masking and UTF-8 validation)"
pip27 --no-build-isolation "$WSACCEL_PIN" \
    || die "could not build $WSACCEL_PIN (needs gcc and Python 2.7 headers)"

install_launcher

installed_ok || die "the new environment does not pass its self-check"
fingerprint >"$VENV/.fingerprint"
log "installed $("$VENV/bin/wstest" --autobahnversion 2>/dev/null | tr '\n' ' ')in $VENV ($((SECONDS - START)) s)"
