"""wstest for this harness (Python 2.7: runs in wstest's own virtualenv).

install.sh copies this file to <venv>/bin/wstest-local.  It takes exactly the
command line of `wstest`, with three changes:

* fuzzingserver's WebSocket listener binds 127.0.0.1 (wstest binds every
  interface), and its web UI (`--webport`, default 8080) is never started;
* when wstest is stopped (SIGTERM/SIGINT) before it wrote any report, it writes
  the reports of the cases that did run, so that a run cut short by a timeout
  still tells what passed and what failed.

fuzzingclient only connects out, to the URLs of the spec (the runner only ever
writes 127.0.0.1 URLs there).
"""

import sys

# isort: off
from autobahntestsuite import wstest  # first: it picks the Twisted reactor
from autobahntestsuite import fuzzing
from twisted.internet import reactor

# isort: on

LOOPBACK = "127.0.0.1"

_listen_ws = fuzzing.listenWS
_start_server = fuzzing.startServer
_factory_init = fuzzing.FuzzingFactory.__init__
_create_reports = fuzzing.FuzzingFactory.createReports
_factories = []


def listen_ws_on_loopback(factory, contextFactory=None, backlog=50, interface=""):
    """Same as autobahn's listenWS, but on 127.0.0.1 whatever was asked."""
    return _listen_ws(factory, contextFactory, backlog, LOOPBACK)


def start_server_without_web_ui(spec, webport, *args, **kwargs):
    """Same as fuzzing.startServer, with the web UI turned off."""
    return _start_server(spec, 0, *args, **kwargs)


def remember_factory(self, *args, **kwargs):
    """FuzzingFactory.__init__, keeping the factory for write_partial_reports."""
    _factory_init(self, *args, **kwargs)
    self.reports_written = False
    _factories.append(self)


def create_reports(self, *args, **kwargs):
    """FuzzingFactory.createReports, noting that reports exist."""
    self.reports_written = True
    return _create_reports(self, *args, **kwargs)


def write_partial_reports():
    """On shutdown: reports for the cases run so far, unless wstest wrote them."""
    for factory in _factories:
        if not factory.reports_written and factory.agents:
            done = sum(len(cases) for cases in factory.agents.values())
            print("wstest-local: stopped early, writing reports for " + str(done) + " case(s)")
            create_reports(factory)


fuzzing.listenWS = listen_ws_on_loopback
fuzzing.startServer = start_server_without_web_ui
fuzzing.FuzzingFactory.__init__ = remember_factory
fuzzing.FuzzingFactory.createReports = create_reports
reactor.addSystemEventTrigger("before", "shutdown", write_partial_reports)

if __name__ == "__main__":
    sys.argv[0] = "wstest"
    sys.exit(wstest.run())
