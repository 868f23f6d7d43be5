"""What the Autobahn echo server and echo client share: the echo itself.

Public wsproto API only, so the same subjects run against upstream wsproto 1.x
and against this repository's 2.x.
"""

from __future__ import annotations

import functools
import importlib
import socket
from typing import Callable, Union

import wsproto
from wsproto import ConnectionType, WSConnection
from wsproto.connection import ConnectionState
from wsproto.events import BytesMessage, CloseConnection, Event, Message, Ping, TextMessage
from wsproto.extensions import Extension

#: Largest message the subjects accept: wstest's biggest (9.1.6 / 9.2.6) is 16 MiB.
MAX_MESSAGE_SIZE = 64 * 1024 * 1024
#: Bytes asked of the socket per recv().
READ_SIZE = 256 * 1024
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")


def is_loopback(host: str) -> bool:
    """True for the only hosts the subjects may listen on or connect to."""
    return host in LOOPBACK_NAMES or host.startswith("127.")


def describe_wsproto() -> str:
    """Which wsproto is under test (logged first by both subjects)."""
    version = getattr(wsproto, "__version__", "unknown")
    return f"wsproto {version} from {wsproto.__file__}"


def make_extensions(enabled: bool) -> list[Extension]:
    """Fresh extension objects for one connection (they keep per-connection state)."""
    return _extension_factory()() if enabled else []


@functools.cache
def _extension_factory() -> Callable[[], list[Extension]]:
    """wsproto 2.x: every installed extension plugin; 1.x: its PerMessageDeflate."""
    try:
        plugins = importlib.import_module("wsproto.plugins")
    except ImportError:
        plugins = None
    installed = getattr(plugins, "installed_extensions", None)
    if installed is not None:
        return lambda: list(installed())
    try:
        from wsproto.extensions import PerMessageDeflate
    except ImportError as exc:  # 2.x core without the wsproto-deflate plugin
        print(f"WARNING: no permessage-deflate available ({exc}); offering none", flush=True)
        return list
    return lambda: [PerMessageDeflate()]


def make_connection(kind: ConnectionType) -> WSConnection:
    """A WSConnection with room for wstest's largest messages where limits exist (2.x)."""
    try:
        return WSConnection(kind, max_message_size=MAX_MESSAGE_SIZE)  # type: ignore[call-arg,unused-ignore]
    except TypeError:  # wsproto 1.x has no message size limit
        return WSConnection(kind)


def tune_socket(sock: socket.socket, timeout: float) -> None:
    """No Nagle delay (wstest's ping-pong of small frames) and a bounded wait per read."""
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.settimeout(timeout)


class Echo:
    """Turns the events of an open connection into the bytes to send back.

    Fragments are reassembled and each whole message goes back as one message of
    the same kind; pings are answered; a close is answered (or, when wsproto
    reports a protocol error as a CloseConnection, the connection is failed with
    that code) and ``closed`` becomes True: nothing is echoed after that.
    With ``reply=False`` whole messages are kept in ``messages`` instead of echoed.
    """

    def __init__(self, ws: WSConnection, reply: bool = True) -> None:
        self.ws = ws
        self.reply = reply
        self.messages: list[Union[str, bytes]] = []
        self.closed = False
        self.close_code: int | None = None
        self._text: list[str] = []
        self._binary: list[bytes] = []

    def handle(self, event: Event) -> bytes:
        """Bytes to send in answer to one event (may be empty)."""
        if self.closed:
            return b""
        if isinstance(event, CloseConnection):
            self.closed = True
            self.close_code = event.code
            if self.ws.state in (ConnectionState.OPEN, ConnectionState.REMOTE_CLOSING):
                return self.ws.send(event.response())
            return b""  # CLOSED already (TCP EOF) or our own close was answered
        if isinstance(event, Ping):
            return self.ws.send(event.response())
        if isinstance(event, Message):
            return self._message(event.data, event.message_finished)
        return b""  # Pong and anything else: nothing to do

    def _message(self, data: Union[str, bytes, bytearray], finished: bool) -> bytes:
        if isinstance(data, str):
            self._text.append(data)
            if not finished:
                return b""
            text, self._text = "".join(self._text), []
            return self._echo(text, TextMessage(data=text))
        self._binary.append(bytes(data))
        if not finished:
            return b""
        binary, self._binary = b"".join(self._binary), []
        return self._echo(binary, BytesMessage(data=binary))

    def _echo(self, whole: Union[str, bytes], message: Event) -> bytes:
        if not self.reply:
            self.messages.append(whole)
            return b""
        return self.ws.send(message)

    def feed(self, data: bytes | None) -> bytes:
        """Give received bytes (None = TCP EOF) to wsproto; return the answer bytes."""
        self.ws.receive_data(data)
        return self.pending()

    def pending(self) -> bytes:
        """Answer the events wsproto already has (e.g. frames read with the handshake)."""
        answer = bytearray()
        for event in self.ws.events():
            answer += self.handle(event)
            if self.closed:
                break  # whatever follows a close is ignored (RFC 6455 5.5.1)
        return bytes(answer)
