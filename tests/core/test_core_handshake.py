"""The HTTP/1.1 opening handshake (RFC 6455 section 4) in both roles."""

from __future__ import annotations

import base64

import h11
import pytest
from core_helpers import frame, handshake_pair

from wsproto import ConnectionState, ConnectionType, WSConnection
from wsproto.events import (
    AcceptConnection,
    RejectConnection,
    RejectData,
    Request,
    TextMessage,
)
from wsproto.handshake import H11Handshake
from wsproto.utilities import LocalProtocolError, RemoteProtocolError, generate_accept_token

KEY = base64.b64encode(b"0123456789abcdef")
GOOD = [
    (b"Host", b"example.com"),
    (b"Upgrade", b"websocket"),
    (b"Connection", b"keep-alive, Upgrade"),
    (b"Sec-WebSocket-Key", KEY),
    (b"Sec-WebSocket-Version", b"13"),
]


def raw_request(headers: list, method: bytes = b"GET", target: bytes = b"/chat") -> bytes:  # type: ignore[type-arg]
    lines = [method + b" " + target + b" HTTP/1.1"] + [k + b": " + v for k, v in headers]
    return b"\r\n".join(lines) + b"\r\n\r\n"


def without(name: bytes) -> list:  # type: ignore[type-arg]
    return [(k, v) for k, v in GOOD if k.lower() != name.lower()]


def test_rfc_accept_token() -> None:
    # RFC 6455 section 1.3's example.
    assert generate_accept_token(b"dGhlIHNhbXBsZSBub25jZQ==") == b"s3pPLMBiTxaQ9kYGzzhZRbK+xOo="


def test_server_receives_request_fields() -> None:
    server = WSConnection(ConnectionType.SERVER)
    headers = GOOD + [
        (b"Sec-WebSocket-Protocol", b"chat, superchat"),
        (b"Sec-WebSocket-Extensions", b'foo; a=1; b="x", bar'),
        (b"Sec-WebSocket-Extensions", b"baz"),
        (b"Origin", b"http://example.com"),
    ]
    server.receive_data(raw_request(headers))
    (request,) = server.events()
    assert isinstance(request, Request)
    assert request.host == "example.com" and request.target == "/chat"
    assert request.subprotocols == ["chat", "superchat"]
    assert request.extensions == ['foo; a=1; b="x"', "bar", "baz"]  # as sent
    assert (b"origin", b"http://example.com") in request.extra_headers


@pytest.mark.parametrize(
    "headers, status",
    [
        (without(b"Upgrade"), 400),
        (without(b"Connection"), 400),
        (without(b"Sec-WebSocket-Key"), 400),
        (without(b"Sec-WebSocket-Version"), 426),
        (without(b"Sec-WebSocket-Version") + [(b"Sec-WebSocket-Version", b"8")], 426),
        (without(b"Sec-WebSocket-Key") + [(b"Sec-WebSocket-Key", b"short")], 400),
        (without(b"Host") + [(b"Host", "bücher".encode())], 400),
        (GOOD + [(b"Sec-WebSocket-Protocol", "ç".encode())], 400),
        (GOOD + [(b"Sec-WebSocket-Extensions", "ü".encode())], 400),
    ],
)
def test_bad_requests_raise_with_hint(headers: list, status: int) -> None:  # type: ignore[type-arg]
    server = WSConnection(ConnectionType.SERVER)
    with pytest.raises(RemoteProtocolError) as info:
        server.receive_data(raw_request(headers))
    hint = info.value.event_hint
    assert isinstance(hint, RejectConnection) and hint.status_code == status
    if status == 426:
        assert (b"Sec-WebSocket-Version", b"13") in hint.headers


def test_bad_method_and_garbage() -> None:
    with pytest.raises(RemoteProtocolError, match="GET"):
        WSConnection(ConnectionType.SERVER).receive_data(raw_request(GOOD, method=b"POST"))
    with pytest.raises(RemoteProtocolError, match="malformed HTTP"):
        WSConnection(ConnectionType.SERVER).receive_data(b"\x00\xff garbage\r\n\r\n")


def test_malformed_extension_offer_is_declined_not_fatal() -> None:
    server = WSConnection(ConnectionType.SERVER)
    server.receive_data(raw_request(GOOD + [(b"Sec-WebSocket-Extensions", b'ok, bad; =1, "x')]))
    (request,) = server.events()
    assert request.extensions == []  # type: ignore[attr-defined]
    server.receive_data(raw_request(GOOD + [(b"Sec-WebSocket-Extensions", b"ok, bad;; p")]))


def test_subprotocol_negotiation() -> None:
    client, server = handshake_pair(
        Request(host="h", target="/", subprotocols=["one", "two"]),
        AcceptConnection(subprotocol="two"),
    )
    assert client.state is ConnectionState.OPEN


