"""Regression: a server can send the ``event_hint`` of a refused handshake (as upstream allows)."""

from __future__ import annotations

import pytest

from wsproto import ConnectionType, WSConnection
from wsproto.connection import ConnectionState
from wsproto.events import RejectConnection, RejectData
from wsproto.utilities import LocalProtocolError, RemoteProtocolError

BAD_REQUESTS = [
    b"GET / HTTP/1.1\r\nHost: example.com\r\n\r\n",  # valid HTTP, not an upgrade
    b"garbage\r\n\r\n",  # not HTTP at all
    (
        b"GET / HTTP/1.1\r\nHost: example.com\r\nUpgrade: websocket\r\n"
        b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        b"Sec-WebSocket-Version: 8\r\n\r\n"
    ),  # unsupported version: 426
]


@pytest.mark.parametrize("request_bytes", BAD_REQUESTS)
def test_server_sends_event_hint(request_bytes: bytes) -> None:
    ws = WSConnection(ConnectionType.SERVER)
    with pytest.raises(RemoteProtocolError) as info:
        ws.receive_data(request_bytes)
    hint = info.value.event_hint
    assert isinstance(hint, RejectConnection)
    data = ws.send(hint)
    assert data.startswith(f"HTTP/1.1 {hint.status_code} ".encode())
    assert ws.state is ConnectionState.CLOSED
    with pytest.raises(LocalProtocolError):
        ws.send(hint)


def test_server_sends_event_hint_with_body() -> None:
    ws = WSConnection(ConnectionType.SERVER)
    with pytest.raises(RemoteProtocolError):
        ws.receive_data(BAD_REQUESTS[0])
    head = ws.send(
        RejectConnection(status_code=400, has_body=True, headers=[(b"content-length", b"3")])
    )
    assert ws.state is ConnectionState.REJECTING
    body = ws.send(RejectData(b"no\n"))
    assert head.startswith(b"HTTP/1.1 400 ") and body == b"no\n"
    assert ws.state is ConnectionState.CLOSED


def test_client_cannot_send_reject() -> None:
    ws = WSConnection(ConnectionType.CLIENT)
    with pytest.raises(LocalProtocolError):
        ws.send(RejectConnection())
