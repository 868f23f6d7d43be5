"""Differential tests of :mod:`wsproto._http` against h11, an independent HTTP/1.1 implementation.

h11 used to read and write the opening handshake's message heads; ``wsproto._http`` now does it
alone. These properties hold it to h11's behaviour:

1. serialiser -> h11: heads written by ``serialize_head`` (the upgrade request, the 101
   response) are read by h11 to the same method, target, status and headers;
2. h11 -> parser: heads written by h11 are read by ``find_head_end`` and ``parse_*_head`` to the
   same fields, and the head ends where h11 ended it;
3. hostile heads: start lines and header lines mixing valid and hostile pieces (CR, LF, NUL,
   control characters, whitespace before the colon, obs-fold, non-ASCII) either parse or raise
   ``HeadError(400)``, never anything else; whatever we accept, h11 accepts with the same fields,
   and whatever h11 accepts and we refuse has a control character in it (our only deliberate
   extra strictness: h11 tolerates them in field values and reason phrases). Generated heads,
   plus, exhaustively on small heads, every line end variant on every line and every hostile
   piece at every position;
4. ``find_head_end`` finds the same boundary whether the bytes come whole or split anywhere (as
   the handshake resumes it), and answers 431 beyond ``MAX_HEAD_SIZE``.

Plus the public API: a ``WSConnection`` server fed an h11-written upgrade request in random
chunks yields exactly one ``Request`` with the same host, target and headers.

These tests found two discrepancies, both fixed since (a bare CR ending the head's last line was
dropped; status codes below 100 were read): the regression tests at the end keep them fixed. Our
parser is deliberately stricter in two ways, allowed for below: no control characters in field
values and reason phrases, and status codes only from 100 to 599 (RFC 9110 section 15).
"""

from __future__ import annotations

import base64
import itertools
import math
import re
from typing import FrozenSet, List, NamedTuple, Sequence, Tuple, Union

import h11
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from wsproto import ConnectionType, WSConnection
from wsproto._http import (
    MAX_HEAD_SIZE,
    HeadError,
    find_head_end,
    parse_request_head,
    parse_response_head,
    request_line,
    serialize_head,
    valid_field,
)
from wsproto.events import Event, RejectConnection, Request
from wsproto.utilities import RemoteProtocolError

Headers = List[Tuple[bytes, bytes]]

PROPERTY = settings(max_examples=250, deadline=None)
FEW = settings(max_examples=60, deadline=None)

# -- alphabets -------------------------------------------------------------------------------------

TCHAR = b"!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
VCHAR = bytes(range(0x21, 0x7F))
FIELD_VCHAR = VCHAR + bytes(range(0x80, 0x100))  # VCHAR / obs-text
#: Control characters (and DEL) h11 tolerates in field values and reason phrases; we do not.
H11_ONLY_CTL = bytes([*range(0x01, 0x09), *range(0x0E, 0x20), 0x7F])
#: Names h11 interprets while parsing (Host count, body framing): kept out of generated fields.
H11_SEMANTIC = frozenset({b"host", b"content-length", b"transfer-encoding"})
#: Names the WebSocket handshake interprets: kept out of the public API test's extra fields.
HANDSHAKE_NAMES = H11_SEMANTIC | {
    b"upgrade",
    b"connection",
    b"sec-websocket-key",
    b"sec-websocket-version",
    b"sec-websocket-protocol",
    b"sec-websocket-extensions",
    b"sec-websocket-accept",
}
UPGRADE_HEADERS: Headers = [(b"Upgrade", b"websocket"), (b"Connection", b"Upgrade")]

# -- strategies: valid pieces, hostile pieces ------------------------------------------------------


def _bytes_of(alphabet: bytes, min_size: int, max_size: int) -> SearchStrategy[bytes]:
    return st.lists(st.sampled_from(alphabet), min_size=min_size, max_size=max_size).map(bytes)


tokens = _bytes_of(TCHAR, 1, 10)
targets = _bytes_of(VCHAR, 1, 24)
ows = st.sampled_from([b"", b" ", b"\t", b"  ", b" \t"])
hostnames = _bytes_of(b"abcdefghijklmnopqrstuvwxyz0123456789-.", 1, 20)


