"""``demo``: a loopback echo server and a client in one process, with a readable transcript.

The transcript shows the opening handshake (request and response headers),
the negotiated extensions, every frame with its opcode, flags and payload size
before and after the extensions (compression), and the closing handshake.
"""

from __future__ import annotations

import hashlib
import socket
from typing import Callable, List, Optional, Tuple

from .. import WSConnection, __version__
from ..connection import ConnectionState
from ..events import BytesMessage, CloseConnection, Event, Message, Ping, Pong, TextMessage
from ..extensions import Extension
from .echo_server import EchoServer
from .errors import CliError
from .handshake_io import connect, open_websocket
from .registry import describe, extension_names, installed_extensions
from .urls import parse_ws_url
from .wire import FrameInfo, FrameScanner

__all__ = ["run_demo"]

Out = Callable[[str], None]
#: Seconds to wait for each echo before giving up.
STEP_TIMEOUT = 5.0

_ROW = "{:>3}  {:<8}  {:<12}  {:<15}  {:>9}  {:>9}  {}"


def _sample_log(lines: int) -> str:
    """A compressible text: repetitive JSON log lines, as applications often send."""
    return "\n".join(
        f'{{"seq": {i}, "level": "info", "event": "price_update", "symbol": "WSP", '
        f'"bid": {100 + i % 7}.25, "ask": {100 + i % 7}.50}}'
        for i in range(lines)
    )


def _sample_binary(size: int) -> bytes:
    """Incompressible bytes (a hash chain), deterministic from run to run."""
    out = bytearray()
    block = b"wsproto demo"
    while len(out) < size:
        block = hashlib.sha256(block).digest()
        out += block
    return bytes(out[:size])


def _app_size(event: Event) -> int:
    """An event's payload size as the application sees it."""
    if isinstance(event, TextMessage):
        return len(event.data.encode("utf-8"))
    if isinstance(event, BytesMessage):
        return len(event.data)
    if isinstance(event, (Ping, Pong)):
        return len(event.payload)
    if isinstance(event, CloseConnection):
        return 0 if event.code == 1005 else 2 + len((event.reason or "").encode("utf-8"))
    return 0


def _note(event: Event) -> str:
    if isinstance(event, Message) and not event.data:
        return "(no output yet: the extension holds it)"
    if isinstance(event, TextMessage):
        text = event.data.replace("\n", " ")
        return repr(text if len(text) <= 28 else text[:25] + "...")
    if isinstance(event, BytesMessage):
        return f"{bytes(event.data[:8]).hex()}..."
    if isinstance(event, (Ping, Pong)):
        return repr(bytes(event.payload))
    if isinstance(event, CloseConnection):
        return f"code {int(event.code)}" + (f" {event.reason!r}" if event.reason else "")
    return ""


class _Transcript:
    """Prints frame rows and keeps the totals."""

    def __init__(self, out: Out) -> None:
        self.out = out
        self.count = 0
        self.app_total = 0
        self.wire_total = 0

    def header(self) -> None:
        self.out(_ROW.format("#", "dir", "opcode", "flags", "app size", "wire size", "note"))

    def row(self, direction: str, frame: FrameInfo, app_size: int, note: str) -> None:
        self.count += 1
        if frame.opcode in (0, 1, 2):
            self.app_total += app_size
            self.wire_total += frame.payload_length
        self.out(
            _ROW.format(
                self.count,
                direction,
                frame.opcode_name,
                frame.flags,
                f"{app_size} B",
                f"{frame.payload_length} B",
                note,
            )
        )


