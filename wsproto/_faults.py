"""Run-time fault isolation for negotiated extensions: what a fault is, how it is reported.

A *fault* is an exception raised by an extension's frame hook, a return
value outside the hook's contract (see :class:`~wsproto.extensions.Extension`)
or an RSV bit changed that the extension does not own. The pipeline turns an
inbound fault into :class:`ExtensionFault` (a :class:`ParseFailed` with close
code 1011, plus one log record) and an outbound fault into
:class:`ExtensionError` raised from ``send()``. Nothing here runs until a
fault happens, so it may be slow: it looks up the extension's distribution.
"""

from __future__ import annotations

import sys
from functools import lru_cache
from typing import Any, Optional, Tuple

from ._frame_types import CloseReason, ParseFailed, RsvBits, is_valid_close_code, rsv_mask
from .utilities import LocalProtocolError

__all__ = ["LOGGER", "ExtensionError", "ExtensionFault", "inbound_fault", "outbound_fault"]

#: Inbound faults are logged on this logger, at ERROR level, with the original exception.
LOGGER = "wsproto.extensions"

HEADER = "frame_inbound_header"
PAYLOAD = "frame_inbound_payload_data"
COMPLETE = "frame_inbound_complete"
OUTBOUND = "frame_outbound"
PENDING = "inbound_pending"


class ExtensionError(LocalProtocolError):
    """A negotiated extension failed in ``frame_outbound`` while sending.

    ``send()`` raised it and emitted nothing. The connection's extensions are
    never called again: further data messages raise this error again, while
    control frames still work, so the application can (and should) send
    ``CloseConnection(1011)``. The original exception is ``__cause__`` (for an
    invalid return value, a :exc:`TypeError` or :exc:`ValueError` describing it).

    :ivar extension: the extension's name, e.g. ``"permessage-bzip2"``.
    :ivar distribution: the distribution that installed it (``"name version"``),
        or None if unknown (e.g. a class defined in the application).
    :ivar hook: the hook that failed, e.g. ``"frame_outbound"``.
    """

    def __init__(self, message: str, extension: str, distribution: Optional[str], hook: str):
        super().__init__(message)
        self.extension = extension
        self.distribution = distribution
        self.hook = hook


