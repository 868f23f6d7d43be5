"""The post-handshake WebSocket connection: state machine, close and ping rules, limits.

It knows frames and events, never HTTP. Bytes come in through
:meth:`Connection.receive_data`, events come out of :meth:`Connection.events`,
and :meth:`Connection.send` turns events into bytes.
"""

from __future__ import annotations

import codecs
from enum import Enum
from typing import Generator, List, Optional, Sequence

from ._extension import Extension
from ._negotiation import bind_extensions
from ._pipeline import ExtensionPipeline
from .events import (
    BytesMessage,
    CloseConnection,
    Event,
    Message,
    Ping,
    Pong,
    TextMessage,
)
from .frame_protocol import (
    LOCAL_ONLY_CLOSE_REASONS,
    CloseReason,
    FrameEncoder,
    ParseFailed,
    PieceDecoder,
    close_payload,
    is_valid_close_code,
    parse_close_payload,
)
from .frame_protocol import FrameProtocol as FrameProtocol  # re-exported as in 1.x
from .frame_protocol import Opcode as Opcode  # re-exported as in 1.x
from .utilities import LocalProtocolError

__all__ = ["Connection", "ConnectionState", "ConnectionType"]


class ConnectionType(Enum):
    """Which end of the connection this is."""

    #: This end is a client
    CLIENT = 1
    #: This end is a server
    SERVER = 2


class ConnectionState(Enum):
    """RFC 6455, Section 4 - Opening Handshake, and Section 7 - Closing."""

    #: The opening handshake is in progress.
    CONNECTING = 0
    #: The opening handshake is complete.
    OPEN = 1
    #: The remote WebSocket has initiated a connection close (or failed it).
    REMOTE_CLOSING = 2
    #: The local WebSocket (i.e. this instance) has initiated a connection close.
    LOCAL_CLOSING = 3
    #: The closing handshake has completed.
    CLOSED = 4
    #: The connection was rejected during the opening handshake.
    REJECTING = 5


class _ControlPayloadTooLong(LocalProtocolError, ValueError):
    """Upstream 1.x raised ValueError here: catching either keeps working."""


#: Module-level aliases that 1.x defines (httpx-ws and Quart use them).
CLIENT = ConnectionType.CLIENT
SERVER = ConnectionType.SERVER

_OPEN = ConnectionState.OPEN
_REMOTE_CLOSING = ConnectionState.REMOTE_CLOSING
_LOCAL_CLOSING = ConnectionState.LOCAL_CLOSING
_CLOSED = ConnectionState.CLOSED
_utf_8_decode = codecs.utf_8_decode


