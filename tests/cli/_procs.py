"""Starting and stopping the tool as a subprocess, with every wait bounded."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import List, Tuple

STARTUP_TIMEOUT = 15.0


def start_echo_server(tmp_path: Path, *extra: str) -> Tuple[subprocess.Popen[bytes], int, Path]:
    """Run ``python -m wsproto echo-server --port 0``; return (process, port, stderr log path)."""
    out = tmp_path / "server.out"
    err = tmp_path / "server.err"
    with out.open("wb") as out_file, err.open("wb") as err_file:
        proc = subprocess.Popen(
            [sys.executable, "-u", "-m", "wsproto", *extra, "echo-server", "--port", "0"],
            stdout=out_file,
            stderr=err_file,
            stdin=subprocess.DEVNULL,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        match = re.search(r"listening on ws://127\.0\.0\.1:(\d+)/", out.read_text())
        if match:
            return proc, int(match.group(1)), err
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    stop(proc)
    raise AssertionError(f"echo-server did not start: {out.read_text()} {err.read_text()}")


def stop(proc: subprocess.Popen[bytes]) -> None:
    """End a process this test started (by its handle), bounded."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def run_tool(
    *args: str, stdin: str = "", timeout: float = 30.0
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m wsproto ARGS`` to completion (bounded)."""
    command: List[str] = [sys.executable, "-m", "wsproto", *args]
    return subprocess.run(
        command, input=stdin, capture_output=True, text=True, timeout=timeout, check=False
    )