def field_names(excluded: FrozenSet[bytes] = H11_SEMANTIC) -> SearchStrategy[bytes]:
    return tokens.filter(lambda name: name.lower() not in excluded)


@st.composite
def field_values(draw: st.DrawFn, alphabet: bytes = FIELD_VCHAR) -> bytes:
    """A field value: words of ``alphabet`` separated by runs of SP/HTAB (possibly empty)."""
    words = draw(st.lists(_bytes_of(alphabet, 1, 8), max_size=4))
    gaps = [draw(_bytes_of(b" \t", 1, 3)) for _ in words[1:]]
    return b"".join(word + gap for word, gap in zip(words, [*gaps, b""]))


@st.composite
def extra_fields(
    draw: st.DrawFn, excluded: FrozenSet[bytes] = H11_SEMANTIC
) -> Tuple[Union[bytes, str], Union[bytes, str]]:
    """A valid field as an application passes it: bytes or str (ASCII name, latin-1 value)."""
    name, value = draw(field_names(excluded)), draw(field_values())
    if draw(st.booleans()):
        return name.decode("ascii"), value.decode("latin-1")
    return name, value


#: Pieces inserted anywhere into an otherwise valid head.
HOSTILE_PIECES = (
    *(b"\x00", b"\r", b"\n", b"\r\n", b"\x01", b"\x0b", b"\x0c", b"\x1f", b"\x7f", b"\x80"),
    *(b"\xff", b"\xc3\xa9", b" ", b"\t", b":", b"\r\n ", b"\n\t", b"\r\r\n", b" :"),
)
HOSTILE = st.sampled_from(HOSTILE_PIECES)


@st.composite
def spoiled(draw: st.DrawFn, valid: SearchStrategy[bytes]) -> bytes:
    """Bytes from ``valid``, often with one to three hostile pieces inserted at random places."""
    data = draw(valid)
    for _ in range(draw(st.sampled_from([0] * 5 + [1, 1, 2, 3]))):
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(HOSTILE) + data[at:]
    return data


def _raw(text: Union[bytes, str]) -> bytes:
    return text.encode("latin-1") if isinstance(text, str) else text


def _lower(headers: Sequence[Tuple[Union[bytes, str], Union[bytes, str]]]) -> Headers:
    return [(_raw(name).lower(), _raw(value)) for name, value in headers]


def _cut(data: bytes, cuts: Sequence[int]) -> List[bytes]:
    """``data`` split at the positions ``cuts`` (any order, repeats and ends allowed)."""
    bounds = [0, *sorted(set(cuts)), len(data)]
    return [data[a:b] for a, b in zip(bounds, bounds[1:])]


# -- the two parsers, side by side -----------------------------------------------------------------


class Parsed(NamedTuple):
    """A parsed head, the same shape from either parser."""

    start: Tuple[Union[bytes, int], ...]  # (method, target, version) or (version, status)
    headers: Headers  # lower-cased names
    after: int  # where the head, blank line included, ends in the input
    reason: bytes = b""  # h11 only: the reason phrase


def ours(data: bytes, response: bool = False) -> Union[Parsed, HeadError, None]:
    """Our reading of ``data``: the head, the HeadError, or None if no head ends in it."""
    try:
        end, after = find_head_end(data)
        if end < 0:
            return None
        if response:
            version, status, headers = parse_response_head(data[:end])
            return Parsed((version, status), headers, after)
        method, target, version, headers = parse_request_head(data[:end])
    except HeadError as exc:
        return exc
    return Parsed((method, target, version), headers, after)


def upgrading_client() -> Tuple[h11.Connection, bytes]:
    """An h11 client that sent an upgrade request (ready to read any response, 101 included),
    and the request it sent."""
    conn = h11.Connection(h11.CLIENT)
    request = h11.Request(method=b"GET", target=b"/", headers=[(b"Host", b"a"), *UPGRADE_HEADERS])
    return conn, conn.send(request) or b""


