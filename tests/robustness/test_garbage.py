"""Hostile input: arbitrary bytes and mutated valid streams, in either role, before and after the
handshake. The only outcomes allowed are events, RemoteProtocolError (during the handshake) and a
CloseConnection with a valid code (after it). Nothing hangs."""

from __future__ import annotations

from typing import List, Optional, Tuple

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wsproto import ConnectionType, WSConnection
from wsproto.connection import ConnectionState
from wsproto.events import AcceptConnection, CloseConnection, Event, Request
from wsproto.utilities import RemoteProtocolError

from ._support import (
    SETUPS,
    ExtFactory,
    check_event,
    op_sequences,
    open_pair,
    robust_settings,
    send_ops,
    setup_factory,
    split_points,
)

# -- mutations -----------------------------------------------------------------------------------


@st.composite
def mutated(draw: st.DrawFn, data: bytes) -> bytes:
    """Apply 1-4 mutations: bit flips, truncation, insertion, deletion, length tampering."""
    buf = bytearray(data)
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["flip", "truncate", "insert", "delete", "length", "byte"]))
        if not buf and kind != "insert":
            kind = "insert"
        if kind == "flip":
            i = draw(st.integers(0, len(buf) - 1))
            buf[i] ^= 1 << draw(st.integers(0, 7))
        elif kind == "truncate":
            del buf[draw(st.integers(0, len(buf) - 1)) :]
        elif kind == "insert":
            i = draw(st.integers(0, len(buf)))
            buf[i:i] = draw(st.binary(min_size=1, max_size=16))
        elif kind == "delete":
            i = draw(st.integers(0, len(buf) - 1))
            del buf[i : i + draw(st.integers(1, 8))]
        elif kind == "byte":
            buf[draw(st.integers(0, len(buf) - 1))] = draw(st.integers(0, 255))
        else:
            # Tamper with a plausible length field: the second byte of some frame header.
            i = draw(st.integers(0, len(buf) - 1))
            buf[i] = (buf[i] & 0x80) | draw(st.sampled_from([0, 1, 125, 126, 127]))
            if draw(st.booleans()):
                buf[i + 1 : i + 1] = draw(st.binary(min_size=2, max_size=8))
    return bytes(buf)


# -- drivers -------------------------------------------------------------------------------------


def feed_connection(conn: WSConnection, data: bytes, cuts: List[int]) -> List[Event]:
    """Feed an open connection hostile bytes; assert the outcome rules; return the events."""
    events: List[Event] = []
    start = 0
    for cut in [*sorted(set(c for c in cuts if 0 < c < len(data))), len(data)]:
        conn.receive_data(data[start:cut])
        start = cut
        for event in conn.events():
            check_event(event)
            events.append(event)
            assert len(events) < 1_000_000, "events() did not stop"
    closes = [e for e in events if isinstance(e, CloseConnection)]
    assert len(closes) <= 1, closes
    if closes:
        assert events[-1] is closes[0], "events after a CloseConnection"
        assert conn.state in (ConnectionState.REMOTE_CLOSING, ConnectionState.CLOSED)
        if conn.state is ConnectionState.REMOTE_CLOSING:
            conn.send(
                CloseConnection(code=closes[0].code if closes[0].code not in (1005, 1006) else 1000)
            )
            assert conn.state is ConnectionState.CLOSED
    # End of stream is always accepted afterwards.
    conn.receive_data(None)
    for event in conn.events():
        check_event(event)
    assert conn.state is ConnectionState.CLOSED
    return events


def feed_handshake(conn: WSConnection, data: bytes, cuts: List[int]) -> Optional[str]:
    """Feed a handshake hostile bytes: events or RemoteProtocolError only. Return the outcome."""
    start = 0
    try:
        for cut in [*sorted(set(c for c in cuts if 0 < c < len(data))), len(data)]:
            conn.receive_data(data[start:cut])
            start = cut
            for count, event in enumerate(conn.events()):
                check_event(event)
                assert count < 100_000
    except RemoteProtocolError as exc:
        assert exc.event_hint is None or isinstance(exc.event_hint, Event)
        return "remote-error"
    return None


def valid_stream(factory: ExtFactory, ops: list, to_client: bool) -> Tuple[WSConnection, bytes]:
    """An open receiver and a valid frame stream for it."""
    client, server = open_pair(factory)
    sender, receiver = (server, client) if to_client else (client, server)
    wire, _ = send_ops(sender, ops)
    return receiver, wire


# -- after the handshake -------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["client", "server"])
@robust_settings()
@given(data=st.binary(max_size=600), cuts=st.lists(st.integers(1, 599), max_size=8))
def test_arbitrary_bytes_after_handshake(role: str, data: bytes, cuts: List[int]) -> None:
    client, server = open_pair()
    feed_connection(client if role == "client" else server, data, cuts)


