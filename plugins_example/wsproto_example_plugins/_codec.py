"""A per-message compression extension built on a stdlib streaming codec.

Wire format (the same idea as RFC 7692, with another codec and another bit):

* the first frame of a compressed message has this extension's RSV bit set;
  continuation frames never do;
* the payloads of the message's frames, concatenated, are one complete
  compressed stream of the codec;
* messages shorter than ``min_size`` are sent uncompressed (bit clear).

Parameters (all optional, values are levels):

======================  ============  =============================================
parameter               in            meaning
======================  ============  =============================================
``server_max_level=N``  offer         the client asks the server to compress at
                                      level N or lower; the server echoes the
                                      level it will not exceed
``client_max_level=N``  response      the server asks the client to compress at
                                      level N or lower
======================  ============  =============================================

Any other parameter, a repeated one, or a value outside the codec's levels
makes the server decline the offer and the client fail the handshake.

Inbound work is bounded twice: each call returns at most ``budget`` bytes
(setting :attr:`inbound_pending` while more output is held back), and a
message that decodes to more than ``max_decoded_size`` bytes fails with 1009.
"""

from __future__ import annotations

from typing import Any, ClassVar, Dict, Optional, Protocol, Tuple, Type, Union

from wsproto.extensions import Extension, ExtensionParams
from wsproto.frame_protocol import CloseReason, Opcode, RsvBits

__all__ = ["CodecCompression", "Compressor", "Decompressor"]

_SERVER_MAX = "server_max_level"
_CLIENT_MAX = "client_max_level"


class Compressor(Protocol):
    """What the stdlib's BZ2Compressor and LZMACompressor have in common."""

    def compress(self, data: bytes, /) -> bytes: ...
    def flush(self) -> bytes: ...


class Decompressor(Protocol):
    """What the stdlib's BZ2Decompressor and LZMADecompressor have in common."""

    @property
    def eof(self) -> bool: ...
    @property
    def needs_input(self) -> bool: ...
    @property
    def unused_data(self) -> bytes: ...
    def decompress(self, data: bytes, max_length: int = -1) -> bytes: ...


