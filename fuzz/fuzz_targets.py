"""Fuzz targets: plain functions ``target(data: bytes) -> None`` that raise only on a defect.

They run under atheris (``fuzz/atheris_main.py``) and, without atheris, from pytest,
which replays the committed seed corpus and every past crash (``fuzz/regressions/``).

The first input byte of most targets is a configuration byte (role, chunk size,
limits); the rest is the data under test.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional

from wsproto import ConnectionType, WSConnection
from wsproto._headers import (
    HeaderSyntaxError,
    format_extension,
    parse_element,
    parse_extension_header,
)
from wsproto._negotiation import negotiate_client, negotiate_server, parse_offers
from wsproto.connection import Connection, ConnectionState
from wsproto.events import (
    AcceptConnection,
    BytesMessage,
    CloseConnection,
    Event,
    Ping,
    Pong,
    RejectConnection,
    RejectData,
    Request,
    TextMessage,
)
from wsproto.frame_protocol import is_valid_close_code
from wsproto.utilities import RemoteProtocolError

__all__ = ["TARGETS"]

_FRAME_EVENTS = (TextMessage, BytesMessage, Ping, Pong, CloseConnection)
_HANDSHAKE_EVENTS = (Request, AcceptConnection, RejectConnection, RejectData)
#: The nonce the fuzzed client uses, so that seed responses carry a matching Accept.
FIXED_NONCE = b"dGhlIHNhbXBsZSBub25jZQ=="
_EVENT_BUDGET = 200_000


def _deflate() -> Optional[Any]:
    try:
        from wsproto.extensions import PerMessageDeflate
    except ImportError:
        return None
    return PerMessageDeflate


def _chunks(data: bytes, config: int) -> List[bytes]:
    """Split ``data`` by the configuration byte: whole, or pieces of 1-63 bytes."""
    size = config & 0x3F
    if not size:
        return [data]
    return [data[i : i + size] for i in range(0, len(data), size)]


def _check_frame_events(conn: Any, chunks: List[bytes]) -> None:
    """Feed an open connection; only frame events, at most one close, with a valid code."""
    closes = 0
    count = 0
    for chunk in chunks:
        conn.receive_data(chunk)
        for event in conn.events():
            count += 1
            assert count < _EVENT_BUDGET, "events() does not stop"
            assert closes == 0, f"event after a CloseConnection: {event!r}"
            assert isinstance(event, _FRAME_EVENTS), event
            if isinstance(event, CloseConnection):
                closes += 1
                assert is_valid_close_code(event.code) or event.code in (1005, 1006), event
    if conn.state is ConnectionState.REMOTE_CLOSING:
        conn.send(CloseConnection(code=1000))
    conn.receive_data(None)
    for event in conn.events():
        assert isinstance(event, CloseConnection), event
    assert conn.state is ConnectionState.CLOSED


def _limits(config: int) -> Dict[str, Optional[int]]:
    return {"max_message_size": 300 if config & 0x40 else None}


# -- frame parser ---------------------------------------------------------------------------------


def frames_server(data: bytes) -> None:
    """Frames as a server reads them (they should be masked)."""
    if not data:
        return
    conn = Connection(ConnectionType.SERVER, **_limits(data[0]))
    _check_frame_events(conn, _chunks(data[1:], data[0]))


def frames_client(data: bytes) -> None:
    """Frames as a client reads them (they should not be masked)."""
    if not data:
        return
    conn = Connection(ConnectionType.CLIENT, **_limits(data[0]))
    _check_frame_events(conn, _chunks(data[1:], data[0]))


# -- handshake parser -----------------------------------------------------------------------------


def _handshake_events(
    conn: WSConnection, chunks: List[bytes], on_event: Callable[[Event], None]
) -> None:
    """Feed a handshake: events or RemoteProtocolError only."""
    try:
        for chunk in chunks:
            conn.receive_data(chunk)
            for count, event in enumerate(conn.events()):
                assert count < _EVENT_BUDGET
                assert isinstance(event, _HANDSHAKE_EVENTS + _FRAME_EVENTS), event
                if isinstance(event, CloseConnection):
                    assert is_valid_close_code(event.code) or event.code in (1005, 1006), event
                on_event(event)
    except RemoteProtocolError as exc:
        assert exc.event_hint is None or isinstance(exc.event_hint, Event)


def handshake_server(data: bytes) -> None:
    """A client's HTTP upgrade request (and anything after it), as a server reads it."""
    if not data:
        return
    server = WSConnection(ConnectionType.SERVER, **_limits(data[0]))
    deflate = _deflate()

    def on_event(event: Event) -> None:
        if isinstance(event, Request):
            assert all(isinstance(e, str) for e in event.extensions), event.extensions
            extensions = [deflate()] if deflate is not None and data[0] & 0x80 else []
            subprotocol = event.subprotocols[0] if event.subprotocols else None
            server.send(AcceptConnection(subprotocol=subprotocol, extensions=extensions))
            assert server.state is ConnectionState.OPEN

    _handshake_events(server, _chunks(data[1:], data[0]), on_event)


