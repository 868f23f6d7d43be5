"""WebSockets over HTTP/2 (RFC 8441): an echo server with h2 for HTTP/2 and wsproto for the stream.

HTTP/2 multiplexes streams, so the WebSocket is one stream, opened with an
extended CONNECT request (``:method CONNECT``, ``:protocol websocket``) once
the server advertised ``SETTINGS_ENABLE_CONNECT_PROTOCOL = 1``. The extensions
are agreed in the request and response headers with
:func:`wsproto.handshake.server_extensions_handshake`; after that, a
:class:`wsproto.connection.Connection` turns the stream's DATA into events.

    python examples/h2_server.py [HOST [PORT]]    (default 127.0.0.1 8443; 0 = any)

It speaks HTTP/2 over cleartext TCP with prior knowledge (no TLS) to stay short.
"""

from __future__ import annotations

import socket
import sys
import threading
from typing import Dict, List

import h2.config
import h2.connection
import h2.events
from h2.settings import SettingCodes

from wsproto.connection import Connection, ConnectionState, ConnectionType
from wsproto.events import BytesMessage, CloseConnection, Ping, TextMessage
from wsproto.extensions import Extension
from wsproto.handshake import server_extensions_handshake

RECEIVE_BYTES = 65535
TIMEOUT = 30.0


def supported_extensions() -> List[Extension]:
    """permessage-deflate when the wsproto-deflate plugin is installed, else nothing."""
    try:
        from wsproto.extensions import PerMessageDeflate
    except ImportError:
        return []
    return [PerMessageDeflate()]


class Outbox:
    """Sends DATA within HTTP/2 flow control: what does not fit waits for WINDOW_UPDATE."""

    def __init__(self, h2conn: h2.connection.H2Connection) -> None:
        self.h2 = h2conn
        self.pending: Dict[int, bytearray] = {}
        self.ending: Dict[int, bool] = {}

    def send(self, stream_id: int, data: bytes, end_stream: bool = False) -> None:
        self.pending.setdefault(stream_id, bytearray()).extend(data)
        self.ending[stream_id] = self.ending.get(stream_id, False) or end_stream
        self.flush()

    def flush(self) -> None:
        for stream_id, buffer in list(self.pending.items()):
            while buffer:
                size = min(
                    len(buffer),
                    self.h2.local_flow_control_window(stream_id),
                    self.h2.max_outbound_frame_size,
                )
                if size <= 0:
                    break  # blocked by flow control until a WindowUpdated event
                self.h2.send_data(stream_id, bytes(buffer[:size]))
                del buffer[:size]
            if not buffer:
                if self.ending.pop(stream_id, False):
                    self.h2.end_stream(stream_id)
                del self.pending[stream_id]


def handle_request(
    h2conn: h2.connection.H2Connection,
    event: h2.events.RequestReceived,
    sockets: Dict[int, Connection],
) -> None:
    """Answer an extended CONNECT: agree on extensions and open the WebSocket stream."""
    headers = [(str(k), str(v)) for k, v in event.headers or []]
    fields = dict(headers)
    stream_id = event.stream_id
    assert stream_id is not None
    if fields.get(":method") != "CONNECT" or fields.get(":protocol") != "websocket":
        h2conn.send_headers(stream_id, [(":status", "400")], end_stream=True)
        return
    if fields.get("sec-websocket-version") != "13":
        h2conn.send_headers(
            stream_id, [(":status", "400"), ("sec-websocket-version", "13")], end_stream=True
        )
        return
    offers = [value for name, value in headers if name == "sec-websocket-extensions"]
    supported = supported_extensions()
    accepted = server_extensions_handshake(offers, supported)
    response = [(":status", "200")]
    if accepted:
        response.append(("sec-websocket-extensions", accepted.decode("ascii")))
    h2conn.send_headers(stream_id, response)
    sockets[stream_id] = Connection(ConnectionType.SERVER, supported)
    names = ", ".join(e.name for e in supported if e.enabled()) or "none"
    print(
        f"h2 server: stream {stream_id}: WebSocket {fields.get(':path')} opened; "
        f"extensions: {names}",
        flush=True,
    )


