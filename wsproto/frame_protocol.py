"""RFC 6455 frames: opcodes, close codes, and the frame decoder and encoder.

This module knows nothing of HTTP, the handshake or the plugin registry. The
decoder turns bytes into *pieces* of frames, validated and unmasked, with the
negotiated extensions applied; the encoder turns payloads into frames.
"""

from __future__ import annotations

from enum import IntEnum
from typing import TYPE_CHECKING, Any, NamedTuple, Optional, Sequence, Tuple, Union

from ._masking import mask, next_mask_key
from .utilities import LocalProtocolError

if TYPE_CHECKING:
    from ._pipeline import ExtensionPipeline

__all__ = [
    "CloseReason",
    "FrameDecoder",
    "FrameEncoder",
    "Opcode",
    "ParseFailed",
    "RsvBits",
]


class Opcode(IntEnum):
    """RFC 6455, Section 5.2 - Base Framing Protocol."""

    #: Continuation frame
    CONTINUATION = 0x0
    #: Text message
    TEXT = 0x1
    #: Binary message
    BINARY = 0x2
    #: Close frame
    CLOSE = 0x8
    #: Ping frame
    PING = 0x9
    #: Pong frame
    PONG = 0xA

    def iscontrol(self) -> bool:
        """Return True for control frames (close, ping, pong)."""
        return bool(self & 0x08)


class CloseReason(IntEnum):
    """RFC 6455, Section 7.4.1 - Defined Status Codes (and IANA additions)."""

    #: A normal closure: the purpose of the connection was fulfilled.
    NORMAL_CLOSURE = 1000
    #: An endpoint is "going away" (server going down, page navigated away).
    GOING_AWAY = 1001
    #: An endpoint is terminating the connection due to a protocol error.
    PROTOCOL_ERROR = 1002
    #: An endpoint received a type of data it cannot accept.
    UNSUPPORTED_DATA = 1003
    #: Reserved, never sent: no status code was present in the close frame.
    NO_STATUS_RCVD = 1005
    #: Reserved, never sent: the connection closed without a close frame.
    ABNORMAL_CLOSURE = 1006
    #: Data within a message was not consistent with its type (e.g. bad UTF-8).
    INVALID_FRAME_PAYLOAD_DATA = 1007
    #: A message violates the endpoint's policy.
    POLICY_VIOLATION = 1008
    #: A message is too big to process.
    MESSAGE_TOO_BIG = 1009
    #: The client expected the server to negotiate an extension it did not.
    MANDATORY_EXT = 1010
    #: The server met an unexpected condition.
    INTERNAL_ERROR = 1011
    #: The server/service is restarting (IANA registry, not in RFC 6455).
    SERVICE_RESTART = 1012
    #: Temporary server condition, try again later (IANA registry).
    TRY_AGAIN_LATER = 1013
    #: Reserved, never sent: the TLS handshake failed.
    TLS_HANDSHAKE_FAILED = 1015


#: Codes that only report local conditions and never appear on the wire.
LOCAL_ONLY_CLOSE_REASONS = frozenset({1005, 1006, 1015})
#: Codes of 1000-2999 that may appear on the wire (RFC 6455 section 7.4).
_WIRE_PROTOCOL_CODES = frozenset(int(c) for c in CloseReason) - LOCAL_ONLY_CLOSE_REASONS


#: Known codes to their members: received codes are reported as members, as in 1.x.
_CLOSE_REASONS = {int(reason): reason for reason in CloseReason}


def is_valid_close_code(code: int) -> bool:
    """True if ``code`` may be sent in a close frame (RFC 6455 section 7.4)."""
    if 3000 <= code <= 4999:  # registered (3000-3999) and private (4000-4999) codes
        return True
    return code in _WIRE_PROTOCOL_CODES


class RsvBits(NamedTuple):
    """The three reserved bits of a frame header."""

    rsv1: bool
    rsv2: bool
    rsv3: bool


#: Masks of the RSV bits in a frame's first byte.
RSV1, RSV2, RSV3 = 0x40, 0x20, 0x10
#: RsvBits for each value of ``byte0 & 0x70``, built once so hooks never build tuples.
RSV_BITS = tuple(RsvBits(bool(i & RSV1), bool(i & RSV2), bool(i & RSV3)) for i in range(0x80))


def rsv_mask(bits: Sequence[bool]) -> int:
    """Return the header-byte mask of a (rsv1, rsv2, rsv3) triple."""
    return (RSV1 if bits[0] else 0) | (RSV2 if bits[1] else 0) | (RSV3 if bits[2] else 0)


class ParseFailed(Exception):
    """The peer broke the protocol; ``code`` is the close code to fail with."""

    def __init__(self, msg: str, code: int = CloseReason.PROTOCOL_ERROR) -> None:
        super().__init__(msg)
        self.code = _CLOSE_REASONS.get(code, code)


