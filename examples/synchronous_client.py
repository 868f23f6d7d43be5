"""A blocking WebSocket client built on wsproto and the standard socket module.

It follows the "Getting started" flow: connect, send the upgrade request, wait
for the server's answer, exchange a message and a ping, then close.

    python examples/synchronous_client.py [HOST [PORT]]    (default 127.0.0.1 8765)

Try it against ``examples/synchronous_server.py`` or ``python -m wsproto echo-server``.
"""

from __future__ import annotations

import socket
import sys

from wsproto import ConnectionType, WSConnection
from wsproto.events import (
    AcceptConnection,
    CloseConnection,
    Message,
    Ping,
    Pong,
    RejectConnection,
    Request,
    TextMessage,
)

RECEIVE_BYTES = 4096
TIMEOUT = 10.0  # seconds: every blocking socket call gives up after this


def net_send(sock: socket.socket, data: bytes) -> None:
    """Network glue: write the bytes wsproto produced."""
    sock.sendall(data)


def net_recv(ws: WSConnection, sock: socket.socket) -> None:
    """Network glue: feed what the socket received to wsproto (None at end of stream)."""
    data = sock.recv(RECEIVE_BYTES)
    ws.receive_data(data or None)


def wait_for(ws: WSConnection, sock: socket.socket, kinds: tuple[type, ...]) -> object:
    """Read until an event of one of ``kinds`` arrives, answering pings on the way."""
    while True:
        for event in ws.events():
            if isinstance(event, Ping):
                net_send(sock, ws.send(event.response()))
            elif isinstance(event, kinds):
                return event
            else:
                print(f"client: ignoring {event!r}")
        net_recv(ws, sock)


def main(host: str, port: int) -> int:
    ws = WSConnection(ConnectionType.CLIENT)
    with socket.create_connection((host, port), timeout=TIMEOUT) as sock:
        # 1. The opening handshake.
        net_send(sock, ws.send(Request(host=f"{host}:{port}", target="/")))
        answer = wait_for(ws, sock, (AcceptConnection, RejectConnection))
        if isinstance(answer, RejectConnection):
            print(f"client: the server rejected the connection ({answer.status_code})")
            return 1
        print("client: connection established")

        # 2. A text message; the echo comes back as one or more Message events.
        net_send(sock, ws.send(TextMessage(data="wsproto says hello")))
        parts = []
        while True:
            event = wait_for(ws, sock, (Message, CloseConnection))
            if isinstance(event, CloseConnection):
                print(f"client: the server closed early ({event.code})")
                return 1
            assert isinstance(event, Message)
            parts.append(event.data)
            if event.message_finished:
                break
        print(f"client: received {''.join(parts)!r}")

        # 3. A ping; the peer must answer with a pong carrying the same payload.
        net_send(sock, ws.send(Ping(payload=b"ping-1")))
        pong = wait_for(ws, sock, (Pong,))
        assert isinstance(pong, Pong)
        print(f"client: received pong {bytes(pong.payload)!r}")

        # 4. The closing handshake: send a close, wait for the server's close.
        net_send(sock, ws.send(CloseConnection(code=1000, reason="done")))
        closing = wait_for(ws, sock, (CloseConnection,))
        assert isinstance(closing, CloseConnection)
        print(f"client: closed with code {closing.code} (state {ws.state.name})")
        # The server tears down TCP; wait for its end of stream, then close ours.
        while sock.recv(RECEIVE_BYTES):
            pass
    return 0


if __name__ == "__main__":
    args = sys.argv[1:]
    sys.exit(main(args[0] if args else "127.0.0.1", int(args[1]) if len(args) > 1 else 8765))
