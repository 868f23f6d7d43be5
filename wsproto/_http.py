"""HTTP/1.1 message heads of the opening handshake (RFC 9112 sections 2-5).

The upgrade request and the 101 response never have a body, so the
handshake reads and writes their heads here, strictly and in one pass.
Anything that needs full HTTP (a rejection response and its body) is left
to h11 by :mod:`wsproto.handshake`.
"""

from __future__ import annotations

import re
from typing import List, Optional, Sequence, Tuple, Union

from ._headers import TOKEN_PATTERN

__all__ = [
    "MAX_HEAD_SIZE",
    "HeadError",
    "find_head_end",
    "parse_request_head",
    "parse_response_head",
    "request_line",
    "serialize_head",
    "valid_field",
]

HeaderList = List[Tuple[bytes, bytes]]

# The largest head accepted, as h11's default limit (431 above it).
MAX_HEAD_SIZE = 16 * 1024

_TOKEN = TOKEN_PATTERN.encode("ascii")
# A field value: visible characters and obs-text, with inner spaces/tabs (RFC 9110 section 5.5).
_VALUE = rb"(?:[\x21-\x7e\x80-\xff](?:[ \t\x21-\x7e\x80-\xff]*[\x21-\x7e\x80-\xff])?)?"
_FIELD_NAME = re.compile(_TOKEN)
_FIELD_VALUE = re.compile(_VALUE)
# name ":" OWS value OWS (no space before the colon: RFC 9112 section 5.1).
_FIELD_LINE = re.compile(rb"(%s):[ \t]*(%s)[ \t]*" % (_TOKEN, _VALUE))
_REQUEST_TARGET = re.compile(rb"[\x21-\x7e]+")
_REQUEST_LINE = re.compile(rb"(%s) ([\x21-\x7e]+) HTTP/([0-9]\.[0-9])" % _TOKEN)
# The reason phrase may be missing altogether: some servers omit it.
# Status codes are 100-599 (RFC 9110 section 15).
_STATUS_LINE = re.compile(rb"HTTP/([0-9]\.[0-9]) ([1-5][0-9]{2})(?: [ \t\x21-\x7e\x80-\xff]*)?")
# The blank line that ends a head; a bare LF is accepted as a line end (section 2.2).
_HEAD_END = re.compile(rb"\r?\n\r?\n")


class HeadError(ValueError):
    """A message head that is not valid HTTP/1.1; ``status`` is the answer a server owes."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def find_head_end(buffer: Union[bytes, bytearray], start: int = 0) -> Tuple[int, int]:
    """Return (end of the head's last line, after its LF; start of what follows), or (-1, -1).

    ``start`` lets a caller resume the search where the previous one ended.
    Raises :class:`HeadError` (431) if no head ends within :data:`MAX_HEAD_SIZE`.
    """
    match = _HEAD_END.search(buffer, max(start - 3, 0))
    if match is None:
        if len(buffer) > MAX_HEAD_SIZE:
            raise HeadError(f"the message head exceeds {MAX_HEAD_SIZE} bytes", 431)
        return -1, -1
    if match.end() > MAX_HEAD_SIZE:
        raise HeadError(f"the message head exceeds {MAX_HEAD_SIZE} bytes", 431)
    # The head keeps its last line's own line end, so that a stray CR before it stays visible.
    return buffer.index(b"\n", match.start()) + 1, match.end()


def _split(head: bytes) -> Tuple[bytes, HeaderList]:
    """Split a head (up to its blank line) into its start line and header fields."""
    lines = head.split(b"\n")
    del lines[-1]  # after the last line's LF
    if head.find(b"\r") >= 0:
        lines = [line[:-1] if line.endswith(b"\r") else line for line in lines]
    headers: HeaderList = []
    pending: Optional[bytes] = None
    for line in lines[1:]:
        if line[:1] in (b" ", b"\t"):
            # obs-fold: a continuation line joins the previous field with a space (section 5.2).
            if pending is None:
                raise HeadError("a continuation line came before any header field")
            pending += b" " + line.strip(b" \t")
            continue
        if pending is not None:
            headers.append(_field(pending))
        pending = line
    if pending is not None:
        headers.append(_field(pending))
    return lines[0], headers


def _field(line: bytes) -> Tuple[bytes, bytes]:
    match = _FIELD_LINE.fullmatch(line)
    if match is None:
        raise HeadError(f"invalid header field line {line[:80]!r}")
    name, value = match.groups()
    return name.lower(), value


def parse_request_head(head: bytes) -> Tuple[bytes, bytes, bytes, HeaderList]:
    """Parse a request head into (method, target, HTTP version, headers).

    Header names come back lower-cased, values with the surrounding
    whitespace removed, in the order received.
    """
    start_line, headers = _split(head)
    match = _REQUEST_LINE.fullmatch(start_line)
    if match is None:
        raise HeadError(f"invalid request line {start_line[:80]!r}")
    method, target, version = match.groups()
    return method, target, version, headers


def parse_response_head(head: bytes) -> Tuple[bytes, int, HeaderList]:
    """Parse a response head into (HTTP version, status code, headers)."""
    start_line, headers = _split(head)
    match = _STATUS_LINE.fullmatch(start_line)
    if match is None:
        raise HeadError(f"invalid status line {start_line[:80]!r}")
    version, status = match.groups()
    return version, int(status), headers


def valid_field(name: bytes, value: bytes) -> bool:
    """True if ``name: value`` is a header field this library may write."""
    return _FIELD_NAME.fullmatch(name) is not None and _FIELD_VALUE.fullmatch(value) is not None


def serialize_head(
    start_line: bytes,
    headers: Sequence[Tuple[bytes, bytes]],
    extra: Sequence[Tuple[Union[bytes, str], Union[bytes, str]]] = (),
) -> bytes:
    """Serialise a head: ``headers`` are trusted, ``extra`` (the application's) are checked.

    Raises :class:`HeadError` naming the first invalid extra header.
    """
    lines = [start_line, b"\r\n"]
    for name, value in headers:
        lines += (name, b": ", value, b"\r\n")
    for extra_name, extra_value in extra:
        raw_name = _encode(extra_name, "ascii")
        raw_value = _encode(extra_value, "latin-1")
        if raw_name is None or raw_value is None or not valid_field(raw_name, raw_value):
            raise HeadError(
                f"invalid extra header {extra_name!r}: {extra_value!r} (names are tokens; values "
                "have no CR, LF, NUL or surrounding whitespace)"
            )
        lines += (raw_name, b": ", raw_value, b"\r\n")
    lines.append(b"\r\n")
    return b"".join(lines)


def _encode(text: Union[bytes, str], encoding: str) -> Optional[bytes]:
    if not isinstance(text, str):
        return bytes(text)
    try:
        return text.encode(encoding)
    except UnicodeEncodeError:
        return None


def request_line(target: Union[bytes, str]) -> bytes:
    """Return ``GET <target> HTTP/1.1``; HeadError if ``target`` is not visible ASCII."""
    raw = _encode(target, "ascii")
    if raw is None or _REQUEST_TARGET.fullmatch(raw) is None:
        raise HeadError(f"invalid request target {target!r}: visible ASCII characters only")
    return b"GET " + raw + b" HTTP/1.1"