def theirs(data: bytes, response: bool = False) -> Union[Parsed, h11.RemoteProtocolError, None]:
    """h11's reading of ``data``: the head, the RemoteProtocolError, or None (needs more data)."""
    conn = upgrading_client()[0] if response else h11.Connection(h11.SERVER)
    conn.receive_data(data)
    try:
        event = conn.next_event()
    except h11.RemoteProtocolError as exc:
        return exc
    if event is h11.NEED_DATA:
        return None
    after = len(data) - len(conn.trailing_data[0])
    if response:
        assert isinstance(event, (h11.InformationalResponse, h11.Response))
        headers = [(name, value) for name, value in event.headers]
        return Parsed((event.http_version, event.status_code), headers, after, event.reason)
    assert isinstance(event, h11.Request)
    headers = [(name, value) for name, value in event.headers]
    return Parsed((event.method, event.target, event.http_version), headers, after)


_WS_RUN = re.compile(rb"[ \t]+")


def _has_obs_fold(head: bytes) -> bool:
    return any(line[:1] in (b" ", b"\t") for line in head.split(b"\n")[1:])


def _collapsed(headers: Headers) -> Headers:
    return [(name, _WS_RUN.sub(b" ", value)) for name, value in headers]


def _h11_host_rule_broken(parsed: Parsed) -> bool:
    """h11 enforces RFC 9112's Host rule while parsing; ours leaves it to the handshake."""
    hosts = sum(name == b"host" for name, _ in parsed.headers)
    return hosts > 1 or (hosts == 0 and parsed.start[2] == b"1.1")


def assert_h11_agrees(data: bytes, response: bool = False) -> None:
    """The differential check: our outcome for ``data`` must be one h11 backs."""
    mine, reference = ours(data, response), theirs(data, response)
    if mine is None:
        # No head yet: h11 waits too, or (first byte < 0x21) refuses the start early.
        assert not isinstance(reference, Parsed), reference
        return
    assert reference is not None, "h11 waits for more data where we found the head's end"
    if isinstance(mine, HeadError):
        assert mine.status == 400, mine
        if isinstance(reference, Parsed):
            if response and not 100 <= int(reference.start[1]) <= 599:
                return  # h11 reads any three digits
            values = b"".join(value for _, value in reference.headers) + reference.reason
            assert any(byte in H11_ONLY_CTL for byte in values), (
                f"we refuse ({mine}) a head h11 reads as {reference}"
            )
        return
    if not response and _h11_host_rule_broken(mine):
        return
    assert isinstance(reference, Parsed), f"we accept {mine} where h11 refuses: {reference}"
    assert mine.start == reference.start
    assert mine.after == reference.after
    if _has_obs_fold(data[: mine.after]):
        # Both replace an obs-fold by spaces, not the same number of them: see test_obs_fold.
        assert _collapsed(mine.headers) == _collapsed(reference.headers)
    else:
        assert mine.headers == reference.headers


# -- 1. our serialiser, read by h11 ----------------------------------------------------------------


@PROPERTY
@given(
    target=st.one_of(targets, targets.map(lambda t: t.decode("ascii"))),
    fields=st.lists(extra_fields(), max_size=6),
    host=hostnames,
    host_at=st.integers(0, 6),
    trailing=st.binary(max_size=16),
)
def test_serialised_request_is_read_by_h11(
    target: Union[bytes, str],
    fields: List[Tuple[Union[bytes, str], Union[bytes, str]]],
    host: bytes,
    host_at: int,
    trailing: bytes,
) -> None:
    fields.insert(min(host_at, len(fields)), (b"Host", host))
    head = serialize_head(request_line(target), [], fields)
    reference = theirs(head + trailing)
    assert isinstance(reference, Parsed), reference
    assert reference.start == (b"GET", _raw(target), b"1.1")
    assert reference.headers == _lower(fields)
    assert reference.after == len(head)


@PROPERTY
@given(fields=st.lists(extra_fields(), max_size=6), trailing=st.binary(max_size=16))
def test_serialised_101_is_read_by_h11(
    fields: List[Tuple[Union[bytes, str], Union[bytes, str]]], trailing: bytes
) -> None:
    head = serialize_head(b"HTTP/1.1 101 Switching Protocols", UPGRADE_HEADERS, fields)
    reference = theirs(head + trailing, response=True)
    assert isinstance(reference, Parsed), reference
    assert reference.start == (b"1.1", 101)
    assert reference.headers == _lower([*UPGRADE_HEADERS, *fields])
    assert reference.after == len(head)


