"""``python -m wsproto client``, driven in-process against an in-process echo server."""

from __future__ import annotations

import io
from typing import Iterator, List

import pytest

from wsproto._cli.client import run_client
from wsproto._cli.echo_server import EchoServer

from .zlib_frames import FrameZlib


@pytest.fixture
def server() -> Iterator[EchoServer]:
    logs: List[str] = []
    echo = EchoServer("127.0.0.1", 0, log=logs.append, extensions=lambda: [FrameZlib()])
    echo.start_in_thread()
    try:
        yield echo
    finally:
        echo.shutdown()


def _run(url: str, typed: str, monkeypatch: pytest.MonkeyPatch, offer: bool = True) -> List[str]:
    from wsproto._cli import client

    if offer:
        monkeypatch.setattr(client, "installed_extensions", lambda: [FrameZlib()])
    lines: List[str] = []
    status = run_client(url, stdin=io.StringIO(typed), out=lines.append, log=lines.append)
    assert status == 0
    return lines


def test_messages_ping_and_close(server: EchoServer, monkeypatch: pytest.MonkeyPatch) -> None:
    lines = _run(server.url, "first\nsecond line\n/ping hey\n/close 1001 away\n", monkeypatch)
    assert "negotiated extensions: x-test-frame-zlib (x-test-frame-zlib)" in lines
    assert "< first" in lines
    assert "< second line" in lines
    assert "< pong b'hey'" in lines
    assert "< close 1001 'away'" in lines
    assert lines[-1] == "connection closed"


def test_end_of_input_closes_normally(server: EchoServer, monkeypatch: pytest.MonkeyPatch) -> None:
    lines = _run(server.url, "only\n", monkeypatch, offer=False)
    assert "negotiated extensions: none" in lines
    assert "< only" in lines
    assert "< close 1000" in lines


def test_bad_close_command_is_reported(server: EchoServer, monkeypatch: pytest.MonkeyPatch) -> None:
    lines = _run(server.url, "/close soon\n/close 1006\n/close 999\n", monkeypatch)
    assert "! not a close code: 'soon' (usage: /close [code] [reason])" in lines
    assert any(line.startswith("! ") and "1006" in line for line in lines)
    assert any(line.startswith("! ") and "999" in line for line in lines)
    assert "< close 1000" in lines  # end of input then closes normally


def _has_ipv6_loopback() -> bool:
    import socket

    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
    except OSError:
        return False
    return True


@pytest.mark.skipif(not _has_ipv6_loopback(), reason="no IPv6 loopback (::1) on this machine")
def test_ipv6_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    logs: List[str] = []
    echo = EchoServer("::1", 0, log=logs.append, extensions=list)
    echo.start_in_thread()
    try:
        assert echo.url.startswith("ws://[::1]:")
        lines = _run(echo.url, "over six\n", monkeypatch, offer=False)
    finally:
        echo.shutdown()
    assert "< over six" in lines
    assert any("Host: [::1]:" in line for line in logs)
