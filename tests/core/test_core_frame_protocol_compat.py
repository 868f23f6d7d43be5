"""The wsproto 1.x frame API of ``wsproto.frame_protocol``: FrameProtocol, FrameDecoder and helpers.

Plain tests pin the 1.3.2 behaviour with literal values (they run everywhere, offline);
the differential test (marked ``installs``) runs ``frame_protocol_driver.py`` under this
project and under upstream wsproto 1.3.2, installed into a fresh venv, and compares.
"""

from __future__ import annotations

import ast
import json
import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest
from core_helpers import frame

import wsproto.frame_protocol as fp
from wsproto.extensions import Extension
from wsproto.frame_protocol import (
    CloseReason,
    Frame,
    FrameDecoder,
    FrameProtocol,
    Opcode,
    ParseFailed,
    RsvBits,
)
from wsproto.utilities import LocalProtocolError

HERE = Path(__file__).resolve().parent
DRIVER = HERE / "frame_protocol_driver.py"
KEY = b"\x37\xfa\x21\x3d"
TIMEOUT = 900
VERSION_PROBE = "import importlib.metadata as m; print(m.version('wsproto'))"

# The names upstream 1.3.2's frame_protocol defines without a leading underscore
# (module constants, classes; not its imports).
UPSTREAM_NAMES = [
    "Buffer",
    "CloseReason",
    "FIN_MASK",
    "Frame",
    "FrameDecoder",
    "FrameProtocol",
    "Header",
    "LOCAL_ONLY_CLOSE_REASONS",
    "MASK_MASK",
    "MAX_CLOSE_REASON",
    "MAX_FRAME_PAYLOAD",
    "MAX_LIBRARY_CLOSE_REASON",
    "MAX_PAYLOAD_EIGHT_BYTE",
    "MAX_PAYLOAD_NORMAL",
    "MAX_PAYLOAD_TWO_BYTE",
    "MAX_PRIVATE_CLOSE_REASON",
    "MAX_PROTOCOL_CLOSE_REASON",
    "MIN_CLOSE_REASON",
    "MIN_LIBRARY_CLOSE_REASON",
    "MIN_PRIVATE_CLOSE_REASON",
    "MIN_PROTOCOL_CLOSE_REASON",
    "MessageDecoder",
    "NULL_MASK",
    "OPCODE_MASK",
    "Opcode",
    "PAYLOAD_LENGTH_EIGHT_BYTE",
    "PAYLOAD_LENGTH_TWO_BYTE",
    "PAYLOAD_LEN_MASK",
    "ParseFailed",
    "RSV1_MASK",
    "RSV2_MASK",
    "RSV3_MASK",
    "RsvBits",
    "XorMaskerNull",
    "XorMaskerSimple",
]


def masked(opcode: int, payload: bytes, **kw: Any) -> bytes:
    return frame(opcode, payload, mask=KEY, **kw)


def plain(opcode: int, payload: bytes, **kw: Any) -> bytes:
    return frame(opcode, payload, mask=None, **kw)


def frames_of(proto: FrameProtocol, *chunks: bytes) -> List[Frame]:
    out: List[Frame] = []
    for chunk in chunks:
        proto.receive_bytes(chunk)
        out.extend(proto.received_frames())
    return out


def failure_code(proto: FrameProtocol, data: bytes) -> int:
    proto.receive_bytes(data)
    with pytest.raises(ParseFailed) as info:
        list(proto.received_frames())
    return int(info.value.code)


def unmask(data: bytes) -> bytes:
    """The payload of one masked frame with a 7-bit length."""
    assert data[1] & 0x80
    key, body = data[2:6], data[6:]
    return bytes(b ^ key[i % 4] for i, b in enumerate(body))


# -- names and constants ---------------------------------------------------------------------


def test_every_upstream_name_is_importable() -> None:
    missing = [name for name in UPSTREAM_NAMES if not hasattr(fp, name)]
    assert missing == []
    assert set(UPSTREAM_NAMES) <= set(fp.__all__)


