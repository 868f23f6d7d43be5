"""Presets: the local-only choices of a permessage-deflate endpoint (issue 14).

None of these change what an endpoint offers or requires; they choose, within
RFC 7692, what each side may decide alone: a compressor window smaller than
negotiated, zlib's memLevel, dropping the compressor after each message (a
server then also answers ``server_no_context_takeover``, section 7.1.1.1), and
the ``client_max_window_bits`` a server answers when the client offered it
(section 7.1.2.2).
"""

from __future__ import annotations

from typing import NamedTuple, Optional

__all__ = ["PRESETS", "PRESET_ENV_VAR", "Preset"]

#: The environment variable naming the preset of ``PerMessageDeflate(preset=None)``.
PRESET_ENV_VAR = "WSPROTO_DEFLATE_PRESET"


class Preset(NamedTuple):
    """Local choices; None means "as negotiated" (no extra limit)."""

    #: Most window bits of our own compressor (never more than negotiated).
    compress_window_bits: Optional[int]
    #: zlib memLevel of our compressor (1-9): the size of its hash table.
    mem_level: int
    #: False: free the compressor after every message (no context takeover when sending).
    keep_compressor: bool
    #: Server: the largest ``client_max_window_bits`` answered to a client that offered it.
    client_window_limit: Optional[int]
    #: Use zlib-ng when installed (it allocates about 180 KiB per stream whatever the window).
    prefer_zlib_ng: bool


#: name -> Preset. "default" keeps ~93% of the ratio of 15 bits / memLevel 8 for about a
#: quarter of the memory; "lean" keeps no compressor between messages; "max-ratio" is 1.3.2's.
PRESETS = {
    "default": Preset(13, 4, True, 13, False),
    "lean": Preset(12, 4, False, 11, False),
    "max-ratio": Preset(None, 8, True, None, True),
}
