"""RFC 6455 frames: opcodes, close codes, and the frame decoder and encoder.

This module knows nothing of HTTP, the handshake or the plugin registry. The
decoder turns bytes into *pieces* of frames, validated and unmasked, with the
negotiated extensions applied; the encoder turns payloads into frames.

The last section holds the wsproto 1.x frame API (:class:`FrameProtocol`,
:class:`FrameDecoder`, :class:`Frame` and their helpers), built on the same
decoder and encoder, for code that drives frames without a connection.
"""

from __future__ import annotations

from codecs import IncrementalDecoder, getincrementaldecoder
from typing import (
    TYPE_CHECKING,
    Any,
    Generator,
    List,
    NamedTuple,
    Optional,
    Tuple,
    Union,
    cast,
)

from ._frame_types import (
    CLOSE_REASONS,
    LOCAL_ONLY_CLOSE_REASONS,
    OPCODES,
    RSV1,
    RSV2,
    RSV3,
    CloseReason,
    Opcode,
    ParseFailed,
    RsvBits,
    is_valid_close_code,
)
from ._masking import mask, next_mask_key
from ._pipeline import ExtensionPipeline
from .utilities import LocalProtocolError

if TYPE_CHECKING:
    from ._extension import Extension

__all__ = [
    "FIN_MASK",
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
    "NULL_MASK",
    "OPCODE_MASK",
    "PAYLOAD_LENGTH_EIGHT_BYTE",
    "PAYLOAD_LENGTH_TWO_BYTE",
    "PAYLOAD_LEN_MASK",
    "RSV1_MASK",
    "RSV2_MASK",
    "RSV3_MASK",
    "Buffer",
    "CloseReason",
    "Frame",
    "FrameDecoder",
    "FrameEncoder",
    "FrameProtocol",
    "Header",
    "MessageDecoder",
    "Opcode",
    "ParseFailed",
    "PieceDecoder",
    "RsvBits",
    "XorMaskerNull",
    "XorMaskerSimple",
    "close_payload",
    "is_valid_close_code",
    "parse_close_payload",
]


#: The decoder's output: (message or control opcode, payload, frame_finished, message_finished).
Piece = Tuple[int, Any, bool, bool]

_TEXT, _BINARY, _CLOSE, _PING, _PONG = 1, 2, 8, 9, 10
# Leftover bytes up to this size are re-joined as ``bytes``; beyond it a bytearray grows in place.
_JOIN_AS_BYTES = 1 << 16


class PieceDecoder:
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
    return CLOSE_REASONS.get(code, code), reason


# =============================================================================
# wsproto 1.x compatibility: the frame API of upstream's frame_protocol module.
#
# Code written for wsproto 1.x drives frames without a Connection through
# FrameProtocol (and, rarely, FrameDecoder). Both are thin layers over the
# PieceDecoder and FrameEncoder above and the ExtensionPipeline: no second
# parser. MessageDecoder is used here as in 1.x; Buffer, Header and the
# XorMasker classes only ever served upstream's own parser and are kept, small
# and working, for imports.
# Differences from 1.x are listed in docs/migrating.rst ("The 1.x frame API").
# =============================================================================

#: Second byte of a header: the 7-bit length code that announces a 16-bit length.
PAYLOAD_LENGTH_TWO_BYTE = 126
#: Second byte of a header: the 7-bit length code that announces a 64-bit length.
PAYLOAD_LENGTH_EIGHT_BYTE = 127
#: Largest payload length written in the 7-bit field.
MAX_PAYLOAD_NORMAL = 125
#: Largest payload length written in the 16-bit field.
MAX_PAYLOAD_TWO_BYTE = (1 << 16) - 1
#: Largest payload length the 64-bit field can hold.
MAX_PAYLOAD_EIGHT_BYTE = (1 << 64) - 1
#: Largest frame payload (the 64-bit field's maximum).
MAX_FRAME_PAYLOAD = MAX_PAYLOAD_EIGHT_BYTE

#: Masks of the header's second byte: the MASK bit and the 7-bit length.
MASK_MASK = 0x80
PAYLOAD_LEN_MASK = 0x7F
#: Masks of the header's first byte: FIN, RSV1-3 and the opcode.
FIN_MASK = 0x80
RSV1_MASK = RSV1
RSV2_MASK = RSV2
RSV3_MASK = RSV3
OPCODE_MASK = 0x0F

