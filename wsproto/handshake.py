"""The HTTP/1.1 opening handshake (RFC 6455 section 4), built on h11.

This is the only layer that knows HTTP. It turns the upgrade request and
response into :class:`~wsproto.events.Request`,
:class:`~wsproto.events.AcceptConnection`,
:class:`~wsproto.events.RejectConnection` and
:class:`~wsproto.events.RejectData` events, and produces the
:class:`~wsproto.connection.Connection` with the negotiated extensions.
"""

from __future__ import annotations

import binascii
import re
from collections import deque
from typing import Deque, Dict, Generator, Iterable, List, Optional, Sequence, Tuple, Union

import h11

from ._headers import HeaderSyntaxError, split_elements
from ._negotiation import (
    bind_extensions,
    client_offers,
    negotiate_client,
    negotiate_server,
)
from .connection import Connection, ConnectionState, ConnectionType
from .events import (
    AcceptConnection,
    Event,
    Headers,
    RejectConnection,
    RejectData,
    Request,
)
from .extensions import Extension
from .utilities import (
    LocalProtocolError,
    RemoteProtocolError,
    generate_accept_token,
    generate_nonce,
)

__all__ = ["H11Handshake", "client_extensions_handshake", "server_extensions_handshake"]

# RFC 6455 section 4.1: the only version this library speaks.
WEBSOCKET_VERSION = b"13"
# Headers the handshake writes itself; repeating them in extra_headers breaks the request.
# (Sec-WebSocket-Protocol and -Extensions may be given there, as upstream 1.x allowed.)
_HANDSHAKE_HEADERS = frozenset(
    {
        b"host",
        b"upgrade",
        b"connection",
        b"sec-websocket-key",
        b"sec-websocket-version",
        b"sec-websocket-accept",
    }
)


def _has_token(headers: Dict[bytes, List[bytes]], name: bytes, token: bytes) -> bool:
    """True if a comma-separated ``name`` header lists ``token`` (case-insensitively)."""
    for value in headers.get(name, ()):
        for item in value.split(b","):
            if item.strip().lower() == token:
                return True
    return False


def _header_map(headers: Iterable[tuple[bytes, bytes]]) -> Dict[bytes, List[bytes]]:
    """Group h11's (already lower-cased) header names."""
    result: Dict[bytes, List[bytes]] = {}
    for name, value in headers:
        if name in result:
            result[name].append(value)
        else:
            result[name] = [value]
    return result


def _ascii(value: bytes, what: str, hint: Optional[Event]) -> str:
    try:
        return value.decode("ascii")
    except UnicodeDecodeError:
        raise RemoteProtocolError(f"{what} contains non-ASCII bytes", event_hint=hint) from None


def _encode_host(host: str) -> bytes:
    """Encode a Host value, IDNA-encoding an internationalised name."""
    try:
        return host.encode("ascii")
    except UnicodeEncodeError:
        pass
    name, sep, port = host.rpartition(":") if host.count(":") == 1 else (host, "", "")
    try:
        return name.encode("idna") + (sep + port).encode("ascii")
    except UnicodeError as exc:
        raise LocalProtocolError(
            f"host {host!r} is not a valid internationalised name: {exc}"
        ) from None


