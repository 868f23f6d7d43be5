"""More targeted tests: events, upstream helper functions, a budgeted extension, CLI helpers."""

from __future__ import annotations

import errno
import pickle
import socket
import threading
from dataclasses import FrozenInstanceError
from typing import Any, Dict, List, Optional, Tuple, Union

import pytest

from wsproto import ConnectionType, WSConnection
from wsproto._cli.errors import CliError, describe_os_error, host_port
from wsproto._cli.handshake_io import connect, open_websocket
from wsproto._cli.urls import parse_ws_url
from wsproto._headers import ExtensionOffer, HeaderSyntaxError, parse_element
from wsproto._negotiation import parse_offers
from wsproto.connection import ConnectionState
from wsproto.events import (
    AcceptConnection,
    BytesMessage,
    CloseConnection,
    Message,
    Ping,
    TextMessage,
)
from wsproto.extensions import SUPPORTED_EXTENSIONS, Extension
from wsproto.frame_protocol import CloseReason, Opcode, RsvBits
from wsproto.handshake import (
    H11Handshake,
    client_extensions_handshake,
    server_extensions_handshake,
)

from ._helpers import ParameterlessExtension, complete_handshake, open_pair

# -- events ---------------------------------------------------------------------------------------


def test_events_are_frozen_hashable_and_picklable() -> None:
    event = TextMessage(data="x", frame_finished=True, message_finished=False)
    with pytest.raises(FrozenInstanceError):
        event.data = "y"  # type: ignore[misc]
    with pytest.raises(FrozenInstanceError):
        del event.data  # type: ignore[misc]
    assert hash(event) == hash(TextMessage(data="x", frame_finished=True, message_finished=False))
    assert pickle.loads(pickle.dumps(event)) == event
    assert event != BytesMessage(data=b"x")
    assert repr(Ping(b"p")) == "Ping(payload=b'p')"


def test_typing_module_alias() -> None:
    from wsproto.typing import Headers

    assert Headers == List[Tuple[bytes, bytes]]


# -- upstream helper functions and the handshake object -------------------------------------------


class Param(Extension):
    name = "x-param"

    def __init__(self) -> None:
        self.seen: List[str] = []

    def offer(self) -> Union[bool, str, None]:
        return "p=1"

    def accept(self, offer: str) -> Union[bool, str, None]:
        self.seen.append(offer)
        return "p=2"

    def finalize(self, offer: str) -> None:
        self.seen.append(offer)


def test_upstream_extension_handshake_helpers() -> None:
    server_ext = Param()
    assert server_extensions_handshake(["x-param; p=1", "other"], [server_ext]) == b"x-param; p=2"
    assert server_ext.seen == ["x-param; p=1"]
    assert server_extensions_handshake(["other"], [Param()]) is None
    client_ext = Param()
    assert client_extensions_handshake(["x-param; p=2"], [client_ext]) == [client_ext]
    assert client_ext.seen == ["x-param; p=2"]
    assert Param().accept_params({"p": "1"}) == {"p": "2"}


def test_handshake_object_forwards_to_the_connection() -> None:
    client = H11Handshake(ConnectionType.CLIENT)
    server = H11Handshake(ConnectionType.SERVER)
    complete_handshake(client, server)
    assert client.connection is not None and server.connection is not None
    server.receive_data(client.connection.send(Message(data="via handshake")))
    assert [e.data for e in server.connection.events()] == ["via handshake"]  # type: ignore[attr-defined]


def test_extension_defaults_and_repr() -> None:
    class Quiet(Extension):
        name = "x-quiet"

        def offer_params(self) -> Optional[Dict[str, Optional[str]]]:
            return None

    q = Quiet()
    assert q.offer() is None
    assert q.frame_inbound_header(None, Opcode.TEXT, RsvBits(True, False, False), 1) == (
        RsvBits(False, False, False)
    )
    assert q.frame_inbound_payload_data(None, b"d") == b"d"
    assert repr(q) == "<Quiet 'x-quiet'>"
    assert "SUPPORTED_EXTENSIONS(" in repr(SUPPORTED_EXTENSIONS)


# -- a budgeted extension: the pipeline's drain path ----------------------------------------------


class Trickle(ParameterlessExtension):
    """Holds inbound data back and releases at most 3 bytes per call; adds a tail per frame."""

    name = "x-trickle"

    def __init__(self, tail: bytes = b"") -> None:
        self.held = b""
        self.tail = tail

    def fresh(self) -> Trickle:
        return Trickle(self.tail)

    def frame_inbound_payload_data(self, proto: Any, data: bytes) -> Union[bytes, CloseReason]:
        self.held += data
        out, self.held = self.held[:3], self.held[3:]
        self.inbound_pending = bool(self.held)
        return out

    def frame_inbound_complete(self, proto: Any, fin: bool) -> Union[bytes, CloseReason, None]:
        return self.tail or None