#: Close code ranges of RFC 6455 section 7.4.2.
MIN_CLOSE_REASON = 1000
MIN_PROTOCOL_CLOSE_REASON = 1000
MAX_PROTOCOL_CLOSE_REASON = 2999
MIN_LIBRARY_CLOSE_REASON = 3000
MAX_LIBRARY_CLOSE_REASON = 3999
MIN_PRIVATE_CLOSE_REASON = 4000
MAX_PRIVATE_CLOSE_REASON = 4999
MAX_CLOSE_REASON = 4999

#: A masking key of four zero bytes (masking with it changes nothing).
NULL_MASK = bytes(4)

_CLOSE_REASON_VALUES = frozenset(int(member) for member in CloseReason)


class Header(NamedTuple):
    """A parsed frame header (1.x; kept for imports, nothing here produces one)."""

    fin: bool
    rsv: RsvBits
    opcode: Opcode
    payload_len: int
    masking_key: Optional[bytes]


class Frame(NamedTuple):
    """One frame, or part of one, as the 1.x frame API returns it.

    From :meth:`FrameProtocol.received_frames`, ``opcode`` is the message's
    opcode (TEXT or BINARY, never CONTINUATION) or a control opcode;
    ``payload`` is ``str`` for text (decoded incrementally), ``(code, reason)``
    for a close (``code`` a :class:`CloseReason` member when known, else an
    ``int``), ``bytes`` otherwise; ``message_finished`` is true only on the
    message's last piece. From :meth:`FrameDecoder.process_buffer` everything
    is raw: the frame's own opcode, ``bytes`` payloads, and the header's FIN bit.
    """

    opcode: Opcode
    payload: Union[bytes, str, Tuple[int, str]]
    frame_finished: bool
    message_finished: bool


class Buffer:
    """A byte buffer with tentative reads (1.x parser helper, kept working for imports).

    ``consume_*`` read ahead of :attr:`bytes_used`; :meth:`commit` drops what
    was read, :meth:`rollback` forgets the reads. ``len()`` counts every byte
    held, read or not.
    """

    def __init__(self, initial_bytes: Optional[bytes] = None) -> None:
        self.buffer = bytearray(initial_bytes or b"")
        self.bytes_used = 0

    def feed(self, new_bytes: bytes) -> None:
        """Append bytes."""
        self.buffer += new_bytes

    def consume_at_most(self, nbytes: int) -> bytearray:
        """Read up to ``nbytes`` unread bytes."""
        start = self.bytes_used
        data = self.buffer[start : start + nbytes] if nbytes else bytearray()
        self.bytes_used += len(data)
        return data

    def consume_exactly(self, nbytes: int) -> Optional[bytearray]:
        """Read exactly ``nbytes`` unread bytes, or nothing (None) if fewer are held."""
        if len(self.buffer) - self.bytes_used < nbytes:
            return None
        return self.consume_at_most(nbytes)

    def commit(self) -> None:
        """Drop the bytes read so far."""
        del self.buffer[: self.bytes_used]
        self.bytes_used = 0

    def rollback(self) -> None:
        """Forget the reads since the last commit."""
        self.bytes_used = 0

    def __len__(self) -> int:
        return len(self.buffer)


class XorMaskerSimple:
    """Masks consecutive chunks of one payload with one key (1.x helper, on the fast ``mask()``)."""

    def __init__(self, masking_key: Union[bytes, bytearray]) -> None:
        self._masking_key = bytes(masking_key)

    def process(self, data: Union[bytes, bytearray]) -> bytearray:
        """Return ``data`` masked; the next call continues where this one stopped in the key."""
        if not data:
            return bytearray()
        key = self._masking_key
        out = bytearray(mask(bytes(data), key))
        turn = len(data) & 3
        self._masking_key = key[turn:] + key[:turn]
        return out


class XorMaskerNull:
    """The masker of unmasked frames: returns its input unchanged (1.x helper)."""

    def process(self, data: bytearray) -> bytearray:
        """Return ``data`` itself."""
        return data


