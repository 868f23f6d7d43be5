"""``echo-server``: a threaded echo server that enables every installed extension.

A plain ``GET /`` (no Upgrade header) gets a small HTML page for testing from a
browser; an upgrade request gets a WebSocket that echoes every message.
"""

from __future__ import annotations

import socket
import socketserver
import threading
from typing import Any, Callable, List, Optional, Sequence, Tuple

import h11

from .. import WSConnection
from ..connection import ConnectionState, ConnectionType
from ..events import (
    AcceptConnection,
    BytesMessage,
    CloseConnection,
    Ping,
    RejectConnection,
    Request,
    TextMessage,
)
from ..frame_protocol import CloseReason
from ..utilities import RemoteProtocolError
from .errors import CliError, describe_os_error, host_port
from .page import render_page
from .registry import extension_names, installed_extensions
from .terminal import printable
from .wire import FrameLog

__all__ = ["EchoServer"]

#: Seconds a connection may stay silent before the server drops it.
IDLE_TIMEOUT = 300.0
#: Seconds a client has to send its complete HTTP request.
REQUEST_TIMEOUT = 10.0
_RECV_SIZE = 65536

Log = Callable[[str], None]


class _TCPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    echo: EchoServer


class EchoServer:
    """Listens on ``host:port`` (port 0 picks a free port) and echoes messages.

    :param extensions: a factory of per-connection extension lists (default:
        every installed extension).
    """

    def __init__(
        self,
        host: str,
        port: int,
        *,
        log: Log,
        verbose: bool = False,
        max_message_size: Optional[int] = 16 * 1024 * 1024,
        extensions: Optional[Callable[[], List[Any]]] = None,
    ) -> None:
        self.log = log
        self.verbose = verbose
        self.max_message_size = max_message_size
        self.extensions = extensions or installed_extensions
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        server_class = type("_Server", (_TCPServer,), {"address_family": family})
        try:
            self._server: _TCPServer = server_class((host, port), _Handler)
        except OSError as exc:
            raise CliError(
                f"cannot listen on {host_port((host, port))}: {describe_os_error(exc)}"
            ) from None
        self._server.echo = self
        self._thread: Optional[threading.Thread] = None

    @property
    def address(self) -> Tuple[str, int]:
        """The (host, port) the server listens on."""
        sockname = self._server.server_address
        return (str(sockname[0]), int(sockname[1]))

    @property
    def url(self) -> str:
        """The server's ``ws://`` URL."""
        return f"ws://{host_port(self.address)}/"

    def serve_forever(self) -> None:
        """Serve until :meth:`shutdown` is called (from another thread) or Ctrl-C."""
        self._server.serve_forever(poll_interval=0.2)

    def start_in_thread(self) -> None:
        """Serve from a daemon thread (for the demo and for tests)."""
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)
        self._thread.start()

    def shutdown(self) -> None:
        """Stop serving and close the listening socket."""
        thread, self._thread = self._thread, None
        if thread is not None:
            self._server.shutdown()
            thread.join(timeout=5)
        self._server.server_close()


class _Handler(socketserver.BaseRequestHandler):
    request: socket.socket
    server: _TCPServer

    def handle(self) -> None:
        echo = self.server.echo
        peer = host_port(self.client_address)
        try:
            _serve_connection(self.request, peer, echo)
        except OSError as exc:
            echo.log(f"{peer}: connection error: {describe_os_error(exc)}")
        except Exception as exc:  # one bad connection must not stop the server
            echo.log(f"{peer}: dropped after an error: {type(exc).__name__}: {exc}")


def _serve_connection(sock: socket.socket, peer: str, echo: EchoServer) -> None:
    sock.settimeout(REQUEST_TIMEOUT)
    http = h11.Connection(h11.SERVER)
    request = _read_request(sock, http)
    if request is None:
        return
    if not _wants_websocket(request):
        _serve_http(sock, http, request, echo, peer)
        return
    sock.settimeout(IDLE_TIMEOUT)
    _serve_websocket(sock, http, request, echo, peer)


def _read_request(sock: socket.socket, http: h11.Connection) -> Optional[h11.Request]:
    while True:
        try:
            event = http.next_event()
        except h11.RemoteProtocolError:
            _send_plain(sock, http, 400, b"Bad Request\n")
            return None
        if isinstance(event, h11.Request):
            return event
        if event is h11.NEED_DATA:
            http.receive_data(sock.recv(_RECV_SIZE))
            continue
        return None  # the client closed before sending a request


def _wants_websocket(request: h11.Request) -> bool:
    for name, value in request.headers:
        if name == b"upgrade" and b"websocket" in value.lower():
            return True
    return False