@pytest.mark.parametrize("setup", SETUPS)
@pytest.mark.parametrize("role", ["client", "server"])
@robust_settings()
@given(data=st.data())
def test_mutated_streams_after_handshake(setup: str, role: str, data: st.DataObject) -> None:
    factory = setup_factory(setup)
    ops = data.draw(op_sequences(max_size=6), label="ops")
    receiver, wire = valid_stream(factory, ops, to_client=role == "client")
    hostile = data.draw(mutated(wire), label="mutated")
    feed_connection(receiver, hostile, data.draw(split_points(len(hostile)), label="cuts"))


@pytest.mark.parametrize("role", ["client", "server"])
@robust_settings()
@given(data=st.data())
def test_wrong_masking_direction(role: str, data: st.DataObject) -> None:
    """Frames masked the wrong way (a client's frames fed to a client) fail with 1002."""
    client, server = open_pair()
    ops = data.draw(op_sequences(max_size=3).filter(bool))
    # Frames a client sends are masked; fed to another client they are invalid, and vice versa.
    sender = client if role == "client" else server
    receiver, _ = open_pair()
    receiver = receiver if role == "client" else open_pair()[1]
    wire, _ = send_ops(sender, ops)
    events = feed_connection(receiver, wire, [])
    assert isinstance(events[0], CloseConnection) and events[0].code == 1002


# -- before the handshake ------------------------------------------------------------------------


def _client_waiting() -> Tuple[WSConnection, bytes]:
    """A client that sent its request, and a valid server response to it."""
    client = WSConnection(ConnectionType.CLIENT)
    server = WSConnection(ConnectionType.SERVER)
    server.receive_data(client.send(Request(host="localhost", target="/", subprotocols=["a"])))
    next(server.events())
    return client, server.send(AcceptConnection(subprotocol="a"))


REQUEST = (
    b"GET /path?q=1 HTTP/1.1\r\n"
    b"Host: localhost\r\n"
    b"Upgrade: websocket\r\n"
    b"Connection: keep-alive, Upgrade\r\n"
    b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    b"Sec-WebSocket-Version: 13\r\n"
    b"Sec-WebSocket-Protocol: chat, superchat\r\n"
    b'Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits, x-foo; a="b"\r\n'
    b"\r\n"
)


def _request_bytes() -> bytes:
    return REQUEST


@robust_settings()
@given(data=st.binary(max_size=400), cuts=st.lists(st.integers(1, 399), max_size=6))
def test_arbitrary_bytes_to_server_handshake(data: bytes, cuts: List[int]) -> None:
    feed_handshake(WSConnection(ConnectionType.SERVER), data, cuts)


@robust_settings()
@given(data=st.binary(max_size=400), cuts=st.lists(st.integers(1, 399), max_size=6))
def test_arbitrary_bytes_to_client_handshake(data: bytes, cuts: List[int]) -> None:
    client, _ = _client_waiting()
    feed_handshake(client, data, cuts)


@robust_settings()
@given(data=st.data())
def test_mutated_request(data: st.DataObject) -> None:
    request = _request_bytes()
    hostile = data.draw(mutated(request))
    server = WSConnection(ConnectionType.SERVER)
    if feed_handshake(server, hostile, data.draw(split_points(len(hostile)))) is None:
        # Whatever got through can still be answered (accepted or rejected) without a crash.
        assert server.state in (ConnectionState.CONNECTING,)


@robust_settings()
@given(data=st.data(), frames=op_sequences(max_size=3))
def test_mutated_response_and_frames(data: st.DataObject, frames: list) -> None:
    client, response = _client_waiting()
    hostile = data.draw(mutated(response + b"\x81\x05hello\x89\x00"))
    if feed_handshake(client, hostile, data.draw(split_points(len(hostile)))) is None:
        assert client.state in (
            ConnectionState.CONNECTING,
            ConnectionState.OPEN,
            ConnectionState.REMOTE_CLOSING,
            ConnectionState.REJECTING,
            ConnectionState.CLOSED,
        )
    del frames


@robust_settings()
@given(data=st.binary(max_size=300))
def test_eof_anywhere_in_handshake(data: bytes) -> None:
    """End of stream in the middle of a request: RemoteProtocolError or a quiet stop, no crash."""
    server = WSConnection(ConnectionType.SERVER)
    feed_handshake(server, _request_bytes()[: len(data)], [])
    try:
        server.receive_data(None)
        list(server.events())
    except RemoteProtocolError:
        pass