class MessageDecoder:
    """Turns the raw frames of data messages into message pieces (1.x helper).

    It checks the opcode sequence (a message starts with TEXT or BINARY and
    continues with CONTINUATION), reports the message's opcode on every piece,
    and decodes text incrementally, failing with 1007 on invalid UTF-8.
    """

    def __init__(self) -> None:
        self.opcode: Optional[Opcode] = None
        self.decoder: Optional[IncrementalDecoder] = None

    def process_frame(self, frame: Frame) -> Frame:
        """Return the message piece of one raw data frame (or part of one)."""
        opcode = frame.opcode
        if opcode.iscontrol():
            raise ValueError(f"{opcode!r} is a control frame, not part of a message")
        if self.opcode is None:
            if opcode is Opcode.CONTINUATION:
                raise ParseFailed("continuation frame without a message to continue")
            self.opcode = opcode
            if opcode is Opcode.TEXT:
                self.decoder = getincrementaldecoder("utf-8")()
        elif opcode is not Opcode.CONTINUATION:
            raise ParseFailed(f"expected a continuation frame, got {opcode!r}")
        finished = frame.frame_finished and frame.message_finished
        payload = frame.payload
        if self.decoder is not None:
            if not isinstance(payload, (bytes, bytearray)):
                raise TypeError(f"a raw frame's payload is bytes, not {type(payload).__name__}")
            try:
                payload = self.decoder.decode(payload, finished)
            except UnicodeDecodeError:
                raise ParseFailed(
                    "text message is not valid UTF-8", CloseReason.INVALID_FRAME_PAYLOAD_DATA
                ) from None
        piece = Frame(self.opcode, payload, frame.frame_finished, finished)
        if finished:
            self.opcode = None
            self.decoder = None
        return piece


class FrameDecoder:
    """wsproto 1.x's frame decoder: bytes in, raw :class:`Frame` objects out.

    Built on :class:`PieceDecoder`: every check of RFC 6455 section 5 applies,
    including the opcode sequence of fragmented messages (1.x left that to
    :class:`MessageDecoder`). A data frame comes out in parts as its bytes
    arrive (``frame_finished`` false until the last); the first part carries
    the frame's opcode, later parts CONTINUATION. Extensions get their inbound
    hooks, with this decoder as ``proto``, in 1.x order (list order inbound).
    """

    def __init__(self, client: bool, extensions: Optional[List[Extension]] = None) -> None:
        self.client = client
        self.extensions = extensions or []
        # 1.x ran inbound hooks in list order; the pipeline runs inbound in reverse.
        pipeline = ExtensionPipeline(self, self.extensions[::-1]) if self.extensions else None
        self._pieces = PieceDecoder(client, pipeline)
        self._in_message = False  # a data message has begun and not ended

    def receive_bytes(self, data: bytes) -> None:
        """Append bytes received from the peer."""
        self._pieces.receive_bytes(data)

    def process_buffer(self) -> Optional[Frame]:
        """Return the next frame (or part of one), or None when more bytes are needed.

        Raises :class:`ParseFailed` when the peer broke the protocol.
        """
        pieces = self._pieces
        piece = pieces.next_piece()
        if piece is None:
            return None
        opcode, payload, frame_finished, message_finished = piece
        if opcode >= 8:
            return Frame(OPCODES[opcode], payload, True, True)
        raw = Opcode.CONTINUATION if self._in_message else OPCODES[opcode]
        self._in_message = not message_finished
        # 1.x reports the header's FIN bit on every part of the frame.
        fin = message_finished if frame_finished else pieces._fin
        return Frame(raw, payload, frame_finished, fin)