def test_constants_have_their_1x_values() -> None:
    assert (fp.PAYLOAD_LENGTH_TWO_BYTE, fp.PAYLOAD_LENGTH_EIGHT_BYTE) == (126, 127)
    assert (fp.MAX_PAYLOAD_NORMAL, fp.MAX_PAYLOAD_TWO_BYTE) == (125, 65535)
    assert fp.MAX_PAYLOAD_EIGHT_BYTE == fp.MAX_FRAME_PAYLOAD == 18446744073709551615
    assert (fp.MASK_MASK, fp.PAYLOAD_LEN_MASK, fp.FIN_MASK, fp.OPCODE_MASK) == (128, 127, 128, 15)
    assert (fp.RSV1_MASK, fp.RSV2_MASK, fp.RSV3_MASK) == (64, 32, 16)
    ranges = (fp.MIN_CLOSE_REASON, fp.MIN_PROTOCOL_CLOSE_REASON, fp.MAX_PROTOCOL_CLOSE_REASON)
    assert ranges == (1000, 1000, 2999)
    assert (fp.MIN_LIBRARY_CLOSE_REASON, fp.MAX_LIBRARY_CLOSE_REASON) == (3000, 3999)
    assert (fp.MIN_PRIVATE_CLOSE_REASON, fp.MAX_PRIVATE_CLOSE_REASON) == (4000, 4999)
    assert fp.MAX_CLOSE_REASON == 4999
    assert fp.NULL_MASK == b"\x00\x00\x00\x00"


def test_moved_classes_still_live_in_the_public_module() -> None:
    for cls in (Opcode, CloseReason, RsvBits, ParseFailed):
        assert cls.__module__ == "wsproto.frame_protocol"
    for value in (CloseReason.GOING_AWAY, Opcode.PING, RsvBits(True, False, True)):
        assert pickle.loads(pickle.dumps(value)) == value
    assert fp.Header(True, RsvBits(False, False, False), Opcode.TEXT, 3, None).payload_len == 3


# -- helpers: Buffer, XorMasker*, MessageDecoder -------------------------------------------------


def test_buffer_reads_tentatively() -> None:
    buf = fp.Buffer(b"abc")
    assert len(buf) == 3
    assert buf.consume_at_most(2) == bytearray(b"ab")
    assert buf.consume_exactly(5) is None  # too few: nothing read
    assert buf.bytes_used == 2
    buf.rollback()
    assert buf.consume_exactly(3) == bytearray(b"abc")
    buf.feed(b"de")
    assert buf.consume_at_most(0) == bytearray()
    buf.commit()
    assert (bytes(buf.buffer), len(buf), buf.bytes_used) == (b"de", 2, 0)


def test_xor_masker_continues_the_key_across_chunks() -> None:
    masker = fp.XorMaskerSimple(b"\x01\x02\x03\x04")
    assert masker.process(bytearray(3)) == bytearray(b"\x01\x02\x03")
    assert masker.process(bytes(3)) == bytearray(b"\x04\x01\x02")
    assert masker.process(b"") == bytearray()
    whole = fp.XorMaskerSimple(KEY).process(b"hello world")
    assert whole == masked(1, b"hello world")[6:]  # the payload of a frame masked with KEY
    data = bytearray(b"as is")
    assert fp.XorMaskerNull().process(data) is data


