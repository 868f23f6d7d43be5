"""WebSockets over HTTP/2 (RFC 8441): a client with h2 for HTTP/2 and wsproto for the stream.

It waits for the server's ``SETTINGS_ENABLE_CONNECT_PROTOCOL``, opens a stream
with an extended CONNECT (``:protocol websocket``) offering the extensions,
applies the server's answer with
:func:`wsproto.handshake.client_extensions_handshake`, and then speaks
WebSocket on the stream with :class:`wsproto.connection.Connection`.

    python examples/h2_client.py [HOST [PORT]]    (default 127.0.0.1 8443)
"""

from __future__ import annotations

import socket
import sys
from typing import List, Optional

import h2.config
import h2.connection
import h2.events

from wsproto.connection import Connection, ConnectionType
from wsproto.events import CloseConnection, Event, Message, Ping, Pong, TextMessage
from wsproto.extensions import Extension
from wsproto.handshake import client_extensions_handshake

RECEIVE_BYTES = 65535
TIMEOUT = 10.0


def proposed_extensions() -> List[Extension]:
    """permessage-deflate when the wsproto-deflate plugin is installed, else nothing."""
    try:
        from wsproto.extensions import PerMessageDeflate
    except ImportError:
        return []
    return [PerMessageDeflate()]


def offer_header(extensions: List[Extension]) -> Optional[str]:
    """The Sec-WebSocket-Extensions value offering ``extensions``."""
    offers = []
    for ext in extensions:
        offer = ext.offer()
        if offer is True:
            offers.append(ext.name)
        elif offer:
            offers.append(f"{ext.name}; {offer}")
    return ", ".join(offers) or None


class H2WebSocket:
    """One WebSocket on one HTTP/2 stream, driven with blocking reads."""

    def __init__(self, sock: socket.socket, host: str, port: int) -> None:
        self.sock = sock
        config = h2.config.H2Configuration(client_side=True, header_encoding="utf-8")
        self.h2 = h2.connection.H2Connection(config=config)
        self.h2.initiate_connection()
        self.flush()
        self.authority = f"{host}:{port}"
        self.stream_id = 0
        self.ws: Optional[Connection] = None
        self.events: List[Event] = []
        self.remote_ended = False
        self.wire_bytes = 0  # WebSocket bytes received on the stream (after compression)

    def flush(self) -> None:
        self.sock.sendall(self.h2.data_to_send())

    def _pump(self) -> List[h2.events.Event]:
        data = self.sock.recv(RECEIVE_BYTES)
        if not data:
            raise ConnectionError("the server closed the HTTP/2 connection")
        events = self.h2.receive_data(data)
        for event in events:
            if isinstance(event, h2.events.DataReceived) and event.stream_id == self.stream_id:
                self.h2.acknowledge_received_data(event.flow_controlled_length or 0, self.stream_id)
                assert self.ws is not None and event.data is not None
                self.wire_bytes += len(event.data)
                self.ws.receive_data(event.data)
                self.events.extend(self.ws.events())
            elif isinstance(event, h2.events.StreamEnded) and event.stream_id == self.stream_id:
                self.remote_ended = True
                assert self.ws is not None
                self.ws.receive_data(None)
                self.events.extend(self.ws.events())
            elif isinstance(event, h2.events.StreamReset) and event.stream_id == self.stream_id:
                raise ConnectionError("the server reset the WebSocket stream")
        self.flush()
        return events

    def open(self, path: str, extensions: List[Extension]) -> List[Extension]:
        """Run the extended CONNECT handshake; return the negotiated extensions."""
        # RFC 8441 section 3: the server's first SETTINGS must enable extended CONNECT.
        while not any(isinstance(e, h2.events.RemoteSettingsChanged) for e in self._pump()):
            pass
        if not self.h2.remote_settings.enable_connect_protocol:
            raise ConnectionError("the server does not support WebSockets over HTTP/2 (RFC 8441)")
        self.stream_id = self.h2.get_next_available_stream_id()
        headers = [
            (":method", "CONNECT"),
            (":protocol", "websocket"),
            (":scheme", "http"),
            (":path", path),
            (":authority", self.authority),
            ("sec-websocket-version", "13"),
        ]
        offers = offer_header(extensions)
        if offers:
            headers.append(("sec-websocket-extensions", offers))
        self.h2.send_headers(self.stream_id, headers)
        self.flush()
        while True:
            for event in self._pump():
                if (
                    isinstance(event, h2.events.ResponseReceived)
                    and event.stream_id == self.stream_id
                ):
                    fields = [(str(k), str(v)) for k, v in event.headers or []]
                    status = dict(fields).get(":status", "")
                    if not status.startswith("2"):
                        raise ConnectionError(f"the server refused the WebSocket: {status}")
                    accepted = [v for k, v in fields if k == "sec-websocket-extensions"]
                    agreed = client_extensions_handshake(accepted, extensions)
                    self.ws = Connection(ConnectionType.CLIENT, agreed)
                    return agreed

    def send(self, event: Event) -> int:
        """Send a WebSocket event on the stream; return the bytes it took on the stream."""
        assert self.ws is not None
        data = self.ws.send(event)
        sent = 0
        while sent < len(data):
            window = min(
                self.h2.local_flow_control_window(self.stream_id), self.h2.max_outbound_frame_size
            )
            if window <= 0:
                self._pump()  # wait for a WINDOW_UPDATE
                continue
            self.h2.send_data(self.stream_id, data[sent : sent + window])
            sent += window
        self.flush()
        return len(data)

    def next_event(self) -> Event:
        while not self.events:
            self._pump()
        return self.events.pop(0)

    def receive_text(self) -> str:
        parts = []
        while True:
            event = self.next_event()
            if isinstance(event, Ping):
                self.send(event.response())
                continue
            if not isinstance(event, Message):
                raise ConnectionError(f"expected a message, got {event!r}")
            parts.append(str(event.data))
            if event.message_finished:
                return "".join(parts)

    def close(self) -> CloseConnection:
        self.send(CloseConnection(code=1000, reason="bye"))
        while True:
            event = self.next_event()
            if isinstance(event, CloseConnection):
                break
        # The WebSocket ends with the stream: wait (bounded by the socket timeout)
        # for the server's END_STREAM, end our side, then close the HTTP/2 connection.
        while not self.remote_ended:
            self._pump()
        self.h2.end_stream(self.stream_id)
        self.h2.close_connection()
        self.flush()
        return event


def main(host: str, port: int) -> int:
    with socket.create_connection((host, port), timeout=TIMEOUT) as sock:
        client = H2WebSocket(sock, host, port)
        agreed = client.open("/echo", proposed_extensions())
        print(
            f"h2 client: WebSocket open on stream {client.stream_id}; "
            f"extensions: {', '.join(e.name for e in agreed) or 'none'}"
        )
        text = "over HTTP/2 " * 200
        size = len(text.encode())
        before = client.wire_bytes
        client.send(TextMessage(data=text))
        assert client.receive_text() == text
        print(
            f"h2 client: echoed a {size}-byte text message; "
            f"{client.wire_bytes - before} bytes on the stream"
        )
        client.send(Ping(payload=b"h2"))
        pong = client.next_event()
        assert isinstance(pong, Pong) and pong.payload == b"h2", pong
        print("h2 client: ping answered")
        closing = client.close()
        print(f"h2 client: closed with code {closing.code}")
    return 0


if __name__ == "__main__":
    a = sys.argv[1:]
    sys.exit(main(a[0] if a else "127.0.0.1", int(a[1]) if len(a) > 1 else 8443))
