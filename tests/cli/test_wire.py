"""The read-only frame scanner behind the demo transcript and ``--verbose``."""

from __future__ import annotations

from typing import List

import pytest

from wsproto._cli.wire import FrameInfo, FrameLog, FrameScanner
from wsproto.connection import Connection, ConnectionType
from wsproto.events import BytesMessage, CloseConnection, Ping, TextMessage


def _stream(client: bool) -> bytes:
    conn = Connection(ConnectionType.CLIENT if client else ConnectionType.SERVER)
    out = b""
    out += conn.send(TextMessage(data="hi"))
    out += conn.send(BytesMessage(data=b"x" * 300, message_finished=False))  # 16-bit length
    out += conn.send(BytesMessage(data=b"y" * 70000))  # 64-bit length, CONTINUATION + FIN
    out += conn.send(Ping(payload=b""))
    out += conn.send(CloseConnection(code=1000))
    return out


@pytest.mark.parametrize("client", [True, False])
@pytest.mark.parametrize("chunk", [1, 3, 7, 1000, 10**6])
def test_finds_every_frame_whatever_the_chunking(client: bool, chunk: int) -> None:
    data = _stream(client)
    scanner = FrameScanner()
    frames: List[FrameInfo] = []
    ends: List[int] = []
    for start in range(0, len(data), chunk):
        for frame in scanner.feed(data[start : start + chunk]):
            frames.append(frame)
            ends.append(start + frame.end)
    assert [f.opcode_name for f in frames] == ["TEXT", "BINARY", "CONTINUATION", "PING", "CLOSE"]
    assert [f.payload_length for f in frames] == [2, 300, 70000, 0, 2]
    assert [f.fin for f in frames] == [True, False, True, True, True]
    assert all(f.masked is client for f in frames)
    assert not any(f.rsv1 or f.rsv2 or f.rsv3 for f in frames)
    assert ends[-1] == len(data)
    assert frames[0].flags == ("FIN MASK" if client else "FIN")


def test_frame_log_lines() -> None:
    lines: List[str] = []
    log = FrameLog(lines.append, "peer")
    conn = Connection(ConnectionType.SERVER)
    data = conn.send(TextMessage(data="hello"))
    log.sent(data[:1])
    assert lines == []  # incomplete frames are not logged yet
    log.sent(data[1:])
    log.received(Connection(ConnectionType.CLIENT).send(Ping(payload=b"p")))
    assert lines == ["peer -> TEXT [FIN] payload 5 B", "peer <- PING [FIN MASK] payload 1 B"]
    assert FrameInfo(3, False, False, False, False, False, 0, 0).opcode_name == "0x3"