class FrameProtocol:
    """wsproto 1.x's frame-level protocol: bytes to frames and frames to bytes.

    :param client: True for the client end (it masks what it sends and
        expects unmasked frames).
    :param extensions: negotiated extensions; those whose ``enabled()`` is
        false are dropped. Inbound hooks get the :class:`FrameDecoder` as
        ``proto``, outbound hooks this object; only data frames pass through
        them.

    Frames go out as :class:`bytearray`, as in 1.x.
    """

    def __init__(self, client: bool, extensions: List[Extension]) -> None:
        self.client = client
        self.extensions = [ext for ext in extensions if ext.enabled()]
        self._frame_decoder = FrameDecoder(client, self.extensions)
        self._message_decoder = MessageDecoder()
        self._encoder = FrameEncoder(client)
        # 1.x ran outbound hooks in reverse list order: the pipeline's outbound order, reversed.
        self._outbound = ExtensionPipeline(self, self.extensions[::-1]) if self.extensions else None
        self._outbound_opcode: Optional[Opcode] = None
        self._reading = True  # false after a close frame or a protocol failure, as in 1.x

    # -- receiving ---------------------------------------------------------------

    def receive_bytes(self, data: bytes) -> None:
        """Append bytes received from the peer."""
        self._frame_decoder.receive_bytes(data)

    def received_frames(self) -> Generator[Frame, None, None]:
        """Yield the frames the bytes received so far complete.

        Raises :class:`ParseFailed` (with the close code to send) when the
        peer broke the protocol. After a close frame or a failure nothing more
        is parsed.
        """
        while self._reading:
            try:
                frame = self._next_frame()
            except ParseFailed:
                self._reading = False
                raise
            if frame is None:
                return
            yield frame

    def _next_frame(self) -> Optional[Frame]:
        frame = self._frame_decoder.process_buffer()
        if frame is None:
            return None
        opcode = frame.opcode
        if opcode is Opcode.CLOSE:
            self._reading = False
            code, reason = parse_close_payload(cast(bytes, frame.payload))
            if code in _CLOSE_REASON_VALUES:
                code = CloseReason(code)  # 1.x gave the member for every known code
            return Frame(opcode, (code, reason), True, True)
        if opcode.iscontrol():
            return frame
        return self._message_decoder.process_frame(frame)

    # -- sending -----------------------------------------------------------------

    def close(self, code: Optional[int] = None, reason: Optional[str] = None) -> bytearray:
        """Return a close frame.

        No code (or 1005) sends a close frame without a status; a reason needs
        a code and is cut to fit 123 bytes. The local-only codes 1006 and 1015
        are never sent: they give a close frame without a status too (1.x sent
        1000). Other codes not allowed on the wire raise
        :class:`~wsproto.utilities.LocalProtocolError`.
        """
        if code is None or code is CloseReason.NO_STATUS_RCVD:
            if reason:
                raise TypeError("cannot specify a reason without a code")
            payload = b""
        elif not isinstance(code, int):
            raise TypeError(f"close code must be an int, not {type(code).__name__}")
        elif code in LOCAL_ONLY_CLOSE_REASONS:
            payload = b""
        elif is_valid_close_code(code):
            payload = close_payload(int(code), reason)
        else:
            raise LocalProtocolError(
                f"invalid close code {code}: use 1000-1003, 1007-1013, or 3000-4999 "
                "(RFC 6455 section 7.4)"
            )
        return bytearray(self._encoder.frame(0x88, payload))

    def ping(self, payload: bytes = b"") -> bytearray:
        """Return a ping frame."""
        return self._control(0x89, payload)

    def pong(self, payload: bytes = b"") -> bytearray:
        """Return a pong frame."""
        return self._control(0x8A, payload)

    def _control(self, byte0: int, payload: bytes) -> bytearray:
        data = bytes(payload)
        if len(data) > MAX_PAYLOAD_NORMAL:
            raise ValueError("payload too long for control frame")
        return bytearray(self._encoder.frame(byte0, data))

    def send_data(
        self, payload: Union[bytes, bytearray, memoryview, str] = b"", fin: bool = True
    ) -> bytearray:
        """Return the frame of one chunk of a message: text for ``str``, binary for bytes.

        Chunks of one message (``fin`` false until the last) must keep its
        type, or :class:`TypeError` is raised.
        """
        if isinstance(payload, (bytes, bytearray, memoryview)):
            opcode = Opcode.BINARY
            data = bytes(payload)
        elif isinstance(payload, str):
            opcode = Opcode.TEXT
            data = payload.encode("utf-8")
        else:
            raise TypeError("Must provide bytes or text")
        if self._outbound_opcode is None:
            self._outbound_opcode = opcode
        elif self._outbound_opcode is not opcode:
            raise TypeError("Data type mismatch inside message")
        else:
            opcode = Opcode.CONTINUATION
        if fin:
            self._outbound_opcode = None
        byte0 = opcode | (FIN_MASK if fin else 0)
        if self._outbound is not None:
            rsv, data = self._outbound.outbound(opcode, data, fin)
            byte0 |= rsv
        return bytearray(self._encoder.frame(byte0, data))
