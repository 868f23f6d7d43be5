"""permessage-bzip2 and permessage-lzma: negotiation and message exchange."""

from __future__ import annotations

from typing import List, Sequence, Type

import pytest
from helpers import connect, transfer
from wsproto.events import BytesMessage, CloseConnection, Message, TextMessage
from wsproto.extensions import Extension
from wsproto.frame_protocol import CloseReason, RsvBits

from wsproto_example_plugins import PerMessageBzip2, PerMessageLzma
from wsproto_example_plugins._codec import CodecCompression

CODECS: List[Type[CodecCompression]] = [PerMessageBzip2, PerMessageLzma]


def payload(size: int) -> bytes:
    """Compressible but not trivial bytes."""
    return b"".join(b"%06d the quick brown fox " % i for i in range(size // 30 + 1))[:size]


def names(exts: Sequence[Extension]) -> List[str]:
    return [e.name for e in exts]


@pytest.mark.parametrize("cls", CODECS)
def test_both_sides_negotiate_and_exchange(cls: Type[CodecCompression]) -> None:
    client, server, accepted = connect([cls()], [cls()])
    assert names(accepted.extensions) == [cls.name]
    assert client.connection is not None and server.connection is not None
    assert names(server.connection.extensions) == [cls.name]
    data = payload(100_000)
    wire = client.send(BytesMessage(data))
    assert len(wire) < len(data) // 5  # it really compressed
    assert wire[0] & 0x70 == 0x40 * cls.rsv_bits[0] + 0x20 * cls.rsv_bits[1]
    server.receive_data(wire)
    got = b"".join(e.data for e in server.events() if isinstance(e, BytesMessage))
    assert got == data
    back = transfer(server, client, TextMessage("héllo " * 1000))
    assert "".join(e.data for e in back if isinstance(e, TextMessage)) == "héllo " * 1000


@pytest.mark.parametrize("cls", CODECS)
def test_small_messages_are_sent_plain(cls: Type[CodecCompression]) -> None:
    client, server, _ = connect([cls()], [cls()])
    wire = client.send(TextMessage("hi"))
    assert wire[0] & 0x70 == 0
    server.receive_data(wire)
    assert [e.data for e in server.events() if isinstance(e, TextMessage)] == ["hi"]


@pytest.mark.parametrize("cls", CODECS)
def test_fragmented_message(cls: Type[CodecCompression]) -> None:
    client, server, _ = connect([cls()], [cls()])
    parts = [payload(5000), payload(7000), payload(3)]
    out: List[bytes] = []
    for i, part in enumerate(parts):
        wire = client.send(BytesMessage(part, message_finished=i == len(parts) - 1))
        assert bool(wire[0] & 0x70) == (i == 0)  # the bit is on the first frame only
        server.receive_data(wire)
        out.extend(bytes(e.data) for e in server.events() if isinstance(e, Message))
    assert b"".join(out) == b"".join(parts)


@pytest.mark.parametrize("cls", CODECS)
def test_peer_without_the_plugin_still_connects(cls: Type[CodecCompression]) -> None:
    client, server, accepted = connect([cls()], [])  # server lacks it
    assert accepted.extensions == []
    assert b"permessage" not in client.send(TextMessage("x" * 500))[:4]
    events = transfer(client, server, BytesMessage(payload(5000)))
    assert b"".join(bytes(e.data) for e in events if isinstance(e, Message)) == payload(5000)
    client, server, accepted = connect([], [cls()])  # client lacks it
    assert accepted.extensions == []
    events = transfer(server, client, BytesMessage(payload(5000)))
    assert b"".join(bytes(e.data) for e in events if isinstance(e, Message)) == payload(5000)


def test_level_parameters_are_negotiated() -> None:
    client_ext = PerMessageBzip2(9, max_level=3)
    server_ext = PerMessageBzip2(9, max_level=2)
    _client, server, accepted = connect([client_ext], [server_ext])
    ext = accepted.extensions[0]
    assert isinstance(ext, PerMessageBzip2)
    assert (ext.send_level, ext.peer_max_level) == (2, 3)
    assert server.connection is not None
    sext = server.connection.extensions[0]
    assert isinstance(sext, PerMessageBzip2)
    assert (sext.send_level, sext.peer_max_level) == (3, 2)
    assert server_payload(server.send(BytesMessage(payload(1000))))[:4] == b"BZh3"


def server_payload(frame: bytes) -> bytes:
    """The payload of one unmasked (server-sent) frame."""
    length, start = frame[1] & 0x7F, 2
    if length == 126:
        length, start = int.from_bytes(frame[2:4], "big"), 4
    return frame[start : start + length]


def test_level_is_checked_in_the_stream_header() -> None:
    client, server, _ = connect([PerMessageBzip2(1)], [PerMessageBzip2(1, max_level=1)])
    assert client.connection is not None
    ext = client.connection.extensions[0]
    assert isinstance(ext, PerMessageBzip2)
    ext.send_level = 9  # a misbehaving peer ignores client_max_level=1
    events = transfer(client, server, BytesMessage(payload(1000)))
    assert isinstance(events[-1], CloseConnection)
    assert events[-1].code == CloseReason.PROTOCOL_ERROR


def test_server_declines_bad_offers_and_takes_the_next() -> None:
    from wsproto import ConnectionType, WSConnection
    from wsproto.events import AcceptConnection, Request

    server = WSConnection(ConnectionType.SERVER)
    server.receive_data(
        b"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        b"Sec-WebSocket-Extensions: permessage-bzip2; server_max_level=12, "
        b"permessage-bzip2; foo, permessage-bzip2; server_max_level=4\r\n\r\n"
    )
    assert isinstance(next(iter(server.events())), Request)
    reply = server.send(AcceptConnection(extensions=[PerMessageBzip2()]))
    assert b"sec-websocket-extensions: permessage-bzip2; server_max_level=4" in reply.lower()


@pytest.mark.parametrize("response", [b"foo=1", b"server_max_level=9", b"client_max_level=x"])
def test_client_refuses_bad_responses(response: bytes) -> None:
    ext = PerMessageBzip2(max_level=5)
    with pytest.raises(ValueError):
        ext.finalize_params(dict([tuple(response.decode().split("="))]))  # type: ignore[list-item]


@pytest.mark.parametrize("cls", CODECS)
def test_inbound_output_is_bounded_per_call(cls: Type[CodecCompression]) -> None:
    receiver = cls(budget=1000)
    sender = cls()
    data = b"\0" * 2_000_000  # a compression bomb: tiny on the wire
    client, server, _ = connect([sender], [receiver])
    wire = client.send(BytesMessage(data))
    assert len(wire) < 20_000
    server.receive_data(wire)
    sizes = [len(e.data) for e in server.events() if isinstance(e, BytesMessage)]
    assert sum(sizes) == len(data)
    assert max(sizes) <= 1000  # every event is within the budget


@pytest.mark.parametrize("cls", CODECS)
def test_decoded_size_bound_fails_with_1009(cls: Type[CodecCompression]) -> None:
    client, server, _ = connect([cls()], [cls(max_decoded_size=100_000)])
    events = transfer(client, server, BytesMessage(b"\0" * 1_000_000))
    assert isinstance(events[-1], CloseConnection)
    assert events[-1].code == CloseReason.MESSAGE_TOO_BIG


@pytest.mark.parametrize("cls", CODECS)
def test_one_configured_object_serves_many_connections(cls: Type[CodecCompression]) -> None:
    shared_client, shared_server = cls(), cls()
    pairs = [connect([shared_client], [shared_server])[:2] for _ in range(3)]
    for i, (client, server) in enumerate(pairs):
        data = payload(3000 + i)
        events = transfer(client, server, BytesMessage(data, message_finished=False))
        events += transfer(client, server, BytesMessage(data))
        got = b"".join(bytes(e.data) for e in events if isinstance(e, Message))
        assert got == data + data
    assert len({id(c.connection.extensions[0]) for c, _ in pairs if c.connection}) == 3


def test_rsv_bits_are_declared() -> None:
    assert PerMessageBzip2.rsv_bits == RsvBits(False, True, False)
    assert PerMessageLzma.rsv_bits == RsvBits(True, False, False)


@pytest.mark.parametrize("cls", CODECS)
@pytest.mark.parametrize("value", ["23", "10", "03", "+3", "3.0", ""])
def test_hostile_level_offer_is_declined(cls: Type[CodecCompression], value: str) -> None:
    """A level outside the exact texts "0"/"1".."9" is declined; the server then sends fine."""
    from wsproto import ConnectionType, WSConnection
    from wsproto.events import AcceptConnection, Request

    server = WSConnection(ConnectionType.SERVER)
    offer = f"{cls.name}; server_max_level={value}" if value else f"{cls.name}; server_max_level"
    request = (
        "GET / HTTP/1.1\r\nHost: example\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        f"Sec-WebSocket-Extensions: {offer}\r\n\r\n"
    )
    server.receive_data(request.encode())
    assert [type(e) for e in server.events()] == [Request]
    response = server.send(AcceptConnection(extensions=[cls()]))
    assert cls.name.encode() not in response
    assert server.connection is not None and server.connection.extensions == []
    frame = server.send(BytesMessage(b"x" * 1000))  # no compressor at a bogus level
    assert frame[0] & 0x70 == 0 and frame.endswith(b"x" * 1000)


@pytest.mark.parametrize("cls", CODECS)
def test_non_ascii_digit_level_is_declined(cls: Type[CodecCompression]) -> None:
    # (The handshake already refuses non-ASCII header bytes; the extension must not rely on it.)
    assert "\u0663".isdigit() and int("\u0663") == 3
    assert cls().accept_params({"server_max_level": "\u0663"}) is None
