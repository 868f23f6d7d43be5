"""Framing rules of RFC 6455 section 5, through a post-handshake Connection."""

from __future__ import annotations

import struct

import pytest
from core_helpers import client_side, feed, frame, replay_stream, server_side

from wsproto import ConnectionType
from wsproto._masking import python_mask
from wsproto.connection import ConnectionState
from wsproto.events import BytesMessage, CloseConnection, Ping, Pong, TextMessage
from wsproto.frame_protocol import CloseReason, FrameEncoder, Opcode


@pytest.mark.parametrize("size", [0, 1, 125, 126, 127, 65535, 65536, 70000])
def test_every_length_encoding_parses(size: int) -> None:
    payload = bytes(i & 0xFF for i in range(size))
    events = replay_stream(frame(2, payload), ConnectionType.SERVER)
    assert events == [BytesMessage(payload)]


@pytest.mark.parametrize("size, header_len", [(0, 2), (125, 2), (126, 4), (65535, 4), (65536, 10)])
def test_encoder_uses_minimal_length(size: int, header_len: int) -> None:
    data = FrameEncoder(client=False).data(b"x" * size, fin=True)
    assert len(data) == header_len + size
    masked = FrameEncoder(client=True).data(b"x" * size, fin=True)
    assert len(masked) == header_len + 4 + size
    assert masked[1] & 0x80


@pytest.mark.parametrize("length, encoding", [(5, 16), (125, 16), (200, 64), (65535, 64)])
def test_non_minimal_length_is_a_protocol_error(length: int, encoding: int) -> None:
    events = feed(server_side(), frame(2, b"a" * length, length_encoding=encoding))
    assert events == [CloseConnection(1002, events[0].reason)]  # type: ignore[union-attr]
    assert "minimal" in events[0].reason  # type: ignore[union-attr,operator]


def test_64bit_length_with_msb_set_fails() -> None:
    raw = bytes((0x82, 0xFF)) + struct.pack("!Q", 1 << 63) + b"\x00" * 4
    (event,) = feed(server_side(), raw)
    assert isinstance(event, CloseConnection) and event.code == 1002


def test_server_requires_masked_frames() -> None:
    (event,) = feed(server_side(), frame(1, b"hi", mask=None))
    assert event == CloseConnection(1002, "client frames must be masked")


def test_client_rejects_masked_frames() -> None:
    (event,) = feed(client_side(), frame(1, b"hi"))
    assert event == CloseConnection(1002, "server frames must not be masked")


def test_client_reads_unmasked_frames() -> None:
    assert feed(client_side(), frame(1, b"hi", mask=None)) == [TextMessage("hi")]


@pytest.mark.parametrize("opcode", [3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF])
def test_reserved_opcodes_fail(opcode: int) -> None:
    (event,) = feed(server_side(), frame(opcode, b""))
    assert isinstance(event, CloseConnection) and event.code == 1002
    assert "reserved opcode" in (event.reason or "")


@pytest.mark.parametrize("rsv", [0x40, 0x20, 0x10, 0x70])
@pytest.mark.parametrize("opcode", [1, 2, 9])
def test_reserved_bits_fail_without_extension(rsv: int, opcode: int) -> None:
    (event,) = feed(server_side(), frame(opcode, b"", rsv=rsv))
    assert isinstance(event, CloseConnection) and event.code == 1002


def test_control_frame_rules() -> None:
    (event,) = feed(server_side(), frame(9, b"x" * 126))
    assert event.code == 1002  # type: ignore[attr-defined]
    (event,) = feed(server_side(), frame(9, b"x", fin=False))
    assert event.code == 1002  # type: ignore[attr-defined]


def test_control_frames_interleave_with_fragments() -> None:
    stream = (
        frame(1, b"hel", fin=False)
        + frame(9, b"ping")
        + frame(0, b"lo ", fin=False)
        + frame(10, b"pong")
        + frame(0, b"world")
    )
    events = replay_stream(stream, ConnectionType.SERVER)
    assert events == [Ping(b"ping"), Pong(b"pong"), TextMessage("hello world")]


def test_fragments_are_streamed_with_flags() -> None:
    stream = frame(2, b"ab", fin=False) + frame(0, b"cd")
    assert feed(server_side(), stream) == [
        BytesMessage(b"ab", frame_finished=True, message_finished=False),
        BytesMessage(b"cd", frame_finished=True, message_finished=True),
    ]