class _DemoClient:
    """The client side of the demo: sends, receives, and reports every frame."""

    def __init__(self, sock: socket.socket, ws: WSConnection, transcript: _Transcript) -> None:
        self.sock = sock
        self.ws = ws
        self.transcript = transcript
        self.outbound = FrameScanner()
        self.inbound = FrameScanner()
        self.pending_app = 0  # inbound application bytes of the frame being received
        self.pending_events: List[Event] = []

    def send(self, event: Event) -> None:
        data = self.ws.send(event)
        size = _app_size(event)
        for frame in self.outbound.feed(data):
            self.transcript.row("C -> S", frame, size, _note(event))
        self.sock.sendall(data)

    def leftover(self, data: bytes) -> List[Event]:
        """Account for WebSocket bytes that arrived with the handshake response."""
        return self._account(data, fed=True)

    def receive_until(self, done: Callable[[Event], bool]) -> List[Event]:
        """Read and report frames until an event satisfies ``done``; return the events."""
        seen: List[Event] = []
        while True:
            if any(done(e) for e in seen):
                return seen
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                raise CliError("the demo server did not answer in time") from None
            if not data:
                self.ws.receive_data(None)
                seen += list(self.ws.events())
                return seen
            seen += self._account(data, fed=False)

    def _account(self, data: bytes, fed: bool) -> List[Event]:
        """Feed ``data`` frame by frame so each frame's events can be measured."""
        events: List[Event] = []
        pos = 0
        for frame in self.inbound.feed(data):
            chunk_events = self._feed(data[pos : frame.end], fed)
            events += chunk_events
            self.pending_events += chunk_events
            self.pending_app += sum(_app_size(e) for e in chunk_events)
            note = _note(self.pending_events[-1]) if self.pending_events else ""
            self.transcript.row("S -> C", frame, self.pending_app, note)
            self.pending_app = 0
            self.pending_events = []
            pos = frame.end
        if pos < len(data):
            tail = self._feed(data[pos:], fed)
            events += tail
            self.pending_events += tail
            self.pending_app += sum(_app_size(e) for e in tail)
        return events

    def _feed(self, data: bytes, fed: bool) -> List[Event]:
        if not fed:
            self.ws.receive_data(data)
        return list(self.ws.events())


def _show_headers(out: Out, title: str, raw: bytes) -> None:
    out(f"{title} ({len(raw)} bytes):")
    for line in raw.decode("latin-1").split("\r\n"):
        if line:
            out(f"    {line}")


def _server_offer(extensions: List[Extension]) -> str:
    rows = {row.name: row for row in describe()}
    parts = []
    for ext in extensions:
        row = rows.get(ext.name)
        parts.append(f"{ext.name} ({row.distribution} {row.version})" if row else ext.name)
    return ", ".join(parts) or "none"


def _steps(text_size: int) -> List[Tuple[str, List[Event]]]:
    """What the client sends, one step at a time (each step awaits its echo)."""
    return [
        ("a short text message", [TextMessage(data="Hello, WebSocket!")]),
        (
            f"a compressible text message ({text_size} JSON log lines)",
            [TextMessage(data=_sample_log(text_size))],
        ),
        ("an incompressible binary message", [BytesMessage(data=_sample_binary(2048))]),
        (
            "a text message sent in three fragments",
            [
                TextMessage(data="one, ", message_finished=False),
                TextMessage(data="two, ", message_finished=False),
                TextMessage(data="three.", message_finished=True),
            ],
        ),
        ("a ping (the peer must answer with a pong)", [Ping(payload=b"are you there?")]),
    ]


def _step_done(events: List[Event]) -> Callable[[Event], bool]:
    last = events[-1]
    if isinstance(last, Ping):
        return lambda e: isinstance(e, (Pong, CloseConnection))
    return lambda e: (
        isinstance(e, CloseConnection) or (isinstance(e, Message) and e.message_finished)
    )