@PROPERTY
@given(
    name=st.one_of(tokens, st.binary(max_size=6)),
    value=st.one_of(field_values(), spoiled(field_values()), st.binary(max_size=10)),
)
@example(name=b"X", value=b"a\x01b")
@example(name=b"X", value=b" a")
@example(name=b"X Y", value=b"a")
def test_valid_field_is_within_h11(name: bytes, value: bytes) -> None:
    """What we agree to write, h11 agrees to write; what we refuse, serialize_head refuses."""
    if valid_field(name, value):
        if name.lower() not in H11_SEMANTIC:  # h11 would check more than the syntax
            h11.Request(method=b"GET", target=b"/", headers=[(name, value)], http_version=b"1.0")
        serialize_head(b"GET / HTTP/1.1", [], [(name, value)])
    else:
        with pytest.raises(HeadError):
            serialize_head(b"GET / HTTP/1.1", [], [(name, value)])


# -- 2. h11's serialiser, read by our parser -------------------------------------------------------


@PROPERTY
@given(
    method=tokens,
    target=targets,
    host=hostnames,
    names=st.lists(field_names(), max_size=6),
    data=st.data(),
    tolerated_ctl=st.booleans(),
    trailing=st.binary(max_size=16),
)
def test_h11_request_is_read_by_our_parser(
    method: bytes,
    target: bytes,
    host: bytes,
    names: List[bytes],
    data: st.DataObject,
    tolerated_ctl: bool,
    trailing: bytes,
) -> None:
    """Same fields; values with control characters (h11 writes them) we refuse with a 400."""
    alphabet = FIELD_VCHAR + H11_ONLY_CTL if tolerated_ctl else FIELD_VCHAR
    fields = [(name, data.draw(field_values(alphabet))) for name in names]
    request = h11.Request(method=method, target=target, headers=[(b"Host", host), *fields])
    head = h11.Connection(h11.CLIENT).send(request)
    assert head is not None
    mine = ours(head + trailing)
    if any(byte in H11_ONLY_CTL for _, value in fields for byte in value):
        assert isinstance(mine, HeadError) and mine.status == 400, mine
        return
    assert mine == Parsed((method, target, b"1.1"), _lower([(b"Host", host), *fields]), len(head))


@PROPERTY
@given(
    status=st.one_of(st.just(101), st.integers(100, 599)),
    reason=field_values(),
    fields=st.lists(st.tuples(field_names(), field_values()), max_size=6),
    trailing=st.binary(max_size=16),
)
def test_h11_response_is_read_by_our_parser(
    status: int, reason: bytes, fields: Headers, trailing: bytes
) -> None:
    """An h11 server answers an upgrade request; 101 above all, and any other status."""
    _, request = upgrading_client()
    server = h11.Connection(h11.SERVER)
    server.receive_data(request)
    assert isinstance(server.next_event(), h11.Request)
    kind = h11.InformationalResponse if status < 200 else h11.Response
    headers = [*UPGRADE_HEADERS, *fields] if status == 101 else fields
    head = server.send(kind(status_code=status, reason=reason, headers=headers))
    assert head is not None
    mine = ours(head + trailing, response=True)
    reference = theirs(head + trailing, response=True)
    assert isinstance(mine, Parsed) and isinstance(reference, Parsed), (mine, reference)
    assert mine.start == reference.start == (b"1.1", status)
    assert mine.headers == reference.headers  # h11 may add framing headers to a Response
    assert mine.after == reference.after == len(head)
    if status < 200:
        assert mine.headers == _lower(headers)


# -- 3. hostile heads ------------------------------------------------------------------------------


def knob(rough: bool, good: Sequence[bytes], bad: Sequence[bytes]) -> SearchStrategy[bytes]:
    """One of ``good``; in a rough head, one of ``bad`` about one time in ten."""
    if not rough:
        return st.sampled_from(good)
    copies = math.ceil(9 * len(bad) / len(good))
    return st.sampled_from([*good] * copies + [*bad])


def line_ends(rough: bool) -> SearchStrategy[bytes]:
    return knob(rough, [b"\r\n", b"\r\n", b"\r\n", b"\n"], [b"\r", b"\r\r\n", b"\n\r", b""])


@st.composite
def field_lines(draw: st.DrawFn, rough: bool) -> bytes:
    """A header field line; a rough one may have whitespace before the colon, or no colon."""
    name = draw(field_names())
    before_colon = draw(knob(rough, [b""], [b" ", b"\t"]))
    colon = draw(knob(rough, [b":"], [b"", b"::"]))
    return name + before_colon + colon + draw(ows) + draw(field_values()) + draw(ows)


