"""The handshake's own HTTP/1.1 heads (wsproto/_http.py), seen through the public API.

Checks the strictness rules a parser replacing h11 on the accepted path must
keep, and the hand-over to h11 for refusals.
"""

from __future__ import annotations

import subprocess
import sys

import h11
import pytest
from core_helpers import frame

from wsproto import ConnectionState, ConnectionType, WSConnection
from wsproto._http import MAX_HEAD_SIZE
from wsproto.events import (
    AcceptConnection,
    CloseConnection,
    RejectConnection,
    RejectData,
    Request,
    TextMessage,
)
from wsproto.utilities import LocalProtocolError, RemoteProtocolError, generate_accept_token

KEY = b"dGhlIHNhbXBsZSBub25jZQ=="
REQUEST_LINES = [
    b"GET /chat HTTP/1.1",
    b"Host: example.com",
    b"Upgrade: websocket",
    b"Connection: Upgrade",
    b"Sec-WebSocket-Key: " + KEY,
    b"Sec-WebSocket-Version: 13",
]


def head(lines: list[bytes], eol: bytes = b"\r\n") -> bytes:
    return eol.join(lines) + eol + eol


def server_with(data: bytes) -> WSConnection:
    server = WSConnection(ConnectionType.SERVER)
    server.receive_data(data)
    return server


def refused(data: bytes) -> RemoteProtocolError:
    """The error a server raises for ``data``; it must be able to send its hint as HTTP."""
    server = WSConnection(ConnectionType.SERVER)
    with pytest.raises(RemoteProtocolError) as info:
        server.receive_data(data)
    hint = info.value.event_hint
    assert isinstance(hint, RejectConnection)
    reply = server.send(hint)
    status = int(reply.split(b" ", 2)[1])
    assert status == hint.status_code
    assert server.state is ConnectionState.CLOSED
    return info.value


def test_bare_lf_line_ends_are_accepted() -> None:
    (request,) = server_with(head(REQUEST_LINES, b"\n")).events()
    assert isinstance(request, Request) and request.host == "example.com"


def test_obs_fold_joins_the_previous_field_with_a_space() -> None:
    lines = [*REQUEST_LINES, b"X-Folded: first", b" \t second"]
    (request,) = server_with(head(lines)).events()
    assert (b"x-folded", b"first second") in request.extra_headers  # type: ignore[attr-defined]


def test_header_values_are_trimmed_and_names_lower_cased() -> None:
    lines = [*REQUEST_LINES, b"X-Pad:  \t padded value \t "]
    (request,) = server_with(head(lines)).events()
    assert (b"x-pad", b"padded value") in request.extra_headers  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "bad_line",
    [
        b"Host : example.com",  # whitespace before the colon (RFC 9112 section 5.1)
        b"X-Ctl: a\x01b",  # a control character in a value
        b"X-Cr: a\rb",  # a bare CR
        b"No colon here",
        b"X-Nul\x00: v",
        b"\xc3\xa9: v",  # a non-token name
    ],
)
def test_invalid_field_lines_are_refused_with_400(bad_line: bytes) -> None:
    error = refused(head([*REQUEST_LINES, bad_line]))
    assert "malformed HTTP" in str(error)
    assert error.event_hint.status_code == 400  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "request_line",
    [b"GET  /chat HTTP/1.1", b"GET /chat HTTP/1.1 x", b"GET /chat", b"GET /ch at HTTP/1.1", b""],
)
def test_invalid_request_lines_are_refused(request_line: bytes) -> None:
    refused(head([request_line, *REQUEST_LINES[1:]]))


def test_continuation_before_any_field_is_refused() -> None:
    refused(head([REQUEST_LINES[0], b" folded", *REQUEST_LINES[1:]]))