def handshake_client(data: bytes) -> None:
    """A server's HTTP response (and any frames after it), as a client reads it."""
    if not data:
        return
    import wsproto.handshake as handshake

    real_nonce = handshake.generate_nonce
    handshake.generate_nonce = lambda: FIXED_NONCE
    try:
        client = WSConnection(ConnectionType.CLIENT, **_limits(data[0]))
        deflate = _deflate()
        extensions = [deflate()] if deflate is not None and data[0] & 0x80 else []
        request = Request(
            host="example.com", target="/", subprotocols=["chat"], extensions=extensions
        )
        client.send(request)
    finally:
        handshake.generate_nonce = real_nonce
    _handshake_events(client, _chunks(data[1:], data[0]), lambda event: None)


# -- Sec-WebSocket-Extensions ---------------------------------------------------------------------


def extensions_header(data: bytes) -> None:
    """The header grammar: strict parse, lenient parse, formatting round trip, negotiation."""
    text = data.decode("latin-1")
    try:
        offers = parse_extension_header([text])
    except HeaderSyntaxError:
        offers = None
    if offers is not None:
        for offer in offers:
            again = parse_element(format_extension(offer.name, offer.params))
            assert again == offer, (offer, again)
    lenient = parse_offers([text])
    if offers is not None:
        assert lenient == offers
    deflate = _deflate()
    supported = [deflate()] if deflate is not None else []
    _, response = negotiate_server([text], supported)
    if response is not None:
        assert parse_extension_header([response])  # the response must follow the grammar
    if deflate is not None:
        try:
            negotiate_client([text], [deflate()])
        except RemoteProtocolError:
            pass


# -- permessage-deflate inflater ------------------------------------------------------------------

_OFFERS = [
    "permessage-deflate",
    "permessage-deflate; client_max_window_bits",
    "permessage-deflate; client_max_window_bits=8; server_max_window_bits=8",
    "permessage-deflate; client_max_window_bits=9",
    "permessage-deflate; client_no_context_takeover",
    "permessage-deflate; server_no_context_takeover; client_no_context_takeover",
    "permessage-deflate; server_max_window_bits=10",
    "permessage-deflate; client_max_window_bits=15; server_max_window_bits=15",
]


def deflate_inflater(data: bytes) -> None:
    """Compressed payloads, wrapped in masked RSV1 frames, as a server with deflate reads them.

    Configuration byte: bits 0-2 choose the negotiated parameters, bit 3 text or binary,
    bits 4-5 the number of frames the payload is split into, bit 6 a message size limit,
    bit 7 sends the payload twice (context takeover).
    """
    deflate = _deflate()
    if deflate is None or not data:
        return
    config = data[0]
    payload = data[1:]
    accepted, _ = negotiate_server([_OFFERS[config & 7]], [deflate()])
    assert accepted, "the server declined a valid offer"
    conn = Connection(
        ConnectionType.SERVER, accepted, max_message_size=1000 if config & 0x40 else None
    )
    frames = 1 + ((config >> 4) & 3)
    step = -(-len(payload) // frames) if payload else 1
    pieces = [payload[i : i + step] for i in range(0, len(payload), step)] or [b""]
    stream = bytearray()
    for _ in range(2 if config & 0x80 else 1):
        for i, piece in enumerate(pieces):
            opcode = (1 if config & 8 else 2) if i == 0 else 0
            b0 = opcode | (0x40 if i == 0 else 0) | (0x80 if i == len(pieces) - 1 else 0)
            stream += _masked_header(b0, len(piece)) + piece
    _check_frame_events(conn, [bytes(stream)])


def _masked_header(b0: int, n: int) -> bytes:
    """A frame header with the mask bit set and an all-zero masking key (a legal key)."""
    if n < 126:
        header = bytes((b0, 0x80 | n))
    elif n < 0x10000:
        header = bytes((b0, 0xFE)) + n.to_bytes(2, "big")
    else:
        header = bytes((b0, 0xFF)) + n.to_bytes(8, "big")
    return header + b"\0\0\0\0"


#: Every target, by name.
TARGETS: Dict[str, Callable[[bytes], None]] = {
    "frames_server": frames_server,
    "frames_client": frames_client,
    "handshake_server": handshake_server,
    "handshake_client": handshake_client,
    "extensions_header": extensions_header,
    "deflate_inflater": deflate_inflater,
}
