"""Terminal output: peer text made safe to print, and whole lines from several threads."""

from __future__ import annotations

import re
import threading
from typing import TextIO

__all__ = ["printable", "write_line"]

# C0 and C1 controls, DEL, and the Unicode bidirectional overrides and isolates: what a
# hostile peer could use to move the cursor, recolour, retitle or visually reorder the terminal.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    named = _NAMED.get(char)
    if named is not None:
        return named
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` with every control character shown as an escape, on one line."""
    return _UNSAFE.sub(_escape, text)


_write_lock = threading.Lock()


def write_line(stream: TextIO, line: str) -> None:
    """Write ``line`` and its newline in one call, under one lock shared by all streams.

    ``print()`` writes the text and the newline separately, so two threads printing at
    once could share a line; with both streams behind one lock, stdout and stderr lines
    don't interleave mid-line on a terminal either.
    """
    with _write_lock:
        stream.write(line + "\n")
        stream.flush()