def _send_plain(
    sock: socket.socket,
    http: h11.Connection,
    status: int,
    body: bytes,
    ctype: bytes = b"text/plain",
    extra: Sequence[Tuple[bytes, bytes]] = (),
) -> None:
    headers = [
        *extra,
        (b"content-type", ctype + b"; charset=utf-8"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
    ]
    try:
        data = http.send(h11.Response(status_code=status, headers=headers)) or b""
        data += http.send(h11.Data(data=body)) or b""
        data += http.send(h11.EndOfMessage()) or b""
    except h11.LocalProtocolError:
        return
    sock.sendall(data)


def _serve_http(
    sock: socket.socket, http: h11.Connection, request: h11.Request, echo: EchoServer, peer: str
) -> None:
    path = request.target.split(b"?", 1)[0]
    if request.method not in (b"GET", b"HEAD"):
        status, body, ctype = 405, b"Method Not Allowed\n", b"text/plain"
    elif path in (b"/", b"/index.html"):
        names = extension_names(echo.extensions())
        status, body, ctype = 200, render_page(names), b"text/html"
    else:
        status, body, ctype = 404, b"Not Found: connect a WebSocket client to /\n", b"text/plain"
    if request.method == b"HEAD":
        body = b""
    target = printable(request.target.decode("latin-1"))
    echo.log(f"{peer}: HTTP {request.method.decode()} {target} -> {status}")
    _send_plain(sock, http, status, body, ctype)


def _serve_websocket(
    sock: socket.socket, http: h11.Connection, request: h11.Request, echo: EchoServer, peer: str
) -> None:
    ws = WSConnection(ConnectionType.SERVER, max_message_size=echo.max_message_size)
    frames = FrameLog(echo.log, peer) if echo.verbose else None
    try:
        ws.initiate_upgrade_connection(list(request.headers), request.target)
        trailing, _ = http.trailing_data
        if trailing:
            ws.receive_data(bytes(trailing))
    except RemoteProtocolError as exc:
        hint = exc.event_hint
        status = hint.status_code if isinstance(hint, RejectConnection) else 400
        extra = list(hint.headers) if isinstance(hint, RejectConnection) else []
        echo.log(f"{peer}: rejected WebSocket handshake ({status}): {printable(str(exc))}")
        _send_plain(sock, http, status, f"{exc}\n".encode(), extra=extra)
        return
    while True:
        for event in ws.events():
            if isinstance(event, Request):
                offered = ", ".join(str(e) for e in event.extensions) or "none"
                data = ws.send(AcceptConnection(extensions=echo.extensions()))
                sock.sendall(data)
                active = ws.connection.extensions if ws.connection is not None else []
                echo.log(
                    f"{peer}: WebSocket handshake GET {printable(event.target)} "
                    f"(Host: {printable(event.host)}); "
                    f"offered extensions: {offered}; negotiated: {extension_names(active)}"
                )
            elif isinstance(event, TextMessage):
                reply = TextMessage(data=event.data, message_finished=event.message_finished)
                _write(sock, ws.send(reply), frames)
            elif isinstance(event, BytesMessage):
                echoed = BytesMessage(data=event.data, message_finished=event.message_finished)
                _write(sock, ws.send(echoed), frames)
            elif isinstance(event, Ping):
                _write(sock, ws.send(event.response()), frames)
            elif isinstance(event, CloseConnection):
                echo.log(f"{peer}: {_describe_close(ws, event)}")
                if ws.state is ConnectionState.REMOTE_CLOSING:
                    _write(sock, ws.send(event.response()), frames)
                return  # the server tears the TCP connection down (RFC 6455 section 7.1.1)
        data = sock.recv(_RECV_SIZE)
        if frames is not None and data:
            frames.received(data)
        ws.receive_data(data or None)


def _describe_close(ws: WSConnection, event: CloseConnection) -> str:
    """Who closed: the client (its close frame arrived) or this server (it failed the client)."""
    reason = f" {event.reason!r}" if event.reason else ""
    # The connection synthesizes a CloseConnection when the peer breaks a rule (1002, 1007,
    # 1009, ...) or drops TCP (1006); only a received close frame sets this flag.
    if getattr(ws.connection, "_close_received", True):
        return f"closed by client with code {int(event.code)}{reason}"
    if event.code == CloseReason.ABNORMAL_CLOSURE:
        return "the client dropped the connection without a closing handshake (1006)"
    return f"closed by server with code {int(event.code)}{reason}"


def _write(sock: socket.socket, data: bytes, frames: Optional[FrameLog]) -> None:
    if frames is not None:
        frames.sent(data)
    sock.sendall(data)
