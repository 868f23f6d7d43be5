"""Running the example scripts as programs, with every wait bounded."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator, Tuple

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
STARTUP_TIMEOUT = 15.0
RUN_TIMEOUT = 60.0


def script(name: str) -> str:
    return str(EXAMPLES / name)


def start_server(tmp_path: Path, name: str) -> Tuple[subprocess.Popen[bytes], int, Path]:
    """Start ``examples/NAME 127.0.0.1 0``; wait (bounded) for its "listening on" line."""
    out = tmp_path / f"{name}.out"
    with out.open("wb") as out_file:
        proc = subprocess.Popen(
            [sys.executable, "-u", script(name), "127.0.0.1", "0"],
            stdout=out_file,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        match = re.search(r"listening on 127\.0\.0\.1:(\d+)", out.read_text())
        if match:
            return proc, int(match.group(1)), out
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    stop(proc)
    raise AssertionError(f"{name} did not start: {out.read_text()}")


def stop(proc: subprocess.Popen[bytes]) -> None:
    """End a process this test started (by its handle), bounded."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def run_client(name: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, script(name), *args],
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        check=False,
    )


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