@st.composite
def continuation_lines(draw: st.DrawFn) -> bytes:
    """An obs-fold continuation line: SP/HTAB, then more of the previous field's value."""
    return draw(_bytes_of(b" \t", 1, 3)) + draw(field_values()) + draw(ows)


@st.composite
def heads(draw: st.DrawFn, start_line: bytes, rough: bool, host: bool) -> bytes:
    """A head after ``start_line``: field lines (one in four an obs-fold continuation line), a
    Host field if ``host``, the blank line, and a few bytes of what follows."""
    field = field_lines(rough)
    lines = draw(st.lists(st.one_of(field, field, field, continuation_lines()), max_size=5))
    if host:
        lines.insert(draw(st.integers(0, len(lines))), b"Host: " + draw(hostnames))
    head = start_line + draw(line_ends(rough))
    for line in lines:
        head += line + draw(line_ends(rough))
    return head + draw(st.sampled_from([b"\r\n", b"\n"])) + draw(st.binary(max_size=8))


@st.composite
def request_heads(draw: st.DrawFn) -> bytes:
    """A request head (plus what follows it): about half rough, the others well-formed."""
    rough = draw(st.booleans())
    method = draw(st.one_of(st.just(b"GET"), tokens))
    target = draw(st.one_of(st.just(b"/"), targets))
    version = draw(knob(rough, [b"HTTP/1.1", b"HTTP/1.0", b"HTTP/2.0"], [b"http/1.1", b"HTTP/1"]))
    sep = knob(rough, [b" "], [b"  ", b"\t"])
    start_line = method + draw(sep) + target + draw(sep) + version
    return draw(heads(start_line, rough, host=True))


@st.composite
def response_heads(draw: st.DrawFn) -> bytes:
    """A response head (plus what follows it): about half rough, the others well-formed."""
    rough = draw(st.booleans())
    version = draw(knob(rough, [b"HTTP/1.1", b"HTTP/1.0", b"HTTP/2.0"], [b"http/1.1", b"HTTP/1"]))
    status = draw(st.one_of(st.just(101), st.integers(0, 999)))
    code = draw(knob(rough, [b"%03d"], [b"%d", b"%04d"])) % status
    reason = draw(st.one_of(st.just(None), field_values()))
    start_line = version + b" " + code + (b"" if reason is None else b" " + reason)
    return draw(heads(start_line, rough, host=False))


@PROPERTY
@given(data=spoiled(request_heads()))
@example(data=b"GET / HTTP/1.1\r\nHost: a\r\nX: b\r\n c \r\n d\r\n\r\n")
@example(data=b"GET / HTTP/1.1\r\nHost : a\r\n\r\n")
@example(data=b"GET / HTTP/1.1\r\n Host: a\r\n\r\n")
@example(data=b"GET / HTTP/1.1\r\nHost: a\x00\r\n\r\n")
@example(data=b"GET / HTTP/1.1\r\nHost: a\r\nX: \x01\r\n\r\n")
@example(data=b"\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n")
def test_hostile_request_heads(data: bytes) -> None:
    assert_h11_agrees(data)


@PROPERTY
@given(data=spoiled(response_heads()))
@example(data=b"HTTP/1.1 101\r\nUpgrade: websocket\r\n\r\n")
@example(data=b"HTTP/1.1 101 a\x01b\r\n\r\n")
@example(data=b"HTTP/1.1 1010 x\r\n\r\n")
def test_hostile_response_heads(data: bytes) -> None:
    assert_h11_agrees(data, response=True)


#: Every line end variant, hostile ones included.
LINE_END_VARIANTS = (b"\r\n", b"\n", b"\r", b"\r\r\n", b"\n\r", b"", b" \r\n", b"\r \n")


@pytest.mark.parametrize(
    ("start_line", "response"), [(b"GET / HTTP/1.1", False), (b"HTTP/1.1 101 OK", True)]
)
def test_every_line_end(start_line: bytes, response: bool) -> None:
    """Exhaustively: each line of a small head ended by each variant, then either blank line."""
    lines = [start_line, b"Host: a", b"X: b"]
    for ends in itertools.product(LINE_END_VARIANTS, repeat=len(lines)):
        for blank in (b"\r\n", b"\n"):
            head = b"".join(line + end for line, end in zip(lines, ends))
            assert_h11_agrees(head + blank + b"\x81\x80", response)


