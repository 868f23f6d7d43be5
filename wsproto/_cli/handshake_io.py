"""Blocking client helpers shared by ``client`` and ``demo``: connect and run the handshake."""

from __future__ import annotations

import socket
import ssl
from dataclasses import dataclass, field
from typing import List, Optional

from .. import WSConnection
from ..connection import ConnectionType
from ..events import AcceptConnection, Event, RejectConnection, RejectData, Request
from ..extensions import Extension
from ..utilities import RemoteProtocolError
from .errors import CliError, describe_os_error, host_port
from .urls import WsUrl

__all__ = ["ClientHandshake", "connect", "open_websocket"]

_RECV_SIZE = 65536
#: The largest handshake response the client reads before giving up.
_MAX_RESPONSE = 64 * 1024


def connect(url: WsUrl, timeout: float) -> socket.socket:
    """Open the TCP (and TLS, for wss) connection; raise CliError on failure."""
    where = host_port((url.host, url.port))
    try:
        sock = socket.create_connection((url.host, url.port), timeout=timeout)
    except socket.gaierror as exc:
        raise CliError(f"cannot resolve {url.host!r}: {exc.strerror}") from None
    except OSError as exc:
        raise CliError(f"cannot connect to {where}: {describe_os_error(exc)}") from None
    if url.secure:
        context = ssl.create_default_context()
        try:
            sock = context.wrap_socket(sock, server_hostname=url.host)
        except (OSError, ssl.SSLError) as exc:
            sock.close()
            raise CliError(f"TLS handshake with {where} failed: {exc}") from None
    return sock


@dataclass
class ClientHandshake:
    """What the opening handshake sent, received and agreed."""

    ws: WSConnection
    request_bytes: bytes
    response_bytes: bytes
    accept: AcceptConnection
    #: Bytes received with the response that belong to the WebSocket stream.
    leftover: bytes = b""
    extensions: List[Extension] = field(default_factory=list)
    #: Events parsed from ``leftover`` while reading the response (messages the server
    #: sent right behind its handshake); the caller handles them before reading more.
    pending: List[Event] = field(default_factory=list)


def open_websocket(
    sock: socket.socket,
    url: WsUrl,
    extensions: List[Extension],
    *,
    max_message_size: Optional[int] = None,
) -> ClientHandshake:
    """Send the upgrade request and read the response; raise CliError if it fails."""
    ws = WSConnection(ConnectionType.CLIENT, max_message_size=max_message_size)
    request = ws.send(Request(host=url.authority, target=url.target, extensions=extensions))
    sock.sendall(request)
    received = b""
    while True:
        try:
            data = sock.recv(_RECV_SIZE)
        except socket.timeout:
            raise CliError("the server did not answer the WebSocket handshake in time") from None
        received += data
        try:
            ws.receive_data(data or None)
            events = list(ws.events())
        except RemoteProtocolError as exc:
            raise CliError(f"invalid handshake response from the server: {exc}") from None
        accept = _outcome(events, received)
        if accept is not None:
            head, sep, rest = received.partition(b"\r\n\r\n")
            active = ws.connection.extensions if ws.connection is not None else []
            after = events[events.index(accept) + 1 :]
            return ClientHandshake(ws, request, head + sep, accept, rest, active, after)
        if not data:
            raise CliError("the server closed the connection during the handshake")
        if len(received) > _MAX_RESPONSE:
            raise CliError("the server's handshake response is too large")


def _outcome(events: List[Event], received: bytes) -> Optional[AcceptConnection]:
    for event in events:
        if isinstance(event, AcceptConnection):
            return event
        if isinstance(event, RejectConnection):
            status_line = received.split(b"\r\n", 1)[0].decode("latin-1")
            raise CliError(f"the server rejected the WebSocket handshake: {status_line}")
        if isinstance(event, RejectData):
            continue
    return None
