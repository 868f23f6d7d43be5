"""Every example runs: each client against its server, over loopback."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Callable, Tuple

import pytest

from ._procs import run_client

Start = Callable[[str], Tuple[int, Path]]


def _wait_for(path: Path, text: str, timeout: float = 10.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        content = path.read_text()
        if text in content:
            return content
        time.sleep(0.05)
    raise AssertionError(f"{text!r} not in {path.read_text()!r}")


def test_synchronous_client_and_server(server_factory: Start) -> None:
    port, log = server_factory("synchronous_server.py")
    for _ in range(2):  # the server serves one connection after another
        result = run_client("synchronous_client.py", "127.0.0.1", str(port))
        assert result.returncode == 0, result.stdout + result.stderr
        assert result.stdout.splitlines() == [
            "client: connection established",
            "client: received 'wsproto says hello'",
            "client: received pong b'ping-1'",
            "client: closed with code 1000 (state CLOSED)",
        ]
    content = _wait_for(log, "close received (code 1000, reason 'done')")
    assert "server: echoing text 'wsproto says hello'" in content
    assert "server: answering ping b'ping-1'" in content


def test_asyncio_client_and_server(server_factory: Start) -> None:
    port, _ = server_factory("asyncio_server.py")
    result = run_client("asyncio_client.py", "127.0.0.1", str(port), "25", "4")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "asyncio client: 25 connections, 200 messages echoed" in result.stdout


def test_trio_client_and_server(server_factory: Start) -> None:
    pytest.importorskip("trio", reason="trio is a test dependency of the trio example")
    port, _ = server_factory("trio_server.py")
    result = run_client("trio_client.py", "127.0.0.1", str(port), "25", "4")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "trio client: 25 connections, 100 messages echoed" in result.stdout


def _deflate_available() -> bool:
    try:
        from wsproto.extensions import PerMessageDeflate  # noqa: F401
    except ImportError:
        return False
    return True


def test_http2_client_and_server(server_factory: Start) -> None:
    pytest.importorskip("h2", reason="h2 is a test dependency of the HTTP/2 example")
    port, log = server_factory("h2_server.py")
    result = run_client("h2_client.py", "127.0.0.1", str(port))
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "h2 client: WebSocket open on stream 1" in out
    assert "h2 client: echoed a 2400-byte text message" in out
    assert "h2 client: ping answered" in out
    assert "h2 client: closed with code 1000" in out
    content = _wait_for(log, "stream 1: closed with code 1000")
    assert "stream 1: WebSocket /echo opened" in content


@pytest.mark.skipif(
    not _deflate_available(),
    reason="wsproto.extensions.PerMessageDeflate does not import (wsproto-deflate not installed)",
)
def test_http2_with_permessage_deflate(server_factory: Start) -> None:
    pytest.importorskip("h2", reason="h2 is a test dependency of the HTTP/2 example")
    port, log = server_factory("h2_server.py")
    result = run_client("h2_client.py", "127.0.0.1", str(port))
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "extensions: permessage-deflate" in out
    line = next(x for x in out.splitlines() if "echoed a 2400-byte text message" in x)
    on_stream = int(line.split(";")[1].split()[0])
    assert on_stream < 400  # the repetitive text compresses well
    content = _wait_for(log, "stream 1: closed with code 1000")
    assert "extensions: permessage-deflate" in content