class Upper(ParameterlessExtension):
    """Upper-cases inbound data (runs after Trickle on the inbound side)."""

    name = "x-upper"

    def fresh(self) -> Upper:
        return Upper()

    def frame_inbound_payload_data(self, proto: Any, data: bytes) -> Union[bytes, CloseReason]:
        return data.upper()


@pytest.mark.parametrize("tail", [b"", b"!"])
def test_budgeted_extension_output_is_drained_through_later_extensions(tail: bytes) -> None:
    def make() -> List[Extension]:
        return [Upper(), Trickle(tail)]  # response order: inbound runs Trickle, then Upper

    client, server = open_pair(make)
    assert server.connection is not None and len(server.connection.extensions) == 2
    wire = client.send(Message(data=b"abcdefgh", message_finished=False))
    wire += client.send(Ping(b"p"))
    wire += client.send(Message(data=b"ij"))
    server.receive_data(wire)
    events = list(server.events())
    data = b"".join(e.data for e in events if isinstance(e, BytesMessage))
    assert data == b"ABCDEFGH" + tail.upper() + b"IJ" + tail.upper()
    assert all(len(e.data) <= 3 + len(tail) for e in events if isinstance(e, BytesMessage))
    assert [e for e in events if isinstance(e, Ping)] == [Ping(b"p")]
    finished = [e for e in events if isinstance(e, BytesMessage) and e.message_finished]
    assert len(finished) == 1 and events[-1] is finished[0]


# -- CLI helpers ----------------------------------------------------------------------------------


def test_cli_error_descriptions() -> None:
    assert "refused" in describe_os_error(ConnectionRefusedError())
    assert "in use" in describe_os_error(OSError(errno.EADDRINUSE, "x"))
    assert "not available" in describe_os_error(OSError(errno.EADDRNOTAVAIL, "x"))
    assert "permission" in describe_os_error(OSError(errno.EACCES, "x"))
    assert describe_os_error(TimeoutError()) == "timed out"
    assert describe_os_error(OSError(errno.EPIPE, "Broken pipe")) == "broken pipe"
    assert host_port(("::1", 80)) == "[::1]:80" and host_port(("h", 1)) == "h:1"