#: The decoder's output: (message or control opcode, payload, frame_finished, message_finished).
Piece = Tuple[int, Any, bool, bool]

_TEXT, _BINARY, _CLOSE, _PING, _PONG = 1, 2, 8, 9, 10
# Leftover bytes up to this size are re-joined as ``bytes``; beyond it a bytearray grows in place.
_JOIN_AS_BYTES = 1 << 16


class FrameDecoder:
    """Parses frames from one buffer with an offset, and yields their payload in pieces.

    Data frames are delivered as soon as bytes arrive (a frame is never
    buffered whole); control frames are delivered whole. Every rule of RFC
    6455 section 5 is enforced here, and failures raise :class:`ParseFailed`.
    """

    __slots__ = (
        "_buf",
        "_complete_due",
        "_expect_masked",
        "_fin",
        "_key",
        "_key_offset",
        "_msg_opcode",
        "_msg_size",
        "_owned_rsv",
        "_plain",
        "_pos",
        "_remaining",
        "max_frame_size",
        "max_message_size",
        "pipeline",
    )

    def __init__(
        self,
        client: bool,
        pipeline: Optional[ExtensionPipeline] = None,
        max_message_size: Optional[int] = None,
        max_frame_size: Optional[int] = None,
    ) -> None:
        self._buf: Union[bytes, bytearray] = b""
        self._pos = 0
        self._expect_masked = 0 if client else 1
        self.pipeline = pipeline
        self._owned_rsv = pipeline.owned_rsv if pipeline is not None else 0
        self.max_message_size = max_message_size
        self.max_frame_size = max_frame_size
        # True when data frame headers need no checks beyond opcode and RSV bits.
        self._plain = pipeline is None and max_message_size is None and max_frame_size is None
        # The frame being read: payload bytes still expected (-1: none, read a header next).
        self._remaining = -1
        self._fin = False
        self._key: Union[bytes, bytearray, None] = None
        self._key_offset = 0
        self._complete_due = False
        # The data message in progress: its opcode (0: none) and its size so far.
        self._msg_opcode = 0
        self._msg_size = 0

    # -- input -----------------------------------------------------------------

    def receive_bytes(self, data: bytes) -> None:
        """Append bytes received from the peer."""
        if data.__class__ is not bytes:
            # A bytearray the caller reuses (recv_into) or a memoryview must not be kept or grown.
            data = bytes(data)
        buf = self._buf
        pos = self._pos
        if pos >= len(buf):
            self._buf = data  # nothing left over: keep the caller's bytes, no copy
        elif isinstance(buf, bytearray):
            if pos:
                del buf[:pos]
            buf += data
        elif len(buf) - pos <= _JOIN_AS_BYTES:
            self._buf = buf[pos:] + data
        else:
            grown = bytearray(memoryview(buf)[pos:])
            grown += data
            self._buf = grown
        self._pos = 0

    @property
    def buffered(self) -> int:
        """Bytes received but not parsed yet."""
        return len(self._buf) - self._pos

    # -- parsing ---------------------------------------------------------------

    def next_piece(self) -> Optional[Piece]:
        """Return the next piece, or None when more bytes are needed."""
        pipeline = self.pipeline
        if pipeline is not None and pipeline.pending:
            return self._finish_piece(pipeline.drain(), self._remaining == 0)
        buf = self._buf
        pos = self._pos
        avail = len(buf) - pos
        remaining = self._remaining
        if remaining < 0:
            if avail < 2:
                return self._need_more()
            b0 = buf[pos]
            b1 = buf[pos + 1]
            length = b1 & 0x7F
            masked = b1 >> 7
            hlen = (2 if length < 126 else 4 if length == 126 else 10) + (masked << 2)
            if avail < hlen:
                return self._need_more()
            if masked != self._expect_masked:
                raise ParseFailed(
                    "client frames must be masked"
                    if masked == 0
                    else "server frames must not be masked"
                )
            if length >= 126:
                length = self._extended_length(buf, pos, length)
            opcode = b0 & 0x0F
            if opcode >= 8:
                return self._control_frame(b0, opcode, length, hlen, avail)
            if self._plain and not self._msg_opcode and 0 < opcode < 3 and not b0 & 0x70:
                # Fast path: a new message, no RSV bits, no extensions, no limits to check.
                self._msg_opcode = opcode
                self._fin = b0 >= 0x80
            else:
                self._data_header(b0, opcode, length)
            self._key = buf[pos + hlen - 4 : pos + hlen] if masked else None
            self._key_offset = 0
            pos += hlen
            avail -= hlen
            remaining = length
        take = remaining if remaining <= avail else avail
        if take == 0 and remaining:
            self._pos = pos
            self._remaining = remaining
            return self._need_more()
        end = pos + take
        self._pos = end
        remaining -= take
        self._remaining = remaining
        key = self._key
        data: bytes
        if key is not None:
            offset = self._key_offset
            if offset:
                key = key[offset:] + key[:offset]  # resume the key where the last piece stopped
            if take > 1024 and buf.__class__ is bytes:
                data = mask(memoryview(buf)[pos:end], key)  # mask() copies: skip the slice's copy
            else:
                data = mask(buf[pos:end], key)
            self._key_offset = (offset + take) & 3
        else:
            chunk = buf[pos:end]
            data = chunk if chunk.__class__ is bytes else bytes(chunk)
        if pipeline is not None:
            if data:
                data = pipeline.inbound_data(data)
            return self._finish_piece(data, remaining == 0)
        msg_size = self._msg_size + take
        if remaining == 0:
            fin = self._fin
            if fin:
                opcode = self._msg_opcode
                self._msg_opcode = 0
                self._msg_size = 0
                self._remaining = -1
                return (opcode, data, True, True)
            self._remaining = -1
            self._msg_size = msg_size
            return (self._msg_opcode, data, True, False)
        self._msg_size = msg_size
        return (self._msg_opcode, data, False, False)

    def _need_more(self) -> Optional[Piece]:
        """Keep only the unparsed tail, so an idle connection does not pin the caller's last
        (possibly large) receive buffer; the tail is at most a header or a control frame."""
        if self._pos:
            self._buf = self._buf[self._pos :]
            self._pos = 0
        return None

    def _extended_length(self, buf: Union[bytes, bytearray], pos: int, code: int) -> int:
        if code == 126:
            length = (buf[pos + 2] << 8) | buf[pos + 3]
            if length < 126:
                raise ParseFailed("payload length not minimally encoded (16-bit for < 126)")
            return length
        length = int.from_bytes(buf[pos + 2 : pos + 10], "big")
        if length >> 63:
            raise ParseFailed("payload length has its most significant bit set")
        if length < 0x10000:
            raise ParseFailed("payload length not minimally encoded (64-bit for < 65536)")
        return length

    def _control_frame(
        self, b0: int, opcode: int, length: int, hlen: int, avail: int
    ) -> Optional[Piece]:
        if opcode > _PONG:
            raise ParseFailed(f"reserved opcode {opcode:#x}")
        if not b0 & 0x80:
            raise ParseFailed("control frames must not be fragmented")
        if length > 125:
            raise ParseFailed("control frame payload longer than 125 bytes")
        if b0 & 0x70:
            raise ParseFailed("reserved bits set on a control frame")
        if avail < hlen + length:
            return self._need_more()  # control frames are delivered whole; re-read the header
        pos = self._pos
        start = pos + hlen
        payload = self._buf[start : start + length]
        if self._expect_masked:
            payload = mask(payload, self._buf[start - 4 : start])
        elif payload.__class__ is not bytes:
            payload = bytes(payload)
        self._pos = start + length
        return (opcode, payload, True, True)

    def _data_header(self, b0: int, opcode: int, length: int) -> None:
        if opcode == 0:
            if not self._msg_opcode:
                raise ParseFailed("continuation frame without a message to continue")
        elif opcode <= _BINARY:
            if self._msg_opcode:
                raise ParseFailed("new data frame while a fragmented message is in progress")
            self._msg_opcode = opcode
        else:
            raise ParseFailed(f"reserved opcode {opcode:#x}")
        rsv = b0 & 0x70
        pipeline = self.pipeline
        if rsv & ~self._owned_rsv:
            raise ParseFailed("reserved bit set that no negotiated extension uses")
        if pipeline is not None:
            consumed = pipeline.inbound_header(opcode, rsv, length)
            if rsv & ~consumed:
                raise ParseFailed("reserved bit set that no extension accepted on this frame")
            self._complete_due = True
        if self.max_frame_size is not None and length > self.max_frame_size:
            raise ParseFailed(
                f"frame of {length} bytes exceeds max_frame_size={self.max_frame_size}",
                CloseReason.MESSAGE_TOO_BIG,
            )
        limit = self.max_message_size
        if limit is not None and pipeline is None and self._msg_size + length > limit:
            raise ParseFailed(
                f"message exceeds max_message_size={limit}", CloseReason.MESSAGE_TOO_BIG
            )
        self._fin = bool(b0 & 0x80)

    def _finish_piece(self, data: bytes, payload_done: bool) -> Piece:
        """Complete a piece when extensions are in use: frame end, pending output, size limit."""
        pipeline = self.pipeline
        assert pipeline is not None
        if payload_done and self._complete_due and not pipeline.pending:
            self._complete_due = False
            data += pipeline.inbound_complete(self._fin)
        msg_size = self._msg_size + len(data)
        limit = self.max_message_size
        if limit is not None and msg_size > limit:
            raise ParseFailed(
                f"message exceeds max_message_size={limit}", CloseReason.MESSAGE_TOO_BIG
            )
        opcode = self._msg_opcode
        if payload_done and not self._complete_due and not pipeline.pending:
            self._remaining = -1
            if self._fin:
                self._msg_opcode = 0
                self._msg_size = 0
                return (opcode, data, True, True)
            self._msg_size = msg_size
            return (opcode, data, True, False)
        self._msg_size = msg_size
        return (opcode, data, False, False)


