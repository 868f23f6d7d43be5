"""The HTTP/1.1 opening handshake (RFC 6455 section 4).

This is the only layer that knows HTTP. It turns the upgrade request and
response into :class:`~wsproto.events.Request`,
:class:`~wsproto.events.AcceptConnection`,
:class:`~wsproto.events.RejectConnection` and
:class:`~wsproto.events.RejectData` events, and produces the
:class:`~wsproto.connection.Connection` with the negotiated extensions.
"""

from __future__ import annotations

import binascii
from collections import deque
from typing import (
    TYPE_CHECKING,
    Callable,
    Deque,
    Dict,
    Generator,
    Iterable,
    List,
    Optional,
    Sequence,
    Tuple,
    Union,
)

from ._extension import Extension
from ._headers import HeaderSyntaxError, split_elements
from ._http import (
    HeadError,
    find_head_end,
    parse_request_head,
    parse_response_head,
    request_line,
    serialize_head,
)
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
from .utilities import (
    LocalProtocolError,
    RemoteProtocolError,
    generate_accept_token,
    generate_nonce,
)
from .utilities import normed_header_dict as normed_header_dict  # re-exported as in 1.x
from .utilities import split_comma_header as split_comma_header  # re-exported as in 1.x

if TYPE_CHECKING:
    import h11  # imported when a handshake is refused: accepted connections never need it

__all__ = ["H11Handshake", "client_extensions_handshake", "server_extensions_handshake"]

# RFC 6455 section 4.1: the only version this library speaks.
WEBSOCKET_VERSION = b"13"
# RFC 6455 section 4.1: the Upgrade token.
WEBSOCKET_UPGRADE = b"websocket"
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


# Received headers that the events carry in their own fields, and so leave out of
# extra_headers (as 1.x does; header names arrive lower-cased).
_REQUEST_FIELDS = frozenset({b"host", b"sec-websocket-extensions", b"sec-websocket-protocol"})
_RESPONSE_FIELDS = frozenset(
    {
        b"connection",
        b"upgrade",
        b"sec-websocket-accept",
        b"sec-websocket-extensions",
        b"sec-websocket-protocol",
    }
)


def _has_token(headers: Dict[bytes, List[bytes]], name: bytes, token: bytes) -> bool:
    """True if a comma-separated ``name`` header lists ``token`` (case-insensitively)."""
    for value in headers.get(name, ()):
        for item in value.split(b","):
            if item.strip().lower() == token:
                return True
    return False


def _check_upgrade(headers: Dict[bytes, List[bytes]], hint: Callable[[], Event]) -> None:
    """Both messages of the handshake carry ``Connection: Upgrade`` and ``Upgrade: websocket``."""
    if not _has_token(headers, b"connection", b"upgrade"):
        raise RemoteProtocolError("missing header 'Connection: Upgrade'", event_hint=hint())
    if not _has_token(headers, b"upgrade", WEBSOCKET_UPGRADE):
        raise RemoteProtocolError("missing header 'Upgrade: websocket'", event_hint=hint())


def _header_map(headers: Iterable[tuple[bytes, bytes]]) -> Dict[bytes, List[bytes]]:
    """Group h11's (already lower-cased) header names."""
    result: Dict[bytes, List[bytes]] = {}
    for name, value in headers:
        if name in result:
            result[name].append(value)
        else:
            result[name] = [value]
    return result


def _bad_request() -> RejectConnection:
    """The answer a server owes a request it cannot upgrade (built only when needed)."""
    return RejectConnection(status_code=400)


def _ascii(value: bytes, what: str, hint: Callable[[], Event] = _bad_request) -> str:
    try:
        return value.decode("ascii")
    except UnicodeDecodeError:
        raise RemoteProtocolError(f"{what} contains non-ASCII bytes", event_hint=hint()) from None


