"""Behaviour of 1.x that consumers depend on, beyond the names (the drop-in issue)."""

from __future__ import annotations

import pytest

from wsproto import ConnectionType, WSConnection
from wsproto.connection import ConnectionState
from wsproto.events import AcceptConnection, RejectConnection, Request
from wsproto.handshake import WEBSOCKET_UPGRADE, WEBSOCKET_VERSION
from wsproto.utilities import (
    RemoteProtocolError,
    generate_accept_token,
    normed_header_dict,
    split_comma_header,
)


def _request_bytes(host: bytes, *extra: bytes) -> bytes:
    lines = [
        b"GET /chat HTTP/1.1",
        b"Host: " + host,
        b"Upgrade: websocket",
        b"Connection: keep-alive, Upgrade",
        b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
        b"Sec-WebSocket-Version: 13",
        *extra,
    ]
    return b"\r\n".join(lines) + b"\r\n\r\n"


def test_split_comma_header_is_a_plain_split_as_in_1x() -> None:
    assert split_comma_header(b"Upgrade, keep-alive") == ["Upgrade", "keep-alive"]
    assert split_comma_header(b" a ,, b") == ["a", "", "b"]
    assert split_comma_header(b"x") == ["x"]
    with pytest.raises(UnicodeDecodeError):
        split_comma_header(b"caf\xc3\xa9")


def test_normed_header_dict_joins_repeated_headers_in_order() -> None:
    headers = [(b"a", b"1"), (b"b", b"2"), (b"a", b"3")]
    assert normed_header_dict(headers) == {b"a": b"1, 3", b"b": b"2"}
    assert normed_header_dict([]) == {}


def test_handshake_constants() -> None:
    assert WEBSOCKET_VERSION == b"13"
    assert WEBSOCKET_UPGRADE == b"websocket"
    # RFC 6455 section 1.3's worked example.
    assert generate_accept_token(b"dGhlIHNhbXBsZSBub25jZQ==") == b"s3pPLMBiTxaQ9kYGzzhZRbK+xOo="


def test_connection_type_values_are_1x_values() -> None:
    assert ConnectionType(1) is ConnectionType.CLIENT
    assert ConnectionType(2) is ConnectionType.SERVER


def test_request_extra_headers_leave_out_host_and_negotiated_headers() -> None:
    server = WSConnection(ConnectionType.SERVER)
    server.receive_data(
        _request_bytes(
            b"example.com:8080",
            b"Sec-WebSocket-Protocol: chat, superchat",
            b"Sec-WebSocket-Extensions: permessage-deflate",
            b"X-Custom: Value",
            b"Origin: http://example.com",
        )
    )
    (request,) = server.events()
    assert isinstance(request, Request)
    assert request.host == "example.com:8080"
    assert request.subprotocols == ["chat", "superchat"]
    assert list(request.extra_headers) == [
        (b"upgrade", b"websocket"),
        (b"connection", b"keep-alive, Upgrade"),
        (b"sec-websocket-key", b"dGhlIHNhbXBsZSBub25jZQ=="),
        (b"sec-websocket-version", b"13"),
        (b"x-custom", b"Value"),
        (b"origin", b"http://example.com"),
    ]


def test_accept_extra_headers_leave_out_the_handshake_headers() -> None:
    client = WSConnection(ConnectionType.CLIENT)
    server = WSConnection(ConnectionType.SERVER)
    server.receive_data(
        client.send(Request(host="h", target="/", subprotocols=["p"], extra_headers=[]))
    )
    list(server.events())
    client.receive_data(
        server.send(AcceptConnection(subprotocol="p", extra_headers=[(b"Set-Cookie", b"a=b")]))
    )
    (accept,) = client.events()
    assert isinstance(accept, AcceptConnection)
    assert accept.subprotocol == "p"
    assert list(accept.extra_headers) == [(b"set-cookie", b"a=b")]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"xn--bcher-kva.example", "bücher.example"),
        (b"xn--bcher-kva.example:8443", "bücher.example:8443"),
        (b"plain.example", "plain.example"),
        (b"Mixed.Case", "Mixed.Case"),
    ],
)
def test_request_host_is_the_decoded_name_as_in_1x(raw: bytes, expected: str) -> None:
    server = WSConnection(ConnectionType.SERVER)
    server.receive_data(_request_bytes(raw))
    (request,) = server.events()
    assert request.host == expected  # type: ignore[attr-defined]


def test_an_undecodable_idna_host_is_refused_with_400() -> None:
    server = WSConnection(ConnectionType.SERVER)
    with pytest.raises(RemoteProtocolError, match="internationalised") as info:
        server.receive_data(_request_bytes(b"xn--zz.example"))
    assert info.value.event_hint == RejectConnection(status_code=400)


def test_a_client_round_trips_an_internationalised_host() -> None:
    client = WSConnection(ConnectionType.CLIENT)
    server = WSConnection(ConnectionType.SERVER)
    data = client.send(Request(host="bücher.example", target="/"))
    assert b"Host: xn--bcher-kva.example\r\n" in data
    server.receive_data(data)
    (request,) = server.events()
    assert request.host == "bücher.example"  # type: ignore[attr-defined]
    assert server.state is ConnectionState.CONNECTING
