"""The permessage-deflate data path (RFC 7692 section 6 and 7.2), through WSConnection pairs."""

from __future__ import annotations

import pytest

from wsproto.events import BytesMessage, CloseConnection, Ping, Pong, TextMessage
from wsproto_deflate import PerMessageDeflate

from .helpers import close_code, deflate_pair, events, frame, join_message, split_frames

# Byte-exact checks use the stdlib backend (zlib-ng finds other, equally valid, encodings).
ZLIB = {"backend": "zlib"}


def pmd(*args: object, **kwargs: object) -> PerMessageDeflate:
    return PerMessageDeflate(*args, **{**ZLIB, **kwargs})  # type: ignore[arg-type]


# -- RFC 7692 section 7.2.3 examples ---------------------------------------------------------


def test_rfc_7_2_3_1_hello_bytes() -> None:
    pair = deflate_pair(pmd(), pmd())
    assert pair.send("server", TextMessage("Hello")) == bytes.fromhex("c107f248cdc9c90700")
    client_frames = split_frames(pair.send("client", TextMessage("Hello")))
    assert client_frames == [(0xC1, bytes.fromhex("f248cdc9c90700"))]


def test_rfc_7_2_3_1_receive_hello_single_and_fragmented() -> None:
    pair = deflate_pair(pmd(), pmd())
    assert events(pair.client, bytes.fromhex("c107f248cdc9c90700")) == [
        TextMessage("Hello", True, True)
    ]
    fragmented = bytes.fromhex("4103f248cd") + bytes.fromhex("8004c9c90700")
    got = events(pair.client, fragmented)
    assert join_message(got)[0] == "Hello"
    assert got[-1].message_finished  # type: ignore[attr-defined]


def test_rfc_7_2_3_2_sharing_the_window() -> None:
    pair = deflate_pair(pmd(), pmd())
    assert pair.send("server", TextMessage("Hello")) == bytes.fromhex("c107f248cdc9c90700")
    assert pair.send("server", TextMessage("Hello")) == bytes.fromhex("c105f200110000")
    got = events(pair.client, bytes.fromhex("c107f248cdc9c90700") + bytes.fromhex("c105f200110000"))
    assert [e.data for e in got] == ["Hello", "Hello"]  # type: ignore[attr-defined]


def test_rfc_7_2_3_3_block_with_no_compression() -> None:
    pair = deflate_pair(pmd(), pmd())
    got = events(pair.client, bytes.fromhex("c10b0005 00faff48656c6c6f00".replace(" ", "")))
    assert got == [TextMessage("Hello", True, True)]


def test_rfc_7_2_3_4_bfinal_block_then_more_messages() -> None:
    pair = deflate_pair(pmd(), pmd())
    got = events(pair.client, bytes.fromhex("c108f348cdc9c9070000"))
    assert got == [TextMessage("Hello", True, True)]
    # without the trailing empty stored block, and split in two frames
    got = events(pair.client, bytes.fromhex("c107f348cdc9c90700"))
    assert got == [TextMessage("Hello", True, True)]
    got = events(pair.client, bytes.fromhex("4106f348cdc9c907") + bytes.fromhex("80020000"))
    assert join_message(got)[0] == "Hello"
    # after a final block the peer starts a new stream; both forms keep working
    got = events(pair.client, bytes.fromhex("c107f248cdc9c90700") + bytes.fromhex("c105f200110000"))
    assert [e.data for e in got] == ["Hello", "Hello"]  # type: ignore[attr-defined]


def test_rfc_7_2_3_5_two_deflate_blocks_in_one_message() -> None:
    pair = deflate_pair(pmd(), pmd())
    got = events(pair.client, bytes.fromhex("c10df248050000 00ffffcac9c90700".replace(" ", "")))
    assert got == [TextMessage("Hello", True, True)]


def test_rfc_7_2_3_6_empty_message() -> None:
    pair = deflate_pair(pmd(), pmd())
    assert pair.send("server", BytesMessage(b"")) == bytes.fromhex("c20100")
    assert events(pair.client, bytes.fromhex("c20100")) == [BytesMessage(b"", True, True)]
    # lenient: an empty payload with RSV1 is an empty message too
    assert events(pair.client, bytes.fromhex("c100")) == [TextMessage("", True, True)]
    # the window still works afterwards
    assert pair.deliver("server", TextMessage("Hello")) == [TextMessage("Hello", True, True)]


# -- context takeover ------------------------------------------------------------------------


@pytest.mark.parametrize("sender", ["client", "server"])
def test_context_takeover(sender: str) -> None:
    pair = deflate_pair(pmd(), pmd())
    message = "the same sentence, again and again " * 3
    sizes = []
    for _ in range(3):
        wire = pair.send(sender, TextMessage(message))
        sizes.append(len(split_frames(wire)[0][1]))
        receiver = pair.server if sender == "client" else pair.client
        assert events(receiver, wire) == [TextMessage(message, True, True)]
    assert sizes[1] < sizes[0] and sizes[2] < sizes[0]


