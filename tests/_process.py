"""Programs under test as subprocesses: started, awaited and stopped with every wait bounded.

Shared by tests/cli (``python -m wsproto``) and tests/examples (the example scripts).
"""

from __future__ import annotations

import os
import re
import subprocess
import time
from pathlib import Path
from typing import List, Tuple

STARTUP_TIMEOUT = 15.0


def start_listening(
    command: List[str], log_dir: Path, name: str, listening: str, *, separate_stderr: bool = False
) -> Tuple[subprocess.Popen[bytes], int, Path]:
    """Start ``command`` and wait (bounded) until its output matches ``listening``.

    ``listening`` is a regex whose first group is the port. Returns (process,
    port, log path); the log is stderr when ``separate_stderr`` is set, else
    the combined output.
    """
    out = log_dir / f"{name}.out"
    err = log_dir / f"{name}.err" if separate_stderr else out
    with out.open("wb") as out_file, err.open("ab") as err_file:
        proc = subprocess.Popen(
            command,
            stdout=out_file,
            stderr=err_file if separate_stderr else subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        match = re.search(listening, out.read_text())
        if match:
            return proc, int(match.group(1)), err
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    stop(proc)
    logs = out.read_text() + (err.read_text() if separate_stderr else "")
    raise AssertionError(f"{name} did not start: {logs}")


def stop(proc: subprocess.Popen[bytes]) -> None:
    """End a process this test started (by its handle), bounded."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def run_to_end(
    command: List[str], *, stdin: str = "", timeout: float = 30.0
) -> subprocess.CompletedProcess[str]:
    """Run ``command`` to completion (bounded), capturing its text output."""
    return subprocess.run(
        command, input=stdin, capture_output=True, text=True, timeout=timeout, check=False
    )