class Connection:
    """A WebSocket connection after the handshake.

    Use it directly when the handshake happened elsewhere (for example over
    HTTP/2, RFC 8441); :class:`wsproto.WSConnection` uses it after an HTTP/1.1
    handshake.

    :param connection_type: :attr:`ConnectionType.CLIENT` or :attr:`ConnectionType.SERVER`.
    :param extensions: the negotiated extensions, in the order of the
        server's response (extensions whose ``enabled()`` is false are ignored).
    :param trailing_data: bytes received right after the handshake.
    :param max_message_size: fail with 1009 when a message grows beyond
        this many bytes (after decompression). None: unlimited.
    :param max_frame_size: fail with 1009 when a frame header announces a
        larger payload. None: unlimited.
    """

    __slots__ = (
        "__weakref__",
        "_abnormal_pending",
        "_close_received",
        "_decoder",
        "_encoder",
        "_extensions",
        "_reading",
        "_send_data",
        "_state",
        "_utf8_tail",
        "client",
    )

    def __init__(
        self,
        connection_type: ConnectionType,
        extensions: Optional[Sequence[Extension]] = None,
        trailing_data: bytes = b"",
        *,
        max_message_size: Optional[int] = None,
        max_frame_size: Optional[int] = None,
        _negotiated_by: object = None,
    ) -> None:
        self.client = connection_type is ConnectionType.CLIENT
        active = [e for e in (extensions or ()) if e.enabled()]
        self._extensions = bind_extensions(active, self, _negotiated_by)
        pipeline = ExtensionPipeline(self, self._extensions) if self._extensions else None
        self._decoder = PieceDecoder(self.client, pipeline, max_message_size, max_frame_size)
        self._encoder = FrameEncoder(self.client, pipeline)
        self._send_data = self._encoder.data
        self._state = _OPEN
        self._reading = True  # False once a close frame was received or the peer failed
        self._close_received = False
        self._abnormal_pending = False
        self._utf8_tail = b""  # an incomplete UTF-8 sequence that ended the last text chunk
        if trailing_data:
            self.receive_data(trailing_data)

    @property
    def state(self) -> ConnectionState:
        """The connection's :class:`ConnectionState`."""
        return self._state

    @property
    def extensions(self) -> List[Extension]:
        """The extensions in force, in pipeline (response) order."""
        return list(self._extensions)

    @property
    def max_message_size(self) -> Optional[int]:
        """The inbound message size limit, or None."""
        return self._decoder.max_message_size

    # -- sending ---------------------------------------------------------------

    def send(self, event: Event) -> bytes:
        """Return the bytes to send for ``event``; raise LocalProtocolError if not allowed now."""
        state = self._state
        if isinstance(event, Message):
            if state is not _OPEN and state is not _REMOTE_CLOSING:
                raise self._wrong_state(event)
            return self._send_data(event.data, event.message_finished)
        if isinstance(event, (Ping, Pong)):
            if state is not _OPEN and state is not _REMOTE_CLOSING:
                raise self._wrong_state(event)
            payload = event.payload
            if len(payload) > 125:
                raise _ControlPayloadTooLong(
                    f"{type(event).__name__} payload is {len(payload)} bytes; control frames "
                    "carry at most 125 (RFC 6455 section 5.5)"
                )
            opcode = 0x89 if isinstance(event, Ping) else 0x8A
            return self._encoder.frame(opcode, bytes(payload))
        if isinstance(event, CloseConnection):
            if state is not _OPEN and state is not _REMOTE_CLOSING:
                raise self._wrong_state(event)
            payload = self._close_payload(event)
            self._state = _CLOSED if state is _REMOTE_CLOSING else _LOCAL_CLOSING
            return self._encoder.frame(0x88, payload)
        raise LocalProtocolError(
            f"cannot send {event!r} on an open connection: send Message, Ping, Pong or "
            "CloseConnection events"
        )

    def _wrong_state(self, event: Event) -> LocalProtocolError:
        # Only LOCAL_CLOSING and CLOSED refuse events: a Connection starts OPEN.
        if self._state is _LOCAL_CLOSING:
            why = "a close frame was already sent; wait for the peer's CloseConnection"
        else:
            why = "the connection is closed"
        return LocalProtocolError(
            f"cannot send {type(event).__name__} in state {self._state.name}: {why}"
        )

    @staticmethod
    def _close_payload(event: CloseConnection) -> bytes:
        code = event.code
        # 1005, 1006 and 1015 only report what happened and never go on the wire (RFC 6455
        # section 7.4.1): close_payload() sends them as a close frame without a status code.
        # Sending them is allowed, as in 1.x, so that code that closes after a lost transport
        # (trio-websocket sends 1006) moves the state instead of failing.
        if not isinstance(code, int) or (
            code not in LOCAL_ONLY_CLOSE_REASONS and not is_valid_close_code(code)
        ):
            raise LocalProtocolError(
                f"invalid close code {code!r}: use 1000-1003, 1007-1013, or 3000-4999 "
                "(RFC 6455 section 7.4)"
            )
        return close_payload(int(code), event.reason)

    # -- receiving -------------------------------------------------------------

    def receive_data(self, data: Optional[bytes]) -> None:
        """Feed bytes received from the peer; ``None`` means the peer closed the transport."""
        if data is None:
            # RFC 6455 section 7.1.5: a transport closed without a close frame reports 1006.
            if self._state is not _CLOSED:
                self._state = _CLOSED
                self._abnormal_pending = not self._close_received
            return
        if self._reading and data:
            self._decoder.receive_bytes(data)

    receive_bytes = receive_data  # the name the 2019 documentation's HTTP/2 example uses

    def events(self) -> Generator[Event, None, None]:
        """Yield the events for the bytes received so far, then return."""
        next_piece = self._decoder.next_piece
        while self._reading:
            try:
                piece = next_piece()
                if piece is None:
                    break
                opcode, data, frame_finished, message_finished = piece
                if opcode == 1:
                    if self._utf8_tail:
                        data = self._utf8_tail + data
                    try:
                        # The C decoder directly: it stops before an incomplete trailing
                        # sequence, and fails at the first byte that can't start or continue one.
                        text, used = _utf_8_decode(data, "strict", message_finished)
                    except UnicodeDecodeError:
                        raise ParseFailed(
                            "text message is not valid UTF-8",
                            CloseReason.INVALID_FRAME_PAYLOAD_DATA,
                        ) from None
                    self._utf8_tail = data[used:] if used != len(data) else b""
                    event: Event = TextMessage(text, frame_finished, message_finished)
                elif opcode == 2:
                    event = BytesMessage(data, frame_finished, message_finished)
                elif opcode == 9:
                    event = Ping(data)
                elif opcode == 10:
                    event = Pong(data)
                else:
                    event = self._close_received_event(data)
            except ParseFailed as exc:
                event = self._fail(exc)
            yield event
        if self._abnormal_pending and not self._close_received:
            self._abnormal_pending = False
            self._reading = False
            yield CloseConnection(code=CloseReason.ABNORMAL_CLOSURE)

    def _close_received_event(self, payload: bytes) -> CloseConnection:
        code, reason = parse_close_payload(payload)
        self._reading = False
        self._close_received = True
        if self._state is _OPEN:
            self._state = _REMOTE_CLOSING
        elif self._state is _LOCAL_CLOSING:
            self._state = _CLOSED
        return CloseConnection(code=code, reason=reason)

    def _fail(self, exc: ParseFailed) -> CloseConnection:
        """The peer broke the protocol: stop reading, expect the application to send the close."""
        self._reading = False
        self._abnormal_pending = False
        if self._state is _OPEN:
            self._state = _REMOTE_CLOSING
        elif self._state is _LOCAL_CLOSING:
            self._state = _CLOSED
        return CloseConnection(code=exc.code, reason=str(exc))