def handle_stream_data(stream_id: int, ws: Connection, outbox: Outbox) -> bool:
    """Answer the WebSocket events of one stream; return True once it is finished."""
    for event in ws.events():
        if isinstance(event, TextMessage):
            reply = TextMessage(data=event.data, message_finished=event.message_finished)
            outbox.send(stream_id, ws.send(reply))
        elif isinstance(event, BytesMessage):
            echo = BytesMessage(data=event.data, message_finished=event.message_finished)
            outbox.send(stream_id, ws.send(echo))
        elif isinstance(event, Ping):
            outbox.send(stream_id, ws.send(event.response()))
        elif isinstance(event, CloseConnection):
            reply_bytes = b""
            if ws.state is ConnectionState.REMOTE_CLOSING:
                reply_bytes = ws.send(event.response())
            # Over HTTP/2 the WebSocket ends with the stream: END_STREAM after the close frame.
            outbox.send(stream_id, reply_bytes, end_stream=True)
            print(f"h2 server: stream {stream_id}: closed with code {event.code}", flush=True)
            return True
    return False


def serve_connection(sock: socket.socket) -> None:
    """Run one HTTP/2 connection, which may carry several WebSocket streams."""
    config = h2.config.H2Configuration(client_side=False, header_encoding="utf-8")
    h2conn = h2.connection.H2Connection(config=config)
    # RFC 8441 section 3: advertise extended CONNECT in the connection's first SETTINGS.
    h2conn.local_settings = h2.settings.Settings(
        client=False, initial_values={SettingCodes.ENABLE_CONNECT_PROTOCOL: 1}
    )
    h2conn.initiate_connection()
    sock.sendall(h2conn.data_to_send())
    outbox = Outbox(h2conn)
    sockets: Dict[int, Connection] = {}
    while True:
        data = sock.recv(RECEIVE_BYTES)
        if not data:
            return
        for event in h2conn.receive_data(data):
            if isinstance(event, h2.events.RequestReceived):
                handle_request(h2conn, event, sockets)
            elif isinstance(event, h2.events.DataReceived):
                assert event.stream_id is not None and event.data is not None
                h2conn.acknowledge_received_data(event.flow_controlled_length or 0, event.stream_id)
                ws = sockets.get(event.stream_id)
                if ws is not None:
                    ws.receive_data(event.data)
                    if handle_stream_data(event.stream_id, ws, outbox):
                        del sockets[event.stream_id]
            elif isinstance(event, (h2.events.StreamEnded, h2.events.StreamReset)):
                ws = sockets.pop(event.stream_id or 0, None)
                if ws is not None:  # the peer left without a closing handshake
                    ws.receive_data(None)
            elif isinstance(event, h2.events.WindowUpdated):
                outbox.flush()
            elif isinstance(event, h2.events.ConnectionTerminated):
                sock.sendall(h2conn.data_to_send())
                return
        sock.sendall(h2conn.data_to_send())


def serve(host: str, port: int) -> None:
    with socket.create_server((host, port)) as listener:
        print(f"h2 server: listening on {host}:{listener.getsockname()[1]}", flush=True)
        while True:
            sock, _ = listener.accept()
            sock.settimeout(TIMEOUT)
            threading.Thread(target=_serve_and_close, args=(sock,), daemon=True).start()


def _serve_and_close(sock: socket.socket) -> None:
    with sock:
        try:
            serve_connection(sock)
        except (OSError, h2.exceptions.ProtocolError) as exc:
            print(f"h2 server: connection ended: {exc!r}", flush=True)


if __name__ == "__main__":
    args = sys.argv[1:]
    try:
        serve(args[0] if args else "127.0.0.1", int(args[1]) if len(args) > 1 else 8443)
    except KeyboardInterrupt:
        pass