def _serve_once(reply: Any) -> socket.socket:
    """A loopback server that answers one connection with ``reply(request_bytes)``."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(10)

    def run() -> None:
        with listener:
            conn, _ = listener.accept()
            with conn:
                conn.settimeout(10)
                request = b""
                while b"\r\n\r\n" not in request:
                    chunk = conn.recv(4096)
                    if not chunk:
                        return
                    request += chunk
                for piece in reply(request):
                    conn.sendall(piece)

    threading.Thread(target=run, daemon=True).start()
    return listener


def _accepting(request: bytes) -> List[bytes]:
    server = WSConnection(ConnectionType.SERVER)
    server.receive_data(request)
    list(server.events())
    response = server.send(AcceptConnection())
    return [response[:10], response[10:] + server.send(Message(data="early"))]


@pytest.mark.parametrize(
    ("reply", "error"),
    [
        (_accepting, None),
        (lambda r: [b"HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n"], "rejected"),
        (lambda r: [b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n"], "invalid"),
        (lambda r: [b"HTTP/1.1 200 OK\r\n"], "closed the connection during the handshake"),
        (lambda r: [], "closed|invalid"),
        (lambda r: [b"HTTP/1.1 200 OK\r\n" + b"X-Big: " + b"a" * 70000], "too large|invalid"),
    ],
    ids=["accept", "reject", "invalid", "truncated", "closed", "too-large"],
)
def test_cli_open_websocket(reply: Any, error: Optional[str]) -> None:
    listener = _serve_once(reply)
    url = parse_ws_url(f"ws://127.0.0.1:{listener.getsockname()[1]}/path")
    sock = connect(url, timeout=10)
    with sock:
        if error is None:
            result = open_websocket(sock, url, [])
            assert result.ws.state is ConnectionState.OPEN
            assert result.response_bytes.startswith(b"HTTP/1.1 101")
            result.ws.receive_data(result.leftover)
            assert [e.data for e in result.ws.events()] == ["early"]  # type: ignore[attr-defined]
        else:
            with pytest.raises(CliError, match=error):
                open_websocket(sock, url, [])


def test_cli_connect_refused_and_timeout() -> None:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # nothing listens there now
    with pytest.raises(CliError, match="cannot connect"):
        connect(parse_ws_url(f"ws://127.0.0.1:{port}/"), timeout=5)

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    with listener:
        url = parse_ws_url(f"ws://127.0.0.1:{listener.getsockname()[1]}/")
        sock = connect(url, timeout=0.2)  # accepted by the backlog, never answered
        with sock, pytest.raises(CliError, match="did not answer"):
            open_websocket(sock, url, [])


def test_close_reason_enum_round_trip() -> None:
    assert CloseConnection(code=CloseReason.NORMAL_CLOSURE).code == 1000


def test_bytearray_buffer_compacted_after_partial_read() -> None:
    """Events read partially between large receives: the grown buffer drops what was parsed."""
    client, server = open_pair()
    frames = [client.send(Message(data=bytes([i]) * 70_000)) for i in range(3)]
    server.receive_data(frames[0])
    server.receive_data(frames[1])  # leftover > 64 KiB: a bytearray
    first = next(server.events())  # read one piece only
    server.receive_data(frames[2])  # compacts the bytearray (parsed prefix dropped)
    rest = list(server.events())
    data = b"".join(e.data for e in [first, *rest] if isinstance(e, BytesMessage))
    assert data == b"".join(bytes([i]) * 70_000 for i in range(3))


def test_str_subclass_message_is_text() -> None:
    class Text(str):
        pass

    client, server = open_pair()
    client.receive_data(server.send(Message(data=Text("sub"))))
    assert [(type(e), e.data) for e in client.events()] == [(TextMessage, "sub")]  # type: ignore[attr-defined]


def test_protocol_failure_found_after_end_of_stream() -> None:
    _client, server = open_pair()
    server.receive_data(b"\x8f\x80\x00\x00\x00\x00")  # reserved opcode, not read yet
    server.receive_data(None)
    assert [e.code for e in server.events()] == [1002]  # type: ignore[attr-defined]
    assert server.state is ConnectionState.CLOSED


@pytest.mark.parametrize("kind", ["bytearray", "memoryview"])
def test_receive_data_accepts_reused_bytes_like_buffers(kind: str) -> None:
    """Regression: a memoryview raised TypeError, and a bytearray the application reuses for
    its next read (recv_into) was kept by the decoder and then grown in place (BufferError, or
    corrupted data). Upstream 1.x accepted any bytes-like object."""
    client, server = open_pair()
    wire = client.send(Message(data=b"hello world")) + client.send(Message(data="x" * 300))
    buf = bytearray()
    got: List[Any] = []
    start = 0
    for size in [1, 1, 3, 16, 1, 2, 7] * 100:
        if start >= len(wire):
            break
        buf[:] = wire[start : start + size]  # one receive buffer, refilled for every read
        start += size
        if kind == "bytearray":
            server.receive_data(buf)  # type: ignore[arg-type]
        else:
            with memoryview(buf) as view:
                server.receive_data(view)  # type: ignore[arg-type]
        got.extend(server.events())
    data = [e.data for e in got if isinstance(e, (BytesMessage, TextMessage))]
    assert b"".join(d for d in data if isinstance(d, bytes)) == b"hello world"
    assert "".join(d for d in data if isinstance(d, str)) == "x" * 300


def test_trickle_second_in_the_inbound_order() -> None:
    """The pending extension is not the first inbound one: drain skips to it."""

    def make() -> List[Extension]:
        return [Trickle(), Upper()]  # inbound: Upper, then Trickle (which holds data back)

    client, server = open_pair(make)
    server.receive_data(client.send(Message(data=b"abcdefg")))
    events = list(server.events())
    assert b"".join(e.data for e in events if isinstance(e, BytesMessage)) == b"ABCDEFG"


def test_header_offer_objects_and_malformed_parameters() -> None:
    offer = ExtensionOffer("x", {"a": "1", "b": None})
    assert str(offer) == "x; a=1; b"
    assert parse_offers([offer, "y"]) == [offer, ExtensionOffer("y", {})]
    for bad in ("x; ;", "x;=1", "x; a=", "x; a b"):
        with pytest.raises(HeaderSyntaxError):
            parse_element(bad)


@pytest.mark.parametrize("limit_kind", ["max_frame_size", "max_message_size"])
def test_frame_and_message_limits_without_extensions(limit_kind: str) -> None:
    client, server = open_pair(**{limit_kind: 10})
    server.receive_data(client.send(Message(data=b"0123456789")))  # exactly the limit: fine
    server.receive_data(client.send(Message(data=b"x" * 11)))
    events = list(server.events())
    assert isinstance(events[0], BytesMessage) and events[0].data == b"0123456789"
    assert [e.code for e in events[1:]] == [1009]  # type: ignore[attr-defined]