def test_message_decoder_checks_the_sequence_and_decodes_text() -> None:
    decoder = fp.MessageDecoder()
    euro = "€".encode()
    first = decoder.process_frame(Frame(Opcode.TEXT, euro[:1], True, False))
    assert first == Frame(Opcode.TEXT, "", True, False)
    last = decoder.process_frame(Frame(Opcode.CONTINUATION, euro[1:], True, True))
    assert last == Frame(Opcode.TEXT, "€", True, True)
    assert decoder.opcode is None
    with pytest.raises(ParseFailed) as info:
        decoder.process_frame(Frame(Opcode.CONTINUATION, b"x", True, True))
    assert info.value.code == CloseReason.PROTOCOL_ERROR
    decoder.process_frame(Frame(Opcode.BINARY, b"x", True, False))
    with pytest.raises(ParseFailed):
        decoder.process_frame(Frame(Opcode.TEXT, b"x", True, True))
    bad = fp.MessageDecoder()
    with pytest.raises(ParseFailed) as info:
        bad.process_frame(Frame(Opcode.TEXT, b"\xff", True, True))
    assert info.value.code == CloseReason.INVALID_FRAME_PAYLOAD_DATA
    with pytest.raises(ValueError, match="control frame"):
        fp.MessageDecoder().process_frame(Frame(Opcode.PING, b"", True, True))
    with pytest.raises(TypeError, match="payload is bytes"):
        fp.MessageDecoder().process_frame(Frame(Opcode.TEXT, "decoded", True, True))


# -- FrameProtocol: receiving ------------------------------------------------------------------


def test_fragmented_text_with_split_utf8_decodes_incrementally() -> None:
    text = "añ€𝄞z".encode()
    stream = masked(1, text[:2], fin=False) + masked(0, text[2:5], fin=False) + masked(0, text[5:])
    proto = FrameProtocol(client=False, extensions=[])
    got = frames_of(proto, stream)
    assert got == [
        Frame(Opcode.TEXT, "a", True, False),
        Frame(Opcode.TEXT, "ñ", True, False),
        Frame(Opcode.TEXT, "€𝄞z", True, True),
    ]
    one_by_one = FrameProtocol(client=False, extensions=[])
    pieces = frames_of(one_by_one, *(stream[i : i + 1] for i in range(len(stream))))
    assert "".join(str(f.payload) for f in pieces) == "añ€𝄞z"
    assert all(f.opcode is Opcode.TEXT for f in pieces)
    assert [f.message_finished for f in pieces].count(True) == 1 and pieces[-1].message_finished
    # every payload byte of a data frame comes out as soon as it arrives
    assert len(pieces) == len(text)


def test_binary_and_control_frames_on_the_client() -> None:
    proto = FrameProtocol(client=True, extensions=[])
    stream = plain(2, b"ab", fin=False) + plain(9, b"hi") + plain(0, b"cd") + plain(10, b"")
    assert frames_of(proto, stream) == [
        Frame(Opcode.BINARY, b"ab", True, False),
        Frame(Opcode.PING, b"hi", True, True),
        Frame(Opcode.BINARY, b"cd", True, True),
        Frame(Opcode.PONG, b"", True, True),
    ]


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        (b"", (CloseReason.NO_STATUS_RCVD, "")),
        (b"\x03\xe8bye", (CloseReason.NORMAL_CLOSURE, "bye")),
        (b"\x03\xf4", (CloseReason.SERVICE_RESTART, "")),
        (b"\x0b\xb9\xc3\xa9", (3001, "é")),
        (b"\x13\x87", (4999, "")),
    ],
)
def test_close_payload_is_code_and_reason(payload: bytes, expected: Any) -> None:
    proto = FrameProtocol(client=False, extensions=[])
    (close,) = frames_of(proto, masked(8, payload) + masked(1, b"ignored"))
    assert close == Frame(Opcode.CLOSE, expected, True, True)
    code = close.payload[0]  # type: ignore[index]
    assert type(code) is type(expected[0])  # a CloseReason member when known, else int
    proto.receive_bytes(masked(1, b"after"))
    assert list(proto.received_frames()) == []  # nothing is parsed after a close


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (plain(1, b"x"), 1002),  # a server receives an unmasked frame
        (masked(1, b"x", rsv=0x40), 1002),
        (masked(1, b"x", rsv=0x10), 1002),
        (masked(3, b"x"), 1002),
        (masked(0xB, b""), 1002),
        (masked(9, b"x", fin=False), 1002),
        (masked(9, b"x" * 126), 1002),
        (masked(2, b"x" * 5, length_encoding=16), 1002),
        (masked(2, b"x" * 300, length_encoding=64), 1002),
        (masked(0, b"x"), 1002),
        (masked(1, b"a", fin=False) + masked(2, b"b"), 1002),
        (masked(1, b"\xff"), 1007),
        (masked(1, b"\xe2\x82", fin=False) + masked(0, b"A"), 1007),
        (masked(1, b"\xe2\x82"), 1007),
        (masked(8, b"\x03"), 1002),
        (masked(8, b"\x03\xe7"), 1002),  # 999
        (masked(8, b"\x03\xec"), 1002),  # 1004
        (masked(8, b"\x03\xed"), 1002),  # 1005
        (masked(8, b"\x03\xee"), 1002),  # 1006
        (masked(8, b"\x03\xf7"), 1002),  # 1015
        (masked(8, b"\x13\x88"), 1002),  # 5000
        (masked(8, b"\x03\xe8\xff"), 1007),
    ],
)
def test_protocol_errors_raise_parse_failed(data: bytes, code: int) -> None:
    proto = FrameProtocol(client=False, extensions=[])
    assert failure_code(proto, data) == code
    proto.receive_bytes(masked(1, b"later"))
    assert list(proto.received_frames()) == []  # a failure ends parsing, as in 1.x