class CodecCompression(Extension):
    """Base class: subclasses set ``name``, ``rsv_bits``, ``LEVELS`` and the codec methods."""

    #: The one RSV bit that marks a compressed message (subclasses choose it).
    rsv_bits = RsvBits(False, True, False)
    #: The valid levels, lowest first.
    LEVELS: ClassVar[range] = range(1, 10)
    #: Exceptions the codec raises on corrupt input.
    ERRORS: ClassVar[Tuple[Type[BaseException], ...]] = (OSError, ValueError, EOFError)

    def __init__(
        self,
        level: int = 1,
        *,
        max_level: Optional[int] = None,
        max_decoded_size: Optional[int] = 16 * 1024 * 1024,
        budget: int = 64 * 1024,
        min_size: int = 64,
    ) -> None:
        """Configure the extension.

        :param level: the level used to compress outbound messages (lowered
            when the peer asks for a lower one).
        :param max_level: the highest level accepted from the peer, which
            bounds its decoder's memory; None: any level.
        :param max_decoded_size: fail with 1009 when one inbound message
            decodes to more bytes; None: no bound.
        :param budget: at most this many decoded bytes per inbound call.
        :param min_size: send messages shorter than this uncompressed.
        """
        top = self.LEVELS[-1]
        max_level = top if max_level is None else max_level
        for what, value in (("level", level), ("max_level", max_level)):
            if value not in self.LEVELS:
                raise ValueError(
                    f"{self.name}: {what}={value} is not in {self.LEVELS.start}..{top}"
                )
        if budget < 1:
            raise ValueError(f"{self.name}: budget must be at least 1, not {budget}")
        self.level = level
        self.max_level = max_level
        self.max_decoded_size = max_decoded_size
        self.budget = budget
        self.min_size = min_size
        self.send_level = level  # after negotiation: what this side compresses with
        self.peer_max_level = max_level  # after negotiation: the highest inbound level
        self._compressor: Optional[Compressor] = None
        self._decompressor: Optional[Decompressor] = None
        self._decoded = 0
        self._head = b""

    def fresh(self) -> CodecCompression:
        """A new, unnegotiated instance with the same configuration."""
        return type(self)(
            self.level,
            max_level=self.max_level,
            max_decoded_size=self.max_decoded_size,
            budget=self.budget,
            min_size=self.min_size,
        )

    # -- the codec (subclasses) ------------------------------------------------------

    def new_compressor(self, level: int) -> Compressor:
        """Return a compressor for one message."""
        raise NotImplementedError

    def new_decompressor(self, max_level: int) -> Decompressor:
        """Return a decompressor for one message sent at ``max_level`` or lower."""
        raise NotImplementedError

    def check_head(self, head: bytes) -> Optional[str]:
        """Inspect the stream's first bytes; return why they are unacceptable, or None."""
        return None

    #: How many leading bytes :meth:`check_head` needs.
    HEAD_SIZE: ClassVar[int] = 0

    # -- negotiation -----------------------------------------------------------------

    def _level(self, params: ExtensionParams, key: str) -> Optional[int]:
        if key not in params:
            return None
        value = params[key]
        # Exact texts only: str.isdigit() and int() also take "٣", "+3", " 3" or "03", and a
        # substring test would take "23". The peer chooses this string.
        levels = {str(n): n for n in self.LEVELS}
        if value is None or value not in levels:
            raise ValueError(f"{key}={value!r} is not a level of {self.name}")
        return levels[value]

    def _check_keys(self, params: ExtensionParams, allowed: Tuple[str, ...]) -> None:
        unknown = sorted(set(params) - set(allowed))
        if unknown:
            raise ValueError(f"unknown {self.name} parameter(s): {', '.join(unknown)}")

    def offer_params(self) -> Optional[ExtensionParams]:
        """Client: offer, limiting the server's level to our ``max_level``."""
        if self.max_level < self.LEVELS[-1]:
            return {_SERVER_MAX: str(self.max_level)}
        return {}

    def accept_params(self, params: ExtensionParams) -> Optional[ExtensionParams]:
        """Server: accept an offer (or decline it with None)."""
        try:
            self._check_keys(params, (_SERVER_MAX,))
            asked = self._level(params, _SERVER_MAX)
        except ValueError:
            return None
        response: Dict[str, Optional[str]] = {}
        self.send_level = self.level
        if asked is not None:
            self.send_level = min(self.level, asked)
            response[_SERVER_MAX] = str(asked)
        self.peer_max_level = self.max_level
        if self.max_level < self.LEVELS[-1]:
            response[_CLIENT_MAX] = str(self.max_level)
        return response

    def finalize_params(self, params: ExtensionParams) -> None:
        """Client: apply the server's response; raise ValueError to refuse it."""
        self._check_keys(params, (_SERVER_MAX, _CLIENT_MAX))
        server_max = self._level(params, _SERVER_MAX)
        if server_max is not None and server_max > self.max_level:
            raise ValueError(f"{_SERVER_MAX}={server_max} exceeds the offered {self.max_level}")
        client_max = self._level(params, _CLIENT_MAX)
        if server_max is not None:
            self.peer_max_level = min(self.max_level, server_max)
        self.send_level = self.level if client_max is None else min(self.level, client_max)

    # -- outbound --------------------------------------------------------------------

    def frame_outbound(
        self, proto: Any, opcode: Opcode, rsv: RsvBits, data: bytes, fin: bool
    ) -> Tuple[RsvBits, bytes]:
        """Compress a message's frames into one codec stream."""
        if opcode is not Opcode.CONTINUATION:
            if fin and len(data) < self.min_size:
                self._compressor = None
                return rsv, data  # small and whole: not worth compressing
            self._compressor = self.new_compressor(self.send_level)
            mine = self.rsv_bits
            rsv = RsvBits(rsv[0] or mine[0], rsv[1] or mine[1], rsv[2] or mine[2])
        compressor = self._compressor
        if compressor is None:
            return rsv, data
        out = compressor.compress(data)
        if fin:
            out += compressor.flush()
            self._compressor = None
        return rsv, out

    # -- inbound ---------------------------------------------------------------------

    def frame_inbound_header(
        self, proto: Any, opcode: Opcode, rsv: RsvBits, payload_length: int
    ) -> Union[CloseReason, RsvBits]:
        """Note whether a message is compressed; accept our bit on its first frame only."""
        if opcode is Opcode.CONTINUATION:
            return RsvBits(False, False, False)  # our bit here is a protocol error
        self.inbound_pending = False
        self._decoded = 0
        self._head = b""
        compressed = any(a and b for a, b in zip(rsv, self.rsv_bits))
        self._decompressor = self.new_decompressor(self.peer_max_level) if compressed else None
        return self.rsv_bits if compressed else RsvBits(False, False, False)

    def frame_inbound_payload_data(self, proto: Any, data: bytes) -> Union[bytes, CloseReason]:
        """Decompress, returning at most ``budget`` bytes per call."""
        d = self._decompressor
        if d is None:
            return data
        if len(self._head) < self.HEAD_SIZE and data:
            self._head += data[: self.HEAD_SIZE - len(self._head)]
            if len(self._head) == self.HEAD_SIZE and self.check_head(self._head):
                return CloseReason.PROTOCOL_ERROR
        if d.eof:
            return CloseReason.INVALID_FRAME_PAYLOAD_DATA if data else b""
        try:
            out = d.decompress(data, self.budget)
        except MemoryError:
            return CloseReason.MESSAGE_TOO_BIG
        except self.ERRORS:
            return self.error_code()
        if d.eof and d.unused_data:
            return CloseReason.INVALID_FRAME_PAYLOAD_DATA  # bytes after the end of the stream
        self.inbound_pending = not d.eof and not d.needs_input
        self._decoded += len(out)
        if self.max_decoded_size is not None and self._decoded > self.max_decoded_size:
            return CloseReason.MESSAGE_TOO_BIG
        return out

    def error_code(self) -> CloseReason:
        """The close code for a codec error (subclasses may refine it)."""
        return CloseReason.INVALID_FRAME_PAYLOAD_DATA

    def frame_inbound_complete(self, proto: Any, fin: bool) -> Union[bytes, CloseReason, None]:
        """At the end of a compressed message, the stream must be complete."""
        d = self._decompressor
        if d is None or not fin:
            return None
        self._decompressor = None
        if not d.eof or len(self._head) < self.HEAD_SIZE:
            return CloseReason.INVALID_FRAME_PAYLOAD_DATA  # truncated stream
        return None
