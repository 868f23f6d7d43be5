"""Upstream wsproto 1.3.2 in its own venv, driven through ``upstream_oracle.py``.

The venv is created once per test session (``pip install wsproto==1.3.2`` from
the package index); set ``WSPROTO_SKIP_INSTALL_TESTS=1`` to skip the tests that
need it.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional

__all__ = ["UPSTREAM_VERSION", "Upstream", "make_upstream_venv", "upstream_capable_python"]

UPSTREAM_VERSION = "1.3.2"
ORACLE = Path(__file__).resolve().with_name("upstream_oracle.py")
PIP_TIMEOUT = 900
ANSWER_TIMEOUT = 60.0


def upstream_capable_python() -> Optional[str]:
    """An interpreter that can run wsproto 1.3.2 (Python >= 3.10): this one, or another."""
    if sys.version_info >= (3, 10):
        return sys.executable
    for name in ("python3.13", "python3.12", "python3.11", "python3.10", "python3"):
        found = shutil.which(name)
        if not found:
            continue
        probe = subprocess.run(
            [found, "-c", "import sys; print(sys.version_info >= (3, 10))"],
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
        if probe.stdout.strip() == "True":
            return found
    return None


def make_upstream_venv(path: Path, python: str) -> str:
    """Create a venv with wsproto==1.3.2 at ``path`` from ``python``; return its python."""
    subprocess.run([python, "-m", "venv", str(path)], check=True, timeout=300)
    python = str(path / "bin" / "python")
    proc = subprocess.run(
        [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         f"wsproto=={UPSTREAM_VERSION}"],
        capture_output=True, text=True, timeout=PIP_TIMEOUT, check=False,
    )  # fmt: skip
    if proc.returncode != 0:
        raise AssertionError(f"installing wsproto=={UPSTREAM_VERSION} failed:\n{proc.stderr}")
    return python


class Upstream:
    """One running oracle process: upstream 1.3.2 answering JSON requests."""

    def __init__(self, python: str) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("WSPROTO_", "PYTHON"))}
        self._proc = subprocess.Popen(
            [python, "-I", str(ORACLE)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
            cwd=str(Path(python).parent),
        )
        self._next_id = 0
        version = self.ext({}, [("repr", None)])
        assert isinstance(version[0], str), version

    def request(self, req: Dict[str, Any]) -> Any:
        """Send one request; return the decoded answer (bounded wait)."""
        proc = self._proc
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(json.dumps(req) + "\n")
        proc.stdin.flush()
        ready, _, _ = select.select([proc.stdout], [], [], ANSWER_TIMEOUT)
        if not ready:
            raise AssertionError(f"upstream oracle did not answer {req!r} in {ANSWER_TIMEOUT} s")
        line = proc.stdout.readline()
        if not line:
            raise AssertionError(f"upstream oracle exited ({proc.poll()}) on {req!r}")
        return json.loads(line)

    def ext(self, config: Dict[str, Any], calls: List[tuple[str, Optional[str]]]) -> Any:
        """Upstream ``PerMessageDeflate(**config)``: the results of ``calls`` in order
        (a list), or ``{"error": name}`` when the constructor raises."""
        return self.request({"op": "ext", "config": config, "calls": [list(c) for c in calls]})

    def connection(self, role: str) -> UpstreamConnection:
        """A new upstream ``WSConnection`` for ``role`` ("client" or "server")."""
        self._next_id += 1
        self.request({"op": "conn", "id": self._next_id, "role": role})
        return UpstreamConnection(self, self._next_id)

    def close(self) -> None:
        """Stop the oracle (it ends when its stdin closes); kill it if it does not."""
        proc = self._proc
        assert proc.stdin is not None
        proc.stdin.close()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        if proc.stdout is not None:
            proc.stdout.close()


class UpstreamConnection:
    """An upstream ``WSConnection`` living in the oracle process."""

    def __init__(self, oracle: Upstream, ident: int) -> None:
        self._oracle = oracle
        self._id = ident

    def send(self, event: Dict[str, Any]) -> bytes:
        """Send an event (see upstream_oracle.make_event); return the bytes."""
        return bytes.fromhex(self._oracle.request({"op": "send", "id": self._id, "event": event}))

    def receive(self, data: bytes) -> List[Dict[str, Any]]:
        """Feed bytes; return the events (see upstream_oracle.describe)."""
        return self._oracle.request({"op": "recv", "id": self._id, "hex": data.hex()})  # type: ignore[no-any-return]
