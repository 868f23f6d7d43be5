"""The interactive client's session logic, in process (the CLI tests run it as a subprocess)."""

from __future__ import annotations

import socket
from contextlib import contextmanager
from typing import Iterator, List, NamedTuple

from wsproto import WSConnection
from wsproto._cli.client import _Session
from wsproto._cli.handshake_io import ClientHandshake
from wsproto.connection import ConnectionState
from wsproto.events import (
    AcceptConnection,
    BytesMessage,
    CloseConnection,
    Event,
    Ping,
    Pong,
    TextMessage,
)

from ._helpers import open_pair


class _Setup(NamedTuple):
    client: WSConnection
    server: WSConnection
    session: _Session
    theirs: socket.socket  # the server's end of the session's socket
    lines: List[str]  # what the session printed


@contextmanager
def _session() -> Iterator[_Setup]:
    """A client session on one end of a socket pair, with an open in-memory server."""
    client, server = open_pair()
    ours, theirs = socket.socketpair()
    lines: List[str] = []
    with ours, theirs:
        handshake = ClientHandshake(client, b"", b"", AcceptConnection())
        yield _Setup(client, server, _Session(ours, handshake, lines.append, None), theirs, lines)


def _drain(sock: socket.socket, server: WSConnection) -> List[Event]:
    sock.settimeout(0.2)
    events: List[Event] = []
    while True:
        try:
            data = sock.recv(65536)
        except socket.timeout:
            return events
        if not data:
            return events
        server.receive_data(data)
        events.extend(server.events())


def test_client_session_commands_and_events() -> None:
    with _session() as (client, server, session, theirs, lines):
        session.command("hello")
        session.command("/ping")
        session.command("/ping abc")
        session.command("/help")
        session.command("/close nope")
        session.command("/close 1006")  # reserved: refused locally, reported
        session.handle(TextMessage(data="part", message_finished=False))
        session.handle(BytesMessage(data=b"\x01\x02"))
        session.handle(Ping(b"q"))  # answered with a pong
        session.handle(Pong(b"r"))
        got = _drain(theirs, server)
        assert [type(e) for e in got] == [TextMessage, Ping, Ping, Pong]
        assert got[0].data == "hello" and got[2].payload == b"abc"  # type: ignore[attr-defined]
        session.command("/close 4000 bye now")
        assert session.close_deadline is not None
        got = _drain(theirs, server)
        assert got == [CloseConnection(code=4000, reason="bye now")]
        # The server answers; the session sees the close and is done.
        client.receive_data(server.send(CloseConnection(code=4000, reason="bye now")))
        for event in client.events():
            session.handle(event)
        assert client.state is ConnectionState.CLOSED and session.close_code == 4000
    text = "\n".join(lines)
    assert "> ping b'wsproto'" in text and "not a close code" in text
    assert "close code 1006 cannot be sent" in text and "< part [...]" in text
    assert "< binary 2 bytes: 0102" in text and "answered with a pong" in text
    assert "< pong b'r'" in text and "< close 4000 'bye now'" in text


def test_client_session_answers_a_server_close() -> None:
    with _session() as (client, server, session, theirs, _lines):
        client.receive_data(server.send(CloseConnection(code=1001)))
        for event in client.events():
            session.handle(event)
        assert client.state is ConnectionState.CLOSED
        assert _drain(theirs, server) == [CloseConnection(code=1001, reason="")]
        session.close()  # nothing more to send
        assert _drain(theirs, server) == []
