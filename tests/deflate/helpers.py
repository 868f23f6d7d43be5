"""Client/server WSConnection pairs with permessage-deflate, and a raw-frame helper."""

from __future__ import annotations

import os
from typing import Any, List, Optional, Sequence, Tuple

from wsproto import ConnectionType, WSConnection
from wsproto.events import (
    AcceptConnection,
    BytesMessage,
    CloseConnection,
    Event,
    Message,
    Request,
    TextMessage,
)
from wsproto.extensions import Extension
from wsproto_deflate import PerMessageDeflate


def events(conn: WSConnection, data: Optional[bytes] = None) -> List[Event]:
    """Feed ``data`` (if any) and return every event it produced."""
    if data is not None:
        conn.receive_data(data)
    return list(conn.events())


class Pair:
    """An open client<->server pair; ``client_ext``/``server_ext`` are the negotiated ones."""

    def __init__(
        self,
        client_exts: Sequence[Extension],
        server_exts: Sequence[Extension],
        client_kwargs: Optional[dict[str, Any]] = None,
        server_kwargs: Optional[dict[str, Any]] = None,
    ) -> None:
        self.client = WSConnection(ConnectionType.CLIENT, **(client_kwargs or {}))
        self.server = WSConnection(ConnectionType.SERVER, **(server_kwargs or {}))
        request = self.client.send(
            Request(host="localhost", target="/", extensions=list(client_exts))
        )
        got = events(self.server, request)
        assert isinstance(got[0], Request), got
        self.offer_header = got[0].extensions
        response = self.server.send(AcceptConnection(extensions=list(server_exts)))
        got = events(self.client, response)
        assert isinstance(got[0], AcceptConnection), got
        self.accepted = got[0].extensions
        self.response = response

    def extension(self, side: str) -> Optional[PerMessageDeflate]:
        """The PerMessageDeflate in force on ``side`` ("client" or "server"), if any."""
        conn = self.client if side == "client" else self.server
        assert conn.connection is not None
        for ext in conn.connection.extensions:
            if isinstance(ext, PerMessageDeflate):
                return ext
        return None

    def send(self, sender: str, event: Event) -> bytes:
        """Send one event from ``sender``; return the bytes on the wire."""
        return (self.client if sender == "client" else self.server).send(event)

    def deliver(self, sender: str, event: Event) -> List[Event]:
        """Send one event from ``sender`` and return what the other side received."""
        receiver = self.server if sender == "client" else self.client
        return events(receiver, self.send(sender, event))


def deflate_pair(
    client: Optional[PerMessageDeflate] = None,
    server: Optional[PerMessageDeflate] = None,
    **kwargs: Any,
) -> Pair:
    """A pair that negotiated permessage-deflate (fails the test if it did not)."""
    pair = Pair([client or PerMessageDeflate()], [server or PerMessageDeflate()], **kwargs)
    assert pair.extension("client") is not None and pair.extension("server") is not None
    return pair


def join_message(received: Sequence[Event]) -> Tuple[Any, List[Event]]:
    """Join the Message chunks of one message; return (data, the other events)."""
    parts: List[Any] = []
    rest: List[Event] = []
    for event in received:
        if isinstance(event, Message):
            parts.append(event.data)
        else:
            rest.append(event)
    if parts and isinstance(parts[0], str):
        return "".join(parts), rest
    return b"".join(parts), rest


def close_code(received: Sequence[Event]) -> Optional[int]:
    """The code of the first CloseConnection among ``received``."""
    for event in received:
        if isinstance(event, CloseConnection):
            return int(event.code)
    return None


def frame(byte0: int, payload: bytes, mask: bool) -> bytes:
    """Build one raw frame (``mask``: as a client sends it, with a fixed key)."""
    n = len(payload)
    if n < 126:
        header = bytes((byte0, n | (0x80 if mask else 0)))
    elif n < 0x10000:
        header = bytes((byte0, 126 | (0x80 if mask else 0))) + n.to_bytes(2, "big")
    else:
        header = bytes((byte0, 127 | (0x80 if mask else 0))) + n.to_bytes(8, "big")
    if not mask:
        return header + payload
    key = os.urandom(4)
    return header + key + bytes(b ^ key[i & 3] for i, b in enumerate(payload))


def split_frames(data: bytes) -> List[Tuple[int, bytes]]:
    """Parse wire bytes into (first header byte, unmasked payload) pairs."""
    frames = []
    pos = 0
    while pos < len(data):
        byte0, byte1 = data[pos], data[pos + 1]
        n = byte1 & 0x7F
        pos += 2
        if n == 126:
            n = int.from_bytes(data[pos : pos + 2], "big")
            pos += 2
        elif n == 127:
            n = int.from_bytes(data[pos : pos + 8], "big")
            pos += 8
        key = b""
        if byte1 & 0x80:
            key = data[pos : pos + 4]
            pos += 4
        payload = data[pos : pos + n]
        pos += n
        if key:
            payload = bytes(b ^ key[i & 3] for i, b in enumerate(payload))
        frames.append((byte0, payload))
    return frames


__all__ = [
    "BytesMessage",
    "Pair",
    "TextMessage",
    "close_code",
    "deflate_pair",
    "events",
    "frame",
    "join_message",
    "split_frames",
]