def test_client_rejects_masked_frames() -> None:
    assert failure_code(FrameProtocol(client=True, extensions=[]), masked(2, b"x")) == 1002


def test_64bit_length_with_msb_set_fails() -> None:
    data = bytes((0x82, 0x7F)) + (1 << 63 | 70_000).to_bytes(8, "big")
    assert failure_code(FrameProtocol(client=True, extensions=[]), data) == 1002


# -- FrameProtocol: sending --------------------------------------------------------------------


def test_server_frames_are_1x_bytes() -> None:
    proto = FrameProtocol(client=False, extensions=[])
    assert proto.send_data("hé") == bytearray(b"\x81\x03h\xc3\xa9")
    assert isinstance(proto.send_data(b""), bytearray)
    assert proto.send_data(bytearray(b"a"), fin=False) == bytearray(b"\x02\x01a")
    assert proto.send_data(memoryview(b"b")) == bytearray(b"\x80\x01b")
    assert proto.send_data(b"x" * 300)[:4] == bytearray(b"\x82\x7e\x01\x2c")
    assert proto.send_data(b"x" * 70_000)[:10] == bytearray(b"\x82\x7f") + (70_000).to_bytes(
        8, "big"
    )
    assert proto.ping(b"hi") == bytearray(b"\x89\x02hi")
    assert proto.pong() == bytearray(b"\x8a\x00")
    assert proto.close() == bytearray(b"\x88\x00")
    assert proto.close(CloseReason.NO_STATUS_RCVD) == bytearray(b"\x88\x00")
    assert proto.close(1000, "bye") == bytearray(b"\x88\x05\x03\xe8bye")
    long_close = proto.close(4000, "é" * 100)
    assert long_close[1] == 2 + 122 and long_close[4:].decode() == "é" * 61  # cut on a character


def test_client_frames_are_masked() -> None:
    proto = FrameProtocol(client=True, extensions=[])
    data = proto.send_data("hello")
    assert data[:2] == bytearray(b"\x81\x85") and unmask(bytes(data)) == b"hello"
    assert unmask(bytes(proto.close(1001, "x"))) == b"\x03\xe9x"


def test_send_errors_are_1x_exceptions() -> None:
    proto = FrameProtocol(client=False, extensions=[])
    proto.send_data("a", fin=False)
    with pytest.raises(TypeError, match="mismatch"):
        proto.send_data(b"b")
    assert proto.send_data("c") == bytearray(b"\x80\x01c")  # still the text message
    with pytest.raises(TypeError):
        proto.send_data(3)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        proto.ping(b"x" * 126)
    with pytest.raises(TypeError):
        proto.close(None, "reason without a code")


