"""Applies the negotiated extensions to data frames, inbound and outbound.

RFC 6455 section 9.1: with the server's response listing "foo, bar", data is
sent as bar(foo(data)). So the outbound pipeline runs in response order and
the inbound pipeline in reverse order.

Inbound output is budgeted: an extension may return only part of its output
and set ``inbound_pending``; the pipeline then asks it for the rest with an
empty input, one bounded step at a time, before reading more frames.

Every hook call is guarded (see :mod:`._faults`): an exception, a result
outside the hook's contract, or an RSV bit changed that the extension does
not own is a fault. The guards cost one ``try`` per chain (free on Python
3.11+), one class test per result and one mask test per frame; the slow
validation runs only when the class test fails.
"""

from __future__ import annotations

from typing import Any, List, Optional, Sequence, Tuple

from . import _faults
from ._extension import Extension
from ._faults import COMPLETE, HEADER, OUTBOUND, PAYLOAD, PENDING, header_result, payload_result
from ._frame_types import OPCODES, RSV_BITS, RsvBits, rsv_mask

__all__ = ["ExtensionPipeline"]

#: Consecutive drain steps that may return nothing while the extension stays pending.
_MAX_EMPTY_DRAINS = 64


class ExtensionPipeline:
    """The negotiated extensions of one connection, in the order of the server's response."""

    __slots__ = ("_empty_drains", "_in", "_out", "inbound_order", "owned_rsv", "proto")

    def __init__(self, proto: Any, extensions: Sequence[Extension]) -> None:
        self.proto = proto
        outbound_order: List[Extension] = list(extensions)
        self.inbound_order: List[Extension] = outbound_order[::-1]
        masks = [rsv_mask(ext.rsv_bits) for ext in outbound_order]
        declared = 0
        for m in masks:
            declared |= m
        # Each extension owns the bits it declared. One that declares none (an upstream-style
        # extension) owns the bits that no other negotiated extension declared.
        owned = [m or (0x70 & ~declared) for m in masks]
        self._out: List[Tuple[Extension, int]] = list(zip(outbound_order, owned))
        self._in: List[Tuple[Extension, int]] = self._out[::-1]
        union = 0
        for m in owned:
            union |= m
        self.owned_rsv = union
        self._empty_drains = 0

    @property
    def pending(self) -> bool:
        """True while an extension holds inbound output it has not returned yet."""
        ext = None
        try:
            for ext in self.inbound_order:
                if ext.inbound_pending:
                    return True
        except Exception as exc:  # a property that raises
            fault = self._inbound_fault(ext, PENDING, exc)
            raise fault from fault.__cause__  # the original exception, when there is one
        return False

    def inbound_header(self, opcode: int, rsv: int, length: int) -> int:
        """Let every extension see a data frame header; return the RSV bits they accept."""
        consumed = 0
        op = OPCODES[opcode]
        bits = RSV_BITS[rsv]
        proto = self.proto
        ext = None
        try:
            for ext, owned in self._in:
                result: Any = ext.frame_inbound_header(proto, op, bits, length)
                mask = rsv_mask(result) if result.__class__ is RsvBits else header_result(result)
                if mask & ~owned:
                    raise _faults.foreign(HEADER, mask & ~owned, owned)
                consumed |= mask
        except Exception as exc:
            fault = self._inbound_fault(ext, HEADER, exc)
            raise fault from fault.__cause__  # the original exception, when there is one
        return consumed

    def inbound_data(self, data: bytes, start: int = 0) -> bytes:
        """Run a payload chunk through the inbound extensions from index ``start``."""
        proto = self.proto
        ext = None
        try:
            for ext in self.inbound_order[start:] if start else self.inbound_order:
                result: Any = ext.frame_inbound_payload_data(proto, data)
                # The common case costs one class test; anything else is validated, never coerced.
                data = result if result.__class__ is bytes else payload_result(result)
        except Exception as exc:
            fault = self._inbound_fault(ext, PAYLOAD, exc)
            raise fault from fault.__cause__  # the original exception, when there is one
        return data

    def inbound_complete(self, fin: bool) -> bytes:
        """Signal the end of a frame; each extension's tail output runs through the later ones."""
        proto = self.proto
        out = b""
        ext = None
        hook = PAYLOAD
        try:
            for ext in self.inbound_order:
                if out:
                    hook = PAYLOAD
                    result: Any = ext.frame_inbound_payload_data(proto, out)
                    out = result if result.__class__ is bytes else payload_result(result)
                hook = COMPLETE
                tail: Any = ext.frame_inbound_complete(proto, fin)
                if tail is not None:
                    out += tail if tail.__class__ is bytes else _faults.complete_result(tail)
        except Exception as exc:
            fault = self._inbound_fault(ext, hook, exc)
            raise fault from fault.__cause__  # the original exception, when there is one
        return out

    def drain(self) -> bytes:
        """Return the next bounded step of output held by the first pending extension."""
        ext = None
        try:
            for index, ext in enumerate(self.inbound_order):
                if ext.inbound_pending:
                    out: Any = ext.frame_inbound_payload_data(self.proto, b"")
                    if out.__class__ is not bytes:
                        out = payload_result(out)
                    if out:
                        self._empty_drains = 0
                        return self.inbound_data(out, index + 1)
                    if not ext.inbound_pending:
                        self._empty_drains = 0
                        return b""
                    # Still pending with nothing to show: a stuck extension would make every
                    # events() loop endless (each step yields an empty message).
                    self._empty_drains += 1
                    if self._empty_drains > _MAX_EMPTY_DRAINS:
                        raise _faults.InvalidResult(
                            f"kept inbound_pending true while returning nothing for "
                            f"{_MAX_EMPTY_DRAINS} calls in a row"
                        )
                    return b""
        except Exception as exc:
            fault = self._inbound_fault(ext, PAYLOAD, exc)
            raise fault from fault.__cause__  # the original exception, when there is one
        return b""

    def outbound(self, opcode: int, data: bytes, fin: bool) -> Tuple[int, bytes]:
        """Run one outbound data frame through the extensions; return (RSV mask, payload)."""
        proto = self.proto
        op = OPCODES[opcode]
        bits = RSV_BITS[0]
        mask = 0
        ext = None
        try:
            for ext, owned in self._out:
                result: Any = ext.frame_outbound(proto, op, bits, data, fin)
                # The common case: a plain tuple of (RsvBits, bytes); anything else is validated
                # (a 2-item str or bytes would unpack too, so the class test comes first).
                if result.__class__ is tuple and len(result) == 2:
                    bits, data = result
                    if bits.__class__ is not RsvBits or data.__class__ is not bytes:
                        new, data = _faults.outbound_result(result)
                        bits = RSV_BITS[new]
                    else:
                        new = rsv_mask(bits)
                else:
                    new, data = _faults.outbound_result(result)
                    bits = RSV_BITS[new]
                # One mask test: the bits that changed in this step must all be the extension's.
                if (new ^ mask) & ~owned:
                    raise _faults.foreign(OUTBOUND, (new ^ mask) & ~owned, owned)
                mask = new
        except Exception as exc:
            error = _faults.outbound_fault(ext, OUTBOUND, exc)
            if error.__cause__ is exc:  # the fault itself, not the stand-in refusing again
                self._stop(error.extension, error.distribution, error.hook, exc)
            raise error from error.__cause__
        return mask, data

    # -- after a fault ------------------------------------------------------------------

    def _inbound_fault(self, ext: Any, hook: str, exc: BaseException) -> Exception:
        fault = _faults.inbound_fault(ext, hook, exc)
        # Stop the chain once, when the fault is new (not one passed up from a nested call).
        if isinstance(fault, _faults.ExtensionFault) and fault.origin and fault.__cause__ is exc:
            self._stop(*fault.origin, exc)
        return fault

    def _stop(self, name: str, dist: Optional[str], hook: str, cause: BaseException) -> None:
        """A faulted chain is never called again: one stand-in replaces every extension."""
        stand_in = _FailedChain(name, dist, hook, cause)
        self._in = self._out = [(stand_in, 0x70)]
        self.inbound_order = [stand_in]
        self._empty_drains = 0


class _FailedChain(Extension):
    """Stands in for a connection's extensions after one of them faulted.

    Swapping the chains for this object keeps the hot path free of a "failed?"
    test: data sent afterwards raises ExtensionError again, data received
    afterwards fails the connection with 1011, control frames are unaffected.
    """

    def __init__(self, name: str, dist: Optional[str], hook: str, cause: BaseException) -> None:
        self.name = name
        self._origin = (name, dist, hook)
        self._cause = cause
        self._message, self._reason = _faults.already_failed(name, dist, hook)

    def _refuse(self) -> _faults.ExtensionFault:
        return _faults.ExtensionFault(self._message, self._reason)

    def frame_inbound_header(self, proto: Any, opcode: Any, rsv: Any, length: int) -> RsvBits:
        raise self._refuse()

    def frame_inbound_payload_data(self, proto: Any, data: bytes) -> bytes:
        raise self._refuse()

    def frame_inbound_complete(self, proto: Any, fin: bool) -> None:
        raise self._refuse()

    def frame_outbound(
        self, proto: Any, opcode: Any, rsv: RsvBits, data: bytes, fin: bool
    ) -> Tuple[RsvBits, bytes]:
        raise _faults.ExtensionError(self._message, *self._origin) from self._cause
