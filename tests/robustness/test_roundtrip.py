"""Round trip and chunking invariance: no extension, permessage-deflate, the example plugins."""

from __future__ import annotations

from typing import Any, Dict, List

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wsproto import ConnectionType, WSConnection
from wsproto.events import AcceptConnection, Message, Request

from ._support import (
    DEFLATE_PARAMS,
    SETUPS,
    Reassembler,
    deflate_factory,
    deflate_id,
    deliver,
    interleavings,
    negotiated,
    op_sequences,
    open_pair,
    robust_settings,
    send_ops,
    setup_factory,
    split_points,
)


@pytest.mark.parametrize("setup", SETUPS)
@pytest.mark.parametrize("direction", ["client->server", "server->client"])
@robust_settings()
@given(data=st.data())
def test_round_trip(setup: str, direction: str, data: st.DataObject) -> None:
    """Whatever one side sends, the other reassembles exactly, in order."""
    factory = setup_factory(setup)
    client, server = open_pair(factory)
    if setup != "none":
        assert negotiated(client) == negotiated(server) and negotiated(client)
    sender, receiver = (client, server) if direction == "client->server" else (server, client)
    ops = data.draw(op_sequences(), label="ops")
    slipped = data.draw(interleavings(), label="slipped controls")
    wire, expected = send_ops(sender, ops, slipped)
    cuts = data.draw(split_points(len(wire)), label="cuts")
    assert deliver(wire, receiver, cuts) == expected


@pytest.mark.parametrize("params", DEFLATE_PARAMS, ids=deflate_id)
def test_deflate_parameter_combinations(params: Dict[str, Any]) -> None:
    """Every RFC 7692 parameter combination negotiates and round-trips both ways."""
    factory = deflate_factory(params)
    client, server = open_pair(factory)
    assert negotiated(client) == ["permessage-deflate"] == negotiated(server)
    ops: List[Any] = [
        ("text", ["hello " * 50]),
        ("bytes", [bytes(range(256)) * 40, b"", b"tail"]),
        ("ping", b"p"),
        ("text", ["", "é" * 3000, "\U0001f600"]),
        ("bytes", [b""]),
        ("text", ["hello " * 50]),  # a repeat exercises context takeover
    ]
    for sender, receiver in ((client, server), (server, client)):
        wire, expected = send_ops(sender, ops)
        assert deliver(wire, receiver, range(1, len(wire), 7)) == expected


@robust_settings(0.5)
@given(data=st.data(), params=st.sampled_from(DEFLATE_PARAMS))
def test_round_trip_deflate_any_params(data: st.DataObject, params: Dict[str, Any]) -> None:
    """Random traffic under a random parameter combination, both directions at once."""
    client, server = open_pair(deflate_factory(params))
    for sender, receiver in ((client, server), (server, client)):
        ops = data.draw(op_sequences(max_size=6))
        wire, expected = send_ops(sender, ops)
        assert deliver(wire, receiver, data.draw(split_points(len(wire)))) == expected


@pytest.mark.parametrize("setup", SETUPS)
@robust_settings()
@given(data=st.data())
def test_chunking_invariance_with_handshake(setup: str, data: st.DataObject) -> None:
    """The request (or response) and the frames after it, split anyhow, give the same messages.

    This drives the handshake's trailing-data path: frames that arrive in the same
    chunk as the HTTP request or response.
    """
    factory = setup_factory(setup)
    ops = data.draw(op_sequences(max_size=6), label="ops")

    # Server side: a client's request followed by its frames, fed to a fresh server.
    client = WSConnection(ConnectionType.CLIENT)
    server = WSConnection(ConnectionType.SERVER)
    request = client.send(Request(host="example.com", target="/chat", extensions=factory()))
    server.receive_data(request)
    next(server.events())
    client.receive_data(server.send(AcceptConnection(extensions=factory())))
    next(client.events())
    frames, expected = send_ops(client, ops)
    stream = request + frames
    cuts = data.draw(split_points(len(stream)), label="server cuts")
    fresh = WSConnection(ConnectionType.SERVER)
    assert _feed_server(fresh, stream, cuts, factory) == expected

    # Client side: the server's response followed by its frames, fed to the client.
    client = WSConnection(ConnectionType.CLIENT)
    server = WSConnection(ConnectionType.SERVER)
    server.receive_data(client.send(Request(host="h", target="/", extensions=factory())))
    next(server.events())
    response = server.send(AcceptConnection(extensions=factory()))
    frames, expected = send_ops(server, ops)
    stream = response + frames
    cuts = data.draw(split_points(len(stream)), label="client cuts")
    out = Reassembler()
    accepted = False
    start = 0
    for cut in [*sorted(set(cuts)), len(stream)]:
        client.receive_data(stream[start:cut])
        start = cut
        for event in client.events():
            if isinstance(event, AcceptConnection):
                accepted = True
            else:
                out.add(event)
    assert accepted
    assert out.received == expected


def _feed_server(server: WSConnection, stream: bytes, cuts: List[int], factory: Any) -> List[Any]:
    out = Reassembler()
    start = 0
    for cut in [*sorted(set(cuts)), len(stream)]:
        server.receive_data(stream[start:cut])
        start = cut
        for event in server.events():
            if isinstance(event, Request):
                server.send(AcceptConnection(extensions=factory()))
            else:
                out.add(event)
    return out.received


@pytest.mark.parametrize("setup", SETUPS)
@robust_settings()
@given(data=st.data())
def test_chunking_gives_identical_events(setup: str, data: st.DataObject) -> None:
    """Two different splits of one stream reassemble to the same messages as one whole chunk."""
    factory = setup_factory(setup)
    # The sender and both receivers start fresh, so compression contexts line up.
    receiver_a, sender = open_pair(factory)
    receiver_b, _ = open_pair(factory)
    wire, expected = send_ops(sender, data.draw(op_sequences(max_size=6)))
    whole = deliver(wire, receiver_a)
    split = deliver(wire, receiver_b, data.draw(split_points(len(wire))))
    assert whole == split == expected


def test_message_event_passthrough_bytearray_memoryview() -> None:
    """bytes-like payloads (bytearray, memoryview) are sent like bytes."""
    client, server = open_pair()
    wire = client.send(Message(data=bytearray(b"abc"))) + client.send(
        Message(data=memoryview(b"def"))
    )
    assert deliver(wire, server) == [("bytes", b"abc"), ("bytes", b"def")]
