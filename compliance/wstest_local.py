"""wstest, restricted to the loopback interface (Python 2.7: runs in wstest's venv).

install.sh copies this file to <venv>/bin/wstest-local.  It takes exactly the
command line of `wstest`, with two changes for the fuzzingserver mode:

* the WebSocket listener binds 127.0.0.1 (wstest itself binds every interface);
* the embedded web UI (`--webport`, default 8080) is never started.

fuzzingclient only connects out, to the URL given in the spec (the runner only
ever writes 127.0.0.1 URLs there).
"""

import sys

from autobahntestsuite import fuzzing, wstest

LOOPBACK = "127.0.0.1"

_listen_ws = fuzzing.listenWS
_start_server = fuzzing.startServer


def listen_ws_on_loopback(factory, contextFactory=None, backlog=50, interface=""):
    """Same as autobahn's listenWS, but on 127.0.0.1 whatever was asked."""
    return _listen_ws(factory, contextFactory, backlog, LOOPBACK)


def start_server_without_web_ui(spec, webport, *args, **kwargs):
    """Same as fuzzing.startServer, with the web UI turned off."""
    return _start_server(spec, 0, *args, **kwargs)


fuzzing.listenWS = listen_ws_on_loopback
fuzzing.startServer = start_server_without_web_ui

if __name__ == "__main__":
    sys.argv[0] = "wstest"
    sys.exit(wstest.run())
