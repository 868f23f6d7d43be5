"""The connection state machine, closing, local misuse, limits and upstream regressions."""

from __future__ import annotations

import struct

import pytest
from core_helpers import client_side, feed, frame, handshake_pair, server_side

from wsproto import ConnectionType, WSConnection
from wsproto.connection import Connection, ConnectionState
from wsproto.events import (
    AcceptConnection,
    BytesMessage,
    CloseConnection,
    Message,
    Ping,
    Pong,
    Request,
    TextMessage,
)
from wsproto.extensions import Extension
from wsproto.frame_protocol import CloseReason, RsvBits
from wsproto.utilities import LocalProtocolError


def test_close_initiated_locally() -> None:
    client, server = handshake_pair()
    server.receive_data(client.send(CloseConnection(1000, "done")))
    assert client.state is ConnectionState.LOCAL_CLOSING
    (event,) = server.events()
    assert event == CloseConnection(1000, "done")
    assert server.state is ConnectionState.REMOTE_CLOSING
    client.receive_data(server.send(event.response()))  # type: ignore[attr-defined]
    assert server.state is ConnectionState.CLOSED
    assert list(client.events()) == [CloseConnection(1000, "done")]
    assert client.state is ConnectionState.CLOSED


def test_messages_still_arrive_while_local_closing() -> None:
    client, server = handshake_pair()
    server.receive_data(client.send(CloseConnection(1000)))
    client.receive_data(server.send(TextMessage("last words")))
    assert list(client.events()) == [TextMessage("last words")]


def test_send_in_remote_closing_is_allowed_until_close() -> None:
    client, server = handshake_pair()
    server.receive_data(client.send(CloseConnection(1001)))
    list(server.events())
    assert server.send(Message(data=b"bye"))
    server.send(CloseConnection(1001))
    with pytest.raises(LocalProtocolError, match="closed"):
        server.send(Message(data=b"x"))


def test_eof_without_close_reports_1006() -> None:
    client, server = handshake_pair()
    server.receive_data(client.send(TextMessage("hi")))
    server.receive_data(None)
    assert server.state is ConnectionState.CLOSED
    # Data that arrived before the EOF is still delivered, then the abnormal closure.
    assert list(server.events()) == [
        TextMessage("hi"),
        CloseConnection(CloseReason.ABNORMAL_CLOSURE),
    ]
    assert list(server.events()) == []


def test_eof_after_close_handshake_is_quiet() -> None:
    client, server = handshake_pair()
    server.receive_data(client.send(CloseConnection(1000)))
    client.receive_data(server.send(next(server.events()).response()))  # type: ignore[attr-defined]
    list(client.events())
    client.receive_data(None)
    assert list(client.events()) == []


def test_eof_while_local_closing_reports_1006() -> None:
    client, _ = handshake_pair()
    client.send(CloseConnection(1000))
    client.receive_data(None)
    assert list(client.events()) == [CloseConnection(1006)]


def test_protocol_error_moves_to_remote_closing_and_stops_reading() -> None:
    conn = server_side()
    events = feed(conn, frame(3, b"") + frame(1, b"ignored"))
    assert events == [CloseConnection(1002, "reserved opcode 0x3")]
    assert conn.state is ConnectionState.REMOTE_CLOSING
    assert conn.send(events[0].response()) == b"\x88\x15\x03\xeareserved opcode 0x3"  # type: ignore[attr-defined]
    assert conn.state is ConnectionState.CLOSED
    assert feed(conn, frame(1, b"more")) == []


@pytest.mark.parametrize("code", [0, 999, 1004, 1014, 1016, 2999, 5000, 70000, -1])
def test_invalid_local_close_codes_raise(code: int) -> None:
    with pytest.raises(LocalProtocolError, match="invalid close code"):
        server_side().send(CloseConnection(code))


@pytest.mark.parametrize("code", [1006, 1015])
@pytest.mark.parametrize("closing_side", ["opening", "answering"])
def test_reserved_local_close_codes_close_without_a_status_code(
    code: int, closing_side: str
) -> None:
    # trio-websocket sends CloseConnection(1006) when its transport is gone; 1.x moved the
    # state (sending 1000). wsproto 2 moves the state and sends no status code at all.
    client, server = handshake_pair()
    if closing_side == "answering":
        server.receive_data(client.send(CloseConnection(1000)))
        list(server.events())
    data = server.send(CloseConnection(code, "gone"))
    assert data == b"\x88\x00"
    expected = ConnectionState.CLOSED if closing_side == "answering" else (
        ConnectionState.LOCAL_CLOSING
    )
    assert server.state is expected
    client.receive_data(data)
    (event,) = client.events()
    assert event == CloseConnection(CloseReason.NO_STATUS_RCVD, "")


