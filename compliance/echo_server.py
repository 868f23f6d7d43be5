"""WebSocket echo server on wsproto, the subject of `wstest -m fuzzingclient`.

    python compliance/echo_server.py --port 0 --port-file PORTFILE [--no-deflate]

Listens on loopback only, one thread per connection.  Accepts every handshake
(with permessage-deflate, or whatever extension plugins are installed, unless
--no-deflate), echoes each whole message back as the same kind, answers pings,
completes the closing handshake and then closes TCP first, as the server should
(RFC 6455 7.1.1).  Exits by itself after --lifetime seconds.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
import threading
import time
import traceback

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
from wsproto.events import AcceptConnection, CloseConnection, Request
from wsproto.utilities import LocalProtocolError, RemoteProtocolError

IDLE_TIMEOUT = 120.0  # s without a byte from the peer before a connection is dropped
DRAIN_TIMEOUT = 2.0  # s to wait for the client's FIN after ours


def log(message: str) -> None:
    """One line on stdout, flushed (the runner keeps it as subject.log)."""
    print(f"[echo-server] {message}", flush=True)


def drain_and_close(sock: socket.socket) -> None:
    """Send our FIN, read and drop whatever comes until the peer's FIN, then close.

    Closing with unread data in the receive buffer would send a RST instead.
    """
    try:
        sock.shutdown(socket.SHUT_WR)
        deadline = time.monotonic() + DRAIN_TIMEOUT
        while (left := deadline - time.monotonic()) > 0:
            sock.settimeout(left)
            if not sock.recv(READ_SIZE):
                break
    except OSError:
        pass
    finally:
        sock.close()


def handshake(sock: socket.socket, echo: Echo, deflate: bool) -> bytes | None:
    """Read until the client's Request and accept it; None if the peer went away."""
    ws = echo.ws
    while True:
        data = sock.recv(READ_SIZE)
        ws.receive_data(data or None)
        for event in ws.events():
            if isinstance(event, Request):
                accept = AcceptConnection(extensions=make_extensions(deflate))
                # Frames that followed the request in the same read stay buffered
                # in wsproto and come out of the next events() call.
                return ws.send(accept) + echo.pending()
            if isinstance(event, CloseConnection):
                return None
        if not data:
            return None


def serve(sock: socket.socket, deflate: bool) -> None:
    """Run one connection from handshake to close."""
    echo = Echo(make_connection(ConnectionType.SERVER))
    try:
        tune_socket(sock, IDLE_TIMEOUT)
        answer = handshake(sock, echo, deflate)
        if answer is not None:
            sock.sendall(answer)
        while answer is not None and not echo.closed:
            data = sock.recv(READ_SIZE)
            answer = echo.feed(data or None)
            sock.sendall(answer)
    except (OSError, LocalProtocolError, RemoteProtocolError) as exc:
        log(f"connection dropped: {exc!r}")
    except Exception:  # a bug under test: log it, and never leave the peer hanging
        log("unexpected error, closing the connection:\n" + traceback.format_exc())
    drain_and_close(sock)


def main(argv: list[str] | None = None) -> int:
    """Parse options, listen, and serve until the lifetime is over."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to listen on")
    parser.add_argument("--port", type=int, default=9001, help="0 picks a free port")
    parser.add_argument("--port-file", help="write the port here once listening")
    parser.add_argument("--no-deflate", action="store_true", help="accept no extension")
    parser.add_argument("--lifetime", type=float, default=3600.0, help="exit after SEC seconds")
    args = parser.parse_args(argv)
    if not is_loopback(args.host):
        parser.error(f"refusing to listen on non-loopback host {args.host!r}")

    family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((args.host, args.port))
    listener.listen(64)
    listener.settimeout(1.0)
    port = listener.getsockname()[1]
    names = [ext.name for ext in make_extensions(not args.no_deflate)]
    log(f"{describe_wsproto()}; extensions {names or 'none'}")
    log(f"listening on {args.host}:{port} for at most {args.lifetime:.0f} s")
    if args.port_file:
        with open(args.port_file + ".tmp", "w") as fh:
            fh.write(f"{port}\n")
        os.replace(args.port_file + ".tmp", args.port_file)

    deadline = time.monotonic() + args.lifetime
    while time.monotonic() < deadline:
        try:
            conn, _ = listener.accept()
        except socket.timeout:
            continue
        threading.Thread(target=serve, args=(conn, not args.no_deflate), daemon=True).start()
    log("lifetime over, exiting")
    listener.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
