"""Memory: no growth per message, decompression bombs, and floods of tiny frames and pings.

Memory is measured with tracemalloc. The test's own inputs are built before tracing
starts and events are dropped as they come, so what is traced is what the library
allocates and holds.
"""

from __future__ import annotations

import gc
import tracemalloc
import zlib
from typing import Callable, Iterator, List, Tuple

import pytest

from wsproto import WSConnection
from wsproto.events import BytesMessage, CloseConnection, Message, Ping, TextMessage

from ._support import DEFLATE_PARAMS, deflate_factory, no_extensions, open_pair

KiB = 1 << 10
MiB = 1 << 20


def traced(fn: Callable[[], object]) -> Tuple[int, int]:
    """Run ``fn`` under tracemalloc; return (net growth, peak above the start), in bytes."""
    gc.collect()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        start, _ = tracemalloc.get_traced_memory()
        fn()
        gc.collect()
        end, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return end - start, peak - start


def drain(conn: WSConnection) -> Tuple[int, List[CloseConnection]]:
    """Consume all events, keeping only their sizes and any CloseConnection."""
    size = 0
    closes = []
    for event in conn.events():
        if isinstance(event, (TextMessage, BytesMessage)):
            size += len(event.data)
        elif isinstance(event, CloseConnection):
            closes.append(event)
    return size, closes


# -- no growth per message ----------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("setup", ["none", "deflate"])
def test_no_growth_per_message(setup: str) -> None:
    """After a warm-up, 20,000 more messages each way leave the traced memory where it was."""
    factory = no_extensions if setup == "none" else deflate_factory(DEFLATE_PARAMS[0])
    client, server = open_pair(factory)
    payloads = [bytes([i % 251]) * (i % 3000) for i in range(64)]
    texts = ["é" * (i % 700) for i in range(64)]

    def exchange(n: int) -> None:
        for i in range(n):
            server.receive_data(
                client.send(Message(data=payloads[i % 64], message_finished=i % 5 != 0))
            )
            drain(server)
            client.receive_data(server.send(Message(data=texts[i % 64])))
            client.receive_data(server.send(Ping(b"x")))
            drain(client)
        # end on a finished message
        server.receive_data(client.send(Message(data=b"", message_finished=True)))
        drain(server)

    exchange(2000)  # warm-up: caches, zlib state, interned objects
    growth_small, _ = traced(lambda: exchange(2000))
    growth_large, peak = traced(lambda: exchange(20000))
    print(
        f"[{setup}] growth after 2k: {growth_small} B, after 20k: {growth_large} B, peak {peak} B"
    )
    # Leak of even 4 bytes per message would show as 80 KB here.
    assert growth_large < 32 * KiB, growth_large
    assert peak < 4 * MiB, peak


# -- decompression bomb -------------------------------------------------------------------------

BOMB_SIZE = 256 * MiB
CHUNK = 64 * KiB


