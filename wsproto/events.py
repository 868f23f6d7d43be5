"""Events: immutable value objects that the application sends and receives.

Events are plain data. They know nothing of connections or handshakes, which
turn bytes into events and events into bytes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Generic, List, Optional, Sequence, Tuple, TypeVar, Union

if TYPE_CHECKING:
    from ._extension import Extension

__all__ = [
    "AcceptConnection",
    "BinaryMessage",
    "BytesMessage",
    "CloseConnection",
    "Event",
    "Headers",
    "Message",
    "Ping",
    "Pong",
    "RejectConnection",
    "RejectData",
    "Request",
    "TextMessage",
]

Headers = List[Tuple[bytes, bytes]]

_set = object.__setattr__


def _frozen(message: str) -> Exception:
    """The error 1.x's frozen dataclasses raised (dataclasses is imported only when needed)."""
    from dataclasses import FrozenInstanceError

    return FrozenInstanceError(message)


class Event:
    """Base class for wsproto events.

    Events are immutable: assigning to a field raises
    :class:`dataclasses.FrozenInstanceError`. Two events are equal when they
    are of the same class with equal fields.
    """

    __slots__ = ()
    _fields: Tuple[str, ...] = ()

    def __setattr__(self, name: str, value: Any) -> None:
        raise _frozen(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise _frozen(f"cannot delete field {name!r}")

    def _values(self) -> Tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self._fields)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._values() == other._values()  # type: ignore[attr-defined,unused-ignore]

    def __hash__(self) -> int:
        return hash((self.__class__, self._values()))

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._fields)
        return f"{self.__class__.__name__}({fields})"

    def __reduce__(self) -> Tuple[Any, ...]:
        return (self.__class__, self._values())


class Request(Event):
    """The opening handshake request (HTTP Upgrade).

    A client sends it to start the handshake; a server receives it.

    Fields:

    .. attribute:: host (str)

       The hostname, or Host header value. A client may give an
       internationalised name: it is sent IDNA-encoded.

    .. attribute:: target (str)

       The request target (path and query).

    .. attribute:: extensions (Union[List[Extension], List[str]])

       A client sends the :class:`~wsproto.extensions.Extension` objects it
       offers; a server receives the offers as strings, one per offer.

    .. attribute:: extra_headers (List[Tuple[bytes, bytes]])

       A client's additional request headers. A server receives every header
       of the request.

    .. attribute:: subprotocols (List[str])

       The subprotocols, ordered by preference.
    """

    __slots__ = ("extensions", "extra_headers", "host", "subprotocols", "target")
    _fields = ("host", "target", "extensions", "extra_headers", "subprotocols")
    host: str
    target: str
    extensions: Union[Sequence[Extension], Sequence[str]]
    extra_headers: Headers
    subprotocols: List[str]

    def __init__(
        self,
        host: str,
        target: str,
        extensions: Union[Sequence[Extension], Sequence[str], None] = None,
        extra_headers: Optional[Headers] = None,
        subprotocols: Optional[List[str]] = None,
    ) -> None:
        _set(self, "host", host)
        _set(self, "target", target)
        _set(self, "extensions", [] if extensions is None else extensions)
        _set(self, "extra_headers", [] if extra_headers is None else extra_headers)
        _set(self, "subprotocols", [] if subprotocols is None else subprotocols)


class AcceptConnection(Event):
    """The acceptance of an upgrade request.

    A server sends it to accept a :class:`Request`; a client receives it when
    the server accepted.

    Fields:

    .. attribute:: subprotocol (Optional[str])

       The accepted subprotocol, or ``None``.

    .. attribute:: extensions (List[Extension])

       A server lists the extensions it supports (it accepts those the client
       offered); a client receives the extensions in force.

    .. attribute:: extra_headers (List[Tuple[bytes, bytes]])

       Additional response headers.
    """

    __slots__ = ("extensions", "extra_headers", "subprotocol")
    _fields = ("subprotocol", "extensions", "extra_headers")
    subprotocol: Optional[str]
    extensions: List[Extension]
    extra_headers: Headers

    def __init__(
        self,
        subprotocol: Optional[str] = None,
        extensions: Optional[List[Extension]] = None,
        extra_headers: Optional[Headers] = None,
    ) -> None:
        _set(self, "subprotocol", subprotocol)
        _set(self, "extensions", [] if extensions is None else extensions)
        _set(self, "extra_headers", [] if extra_headers is None else extra_headers)


