"""``permessage-bzip2``: per-message bzip2 compression on RSV2.

It claims RSV2, so it can be negotiated next to permessage-deflate (RSV1).
The level (1-9) is bzip2's block size in units of 100 kB; it also sets how
much memory the *receiver's* decoder needs, which is why a receiver may cap
it (``max_level``) and checks the level written in each stream's header.
"""

from __future__ import annotations

import bz2
from typing import ClassVar, Optional

from wsproto.frame_protocol import RsvBits

from ._codec import CodecCompression, Compressor, Decompressor

__all__ = ["PerMessageBzip2"]


class PerMessageBzip2(CodecCompression):
    """Per-message bzip2 compression (RSV2); see :mod:`._codec` for the parameters."""

    name = "permessage-bzip2"
    rsv_bits = RsvBits(False, True, False)
    LEVELS: ClassVar[range] = range(1, 10)
    HEAD_SIZE: ClassVar[int] = 4

    def new_compressor(self, level: int) -> Compressor:
        """A bzip2 compressor at ``level``."""
        return bz2.BZ2Compressor(level)

    def new_decompressor(self, max_level: int) -> Decompressor:
        """A bzip2 decompressor (the level is checked in :meth:`check_head`)."""
        return bz2.BZ2Decompressor()

    def check_head(self, head: bytes) -> Optional[str]:
        """A stream starts with ``BZh`` and its level digit, which must not exceed the cap."""
        if head[:3] != b"BZh" or not head[3:4].isdigit():
            return "not a bzip2 stream"
        if int(head[3:4]) > self.peer_max_level:
            return f"level {head[3:4].decode()} exceeds the agreed {self.peer_max_level}"
        return None
