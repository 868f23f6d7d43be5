"""Every preset talks to upstream wsproto 1.3.2 as its peer, in both roles, over a byte pipe.

The upstream side runs in its own process (a venv with wsproto==1.3.2); bytes
go back and forth through the test. Several messages per direction, so a side
that ignores an agreed or announced parameter (context takeover, window size)
breaks its peer's decompressor.
"""

from __future__ import annotations

import importlib.util
import random
from pathlib import Path
from typing import Any, Dict, List, Union

import pytest
from wsproto_deflate._presets import PRESETS

from wsproto import ConnectionType, WSConnection
from wsproto.events import (
    AcceptConnection,
    BytesMessage,
    Event,
    Message,
    Request,
    TextMessage,
)
from wsproto_deflate import PerMessageDeflate

from .upstream import Upstream, UpstreamConnection

pytestmark = pytest.mark.installs

UPSTREAM_CONFIGS: Dict[str, Dict[str, Any]] = {
    "defaults": {},
    "no_context_takeover": {"client_no_context_takeover": True, "server_no_context_takeover": True},
    "windows_9": {"client_max_window_bits": 9, "server_max_window_bits": 9},
    "server_window_10": {"server_max_window_bits": 10},
}


CORPUS = Path(__file__).resolve().parents[2] / "wsproto_deflate" / "bench" / "corpus.py"


def corpus_messages() -> List[Union[str, bytes]]:
    """Four ~4 KiB JSON messages of the benchmark's corpus, short, empty and binary ones."""
    loaded = importlib.util.spec_from_file_location("deflate_bench_corpus", CORPUS)
    assert loaded is not None and loaded.loader is not None
    module = importlib.util.module_from_spec(loaded)
    loaded.loader.exec_module(module)
    json_messages = module.json_messages
    rng = random.Random(3)
    texts: List[Union[str, bytes]] = list(json_messages(4))
    return [*texts, "Hello", "", bytes(rng.randrange(256) for _ in range(3000)), texts[0]]


def ours_events(conn: WSConnection, data: bytes) -> List[Event]:
    conn.receive_data(data)
    return list(conn.events())


def joined_ours(events: List[Event]) -> List[Union[str, bytes]]:
    out: List[Union[str, bytes]] = []
    part: Any = None
    for event in events:
        assert isinstance(event, Message), event
        part = event.data if part is None else part + event.data
        if event.message_finished:
            out.append(part)
            part = None
    return out


def joined_upstream(events: List[Dict[str, Any]]) -> List[Union[str, bytes]]:
    out: List[Union[str, bytes]] = []
    part: Any = None
    for event in events:
        assert event["type"] in ("TextMessage", "BytesMessage"), event
        data = event["data"] if "data" in event else bytes.fromhex(event["hex"])
        part = data if part is None else part + data
        if event["fin"]:
            out.append(part)
            part = None
    return out


def spec(message: Union[str, bytes], fin: bool = True) -> Dict[str, Any]:
    if isinstance(message, str):
        return {"type": "text", "data": message, "fin": fin}
    return {"type": "bytes", "hex": message.hex(), "fin": fin}


def event_of(message: Union[str, bytes], fin: bool = True) -> Event:
    if isinstance(message, str):
        return TextMessage(data=message, message_finished=fin)
    return BytesMessage(data=message, message_finished=fin)


def exchange(ours: WSConnection, theirs: UpstreamConnection) -> None:
    messages = corpus_messages()
    for message in messages:  # ours -> upstream
        got = joined_upstream(theirs.receive(ours.send(event_of(message))))
        assert got == [message]
    for message in messages:  # upstream -> ours
        got = joined_ours(ours_events(ours, theirs.send(spec(message))))
        assert got == [message]
    # a fragmented message each way
    text = str(messages[0])
    half = len(text) // 2
    wire = ours.send(event_of(text[:half], fin=False)) + ours.send(event_of(text[half:]))
    assert joined_upstream(theirs.receive(wire)) == [text]
    wire = theirs.send(spec(text[:half], fin=False)) + theirs.send(spec(text[half:]))
    assert joined_ours(ours_events(ours, wire)) == [text]


@pytest.mark.parametrize("preset", sorted(PRESETS))
@pytest.mark.parametrize("their_config", sorted(UPSTREAM_CONFIGS))
def test_our_server_with_upstream_client(
    upstream: Upstream, preset: str, their_config: str
) -> None:
    client = upstream.connection("client")
    server = WSConnection(ConnectionType.SERVER)
    request = client.send({"type": "request", "extensions": [UPSTREAM_CONFIGS[their_config]]})
    (event,) = ours_events(server, request)
    assert isinstance(event, Request)
    (accepted,) = client.receive(
        server.send(AcceptConnection(extensions=[PerMessageDeflate(preset=preset)]))
    )
    assert accepted["type"] == "AcceptConnection"
    assert len(accepted["extensions"]) == 1, accepted
    exchange(server, client)


@pytest.mark.parametrize("preset", sorted(PRESETS))
@pytest.mark.parametrize("their_config", sorted(UPSTREAM_CONFIGS))
def test_our_client_with_upstream_server(
    upstream: Upstream, preset: str, their_config: str
) -> None:
    server = upstream.connection("server")
    client = WSConnection(ConnectionType.CLIENT)
    (request,) = server.receive(
        client.send(
            Request(host="localhost", target="/", extensions=[PerMessageDeflate(preset=preset)])
        )
    )
    assert request["type"] == "Request"
    response = server.send({"type": "accept", "extensions": [UPSTREAM_CONFIGS[their_config]]})
    (event,) = ours_events(client, response)
    assert isinstance(event, AcceptConnection)
    assert [e.name for e in event.extensions] == ["permessage-deflate"]
    exchange(client, server)
