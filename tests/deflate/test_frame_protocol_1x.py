"""permessage-deflate through the 1.x frame API (``wsproto.frame_protocol.FrameProtocol``)."""

from __future__ import annotations

from typing import List, Tuple

from wsproto.frame_protocol import Frame, FrameProtocol, Opcode
from wsproto_deflate import PerMessageDeflate


def negotiated_pair(**options: int) -> Tuple[FrameProtocol, FrameProtocol]:
    """A (client, server) pair negotiated with the 1.x string methods, as 1.x code does."""
    server_ext = PerMessageDeflate(**options)  # type: ignore[arg-type]
    response = server_ext.accept("permessage-deflate")
    assert response is not None
    client_ext = PerMessageDeflate(**options)  # type: ignore[arg-type]
    client_ext.finalize(f"permessage-deflate; {response}" if response else "permessage-deflate")
    return FrameProtocol(True, [client_ext]), FrameProtocol(False, [server_ext])


def deliver(sender_frames: List[bytearray], receiver: FrameProtocol) -> List[Frame]:
    receiver.receive_bytes(bytes(b"".join(sender_frames)))
    return list(receiver.received_frames())


def test_compressed_messages_round_trip_both_ways() -> None:
    client, server = negotiated_pair()
    text = "compress me " * 50
    wire = client.send_data(text)
    assert wire[0] & 0x40  # RSV1: the message was compressed
    assert len(wire) < len(text) // 4
    assert deliver([wire], server) == [Frame(Opcode.TEXT, text, True, True)]
    reply = server.send_data(b"\x00" * 4000)
    assert reply[0] & 0x40 and len(reply) < 100
    assert deliver([reply], client) == [Frame(Opcode.BINARY, b"\x00" * 4000, True, True)]


def test_a_ping_between_compressed_fragments() -> None:
    """1.x's own PerMessageDeflate failed here with 1007: control frames reached its hooks."""
    client, server = negotiated_pair()
    frames = [client.send_data("hello " * 20, False), client.ping(b"p"), client.send_data("world")]
    got = deliver(frames, server)
    assert got[1] == Frame(Opcode.PING, b"p", True, True)
    assert "".join(str(f.payload) for f in (got[0], *got[2:])) == "hello " * 20 + "world"
    assert got[-1].message_finished


def test_context_takeover_across_messages() -> None:
    client, server = negotiated_pair()
    first = client.send_data("the same sentence, twice")
    second = client.send_data("the same sentence, twice")
    assert len(second) < len(first)  # the window remembers the first message
    got = deliver([first, second], server)
    assert [f.payload for f in got] == ["the same sentence, twice"] * 2
