"""Helpers for the core tests: connected pairs, frame builders, and a chunking replayer."""

from __future__ import annotations

import random
import struct
from typing import Iterable, List, Optional, Sequence, Tuple

from wsproto import ConnectionType, WSConnection
from wsproto.connection import Connection
from wsproto.events import (
    AcceptConnection,
    BytesMessage,
    Event,
    Message,
    Request,
    TextMessage,
)


def handshake_pair(
    client_request: Optional[Request] = None,
    accept: Optional[AcceptConnection] = None,
    **limits: Optional[int],
) -> Tuple[WSConnection, WSConnection]:
    """Return an open (client, server) pair of WSConnections."""
    client = WSConnection(ConnectionType.CLIENT, **limits)
    server = WSConnection(ConnectionType.SERVER, **limits)
    server.receive_data(client.send(client_request or Request(host="localhost", target="/")))
    assert isinstance(next(server.events()), Request)
    client.receive_data(server.send(accept or AcceptConnection()))
    assert isinstance(next(client.events()), AcceptConnection)
    return client, server


def frame(
    opcode: int,
    payload: bytes,
    *,
    fin: bool = True,
    rsv: int = 0,
    mask: Optional[bytes] = b"\x01\x02\x03\x04",
    length_override: Optional[int] = None,
    length_encoding: Optional[int] = None,
) -> bytes:
    """Build a raw frame; ``mask=None`` builds an unmasked (server) frame."""
    byte0 = (0x80 if fin else 0) | rsv | opcode
    n = len(payload) if length_override is None else length_override
    encoding = length_encoding
    if encoding is None:
        encoding = 7 if n < 126 else 16 if n < 0x10000 else 64
    mask_bit = 0x80 if mask is not None else 0
    if encoding == 7:
        header = bytes((byte0, mask_bit | n))
    elif encoding == 16:
        header = bytes((byte0, mask_bit | 126)) + struct.pack("!H", n)
    else:
        header = bytes((byte0, mask_bit | 127)) + struct.pack("!Q", n)
    if mask is None:
        return header + payload
    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return header + mask + masked


def server_side(**kwargs: Optional[int]) -> Connection:
    return Connection(ConnectionType.SERVER, **kwargs)  # type: ignore[arg-type]


def client_side(**kwargs: Optional[int]) -> Connection:
    return Connection(ConnectionType.CLIENT, **kwargs)  # type: ignore[arg-type]


def feed(conn: Connection, data: bytes) -> List[Event]:
    conn.receive_data(data)
    return list(conn.events())


def coalesce(events: Iterable[Event]) -> List[Event]:
    """Join message chunks into whole messages, so that chunkings can be compared."""
    out: List[Event] = []
    parts: List[object] = []
    for event in events:
        if isinstance(event, Message):
            parts.append(event.data)
            if event.message_finished:
                if isinstance(event, TextMessage):
                    out.append(TextMessage("".join(parts)))  # type: ignore[arg-type]
                else:
                    out.append(BytesMessage(b"".join(parts)))  # type: ignore[arg-type]
                parts = []
        else:
            out.append(event)
    if parts:
        out.append(("unfinished", parts))  # type: ignore[arg-type]
    return out


def chunkings(data: bytes, seed: int = 0, random_splits: int = 5) -> List[List[bytes]]:
    """Return the stream whole, one byte at a time, and in several random splits."""
    result = [[data], [data[i : i + 1] for i in range(len(data))]]
    rng = random.Random(seed)
    for _ in range(random_splits):
        pieces = []
        i = 0
        while i < len(data):
            step = rng.randint(1, max(1, len(data) // 3))
            pieces.append(data[i : i + step])
            i += step
        result.append(pieces)
    return result


def replay(make: type[Connection] | object, data: bytes, role: ConnectionType) -> List[Event]:
    """Feed ``data`` to fresh connections in every chunking; assert identical reassembled events."""
    reference: Optional[List[Event]] = None
    for pieces in chunkings(data):
        conn = Connection(role)
        events: List[Event] = []
        for piece in pieces:
            conn.receive_data(piece)
            events.extend(conn.events())
        merged = coalesce(events)
        if reference is None:
            reference = merged
        else:
            assert merged == reference, f"chunking {[len(p) for p in pieces][:20]} differs"
    assert reference is not None
    return reference


def replay_stream(data: bytes, role: ConnectionType) -> List[Event]:
    return replay(Connection, data, role)


def masked_frames(frames: Sequence[bytes]) -> bytes:
    return b"".join(frames)