@pytest.mark.parametrize(
    ("head", "response"),
    [
        (b"GET /a HTTP/1.1\r\nHost: a\r\nX: b c\r\n\r\n", False),
        (b"GET /a HTTP/1.1\nHost: a\nX:\n\n", False),
        (b"HTTP/1.1 101 OK\r\nUpgrade: websocket\r\n\r\n", True),
    ],
)
def test_every_hostile_piece_everywhere(head: bytes, response: bool) -> None:
    """Exhaustively: each hostile piece inserted at each position of a small valid head."""
    for at in range(len(head) + 1):
        for piece in HOSTILE_PIECES:
            assert_h11_agrees(head[:at] + piece + head[at:], response)


@PROPERTY
@given(data=st.one_of(st.binary(max_size=64), _bytes_of(b"\r\n\t :aG/H1.", 0, 64)))
def test_arbitrary_bytes(data: bytes) -> None:
    """Any bytes at all: a head, None, or HeadError(400) from either parser; nothing else."""
    for response in (False, True):
        outcome = ours(data, response)
        assert outcome is None or isinstance(outcome, Parsed) or outcome.status == 400


def test_obs_fold() -> None:
    """Both parsers replace an obs-fold by spaces, with different counts:

    h11 appends a space and the continuation line without its leading whitespace, so the
    whitespace ending a continuation line stays; ours also strips that (but keeps the whitespace
    ending the field's first line). Both are allowed (RFC 9112 section 5.2: "one or more SP").
    """
    data = b"GET / HTTP/1.1\r\nHost: a\r\nX: b \r\n\t c \t\r\n  d\r\n\r\n"
    mine, reference = ours(data), theirs(data)
    assert isinstance(mine, Parsed) and isinstance(reference, Parsed)
    assert mine.headers == [(b"host", b"a"), (b"x", b"b  c d")]
    assert reference.headers == [(b"host", b"a"), (b"x", b"b  c \t d")]


# -- 4. where a head ends --------------------------------------------------------------------------


def _find_incrementally(data: bytes, cuts: Sequence[int]) -> Union[Tuple[int, int], int]:
    """Feed ``data`` in pieces, resuming the search as the handshake does.

    Returns the boundary, (-1, -1) if there is none, or the status of the HeadError raised.
    """
    buffer = bytearray()
    scanned = 0
    for chunk in _cut(data, cuts):
        buffer += chunk
        try:
            end, after = find_head_end(buffer, scanned)
        except HeadError as exc:
            return exc.status
        if end >= 0:
            return end, after
        scanned = len(buffer)
    return -1, -1


@PROPERTY
@given(data=st.one_of(spoiled(request_heads()), _bytes_of(b"\r\na ", 0, 24)))
@example(data=b"GET / HTTP/1.1\r\n\r\n")
@example(data=b"a\r\r\n\r\n")
@example(data=b"a\n\r\n")
def test_find_head_end_split_anywhere(data: bytes) -> None:
    whole = _find_incrementally(data, [])
    byte_by_byte = _find_incrementally(data, range(len(data)))
    assert byte_by_byte == whole
    for cut in range(len(data) + 1):
        assert _find_incrementally(data, [cut]) == whole, cut


def _padded_head(size: int) -> bytes:
    """A valid request head of exactly ``size`` bytes, blank line included."""
    head = b"GET / HTTP/1.1\r\nHost: a\r\nX-Pad: \r\n\r\n"
    return head[:-4] + b"p" * (size - len(head)) + head[-4:]


@FEW
@given(
    delta=st.integers(-4, 4),
    terminated=st.booleans(),
    cuts=st.lists(st.integers(0, MAX_HEAD_SIZE + 8), max_size=6),
)
def test_find_head_end_size_limit(delta: int, terminated: bool, cuts: List[int]) -> None:
    """A head may be MAX_HEAD_SIZE bytes long, blank line included; beyond it: 431."""
    size = MAX_HEAD_SIZE + delta
    data = _padded_head(size) if terminated else _padded_head(size + 4)[:size]
    boundary = (size - 2, size) if terminated else (-1, -1)  # the last line keeps its CRLF
    expected = 431 if size > MAX_HEAD_SIZE else boundary
    assert _find_incrementally(data, cuts) == expected
    if terminated:
        assert _find_incrementally(data + b"\x81\x00", cuts) == expected  # what follows: no matter


