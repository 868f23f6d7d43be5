"""``client URL``: an interactive WebSocket client.

Typed lines are sent as text messages; ``/ping [payload]`` sends a ping,
``/close [code] [reason]`` starts the closing handshake, ``/help`` lists the
commands, any other ``/word`` is refused (``//text`` sends ``/text``), and the end
of input (Ctrl-D) closes with 1000. Incoming messages are printed as they arrive,
with control characters escaped so a peer cannot drive the terminal.
"""

from __future__ import annotations

import socket
import threading
import time
from typing import Callable, Optional, TextIO

from ..connection import ConnectionState
from ..events import BytesMessage, CloseConnection, Event, Ping, Pong, TextMessage
from ..frame_protocol import CloseReason, is_valid_close_code
from ..utilities import LocalProtocolError
from .errors import CliError
from .handshake_io import ClientHandshake, connect, open_websocket
from .registry import extension_names, installed_extensions
from .terminal import printable
from .urls import parse_ws_url
from .wire import FrameLog

__all__ = ["run_client"]

#: Seconds to wait for the server's close frame (and TCP close) after ours.
CLOSE_TIMEOUT = 5.0
_POLL = 0.25

HELP = (
    "type a line to send it as a text message (//text sends /text); /ping [payload] sends "
    "a ping; /close [code] [reason] closes; /help shows this; Ctrl-D closes with 1000"
)
COMMANDS = ("/ping", "/close", "/help")


class _Session:
    """One connected client: the socket, the connection and a lock around both."""

    def __init__(
        self,
        sock: socket.socket,
        shake: ClientHandshake,
        out: Callable[[str], None],
        frames: Optional[FrameLog],
    ) -> None:
        self.sock = sock
        self.ws = shake.ws
        self.out = out
        self.frames = frames
        self.lock = threading.RLock()  # one thread types, the other reads
        self.close_deadline: Optional[float] = None
        self.close_code: Optional[int] = None

    def send(self, event: Event) -> None:
        with self.lock:
            data = self.ws.send(event)
            if self.frames is not None:
                self.frames.sent(data)
            self.sock.sendall(data)
            if isinstance(event, CloseConnection) and self.close_deadline is None:
                self.close_deadline = time.monotonic() + CLOSE_TIMEOUT

    def close(self, code: int = CloseReason.NORMAL_CLOSURE, reason: Optional[str] = None) -> None:
        with self.lock:
            if self.ws.state is ConnectionState.OPEN:
                self.send(CloseConnection(code=code, reason=reason))

    def command(self, line: str) -> None:
        """Handle one typed line."""
        word = (line.split(maxsplit=1) or [""])[0]
        if line.startswith("//"):
            self.send(TextMessage(data=line[1:]))
        elif line.startswith("/") and word not in COMMANDS:
            self.out(f"! unknown command {printable(word)} (type /help; //text sends /text)")
        elif word == "/ping":
            payload = line[len("/ping") :].strip().encode("utf-8") or b"wsproto"
            self.send(Ping(payload=payload))
            self.out(f"> ping {payload!r}")
        elif word == "/close":
            parts = line.split(maxsplit=2)
            code = int(CloseReason.NORMAL_CLOSURE)
            if len(parts) > 1:
                if not parts[1].isdigit():
                    self.out(f"! not a close code: {parts[1]!r} (usage: /close [code] [reason])")
                    return
                code = int(parts[1])
                if not is_valid_close_code(code):
                    # The library sends 1005/1006/1015 without a status code: say so here.
                    self.out(f"! close code {code} cannot be sent (RFC 6455 section 7.4)")
                    return
            reason = parts[2] if len(parts) > 2 else None
            try:
                self.close(code, reason)
            except LocalProtocolError as exc:
                self.out(f"! {exc}")
                return
            self.out(f"> close {code}" + (f" {reason!r}" if reason else ""))
        elif word == "/help":
            self.out(HELP)
        else:
            self.send(TextMessage(data=line))

    def handle(self, event: Event) -> None:
        """Print one incoming event, and answer pings and closes."""
        if isinstance(event, TextMessage):
            self.out(f"< {printable(event.data)}" + ("" if event.message_finished else " [...]"))
        elif isinstance(event, BytesMessage):
            self.out(f"< binary {len(event.data)} bytes: {bytes(event.data[:32]).hex()}")
        elif isinstance(event, Ping):
            self.send(event.response())
            self.out(f"< ping {bytes(event.payload)!r} (answered with a pong)")
        elif isinstance(event, Pong):
            self.out(f"< pong {bytes(event.payload)!r}")
        elif isinstance(event, CloseConnection):
            reason = f" {event.reason!r}" if event.reason else ""  # repr() escapes controls
            self.out(f"< close {int(event.code)}{reason}")
            self.close_code = int(event.code)
            with self.lock:
                if self.ws.state is ConnectionState.REMOTE_CLOSING:
                    self.send(event.response())
            if self.close_deadline is None:
                self.close_deadline = time.monotonic() + CLOSE_TIMEOUT