def test_an_overlong_head_is_refused_with_431() -> None:
    server = WSConnection(ConnectionType.SERVER)
    server.receive_data(b"GET /chat HTTP/1.1\r\nX-Big: ")
    filler = b"a" * 1024
    with pytest.raises(RemoteProtocolError) as info:
        for _ in range(MAX_HEAD_SIZE // len(filler) + 1):
            server.receive_data(filler)
    assert info.value.event_hint == RejectConnection(status_code=431)
    assert server.send(info.value.event_hint).startswith(b"HTTP/1.1 431 ")  # type: ignore[arg-type]


def test_a_head_just_under_the_limit_is_read() -> None:
    base = head([*REQUEST_LINES, b"X-Big: "])
    padding = b"a" * (MAX_HEAD_SIZE - len(base))
    data = head([*REQUEST_LINES, b"X-Big: " + padding])
    assert len(data) == MAX_HEAD_SIZE
    (request,) = server_with(data).events()
    assert isinstance(request, Request)


@pytest.mark.parametrize(
    "framing", [b"Content-Length: 5", b"Transfer-Encoding: chunked", b"Content-Length: 00"]
)
def test_an_upgrade_request_with_a_body_is_refused(framing: bytes) -> None:
    # Its body would otherwise be read as WebSocket frames.
    error = refused(head([*REQUEST_LINES, framing]) + b"hello")
    assert "no body" in str(error)


def test_content_length_zero_is_fine() -> None:
    (request,) = server_with(head([*REQUEST_LINES, b"Content-Length: 0"])).events()
    assert isinstance(request, Request)


def test_request_split_at_every_byte() -> None:
    data = head(REQUEST_LINES) + frame(1, b"early")
    server = WSConnection(ConnectionType.SERVER)
    for i in range(len(data)):
        server.receive_data(data[i : i + 1])
    (request,) = server.events()
    assert isinstance(request, Request)
    server.send(AcceptConnection())
    assert list(server.events()) == [TextMessage("early")]


def test_eof_after_the_request_reaches_the_connection() -> None:
    server = server_with(head(REQUEST_LINES))
    list(server.events())
    server.receive_data(None)
    assert server.send(AcceptConnection()).startswith(b"HTTP/1.1 101 ")
    assert server.state is ConnectionState.CLOSED
    (closed,) = server.events()
    assert isinstance(closed, CloseConnection) and closed.code == 1006


def test_bytes_after_eof_are_the_callers_mistake() -> None:
    server = server_with(head(REQUEST_LINES))
    server.receive_data(None)
    with pytest.raises(LocalProtocolError, match="after the end of the stream"):
        server.receive_data(b"x")


# -- client side -------------------------------------------------------------


def _client() -> tuple[WSConnection, bytes]:
    client = WSConnection(ConnectionType.CLIENT)
    data = client.send(Request(host="h", target="/"))
    key = next(
        line.split(b": ", 1)[1]
        for line in data.split(b"\r\n")
        if line.lower().startswith(b"sec-websocket-key:")
    )
    return client, key


def _switching(key: bytes) -> bytes:
    return head(
        [
            b"HTTP/1.1 101 Switching Protocols",
            b"Upgrade: websocket",
            b"Connection: Upgrade",
            b"Sec-WebSocket-Accept: " + generate_accept_token(key),
        ]
    )


@pytest.mark.parametrize("chunk", [1, 7, 10_000])
@pytest.mark.parametrize("status", [100, 102, 103, 199])
def test_an_informational_status_other_than_101_rejects_as_in_1x(chunk: int, status: int) -> None:
    # 1.x turns it into RejectConnection(has_body=False) and CLOSED; waiting for a 101
    # would hang a client whose server never sends one.
    client, key = _client()
    data = head([b"HTTP/1.1 %d Wait" % status, b"X-Why: Later"]) + _switching(key)
    for i in range(0, len(data), chunk):
        client.receive_data(data[i : i + chunk])
    assert list(client.events()) == [
        RejectConnection(status_code=status, headers=[(b"x-why", b"Later")], has_body=False)
    ]
    assert client.state is ConnectionState.CLOSED
    client.receive_data(b"more bytes after the end")  # ignored, as everything after it
    client.receive_data(None)
    assert list(client.events()) == []


def test_a_101_without_reason_phrase_is_accepted() -> None:
    client, key = _client()
    client.receive_data(_switching(key).replace(b" Switching Protocols", b"", 1))
    assert isinstance(next(client.events()), AcceptConnection)


def test_a_refusal_is_read_by_h11_with_its_chunked_body() -> None:
    client, _ = _client()
    body = b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
    data = head([b"HTTP/1.1 403 Forbidden", b"Transfer-Encoding: chunked"]) + body
    client.receive_data(data[:-9])
    client.receive_data(data[-9:])
    events = list(client.events())
    assert events[0] == RejectConnection(
        status_code=403, headers=[(b"transfer-encoding", b"chunked")], has_body=True
    )
    assert b"".join(e.data for e in events[1:]) == b"hello world"  # type: ignore[attr-defined]
    assert events[-1] == RejectData(b"", body_finished=True)
    assert client.state is ConnectionState.CLOSED


def test_a_close_delimited_refusal_ends_at_eof() -> None:
    client, _ = _client()
    client.receive_data(head([b"HTTP/1.1 503 Busy", b"Connection: close"]) + b"try later")
    assert client.state is ConnectionState.REJECTING
    client.receive_data(None)
    events = list(client.events())
    assert b"".join(e.data for e in events[1:]) == b"try later"  # type: ignore[attr-defined]
    assert client.state is ConnectionState.CLOSED


def test_a_malformed_response_is_a_remote_error() -> None:
    client, _ = _client()
    with pytest.raises(RemoteProtocolError, match="malformed HTTP"):
        client.receive_data(b"HTTP/1.1 1O1 Switching\r\n\r\n")


def test_a_response_before_the_request_is_the_callers_mistake() -> None:
    client = WSConnection(ConnectionType.CLIENT)
    with pytest.raises(LocalProtocolError, match="after sending a Request"):
        client.receive_data(b"HTTP/1.1 101 Switching Protocols\r\n\r\n")


@pytest.mark.parametrize(
    "request_event",
    [
        Request(host="h", target="/a b"),
        Request(host="h", target="/ü"),
        Request(host="h\r\nX-Injected: 1", target="/"),
        Request(host="h", target="/", subprotocols=["a\r\nb"]),
        Request(host="h", target="/", extra_headers=[(b"X-Bad", b"v\n")]),
        Request(host="h", target="/", extra_headers=[("Näme", "v")]),
    ],
)
def test_the_client_refuses_to_write_an_invalid_request(request_event: Request) -> None:
    with pytest.raises(LocalProtocolError, match="invalid"):
        WSConnection(ConnectionType.CLIENT).send(request_event)


def test_initiate_upgrade_connection_validates_like_a_request() -> None:
    server = WSConnection(ConnectionType.SERVER)
    with pytest.raises(LocalProtocolError, match="Host"):
        server.initiate_upgrade_connection([(b"Upgrade", b"websocket")], "/")
    with pytest.raises(LocalProtocolError, match="invalid"):
        server.initiate_upgrade_connection([(b"Host", b"h"), (b"X", b"a\r\nb")], "/")


def test_our_request_and_response_round_trip_through_h11() -> None:
    """h11, as an independent parser, reads what the new serialiser writes."""
    client = WSConnection(ConnectionType.CLIENT)
    server = WSConnection(ConnectionType.SERVER)
    request = client.send(
        Request(host="h:1", target="/p?q=1", subprotocols=["a", "b"], extra_headers=[("X", "y")])
    )
    reader = h11.Connection(h11.SERVER)
    reader.receive_data(request)
    parsed = reader.next_event()
    assert isinstance(parsed, h11.Request) and parsed.target == b"/p?q=1"
    server.receive_data(request)
    list(server.events())
    response = server.send(AcceptConnection(subprotocol="b", extra_headers=[(b"X-S", b"1")]))
    writer = h11.Connection(h11.CLIENT)
    writer.send(parsed)
    writer.receive_data(response)
    answer = writer.next_event()
    assert isinstance(answer, h11.InformationalResponse) and answer.status_code == 101
    assert (b"x-s", b"1") in list(answer.headers)
    client.receive_data(response)
    # As in 1.x: the headers the event carries in its own fields are left out.
    handshake_fields = {b"connection", b"upgrade", b"sec-websocket-accept", b"sec-websocket-protocol"}
    assert next(client.events()) == AcceptConnection(
        subprotocol="b",
        extra_headers=[(n, v) for n, v in answer.headers if n not in handshake_fields],
    )


def test_an_accepted_handshake_never_imports_h11_or_dataclasses() -> None:
    """h11 is for refusals only, and import time matters to short-lived processes."""
    code = """
import sys
before = set(sys.modules)  # a coverage or site hook may have loaded some already
from wsproto import ConnectionType, WSConnection
from wsproto.events import AcceptConnection, Request
client, server = WSConnection(ConnectionType.CLIENT), WSConnection(ConnectionType.SERVER)
server.receive_data(client.send(Request(host="h", target="/")))
list(server.events())
client.receive_data(server.send(AcceptConnection()))
assert type(next(client.events())).__name__ == "AcceptConnection"
print(sorted(m for m in ("h11", "dataclasses") if m in sys.modules and m not in before))
"""
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert out.stdout.strip() == "[]"


def test_events_are_still_frozen_like_dataclasses() -> None:
    import dataclasses

    event = TextMessage("x")
    with pytest.raises(dataclasses.FrozenInstanceError, match="assign"):
        event.data = "y"  # type: ignore[misc]
    with pytest.raises(AttributeError, match="delete"):
        del event.data  # type: ignore[misc]


def test_after_a_refusal_bytes_past_eof_are_the_callers_mistake() -> None:
    client, _ = _client()
    client.receive_data(head([b"HTTP/1.1 503 Busy", b"Connection: close"]) + b"later")
    client.receive_data(None)
    client.receive_data(None)  # a second EOF is harmless
    with pytest.raises(LocalProtocolError, match="after the end of the stream"):
        client.receive_data(b"more")


def test_a_malformed_refusal_body_is_a_remote_error() -> None:
    client, _ = _client()
    with pytest.raises(RemoteProtocolError, match="malformed HTTP"):
        client.receive_data(
            head([b"HTTP/1.1 403 No", b"Transfer-Encoding: chunked"]) + b"zz\r\nnot hex\r\n"
        )


def test_a_server_that_refused_ignores_what_the_client_still_sends() -> None:
    server = server_with(head(REQUEST_LINES))
    list(server.events())
    reply = server.send(RejectConnection(status_code=403))
    assert reply.startswith(b"HTTP/1.1 403 ")
    server.receive_data(frame(1, b"ignored"))
    assert list(server.events()) == []
    assert server.state is ConnectionState.CLOSED
