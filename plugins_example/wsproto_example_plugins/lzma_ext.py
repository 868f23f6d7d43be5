"""``permessage-lzma``: per-message xz/LZMA compression on RSV1.

It claims RSV1 like permessage-deflate (RFC 7692), on purpose: the two can
never be negotiated together. When a client offers both, a wsproto server
accepts the one offered first and declines the other, and a wsproto client
fails the handshake if a server accepts both.

The level is an xz preset (0-9); the receiver bounds its decoder's memory
with the dictionary size of ``max_level`` (an ``LZMADecompressor`` memlimit),
so a stream made at a higher preset fails with 1009.
"""

from __future__ import annotations

import lzma
from typing import ClassVar, Tuple, Type

from wsproto.frame_protocol import RsvBits

from ._codec import CodecCompression, Compressor, Decompressor

__all__ = ["PerMessageLzma"]

_MIB = 1024 * 1024
#: Dictionary sizes of the xz presets 0-9 (liblzma's documented table).
_DICT_SIZE = (
    256 * 1024, 1 * _MIB, 2 * _MIB, 4 * _MIB, 4 * _MIB, 8 * _MIB, 8 * _MIB, 16 * _MIB, 32 * _MIB,
    64 * _MIB,
)  # fmt: skip


class PerMessageLzma(CodecCompression):
    """Per-message xz compression (RSV1); see :mod:`._codec` for the parameters."""

    name = "permessage-lzma"
    rsv_bits = RsvBits(True, False, False)
    LEVELS: ClassVar[range] = range(0, 10)
    ERRORS: ClassVar[Tuple[Type[BaseException], ...]] = (lzma.LZMAError, EOFError, ValueError)

    def new_compressor(self, level: int) -> Compressor:
        """An xz compressor at preset ``level`` (CRC32 checks: cheaper than the default)."""
        return lzma.LZMACompressor(lzma.FORMAT_XZ, check=lzma.CHECK_CRC32, preset=level)

    def new_decompressor(self, max_level: int) -> Decompressor:
        """An xz decompressor whose memory is capped for preset ``max_level``."""
        return lzma.LZMADecompressor(lzma.FORMAT_XZ, memlimit=_DICT_SIZE[max_level] + 2 * _MIB)
