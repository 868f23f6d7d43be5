"""Window sizes and the optional zlib-ng backend: interop with the stdlib's zlib."""

from __future__ import annotations

import random
import zlib

import pytest

from wsproto.events import BytesMessage, TextMessage
from wsproto_deflate import PerMessageDeflate, _backend, _codec, available_backends

from .helpers import deflate_pair, join_message

BACKENDS = available_backends()
needs_ng = pytest.mark.skipif("zlib-ng" not in BACKENDS, reason="zlib-ng is not installed")


def long_range_text(seed: int, size: int = 40_000) -> bytes:
    """Data whose repeats lie far apart, so a too-large window would show up."""
    rng = random.Random(seed)
    blocks = [bytes(rng.getrandbits(8) for _ in range(300)) for _ in range(20)]
    out = bytearray()
    while len(out) < size:
        out += rng.choice(blocks)
    return bytes(out[:size])


@pytest.mark.parametrize("bits", range(8, 16))
def test_every_window_size_end_to_end(bits: int) -> None:
    client = PerMessageDeflate(client_max_window_bits=bits, server_max_window_bits=bits)
    pair = deflate_pair(client, PerMessageDeflate.max_ratio())
    agreement = pair.extension("client").agreement  # type: ignore[union-attr]
    assert agreement is not None
    assert agreement.client_max_window_bits == agreement.server_max_window_bits == bits
    for seed in range(3):
        data = long_range_text(seed)
        got = pair.deliver("client", BytesMessage(data))
        assert join_message(got)[0] == data
        got = pair.deliver("server", BytesMessage(data))
        assert join_message(got)[0] == data


@pytest.mark.parametrize("bits", range(9, 16))
def test_compressor_respects_the_window(bits: int) -> None:
    # Output made with an n-bit window must inflate with an n-bit window (stdlib inflater).
    for backend in BACKENDS:
        deflater = _codec.Deflater(_backend.get_backend(backend), bits, 6, 8, reset=False)
        inflate = zlib.decompressobj(-bits)
        for seed in range(3):
            data = long_range_text(seed)
            out = inflate.decompress(deflater.compress(data, fin=True) + b"\x00\x00\xff\xff")
            assert out == data, backend


def test_window_of_8_bits_compresses_with_9() -> None:
    # zlib refuses raw 8-bit windows; the codec uses 9 for both directions.
    deflater = _codec.Deflater(_backend.get_backend("zlib"), 8, 6, 8, reset=False)
    inflater = _codec.Inflater(_backend.get_backend("zlib"), 8, 1 << 20, None)
    data = long_range_text(1)
    inflater.start_message()
    assert inflater.feed(deflater.compress(data, fin=True)) + inflater.finish() == data  # type: ignore[operator]


@needs_ng
@pytest.mark.parametrize("direction", ["ng->zlib", "zlib->ng"])
@pytest.mark.parametrize("reset", [False, True])
@pytest.mark.parametrize("level", [1, 6, 9])
def test_zlib_ng_interoperates_with_stdlib(direction: str, reset: bool, level: int) -> None:
    source, sink = direction.split("->")
    sender = PerMessageDeflate(
        client_no_context_takeover=reset,
        backend="zlib-ng" if source == "ng" else "zlib",
        level=level,
    )
    receiver = PerMessageDeflate(backend="zlib-ng" if sink == "ng" else "zlib")
    pair = deflate_pair(sender, receiver)
    for seed in range(5):
        data = long_range_text(seed, 10_000 + seed * 7000)
        got = pair.deliver("client", BytesMessage(data))
        assert join_message(got)[0] == data
        got = pair.deliver("server", TextMessage(data.hex()))
        assert join_message(got)[0] == data.hex()


@needs_ng
def test_backend_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WSPROTO_DEFLATE_BACKEND", raising=False)
    # zlib-ng allocates ~180 KiB per stream: only max-ratio prefers it when installed
    assert PerMessageDeflate().backend.name == "zlib"
    assert PerMessageDeflate.lean().backend.name == "zlib"
    assert PerMessageDeflate.max_ratio().backend.name == "zlib-ng"
    assert PerMessageDeflate.max_ratio().fresh().backend.name == "zlib-ng"
    assert PerMessageDeflate(backend="zlib-ng").backend.name == "zlib-ng"
    monkeypatch.setenv("WSPROTO_DEFLATE_BACKEND", "zlib-ng")
    assert PerMessageDeflate().backend.name == "zlib-ng"
    monkeypatch.delenv("WSPROTO_DEFLATE_BACKEND")
    assert PerMessageDeflate.max_ratio(backend="zlib").backend.name == "zlib"
    assert PerMessageDeflate(backend="zlib").backend.name == "zlib"
    assert PerMessageDeflate(backend="zlib").fresh().backend.name == "zlib"


def test_backend_env_and_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WSPROTO_DEFLATE_BACKEND", "zlib")
    assert PerMessageDeflate().backend.name == "zlib"
    with pytest.raises(ValueError, match="unknown deflate backend"):
        PerMessageDeflate(backend="brotli")


@pytest.mark.parametrize(
    "kwargs",
    [
        {"level": 10},
        {"level": -2},
        {"mem_level": 0},
        {"mem_level": 10},
        {"threshold": -1},
        {"max_decompressed_size": -1},
        {"inflate_step": 0},
    ],
)
def test_bad_configuration(kwargs: dict[str, int]) -> None:
    with pytest.raises(ValueError):
        PerMessageDeflate(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("level", [0, 1, 9])
@pytest.mark.parametrize("mem_level", [1, 9])
def test_levels_and_mem_levels(level: int, mem_level: int) -> None:
    pair = deflate_pair(PerMessageDeflate(level=level, mem_level=mem_level))
    data = long_range_text(level)
    assert join_message(pair.deliver("client", BytesMessage(data)))[0] == data


@pytest.mark.parametrize("backend", BACKENDS)
def test_no_context_takeover_full_flush_equals_a_fresh_compressor(backend: str) -> None:
    # No context takeover ends each message with Z_FULL_FLUSH instead of re-creating the
    # compressor: the output must be what a fresh compressor makes of each message.
    chosen = _backend.get_backend(backend)
    deflater = _codec.Deflater(chosen, 15, 6, 8, reset=True)
    for seed in range(4):
        data = long_range_text(seed, 5000)
        fresh = _codec.Deflater(chosen, 15, 6, 8, reset=False)
        assert deflater.compress(data, fin=True) == fresh.compress(data, fin=True)