def test_server_cannot_pick_unoffered_subprotocol() -> None:
    client = WSConnection(ConnectionType.CLIENT)
    server = WSConnection(ConnectionType.SERVER)
    server.receive_data(client.send(Request(host="h", target="/", subprotocols=["one"])))
    list(server.events())
    with pytest.raises(LocalProtocolError, match="unexpected subprotocol"):
        server.send(AcceptConnection(subprotocol="two"))


def _client_with_response(response: bytes) -> WSConnection:
    client = WSConnection(ConnectionType.CLIENT)
    client.send(Request(host="h", target="/"))
    client.receive_data(response)
    return client


def _key_of(request: bytes) -> bytes:
    """The Sec-WebSocket-Key written in a serialised request."""
    for line in request.split(b"\r\n"):
        name, _, value = line.partition(b": ")
        if name.lower() == b"sec-websocket-key":
            return value
    raise AssertionError(f"no key in {request!r}")


@pytest.mark.parametrize(
    "drop, extra, match",
    [
        (b"upgrade", [], "Upgrade"),
        (b"connection", [], "Connection"),
        (b"sec-websocket-accept", [(b"Sec-WebSocket-Accept", b"wrong")], "Accept"),
        (None, [(b"Sec-WebSocket-Protocol", b"nope")], "subprotocol"),
        (None, [(b"Sec-WebSocket-Extensions", b"unknown-ext")], "not offered"),
        (None, [(b"Sec-WebSocket-Extensions", b"a; =")], "malformed"),
    ],
)
def test_client_validates_response(drop: bytes, extra: list, match: str) -> None:  # type: ignore[type-arg]
    client = WSConnection(ConnectionType.CLIENT)
    request = client.send(Request(host="h", target="/"))
    headers = [
        (b"Upgrade", b"websocket"),
        (b"Connection", b"Upgrade"),
        (b"Sec-WebSocket-Accept", generate_accept_token(_key_of(request))),
    ]
    headers = [(k, v) for k, v in headers if k.lower() != drop] + extra
    response = b"HTTP/1.1 101 Switching Protocols\r\n" + b"".join(
        k + b": " + v + b"\r\n" for k, v in headers
    )
    with pytest.raises(RemoteProtocolError, match=match):
        client.receive_data(response + b"\r\n")


def test_rejection_with_body_both_roles() -> None:
    client = WSConnection(ConnectionType.CLIENT)
    server = WSConnection(ConnectionType.SERVER)
    server.receive_data(client.send(Request(host="h", target="/")))
    list(server.events())
    data = server.send(
        RejectConnection(status_code=403, headers=[(b"content-length", b"9")], has_body=True)
    )
    assert server.state is ConnectionState.REJECTING
    data += server.send(RejectData(b"forbidden"))
    assert server.state is ConnectionState.CLOSED
    client.receive_data(data)
    events = list(client.events())
    assert events[0] == RejectConnection(
        status_code=403, headers=[(b"content-length", b"9")], has_body=True
    )
    assert b"".join(e.data for e in events[1:]) == b"forbidden"  # type: ignore[attr-defined]
    assert events[-1].body_finished  # type: ignore[attr-defined]
    assert client.state is ConnectionState.CLOSED


def test_rejection_without_body() -> None:
    client = WSConnection(ConnectionType.CLIENT)
    server = WSConnection(ConnectionType.SERVER)
    server.receive_data(client.send(Request(host="h", target="/")))
    list(server.events())
    client.receive_data(server.send(RejectConnection(status_code=400)))
    assert server.state is ConnectionState.CLOSED
    events = list(client.events())
    assert events[0].status_code == 400  # type: ignore[attr-defined]
    assert events[-1] == RejectData(b"", body_finished=True)


def test_data_right_after_handshake_reaches_connection() -> None:
    client = WSConnection(ConnectionType.CLIENT)
    server = WSConnection(ConnectionType.SERVER)
    request = client.send(Request(host="h", target="/"))
    early = client.handshake.connection  # still None: the client is not open yet
    assert early is None
    server.receive_data(request + frame(1, b"early"))
    list(server.events())
    response = server.send(AcceptConnection())
    assert list(server.events()) == [TextMessage("early")]
    client.receive_data(response + frame(1, b"hello", mask=None))
    assert list(client.events())[1:] == [TextMessage("hello")]


def test_initiate_upgrade_connection() -> None:
    server = WSConnection(ConnectionType.SERVER)
    server.initiate_upgrade_connection(GOOD, "/path?q=1")
    (request,) = server.events()
    assert request.target == "/path?q=1"  # type: ignore[attr-defined]
    response = server.send(AcceptConnection())
    assert response.startswith(b"HTTP/1.1 101 ")
    assert generate_accept_token(KEY) in response