def test_partial_frame_is_delivered_without_buffering_whole() -> None:
    conn = server_side()
    raw = frame(2, b"0123456789")
    events = feed(conn, raw[:8])  # header (6 bytes) + 2 payload bytes
    assert events == [BytesMessage(b"01", frame_finished=False, message_finished=False)]
    events = feed(conn, raw[8:])
    assert events == [BytesMessage(b"23456789", frame_finished=True, message_finished=True)]


def test_continuation_without_start_fails() -> None:
    (event,) = feed(server_side(), frame(0, b"x"))
    assert event.code == 1002  # type: ignore[attr-defined]


def test_new_message_during_fragmented_message_fails() -> None:
    events = feed(server_side(), frame(1, b"a", fin=False) + frame(1, b"b"))
    assert events[-1].code == 1002  # type: ignore[attr-defined]


def test_invalid_utf8_fails_fast_mid_message() -> None:
    conn = server_side()
    # 0xF4 0x90 can never start a valid sequence: fail at once, before the message ends.
    events = feed(conn, frame(1, b"ok\xf4\x90", fin=False))
    assert events == [CloseConnection(1007, "text message is not valid UTF-8")]
    assert conn.state is ConnectionState.REMOTE_CLOSING


def test_utf8_split_across_frames_is_fine() -> None:
    euro = "€".encode()
    stream = frame(1, euro[:1], fin=False) + frame(0, euro[1:2], fin=False) + frame(0, euro[2:])
    assert replay_stream(stream, ConnectionType.SERVER) == [TextMessage("€")]


def test_truncated_utf8_at_message_end_fails() -> None:
    events = feed(server_side(), frame(1, "€".encode()[:2]))
    assert events == [CloseConnection(1007, "text message is not valid UTF-8")]


@pytest.mark.parametrize(
    "payload, code",
    [
        (b"\x03", 1002),  # one byte
        (struct.pack("!H", 999), 1002),
        (struct.pack("!H", 1004), 1002),
        (struct.pack("!H", 1005), 1002),
        (struct.pack("!H", 1006), 1002),
        (struct.pack("!H", 1015), 1002),
        (struct.pack("!H", 1016), 1002),
        (struct.pack("!H", 2999), 1002),
        (struct.pack("!H", 5000), 1002),
        (struct.pack("!H", 1000) + b"\xff", 1007),
    ],
)
def test_invalid_close_payloads(payload: bytes, code: int) -> None:
    (event,) = feed(server_side(), frame(8, payload))
    assert isinstance(event, CloseConnection) and event.code == code


@pytest.mark.parametrize("code", [1000, 1001, 1003, 1007, 1011, 1012, 1013, 3000, 4999])
def test_valid_close_codes_are_reported(code: int) -> None:
    conn = server_side()
    (event,) = feed(conn, frame(8, struct.pack("!H", code) + "naïve".encode()))
    assert event == CloseConnection(code, "naïve")
    assert conn.state is ConnectionState.REMOTE_CLOSING


def test_empty_close_reports_1005_and_replies_empty() -> None:
    conn = server_side()
    (event,) = feed(conn, frame(8, b""))
    assert event == CloseConnection(CloseReason.NO_STATUS_RCVD, "")
    assert conn.send(event.response()) == b"\x88\x00"  # type: ignore[attr-defined]
    assert conn.state is ConnectionState.CLOSED


def test_ping_pong_carry_payload() -> None:
    conn = server_side()
    (ping,) = feed(conn, frame(9, b"abc"))
    assert ping == Ping(b"abc")
    assert conn.send(ping.response()) == b"\x8a\x03abc"  # type: ignore[attr-defined]


def test_masking_matches_rfc_example() -> None:
    # RFC 6455 section 5.7: a masked "Hello".
    raw = bytes.fromhex("818537fa213d7f9f4d5158")
    assert feed(server_side(), raw) == [TextMessage("Hello")]
    assert python_mask(b"Hello", bytes.fromhex("37fa213d")) == bytes.fromhex("7f9f4d5158")


def test_frames_after_close_are_ignored() -> None:
    conn = server_side()
    events = feed(conn, frame(8, struct.pack("!H", 1000)) + frame(1, b"late"))
    assert events == [CloseConnection(1000, "")]


def test_opcode_and_reason_enums() -> None:
    assert Opcode.PING.iscontrol() and not Opcode.TEXT.iscontrol()
    assert CloseReason.SERVICE_RESTART == 1012
    assert CloseReason.TRY_AGAIN_LATER == 1013
    assert CloseReason.TLS_HANDSHAKE_FAILED == 1015
