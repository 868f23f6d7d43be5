"""The ``PerMessageDeflate`` extension: RFC 7692 negotiation and the frame hooks."""

from __future__ import annotations

from typing import Any, Optional, Tuple, Union

from wsproto.extensions import Extension, ExtensionParams
from wsproto.frame_protocol import CloseReason, Opcode, RsvBits

from ._backend import Backend, get_backend
from ._codec import Deflater, Inflater
from ._params import (
    Agreement,
    Settings,
    check_window_bits,
    client_agreement,
    client_offer,
    server_response,
)

__all__ = ["PerMessageDeflate"]

_NO_RSV = RsvBits(False, False, False)
_RSV1 = RsvBits(True, False, False)
_CONTINUATION = Opcode.CONTINUATION
_PROTOCOL_ERROR = CloseReason.PROTOCOL_ERROR

#: Default most inflated bytes returned per step (the core asks again for the rest).
DEFAULT_INFLATE_STEP = 1 << 20


class PerMessageDeflate(Extension):
    """RFC 7692 permessage-deflate, for clients and servers.

    The first four arguments are upstream wsproto's. Window sizes are 8 to 15
    (None: no preference; a client then offers a bare ``client_max_window_bits``).

    :param level: zlib compression level, 0-9 (-1: zlib's default, 6).
    :param mem_level: zlib memLevel, 1-9: memory of the compressor's hash table.
    :param threshold: messages whose single frame is smaller than this many
        bytes are sent uncompressed (fragmented messages are always compressed).
    :param max_decompressed_size: fail the connection with 1009 when a
        compressed message inflates beyond this many bytes. None: unlimited.
    :param inflate_step: most inflated bytes handed to the core at once.
    :param backend: ``"zlib"``, ``"zlib-ng"``, or None for zlib-ng when installed.
    """

    name = "permessage-deflate"
    rsv_bits = _RSV1

    def __init__(
        self,
        client_no_context_takeover: bool = False,
        client_max_window_bits: Optional[int] = None,
        server_no_context_takeover: bool = False,
        server_max_window_bits: Optional[int] = None,
        *,
        level: int = -1,
        mem_level: int = 8,
        threshold: int = 0,
        max_decompressed_size: Optional[int] = None,
        inflate_step: int = DEFAULT_INFLATE_STEP,
        backend: Optional[str] = None,
    ) -> None:
        check_window_bits("client_max_window_bits", client_max_window_bits)
        check_window_bits("server_max_window_bits", server_max_window_bits)
        if type(level) is not int or not -1 <= level <= 9:
            raise ValueError(f"level must be an int from -1 to 9, not {level!r}")
        if type(mem_level) is not int or not 1 <= mem_level <= 9:
            raise ValueError(f"mem_level must be an int from 1 to 9, not {mem_level!r}")
        if threshold < 0:
            raise ValueError(f"threshold must be >= 0, not {threshold!r}")
        if max_decompressed_size is not None and max_decompressed_size < 0:
            raise ValueError(
                f"max_decompressed_size must be >= 0 or None, not {max_decompressed_size!r}"
            )
        if inflate_step < 1:
            raise ValueError(f"inflate_step must be >= 1, not {inflate_step!r}")
        self.client_no_context_takeover = client_no_context_takeover
        self.client_max_window_bits = client_max_window_bits
        self.server_no_context_takeover = server_no_context_takeover
        self.server_max_window_bits = server_max_window_bits
        self.level = level
        self.mem_level = mem_level
        self.threshold = threshold
        self.max_decompressed_size = max_decompressed_size
        self.inflate_step = inflate_step
        self._backend_name = backend
        self.backend: Backend = get_backend(backend)
        #: The negotiated parameters, once negotiation succeeded.
        self.agreement: Optional[Agreement] = None
        self._deflater: Optional[Deflater] = None
        self._inflater: Optional[Inflater] = None
        self._in_compressed = False
        self._out_compressed = False

    def fresh(self) -> PerMessageDeflate:
        """Return a new, unnegotiated instance with the same configuration."""
        return PerMessageDeflate(
            self.client_no_context_takeover,
            self.client_max_window_bits,
            self.server_no_context_takeover,
            self.server_max_window_bits,
            level=self.level,
            mem_level=self.mem_level,
            threshold=self.threshold,
            max_decompressed_size=self.max_decompressed_size,
            inflate_step=self.inflate_step,
            backend=self._backend_name,
        )

    @property
    def _settings(self) -> Settings:
        return Settings(
            self.client_no_context_takeover,
            self.client_max_window_bits,
            self.server_no_context_takeover,
            self.server_max_window_bits,
        )

    # -- negotiation -----------------------------------------------------------

    def enabled(self) -> bool:
        """True once negotiation succeeded (through the core or the string methods)."""
        return self.agreement is not None or super().enabled()

    def offer_params(self) -> ExtensionParams:
        """Client: the offer (see :func:`~wsproto_deflate._params.client_offer`)."""
        return client_offer(self._settings)

    def accept_params(self, params: ExtensionParams) -> Optional[ExtensionParams]:
        """Server: the response to one offer, or None to decline it."""
        try:
            response, agreement = server_response(params, self._settings)
        except ValueError:
            return None
        self._agree(agreement, client=False)
        return response

    def finalize_params(self, params: ExtensionParams) -> None:
        """Client: apply the server's response; raise ValueError if it is unacceptable."""
        self._agree(client_agreement(params, self._settings), client=True)

    def accept(self, offer: str) -> Union[bool, str, None]:
        """Server, upstream 1.x form: the response parameters (``""`` for none) or None."""
        result = super().accept(offer)
        return "" if result is True else result

    def _agree(self, agreement: Agreement, client: bool) -> None:
        self.agreement = agreement
        if client:
            out_bits = agreement.client_max_window_bits
            out_reset = agreement.client_no_context_takeover
            in_bits = agreement.server_max_window_bits
            own = self.client_max_window_bits
        else:
            out_bits = agreement.server_max_window_bits
            out_reset = agreement.server_no_context_takeover
            in_bits = agreement.client_max_window_bits
            own = self.server_max_window_bits
        if own is not None:
            out_bits = min(out_bits, own)  # a compressor may always use a smaller window
        self._deflater = Deflater(self.backend, out_bits, self.level, self.mem_level, out_reset)
        self._inflater = Inflater(
            self.backend, in_bits, self.inflate_step, self.max_decompressed_size
        )
        self._in_compressed = self._out_compressed = False
        self.inbound_pending = False

    # -- frames ----------------------------------------------------------------

    def frame_inbound_header(
        self, proto: Any, opcode: Opcode, rsv: RsvBits, payload_length: int
    ) -> Union[CloseReason, RsvBits]:
        """RSV1 marks the first frame of a compressed message, and only that frame."""
        if opcode == _CONTINUATION:
            return _PROTOCOL_ERROR if rsv.rsv1 else _NO_RSV
        if opcode >= 8:  # control frames never carry RSV1; their state is not ours
            return _NO_RSV
        self._in_compressed = rsv.rsv1
        if not rsv.rsv1:
            return _NO_RSV
        inflater = self._inflater
        if inflater is None:  # not negotiated: the core should not call us
            return _PROTOCOL_ERROR
        inflater.start_message()
        return _RSV1

    def frame_inbound_payload_data(self, proto: Any, data: bytes) -> Union[bytes, CloseReason]:
        """Inflate a chunk of a compressed message (``b""``: the next held-back step)."""
        if not self._in_compressed:
            return data
        inflater = self._inflater
        assert inflater is not None
        result = inflater.feed(data)
        self.inbound_pending = inflater.pending
        return result if isinstance(result, bytes) else CloseReason(result)

    def frame_inbound_complete(self, proto: Any, fin: bool) -> Union[bytes, CloseReason, None]:
        """At the end of a compressed message, inflate the appended ``00 00 ff ff``."""
        if not fin or not self._in_compressed:
            return None
        inflater = self._inflater
        assert inflater is not None
        result = inflater.finish()
        self.inbound_pending = inflater.pending
        return result if isinstance(result, bytes) else CloseReason(result)

    def frame_outbound(
        self, proto: Any, opcode: Opcode, rsv: RsvBits, data: bytes, fin: bool
    ) -> Tuple[RsvBits, bytes]:
        """Compress a data frame; set RSV1 on the first frame of a compressed message."""
        if opcode == _CONTINUATION:
            if not self._out_compressed:
                return rsv, data
        elif opcode >= 8:
            return rsv, data
        else:
            # A single-frame message below the threshold goes out as it is.
            if fin and len(data) < self.threshold:
                self._out_compressed = False
                return rsv, data
            self._out_compressed = True
            rsv = RsvBits(True, rsv.rsv2, rsv.rsv3)
        deflater = self._deflater
        if deflater is None:
            raise RuntimeError("permessage-deflate was not negotiated on this connection")
        return rsv, deflater.compress(data, fin)

    def __repr__(self) -> str:
        if self.agreement is not None:
            shown = self.agreement._asdict()
        else:
            shown = {k: v for k, v in self._settings._asdict().items() if v}
        text = "; ".join(k if v is True else f"{k}={v}" for k, v in shown.items() if v is not False)
        return f"<PerMessageDeflate {text}>" if text else "<PerMessageDeflate>"
