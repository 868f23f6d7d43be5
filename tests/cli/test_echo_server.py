"""``python -m wsproto echo-server``: the HTML page, the echo, the handshake log."""

from __future__ import annotations

import http.client
import socket
import time
from pathlib import Path

from wsproto import ConnectionType, WSConnection
from wsproto.events import AcceptConnection, CloseConnection, Request, TextMessage

from ._procs import run_tool, start_echo_server, stop


def _get(port: int, path: str) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", path)
    return conn.getresponse()


def _wait_for(path: Path, text: str, timeout: float = 10.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        content = path.read_text()
        if text in content:
            return content
        time.sleep(0.05)
    raise AssertionError(f"{text!r} not in {path.read_text()!r}")


def test_serves_the_html_page_and_echoes(tmp_path: Path) -> None:
    proc, port, log = start_echo_server(tmp_path)
    try:
        response = _get(port, "/")
        assert response.status == 200
        assert response.getheader("content-type", "").startswith("text/html")
        page = response.read().decode()
        assert "<title>wsproto echo server</title>" in page
        assert "new WebSocket(" in page
        missing = _get(port, "/nope")
        assert missing.status == 404
        missing.read()
        _wait_for(log, "HTTP GET / -> 200")

        # A WebSocket on the same port, driven by hand with the library.
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            ws = WSConnection(ConnectionType.CLIENT)
            sock.sendall(ws.send(Request(host=f"127.0.0.1:{port}", target="/chat")))
            events: list = []
            while not any(isinstance(e, CloseConnection) for e in events):
                data = sock.recv(65536)
                ws.receive_data(data or None)
                for event in ws.events():
                    events.append(event)
                    if isinstance(event, AcceptConnection):
                        sock.sendall(ws.send(TextMessage(data="héllo")))
                    elif isinstance(event, TextMessage):
                        sock.sendall(ws.send(CloseConnection(code=1000, reason="ok")))
                if not data:
                    break
            texts = [e.data for e in events if isinstance(e, TextMessage)]
            assert "".join(texts) == "héllo"
            assert isinstance(events[-1], CloseConnection) and events[-1].code == 1000
        content = _wait_for(log, "closed by client with code 1000 'ok'")
        assert "WebSocket handshake GET /chat" in content
        assert "negotiated: " in content
    finally:
        stop(proc)


def test_client_command_against_echo_server(tmp_path: Path) -> None:
    proc, port, log = start_echo_server(tmp_path, "--verbose")
    try:
        result = run_tool(
            "client", f"ws://127.0.0.1:{port}/", stdin="hello there\n/ping abc\n/close 4000 done\n"
        )
        assert result.returncode == 0, result.stderr
        out = result.stdout
        assert f"connected to ws://127.0.0.1:{port}/" in out
        assert "negotiated extensions: " in out
        assert "< hello there" in out
        assert "< pong b'abc'" in out
        assert "< close 4000 'done'" in out
        assert "Traceback" not in result.stderr
        content = _wait_for(log, "closed by client with code 4000")
        # --verbose logs every frame, both ways.
        assert "<- TEXT [FIN" in content
        assert "-> TEXT [FIN" in content
        assert "<- PING [FIN" in content
        assert "-> PONG [FIN" in content
        assert "-> CLOSE [FIN" in content
    finally:
        stop(proc)


def test_rejects_a_broken_upgrade(tmp_path: Path) -> None:
    proc, port, log = start_echo_server(tmp_path)
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall(
                b"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"
            )
            reply = b""
            while True:
                data = sock.recv(65536)
                if not data:
                    break
                reply += data
        assert reply.startswith(b"HTTP/1.1 426 ")
        assert b"Sec-WebSocket-Version: 13" in reply
        _wait_for(log, "rejected WebSocket handshake (426)")
    finally:
        stop(proc)
