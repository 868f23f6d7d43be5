"""Targeted tests for core branches the rest of the suite leaves uncovered (issue 8)."""

from __future__ import annotations

import os
import sys
from typing import Any, Dict, List, Optional, Tuple, Union

import pytest

import wsproto._masking as masking
from wsproto import ConnectionType, WSConnection
from wsproto._headers import (
    HeaderSyntaxError,
    format_params,
    parse_extension_header,
    parse_params,
    split_elements,
)
from wsproto._negotiation import negotiate_server, parse_offers
from wsproto.connection import Connection, ConnectionState
from wsproto.events import (
    BytesMessage,
    CloseConnection,
    Message,
    Ping,
    RejectConnection,
    RejectData,
    Request,
    TextMessage,
)
from wsproto.extensions import Extension
from wsproto.frame_protocol import (
    CloseReason,
    FrameEncoder,
    Opcode,
    PieceDecoder,
    RsvBits,
    close_payload,
)
from wsproto.utilities import LocalProtocolError, RemoteProtocolError

from ._helpers import ParameterlessExtension, open_pair

# -- masking --------------------------------------------------------------------------------------


def _reference_mask(data: bytes, key: bytes) -> bytes:
    return bytes(b ^ key[i % 4] for i, b in enumerate(data))


@pytest.mark.parametrize("size", [0, 1, 5, 1000, 70_000])
def test_python_mask_matches_reference(size: int) -> None:
    data = os.urandom(size)
    key = b"\x01\x80\xff\x37"
    assert masking.python_mask(data, key) == _reference_mask(data, key)
    assert masking.python_mask(bytearray(data), key) == _reference_mask(data, key)