def test_initiate_upgrade_is_server_only() -> None:
    with pytest.raises(LocalProtocolError):
        H11Handshake(ConnectionType.CLIENT).initiate_upgrade_connection(GOOD, "/")


def test_idna_host_is_encoded() -> None:
    data = WSConnection(ConnectionType.CLIENT).send(Request(host="bücher.example:8080", target="/"))
    assert b"Host: xn--bcher-kva.example:8080\r\n" in data
    with pytest.raises(LocalProtocolError, match="internationalised"):
        WSConnection(ConnectionType.CLIENT).send(Request(host="a..ü", target="/"))


@pytest.mark.parametrize(
    "event, match",
    [
        (AcceptConnection(), "before a Request"),
        (RejectConnection(), "before a Request"),
        (RejectData(b""), "RejectData"),
        (TextMessage("x"), "during the handshake"),
    ],
)
def test_server_misuse_before_request(event: object, match: str) -> None:
    with pytest.raises(LocalProtocolError, match=match):
        WSConnection(ConnectionType.SERVER).send(event)  # type: ignore[arg-type]


def test_second_request_raises() -> None:
    client = WSConnection(ConnectionType.CLIENT)
    client.send(Request(host="h", target="/"))
    with pytest.raises(LocalProtocolError, match="already sent"):
        client.send(Request(host="h", target="/"))


def test_extra_headers_cannot_override_handshake() -> None:
    with pytest.raises(LocalProtocolError, match="written by the handshake"):
        WSConnection(ConnectionType.CLIENT).send(
            Request(host="h", target="/", extra_headers=[(b"Sec-WebSocket-Key", b"x")])
        )


def test_h11_is_happy_with_our_request() -> None:
    data = WSConnection(ConnectionType.CLIENT).send(
        Request(host="h", target="/x", extra_headers=[(b"Cookie", b"a=b")], subprotocols=["p"])
    )
    server = h11.Connection(h11.SERVER)
    server.receive_data(data)
    request = server.next_event()
    assert isinstance(request, h11.Request)
    names = {k for k, _ in request.headers}
    assert {b"host", b"sec-websocket-key", b"sec-websocket-protocol", b"cookie"} <= names


def test_eof_during_handshake() -> None:
    server = WSConnection(ConnectionType.SERVER)
    with pytest.raises(RemoteProtocolError, match="closed"):
        server.receive_data(None)


def test_subprotocol_offered_through_extra_headers_is_accepted() -> None:
    # Upstream 1.x let applications write Sec-WebSocket-Protocol themselves.
    client = WSConnection(ConnectionType.CLIENT)
    server = WSConnection(ConnectionType.SERVER)
    request = Request(host="h", target="/", extra_headers=[(b"Sec-WebSocket-Protocol", b"chat")])
    server.receive_data(client.send(request))
    (received,) = server.events()
    assert received.subprotocols == ["chat"]  # type: ignore[attr-defined]
    client.receive_data(server.send(AcceptConnection(subprotocol="chat")))
    (accept,) = client.events()
    assert accept.subprotocol == "chat"  # type: ignore[attr-defined]


def test_client_eof_before_response_is_a_clear_error() -> None:
    client = WSConnection(ConnectionType.CLIENT)
    client.send(Request(host="h", target="/"))
    client.receive_data(b"HTTP/1.1 101 Swi")
    with pytest.raises(RemoteProtocolError, match="closed the connection during the handshake"):
        client.receive_data(None)


def test_accept_response_is_valid_http_and_checks_extra_headers() -> None:
    client = WSConnection(ConnectionType.CLIENT)
    server = WSConnection(ConnectionType.SERVER)
    server.receive_data(client.send(Request(host="h", target="/")))
    list(server.events())
    with pytest.raises(LocalProtocolError, match="invalid extra header"):
        server.send(AcceptConnection(extra_headers=[(b"X-Evil", b"a\r\nInjected: 1")]))
    data = server.send(AcceptConnection(extra_headers=[(b"X-Ok", b"a b"), ("X-Str", "v")]))
    parser = h11.Connection(h11.CLIENT)
    upgrade = [("Host", "h"), ("Connection", "Upgrade"), ("Upgrade", "websocket")]
    parser.send(h11.Request(method="GET", target="/", headers=upgrade))
    parser.receive_data(data)
    response = parser.next_event()
    assert isinstance(response, h11.InformationalResponse) and response.status_code == 101
    assert (b"x-ok", b"a b") in list(response.headers)
    assert (b"x-str", b"v") in list(response.headers)
