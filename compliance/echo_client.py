"""WebSocket echo client on wsproto, the subject of `wstest -m fuzzingserver`.

    python compliance/echo_client.py --port PORT [--agent NAME] [--no-deflate]

Asks the fuzzing server how many cases it has (/getCaseCount), runs each one
(/runCase?case=N&agent=NAME) by echoing every whole message back as the same
kind, answering pings and completing the closing handshake, then asks for the
reports (/updateReports?agent=NAME).  Loopback only; every wait is bounded.
Exit status: 0 when every case ran to its close, 1 otherwise.
"""

from __future__ import annotations

import argparse
import socket
import sys
import time
import traceback
from urllib.parse import quote

from echo_common import (
    READ_SIZE,
    Echo,
    describe_wsproto,
    is_loopback,
    make_connection,
    make_extensions,
    tune_socket,
)

from wsproto import ConnectionType
from wsproto.events import AcceptConnection, RejectConnection, RejectData, Request
from wsproto.utilities import LocalProtocolError, RemoteProtocolError

READ_TIMEOUT = 60.0  # s without a byte from the server before giving up on a case
FIN_TIMEOUT = 5.0  # s to wait for the server to close TCP after the close handshake


class CaseError(Exception):
    """A connection did not get through its handshake or ran out of time."""


def log(message: str) -> None:
    """One line on stdout, flushed (the runner keeps it as subject.log)."""
    print(f"[echo-client] {message}", flush=True)


def wait_for_fin(sock: socket.socket) -> None:
    """The server closes TCP first (RFC 6455 7.1.1): wait for it, bounded, then close."""
    deadline = time.monotonic() + FIN_TIMEOUT
    try:
        while (left := deadline - time.monotonic()) > 0:
            sock.settimeout(left)
            if not sock.recv(READ_SIZE):
                break
    except OSError:
        pass
    finally:
        sock.close()


class Client:
    """Opens one WebSocket connection per call to `run`, to one loopback server."""

    def __init__(self, host: str, port: int, deflate: bool, case_timeout: float) -> None:
        self.host = host
        self.port = port
        self.deflate = deflate
        self.case_timeout = case_timeout

    def run(self, target: str, reply: bool = True) -> Echo:
        """Connect to `target`, echo until the connection closes; return the Echo."""
        deadline = time.monotonic() + self.case_timeout
        echo = Echo(make_connection(ConnectionType.CLIENT), reply=reply)
        sock = socket.create_connection((self.host, self.port), timeout=READ_TIMEOUT)
        try:
            tune_socket(sock, READ_TIMEOUT)
            request = Request(
                host=f"{self.host}:{self.port}",
                target=target,
                extensions=make_extensions(self.deflate),
            )
            sock.sendall(echo.ws.send(request))
            self._handshake(sock, echo, deadline)
            while not echo.closed:
                data = self._recv(sock, deadline)
                answer = echo.feed(data or None)
                if answer:
                    sock.sendall(answer)
        except (OSError, LocalProtocolError, RemoteProtocolError) as exc:
            raise CaseError(f"{target}: {exc!r}") from exc
        finally:
            wait_for_fin(sock)
        return echo

    def _recv(self, sock: socket.socket, deadline: float) -> bytes:
        left = deadline - time.monotonic()
        if left <= 0:
            raise CaseError(f"no close within {self.case_timeout:.0f} s")
        sock.settimeout(min(READ_TIMEOUT, left))
        return sock.recv(READ_SIZE)

    def _handshake(self, sock: socket.socket, echo: Echo, deadline: float) -> None:
        while True:
            data = self._recv(sock, deadline)
            echo.ws.receive_data(data or None)
            for event in echo.ws.events():
                if isinstance(event, AcceptConnection):
                    # Frames that came with the 101 response are still queued.
                    answer = echo.pending()
                    if answer:
                        sock.sendall(answer)
                    return
                if isinstance(event, (RejectConnection, RejectData)):
                    raise CaseError(f"handshake rejected: {event!r}")
            if not data:
                raise CaseError("server closed during the handshake")


def main(argv: list[str] | None = None) -> int:
    """Run every case the fuzzing server offers, then have it write its reports."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--host", default="127.0.0.1", help="loopback address of wstest")
    parser.add_argument("--port", type=int, default=9001)
    parser.add_argument("--agent", default="wsproto", help="name in wstest's report")
    parser.add_argument("--no-deflate", action="store_true", help="offer no extension")
    parser.add_argument("--case-timeout", type=float, default=300.0, help="bound per case (s)")
    args = parser.parse_args(argv)
    if not is_loopback(args.host):
        parser.error(f"refusing to connect to non-loopback host {args.host!r}")

    names = [ext.name for ext in make_extensions(not args.no_deflate)]
    log(f"{describe_wsproto()}; extensions {names or 'none'}")
    client = Client(args.host, args.port, not args.no_deflate, args.case_timeout)
    agent = quote(args.agent, safe="")
    count_echo = client.run("/getCaseCount", reply=False)
    count = int(str(count_echo.messages[0]))
    log(f"{count} cases")

    failures = 0
    start = time.monotonic()
    for case in range(1, count + 1):
        case_start = time.monotonic()
        try:
            echo = client.run(f"/runCase?case={case}&agent={agent}")
            outcome = f"close code {echo.close_code}"
        except CaseError as exc:
            failures += 1
            outcome = f"ERROR {exc}"
        except Exception:  # a bug under test: log it and go on with the next case
            failures += 1
            outcome = "ERROR unexpected:\n" + traceback.format_exc()
        log(f"case {case}/{count}: {outcome} ({time.monotonic() - case_start:.2f} s)")

    client.run(f"/updateReports?agent={agent}", reply=False)
    log(f"{count} cases in {time.monotonic() - start:.1f} s, {failures} did not finish")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