def test_received_close_codes_are_close_reason_members_when_known() -> None:
    for code, expected_type in ((1000, CloseReason), (1011, CloseReason), (4321, int)):
        client, server = handshake_pair()
        client.receive_data(server.send(CloseConnection(code)))
        (event,) = client.events()
        assert event.code == code
        assert type(event.code) is expected_type
    assert event.code is not CloseReason.NORMAL_CLOSURE


def test_1005_is_sent_as_empty_close() -> None:
    assert server_side().send(CloseConnection(1005, "ignored")) == b"\x88\x00"


def test_long_close_reason_is_truncated_on_a_character_boundary() -> None:
    data = server_side().send(CloseConnection(1000, "é" * 100))
    assert len(data) == 2 + 125 - 1  # 2 code bytes + 61 two-byte characters
    assert data[4:].decode("utf-8") == "é" * 61


@pytest.mark.parametrize("event", [Ping(b"x" * 126), Pong(b"x" * 126)])
def test_oversized_control_payload_raises(event: object) -> None:
    with pytest.raises(LocalProtocolError, match="at most 125"):
        server_side().send(event)  # type: ignore[arg-type]
    with pytest.raises(ValueError):  # what upstream 1.x raised: code catching it still works
        server_side().send(event)  # type: ignore[arg-type]


def test_sending_after_close_raises() -> None:
    conn = server_side()
    conn.send(CloseConnection(1000))
    for event in (Message(data="x"), Ping(), Pong(), CloseConnection(1000)):
        with pytest.raises(LocalProtocolError, match="LOCAL_CLOSING"):
            conn.send(event)


def test_switching_message_type_mid_message_raises() -> None:
    conn = server_side()
    conn.send(Message(data="a", message_finished=False))
    with pytest.raises(LocalProtocolError, match="text and binary"):
        conn.send(Message(data=b"b"))


def test_fragmented_send_uses_continuation() -> None:
    conn = server_side()
    assert conn.send(TextMessage("a", message_finished=False)) == b"\x01\x01a"
    assert conn.send(TextMessage("b")) == b"\x80\x01b"


def test_lone_surrogate_text_raises() -> None:
    with pytest.raises(LocalProtocolError, match="UTF-8"):
        server_side().send(TextMessage("\ud800"))


def test_unknown_event_raises() -> None:
    with pytest.raises(LocalProtocolError):
        server_side().send(Request(host="a", target="/"))


# -- limits ---------------------------------------------------------------------


@pytest.mark.parametrize("size, ok", [(99, True), (100, True), (101, False)])
def test_max_message_size_single_frame(size: int, ok: bool) -> None:
    events = feed(server_side(max_message_size=100), frame(2, b"x" * size))
    if ok:
        assert events == [BytesMessage(b"x" * size)]
    else:
        assert [type(e) for e in events] == [CloseConnection]
        assert events[0].code == CloseReason.MESSAGE_TOO_BIG  # type: ignore[attr-defined]


@pytest.mark.parametrize("size, ok", [(99, True), (100, True), (101, False)])
def test_max_message_size_fragmented(size: int, ok: bool) -> None:
    stream = frame(1, b"x" * 50, fin=False) + frame(0, b"x" * (size - 50))
    events = feed(server_side(max_message_size=100), stream)
    assert (events[-1] == TextMessage("x" * (size - 50))) is ok
    if not ok:
        assert events[-1].code == 1009  # type: ignore[attr-defined]


@pytest.mark.parametrize("size, ok", [(99, True), (100, True), (101, False)])
def test_max_frame_size(size: int, ok: bool) -> None:
    events = feed(server_side(max_frame_size=100), frame(2, b"x" * size))
    assert isinstance(events[0], BytesMessage) is ok


def test_limits_through_wsconnection() -> None:
    client, server = handshake_pair(max_message_size=10)
    server.receive_data(client.send(Message(data=b"x" * 11)))
    (event,) = server.events()
    assert event == CloseConnection(1009, "message exceeds max_message_size=10")


# -- upstream regressions ---------------------------------------------------------


def test_ping_between_fragments_keeps_message_state() -> None:
    client, server = handshake_pair()
    data = client.send(TextMessage("he", message_finished=False))
    data += client.send(Ping(b"p"))
    data += client.send(TextMessage("llo"))
    server.receive_data(data)
    events = list(server.events())
    assert events == [
        TextMessage("he", message_finished=False),
        Ping(b"p"),
        TextMessage("llo"),
    ]