def test_local_only_close_codes_send_no_status() -> None:
    """1006 and 1015 are never put on the wire (1.x sent 1000): see docs/migrating.rst."""
    proto = FrameProtocol(client=False, extensions=[])
    for code in (1005, 1006, 1015, CloseReason.ABNORMAL_CLOSURE):
        assert proto.close(code, "gone") == bytearray(b"\x88\x00")
    with pytest.raises(LocalProtocolError):
        proto.close(1004)
    with pytest.raises(TypeError, match="must be an int"):
        proto.close("1000")  # type: ignore[arg-type]


# -- FrameDecoder: raw frames ------------------------------------------------------------------


def test_frame_decoder_returns_raw_frames() -> None:
    decoder = FrameDecoder(client=True)
    decoder.receive_bytes(plain(1, b"hello", fin=False)[:4])
    assert decoder.process_buffer() == Frame(Opcode.TEXT, b"he", False, False)
    decoder.receive_bytes(b"llo" + plain(9, b"p") + plain(0, b"x")[:2])
    assert decoder.process_buffer() == Frame(Opcode.CONTINUATION, b"llo", True, False)
    assert decoder.process_buffer() == Frame(Opcode.PING, b"p", True, True)
    assert decoder.process_buffer() is None  # a header without its payload yet
    decoder.receive_bytes(b"x")
    assert decoder.process_buffer() == Frame(Opcode.CONTINUATION, b"x", True, True)
    decoder.receive_bytes(plain(2, b"abcd")[:3])
    # a partial frame reports the header's FIN bit, as 1.x did
    assert decoder.process_buffer() == Frame(Opcode.BINARY, b"a", False, True)
    decoder.receive_bytes(b"bcd")
    assert decoder.process_buffer() == Frame(Opcode.CONTINUATION, b"bcd", True, True)
    assert decoder.process_buffer() is None


def test_frame_decoder_rejects_a_continuation_without_a_message() -> None:
    """Stricter than 1.x's raw decoder, which left the sequence to MessageDecoder."""
    decoder = FrameDecoder(client=True)
    decoder.receive_bytes(plain(0, b"x"))
    with pytest.raises(ParseFailed):
        decoder.process_buffer()


# -- extensions --------------------------------------------------------------------------------


class Flip(Extension):
    """Upstream-style: no declared RSV bits, claims RSV3 per data frame, XORs the payload."""

    name = "x-flip"

    def __init__(self, mark: int) -> None:
        self.mark = mark
        self.calls: List[Any] = []

    def enabled(self) -> bool:
        return True

    def frame_inbound_header(
        self, proto: Any, opcode: Opcode, rsv: RsvBits, payload_length: int
    ) -> Any:
        self.calls.append(("header", type(proto).__name__, opcode, rsv, payload_length))
        return RsvBits(False, False, True)

    def frame_inbound_payload_data(self, proto: Any, data: bytes) -> Any:
        self.calls.append(("data", data))
        return bytes(b ^ self.mark for b in data)

    def frame_inbound_complete(self, proto: Any, fin: bool) -> Any:
        self.calls.append(("complete", fin))
        return b"!" if fin and self.mark == 1 else None

    def frame_outbound(
        self, proto: Any, opcode: Opcode, rsv: RsvBits, data: bytes, fin: bool
    ) -> Any:
        self.calls.append(("outbound", type(proto).__name__, opcode, data, fin))
        return RsvBits(rsv.rsv1, rsv.rsv2, True), bytes(b ^ self.mark for b in data)


class Disabled(Flip):
    def enabled(self) -> bool:
        return False