def _read_input(session: _Session, stdin: TextIO) -> None:
    """The input thread: forward typed lines until EOF, then close."""
    try:
        for raw in stdin:
            line = raw.rstrip("\r\n")
            if session.ws.state is not ConnectionState.OPEN:
                break
            if line:
                session.command(line)
        session.close()
    except (OSError, LocalProtocolError):
        pass  # the connection went away; the reader reports it


def run_client(
    url_text: str,
    *,
    stdin: TextIO,
    out: Callable[[str], None],
    log: Callable[[str], None],
    verbose: bool = False,
    timeout: float = 10.0,
) -> int:
    """Run the interactive client; return the exit status."""
    url = parse_ws_url(url_text)
    sock = connect(url, timeout)
    try:
        shake = open_websocket(sock, url, installed_extensions())
        out(f"connected to {url_text}")
        header = shake.response_bytes.decode("latin-1")
        negotiated = [
            line.split(":", 1)[1].strip()
            for line in header.split("\r\n")
            if line.lower().startswith("sec-websocket-extensions:")
        ]
        out(
            f"negotiated extensions: {extension_names(shake.extensions)}"
            + (f" ({printable('; '.join(negotiated))})" if negotiated else "")
        )
        out(HELP)
        frames = FrameLog(log, "client") if verbose else None
        session = _Session(sock, shake, out, frames)
        if frames is not None and shake.leftover:
            frames.received(shake.leftover)
        for event in [*shake.pending, *shake.ws.events()]:
            session.handle(event)
        reader = threading.Thread(target=_read_input, args=(session, stdin), daemon=True)
        reader.start()
        try:
            return _receive_loop(session)
        except KeyboardInterrupt:
            try:
                session.close(CloseReason.GOING_AWAY, "interrupted")
            except (OSError, LocalProtocolError):
                pass
            raise
    finally:
        sock.close()


def _receive_loop(session: _Session) -> int:
    sock = session.sock
    sock.settimeout(_POLL)
    while True:
        if session.close_deadline is not None and time.monotonic() > session.close_deadline:
            if session.ws.state is ConnectionState.CLOSED:
                return 0
            raise CliError("the server did not complete the closing handshake in time")
        try:
            data = sock.recv(65536)
        except socket.timeout:
            continue
        except OSError as exc:
            raise CliError(f"connection lost: {exc}") from None
        with session.lock:
            if session.frames is not None and data:
                session.frames.received(data)
            session.ws.receive_data(data or None)
            events = list(session.ws.events())
        for event in events:
            session.handle(event)
        if not data:
            if session.close_code == CloseReason.ABNORMAL_CLOSURE:
                raise CliError("the server closed the connection without a closing handshake")
            session.out("connection closed")
            return 0