def test_pure_python_switch_and_missing_accelerator(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WSPROTO_PURE_PYTHON", "1")
    assert masking._load_accelerated() is None
    monkeypatch.delenv("WSPROTO_PURE_PYTHON")
    monkeypatch.setitem(sys.modules, "wsproto._speedups", None)  # import fails
    assert masking._load_accelerated() is None


def test_mask_key_pool_refills_and_is_forgotten_after_fork() -> None:
    keys = {masking.next_mask_key() for _ in range(3000)}  # crosses pool refills
    assert all(len(k) == 4 for k in keys) and len(keys) > 2900
    masking._forget_pool()
    assert masking._pool == b"" and masking._pool_pos == 0
    assert len(masking.next_mask_key()) == 4


# -- frame decoder buffering ----------------------------------------------------------------------


def test_several_receives_before_reading_events() -> None:
    """Large leftovers grow in a bytearray; everything still parses in order."""
    client, server = open_pair()
    frames = [client.send(Message(data=bytes([i]) * 70_000)) for i in range(4)]
    frames.append(client.send(Ping(b"x")))
    for f in frames:
        server.receive_data(f)  # no events() in between: leftovers accumulate
    assert server.connection is not None
    got: List[bytes] = []
    parts: List[bytes] = []
    pings = 0
    for event in server.events():
        if isinstance(event, BytesMessage):
            parts.append(event.data)
            if event.message_finished:
                got.append(b"".join(parts))
                parts = []
        elif isinstance(event, Ping):
            pings += 1
    assert got == [bytes([i]) * 70_000 for i in range(4)] and pings == 1


def test_small_leftover_joined_as_bytes() -> None:
    decoder = PieceDecoder(client=True)
    decoder.receive_bytes(b"\x81")
    decoder.receive_bytes(b"\x02h")  # a 1-byte leftover is re-joined
    assert decoder.buffered == 3
    decoder.receive_bytes(b"i")
    assert decoder.next_piece() == (1, b"hi", True, True)
    assert decoder.buffered == 0


def test_control_frame_from_a_bytearray_buffer() -> None:
    """An unmasked control frame parsed out of a grown bytearray buffer comes out as bytes."""
    decoder = PieceDecoder(client=True)
    decoder.receive_bytes(b"\x82\x7f" + (70_000).to_bytes(8, "big") + b"a" * 69_990)
    decoder.receive_bytes(b"b" * 10 + b"\x89\x02hi")
    pieces = []
    while True:
        piece = decoder.next_piece()
        if piece is None:
            break
        pieces.append(piece)
    assert pieces[-1] == (9, b"hi", True, True)
    assert type(pieces[-1][1]) is bytes


def test_close_payload_for_1005_is_empty() -> None:
    assert close_payload(1005, "ignored") == b""
    assert close_payload(1000, "é" * 100) == b"\x03\xe8" + ("é" * 61).encode()


def test_encoder_rejects_non_bytes_and_coerces_bytes_like() -> None:
    encoder = FrameEncoder(client=False)
    with pytest.raises(LocalProtocolError, match="must be str or bytes"):
        encoder.data(12345, True)  # type: ignore[arg-type]
    assert encoder.data(bytearray(b"ab"), True) == b"\x82\x02ab"
    assert encoder.data(memoryview(b"cd"), True) == b"\x82\x02cd"


# -- connection -----------------------------------------------------------------------------------


def test_max_message_size_property() -> None:
    assert Connection(ConnectionType.SERVER, max_message_size=10).max_message_size == 10
    assert Connection(ConnectionType.SERVER).max_message_size is None


def test_close_frame_read_after_end_of_stream() -> None:
    """EOF arrives with a close frame still buffered: the close is reported, not 1006."""
    client, server = open_pair()
    server.receive_data(client.send(CloseConnection(code=1000, reason="done")))
    server.receive_data(None)
    events = list(server.events())
    assert events == [CloseConnection(code=1000, reason="done")]
    assert server.state is ConnectionState.CLOSED


def test_failure_while_local_closing_goes_closed() -> None:
    _client, server = open_pair()
    server.send(CloseConnection(code=1000))
    assert server.state is ConnectionState.LOCAL_CLOSING
    server.receive_data(b"\x8f\x80\x00\x00\x00\x00")  # reserved opcode 0xF, masked
    events = list(server.events())
    assert [e.code for e in events if isinstance(e, CloseConnection)] == [1002]
    assert server.state is ConnectionState.CLOSED


def test_close_invalid_codes_rejected_locally() -> None:
    _, server = open_pair()
    for code in (999, 1004, 1016, 2999, 5000):
        with pytest.raises(LocalProtocolError, match="invalid close code"):
            server.send(CloseConnection(code=code))
    assert server.state is ConnectionState.OPEN


# -- an extension that exercises the pipeline's edges ---------------------------------------------


class EdgeExtension(ParameterlessExtension):
    """Declares no RSV bits (so any bit may reach it) and misbehaves on request."""

    name = "x-edge"

    def __init__(self, mode: str = "") -> None:
        self.mode = mode

    def fresh(self) -> EdgeExtension:
        return EdgeExtension(self.mode)

    def frame_inbound_header(
        self, proto: Any, opcode: Opcode, rsv: RsvBits, payload_length: int
    ) -> Union[CloseReason, RsvBits]:
        if self.mode == "header-code":
            return 1008  # type: ignore[return-value]  # a plain int code
        if self.mode == "header-bad-code":
            return CloseReason.ABNORMAL_CLOSURE
        return RsvBits(False, False, False)  # accepts no bit on any frame

    def frame_inbound_payload_data(self, proto: Any, data: bytes) -> Any:
        if self.mode == "int-code":
            return 1008  # a plain int close code
        if self.mode == "bad-code":
            return 999
        if self.mode == "bytearray":
            return bytearray(data)
        return data


def _edge_pair(mode: str) -> Tuple[WSConnection, WSConnection]:
    client, server = open_pair(lambda: [EdgeExtension(mode)])
    assert server.connection is not None and server.connection.extensions
    return client, server


def test_rsv_bit_not_accepted_by_the_extension_fails_1002() -> None:
    _, server = _edge_pair("")
    server.receive_data(b"\xc2\x81\x00\x00\x00\x00a")  # RSV1 on a binary frame
    assert [e.code for e in server.events() if isinstance(e, CloseConnection)] == [1002]


def test_extension_bytes_like_output_is_delivered_as_bytes() -> None:
    # (An extension's plain int close code is checked by test_extension_close_codes_are_sendable.)
    client, server = _edge_pair("bytearray")
    server.receive_data(client.send(Message(data=b"abc")))
    events = list(server.events())
    assert [(type(e.data), e.data) for e in events] == [(bytes, b"abc")]  # type: ignore[attr-defined]


def test_extension_string_hooks_defaults() -> None:
    class Nothing(Extension):
        name = "x-nothing"

    ext = Nothing()
    assert ext.offer() is None and ext.accept("x-nothing") is None
    ext.finalize("x-nothing")  # no-op
    assert ext.offer_params() is None and ext.accept_params({}) is None
    assert ext.frame_inbound_complete(None, True) is None
    assert ext.frame_outbound(None, Opcode.TEXT, RsvBits(False, False, False), b"x", True) == (
        RsvBits(False, False, False),
        b"x",
    )
    with pytest.raises(LocalProtocolError, match="fresh"):
        ext.fresh()

    class Strings(Extension):
        name = "x-strings"

        def offer(self) -> Union[bool, str, None]:
            return "a=1; b"

        def accept(self, offer: str) -> Union[bool, str, None]:
            return "a=1" in offer

    s = Strings()
    assert s.offer_params() == {"a": "1", "b": None}
    assert s.accept_params({"a": "1"}) == {}
    assert s.accept_params({"a": "2"}) is None

    class Parsed(Extension):
        name = "x-parsed"

        def offer_params(self) -> Optional[Dict[str, Optional[str]]]:
            return {}

        def accept_params(self, params: Any) -> Any:
            return params or None

    p = Parsed()
    assert p.offer() is True
    assert p.accept("x-parsed; q") == "q"
    assert p.accept("x-parsed") is None
    assert p.accept("x-parsed; =bad") is None  # unparsable offer: declined


# -- headers and negotiation ----------------------------------------------------------------------


def test_header_grammar_edges() -> None:
    with pytest.raises(HeaderSyntaxError, match="non-ASCII"):
        split_elements(["é".encode("latin-1")])
    with pytest.raises(HeaderSyntaxError, match="unterminated"):
        parse_extension_header(['x; a="b\\'])
    with pytest.raises(HeaderSyntaxError):
        parse_extension_header(['x; a="b c"'])  # quoted value that is not a token
    assert parse_params("  ") == {}
    assert format_params({"a": None, "b": "tok", "c": 'q"v\\'}) == 'a; b=tok; c="q\\"v\\\\"'
    assert parse_offers(['x; a="unterminated', "y"]) == parse_extension_header(["y"])


def test_server_declines_extension_that_raises_value_error() -> None:
    class Picky(Extension):
        name = "x-picky"

        def accept_params(self, params: Any) -> Any:
            raise ValueError("no")

    assert negotiate_server(["x-picky"], [Picky()]) == ([], None)


# -- handshake ------------------------------------------------------------------------------------


def test_handshake_local_misuse() -> None:
    server = WSConnection(ConnectionType.SERVER)
    with pytest.raises(LocalProtocolError, match="server cannot send a Request"):
        server.send(Request(host="h", target="/"))
    client = WSConnection(ConnectionType.CLIENT)
    with pytest.raises(LocalProtocolError, match="Extension objects"):
        client.send(Request(host="h", target="/", extensions=["permessage-deflate"]))  # type: ignore[list-item]
    client = WSConnection(ConnectionType.CLIENT)
    with pytest.raises(LocalProtocolError, match="invalid request"):
        client.send(Request(host="h", target="/ with space"))
    with pytest.raises(LocalProtocolError, match="servers only"):
        client.initiate_upgrade_connection([], "/")


def test_initiate_upgrade_connection_twice_and_invalid() -> None:
    headers = [
        (b"Host", b"h"),
        (b"Upgrade", b"websocket"),
        (b"Connection", b"Upgrade"),
        (b"Sec-WebSocket-Key", b"dGhlIHNhbXBsZSBub25jZQ=="),
        (b"Sec-WebSocket-Version", b"13"),
    ]
    server = WSConnection(ConnectionType.SERVER)
    server.initiate_upgrade_connection(headers, "/")
    assert isinstance(next(server.events()), Request)
    with pytest.raises(LocalProtocolError, match="already received"):
        server.initiate_upgrade_connection(headers, "/")
    fresh = WSConnection(ConnectionType.SERVER)
    with pytest.raises(LocalProtocolError, match="invalid request"):
        fresh.initiate_upgrade_connection([(b"Bad Header", b"x")], "/")


def test_reject_with_body_and_invalid_status() -> None:
    client = WSConnection(ConnectionType.CLIENT)
    server = WSConnection(ConnectionType.SERVER)
    server.receive_data(client.send(Request(host="h", target="/")))
    list(server.events())
    with pytest.raises(LocalProtocolError, match="invalid rejection status"):
        server.send(RejectConnection(status_code=101))
    data = server.send(RejectConnection(status_code=403, has_body=True))
    data += server.send(RejectData(data=b"no ", body_finished=False))
    data += server.send(RejectData(data=b"way"))
    assert server.state is ConnectionState.CLOSED
    client.receive_data(data)
    events = list(client.events())
    assert isinstance(events[0], RejectConnection) and events[0].status_code == 403
    assert b"".join(e.data for e in events[1:] if isinstance(e, RejectData)) == b"no way"
    assert client.state is ConnectionState.CLOSED


_REQUEST_HEAD = (
    b"GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
)


def test_second_host_header_is_a_remote_error() -> None:
    server = WSConnection(ConnectionType.SERVER)
    with pytest.raises(RemoteProtocolError, match="Host"):
        server.receive_data(_REQUEST_HEAD + b"Host: other\r\n\r\n")
        list(server.events())


def test_single_host_header_is_accepted() -> None:
    server = WSConnection(ConnectionType.SERVER)
    server.receive_data(_REQUEST_HEAD + b"\r\n")
    assert [type(e) for e in server.events()] == [Request]


def test_empty_tokens_in_connection_and_protocol_headers() -> None:
    request = (
        b"GET / HTTP/1.1\r\nHost: h\r\nUpgrade: , websocket\r\nConnection: ,Upgrade,\r\n"
        b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        b"Sec-WebSocket-Protocol: a,, b\r\n\r\n"
    )
    server = WSConnection(ConnectionType.SERVER)
    server.receive_data(request)
    event = next(server.events())
    assert isinstance(event, Request) and event.subprotocols == ["a", "b"]


def test_end_of_stream_twice_during_handshake() -> None:
    server = WSConnection(ConnectionType.SERVER)
    with pytest.raises(RemoteProtocolError, match="closed the connection"):
        server.receive_data(None)
    server.receive_data(None)  # a second EOF is ignored


def test_bytes_after_end_of_stream_is_a_local_error() -> None:
    """Regression: h11's RuntimeError escaped when bytes followed receive_data(None)."""
    server = WSConnection(ConnectionType.SERVER)
    with pytest.raises(RemoteProtocolError):
        server.receive_data(None)
    with pytest.raises(LocalProtocolError, match="after the end of the stream"):
        server.receive_data(b"GET / HTTP/1.1\r\n\r\n")


def test_events_after_handshake_pass_through() -> None:
    client, server = open_pair()
    server.receive_data(client.send(Message(data="x")))
    assert [type(e) for e in server.events()] == [TextMessage]


@pytest.mark.parametrize(
    ("mode", "code"),
    [("header-code", 1008), ("header-bad-code", 1011), ("bad-code", 1011), ("int-code", 1008)],
)
def test_extension_close_codes_are_sendable(mode: str, code: int) -> None:
    """Regression: an extension's invalid close code (1006, 999) reached CloseConnection, and the
    application's reply, CloseConnection(event.code), then raised LocalProtocolError."""
    client, server = _edge_pair(mode)
    server.receive_data(client.send(Message(data=b"abc")))
    events = list(server.events())
    assert [e.code for e in events] == [code]  # type: ignore[attr-defined]
    server.send(CloseConnection(code=events[0].code))  # type: ignore[attr-defined]
    assert server.state is ConnectionState.CLOSED