def test_extensions_get_1x_hook_calls_in_1x_order() -> None:
    first, second = Flip(1), Flip(2)
    proto = FrameProtocol(client=False, extensions=[first, second, Disabled(4)])
    assert proto.extensions == [first, second]
    body = bytes(b ^ 1 ^ 2 for b in b"hi")
    got = frames_of(proto, masked(2, body, rsv=0x10) + masked(9, b"p"))
    # first's end-of-frame output ("!") runs through the later extension (1.x appended it raw)
    tail = bytes((ord("!") ^ 2,))
    assert got == [
        Frame(Opcode.BINARY, b"hi" + tail, True, True),
        Frame(Opcode.PING, b"p", True, True),
    ]
    # inbound in list order, the decoder as proto; control frames do not reach extensions
    assert first.calls[0] == (
        "header",
        "FrameDecoder",
        Opcode.BINARY,
        RsvBits(False, False, True),
        2,
    )
    assert first.calls[1] == ("data", body)
    assert second.calls[1] == ("data", bytes(b ^ 1 for b in body))
    assert ("complete", True) in first.calls and ("complete", True) in second.calls
    first.calls.clear()
    second.calls.clear()
    out = proto.send_data(b"ok")
    # outbound in reverse list order, this protocol as proto
    assert second.calls == [("outbound", "FrameProtocol", Opcode.BINARY, b"ok", True)]
    assert first.calls == [
        ("outbound", "FrameProtocol", Opcode.BINARY, bytes(b ^ 2 for b in b"ok"), True)
    ]
    assert out == bytearray(b"\x92\x02") + bytes(b ^ 3 for b in b"ok")
    assert proto.ping(b"x") == bytearray(b"\x89\x01x") and len(first.calls) == 1


def test_extension_close_code_fails_the_frame() -> None:
    class Refuse(Flip):
        def frame_inbound_header(self, proto: Any, opcode: Opcode, rsv: RsvBits, n: int) -> Any:
            return CloseReason.POLICY_VIOLATION

    proto = FrameProtocol(client=False, extensions=[Refuse(1)])
    assert failure_code(proto, masked(1, b"x")) == 1008


# -- differential: the same inputs through upstream wsproto 1.3.2 -------------------------------


