"""Bounded inflation, decompression bombs and the decompressed size limit."""

from __future__ import annotations

import random
import tracemalloc
import zlib
from typing import List

import pytest

from wsproto import WSConnection
from wsproto.events import BytesMessage, CloseConnection, Event, Message, TextMessage
from wsproto_deflate import PerMessageDeflate

from .helpers import close_code, deflate_pair, events, frame

MIB = 1 << 20


def compressed_zeros(size: int) -> bytes:
    """A raw-deflate payload (tail removed) that inflates to ``size`` zero bytes."""
    obj = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = bytes(MIB)
    out = [obj.compress(block) for _ in range(size // MIB)]
    out.append(obj.compress(bytes(size % MIB)))
    out.append(obj.flush(zlib.Z_SYNC_FLUSH))
    data = b"".join(out)
    assert data.endswith(b"\x00\x00\xff\xff")
    return data[:-4]


def sample(size: int, seed: int = 0) -> bytes:
    """Compressible but not trivial bytes."""
    rng = random.Random(seed)
    words = [b"alpha", b"beta", b"gamma", b"delta", b'"id":', b"1234", b", ", b"{}"]
    out = bytearray()
    while len(out) < size:
        out += rng.choice(words)
    return bytes(out[:size])


def test_bomb_is_delivered_in_bounded_chunks_with_bounded_memory() -> None:
    size = 16 * MIB
    wire = frame(0xC2, compressed_zeros(size), mask=True)
    assert len(wire) < 64 * 1024  # about a thousand to one
    pair = deflate_pair()
    chunks: List[int] = []
    finished = False
    tracemalloc.start()
    try:
        pair.server.receive_data(wire)  # all N compressed bytes at once
        for event in pair.server.events():
            assert isinstance(event, BytesMessage)
            chunks.append(len(event.data))
            assert not any(event.data[::4096])
            finished = event.message_finished
            del event
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert finished
    assert sum(chunks) == size
    assert max(chunks) <= MIB
    assert len(chunks) >= 16
    assert peak < 4 * MIB, f"peak {peak} bytes while inflating {size} bytes"


def test_bomb_with_small_steps() -> None:
    size = MIB
    pair = deflate_pair(server=PerMessageDeflate(inflate_step=10_000))
    got = events(pair.server, frame(0xC2, compressed_zeros(size), mask=True))
    assert all(len(e.data) <= 10_000 for e in got)  # type: ignore[attr-defined]
    assert sum(len(e.data) for e in got) == size  # type: ignore[attr-defined]
    assert got[-1].message_finished  # type: ignore[attr-defined]
    assert pair.deliver("client", BytesMessage(b"after")) == [BytesMessage(b"after", True, True)]


def receive(pair_receiver: WSConnection, wire: bytes, chunk: int) -> List[Event]:
    got: List[Event] = []
    for i in range(0, len(wire), chunk):
        got.extend(events(pair_receiver, wire[i : i + chunk]))
    return got


LIMIT = 100_000


@pytest.mark.parametrize("step", [MIB, 4096, 999])
@pytest.mark.parametrize("fragments", [1, 3])
@pytest.mark.parametrize("wire_chunk", [1 << 30, 777])
@pytest.mark.parametrize("delta", [-1, 0, 1])
def test_size_limit_is_exact(step: int, fragments: int, wire_chunk: int, delta: int) -> None:
    server_ext = PerMessageDeflate(max_decompressed_size=LIMIT, inflate_step=step)
    pair = deflate_pair(server=server_ext)
    data = sample(LIMIT + delta)
    cut = [len(data) * i // fragments for i in range(fragments + 1)]
    wire = b"".join(
        pair.send(
            "client", BytesMessage(data[cut[i] : cut[i + 1]], message_finished=i == fragments - 1)
        )
        for i in range(fragments)
    )
    got = receive(pair.server, wire, wire_chunk)
    delivered = b"".join(e.data for e in got if isinstance(e, Message))
    if delta <= 0:
        assert delivered == data
        assert close_code(got) is None
        assert got[-1].message_finished  # type: ignore[attr-defined]
        # the connection goes on
        assert pair.deliver("client", BytesMessage(b"next")) == [BytesMessage(b"next", True, True)]
    else:
        assert close_code(got) == 1009
        assert isinstance(got[-1], CloseConnection)
        assert data.startswith(delivered) and len(delivered) <= LIMIT  # never truncated silently
        assert not any(getattr(e, "message_finished", False) for e in got)


def test_size_limit_zero() -> None:
    pair = deflate_pair(server=PerMessageDeflate(max_decompressed_size=0))
    assert pair.deliver("client", TextMessage("")) == [TextMessage("", True, True)]
    assert close_code(pair.deliver("client", TextMessage("x"))) == 1009


def test_size_limit_counts_each_message_separately() -> None:
    pair = deflate_pair(server=PerMessageDeflate(max_decompressed_size=1000))
    for _ in range(5):
        got = pair.deliver("client", BytesMessage(sample(1000)))
        assert b"".join(e.data for e in got) == sample(1000)  # type: ignore[attr-defined]


def test_size_limit_of_a_bomb() -> None:
    pair = deflate_pair(server=PerMessageDeflate(max_decompressed_size=3 * MIB + 5))
    got = events(pair.server, frame(0xC2, compressed_zeros(64 * MIB), mask=True))
    assert close_code(got) == 1009
    assert sum(len(e.data) for e in got if isinstance(e, Message)) <= 3 * MIB + 5


@pytest.mark.parametrize("delta", [-1, 0, 1])
def test_core_max_message_size_counts_inflated_bytes(delta: int) -> None:
    pair = deflate_pair(server_kwargs={"max_message_size": LIMIT})
    data = sample(LIMIT + delta)
    got = pair.deliver("client", BytesMessage(data))
    if delta <= 0:
        assert b"".join(e.data for e in got) == data  # type: ignore[attr-defined]
    else:
        assert close_code(got) == 1009


def test_limit_survives_fresh() -> None:
    ext = PerMessageDeflate(max_decompressed_size=10, inflate_step=5)
    copy = ext.fresh()
    assert (copy.max_decompressed_size, copy.inflate_step) == (10, 5)
