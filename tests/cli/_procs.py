"""``python -m wsproto`` as a subprocess (see tests/_process.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Tuple

from _process import run_to_end, start_listening, stop

__all__ = ["run_tool", "start_echo_server", "stop"]


def start_echo_server(tmp_path: Path, *extra: str) -> Tuple[subprocess.Popen[bytes], int, Path]:
    """Run ``python -m wsproto echo-server --port 0``; return (process, port, stderr log path)."""
    return start_listening(
        [sys.executable, "-u", "-m", "wsproto", *extra, "echo-server", "--port", "0"],
        tmp_path,
        "server",
        r"listening on ws://127\.0\.0\.1:(\d+)/",
        separate_stderr=True,
    )


def run_tool(
    *args: str, stdin: str = "", timeout: float = 30.0
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m wsproto ARGS`` to completion (bounded)."""
    return run_to_end([sys.executable, "-m", "wsproto", *args], stdin=stdin, timeout=timeout)