class CountingExtension(Extension):
    """Per-connection state: counts frames; claims RSV3."""

    name = "x-counting"
    rsv_bits = RsvBits(False, False, True)

    def __init__(self) -> None:
        self.frames = 0

    def offer_params(self) -> dict:  # type: ignore[type-arg]
        return {}

    def accept_params(self, params: dict) -> dict:  # type: ignore[type-arg]
        return {}

    def finalize_params(self, params: dict) -> None:  # type: ignore[type-arg]
        pass

    def fresh(self) -> CountingExtension:
        return CountingExtension()

    def frame_outbound(self, proto, opcode, rsv, data, fin):  # type: ignore[no-untyped-def]
        self.frames += 1
        return RsvBits(rsv.rsv1, rsv.rsv2, True), data

    def frame_inbound_header(self, proto, opcode, rsv, payload_length):  # type: ignore[no-untyped-def]
        return RsvBits(False, False, True)


class StatelessUpstreamExtension(Extension):
    name = "x-upstream"

    def accept(self, offer: str) -> bool:
        return True


def test_shared_extension_instance_gets_fresh_copy_per_connection() -> None:
    shared = CountingExtension()
    conns = []
    for _ in range(2):
        server = WSConnection(ConnectionType.SERVER)
        client = WSConnection(ConnectionType.CLIENT)
        server.receive_data(
            client.send(Request(host="h", target="/", extensions=[CountingExtension()]))
        )
        list(server.events())
        client.receive_data(server.send(AcceptConnection(extensions=[shared])))
        list(client.events())
        conns.append((client, server))
    first, second = (s.connection.extensions[0] for _, s in conns)  # type: ignore[union-attr]
    assert first is shared and second is not shared
    conns[1][0].receive_data(conns[1][1].send(TextMessage("hi")))
    assert list(conns[1][0].events()) == [TextMessage("hi")]
    assert (first.frames, second.frames) == (0, 1)


def test_shared_instance_without_fresh_raises_clearly() -> None:
    shared = StatelessUpstreamExtension()
    Connection(ConnectionType.SERVER, [])  # unrelated connection
    shared._wsproto_negotiated = True  # type: ignore[attr-defined]
    Connection(ConnectionType.SERVER, [shared])
    with pytest.raises(LocalProtocolError, match="new instance per connection"):
        Connection(ConnectionType.SERVER, [shared])


def test_rsv_bit_of_negotiated_extension_is_accepted() -> None:
    ext = CountingExtension()
    ext._wsproto_negotiated = True  # type: ignore[attr-defined]
    conn = Connection(ConnectionType.SERVER, [ext])
    assert feed(conn, frame(1, b"a", rsv=0x10)) == [TextMessage("a")]
    (event,) = feed(
        Connection(ConnectionType.SERVER, [CountingExtension()]), frame(1, b"a", rsv=0x10)
    )
    assert event.code == 1002  # type: ignore[attr-defined]
    # RSV1 is not owned by the negotiated extension: 1002.
    ext2 = CountingExtension()
    ext2._wsproto_negotiated = True  # type: ignore[attr-defined]
    (event,) = feed(Connection(ConnectionType.SERVER, [ext2]), frame(1, b"a", rsv=0x40))
    assert event.code == 1002  # type: ignore[attr-defined]


def test_trailing_data_is_processed() -> None:
    conn = Connection(ConnectionType.CLIENT, trailing_data=frame(1, b"early", mask=None))
    assert list(conn.events()) == [TextMessage("early")]


def test_client_connection_masks_and_roundtrips() -> None:
    client = client_side()
    server = server_side()
    server.receive_data(client.send(Message(data=b"\x00" * 1000)))
    assert list(server.events()) == [BytesMessage(b"\x00" * 1000)]
    raw = client.send(Message(data=b"\x00" * 8))
    assert raw[1] & 0x80 and raw[6:] != b"\x00" * 8


def test_close_code_on_wire() -> None:
    assert (
        server_side().send(CloseConnection(4000, "app"))
        == b"\x88\x05" + struct.pack("!H", 4000) + b"app"
    )


def test_subclass_overrides_survive_the_handshake() -> None:
    sent = []

    class Logged(WSConnection):
        def send(self, event):  # type: ignore[no-untyped-def]
            sent.append(type(event).__name__)
            return super().send(event)

    client = Logged(ConnectionType.CLIENT)
    server = WSConnection(ConnectionType.SERVER)
    server.receive_data(client.send(Request(host="h", target="/")))
    list(server.events())
    client.receive_data(server.send(AcceptConnection()))
    list(client.events())
    server.receive_data(client.send(TextMessage("hi")))
    assert list(server.events()) == [TextMessage("hi")]
    assert sent == ["Request", "TextMessage"]
