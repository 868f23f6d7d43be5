"""wsproto: a sans-I/O WebSocket protocol stack (RFC 6455, RFC 7692).

:class:`WSConnection` is the face of the library: feed it bytes with
:meth:`~WSConnection.receive_data`, read events from
:meth:`~WSConnection.events`, and turn events into bytes with
:meth:`~WSConnection.send`.
"""

from __future__ import annotations

from typing import Generator, Optional, Union

from .connection import Connection, ConnectionState, ConnectionType
from .events import Event, Headers
from .handshake import H11Handshake

__all__ = ["ConnectionState", "ConnectionType", "WSConnection", "__version__"]

__version__ = "2.0.0"


class WSConnection:
    """A WebSocket connection: the HTTP/1.1 handshake, then the WebSocket protocol.

    :param connection_type: :attr:`ConnectionType.CLIENT` or :attr:`ConnectionType.SERVER`.
    :param max_message_size: fail with close code 1009 when an inbound message
        grows beyond this many bytes. None (the default): unlimited.
    :param max_frame_size: fail with 1009 when an inbound frame announces a
        larger payload. None (the default): unlimited.
    """

    def __init__(
        self,
        connection_type: ConnectionType,
        *,
        max_message_size: Optional[int] = None,
        max_frame_size: Optional[int] = None,
    ) -> None:
        self.client = connection_type is ConnectionType.CLIENT
        self.handshake = H11Handshake(
            connection_type, max_message_size=max_message_size, max_frame_size=max_frame_size
        )
        self.connection: Optional[Connection] = None

    @property
    def state(self) -> ConnectionState:
        """The current :class:`ConnectionState`."""
        if self.connection is None:
            return self.handshake.state
        return self.connection.state

    def initiate_upgrade_connection(self, headers: Headers, path: Union[bytes, str]) -> None:
        """Start a server from an upgrade request that was already parsed elsewhere."""
        self.handshake.initiate_upgrade_connection(headers, path)

    def send(self, event: Event) -> bytes:
        """Return the bytes to send for ``event``.

        Raises :class:`~wsproto.utilities.LocalProtocolError` if the event
        cannot be sent in the current state.
        """
        if self.connection is None:
            data = self.handshake.send(event)
            self.connection = self.handshake.connection
            return data
        return self.connection.send(event)

    def receive_data(self, data: Optional[bytes]) -> None:
        """Feed bytes received from the network; ``None`` signals the end of the stream.

        Raises :class:`~wsproto.utilities.RemoteProtocolError` if the peer's
        handshake is invalid (its ``event_hint`` suggests a reply).
        """
        if self.connection is None:
            self.handshake.receive_data(data)
            self.connection = self.handshake.connection
        else:
            self.connection.receive_data(data)

    def events(self) -> Generator[Event, None, None]:
        """Yield the events for the data received so far."""
        yield from self.handshake.events()
        connection = self.connection
        if connection is not None:
            if type(self) is WSConnection:  # a subclass may override these: keep its methods
                # The handshake is over: from now on, go straight to the connection.
                self.send = connection.send  # type: ignore[method-assign]
                self.receive_data = connection.receive_data  # type: ignore[method-assign]
                self.events = connection.events  # type: ignore[method-assign]
            yield from connection.events()