def run_demo(
    out: Out,
    *,
    use_extensions: bool = True,
    all_extensions: bool = False,
    verbose: bool = False,
    text_lines: int = 60,
    extensions: Optional[Callable[[], List[Extension]]] = None,
) -> int:
    """Run the demo, printing the transcript with ``out``; return the exit status.

    ``extensions`` makes fresh extension lists for each side (default: every
    installed extension). The server enables them all; the client offers
    permessage-deflate alone when it is installed (stacked compressors make a
    confusing first transcript), or all of them with ``all_extensions``.
    ``use_extensions=False`` offers none; ``verbose`` adds the server's own
    frame log to the server log printed at the end.
    """
    server_log: List[str] = []
    factory = (extensions or installed_extensions) if use_extensions else list
    server = EchoServer("127.0.0.1", 0, log=server_log.append, extensions=factory, verbose=verbose)
    offered = factory()
    deflate = [ext for ext in offered if ext.name == "permessage-deflate"]
    note = ""
    if deflate and not all_extensions and len(offered) > 1:
        note = (
            f"        (installed: {extension_names(offered)}; the client offers "
            "permessage-deflate alone, --all-extensions offers them all)"
        )
        offered = deflate
    server.start_in_thread()
    try:
        return _run(out, server, offered, text_lines, server_log, note)
    finally:
        server.shutdown()


def _run(
    out: Out,
    server: EchoServer,
    offered: List[Extension],
    text_lines: int,
    server_log: List[str],
    note: str,
) -> int:
    out(f"wsproto {__version__} demo: an echo server and a client talking over loopback")
    out(f"server: listening on {server.url}; it enables: {_server_offer(server.extensions())}")
    out(f"client: offers: {extension_names(offered)}")
    if note:
        out(note)
    url = parse_ws_url(server.url)
    sock = connect(url, STEP_TIMEOUT)
    sock.settimeout(STEP_TIMEOUT)
    try:
        shake = open_websocket(sock, url, offered)
        out("")
        out("== Opening handshake ==")
        _show_headers(out, "client -> server: HTTP/1.1 upgrade request", shake.request_bytes)
        _show_headers(out, "server -> client: response", shake.response_bytes)
        out("")
        out("== Negotiated extensions ==")
        accepted = [
            line.split(":", 1)[1].strip()
            for line in shake.response_bytes.decode("latin-1").split("\r\n")
            if line.lower().startswith("sec-websocket-extensions:")
        ]
        if shake.extensions:
            for ext in shake.extensions:
                out(f"    {ext.name}: RSV bits {_bits(ext)}")
            out(f"    Sec-WebSocket-Extensions: {'; '.join(accepted)}")
        else:
            out("    none: payloads travel as they are")
            if not installed_extensions():
                out("    (install the plugin to see compression: pip install wsproto-deflate)")
        transcript = _Transcript(out)
        client = _DemoClient(sock, shake.ws, transcript)
        out("")
        out("== Frames == (C = client, S = server; app size: before compression on send,")
        out("   after decompression on receipt; wire size: the frame's payload on the wire)")
        transcript.header()
        client.leftover(shake.leftover)
        for title, events in _steps(text_lines):
            out(f"-- {title}")
            for event in events:
                client.send(event)
            client.receive_until(_step_done(events))
        out("")
        out("== Closing handshake ==")
        out(f"client state: {shake.ws.state.name}")
        client.send(CloseConnection(code=1000, reason="demo finished"))
        out(f"client state after sending close: {shake.ws.state.name}")
        client.receive_until(lambda e: isinstance(e, CloseConnection))
        out(f"client state after the server's close: {shake.ws.state.name}")
        tail = sock.recv(1)  # the server tears the TCP connection down (RFC 6455 7.1.1)
        out("server closed the TCP connection" if not tail else "unexpected bytes after close")
        if shake.ws.state is not ConnectionState.CLOSED:
            raise CliError(f"closing handshake incomplete (state {shake.ws.state.name})")
    finally:
        sock.close()
    out("")
    out("== Summary ==")
    ratio = 100.0 * transcript.wire_total / transcript.app_total if transcript.app_total else 100
    out(
        f"{transcript.count} frames; data payloads: {transcript.app_total} B for the application,"
        f" {transcript.wire_total} B on the wire ({ratio:.1f}%)"
    )
    server.shutdown()  # so that the server log below is complete
    out("server log:")
    for line in server_log:
        out(f"    {line}")
    return 0


def _bits(ext: Extension) -> str:
    names = [f"RSV{i}" for i, on in enumerate(ext.rsv_bits, start=1) if on]
    return " ".join(names) or "none declared"
