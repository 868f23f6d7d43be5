"""The README's Python snippets run, and whole conversations survive any chunking."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from core_helpers import chunkings, coalesce

from wsproto import ConnectionType, WSConnection
from wsproto.events import (
    AcceptConnection,
    BytesMessage,
    CloseConnection,
    Event,
    Ping,
    Request,
    TextMessage,
)

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_python_blocks_run() -> None:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)
    assert blocks
    for block in blocks:
        exec(compile(block, str(README), "exec"), {})


def conversation() -> bytes:
    """The client's whole byte stream: handshake, messages, pings, fragments, close."""
    client = WSConnection(ConnectionType.CLIENT)
    server = WSConnection(ConnectionType.SERVER)
    out = client.send(Request(host="h", target="/", subprotocols=["p"]))
    server.receive_data(out)
    list(server.events())
    client.receive_data(server.send(AcceptConnection(subprotocol="p")))
    list(client.events())
    out += client.send(TextMessage("héllo wörld ✓"))
    out += client.send(BytesMessage(b"\x00" * 300, message_finished=False))
    out += client.send(Ping(b"mid"))
    out += client.send(BytesMessage(b"\xff" * 70000))
    out += client.send(TextMessage("€" * 10, message_finished=False))
    out += client.send(TextMessage("😀"))
    out += client.send(CloseConnection(1000, "bye"))
    return out


@pytest.mark.parametrize("index", range(7))
def test_server_sees_same_events_in_every_chunking(index: int) -> None:
    data = conversation()
    pieces = chunkings(data, seed=index)[index]
    server = WSConnection(ConnectionType.SERVER)
    events: list[Event] = []
    for piece in pieces:
        server.receive_data(piece)
        for event in server.events():
            events.append(event)
            if isinstance(event, Request):
                server.send(AcceptConnection(subprotocol="p"))
    merged = coalesce(events)
    assert isinstance(merged[0], Request)
    assert merged[1:] == [
        TextMessage("héllo wörld ✓"),
        Ping(b"mid"),
        BytesMessage(b"\x00" * 300 + b"\xff" * 70000),
        TextMessage("€" * 10 + "😀"),
        CloseConnection(1000, "bye"),
    ]
