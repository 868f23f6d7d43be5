"""The Python ``websockets`` package (sync API) as interop client and server."""

from __future__ import annotations

import threading
from http import HTTPStatus
from typing import Any, Optional

from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection, connect
from websockets.sync.server import Server, ServerConnection, serve

from . import scenarios as sc
from .records import RecordBook

MAX_SIZE = 8 * sc.ONE_MIB
# Keepalive pings off: the ping scenarios must see only their own pings.
COMMON: dict[str, Any] = {
    "open_timeout": 10,
    "close_timeout": 10,
    "ping_interval": None,
    "max_size": MAX_SIZE,
}


class WebsocketsServer:
    """A ``websockets`` server following the protocol in :mod:`scenarios`."""

    def __init__(
        self, *, compress: bool, extensions: Optional[list[Any]] = None, timeout: float = 15.0
    ) -> None:
        """``extensions`` (websockets factories) replaces the default deflate setup."""
        self.timeout = timeout
        options: dict[str, Any] = dict(COMMON)
        if extensions is not None:
            options.update(extensions=extensions, compression=None)
        else:
            options["compression"] = "deflate" if compress else None
        self.records = RecordBook()
        self._server: Server = serve(
            self._handle,
            "127.0.0.1",
            0,
            process_request=self._process_request,
            **options,
        )
        self.port: int = self._server.socket.getsockname()[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> WebsocketsServer:
        """Serve in a background thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Shut the server down (bounded)."""
        self._server.shutdown()
        self._thread.join(5)

    def _process_request(self, connection: ServerConnection, request: Any) -> Optional[Any]:
        if sc.is_reject_target(request.path):
            self.records.open(request.path)
            self.records.update(request.path, rejected=True)
            self.records.finish(request.path)
            return connection.respond(HTTPStatus(sc.REJECT_STATUS), sc.REJECT_BODY)
        return None

    def _handle(self, ws: ServerConnection) -> None:
        path = ws.request.path if ws.request is not None else "<none>"
        self.records.open(path)
        header = ws.response.headers.get("Sec-WebSocket-Extensions", "") if ws.response else ""
        self.records.update(path, extensions=header)
        try:
            while True:
                message = ws.recv(timeout=self.timeout)
                if message == "ping-me":
                    if ws.ping(sc.SERVER_PING).wait(self.timeout):
                        self.records.update(path, pongs=[sc.SERVER_PING])
                        ws.send("pong:" + sc.SERVER_PING.decode())
                elif message == "close-me":
                    ws.close(*sc.SERVER_CLOSE)
                    rcvd = ws.protocol.close_rcvd
                    self.records.update(path, close=(rcvd.code, rcvd.reason) if rcvd else None)
                    return
                elif isinstance(message, str) and sc.echo_fragmented(path):
                    ws.send(iter(sc.fragments(message)))  # an iterable is sent as fragments
                else:
                    ws.send(message)
        except ConnectionClosed as exc:
            if exc.rcvd is not None:
                self.records.update(path, close=(exc.rcvd.code, exc.rcvd.reason))
        except Exception as exc:
            self.records.update(path, error=f"{type(exc).__name__}: {exc}")
        finally:
            self.records.finish(path)


def _converse(ws: ClientConnection, scenario: str, timeout: float) -> dict[str, Any]:
    if scenario in sc.ECHO_SCENARIOS:
        payload = sc.PAYLOADS[scenario]
        if scenario == "echo_fragmented":
            assert isinstance(payload, str)
            ws.send(iter(sc.fragments(payload)))  # an iterable is sent as fragments
        else:
            ws.send(payload)
        reply = ws.recv(timeout=timeout)
        raw = reply.encode() if isinstance(reply, str) else reply
        return {
            "type": "text" if isinstance(reply, str) else "binary",
            "length": len(raw),
            "equal": reply == payload,
        }
    if scenario == "echo_sequence":
        replies = []
        for item in sc.SEQUENCE:
            ws.send(item)
            replies.append(ws.recv(timeout=timeout))
        return {"equal": replies == list(sc.SEQUENCE), "count": len(replies)}
    if scenario == "ping_client":
        # websockets only acknowledges a pong whose payload matches the ping's.
        got = ws.ping(sc.CLIENT_PING).wait(timeout)
        return {"pong": sc.CLIENT_PING.hex() if got else None}
    if scenario == "ping_server":
        ws.send("ping-me")
        return {"reply": ws.recv(timeout=timeout)}
    if scenario == "close_server":
        ws.send("close-me")
        try:
            ws.recv(timeout=timeout)
        except ConnectionClosed as exc:
            rcvd = exc.rcvd
            return {"code": rcvd.code if rcvd else None, "reason": rcvd.reason if rcvd else None}
        raise AssertionError("the server sent a message instead of closing")
    if scenario == "close_client":
        ws.close(*sc.CLIENT_CLOSE)
        rcvd = ws.protocol.close_rcvd
        return {"code": rcvd.code if rcvd else None, "reason": rcvd.reason if rcvd else None}
    raise AssertionError(f"unknown scenario {scenario!r}")


def run_client(
    scenario: str, base_url: str, tag: str, *, compress: bool, timeout: float = 15.0
) -> dict[str, Any]:
    """Run ``scenario`` with a ``websockets`` client; returns the common result dict."""
    result: dict[str, Any] = {"scenario": scenario, "error": None}
    url = base_url + sc.target(scenario, tag)
    try:
        with connect(url, compression="deflate" if compress else None, **COMMON) as ws:
            result["failed"] = False
            response = ws.response
            result["extensions"] = (
                response.headers.get("Sec-WebSocket-Extensions", "") if response else ""
            )
            result["extension_names"] = [str(ext.name) for ext in ws.protocol.extensions]
            result.update(_converse(ws, scenario, timeout))
    except InvalidStatus as exc:
        result.update(
            failed=True,
            status=exc.response.status_code,
            body=(exc.response.body or b"").decode(),
        )
    except Exception as exc:
        result["error"] = f"{type(exc).__name__}: {exc}"
    return result
