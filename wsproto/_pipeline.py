"""Applies the negotiated extensions to data frames, inbound and outbound.

RFC 6455 section 9.1: with the server's response listing "foo, bar", data is
sent as bar(foo(data)). So the outbound pipeline runs in response order and
the inbound pipeline in reverse order.

Inbound output is budgeted: an extension may return only part of its output
and set ``inbound_pending``; the pipeline then asks it for the rest with an
empty input, one bounded step at a time, before reading more frames.
"""

from __future__ import annotations

from typing import Any, List, Sequence, Tuple

from ._frame_types import (
    OPCODES,
    RSV_BITS,
    CloseReason,
    ParseFailed,
    is_valid_close_code,
    rsv_mask,
)
from .extensions import Extension

__all__ = ["ExtensionPipeline"]


def _failed(message: str, code: int) -> ParseFailed:
    # An extension's close code reaches the application's CloseConnection event: one that may
    # not appear on the wire (1005, 1006, 999, ...) would make the reply unsendable.
    return ParseFailed(message, code if is_valid_close_code(code) else CloseReason.INTERNAL_ERROR)


def _check(result: Any, ext: Extension, hook: str) -> bytes:
    if isinstance(result, int) and not isinstance(result, bool):  # a CloseReason or an int
        raise _failed(f"extension {ext.name!r} failed the frame in {hook}", result)
    return result if result.__class__ is bytes else bytes(result)  # type: ignore[no-any-return,unused-ignore]


class ExtensionPipeline:
    """The negotiated extensions of one connection, in the order of the server's response."""

    __slots__ = ("inbound_order", "outbound_order", "owned_rsv", "proto")

    def __init__(self, proto: Any, extensions: Sequence[Extension]) -> None:
        self.proto = proto
        self.outbound_order: List[Extension] = list(extensions)
        self.inbound_order: List[Extension] = self.outbound_order[::-1]
        owned = 0
        for ext in extensions:
            owned |= rsv_mask(ext.rsv_bits)
        # Extensions that declare no bits (upstream-style ones) may still use any bit per frame.
        self.owned_rsv = 0x70 if any(not any(e.rsv_bits) for e in extensions) else owned

    @property
    def pending(self) -> bool:
        """True while an extension holds inbound output it has not returned yet."""
        for ext in self.inbound_order:  # noqa: SIM110 - a plain loop: any() + genexpr costs ~1 us/frame
            if ext.inbound_pending:
                return True
        return False

    def inbound_header(self, opcode: int, rsv: int, length: int) -> int:
        """Let every extension see a data frame header; return the RSV bits they accept."""
        consumed = 0
        op = OPCODES[opcode]
        bits = RSV_BITS[rsv]
        for ext in self.inbound_order:
            result = ext.frame_inbound_header(self.proto, op, bits, length)
            if isinstance(result, int):  # a CloseReason (or a plain int code)
                raise _failed(f"extension {ext.name!r} rejected the frame header", result)
            consumed |= rsv_mask(result)
        return consumed

    def inbound_data(self, data: bytes, start: int = 0) -> bytes:
        """Run a payload chunk through the inbound extensions from index ``start``."""
        proto = self.proto
        for ext in self.inbound_order[start:]:
            data = _check(ext.frame_inbound_payload_data(proto, data), ext, "payload")
        return data

    def inbound_complete(self, fin: bool) -> bytes:
        """Signal the end of a frame; each extension's tail output runs through the later ones."""
        proto = self.proto
        out = b""
        for ext in self.inbound_order:
            if out:
                out = _check(ext.frame_inbound_payload_data(proto, out), ext, "payload")
            tail = ext.frame_inbound_complete(proto, fin)
            if tail is not None:
                out += _check(tail, ext, "frame end")
        return out

    def drain(self) -> bytes:
        """Return the next bounded step of output held by the first pending extension."""
        for index, ext in enumerate(self.inbound_order):
            if ext.inbound_pending:
                out = _check(ext.frame_inbound_payload_data(self.proto, b""), ext, "payload")
                return self.inbound_data(out, index + 1) if out else out
        return b""

    def outbound(self, opcode: int, data: bytes, fin: bool) -> Tuple[int, bytes]:
        """Run one outbound data frame through the extensions; return (RSV mask, payload)."""
        proto = self.proto
        op = OPCODES[opcode]
        bits = RSV_BITS[0]
        for ext in self.outbound_order:
            bits, data = ext.frame_outbound(proto, op, bits, data, fin)
        return rsv_mask(bits), data
