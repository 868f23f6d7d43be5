"""The vocabulary of RFC 6455 frames: opcodes, close codes, reserved bits, the parse error.

It sits below everything that handles frames (the codec in
:mod:`wsproto.frame_protocol`, the extension pipeline, the extension base
class), so that all of them import it and none imports another. The public
names are re-exported, and documented, by :mod:`wsproto.frame_protocol`.
"""

from __future__ import annotations

from enum import IntEnum
from typing import NamedTuple, Sequence, Tuple

__all__ = [
    "CLOSE_REASONS",
    "LOCAL_ONLY_CLOSE_REASONS",
    "OPCODES",
    "RSV_BITS",
    "CloseReason",
    "Opcode",
    "ParseFailed",
    "RsvBits",
    "is_valid_close_code",
    "rsv_mask",
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
CLOSE_REASONS = {int(reason): reason for reason in CloseReason}


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
        self.code = CLOSE_REASONS.get(code, code)


def _opcode_members() -> Tuple[Opcode, ...]:
    # Reserved opcodes never reach extensions; they map to CONTINUATION only to fill the table.
    return tuple(Opcode(i) if i in Opcode._value2member_map_ else Opcode(0) for i in range(16))


#: Opcode members by value, so hooks receive enum members without constructing them.
OPCODES = _opcode_members()


# The public module is where users (and pickles, and 1.x) find these classes.
for _cls in (Opcode, CloseReason, RsvBits, ParseFailed):
    _cls.__module__ = "wsproto.frame_protocol"
del _cls