def _decode_host(value: bytes) -> str:
    """The Host header as text: an IDNA (punycode) name is decoded, as 1.x does."""
    host = _ascii(value, "Host header")
    if "xn--" not in host.lower():
        return host
    try:
        return value.decode("idna")
    except UnicodeError:
        raise RemoteProtocolError(
            f"Host header {host!r} is not a valid internationalised name",
            event_hint=_bad_request(),
        ) from None


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
    """A handshake implementation for HTTP/1.1 connections.

    The upgrade request and the 101 response are read and written by
    :mod:`wsproto._http`; h11 handles only a refused handshake, whose
    response may carry a body.
    """

    def __init__(
        self,
        connection_type: ConnectionType,
        *,
        max_message_size: Optional[int] = None,
        max_frame_size: Optional[int] = None,
    ) -> None:
        self.client = connection_type is ConnectionType.CLIENT
        self._state = ConnectionState.CONNECTING
        self._connection: Optional[Connection] = None
        self._events: Deque[Event] = deque()
        self._initiating_request: Optional[Request] = None
        # Received bytes not yet handed on, and how far the search for a head's end got.
        self._buffer = bytearray()
        self._scanned = 0
        self._head_end = 0  # server: where the request's head ends in _buffer
        self._eof = False
        # The Sec-WebSocket-Key: our nonce (client) or the one received (server).
        self._key: Optional[bytes] = None
        # Client: the request as sent, for h11 to read a refusal against.
        self._sent_request = b""
        # Only for a refused handshake: h11 reads (client) or writes (server) that response.
        self._h11: Optional[h11.Connection] = None
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
        if not any(name.lower() in (b"host", "host") for name, _ in headers):
            raise LocalProtocolError("invalid request: it has no Host header")
        try:
            head = serialize_head(request_line(path), (), headers)
        except HeadError as exc:
            raise LocalProtocolError(f"invalid request: {exc}") from None
        self.receive_data(head)

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
        self._key = generate_nonce()
        headers = [
            (b"Upgrade", WEBSOCKET_UPGRADE),
            (b"Connection", b"Upgrade"),
            (b"Sec-WebSocket-Key", self._key),
            (b"Sec-WebSocket-Version", WEBSOCKET_VERSION),
        ]
        # Built from the application's values: checked by serialize_head.
        checked: List[Tuple[Union[bytes, str], Union[bytes, str]]] = [
            (b"Host", _encode_host(event.host))
        ]
        if event.subprotocols:
            checked.append((b"Sec-WebSocket-Protocol", ", ".join(event.subprotocols)))
        extensions = [e for e in event.extensions if isinstance(e, Extension)]
        if len(extensions) != len(event.extensions):
            raise LocalProtocolError("a client's Request.extensions must be Extension objects")
        extensions = bind_extensions(extensions, self)
        offers = client_offers(extensions)
        if offers:
            checked.append((b"Sec-WebSocket-Extensions", offers))
        checked.extend(event.extra_headers)
        try:
            data = serialize_head(request_line(event.target), headers, checked)
        except HeadError as exc:
            raise LocalProtocolError(f"invalid request: {exc}") from None
        self._sent_request = data
        self._initiating_request = Request(
            host=event.host,
            target=event.target,
            extensions=extensions,
            extra_headers=event.extra_headers,
            subprotocols=event.subprotocols,
        )
        return data

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
        assert self._key is not None
        headers = [
            (b"Upgrade", WEBSOCKET_UPGRADE),
            (b"Connection", b"Upgrade"),
            (b"Sec-WebSocket-Accept", generate_accept_token(self._key)),
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
        try:
            response_bytes = serialize_head(
                b"HTTP/1.1 101 Switching Protocols", headers, event.extra_headers
            )
        except HeadError as exc:
            raise LocalProtocolError(str(exc)) from None
        self._open(ConnectionType.SERVER, accepted, bytes(self._buffer[self._head_end :]))
        return response_bytes

    def _open(self, kind: ConnectionType, extensions: List[Extension], trailing: bytes) -> None:
        """HTTP is over: hand what followed the head to the new :class:`Connection`."""
        self._state = ConnectionState.OPEN
        self._buffer = bytearray()  # idle connections are many: keep nothing of HTTP
        self._connection = Connection(
            kind, extensions, trailing, _negotiated_by=self, **self._limits
        )
        if self._eof:
            self._connection.receive_data(None)

    def _send_reject(self, event: RejectConnection) -> bytes:
        if not (self._bad_request and self._state is ConnectionState.CONNECTING):
            self._server_request("RejectConnection")
        if not 200 <= event.status_code <= 599 or event.status_code == 101:
            raise LocalProtocolError(f"invalid rejection status code {event.status_code}")
        import h11

        conn = self._h11 = self._h11_server()
        headers = list(event.headers)
        if not event.has_body:
            headers.append((b"content-length", b"0"))
        data = conn.send(h11.Response(status_code=event.status_code, headers=headers)) or b""
        self._state = ConnectionState.REJECTING
        if not event.has_body:
            data += conn.send(h11.EndOfMessage()) or b""
            self._state = ConnectionState.CLOSED
        return data

    def _h11_server(self) -> h11.Connection:
        """An h11 server that has read the request, ready to write the refusal."""
        import h11

        conn = h11.Connection(h11.SERVER)
        head = self._buffer[: self._head_end] if self._head_end else self._buffer
        try:
            conn.receive_data(bytes(head))
            conn.next_event()
        except h11.RemoteProtocolError:
            pass  # h11 still lets a server answer a request it could not read
        return conn

    def _send_reject_data(self, event: RejectData) -> bytes:
        if self.client or self._state is not ConnectionState.REJECTING or self._h11 is None:
            raise LocalProtocolError(
                f"cannot send RejectData in state {self._state.name}: send "
                "RejectConnection(has_body=True) first"
            )
        import h11

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
        if self._h11 is not None:
            self._receive_h11(data)
            return
        if self._eof:
            if data is None:
                return
            raise LocalProtocolError(
                "receive_data() got bytes after the end of the stream (receive_data(None))"
            )
        if self._state is ConnectionState.CLOSED:
            return  # refused with an informational status: nothing more is read
        if data is None:
            self._eof = True
            waiting = self._initiating_request is None or self.client
            if waiting and self._state is ConnectionState.CONNECTING:
                self._state = ConnectionState.CLOSED
                raise RemoteProtocolError("the peer closed the connection during the handshake")
            return
        self._buffer += data
        try:
            if self.client:
                self._read_responses()
            elif self._initiating_request is None:
                self._read_request()
            # else: a server keeps what follows the request for the Connection.
        except HeadError as exc:
            self._bad_request = not self.client
            raise RemoteProtocolError(
                f"malformed HTTP: {exc}", event_hint=RejectConnection(status_code=exc.status)
            ) from None

    def _read_request(self) -> None:
        end, after = find_head_end(self._buffer, self._scanned)
        if end < 0:
            self._scanned = len(self._buffer)
            return
        method, target, version, headers = parse_request_head(bytes(self._buffer[:end]))
        self._head_end = after
        try:
            self._events.append(self._process_request(method, target, version, headers))
        except RemoteProtocolError:
            self._bad_request = True
            raise

    def _read_responses(self) -> None:
        if not self._sent_request:
            raise LocalProtocolError("a client receives a response only after sending a Request")
        while True:
            end, after = find_head_end(self._buffer, self._scanned)
            if end < 0:
                self._scanned = len(self._buffer)
                return
            _, status, headers = parse_response_head(bytes(self._buffer[:end]))
            if status == 101:
                self._events.append(
                    self._establish_client_connection(headers, bytes(self._buffer[after:]))
                )
                return
            if status >= 200:
                self._receive_refusal()
                return
            # Another informational status ends the handshake, as in 1.x: the server did not
            # switch protocols (RFC 6455 section 4.1), and waiting would hang the client.
            self._events.append(
                RejectConnection(status_code=status, headers=headers, has_body=False)
            )
            self._state = ConnectionState.CLOSED
            self._buffer = bytearray()
            return

    def _receive_refusal(self) -> None:
        """The server refused: h11 reads its response and body from here on."""
        import h11

        end, _ = find_head_end(self._sent_request)
        _, target, _, headers = parse_request_head(self._sent_request[:end])
        self._h11 = h11.Connection(h11.CLIENT)
        self._h11.send(h11.Request(method=b"GET", target=target, headers=headers))
        data, self._buffer = bytes(self._buffer), bytearray()
        self._receive_h11(data)

    def _receive_h11(self, data: Optional[bytes]) -> None:
        import h11

        assert self._h11 is not None
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
                raise RemoteProtocolError(
                    f"malformed HTTP: {exc}", event_hint=RejectConnection(status_code=400)
                ) from None
            if event in (h11.NEED_DATA, h11.PAUSED) or isinstance(event, h11.ConnectionClosed):
                break
            if self.client:
                self._client_event(event)
            # A server that refused ignores what the client still sends.

    def _client_event(self, event: object) -> None:
        import h11

        if isinstance(event, h11.Response):
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

    def _process_request(
        self, method: bytes, target: bytes, version: bytes, header_list: List[Tuple[bytes, bytes]]
    ) -> Request:
        if method != b"GET":
            raise RemoteProtocolError(
                f"a WebSocket upgrade must use GET, not {method!r}", event_hint=_bad_request()
            )
        if version != b"1.1":
            raise RemoteProtocolError(
                "a WebSocket upgrade needs HTTP/1.1", event_hint=_bad_request()
            )
        headers = _header_map(header_list)
        if b"transfer-encoding" in headers or headers.get(b"content-length", [b"0"]) != [b"0"]:
            # Its body would be read as WebSocket frames.
            raise RemoteProtocolError(
                "a WebSocket upgrade request has no body", event_hint=_bad_request()
            )
        _check_upgrade(headers, _bad_request)
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
                "missing or invalid Sec-WebSocket-Key (16 bytes, base64)", event_hint=_bad_request()
            )
        hosts = headers.get(b"host", [])
        if len(hosts) != 1:
            raise RemoteProtocolError(
                "a request needs exactly one Host header", event_hint=_bad_request()
            )
        host = _decode_host(hosts[0])
        offer_values = [
            _ascii(value, "Sec-WebSocket-Extensions")
            for value in headers.get(b"sec-websocket-extensions", [])
        ]
        try:
            # One string per offer, as sent; parsed only if the application accepts with extensions.
            offers = split_elements(offer_values)
        except HeaderSyntaxError:
            offers = []  # an unterminated quoted-string: no offer can be trusted, decline all
        subprotocols = _raw_tokens(headers, b"sec-websocket-protocol", _bad_request)
        request = Request(
            host=host,
            target=_ascii(target, "request target"),
            extensions=offers,
            extra_headers=[item for item in header_list if item[0] not in _REQUEST_FIELDS],
            subprotocols=subprotocols,
        )
        self._key = keys[0]
        self._initiating_request = request
        return request

    def _establish_client_connection(
        self, header_list: List[Tuple[bytes, bytes]], trailing: bytes
    ) -> AcceptConnection:
        assert self._initiating_request is not None and self._key is not None
        request = self._initiating_request
        headers = _header_map(header_list)
        _check_upgrade(headers, RejectConnection)
        accepts = headers.get(b"sec-websocket-accept", [])
        if accepts != [generate_accept_token(self._key)]:
            raise RemoteProtocolError(
                "missing or wrong Sec-WebSocket-Accept", event_hint=RejectConnection()
            )
        subprotocol = None
        protocols = _raw_tokens(headers, b"sec-websocket-protocol", RejectConnection)
        if protocols:
            offered_protocols = list(request.subprotocols) + _raw_tokens(
                _header_map((k.lower(), v) for k, v in request.extra_headers),
                b"sec-websocket-protocol",
                RejectConnection,
            )
            if len(protocols) != 1 or protocols[0] not in offered_protocols:
                raise RemoteProtocolError(
                    f"server chose subprotocol {', '.join(protocols)!r}, which was not offered",
                    event_hint=RejectConnection(),
                )
            subprotocol = protocols[0]
        offered = [e for e in request.extensions if isinstance(e, Extension)]
        try:
            extensions = negotiate_client(headers.get(b"sec-websocket-extensions", []), offered)
        except RemoteProtocolError as exc:
            raise RemoteProtocolError(str(exc), event_hint=RejectConnection()) from None
        self._open(ConnectionType.CLIENT, extensions, trailing)
        return AcceptConnection(
            subprotocol=subprotocol,
            extensions=extensions,
            extra_headers=[item for item in header_list if item[0] not in _RESPONSE_FIELDS],
        )


def _raw_tokens(
    headers: Dict[bytes, List[bytes]], name: bytes, hint: Callable[[], Event]
) -> List[str]:
    """The comma-separated items of every ``name`` header, as ASCII strings."""
    out = []
    for value in headers.get(name, []):
        for item in value.split(b","):
            item = item.strip()
            if item:
                out.append(_ascii(item, name.decode(), hint))
    return out


_BASE64_ALPHABET = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")


def _valid_key(key: bytes) -> bool:
    """True for the base64 encoding of 16 bytes: 22 characters and "==" (RFC 6455 section 4.1)."""
    if len(key) != 24 or key[22:] != b"==" or not _BASE64_ALPHABET.issuperset(key[:22]):
        return False
    try:
        return len(binascii.a2b_base64(key)) == 16
    except binascii.Error:  # pragma: no cover - the checks above exclude it
        return False


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
