"""A blocking, bounded driver of one wsproto ``WSConnection`` over a real socket."""

from __future__ import annotations

import importlib
import socket
import time
from collections import deque
from typing import Any, Optional, Union

from wsproto import WSConnection
from wsproto.connection import ConnectionState
from wsproto.events import (
    BytesMessage,
    CloseConnection,
    Event,
    Message,
    Ping,
    Pong,
    TextMessage,
)

RECV_SIZE = 65536
Assembled = Union[TextMessage, BytesMessage]


def our_extensions() -> list[Any]:
    """Fresh per-connection extension instances: every installed one (2.x) or deflate (1.x)."""
    try:
        installed = getattr(
            importlib.import_module("wsproto.plugins"), "installed_extensions", None
        )
    except ImportError:
        installed = None
    if installed is None:
        from wsproto.extensions import PerMessageDeflate

        return [PerMessageDeflate()]
    return list(installed())


def header_value(raw_http: bytes, name: bytes) -> Optional[str]:
    """The value of header ``name`` in a raw HTTP head, or None."""
    head = raw_http.split(b"\r\n\r\n", 1)[0]
    for line in head.split(b"\r\n")[1:]:
        key, _, value = line.partition(b":")
        if key.strip().lower() == name.lower():
            return value.strip().decode("latin-1")
    return None


class WsIO:
    """Feeds socket bytes to a connection and hands back its events, every wait bounded."""

    def __init__(self, sock: socket.socket, conn: WSConnection, *, timeout: float = 15.0):
        self.sock = sock
        self.conn = conn
        self.timeout = timeout
        self.bytes_in = 0
        self.bytes_out = 0
        self.eof = False
        self.pings: list[bytes] = []
        #: raw bytes read while the handshake was in progress (the peer's HTTP head)
        self.head_in = b""
        self._pending: deque[Event] = deque()

    def send(self, event: Event) -> bytes:
        """Serialise ``event`` and write it; returns the bytes written."""
        data = self.conn.send(event)
        if data:
            self.sock.sendall(data)
            self.bytes_out += len(data)
        return data

    def next_event(self, deadline: Optional[float] = None) -> Event:
        """The next raw event, reading from the socket until one comes or time runs out."""
        if deadline is None:
            deadline = time.monotonic() + self.timeout
        while not self._pending:
            if self.eof or self.conn.state is ConnectionState.CLOSED:
                raise EOFError("connection is over and no event is left")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no WebSocket event within {self.timeout}s")
            self.sock.settimeout(remaining)
            try:
                data = self.sock.recv(RECV_SIZE)
            except socket.timeout:
                continue
            except ConnectionResetError:
                data = b""
            self.bytes_in += len(data)
            if self.conn.state is ConnectionState.CONNECTING and len(self.head_in) < RECV_SIZE:
                self.head_in += data
            if data:
                self.conn.receive_data(data)
            else:
                self.eof = True
                self.conn.receive_data(None)
            self._pending.extend(self.conn.events())
        return self._pending.popleft()

    def next_app_event(self) -> Event:
        """Next event with pings answered and message fragments joined into one event.

        A received close is answered before it is returned.
        """
        deadline = time.monotonic() + self.timeout
        parts: list[Union[str, bytes]] = []
        while True:
            event = self.next_event(deadline)
            if isinstance(event, Ping):
                self.pings.append(bytes(event.payload))
                self.send(event.response())
                continue
            if isinstance(event, CloseConnection):
                if self.conn.state is ConnectionState.REMOTE_CLOSING:
                    self.send(event.response())
                return event
            if isinstance(event, Message):
                parts.append(event.data)
                if not event.message_finished:
                    continue
                if isinstance(event, TextMessage):
                    return TextMessage(data="".join(parts))  # type: ignore[arg-type]
                return BytesMessage(data=b"".join(parts))  # type: ignore[arg-type]
            if parts:
                raise AssertionError(f"{event!r} arrived in the middle of a message")
            return event

    def recv_message(self) -> Assembled:
        """The next whole message; anything else is a test failure."""
        event = self.next_app_event()
        if not isinstance(event, (TextMessage, BytesMessage)):
            raise AssertionError(f"expected a message, got {event!r}")
        return event

    def recv_pong(self) -> Pong:
        """The next pong; anything else is a test failure."""
        event = self.next_app_event()
        if not isinstance(event, Pong):
            raise AssertionError(f"expected a pong, got {event!r}")
        return event

    def recv_close(self) -> CloseConnection:
        """Skip messages until the peer's close frame (answered if it started the close)."""
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            event = self.next_app_event()
            if isinstance(event, CloseConnection):
                return event
        raise TimeoutError(f"no close frame within {self.timeout}s")

    def close(self, code: int = 1000, reason: str = "") -> CloseConnection:
        """Start the closing handshake and return the peer's close frame."""
        self.send(CloseConnection(code=code, reason=reason))
        return self.recv_close()

    def shutdown(self, linger: float = 1.0) -> None:
        """Half-close, drain (bounded) until the peer closes too, then close the socket."""
        try:
            self.sock.shutdown(socket.SHUT_WR)
            deadline = time.monotonic() + linger
            while not self.eof and time.monotonic() < deadline:
                self.sock.settimeout(max(deadline - time.monotonic(), 0.001))
                if not self.sock.recv(RECV_SIZE):
                    break
        except OSError:
            pass
        finally:
            self.sock.close()