@pytest.mark.parametrize(
    ("sender", "config"),
    [
        ("client", {"client_no_context_takeover": True}),
        ("server", {"server_no_context_takeover": True}),
    ],
)
def test_no_context_takeover(sender: str, config: dict[str, bool]) -> None:
    pair = deflate_pair(pmd(**config), pmd())
    agreement = pair.extension("server").agreement  # type: ignore[union-attr]
    assert agreement is not None and getattr(agreement, next(iter(config)))
    message = "the same sentence, again and again " * 3
    payloads = []
    receiver = pair.server if sender == "client" else pair.client
    for _ in range(3):
        wire = pair.send(sender, TextMessage(message))
        payloads.append(split_frames(wire)[0][1])
        assert events(receiver, wire) == [TextMessage(message, True, True)]
    assert payloads[0] == payloads[1] == payloads[2]


def test_server_imposed_client_no_context_takeover() -> None:
    pair = deflate_pair(pmd(), pmd(client_no_context_takeover=True))
    wires = [split_frames(pair.send("client", TextMessage("Hello")))[0][1] for _ in range(2)]
    assert wires[0] == wires[1] == bytes.fromhex("f248cdc9c90700")


# -- fragmentation and RSV1 ------------------------------------------------------------------


@pytest.mark.parametrize("sender", ["client", "server"])
def test_fragmented_message_rsv1_only_on_first_frame(sender: str) -> None:
    pair = deflate_pair(pmd(), pmd())
    parts = ["first part, ", "", "second part, ", "third part" * 20]
    wire = b""
    for i, part in enumerate(parts):
        wire += pair.send(sender, TextMessage(part, message_finished=i == len(parts) - 1))
    frames = split_frames(wire)
    assert [hex(b0) for b0, _ in frames] == ["0x41", "0x0", "0x0", "0x80"]
    receiver = pair.server if sender == "client" else pair.client
    got = events(receiver, wire)
    assert join_message(got)[0] == "".join(parts)
    # the window carries on into the next message
    assert pair.deliver(sender, TextMessage("third part")) == [
        TextMessage("third part", True, True)
    ]


def test_fragmented_message_ending_with_empty_frame() -> None:
    pair = deflate_pair(pmd(), pmd())
    wire = pair.send("client", BytesMessage(b"abc" * 50, message_finished=False))
    wire += pair.send("client", BytesMessage(b"", message_finished=True))
    assert split_frames(wire)[-1] == (0x80, b"\x00")
    assert join_message(events(pair.server, wire))[0] == b"abc" * 50
    assert pair.deliver("client", BytesMessage(b"abc")) == [BytesMessage(b"abc", True, True)]


def test_fragmented_no_context_takeover_empty_last_frame() -> None:
    pair = deflate_pair(pmd(client_no_context_takeover=True), pmd())
    for _ in range(2):
        wire = pair.send("client", BytesMessage(b"xyz" * 30, message_finished=False))
        wire += pair.send("client", BytesMessage(b"", message_finished=True))
        assert join_message(events(pair.server, wire))[0] == b"xyz" * 30


def test_rsv1_on_continuation_fails_with_1002() -> None:
    pair = deflate_pair(pmd(), pmd())
    wire = frame(0x41, bytes.fromhex("f248cd"), mask=True) + frame(
        0xC0, bytes.fromhex("c9c90700"), mask=True
    )
    assert close_code(events(pair.server, wire)) == 1002


def test_rsv1_on_continuation_of_uncompressed_message_fails_with_1002() -> None:
    pair = deflate_pair(pmd(), pmd())
    wire = frame(0x01, b"Hel", mask=True) + frame(0xC0, b"lo", mask=True)
    assert close_code(events(pair.server, wire)) == 1002


@pytest.mark.parametrize("byte0", [0xC9, 0xCA, 0xC8])
def test_rsv1_on_control_frame_fails_with_1002(byte0: int) -> None:
    pair = deflate_pair(pmd(), pmd())
    assert close_code(events(pair.server, frame(byte0, b"", mask=True))) == 1002


def test_other_rsv_bits_fail_with_1002() -> None:
    pair = deflate_pair(pmd(), pmd())
    assert close_code(events(pair.server, frame(0xE1, b"\x00", mask=True))) == 1002


def test_uncompressed_messages_pass_through() -> None:
    pair = deflate_pair(pmd(), pmd())
    got = events(pair.server, frame(0x81, b"plain", mask=True))
    assert got == [TextMessage("plain", True, True)]
    got = events(pair.server, frame(0x01, b"pl", mask=True) + frame(0x80, b"ain", mask=True))
    assert join_message(got)[0] == "plain"
    # and do not disturb the compressed stream around them
    assert pair.deliver("client", TextMessage("Hello")) == [TextMessage("Hello", True, True)]