class H11Handshake:
    """A handshake implementation for HTTP/1.1 connections."""

    def __init__(
        self,
        connection_type: ConnectionType,
        *,
        max_message_size: Optional[int] = None,
        max_frame_size: Optional[int] = None,
    ) -> None:
        self.client = connection_type is ConnectionType.CLIENT
        self._state = ConnectionState.CONNECTING
        self._h11 = h11.Connection(h11.CLIENT if self.client else h11.SERVER)
        self._connection: Optional[Connection] = None
        self._events: Deque[Event] = deque()
        self._initiating_request: Optional[Request] = None
        self._nonce: Optional[bytes] = None
        # A server may answer a request it refused (RemoteProtocolError) with its event_hint.
        self._bad_request = False
        self._limits = {"max_message_size": max_message_size, "max_frame_size": max_frame_size}

    @property
    def state(self) -> ConnectionState:
        """The handshake's :class:`ConnectionState` (CONNECTING until it ends)."""
        return self._state

    @property
    def connection(self) -> Optional[Connection]:
        """The established :class:`Connection`, or None until the handshake completed."""
        return self._connection

    def initiate_upgrade_connection(self, headers: Headers, path: Union[bytes, str]) -> None:
        """Initiate an upgrade connection (server) from an already parsed request.

        Use this when the HTTP request was received and parsed elsewhere: the
        :class:`Request` event then comes out of :meth:`events`.
        """
        if self.client:
            raise LocalProtocolError("initiate_upgrade_connection is for servers only")
        if self._initiating_request is not None or self._state is not ConnectionState.CONNECTING:
            raise LocalProtocolError("a request was already received on this handshake")
        target = path.encode("ascii") if isinstance(path, str) else path
        try:
            upgrade_request = h11.Request(method=b"GET", target=target, headers=headers)
        except h11.LocalProtocolError as exc:
            raise LocalProtocolError(f"invalid request: {exc}") from None
        # Replay the request through h11 so that it validates it and accepts our 101.
        self.receive_data(h11.Connection(h11.CLIENT).send(upgrade_request) or b"")

    # -- sending ---------------------------------------------------------------

    def send(self, event: Event) -> bytes:
        """Return the bytes to send for ``event``; raise LocalProtocolError if not allowed now."""
        if isinstance(event, Request):
            return self._send_request(event)
        if isinstance(event, AcceptConnection):
            return self._send_accept(event)
        if isinstance(event, RejectConnection):
            return self._send_reject(event)
        if isinstance(event, RejectData):
            return self._send_reject_data(event)
        raise LocalProtocolError(
            f"cannot send {type(event).__name__} during the handshake (state "
            f"{self._state.name}): wait for the handshake to complete"
        )

    def _send_request(self, event: Request) -> bytes:
        if not self.client:
            raise LocalProtocolError("a server cannot send a Request: it receives one")
        if self._initiating_request is not None:
            raise LocalProtocolError("a Request was already sent on this connection")
        for name, _ in event.extra_headers:
            if name.lower() in _HANDSHAKE_HEADERS:
                raise LocalProtocolError(
                    f"extra header {name!r} is written by the handshake: use the Request fields"
                )
        self._nonce = generate_nonce()
        headers = [
            (b"Host", _encode_host(event.host)),
            (b"Upgrade", b"websocket"),
            (b"Connection", b"Upgrade"),
            (b"Sec-WebSocket-Key", self._nonce),
            (b"Sec-WebSocket-Version", WEBSOCKET_VERSION),
        ]
        if event.subprotocols:
            headers.append((b"Sec-WebSocket-Protocol", ", ".join(event.subprotocols).encode()))
        extensions = [e for e in event.extensions if isinstance(e, Extension)]
        if len(extensions) != len(event.extensions):
            raise LocalProtocolError("a client's Request.extensions must be Extension objects")
        extensions = bind_extensions(extensions, self)
        offers = client_offers(extensions)
        if offers:
            headers.append((b"Sec-WebSocket-Extensions", offers.encode("ascii")))
        headers.extend(event.extra_headers)
        self._initiating_request = Request(
            host=event.host,
            target=event.target,
            extensions=extensions,
            extra_headers=event.extra_headers,
            subprotocols=event.subprotocols,
        )
        try:
            return (
                self._h11.send(h11.Request(method=b"GET", target=event.target, headers=headers))
                or b""
            )
        except h11.LocalProtocolError as exc:
            raise LocalProtocolError(f"invalid request: {exc}") from None

    def _server_request(self, what: str) -> Request:
        if self.client:
            raise LocalProtocolError(f"a client cannot send {what}: it receives one")
        if self._initiating_request is None or self._state is not ConnectionState.CONNECTING:
            raise LocalProtocolError(
                f"cannot send {what} before a Request was received (state {self._state.name})"
            )
        return self._initiating_request

    def _send_accept(self, event: AcceptConnection) -> bytes:
        request = self._server_request("AcceptConnection")
        key = _request_key(request)
        headers = [
            (b"Upgrade", b"websocket"),
            (b"Connection", b"Upgrade"),
            (b"Sec-WebSocket-Accept", generate_accept_token(key)),
        ]
        if event.subprotocol is not None:
            if event.subprotocol not in request.subprotocols:
                raise LocalProtocolError(
                    f"unexpected subprotocol {event.subprotocol!r}: choose one of "
                    f"{request.subprotocols!r} or None"
                )
            headers.append((b"Sec-WebSocket-Protocol", event.subprotocol.encode("ascii")))
        accepted: List[Extension] = []
        if event.extensions:
            supported = bind_extensions(event.extensions, self)
            accepted, response = negotiate_server(request.extensions, supported)  # type: ignore[arg-type]
            if response:
                headers.append((b"Sec-WebSocket-Extensions", response.encode("ascii")))
        response_bytes = _switching_protocols(headers, event.extra_headers)
        self._state = ConnectionState.OPEN
        trailing, _ = self._h11.trailing_data
        # HTTP is over for good: free h11's buffers and state (idle connections are many).
        self._h11 = None  # type: ignore[assignment]
        self._connection = Connection(
            ConnectionType.SERVER,
            accepted,
            bytes(trailing),
            _negotiated_by=self,
            **self._limits,
        )
        return response_bytes

    def _send_reject(self, event: RejectConnection) -> bytes:
        if not (self._bad_request and self._state is ConnectionState.CONNECTING):
            self._server_request("RejectConnection")
        if not 200 <= event.status_code <= 599 or event.status_code == 101:
            raise LocalProtocolError(f"invalid rejection status code {event.status_code}")
        headers = list(event.headers)
        if not event.has_body:
            headers.append((b"content-length", b"0"))
        data = self._h11.send(h11.Response(status_code=event.status_code, headers=headers)) or b""
        self._state = ConnectionState.REJECTING
        if not event.has_body:
            data += self._h11.send(h11.EndOfMessage()) or b""
            self._state = ConnectionState.CLOSED
        return data

    def _send_reject_data(self, event: RejectData) -> bytes:
        if self.client or self._state is not ConnectionState.REJECTING:
            raise LocalProtocolError(
                f"cannot send RejectData in state {self._state.name}: send "
                "RejectConnection(has_body=True) first"
            )
        data = self._h11.send(h11.Data(data=event.data)) or b""
        if event.body_finished:
            data += self._h11.send(h11.EndOfMessage()) or b""
            self._state = ConnectionState.CLOSED
        return data

    # -- receiving -------------------------------------------------------------

    def receive_data(self, data: Optional[bytes]) -> None:
        """Feed bytes received from the peer; ``None`` means the transport closed."""
        if self._connection is not None:
            self._connection.receive_data(data)
            return
        try:
            self._h11.receive_data(b"" if data is None else data)
        except RuntimeError:
            if data is None:
                return
            # h11 refuses bytes after the end of the stream: the caller's mistake, not the peer's.
            raise LocalProtocolError(
                "receive_data() got bytes after the end of the stream (receive_data(None))"
            ) from None
        while True:
            try:
                event = self._h11.next_event()
            except h11.RemoteProtocolError as exc:
                self._bad_request = not self.client
                if data is None and self._state is ConnectionState.CONNECTING:
                    # h11 reports a close in the middle of a message as a protocol error.
                    self._state = ConnectionState.CLOSED
                    raise RemoteProtocolError(
                        "the peer closed the connection during the handshake"
                    ) from None
                raise RemoteProtocolError(
                    f"malformed HTTP: {exc}", event_hint=RejectConnection(status_code=400)
                ) from None
            if event is h11.NEED_DATA or event is h11.PAUSED:
                break
            if isinstance(event, h11.ConnectionClosed):
                if self._state is ConnectionState.CONNECTING:
                    self._state = ConnectionState.CLOSED
                    raise RemoteProtocolError("the peer closed the connection during the handshake")
                break
            if self.client:
                self._client_event(event)
            else:
                try:
                    self._server_event(event)
                except RemoteProtocolError:
                    self._bad_request = True
                    raise
            if self._connection is not None:
                break

    def _server_event(self, event: object) -> None:
        if isinstance(event, h11.Request):
            self._events.append(self._process_request(event))
        # h11 pauses after an upgrade request, so nothing else arrives here.

    def _client_event(self, event: object) -> None:
        if isinstance(event, h11.InformationalResponse):
            if event.status_code != 101:
                return  # e.g. 100 Continue: keep waiting
            self._events.append(self._establish_client_connection(event))
        elif isinstance(event, h11.Response):
            self._state = ConnectionState.REJECTING
            self._events.append(
                RejectConnection(
                    status_code=event.status_code, headers=list(event.headers), has_body=True
                )
            )
        elif isinstance(event, h11.Data):
            self._events.append(RejectData(data=bytes(event.data), body_finished=False))
        elif isinstance(event, h11.EndOfMessage):
            self._events.append(RejectData(data=b"", body_finished=True))
            self._state = ConnectionState.CLOSED

    def events(self) -> Generator[Event, None, None]:
        """Yield the handshake events received so far."""
        while self._events:
            yield self._events.popleft()

    # -- validation ------------------------------------------------------------

    def _process_request(self, event: h11.Request) -> Request:
        if self._initiating_request is not None:
            raise RemoteProtocolError("a second request arrived during the handshake")
        bad = RejectConnection(status_code=400)
        if event.method != b"GET":
            raise RemoteProtocolError(
                f"a WebSocket upgrade must use GET, not {event.method!r}", event_hint=bad
            )
        if event.http_version != b"1.1":
            raise RemoteProtocolError("a WebSocket upgrade needs HTTP/1.1", event_hint=bad)
        header_list = list(event.headers)  # h11's Headers iterates slowly: once is enough
        headers = _header_map(header_list)
        if not _has_token(headers, b"connection", b"upgrade"):
            raise RemoteProtocolError("missing header 'Connection: Upgrade'", event_hint=bad)
        if not _has_token(headers, b"upgrade", b"websocket"):
            raise RemoteProtocolError("missing header 'Upgrade: websocket'", event_hint=bad)
        versions = headers.get(b"sec-websocket-version", [])
        if versions != [WEBSOCKET_VERSION]:
            raise RemoteProtocolError(
                "missing or unsupported Sec-WebSocket-Version: this server speaks 13",
                event_hint=RejectConnection(
                    status_code=426, headers=[(b"Sec-WebSocket-Version", WEBSOCKET_VERSION)]
                ),
            )
        keys = headers.get(b"sec-websocket-key", [])
        if len(keys) != 1 or not _valid_key(keys[0]):
            raise RemoteProtocolError(
                "missing or invalid Sec-WebSocket-Key (16 bytes, base64)", event_hint=bad
            )
        hosts = headers.get(b"host", [])
        if len(hosts) != 1:
            raise RemoteProtocolError("a request needs exactly one Host header", event_hint=bad)
        host = _ascii(hosts[0], "Host header", bad)
        offer_values = [
            _ascii(value, "Sec-WebSocket-Extensions", bad)
            for value in headers.get(b"sec-websocket-extensions", [])
        ]
        try:
            # One string per offer, as sent; parsed only if the application accepts with extensions.
            offers = split_elements(offer_values)
        except HeaderSyntaxError:
            offers = []  # an unterminated quoted-string: no offer can be trusted, decline all
        subprotocols = _raw_tokens(headers, b"sec-websocket-protocol", bad)
        request = Request(
            host=host,
            target=_ascii(event.target, "request target", bad),
            extensions=offers,
            extra_headers=header_list,
            subprotocols=subprotocols,
        )
        self._initiating_request = request
        return request

    def _establish_client_connection(self, event: h11.InformationalResponse) -> AcceptConnection:
        assert self._initiating_request is not None and self._nonce is not None
        request = self._initiating_request
        header_list = list(event.headers)  # h11's Headers iterates slowly: once is enough
        headers = _header_map(header_list)
        fail = RejectConnection()
        if not _has_token(headers, b"connection", b"upgrade"):
            raise RemoteProtocolError("missing header 'Connection: Upgrade'", event_hint=fail)
        if not _has_token(headers, b"upgrade", b"websocket"):
            raise RemoteProtocolError("missing header 'Upgrade: websocket'", event_hint=fail)
        accepts = headers.get(b"sec-websocket-accept", [])
        if accepts != [generate_accept_token(self._nonce)]:
            raise RemoteProtocolError("missing or wrong Sec-WebSocket-Accept", event_hint=fail)
        subprotocol = None
        protocols = _raw_tokens(headers, b"sec-websocket-protocol", fail)
        if protocols:
            offered_protocols = list(request.subprotocols) + _raw_tokens(
                _header_map((k.lower(), v) for k, v in request.extra_headers),
                b"sec-websocket-protocol",
                fail,
            )
            if len(protocols) != 1 or protocols[0] not in offered_protocols:
                raise RemoteProtocolError(
                    f"server chose subprotocol {', '.join(protocols)!r}, which was not offered",
                    event_hint=fail,
                )
            subprotocol = protocols[0]
        offered = [e for e in request.extensions if isinstance(e, Extension)]
        try:
            extensions = negotiate_client(headers.get(b"sec-websocket-extensions", []), offered)
        except RemoteProtocolError as exc:
            raise RemoteProtocolError(str(exc), event_hint=fail) from None
        self._state = ConnectionState.OPEN
        trailing, _ = self._h11.trailing_data
        # HTTP is over for good: free h11's buffers and state (idle connections are many).
        self._h11 = None  # type: ignore[assignment]
        self._connection = Connection(
            ConnectionType.CLIENT,
            extensions,
            bytes(trailing),
            _negotiated_by=self,
            **self._limits,
        )
        return AcceptConnection(
            subprotocol=subprotocol, extensions=extensions, extra_headers=header_list
        )


