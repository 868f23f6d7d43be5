"""The example scripts as programs (see tests/_process.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Iterator, Tuple

import pytest
from _process import run_to_end, start_listening, stop

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
RUN_TIMEOUT = 60.0


def script(name: str) -> str:
    return str(EXAMPLES / name)


def start_server(tmp_path: Path, name: str) -> Tuple[subprocess.Popen[bytes], int, Path]:
    """Start ``examples/NAME 127.0.0.1 0``; wait (bounded) for its "listening on" line."""
    return start_listening(
        [sys.executable, "-u", script(name), "127.0.0.1", "0"],
        tmp_path,
        name,
        r"listening on 127\.0\.0\.1:(\d+)",
    )


def run_client(name: str, *args: str) -> subprocess.CompletedProcess[str]:
    return run_to_end([sys.executable, script(name), *args], timeout=RUN_TIMEOUT)


@pytest.fixture
def server_factory(tmp_path: Path) -> Iterator[object]:
    started = []

    def start(name: str) -> Tuple[int, Path]:
        proc, port, out = start_server(tmp_path, name)
        started.append(proc)
        return port, out

    yield start
    for proc in started:
        stop(proc)
