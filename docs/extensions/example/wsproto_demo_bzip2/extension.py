"""The extension: per-message bzip2 on RSV3; a client may ask the server for a level."""

from __future__ import annotations

import bz2
from typing import Any, Optional, Tuple, Union

from wsproto.extensions import Extension, ExtensionParams
from wsproto.frame_protocol import CloseReason, Opcode, RsvBits

LEVELS = "123456789"


def parse_level(value: Optional[str]) -> Optional[int]:
    """The level a peer sent (exactly one digit 1-9), or None for anything else."""
    if value is None or len(value) != 1 or value not in LEVELS:
        return None
    return int(value)


class DemoBzip2(Extension):
    """Per-message bzip2 on RSV3; a client may ask the server for a level."""

    name = "x-demo-bzip2"
    rsv_bits = RsvBits(False, False, True)

    def __init__(self, level: int = 9, budget: int = 65536) -> None:
        if not 1 <= level <= 9:
            raise ValueError(f"level must be 1-9, not {level!r}")
        self.level = level  # configuration
        self.budget = budget
        self.send_level = level  # per-connection state from here on
        self._compressor: Optional[Any] = None
        self._decompressor: Optional[Any] = None

    def fresh(self) -> DemoBzip2:
        return DemoBzip2(self.level, self.budget)

    # -- negotiation --
    def offer_params(self) -> Optional[ExtensionParams]:
        return {"level": str(self.level)}

    def accept_params(self, params: ExtensionParams) -> Optional[ExtensionParams]:
        if set(params) - {"level"}:
            return None  # decline: the server will try the client's next offer
        if "level" in params:
            level = parse_level(params["level"])
            if level is None:
                return None  # a hostile or broken value: decline, never guess
            self.send_level = level
        return {"level": str(self.send_level)}

    def finalize_params(self, params: ExtensionParams) -> None:
        if set(params) - {"level"}:
            raise ValueError(f"unknown parameters {sorted(set(params) - {'level'})}")
        if "level" in params and parse_level(params["level"]) is None:
            raise ValueError(f"invalid level {params['level']!r}")

    # -- outbound --
    def frame_outbound(
        self, proto: Any, opcode: Opcode, rsv: RsvBits, data: bytes, fin: bool
    ) -> Tuple[RsvBits, bytes]:
        if opcode is not Opcode.CONTINUATION:  # first frame of a message
            self._compressor = bz2.BZ2Compressor(self.send_level)
            rsv = RsvBits(rsv.rsv1, rsv.rsv2, True)
        assert self._compressor is not None
        out: bytes = self._compressor.compress(data)
        if fin:
            out += self._compressor.flush()
        return rsv, out

    # -- inbound --
    def frame_inbound_header(
        self, proto: Any, opcode: Opcode, rsv: RsvBits, length: int
    ) -> Union[CloseReason, RsvBits]:
        if opcode is Opcode.CONTINUATION:
            return RsvBits(False, False, False)  # RSV3 only on a first frame
        self._decompressor = bz2.BZ2Decompressor() if rsv.rsv3 else None
        return RsvBits(False, False, rsv.rsv3)

    def frame_inbound_payload_data(self, proto: Any, data: bytes) -> Union[bytes, CloseReason]:
        d = self._decompressor
        if d is None:
            return data
        try:
            out: bytes = d.decompress(data, self.budget)  # at most `budget` bytes
        except OSError:
            return CloseReason.INVALID_FRAME_PAYLOAD_DATA
        self.inbound_pending = not d.eof and not d.needs_input
        return out

    def frame_inbound_complete(self, proto: Any, fin: bool) -> Union[bytes, CloseReason, None]:
        if fin and self._decompressor is not None and not self._decompressor.eof:
            return CloseReason.INVALID_FRAME_PAYLOAD_DATA  # truncated stream
        return None
