"""``python -m wsproto demo``: the transcript's content, with and without extensions."""

from __future__ import annotations

import re
from typing import List

import pytest

from wsproto._cli.demo import run_demo

from ._procs import run_tool
from .zlib_frames import FrameZlib


def _rows(lines: List[str]) -> List[List[str]]:
    """The frame rows: number, direction, opcode, flags..., app size, wire size, note."""
    return [line.split() for line in lines if re.match(r"^\s*\d+\s+[CS] -> [CS]\s", line)]


def _common_checks(text: str) -> None:
    for section in (
        "== Opening handshake ==",
        "== Negotiated extensions ==",
        "== Frames ==",
        "== Closing handshake ==",
        "== Summary ==",
    ):
        assert section in text
    # The handshake request and response headers.
    assert "    GET / HTTP/1.1" in text
    assert "    Upgrade: websocket" in text
    assert re.search(r"    Sec-WebSocket-Key: [A-Za-z0-9+/]{22}==", text)
    assert "    Sec-WebSocket-Version: 13" in text
    assert "    HTTP/1.1 101" in text
    assert re.search(r"    Sec-WebSocket-Accept: [A-Za-z0-9+/]{27}=", text)
    # The close handshake and the state changes.
    assert "client state after sending close: LOCAL_CLOSING" in text
    assert "client state after the server's close: CLOSED" in text
    assert "server closed the TCP connection" in text
    assert "offered extensions: " in text  # the server's handshake log


def test_transcript_without_extensions() -> None:
    lines: List[str] = []
    assert run_demo(lines.append, use_extensions=False) == 0
    text = "\n".join(lines)
    _common_checks(text)
    assert "none: payloads travel as they are" in text
    rows = _rows(lines)
    opcodes = [row[4] for row in rows]
    assert opcodes == [
        "TEXT",
        "TEXT",
        "TEXT",
        "TEXT",
        "BINARY",
        "BINARY",
        "TEXT",
        "CONTINUATION",
        "CONTINUATION",
        "TEXT",
        "CONTINUATION",
        "CONTINUATION",
        "PING",
        "PONG",
        "CLOSE",
        "CLOSE",
    ]
    assert not any("RSV1" in row for row in rows)
    # Without extensions, the size before and after the wire is the same.
    for line in lines:
        match = re.search(r"(\d+) B\s+(\d+) B", line)
        if match:
            assert match.group(1) == match.group(2), line
    # Client frames are masked, server frames are not.
    assert all("MASK" in row for row in rows if row[1] == "C")
    assert not any("MASK" in row for row in rows if row[1] == "S")
    # Fragments: only the last one carries FIN.
    fragment_rows = [row for row in rows if row[4] == "CONTINUATION" or "'one," in row]
    assert ["FIN" in row for row in fragment_rows[:3]] == [False, False, True]
    assert "code 1000 'demo finished'" in text


def test_transcript_shows_compression() -> None:
    lines: List[str] = []
    assert run_demo(lines.append, extensions=lambda: [FrameZlib()]) == 0
    text = "\n".join(lines)
    _common_checks(text)
    assert "    x-test-frame-zlib: RSV bits RSV1" in text
    assert "    Sec-WebSocket-Extensions: x-test-frame-zlib" in text
    big = [line for line in lines if "C -> S" in line and "6049 B" in line]
    assert len(big) == 1
    app, wire = map(int, re.findall(r"(\d+) B", big[0]))
    assert "RSV1" in big[0]
    assert wire < app // 4
    echoed = [line for line in lines if "S -> C" in line and "6049 B" in line]
    assert len(echoed) == 1 and "RSV1" in echoed[0]
    # Control frames are never compressed.
    assert all("RSV1" not in line for line in lines if re.search(r"(PING|PONG|CLOSE) ", line))
    summary = lines[lines.index("== Summary ==") + 1]
    assert re.search(r"16260 B for the application, \d+ B on the wire", summary)


def test_with_installed_plugins() -> None:
    """Whatever is installed (or nothing), the default demo works end to end."""
    lines: List[str] = []
    assert run_demo(lines.append) == 0
    text = "\n".join(lines)
    _common_checks(text)
    try:
        from wsproto.extensions import PerMessageDeflate  # noqa: F401
    except ImportError:
        assert "pip install wsproto-deflate" in text
    else:
        assert "    permessage-deflate: RSV bits RSV1" in text
        big = next(line for line in lines if "C -> S" in line and "6049 B" in line)
        app, wire = map(int, re.findall(r"(\d+) B", big))
        assert wire < app // 4


def test_demo_command_runs_as_a_program() -> None:
    result = run_tool("demo")
    assert result.returncode == 0, result.stderr
    assert "== Closing handshake ==" in result.stdout
    assert "client state after the server's close: CLOSED" in result.stdout
    assert result.stderr == ""


@pytest.mark.parametrize("flag", ["--verbose", "-v"])
def test_verbose_flag_is_accepted_before_and_after_the_command(flag: str) -> None:
    from wsproto._cli.app import build_parser

    assert build_parser().parse_args([flag, "demo"]).verbose is True
    assert build_parser().parse_args(["demo", flag]).verbose is True
    assert not hasattr(build_parser().parse_args(["demo"]), "verbose")


def test_console_script() -> None:
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    found = shutil.which("wsproto", path=str(Path(sys.executable).parent))
    if found is None:
        pytest.skip("the wsproto console script is not installed next to this interpreter")
    result = subprocess.run(
        [found, "--version"], capture_output=True, text=True, timeout=30, check=False
    )
    assert result.returncode == 0
    assert result.stdout.startswith("wsproto ")