class FrameEncoder:
    """Serialises frames, masking them for a client, with the outbound extension pipeline."""

    __slots__ = ("_client", "_msg_opcode", "pipeline")

    def __init__(self, client: bool, pipeline: Optional[ExtensionPipeline] = None) -> None:
        self._client = client
        self.pipeline = pipeline
        self._msg_opcode = 0  # opcode of the outbound message in progress, 0: none

    def data(self, payload: Union[bytes, bytearray, memoryview, str], fin: bool) -> bytes:
        """Return the frame for one chunk of a data message."""
        cls = payload.__class__
        if cls is str:
            kind = _TEXT
            try:
                payload = payload.encode()  # type: ignore[union-attr]
            except UnicodeEncodeError as exc:
                raise LocalProtocolError(
                    f"text message is not encodable as UTF-8 ({exc.reason}): "
                    "remove lone surrogates or send bytes"
                ) from None
        elif cls is bytes:
            kind = _BINARY
        else:
            kind, payload = self._coerce(payload)
        opcode = kind
        if self._msg_opcode:
            if kind != self._msg_opcode:
                raise LocalProtocolError(
                    "cannot change between text and binary in the middle of a message: "
                    "finish it with message_finished=True first"
                )
            opcode = 0
        if not fin:
            self._msg_opcode = kind
        elif opcode == 0:
            self._msg_opcode = 0
        if self.pipeline is not None:
            rsv, payload = self.pipeline.outbound(opcode, payload, fin)  # type: ignore[arg-type]
            opcode |= rsv
        if fin:
            opcode |= 0x80
        n = len(payload)
        if n < 126 and not self._client:
            return bytes((opcode, n)) + payload  # type: ignore[operator]
        return self.frame(opcode, payload)  # type: ignore[arg-type]

    @staticmethod
    def _coerce(payload: object) -> Tuple[int, bytes]:
        if isinstance(payload, str):
            return _TEXT, payload.encode()
        if isinstance(payload, (bytes, bytearray, memoryview)):
            return _BINARY, bytes(payload)
        raise LocalProtocolError(f"message data must be str or bytes, not {type(payload).__name__}")

    def frame(self, byte0: int, payload: bytes) -> bytes:
        """Return one frame with first header byte ``byte0`` (FIN, RSV, opcode)."""
        n = len(payload)
        if n < 126:
            header = bytes((byte0, n | 0x80)) if self._client else bytes((byte0, n))
        elif n < 0x10000:
            header = bytes((byte0, 0xFE if self._client else 126, n >> 8, n & 0xFF))
        else:
            header = bytes((byte0, 0xFF if self._client else 127)) + n.to_bytes(8, "big")
        if self._client:
            key = next_mask_key()
            return header + key + mask(payload, key)
        return header + payload


