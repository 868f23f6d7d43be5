"""A blocking WebSocket echo server built on wsproto and the standard socket module.

It serves one connection at a time: it accepts every upgrade request, echoes
each message, answers pings, and tears the TCP connection down once the
closing handshake is done (RFC 6455 section 7.1.1: the server closes first).

    python examples/synchronous_server.py [HOST [PORT]]    (default 127.0.0.1 8765; 0 = any)

Ctrl-C stops it.
"""

from __future__ import annotations

import socket
import sys

from wsproto import ConnectionType, WSConnection
from wsproto.connection import ConnectionState
from wsproto.events import (
    AcceptConnection,
    BytesMessage,
    CloseConnection,
    Ping,
    Request,
    TextMessage,
)
from wsproto.utilities import RemoteProtocolError

RECEIVE_BYTES = 4096
TIMEOUT = 30.0  # seconds a client may stay silent
MAX_MESSAGE_SIZE = 1024 * 1024  # refuse larger messages with close code 1009


def handle_connection(sock: socket.socket) -> None:
    """Serve one client until the connection closes."""
    ws = WSConnection(ConnectionType.SERVER, max_message_size=MAX_MESSAGE_SIZE)
    while True:
        data = sock.recv(RECEIVE_BYTES)
        try:
            ws.receive_data(data or None)
        except RemoteProtocolError as exc:
            # A broken handshake: answer with the HTTP error wsproto suggests.
            print(f"server: bad handshake: {exc}")
            if exc.event_hint is not None:
                sock.sendall(ws.send(exc.event_hint))
            return
        for event in ws.events():
            if isinstance(event, Request):
                print(f"server: accepting a connection to {event.target!r}")
                sock.sendall(ws.send(AcceptConnection()))
            elif isinstance(event, TextMessage):
                print(f"server: echoing text {event.data!r}")
                reply = TextMessage(data=event.data, message_finished=event.message_finished)
                sock.sendall(ws.send(reply))
            elif isinstance(event, BytesMessage):
                print(f"server: echoing {len(event.data)} bytes")
                echo = BytesMessage(data=event.data, message_finished=event.message_finished)
                sock.sendall(ws.send(echo))
            elif isinstance(event, Ping):
                print(f"server: answering ping {bytes(event.payload)!r}")
                sock.sendall(ws.send(event.response()))
            elif isinstance(event, CloseConnection):
                print(f"server: close received (code {event.code}, reason {event.reason!r})")
                if ws.state is ConnectionState.REMOTE_CLOSING:
                    sock.sendall(ws.send(event.response()))
                return  # the caller closes the socket
        if not data:
            return


def serve(host: str, port: int) -> None:
    with socket.create_server((host, port)) as listener:
        bound_host, bound_port = listener.getsockname()[:2]
        print(f"server: listening on {bound_host}:{bound_port}", flush=True)
        while True:
            sock, address = listener.accept()
            print(f"server: connection from {address[0]}:{address[1]}", flush=True)
            with sock:
                sock.settimeout(TIMEOUT)
                try:
                    handle_connection(sock)
                except OSError as exc:
                    print(f"server: connection error: {exc}")
                try:
                    sock.shutdown(socket.SHUT_WR)
                except OSError:
                    pass
            sys.stdout.flush()


if __name__ == "__main__":
    args = sys.argv[1:]
    try:
        serve(args[0] if args else "127.0.0.1", int(args[1]) if len(args) > 1 else 8765)
    except KeyboardInterrupt:
        pass
