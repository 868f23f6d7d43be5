"""Node peers: the ``ws`` server and client, and headless Chromium via ``playwright-core``.

Each peer is a script in ``node/``; they talk to us as JSON lines on stdout.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path
from typing import Any, Optional

from .records import RecordBook

NODE_DIR = Path(__file__).parent / "node"
INSTALL_HINT = "run `bash .ci/install-peers.sh` (or `npm ci` in tests/interop/node)"
CHROMIUM_HINT = "run `bash .ci/install-peers.sh` (or `apt-get install -y chromium`)"


def node_binary() -> Optional[str]:
    """Path of ``node``, if on PATH."""
    return shutil.which("node")


def missing_node_peer(package: str) -> Optional[str]:
    """Why the node package can't run (a skip reason), or None when it can."""
    if node_binary() is None:
        return f"node is not installed: install Node.js >= 20, then {INSTALL_HINT}"
    if not (NODE_DIR / "node_modules" / package / "package.json").is_file():
        where = "tests/interop/node/node_modules"
        return f"npm package {package!r} missing from {where}: {INSTALL_HINT}"
    return None


def chromium_path() -> str:
    """The browser binary: $WSPROTO_INTEROP_CHROMIUM or Debian's /usr/bin/chromium."""
    return os.environ.get("WSPROTO_INTEROP_CHROMIUM", "/usr/bin/chromium")


def missing_browser() -> Optional[str]:
    """Why the browser peer can't run (a skip reason), or None when it can."""
    reason = missing_node_peer("playwright-core")
    if reason:
        return reason
    if not os.access(chromium_path(), os.X_OK):
        return f"no Chromium at {chromium_path()}: {CHROMIUM_HINT}"
    return None


def run_node_client(script: str, args: list[str], *, timeout: float) -> dict[str, dict[str, Any]]:
    """Run a node client script to completion; returns its results keyed by scenario."""
    with tempfile.TemporaryFile() as errors:
        try:
            proc = subprocess.run(
                [str(node_binary()), str(NODE_DIR / script), *args],
                cwd=NODE_DIR,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=errors,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise AssertionError(f"{script} did not finish within {timeout}s") from exc
        errors.seek(0)
        stderr = errors.read().decode(errors="replace")[-4000:]
    results = {}
    for line in proc.stdout.decode().splitlines():
        if line.startswith("{"):
            item = json.loads(line)
            results[item["scenario"]] = item
    if proc.returncode != 0 and not results:
        raise AssertionError(f"{script} exited {proc.returncode}:\n{stderr}")
    return results


class NodeWsServer:
    """``node/ws_server.js`` in a child process; its JSON events fill ``records``."""

    def __init__(self, *, compress: bool, options: Optional[dict[str, Any]] = None) -> None:
        """``options`` (ws's perMessageDeflate settings) replaces the default deflate setup."""
        self.records = RecordBook()
        mode = json.dumps(options) if options is not None else "on" if compress else "off"
        # Lives as long as the child process; closed in stop().
        self._errors = tempfile.TemporaryFile()  # noqa: SIM115
        self._proc = subprocess.Popen(
            [str(node_binary()), str(NODE_DIR / "ws_server.js"), mode],
            cwd=NODE_DIR,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._errors,
        )
        self._port: Optional[int] = None
        self._ready = threading.Event()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    @property
    def port(self) -> int:
        """The port the server listens on (waits, bounded, for it to start)."""
        if not self._ready.wait(20) or self._port is None:
            self._errors.seek(0)
            err = self._errors.read().decode(errors="replace")[-4000:]
            raise AssertionError(f"ws_server.js did not start:\n{err}")
        return self._port

    def _read(self) -> None:
        assert self._proc.stdout is not None
        for raw in self._proc.stdout:
            try:
                item = json.loads(raw)
            except ValueError:
                continue
            self._apply(item)
        self._ready.set()

    def _apply(self, item: dict[str, Any]) -> None:
        event, target = item.get("event"), item.get("target", "")
        if event == "listening":
            self._port = int(item["port"])
            self._ready.set()
        elif event == "open":
            self.records.open(target)
            self.records.update(target, extensions=item.get("extensions", ""))
        elif event == "reject":
            self.records.open(target)
            self.records.update(target, rejected=True, done=True)
        elif event == "pong":
            self.records.update(target, pongs=[bytes.fromhex(item["payload"])])
        elif event == "error":
            self.records.update(target, error=item.get("message", "?"))
        elif event == "close":
            self.records.update(target, close=(item["code"], item["reason"]), done=True)

    def stop(self) -> None:
        """End the child process we started (by closing its stdin, then by its PID)."""
        try:
            if self._proc.stdin is not None:
                self._proc.stdin.close()
            self._proc.wait(5)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait(5)
        self._reader.join(5)
        self._errors.close()