# -- the public API --------------------------------------------------------------------------------


@st.composite
def upgrade_requests(draw: st.DrawFn) -> Tuple[bytes, bytes, bytes, Headers]:
    """An h11-written upgrade request: (its bytes, host, target, the headers in order sent)."""
    host, target = draw(hostnames), b"/" + draw(targets)
    key = base64.b64encode(draw(st.binary(min_size=16, max_size=16)))
    fields = [
        *UPGRADE_HEADERS,
        (b"Sec-WebSocket-Key", key),
        (b"Sec-WebSocket-Version", b"13"),
        *draw(st.lists(st.tuples(field_names(HANDSHAKE_NAMES), field_values()))),
    ]
    fields = draw(st.permutations(fields))
    fields = [(draw(st.sampled_from([name, name.lower(), name.upper()])), v) for name, v in fields]
    request = h11.Request(method=b"GET", target=target, headers=[(b"HOST", host), *fields])
    data = h11.Connection(h11.CLIENT).send(request)
    assert data is not None
    return data, host, target, _lower([(b"Host", host), *fields])


@PROPERTY
@given(request=upgrade_requests(), data=st.data())
def test_server_reads_an_h11_upgrade_request_in_any_chunks(
    request: Tuple[bytes, bytes, bytes, Headers], data: st.DataObject
) -> None:
    raw, host, target, headers = request
    cuts = data.draw(st.lists(st.integers(0, len(raw)), max_size=8), label="cuts")
    ws = WSConnection(ConnectionType.SERVER)
    events: List[Event] = []
    for chunk in _cut(raw, cuts):
        ws.receive_data(chunk)
        events += ws.events()
    assert len(events) == 1, events
    (event,) = events
    assert isinstance(event, Request)
    assert event.host == host.decode("ascii")
    assert event.target == target.decode("ascii")
    # As in 1.x: Host and the two negotiated headers are carried in the event's own fields.
    fields = (b"host", b"sec-websocket-extensions", b"sec-websocket-protocol")
    assert list(event.extra_headers) == [(n, v) for n, v in headers if n not in fields]


def test_server_refuses_an_oversized_head_with_431() -> None:
    ws = WSConnection(ConnectionType.SERVER)
    data = _padded_head(MAX_HEAD_SIZE + 8)[: MAX_HEAD_SIZE + 1]
    ws.receive_data(data[:MAX_HEAD_SIZE])
    assert list(ws.events()) == []
    with pytest.raises(RemoteProtocolError) as info:
        ws.receive_data(data[MAX_HEAD_SIZE:])
    assert isinstance(info.value.event_hint, RejectConnection)
    assert info.value.event_hint.status_code == 431


# -- regressions: found by these tests (h11 refuses, we once accepted) ------------------------


@pytest.mark.parametrize(
    ("data", "response"),
    [
        (b"GET / HTTP/1.1\r\nHost: a\r\r\n\r\n", False),
        (b"GET / HTTP/1.1\r\r\n\r\n", False),
        (b"GET / HTTP/1.1\r\nHost: a\r\r\n\n", False),
        (b"HTTP/1.1 101 Switching Protocols\r\r\n\r\n", True),
    ],
)
def test_a_bare_cr_ending_the_last_line_is_refused(data: bytes, response: bool) -> None:
    """RFC 9112 section 2.2: a bare CR is invalid; it was once dropped with the CRLF after it."""
    assert not isinstance(theirs(data, response), Parsed)
    assert isinstance(ours(data, response), HeadError)


@pytest.mark.parametrize("data", [b"HTTP/1.1 000\r\n\r\n", b"HTTP/1.1 099 x\r\n\r\n"])
def test_status_codes_below_100_are_refused(data: bytes) -> None:
    """RFC 9110 section 15: they were once read, and skipped by the client as interim ones."""
    assert not isinstance(theirs(data, response=True), Parsed)
    assert isinstance(ours(data, response=True), HeadError)