def _scenarios() -> Dict[str, Dict[str, Any]]:
    text = "añ€𝄞z".encode()
    split_text = (
        masked(1, text[:2], fin=False) + masked(0, text[2:5], fin=False) + masked(0, text[5:])
    )
    client_stream = (
        plain(2, b"ab", fin=False) + plain(9, b"hi") + plain(0, b"cd", fin=False)
        + plain(0, b"") + plain(1, b"") + plain(10, b"") + plain(2, bytes(300))
        + plain(2, bytes(range(256)) * 274)
    )  # fmt: skip

    def chunked(data: bytes, size: int) -> List[str]:
        return [data[i : i + size].hex() for i in range(0, len(data), size)]

    scenarios: Dict[str, Dict[str, Any]] = {
        "text_whole": {"client": False, "chunks": [split_text.hex()], "raw": True},
        "text_bytewise": {"client": False, "chunks": chunked(split_text, 1), "raw": True},
        "client_stream": {"client": True, "chunks": chunked(client_stream, 1000), "raw": True},
        "client_stream_3": {"client": True, "chunks": chunked(client_stream[:700], 3), "raw": True},
        "after_close": {
            "client": True,
            "chunks": [(plain(8, b"\x03\xe8ok") + plain(1, b"x")).hex()],
        },
    }
    for name, payload in {
        "close_empty": b"", "close_1000": b"\x03\xe8bye", "close_1012": b"\x03\xf4",
        "close_1013": b"\x03\xf5", "close_3001": b"\x0b\xb9\xc3\xa9", "close_4999": b"\x13\x87",
        "close_1byte": b"\x03", "close_999": b"\x03\xe7", "close_1004": b"\x03\xec",
        "close_1005": b"\x03\xed", "close_1006": b"\x03\xee", "close_1014": b"\x03\xf6",
        "close_1015": b"\x03\xf7", "close_1016": b"\x03\xf8", "close_2999": b"\x0b\xb7",
        "close_5000": b"\x13\x88", "close_bad_utf8": b"\x03\xe8\xc3",
    }.items():  # fmt: skip
        scenarios[name] = {"client": False, "chunks": [masked(8, payload).hex()]}
    for name, data in {
        "unmasked_to_server": plain(1, b"x"), "rsv1": masked(1, b"x", rsv=0x40),
        "rsv2": masked(2, b"x", rsv=0x20), "rsv3_ping": masked(9, b"x", rsv=0x10),
        "opcode_3": masked(3, b"x"), "opcode_b": masked(0xB, b""), "opcode_f": masked(0xF, b"x"),
        "fragmented_ping": masked(9, b"x", fin=False), "long_ping": masked(9, b"x" * 126),
        "long_close": masked(8, b"\x03\xe8" + b"x" * 124),
        "nonminimal_16": masked(2, b"x" * 5, length_encoding=16),
        "nonminimal_64": masked(2, b"x" * 300, length_encoding=64),
        "msb_64": bytes((0x82, 0xFF)) + (1 << 63 | 70_000).to_bytes(8, "big") + KEY,
        "lone_continuation": masked(0, b"x"),
        "text_in_binary": masked(2, b"a", fin=False) + masked(1, b"b"),
        "bad_utf8": masked(1, b"ok\xff"),
        "bad_utf8_split": masked(1, b"\xe2\x82", fin=False) + masked(0, b"A"),
        "truncated_utf8": masked(1, b"ab\xe2\x82"),
        "surrogate_utf8": masked(1, b"\xed\xa0\x80"),
        "overlong_utf8": masked(1, b"\xc0\xaf"),
        "ok_then_bad": masked(1, b"fine") + masked(9, b"p") + masked(1, b"\xff"),
    }.items():  # fmt: skip
        scenarios[name] = {"client": False, "chunks": [data.hex()]}
    scenarios["masked_to_client"] = {"client": True, "chunks": [masked(2, b"x").hex()]}
    ext_stream = (
        masked(2, bytes(b ^ 0x20 for b in b"abc"), rsv=0x10, fin=False)
        + masked(9, b"ping")
        + masked(0, bytes(b ^ 0x20 for b in b"def"), rsv=0x10)
        + masked(1, bytes(b ^ 0x20 for b in b"plain"))
    )
    scenarios["extension_in"] = {
        "client": False,
        "extension": True,
        "chunks": chunked(ext_stream, 5),
    }
    scenarios["extension_rsv1"] = {
        "client": False, "extension": True, "chunks": [masked(1, b"x", rsv=0x40).hex()],
    }  # fmt: skip
    sends: List[Any] = [
        ["send_data", "hé"], ["send_data", {"hex": "0001"}], ["send_data", "frag", False],
        ["send_data", "ment"], ["send_data", {"hex": "61"}, False], ["send_data", "x"],
        ["send_data", {"hex": "62"}], ["send_data", {"hex": "00" * 300}],
        ["send_data", {"hex": "ab" * 70_000}], ["send_data", 5], ["ping"],
        ["ping", {"hex": "6869"}],
        ["pong", {"hex": "00" * 125}], ["ping", {"hex": "00" * 126}], ["close"], ["close", 1000],
        ["close", 1001, "going"], ["close", 4000, "é" * 100], ["close", 3000, ""],
        ["close", None, "reason"], ["close", None, ""],
    ]  # fmt: skip
    for role in ("client", "server"):
        scenarios[f"send_{role}"] = {"client": role == "client", "send": sends}
        scenarios[f"send_ext_{role}"] = {
            "client": role == "client",
            "extension": True,
            "send": sends[:9] + sends[11:13],
        }
    return scenarios


