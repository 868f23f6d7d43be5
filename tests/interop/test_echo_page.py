"""The echo server's browser page, in headless Chromium at 1280 px: long lines wrap inside
the log box, and Send after Close says why nothing was sent."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from wsproto._cli.echo_server import EchoServer

from . import peer_node

_missing = peer_node.missing_browser()
if _missing:
    pytest.skip(f"browser page check skipped: {_missing}", allow_module_level=True)

pytestmark = pytest.mark.interop


@pytest.fixture
def server() -> Iterator[EchoServer]:
    echo = EchoServer("127.0.0.1", 0, log=lambda line: None, extensions=lambda: [])
    echo.start_in_thread()
    try:
        yield echo
    finally:
        echo.shutdown()


def test_page_wraps_long_lines_and_refuses_send_after_close(
    server: EchoServer, tmp_path: Path
) -> None:
    shot = tmp_path / "page.png"
    url = f"http://127.0.0.1:{server.address[1]}/"
    result = peer_node.run_node_client("page_check.js", [url, str(shot)], timeout=90)["page"]
    assert result["overflow"] == 0  # the 600-character line wraps: no horizontal scrolling
    log = result["log"]
    assert "< " + "x" * 600 in log  # one row: wrapping is visual only
    assert "< hello" in log
    assert result["disabled"] is True  # Send and Close are disabled once closed
    assert "the connection is closed: reload the page to connect again" in log
    assert log[-1] == "not sent: the connection is closed"
    assert shot.stat().st_size > 10_000
