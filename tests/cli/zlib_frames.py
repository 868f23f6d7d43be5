"""A tiny test-only extension: compresses every data frame on its own with zlib (RSV1).

It lets the CLI tests see compression in the demo's transcript whether or not
the wsproto-deflate plugin is installed.
"""

from __future__ import annotations

import zlib
from typing import Any, Optional, Tuple, Union

from wsproto.extensions import Extension
from wsproto.frame_protocol import CloseReason, Opcode, RsvBits


class FrameZlib(Extension):
    name = "x-test-frame-zlib"
    rsv_bits = RsvBits(True, False, False)

    def __init__(self) -> None:
        self._inflater: Optional[Any] = None

    def fresh(self) -> FrameZlib:
        return FrameZlib()

    def offer(self) -> Union[bool, str, None]:
        return True

    def accept(self, offer: str) -> Union[bool, str, None]:
        return True

    def finalize(self, offer: str) -> None:
        return None

    def frame_inbound_header(
        self, proto: Any, opcode: Opcode, rsv: RsvBits, payload_length: int
    ) -> Union[CloseReason, RsvBits]:
        self._inflater = zlib.decompressobj() if rsv.rsv1 else None
        return RsvBits(rsv.rsv1, False, False)

    def frame_inbound_payload_data(self, proto: Any, data: bytes) -> Union[bytes, CloseReason]:
        return self._inflater.decompress(data) if self._inflater is not None else data

    def frame_inbound_complete(self, proto: Any, fin: bool) -> Union[bytes, CloseReason, None]:
        inflater, self._inflater = self._inflater, None
        return inflater.flush() if inflater is not None else None

    def frame_outbound(
        self, proto: Any, opcode: Opcode, rsv: RsvBits, data: bytes, fin: bool
    ) -> Tuple[RsvBits, bytes]:
        return RsvBits(True, rsv.rsv2, rsv.rsv3), zlib.compress(data)