def _transcripts(python: str, scenarios: Dict[str, Any]) -> Dict[str, Any]:
    """Run the driver; ours keeps the environment (e.g. WSPROTO_PURE_PYTHON), upstream's not."""
    env = dict(os.environ)
    if python != sys.executable:
        env = {k: v for k, v in env.items() if not k.startswith(("WSPROTO_", "PYTHON"))}
    proc = subprocess.run(
        [python, "-I", str(DRIVER)],
        input=json.dumps(scenarios),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=env,
        cwd=str(HERE),
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    return json.loads(proc.stdout)  # type: ignore[no-any-return]


def _without_control_hooks(hooks: List[Any]) -> List[Any]:
    """Set aside the documented differences of 1.x's hook calls.

    1.x also passed control frames and empty chunks to extensions, and called
    ``frame_inbound_header`` again whenever a header arrived split before its masking key.
    """
    kept: List[Any] = []
    for entry in hooks:
        kind = entry[0]
        if kind == "header" and kept and kept[-1] == entry:
            continue
        if kind == "header" and entry[3] >= 8:
            continue
        if kind in ("data", "complete") and entry[1] >= 8:
            continue
        if kind == "data" and entry[2] == "":
            continue
        if kind == "outbound" and entry[2] >= 8:
            continue
        kept.append(entry)
    return kept


def _python_310_or_later() -> Optional[str]:
    """Another interpreter on PATH that runs (a pyenv shim may exist but not run) and is >= 3.10."""
    for name in ("python3.13", "python3.12", "python3.11", "python3.10", "python3"):
        found = shutil.which(name)
        if not found:
            continue
        probe = subprocess.run(
            [found, "-c", "import sys; print(sys.version_info >= (3, 10))"],
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
        if probe.stdout.strip() == "True":
            return found
    return None


@pytest.fixture(scope="module")
def upstream_python(tmp_path_factory: pytest.TempPathFactory) -> str:
    """An interpreter with wsproto 1.3.2: WSPROTO_UPSTREAM_PYTHON, or a fresh venv."""
    given: Optional[str] = os.environ.get("WSPROTO_UPSTREAM_PYTHON")
    if given:
        return given
    if os.environ.get("WSPROTO_SKIP_INSTALL_TESTS"):
        pytest.skip("WSPROTO_SKIP_INSTALL_TESTS is set: real-install tests are skipped")
    # wsproto 1.3.2 needs Python >= 3.10: on 3.9, build its venv with another interpreter.
    base = sys.executable if sys.version_info >= (3, 10) else _python_310_or_later()
    if base is None:
        pytest.skip("wsproto 1.3.2 needs Python >= 3.10 and none was found on PATH")
    venv = tmp_path_factory.mktemp("upstream") / "venv"
    subprocess.run([base, "-m", "venv", str(venv)], check=True, timeout=TIMEOUT)
    python = str(venv / "bin" / "python")
    pip = [python, "-m", "pip", "--disable-pip-version-check", "--quiet", "install"]
    subprocess.run([*pip, "wsproto==1.3.2"], check=True, timeout=TIMEOUT, capture_output=True)
    return python


@pytest.mark.installs
def test_same_transcripts_as_upstream(upstream_python: str) -> None:
    scenarios = _scenarios()
    theirs = _transcripts(upstream_python, scenarios)
    version = subprocess.run(
        [upstream_python, "-I", "-c", VERSION_PROBE],
        capture_output=True, text=True, timeout=60, check=True,
    ).stdout.strip()  # fmt: skip
    assert version == "1.3.2"
    ours = _transcripts(sys.executable, scenarios)
    for name in scenarios:
        mine, upstream = ours[name], theirs[name]
        assert mine["received"] == upstream["received"], name
        assert mine["sent"] == upstream["sent"], name
        assert mine["raw"] == upstream["raw"], name
        assert mine["hooks"] == _without_control_hooks(upstream["hooks"]), name
    # the scenarios do exercise what they claim to
    assert ["ParseFailed", 1007] in theirs["bad_utf8_split"]["received"]
    assert any(e[0] == "header" and e[3] == 9 for e in theirs["extension_in"]["hooks"])


def test_frame_protocol_is_in_no_import_cycle() -> None:
    """The 1.x layer imports the pipeline; nothing the pipeline imports may import it back."""
    package = Path(fp.__file__).parent
    edges: Dict[str, List[str]] = {}
    for path in package.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        found = edges.setdefault(path.stem, [])
        for node in ast.walk(tree):  # top-level, TYPE_CHECKING-only and function-local alike
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                if node.module:
                    found.append(node.module.split(".")[0])
                else:
                    found.extend(alias.name for alias in node.names)
    assert "_pipeline" in edges["frame_protocol"]
    seen = set()
    todo = list(edges["frame_protocol"])
    while todo:
        module = todo.pop()
        if module not in seen:
            seen.add(module)
            todo.extend(edges.get(module, []))
    assert "frame_protocol" not in seen
