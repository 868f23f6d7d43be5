"""pytest plugin the harness loads into every consumer suite (``-p compat_pytest``).

Two jobs:

* Keep the suites on this machine: ``example.com`` (which simple-websocket's client tests
  resolve before handing the connection to a mocked socket) resolves to 127.0.0.1.
* Record the outcome of every test id, with a one-line reason for failures, as JSON lines
  appended to the file named by ``COMPAT_RESULTS`` (``{"id", "outcome", "reason"}``; a test
  may have several lines, e.g. a passing call and a failing teardown: the harness keeps the
  worst). A test with no line never finished.
"""

from __future__ import annotations

import json
import os
import socket
from typing import Any

import pytest

LOCAL_NAMES = frozenset({"example.com", "www.example.com"})

_real_getaddrinfo = socket.getaddrinfo


def _loopback_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    """``socket.getaddrinfo`` that answers 127.0.0.1 for the names in LOCAL_NAMES."""
    name = host.decode("ascii", "replace") if isinstance(host, bytes) else host
    if isinstance(name, str) and name.lower().rstrip(".") in LOCAL_NAMES:
        host = "127.0.0.1"
    return _real_getaddrinfo(host, *args, **kwargs)


def _reason(report: Any) -> str:
    """One line saying why: the crash message, else the last ``E`` line, else the first line."""
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:  # a skip: (path, line, message)
        return str(longrepr[2])[:300]
    crash = getattr(longrepr, "reprcrash", None)
    if crash is not None:
        lines = [line.strip() for line in crash.message.splitlines() if line.strip()]
    else:
        text = [line for line in str(longrepr or "").splitlines() if line.strip()]
        errors = [line[1:].strip() for line in text if line.startswith("E ")]
        lines = errors[-1:] or [line.strip() for line in text]
    return (lines[0] if lines else "")[:300]


def _record(nodeid: str, outcome: str, reason: str) -> None:
    """Append one line; the file survives a suite killed on timeout, unlike a summary at exit."""
    path = os.environ.get("COMPAT_RESULTS")
    if not path:
        return
    line = json.dumps({"id": nodeid, "outcome": outcome, "reason": reason})
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(line + "\n")


def pytest_configure(config: pytest.Config) -> None:
    socket.getaddrinfo = _loopback_getaddrinfo


def pytest_unconfigure(config: pytest.Config) -> None:
    socket.getaddrinfo = _real_getaddrinfo


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """One line per phase that decides something; a passing setup or teardown decides nothing."""
    if hasattr(report, "wasxfail"):
        outcome = "xfailed" if report.skipped else "xpassed"
        if report.failed:  # a strict xpass
            outcome = "failed"
    elif report.passed:
        if report.when != "call":
            return
        outcome = "passed"
    elif report.skipped:
        outcome = "skipped"
    else:
        outcome = "failed" if report.when == "call" else "error"
    _record(report.nodeid, outcome, "" if outcome == "passed" else _reason(report))


def pytest_collectreport(report: pytest.CollectReport) -> None:
    if report.failed:
        _record(report.nodeid or "<collection>", "error", "collection: " + _reason(report))
