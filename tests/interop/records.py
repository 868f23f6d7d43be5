"""What a server saw of one connection, and a thread-safe book of them."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Optional


@dataclass
class ServerRecord:
    """A server's view of one connection, filled in as it goes."""

    target: str
    rejected: bool = False
    #: the client's Sec-WebSocket-Extensions offer, when the server keeps it
    offered: Optional[str] = None
    #: negotiated extensions as the server saw them ("" when none)
    extensions: str = ""
    #: close frame received from the client, as (code, reason)
    close: Optional[tuple[int, str]] = None
    pongs: list[bytes] = field(default_factory=list)
    #: bytes read from the socket, when the server counts them
    bytes_in: Optional[int] = None
    bytes_out: Optional[int] = None
    error: Optional[str] = None
    done: bool = False


class RecordBook:
    """Records keyed by request target; waits on them are bounded."""

    def __init__(self) -> None:
        self._records: dict[str, ServerRecord] = {}
        self._cond = threading.Condition()

    def open(self, target: str) -> ServerRecord:
        """Create (or replace) the record for ``target``."""
        with self._cond:
            record = ServerRecord(target=target)
            self._records[target] = record
            self._cond.notify_all()
            return record

    def get(self, target: str) -> Optional[ServerRecord]:
        """The record for ``target`` if the server created one."""
        with self._cond:
            return self._records.get(target)

    def update(self, target: str, **changes: object) -> None:
        """Change fields of a record (creating it if needed) and wake waiters."""
        with self._cond:
            record = self._records.get(target) or ServerRecord(target=target)
            self._records[target] = record
            for name, value in changes.items():
                setattr(record, name, value)
            self._cond.notify_all()

    def finish(self, target: str) -> None:
        """Mark the connection for ``target`` as over."""
        self.update(target, done=True)

    def wait(self, target: str, timeout: float = 10.0) -> ServerRecord:
        """Wait (bounded) until the connection for ``target`` is over."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                record = self._records.get(target)
                if record is not None and record.done:
                    return record
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(
                        f"server never finished the connection for {target!r} "
                        f"within {timeout}s (record: {record!r})"
                    )
                self._cond.wait(remaining)