def close_payload(code: int, reason: Optional[str]) -> bytes:
    """Build a close payload; the reason is cut to fit 125 bytes on a character boundary."""
    if code in LOCAL_ONLY_CLOSE_REASONS:
        return b""  # 1005, 1006 and 1015 are never sent: a close frame without a status code
    data = (reason or "").encode("utf-8")
    if len(data) > 123:
        data = data[:123].decode("utf-8", "ignore").encode("utf-8")
    return code.to_bytes(2, "big") + data


def parse_close_payload(payload: bytes) -> Tuple[int, str]:
    """Validate a received close payload and return (code, reason)."""
    if not payload:
        return CloseReason.NO_STATUS_RCVD, ""
    if len(payload) == 1:
        raise ParseFailed("close frame payload of 1 byte (a code needs 2)")
    code = (payload[0] << 8) | payload[1]
    if not is_valid_close_code(code):
        raise ParseFailed(f"invalid close code {code}")
    try:
        reason = payload[2:].decode("utf-8")
    except UnicodeDecodeError:
        raise ParseFailed(
            "close reason is not valid UTF-8", CloseReason.INVALID_FRAME_PAYLOAD_DATA
        ) from None
    return _CLOSE_REASONS.get(code, code), reason


def _opcode_members() -> Tuple[Opcode, ...]:
    # Reserved opcodes never reach extensions; they map to CONTINUATION only to fill the table.
    return tuple(Opcode(i) if i in Opcode._value2member_map_ else Opcode(0) for i in range(16))


#: Opcode members by value, so hooks receive enum members without constructing them.
OPCODES = _opcode_members()