def _raw_tokens(headers: Dict[bytes, List[bytes]], name: bytes, hint: Optional[Event]) -> List[str]:
    """The comma-separated items of every ``name`` header, as ASCII strings."""
    out = []
    for value in headers.get(name, []):
        for item in value.split(b","):
            item = item.strip()
            if item:
                out.append(_ascii(item, name.decode(), hint))
    return out


_BASE64_ALPHABET = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")


_FIELD_NAME = re.compile(rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
# A field value: visible characters and obs-text, with inner spaces/tabs (RFC 9110 section 5.5).
_VCHAR = rb"[\x21-\x7e\x80-\xff]"
_FIELD_VALUE = re.compile(rb"(?:%s(?:[ \t\x21-\x7e\x80-\xff]*%s)?)?" % (_VCHAR, _VCHAR))


def _switching_protocols(headers: List[Tuple[bytes, bytes]], extra: Headers) -> bytes:
    """Serialise the 101 response.

    Written directly rather than through h11, which would validate our own, known-good
    headers again: it is the only HTTP message of an accepted connection that the
    server sends, and h11 is not used after it. The application's extra headers are
    validated here as h11 would.
    """
    lines = [b"HTTP/1.1 101 Switching Protocols\r\n"]
    for name, value in headers:
        lines += (name, b": ", value, b"\r\n")
    for name, value in extra:
        raw_name = name.encode("ascii") if isinstance(name, str) else bytes(name)
        raw_value = value.encode("latin-1") if isinstance(value, str) else bytes(value)
        if not _FIELD_NAME.fullmatch(raw_name) or not _FIELD_VALUE.fullmatch(raw_value):
            raise LocalProtocolError(
                f"invalid extra header {name!r}: {value!r} (names are tokens; values have no "
                "CR, LF, NUL or surrounding whitespace)"
            )
        lines += (raw_name, b": ", raw_value, b"\r\n")
    lines.append(b"\r\n")
    return b"".join(lines)


def _valid_key(key: bytes) -> bool:
    """True for the base64 encoding of 16 bytes: 22 characters and "==" (RFC 6455 section 4.1)."""
    if len(key) != 24 or key[22:] != b"==" or not _BASE64_ALPHABET.issuperset(key[:22]):
        return False
    try:
        return len(binascii.a2b_base64(key)) == 16
    except binascii.Error:  # pragma: no cover - the checks above exclude it
        return False


def _request_key(request: Request) -> bytes:
    for name, value in request.extra_headers:
        if name.lower() == b"sec-websocket-key":
            return value
    raise LocalProtocolError("the request has no Sec-WebSocket-Key")  # pragma: no cover


def server_extensions_handshake(
    requested: Iterable[str], supported: List[Extension]
) -> Optional[bytes]:
    """Agree on the extensions to use, returning the response header value.

    ``requested`` holds the client's offers (header values or single offers);
    ``supported`` the server's extension objects, which record what they
    accepted. Returns ``None`` if no extension was agreed.
    """
    _, response = negotiate_server(list(requested), supported)
    return response.encode("ascii") if response is not None else None


def client_extensions_handshake(
    accepted: Iterable[str], supported: Sequence[Extension]
) -> List[Extension]:
    """Apply the server's accepted extensions (header values) to the offered ones.

    Returns the extensions in force, in the server's order. Raises
    :class:`RemoteProtocolError` if the server accepted something that was
    not offered or that an extension refuses.
    """
    return negotiate_client(list(accepted), supported)
