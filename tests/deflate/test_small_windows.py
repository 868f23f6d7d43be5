"""An agreed 8-bit window: what we compress must inflate with a 256-byte window.

zlib refuses raw deflate with 8 window bits, so wsproto-deflate compresses with 9. That
stays within the agreement because zlib never emits a distance above its window minus
262 bytes of lookahead: 250 for a 512-byte window. This test holds that claim to a strict
8-bit inflater, on data full of repeats at distances around 256.
"""

from __future__ import annotations

import random
import zlib
from typing import Any

import pytest

from wsproto.events import BytesMessage
from wsproto_deflate import PerMessageDeflate

from .helpers import deflate_pair, split_frames

TAIL = b"\x00\x00\xff\xff"


def inflate_through_window(inflater: Any, data: bytes) -> bytes:
    """Inflate in 16-byte output steps, so that every back-reference is served by the window.

    (Within one call zlib also resolves references from the output buffer, which would hide
    a distance beyond the window.)
    """
    out = [inflater.decompress(data, 16)]
    while inflater.unconsumed_tail:
        out.append(inflater.decompress(inflater.unconsumed_tail, 16))
    return b"".join(out)


def repeats_near_256(rng: random.Random, size: int) -> bytes:
    """Bytes that copy earlier stretches from 200 to 400 bytes back, and some noise."""
    data = bytearray(rng.randbytes(rng.randrange(200, 400)))
    while len(data) < size:
        if rng.random() < 0.75:
            distance = rng.randrange(200, min(400, len(data)) + 1)
            start = len(data) - distance
            data += data[start : start + rng.randrange(3, 258)]
        else:
            data += rng.randbytes(rng.randrange(1, 40))
    return bytes(data[:size])


@pytest.mark.parametrize("preset", ["default", "lean", "max-ratio"])
@pytest.mark.parametrize("direction", ["client", "server"])
@pytest.mark.parametrize("takeover", [True, False])
def test_eight_bit_window_output_inflates_with_256_bytes(
    direction: str, takeover: bool, preset: str
) -> None:
    bits = "client_max_window_bits" if direction == "client" else "server_max_window_bits"
    no_takeover = f"{direction}_no_context_takeover"
    options: dict[str, object] = {bits: 8, no_takeover: not takeover, "preset": preset}
    pair = deflate_pair(PerMessageDeflate(**options), PerMessageDeflate(**options))  # type: ignore[arg-type]
    strict = zlib.decompressobj(-8)
    rng = random.Random(8)
    for _ in range(20):
        message = repeats_near_256(rng, rng.randrange(300, 5000))
        ((byte0, payload),) = split_frames(pair.send(direction, BytesMessage(message)))
        assert byte0 & 0x40, "the message was not compressed"
        if not takeover:
            strict = zlib.decompressobj(-8)
        assert inflate_through_window(strict, payload + TAIL) == message