def _bomb_payload(size: int) -> bytes:
    """A raw-deflate stream of ``size`` zero bytes, without the 00 00 ff ff tail (RFC 7692)."""
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = bytes(MiB)
    parts = [comp.compress(block) for _ in range(size // MiB)]
    parts.append(comp.flush(zlib.Z_SYNC_FLUSH))
    data = b"".join(parts)
    assert data.endswith(b"\x00\x00\xff\xff")
    return data[:-4]


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return _bomb_payload(BOMB_SIZE)


def _server_frame(payload: bytes) -> bytes:
    """One unmasked, final, compressed (RSV1) binary frame, as a server sends it."""
    n = len(payload)
    header = (
        bytes([0xC2, 127]) + n.to_bytes(8, "big")
        if n >= 0x10000
        else bytes([0xC2, 126]) + n.to_bytes(2, "big")
    )
    return header + payload


def _client_frame(payload: bytes) -> bytes:
    """The same frame as a client sends it, masked with the (legal) all-zero key."""
    n = len(payload)
    header = (
        bytes([0xC2, 0xFF]) + n.to_bytes(8, "big")
        if n >= 0x10000
        else bytes([0xC2, 0xFE]) + n.to_bytes(2, "big")
    )
    return header + b"\x00\x00\x00\x00" + payload


def _chunks(data: bytes) -> List[bytes]:
    return [data[i : i + CHUNK] for i in range(0, len(data), CHUNK)]


def _feed(conn: WSConnection, chunks: List[bytes]) -> Iterator[Tuple[int, List[CloseConnection]]]:
    for chunk in chunks:
        conn.receive_data(chunk)
        yield drain(conn)


@pytest.mark.slow
@pytest.mark.parametrize("role", ["client", "server"])
def test_decompression_bomb_bounded(bomb: bytes, role: str) -> None:
    """256 MiB inflated from ~256 KiB: delivered whole, in bounded pieces, traced peak < 16 MiB."""
    client, server = open_pair(deflate_factory(DEFLATE_PARAMS[0]))
    conn, frame = (
        (client, _server_frame(bomb)) if role == "client" else (server, _client_frame(bomb))
    )
    chunks = _chunks(frame)
    del frame
    total = [0]

    def run() -> None:
        for size, closes in _feed(conn, chunks):
            assert not closes, closes
            total[0] += size

    _, peak = traced(run)
    print(f"bomb ({len(bomb)} B compressed) as {role}: inflated {total[0]} B, traced peak {peak} B")
    assert total[0] == BOMB_SIZE  # nothing truncated
    assert peak < 16 * MiB, peak


@pytest.mark.slow
@pytest.mark.parametrize("limit_kind", ["max_message_size", "max_decompressed_size"])
def test_decompression_bomb_closes_1009(bomb: bytes, limit_kind: str) -> None:
    """With a message size limit the bomb fails the connection with 1009, early and cheaply."""
    limit = 1 * MiB
    if limit_kind == "max_message_size":
        _, server = open_pair(deflate_factory(DEFLATE_PARAMS[0]), max_message_size=limit)
    else:
        cls = deflate_factory(DEFLATE_PARAMS[0])()[0].__class__

        def make() -> list:
            return [cls(max_decompressed_size=limit)]

        _, server = open_pair(make)
    chunks = _chunks(_client_frame(bomb))
    seen: List[CloseConnection] = []
    delivered = [0]

    def run() -> None:
        for size, closes in _feed(server, chunks):
            delivered[0] += size
            seen.extend(closes)

    _, peak = traced(run)
    assert [c.code for c in seen] == [1009], seen
    assert delivered[0] <= limit
    assert peak < 16 * MiB, peak


@pytest.mark.parametrize("setup", ["none", "deflate"])
@pytest.mark.parametrize("extra", [-1, 0, 1])
def test_max_message_size_exact_boundary(setup: str, extra: int) -> None:
    """limit-1 and limit pass whole; limit+1 closes with 1009, whether sent in one frame or many."""
    limit = 5000
    factory = no_extensions if setup == "none" else deflate_factory(DEFLATE_PARAMS[0])
    for fragments in (1, 7):
        client, server = open_pair(factory, max_message_size=limit)
        data = bytes(range(256)) * 40
        data = data[: limit + extra]
        step = -(-len(data) // fragments)
        wire = b"".join(
            client.send(Message(data=data[i : i + step], message_finished=i + step >= len(data)))
            for i in range(0, len(data), step)
        )
        server.receive_data(wire)
        size, closes = drain(server)
        if extra <= 0:
            assert (size, closes) == (len(data), [])
        else:
            assert [c.code for c in closes] == [1009]
            assert size <= limit


# -- floods -------------------------------------------------------------------------------------


def _flood_continuations(count: int) -> List[bytes]:
    """A binary message of ``count`` + 1 one-byte frames, never finished, as a client sends it."""
    first = bytes([0x02, 0x81]) + b"\0\0\0\0" + b"a"
    cont = bytes([0x00, 0x81]) + b"\0\0\0\0" + b"b"
    return _chunks(first + cont * count)


def _flood_compressed_continuations(count: int) -> List[bytes]:
    """A compressed (RSV1) message whose deflate stream is cut into ``count`` one-byte frames."""
    import random

    comp = zlib.compressobj(6, zlib.DEFLATED, -15)
    raw = random.Random(3).randbytes(count)  # incompressible: about one stream byte per byte
    stream = (comp.compress(raw) + comp.flush(zlib.Z_SYNC_FLUSH))[:-4][:count]
    frames = [bytes([0x42, 0x81]) + b"\0\0\0\0" + stream[:1]]
    frames += [bytes([0x00, 0x81]) + b"\0\0\0\0" + stream[i : i + 1] for i in range(1, count)]
    return _chunks(b"".join(frames))


def _flood_pings(count: int) -> List[bytes]:
    return _chunks((bytes([0x89, 0x84]) + b"\0\0\0\0" + b"ping") * count)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("setup", "flood"),
    [
        ("none", "continuations"),
        ("deflate", "continuations"),
        ("deflate", "compressed-continuations"),
        ("none", "pings"),
        ("deflate", "pings"),
    ],
)
def test_flood_bounded(setup: str, flood: str) -> None:
    """100k tiny continuation frames (plain or compressed), or 10k pings: bounded memory."""
    factory = no_extensions if setup == "none" else deflate_factory(DEFLATE_PARAMS[0])
    _, server = open_pair(factory)
    if flood == "continuations":
        chunks = _flood_continuations(100_000)
    elif flood == "compressed-continuations":
        chunks = _flood_compressed_continuations(100_000)
    else:
        chunks = _flood_pings(10_000)
    counted = [0]

    def run() -> None:
        for chunk in chunks:
            server.receive_data(chunk)
            for event in server.events():
                assert not isinstance(event, CloseConnection), event
                counted[0] += 1

    growth, peak = traced(run)
    print(f"flood {flood} [{setup}]: {counted[0]} events, growth {growth} B, peak {peak} B")
    assert counted[0] >= (10_000 if flood == "pings" else 100_000)
    assert growth < 64 * KiB, growth
    assert peak < 1 * MiB, peak