class RejectConnection(Event):
    """The rejection of an upgrade request: an HTTP response.

    A server sends it to refuse a :class:`Request`; a client receives it when
    the server did not switch protocols. If ``has_body`` is true, the body
    follows as :class:`RejectData` events.

    Fields:

    .. attribute:: status_code (int)

       The response status code (default 400).

    .. attribute:: headers (List[Tuple[bytes, bytes]])

       The response headers.

    .. attribute:: has_body (bool)

       Whether :class:`RejectData` events follow (default ``False``).
    """

    __slots__ = ("has_body", "headers", "status_code")
    _fields = ("status_code", "headers", "has_body")
    status_code: int
    headers: Headers
    has_body: bool

    def __init__(
        self, status_code: int = 400, headers: Optional[Headers] = None, has_body: bool = False
    ) -> None:
        _set(self, "status_code", status_code)
        _set(self, "headers", [] if headers is None else headers)
        _set(self, "has_body", has_body)


class RejectData(Event):
    """A chunk of the body of a rejection response.

    Fields:

    .. attribute:: data (bytes)

       The raw body data.

    .. attribute:: body_finished (bool)

       True if this is the final chunk of the body (default ``True``).
    """

    __slots__ = ("body_finished", "data")
    _fields = ("data", "body_finished")
    data: bytes
    body_finished: bool

    def __init__(self, data: bytes, body_finished: bool = True) -> None:
        _set(self, "data", data)
        _set(self, "body_finished", body_finished)


class CloseConnection(Event):
    """A close frame: sent to start or answer the closing handshake, received
    when the peer closes, and emitted with an error code when the peer broke
    the protocol (the application then sends :meth:`response`).

    Fields:

    .. attribute:: code (int)

       The close code (see :class:`~wsproto.frame_protocol.CloseReason`).

    .. attribute:: reason (Optional[str])

       Additional text explaining the closure.
    """

    __slots__ = ("code", "reason")
    _fields = ("code", "reason")
    code: int
    reason: Optional[str]

    def __init__(self, code: int, reason: Optional[str] = None) -> None:
        _set(self, "code", code)
        _set(self, "reason", reason)

    def response(self) -> CloseConnection:
        """Return the close event to send in reply (same code and reason)."""
        return CloseConnection(code=self.code, reason=self.reason)


T = TypeVar("T", bytes, str)


class Message(Event, Generic[T]):
    """A chunk of a data message.

    Messages are delivered in chunks as bytes arrive; reassemble them until
    ``message_finished`` is true. Sending a ``Message`` with ``str`` data sends
    text, with ``bytes`` data binary.

    Fields:

    .. attribute:: data

       The chunk's data: ``str`` for text, ``bytes`` for binary.

    .. attribute:: frame_finished (bool)

       True if this chunk ends a frame. Only of interest to reconstruct the
       peer's fragmentation.

    .. attribute:: message_finished (bool)

       True if this chunk ends the message.
    """

    __slots__ = ("data", "frame_finished", "message_finished")
    _fields = ("data", "frame_finished", "message_finished")
    data: T
    frame_finished: bool
    message_finished: bool

    def __init__(self, data: T, frame_finished: bool = True, message_finished: bool = True) -> None:
        _set(self, "data", data)
        _set(self, "frame_finished", frame_finished)
        _set(self, "message_finished", message_finished)


class TextMessage(Message[str]):
    """A chunk of a text message (``data`` is ``str``)."""

    __slots__ = ()


class BytesMessage(Message[bytes]):
    """A chunk of a binary message (``data`` is ``bytes``)."""

    __slots__ = ()


#: Alias of :class:`BytesMessage`, the name used by the 2019 documentation.
BinaryMessage = BytesMessage


class Ping(Event):
    """A ping: sent to probe the peer, received when the peer pings.

    The application must answer a received ping with :meth:`response`.

    Fields:

    .. attribute:: payload (bytes)

       Up to 125 bytes of application data (default empty).
    """

    __slots__ = ("payload",)
    _fields = ("payload",)
    payload: bytes

    def __init__(self, payload: bytes = b"") -> None:
        _set(self, "payload", payload)

    def response(self) -> Pong:
        """Return the :class:`Pong` to send in reply (same payload)."""
        return Pong(payload=self.payload)


class Pong(Event):
    """A pong: the reply to a ping, or an unsolicited heartbeat.

    Fields:

    .. attribute:: payload (bytes)

       Up to 125 bytes of application data (default empty).
    """

    __slots__ = ("payload",)
    _fields = ("payload",)
    payload: bytes

    def __init__(self, payload: bytes = b"") -> None:
        _set(self, "payload", payload)
