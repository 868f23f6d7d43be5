"""A read-only frame scanner: finds frame headers in a byte stream for transcripts and logs.

It never changes or interprets payloads (the connection does that); it only
reports what travelled on the wire: opcode, FIN, RSV bits, mask and size.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable, List, Optional

__all__ = ["OPCODE_NAMES", "FrameInfo", "FrameLog", "FrameScanner"]

OPCODE_NAMES = {
    0x0: "CONTINUATION",
    0x1: "TEXT",
    0x2: "BINARY",
    0x8: "CLOSE",
    0x9: "PING",
    0xA: "PONG",
}


@dataclass(frozen=True)
class FrameInfo:
    """One frame as seen on the wire."""

    opcode: int
    fin: bool
    rsv1: bool
    rsv2: bool
    rsv3: bool
    masked: bool
    payload_length: int
    #: Offset just past the frame's last byte, in the chunk given to ``feed``.
    end: int

    @property
    def opcode_name(self) -> str:
        """The opcode's name, e.g. ``TEXT``."""
        return OPCODE_NAMES.get(self.opcode, f"0x{self.opcode:X}")

    @property
    def flags(self) -> str:
        """The set header flags, e.g. ``FIN RSV1 MASK``."""
        names = [
            name
            for name, on in (
                ("FIN", self.fin),
                ("RSV1", self.rsv1),
                ("RSV2", self.rsv2),
                ("RSV3", self.rsv3),
                ("MASK", self.masked),
            )
            if on
        ]
        return " ".join(names) or "-"

    def describe(self) -> str:
        """A one-line description for logs."""
        return f"{self.opcode_name} [{self.flags}] payload {self.payload_length} B"


class FrameScanner:
    """Incrementally finds complete frames in a stream of bytes."""

    def __init__(self) -> None:
        self._header = bytearray()  # bytes of a header not yet complete
        self._current: Optional[FrameInfo] = None  # frame whose payload is still arriving
        self._remaining = 0

    def feed(self, data: bytes) -> List[FrameInfo]:
        """Consume ``data``; return the frames that completed in it, in order."""
        done: List[FrameInfo] = []
        pos = 0
        size = len(data)
        while True:
            if self._current is not None:
                take = min(self._remaining, size - pos)
                pos += take
                self._remaining -= take
                if self._remaining:
                    return done
                frame = self._current
                done.append(replace(frame, end=pos))
                self._current = None
            if pos >= size:
                return done
            needed = _header_length(self._header)
            while len(self._header) < needed and pos < size:
                self._header.append(data[pos])
                pos += 1
                needed = _header_length(self._header)
            if len(self._header) < needed:
                return done
            self._current = _parse_header(bytes(self._header))
            self._remaining = self._current.payload_length
            self._header.clear()


def _header_length(header: bytearray) -> int:
    """How many header bytes are needed, given the bytes seen so far."""
    if len(header) < 2:
        return 2
    length = header[1] & 0x7F
    extra = 2 if length == 126 else 8 if length == 127 else 0
    return 2 + extra + (4 if header[1] & 0x80 else 0)


def _parse_header(header: bytes) -> FrameInfo:
    b0, b1 = header[0], header[1]
    length = b1 & 0x7F
    if length == 126:
        length = int.from_bytes(header[2:4], "big")
    elif length == 127:
        length = int.from_bytes(header[2:10], "big")
    return FrameInfo(
        opcode=b0 & 0x0F,
        fin=bool(b0 & 0x80),
        rsv1=bool(b0 & 0x40),
        rsv2=bool(b0 & 0x20),
        rsv3=bool(b0 & 0x10),
        masked=bool(b1 & 0x80),
        payload_length=length,
        end=0,
    )


class FrameLog:
    """Logs every frame sent and received on one connection (``--verbose``)."""

    def __init__(self, log: Callable[[str], None], label: str) -> None:
        self._log = log
        self._label = label
        self._out = FrameScanner()
        self._in = FrameScanner()

    def sent(self, data: bytes) -> None:
        """Record bytes written to the peer."""
        for frame in self._out.feed(data):
            self._log(f"{self._label} -> {frame.describe()}")

    def received(self, data: bytes) -> None:
        """Record bytes read from the peer."""
        for frame in self._in.feed(data):
            self._log(f"{self._label} <- {frame.describe()}")
