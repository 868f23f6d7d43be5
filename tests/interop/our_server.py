"""The interop server built on our library: one thread per connection on 127.0.0.1."""

from __future__ import annotations

import socket
import threading
import time
from typing import Any, Callable, Optional

from wsproto import ConnectionType, WSConnection
from wsproto.events import (
    AcceptConnection,
    BytesMessage,
    CloseConnection,
    Ping,
    Pong,
    RejectConnection,
    RejectData,
    Request,
    TextMessage,
)

from . import scenarios as sc
from .records import RecordBook
from .wsio import WsIO, header_value, our_extensions


class OurServer:
    """Follows the protocol in :mod:`scenarios`; records every connection in ``records``."""

    def __init__(
        self,
        *,
        compress: bool,
        extensions: Optional[Callable[[], list[Any]]] = None,
        timeout: float = 15.0,
    ) -> None:
        self.compress = compress
        #: makes the extensions offered to AcceptConnection for each connection
        self.make_extensions = extensions or our_extensions
        self.timeout = timeout
        self.records = RecordBook()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self.port: int = self._listener.getsockname()[1]
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._acceptor = threading.Thread(target=self._accept_loop, daemon=True)

    @property
    def url(self) -> str:
        """Base URL clients append a target to."""
        return f"ws://127.0.0.1:{self.port}"

    def start(self) -> OurServer:
        """Start accepting connections in the background."""
        self._acceptor.start()
        return self

    def stop(self) -> None:
        """Stop accepting and wait (bounded) for the connection threads."""
        self._stop.set()
        self._acceptor.join(5)
        self._listener.close()
        deadline = time.monotonic() + 5
        for thread in self._threads:
            thread.join(max(deadline - time.monotonic(), 0))

    def _accept_loop(self) -> None:
        while not self._stop.is_set():
            try:
                sock, _ = self._listener.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            thread = threading.Thread(target=self._serve, args=(sock,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, sock: socket.socket) -> None:
        io = WsIO(sock, WSConnection(ConnectionType.SERVER), timeout=self.timeout)
        target = f"<no request {id(sock)}>"
        try:
            request = io.next_event()
            if not isinstance(request, Request):
                raise AssertionError(f"expected a Request, got {request!r}")
            target = request.target
            self.records.open(target)
            self.records.update(target, offered=", ".join(str(ext) for ext in request.extensions))
            if sc.is_reject_target(target):
                self._reject(io)
                self.records.update(target, rejected=True)
                return
            extensions = self.make_extensions() if self.compress else []
            raw = io.send(AcceptConnection(extensions=extensions))
            negotiated = header_value(raw, b"sec-websocket-extensions") or ""
            self.records.update(target, extensions=negotiated)
            self._converse(io, target)
        except Exception as exc:  # a failure here is reported through the record
            self.records.update(target, error=f"{type(exc).__name__}: {exc}")
        finally:
            self.records.update(target, bytes_in=io.bytes_in, bytes_out=io.bytes_out)
            io.shutdown()
            self.records.finish(target)

    @staticmethod
    def _reject(io: WsIO) -> None:
        body = sc.REJECT_BODY.encode()
        headers = [
            (b"content-type", b"text/plain; charset=utf-8"),
            (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),
        ]
        io.send(RejectConnection(status_code=sc.REJECT_STATUS, headers=headers, has_body=True))
        io.send(RejectData(data=body, body_finished=True))

    def _converse(self, io: WsIO, target: str) -> None:
        while True:
            event = io.next_app_event()
            if isinstance(event, CloseConnection):
                self.records.update(target, close=(event.code, event.reason or ""))
                return
            if isinstance(event, Pong):
                payload = bytes(event.payload)
                record = self.records.get(target)
                self.records.update(target, pongs=[*(record.pongs if record else []), payload])
                io.send(TextMessage(data="pong:" + payload.decode()))
            elif isinstance(event, TextMessage) and event.data == "ping-me":
                io.send(Ping(payload=sc.SERVER_PING))
            elif isinstance(event, TextMessage) and event.data == "close-me":
                code, reason = sc.SERVER_CLOSE
                reply = io.close(code, reason)
                self.records.update(target, close=(reply.code, reply.reason or ""))
                return
            elif isinstance(event, TextMessage) and sc.echo_fragmented(target):
                parts = sc.fragments(event.data)
                for i, part in enumerate(parts):
                    io.send(TextMessage(data=part, message_finished=i == len(parts) - 1))
            elif isinstance(event, (TextMessage, BytesMessage)):
                io.send(type(event)(data=event.data))  # type: ignore[arg-type]
            else:
                raise AssertionError(f"unexpected event {event!r}")