class ExtensionFault(ParseFailed):
    """Internal: an inbound fault, reported to the application as CloseConnection(1011)."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(reason, CloseReason.INTERNAL_ERROR)
        self.message = message
        #: (extension name, distribution, hook) when this is the fault itself.
        self.origin: Optional[Tuple[str, Optional[str], str]] = None


class InvalidResult(TypeError):
    """A hook returned something its contract does not allow (the fault's cause)."""


class ForeignRsvBit(ValueError):
    """A hook set or cleared an RSV bit its extension does not own (the fault's cause)."""


def _distribution(cls: type) -> Optional[str]:
    # Entry-point plugins: the registry names their distribution, as load-time isolation does.
    # Only a registry that is loaded already is asked (a fault must not load plugins), and
    # sys.modules is read rather than importing _registry, which imports pluggy.
    registry = sys.modules.get("wsproto._registry")
    found = registry.distribution_of(cls) if registry is not None else None
    return found or _distribution_of_module(cls.__module__.partition(".")[0])


@lru_cache(maxsize=64)
def _distribution_of_module(top: str) -> Optional[str]:
    # Classes given directly to a connection: the distribution that installed the package.
    if sys.version_info >= (3, 10):
        from importlib.metadata import packages_distributions, version
    else:  # pragma: no cover - Python 3.9 uses the backport, as the registry does
        from importlib_metadata import packages_distributions, version
    try:
        names = packages_distributions().get(top) or []
        return f"{names[0]} {version(names[0])}" if names else None
    except Exception:  # pragma: no cover - broken metadata must not hide the fault itself
        return None


def _name(ext: Any) -> str:
    return str(getattr(ext, "name", "?"))


def _text(cause: BaseException) -> str:
    # The exception is the plugin's: its str() may be huge (a payload) or may itself raise.
    try:
        text = str(cause)
    except Exception:
        return "<str() of the exception failed>"
    return text if len(text) <= 300 else text[:300] + "..."


def _report(ext: Any, hook: str, cause: BaseException) -> Tuple[str, Optional[str]]:
    """The text naming extension, class, distribution and hook; and the distribution."""
    cls = type(ext)
    dist = _distribution(cls)
    if isinstance(cause, (InvalidResult, ForeignRsvBit)):
        why = str(cause)
    else:
        why = f"raised {type(cause).__name__}: {_text(cause)}"
    return (
        f"wsproto: extension {_name(ext)!r} ({cls.__module__}.{cls.__qualname__}) from "
        f"distribution {dist or 'unknown'} failed in {hook}: {why}"
    ), dist


def inbound_fault(ext: Any, hook: str, cause: BaseException) -> ParseFailed:
    """Turn an exception escaping an inbound hook into what the pipeline raises.

    A ParseFailed with a sendable code is the extension failing the frame on
    purpose (upstream-era extensions raised it) and passes through unchanged;
    anything else is a fault: logged once, reported with 1011, cause chained.
    """
    if isinstance(cause, ExtensionFault):
        return cause  # from the stand-in of an already failed chain
    if (
        isinstance(cause, ParseFailed)
        and isinstance(cause.code, int)
        and is_valid_close_code(cause.code)
    ):
        return cause
    message, dist = _report(ext, hook, cause)
    # The reason reaches the peer if the application echoes the close: name the extension
    # (the peer negotiated it) but not the exception, which may contain local details.
    fault = ExtensionFault(message, f"internal error in extension {_name(ext)}")
    fault.__cause__ = cause
    fault.origin = (_name(ext), dist, hook)
    import logging  # on the first fault only: importing logging costs more than wsproto

    logging.getLogger(LOGGER).error(
        "%s; the connection was failed with 1011", message, exc_info=cause
    )
    return fault


def outbound_fault(ext: Any, hook: str, cause: BaseException) -> ExtensionError:
    """Turn an exception escaping ``frame_outbound`` into the ExtensionError send() raises."""
    if isinstance(cause, ExtensionError):
        return cause  # from the stand-in of an already failed chain
    message, dist = _report(ext, hook, cause)
    error = ExtensionError(
        f"{message}; nothing was sent: send CloseConnection(1011) to close the connection",
        _name(ext),
        dist,
        hook,
    )
    error.__cause__ = cause
    return error


def negotiation_fault(ext: Any, hook: str, cause: BaseException) -> None:
    """Log a server-side negotiation hook that failed on the peer's offer (it is declined)."""
    message, _ = _report(ext, hook, cause)
    import logging

    logging.getLogger(LOGGER).error("%s; the offer was declined", message, exc_info=cause)


def already_failed(name: str, dist: Optional[str], hook: str) -> Tuple[str, str]:
    """(message, close reason) for a call into a chain that faulted earlier."""
    return (
        f"wsproto: extension {name!r} from distribution {dist or 'unknown'} failed earlier in "
        f"{hook}; this connection's extensions are not called again: send "
        "CloseConnection(1011)",
        f"internal error in extension {name}",
    )


# -- result validation (the slow paths; the pipeline checks the common type first) ----------


def close_code(result: Any, hook: str) -> Exception:
    """A hook returned a close code: fail the frame with it, if it may be sent."""
    if is_valid_close_code(result):
        return ParseFailed(f"extension failed the frame in {hook}", result)
    return InvalidResult(
        f"returned close code {int(result)}, which may not be sent "
        "(use 1000-1003, 1007-1013 or 3000-4999)"
    )


def _is_code(result: Any) -> bool:
    return isinstance(result, int) and not isinstance(result, bool)


def payload_result(result: Any) -> bytes:
    """Validate a payload result that is not exactly ``bytes``; raise what it means."""
    if isinstance(result, (bytes, bytearray, memoryview)):
        return as_bytes(result)
    if _is_code(result):
        raise close_code(result, PAYLOAD)
    raise InvalidResult(f"returned {type(result).__name__}: expected bytes or a CloseReason")


def as_bytes(data: Any) -> bytes:
    """Bytes as they are; a bytearray or memoryview copied (events carry immutable bytes).

    Only these three types are taken: ``bytes(x)`` on anything else would turn
    ``True`` into ``b"\\x00"`` and an int into that many zero bytes.
    """
    return data if isinstance(data, bytes) else bytes(data)


def complete_result(result: Any) -> bytes:
    """Validate a ``frame_inbound_complete`` result other than None or exactly ``bytes``."""
    if isinstance(result, (bytes, bytearray, memoryview)):
        return as_bytes(result)
    if _is_code(result):
        raise close_code(result, COMPLETE)
    raise InvalidResult(
        f"returned {type(result).__name__}: expected None, bytes or a CloseReason"
    )


def bits_mask(result: Any) -> int:
    """The RSV mask of a result that is not exactly ``RsvBits``: a tuple of three bools."""
    if (
        isinstance(result, tuple)
        and len(result) == 3
        and all(b is True or b is False for b in result)
    ):
        return rsv_mask(result)
    raise InvalidResult(f"returned RSV bits {_short(result)}: expected RsvBits (three bools)")


def header_result(result: Any) -> int:
    """Validate a ``frame_inbound_header`` result that is not exactly ``RsvBits``."""
    if _is_code(result):
        raise close_code(result, HEADER)
    return bits_mask(result)


def outbound_result(result: Any) -> Tuple[int, bytes]:
    """Validate a ``frame_outbound`` result: a 2-tuple (RsvBits, bytes)."""
    if not isinstance(result, tuple) or len(result) != 2:
        raise InvalidResult(f"returned {_short(result)}: expected a tuple (RsvBits, bytes)")
    bits, data = result
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise InvalidResult(f"returned a payload of type {type(data).__name__}: expected bytes")
    return (rsv_mask(bits) if bits.__class__ is RsvBits else bits_mask(bits)), as_bytes(data)


def foreign(hook: str, changed: int, owned: int) -> ForeignRsvBit:
    """The cause of an RSV ownership fault."""
    return ForeignRsvBit(
        f"{'accepted' if hook == HEADER else 'changed'} {_bit_names(changed)}, which "
        f"it does not own (it owns {_bit_names(owned) or 'no bit'})"
    )


def _bit_names(mask: int) -> str:
    return ", ".join(
        name for bit, name in ((0x40, "RSV1"), (0x20, "RSV2"), (0x10, "RSV3")) if mask & bit
    )


def _short(value: Any) -> str:
    text = repr(value)
    return f"{type(value).__name__} {text[:40]}{'...' if len(text) > 40 else ''}"