# -- control frames between fragments (upstream wsproto PR #205) ----------------------------


def test_control_frames_between_compressed_fragments_inbound() -> None:
    pair = deflate_pair(pmd(), pmd())
    wire = (
        frame(0x41, bytes.fromhex("f248cd"), mask=True)
        + frame(0x89, b"ping", mask=True)
        + frame(0x8A, b"pong", mask=True)
        + frame(0x80, bytes.fromhex("c9c90700"), mask=True)
    )
    got = events(pair.server, wire)
    data, others = join_message(got)
    assert data == "Hello"
    assert others == [Ping(b"ping"), Pong(b"pong")]
    # the window is intact: RFC 7.2.3.2's second message needs the first
    assert events(pair.server, frame(0xC1, bytes.fromhex("f200110000"), mask=True)) == [
        TextMessage("Hello", True, True)
    ]


def test_control_frames_between_compressed_fragments_outbound() -> None:
    pair = deflate_pair(pmd(), pmd())
    wire = pair.send("server", TextMessage("Hel", message_finished=False))
    wire += pair.send("server", Ping(b"p"))
    wire += pair.send("server", TextMessage("lo", message_finished=True))
    assert [b0 for b0, _ in split_frames(wire)] == [0x41, 0x89, 0x80]
    data, others = join_message(events(pair.client, wire))
    assert data == "Hello" and others == [Ping(b"p")]
    assert pair.deliver("server", TextMessage("Hello")) == [TextMessage("Hello", True, True)]


# -- corrupt data ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "payload",
    [
        b"\xff\xff\xff\xff",  # reserved block type
        bytes.fromhex("f248cdc9c9070000"),  # an extra byte that is not a valid block start
        bytes.fromhex("0005 00 fbff 48656c6c6f".replace(" ", "")),  # stored block LEN/NLEN mismatch
        bytes.fromhex("f348cdc9c90700") + b"junk",  # data after the final block
        bytes.fromhex("f200110000"),  # refers back to a window this stream never had
    ],
)
def test_corrupt_data_fails_with_1007(payload: bytes) -> None:
    pair = deflate_pair(pmd(), pmd())
    got = events(pair.server, frame(0xC2, payload, mask=True))
    assert close_code(got) == 1007
    assert not any(getattr(e, "message_finished", False) for e in got)


def test_corrupt_data_split_over_frames_fails_with_1007() -> None:
    pair = deflate_pair(pmd(), pmd())
    # a stored block whose LEN (5) and NLEN (0xfffb) disagree, split between two frames
    wire = frame(0x42, b"\x00\x05\x00", mask=True) + frame(0x80, b"\xfb\xffHello", mask=True)
    assert close_code(events(pair.server, wire)) == 1007


def test_close_after_failure_is_sendable() -> None:
    pair = deflate_pair(pmd(), pmd())
    got = events(pair.server, frame(0xC2, b"\xff\xff", mask=True))
    close = next(e for e in got if isinstance(e, CloseConnection))
    pair.server.send(close.response())


# -- threshold -------------------------------------------------------------------------------


def test_threshold() -> None:
    pair = deflate_pair(pmd(), pmd(threshold=10))
    small = pair.send("server", TextMessage("Hello"))
    assert small == b"\x81\x05Hello"  # below the threshold: no RSV1, not compressed
    assert events(pair.client, small) == [TextMessage("Hello", True, True)]
    big = pair.send("server", TextMessage("Hello, world"))
    assert split_frames(big)[0][0] == 0xC1
    assert events(pair.client, big) == [TextMessage("Hello, world", True, True)]
    # a fragmented message is compressed whatever its size (the total is unknown)
    frag = pair.send("server", TextMessage("Hi", message_finished=False))
    frag += pair.send("server", TextMessage("!", message_finished=True))
    assert split_frames(frag)[0][0] == 0x41
    assert join_message(events(pair.client, frag))[0] == "Hi!"


def test_threshold_equal_size_is_compressed() -> None:
    pair = deflate_pair(pmd(threshold=5), pmd())
    assert split_frames(pair.send("client", TextMessage("Hello")))[0][0] == 0xC1


# -- text split by small inflate steps ---------------------------------------------------------


def test_multibyte_text_across_inflate_steps() -> None:
    text = "żółw 🐢 " * 400
    pair = deflate_pair(pmd(), pmd(inflate_step=7))
    got = pair.deliver("client", TextMessage(text))
    # at most 7 inflated bytes per event, plus up to 3 held back by the UTF-8 decoder
    assert all(len(e.data.encode()) <= 7 + 3 for e in got)  # type: ignore[attr-defined]
    assert join_message(got)[0] == text
    assert got[-1].message_finished  # type: ignore[attr-defined]
