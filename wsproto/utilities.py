"""Exceptions and small helpers shared by the handshake and the connection."""

from __future__ import annotations

import binascii
import os
from typing import TYPE_CHECKING, Optional

if TYPE_CHECKING:
    from .events import Event

__all__ = [
    "LocalProtocolError",
    "ProtocolError",
    "RemoteProtocolError",
    "generate_accept_token",
    "generate_nonce",
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
