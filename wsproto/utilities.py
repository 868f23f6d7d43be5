"""Exceptions and small helpers shared by the handshake and the connection."""

from __future__ import annotations

import binascii
import os
from typing import TYPE_CHECKING, Dict, Iterable, List, Optional, Tuple

if TYPE_CHECKING:
    from .events import Event

__all__ = [
    "LocalProtocolError",
    "ProtocolError",
    "RemoteProtocolError",
    "generate_accept_token",
    "generate_nonce",
    "normed_header_dict",
    "split_comma_header",
]

# RFC 6455 section 1.3: the GUID appended to Sec-WebSocket-Key.
ACCEPT_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class ProtocolError(Exception):
    """Base class of the errors wsproto raises."""


class LocalProtocolError(ProtocolError):
    """Indicates an error due to local/programming errors.

    Raised when the connection is asked to do something that is incompatible
    with its state or with the WebSocket standard. The message says what to do
    instead.
    """


class RemoteProtocolError(ProtocolError):
    """Indicates an error due to the remote's actions.

    Raised when the bytes received from the peer are incompatible with the
    WebSocket standard (during the handshake; after it, protocol errors are
    reported as a :class:`~wsproto.events.CloseConnection` event).

    :param message: what went wrong.
    :param event_hint: a suggested event to send to the peer in reply (for
        example a :class:`~wsproto.events.RejectConnection`), or ``None``.
    """

    def __init__(self, message: str, event_hint: Optional[Event] = None) -> None:
        self.event_hint = event_hint
        super().__init__(message)


def generate_nonce() -> bytes:
    """Return a fresh base64-encoded 16-byte Sec-WebSocket-Key (RFC 6455 section 4.1)."""
    return binascii.b2a_base64(os.urandom(16), newline=False)


def generate_accept_token(key: bytes) -> bytes:
    """Return the Sec-WebSocket-Accept value for a Sec-WebSocket-Key (RFC 6455 section 4.2.2)."""
    import hashlib  # imported on first use: it costs more than the rest of `import wsproto`

    digest = hashlib.sha1(key.strip() + ACCEPT_GUID).digest()
    return binascii.b2a_base64(digest, newline=False)


# -- header helpers kept from 1.x (hypercorn imports split_comma_header) -------------


def normed_header_dict(headers: Iterable[Tuple[bytes, bytes]]) -> Dict[bytes, bytes]:
    """Map each header name to its values joined with ``", "``, in order of appearance.

    Names are kept as given (h11 and wsproto's events hold them lower-cased).
    Joining is right for list-valued headers; it is wrong for ``Set-Cookie``,
    which a WebSocket handshake does not use.
    """
    grouped: Dict[bytes, List[bytes]] = {}
    for name, value in headers:
        grouped.setdefault(name, []).append(value)
    return {name: b", ".join(values) for name, values in grouped.items()}


def split_comma_header(value: bytes) -> List[str]:
    """Split a comma-separated header value into stripped ASCII strings.

    A plain split, as in 1.x: empty items are kept, and a comma inside a
    quoted-string splits too, so use it for token lists only (for example
    ``Sec-WebSocket-Protocol``). Raises :class:`UnicodeDecodeError` on
    non-ASCII bytes.
    """
    return [item.decode("ascii").strip() for item in value.split(b",")]
