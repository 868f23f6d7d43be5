"""The ``PerMessageDeflate`` extension: RFC 7692 negotiation and the frame hooks."""

from __future__ import annotations

import os
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
from ._presets import PRESET_ENV_VAR, PRESETS

__all__ = ["PerMessageDeflate"]

_NO_RSV = RsvBits(False, False, False)
_RSV1 = RsvBits(True, False, False)
_CONTINUATION = Opcode.CONTINUATION
_PROTOCOL_ERROR = CloseReason.PROTOCOL_ERROR

#: Default most inflated bytes returned per step (the core asks again for the rest).
DEFAULT_INFLATE_STEP = 1 << 20


class PerMessageDeflate(Extension):
    """RFC 7692 permessage-deflate, for clients and servers.

    The first four arguments are upstream wsproto 1.3.2's and mean what they meant
    there: what a client offers, what a server answers to a bare
    ``client_max_window_bits`` and adds on its own (the takeover flags). Window
    sizes are 8 to 15; None means 15. After negotiation (``accept()`` on a server,
    ``finalize()`` on a client) the four attributes hold the values in force, as
    in 1.3.2.

    The keyword-only arguments are local choices that never change what is
    offered or required (see :doc:`compression`):

    :param preset: ``"default"``, ``"lean"`` or ``"max-ratio"``: the defaults of
        the next four arguments (see :data:`~wsproto_deflate._presets.PRESETS`).
        None: the environment variable ``WSPROTO_DEFLATE_PRESET``, else ``"default"``.
    :param compress_window_bits: most window bits our compressor uses (8-15),
        never more than negotiated. None: the preset's.
    :param mem_level: zlib memLevel 1-9 of our compressor. None: the preset's.
    :param keep_compressor: False frees the compressor after every message; a
        server then also answers ``server_no_context_takeover``. None: the preset's.
    :param client_window_limit: server only: the largest ``client_max_window_bits``
        answered to a client that offered the parameter (8-15). None: the preset's.
    :param level: zlib compression level, 0-9 (-1: zlib's default, 6).
    :param threshold: messages whose single frame is smaller than this many
        bytes are sent uncompressed (fragmented messages are always compressed).
    :param max_decompressed_size: fail the connection with 1009 when a
        compressed message inflates beyond this many bytes. None: unlimited.
    :param inflate_step: most inflated bytes handed to the core at once.
    :param backend: ``"zlib"``, ``"zlib-ng"``, or None: the environment variable
        ``WSPROTO_DEFLATE_BACKEND``, else zlib-ng when installed and the preset
        prefers it (only "max-ratio": zlib-ng allocates ~180 KiB per stream).
    """

    name = "permessage-deflate"
    rsv_bits = _RSV1

    DEFAULT_CLIENT_MAX_WINDOW_BITS = 15
    DEFAULT_SERVER_MAX_WINDOW_BITS = 15

    def __init__(
        self,
        client_no_context_takeover: bool = False,
        client_max_window_bits: Optional[int] = None,
        server_no_context_takeover: bool = False,
        server_max_window_bits: Optional[int] = None,
        *,
        preset: Optional[str] = None,
        compress_window_bits: Optional[int] = None,
        mem_level: Optional[int] = None,
        keep_compressor: Optional[bool] = None,
        client_window_limit: Optional[int] = None,
        level: int = -1,
        threshold: int = 0,
        max_decompressed_size: Optional[int] = None,
        inflate_step: int = DEFAULT_INFLATE_STEP,
        backend: Optional[str] = None,
    ) -> None:
        if preset is None:
            preset = os.environ.get(PRESET_ENV_VAR) or "default"
        chosen = PRESETS.get(preset) if isinstance(preset, str) else None
        if chosen is None:
            raise ValueError(f"preset must be one of {', '.join(PRESETS)}, not {preset!r}")
        check_window_bits("compress_window_bits", compress_window_bits)
        check_window_bits("client_window_limit", client_window_limit)
        if mem_level is not None and (type(mem_level) is not int or not 1 <= mem_level <= 9):
            raise ValueError(f"mem_level must be an int from 1 to 9, not {mem_level!r}")
        if type(level) is not int or not -1 <= level <= 9:
            raise ValueError(f"level must be an int from -1 to 9, not {level!r}")
        if threshold < 0:
            raise ValueError(f"threshold must be >= 0, not {threshold!r}")
        if max_decompressed_size is not None and max_decompressed_size < 0:
            raise ValueError(
                f"max_decompressed_size must be >= 0 or None, not {max_decompressed_size!r}"
            )
        if inflate_step < 1:
            raise ValueError(f"inflate_step must be >= 1, not {inflate_step!r}")
        self._configured = Settings()
        #: The negotiated parameters (what both ends understand), once negotiation succeeded.
        self.agreement: Optional[Agreement] = None
        self.client_no_context_takeover = client_no_context_takeover
        self.client_max_window_bits = client_max_window_bits
        self.server_no_context_takeover = server_no_context_takeover
        self.server_max_window_bits = server_max_window_bits
        self.preset = preset
        self.compress_window_bits = (
            chosen.compress_window_bits if compress_window_bits is None else compress_window_bits
        )
        self.mem_level: int = chosen.mem_level if mem_level is None else mem_level
        self.keep_compressor: bool = (
            chosen.keep_compressor if keep_compressor is None else keep_compressor
        )
        self.client_window_limit = (
            chosen.client_window_limit if client_window_limit is None else client_window_limit
        )
        self.level = level
        self.threshold = threshold
        self.max_decompressed_size = max_decompressed_size
        self.inflate_step = inflate_step
        self._local = (compress_window_bits, mem_level, keep_compressor, client_window_limit)
        self._backend_name = backend
        self.backend: Backend = get_backend(backend, chosen.prefer_zlib_ng)
        self._deflater: Optional[Deflater] = None
        self._inflater: Optional[Inflater] = None
        self._in_compressed = False
        self._out_compressed = False

    @classmethod
    def lean(cls, *args: Any, **kwargs: Any) -> PerMessageDeflate:
        """``PerMessageDeflate(..., preset="lean")``: least memory per connection."""
        return cls(*args, preset="lean", **kwargs)

    @classmethod
    def max_ratio(cls, *args: Any, **kwargs: Any) -> PerMessageDeflate:
        """``PerMessageDeflate(..., preset="max-ratio")``: 1.3.2's 15 bits, memLevel 8."""
        return cls(*args, preset="max-ratio", **kwargs)

    # -- upstream's four parameters, as attributes ---------------------------------

    @property
    def client_no_context_takeover(self) -> bool:
        """Configured, then (after negotiation) in force: the client resets its context."""
        return self._cnct

    @client_no_context_takeover.setter
    def client_no_context_takeover(self, value: bool) -> None:
        self._cnct = bool(value)
        if self.agreement is None:
            self._configured = self._configured._replace(client_no_context_takeover=bool(value))

    @property
    def server_no_context_takeover(self) -> bool:
        """Configured, then (after negotiation) in force: the server resets its context."""
        return self._snct

    @server_no_context_takeover.setter
    def server_no_context_takeover(self, value: bool) -> None:
        self._snct = bool(value)
        if self.agreement is None:
            self._configured = self._configured._replace(server_no_context_takeover=bool(value))

    @property
    def client_max_window_bits(self) -> int:
        """Configured (15 unless set), then (after negotiation) the client's window."""
        return self._cmwb

    @client_max_window_bits.setter
    def client_max_window_bits(self, value: Optional[int]) -> None:
        check_window_bits("client_max_window_bits", value)
        self._cmwb = 15 if value is None else value
        if self.agreement is None:
            self._configured = self._configured._replace(client_max_window_bits=self._cmwb)

    @property
    def server_max_window_bits(self) -> int:
        """Configured (15 unless set), then (after negotiation) the server's window."""
        return self._smwb

    @server_max_window_bits.setter
    def server_max_window_bits(self, value: Optional[int]) -> None:
        check_window_bits("server_max_window_bits", value)
        self._smwb = 15 if value is None else value
        if self.agreement is None:
            self._configured = self._configured._replace(server_max_window_bits=self._smwb)

    def fresh(self) -> PerMessageDeflate:
        """Return a new, unnegotiated instance with the same configuration."""
        window, mem_level, keep, limit = self._local
        return type(self)(
            *self._configured,
            preset=self.preset,
            compress_window_bits=window,
            mem_level=mem_level,
            keep_compressor=keep,
            client_window_limit=limit,
            level=self.level,
            threshold=self.threshold,
            max_decompressed_size=self.max_decompressed_size,
            inflate_step=self.inflate_step,
            backend=self._backend_name,
        )

    # -- negotiation -----------------------------------------------------------

    def enabled(self) -> bool:
        """True once negotiation succeeded (through the core or the string methods)."""
        return self.agreement is not None or super().enabled()

    def offer_params(self) -> ExtensionParams:
        """Client: the offer (see :func:`~wsproto_deflate._params.client_offer`)."""
        return client_offer(self._configured)

    def accept_params(self, params: ExtensionParams) -> Optional[ExtensionParams]:
        """Server: the response to one offer, or None to decline it."""
        try:
            response, agreement = server_response(
                params, self._configured, self.client_window_limit, not self.keep_compressor
            )
        except ValueError:
            return None
        # 1.3.2's attributes: the answered values, else the configured ones (the
        # codec uses the agreement: a window the client did not offer to limit is 15).
        configured = self._configured
        self._set_agreement(
            agreement,
            agreement.client_max_window_bits
            if "client_max_window_bits" in response
            else configured.client_max_window_bits,
            agreement.server_max_window_bits
            if "server_max_window_bits" in response
            else configured.server_max_window_bits,
        )
        return response

    def finalize_params(self, params: ExtensionParams) -> None:
        """Client: apply the server's response; raise ValueError if it is unacceptable."""
        agreement = client_agreement(params, self._configured)
        # 1.3.2's attributes: the answered values; a window the server did not
        # limit keeps the configured value (what the client compresses with).
        self._set_agreement(
            agreement,
            agreement.client_max_window_bits
            if "client_max_window_bits" in params
            else self._configured.client_max_window_bits,
            agreement.server_max_window_bits,
        )

    def accept(self, offer: str) -> Union[bool, str, None]:
        """Server, upstream 1.x form: the response parameters (``""`` for none) or None."""
        result = super().accept(offer)
        return "" if result is True else result

    def _set_agreement(self, agreement: Agreement, client_bits: int, server_bits: int) -> None:
        self.agreement = agreement
        self._cnct = agreement.client_no_context_takeover
        self._snct = agreement.server_no_context_takeover
        self._cmwb = client_bits
        self._smwb = server_bits
        # The codec is built on the first data frame, for the role of that connection
        # (mitmproxy finalizes one instance and uses it as a server).
        self._deflater = None
        self._inflater = None
        self._in_compressed = self._out_compressed = False
        self.inbound_pending = False

    def _codec(self, client: bool) -> Tuple[Deflater, Inflater]:
        agreement = self.agreement
        if agreement is None:
            raise RuntimeError("permessage-deflate was not negotiated on this connection")
        if client:
            out_bits = min(agreement.client_max_window_bits, self._cmwb)
            out_reset = agreement.client_no_context_takeover
            in_bits = agreement.server_max_window_bits
            in_reset = agreement.server_no_context_takeover
        else:
            out_bits = min(agreement.server_max_window_bits, self._smwb)
            out_reset = agreement.server_no_context_takeover
            in_bits = agreement.client_max_window_bits
            in_reset = agreement.client_no_context_takeover
        if self.compress_window_bits is not None:
            out_bits = min(out_bits, self.compress_window_bits)  # always allowed (7.1.2)
        self._deflater = Deflater(
            self.backend, out_bits, self.level, self.mem_level, out_reset, self.keep_compressor
        )
        self._inflater = Inflater(
            self.backend, in_bits, self.inflate_step, self.max_decompressed_size, in_reset
        )
        return self._deflater, self._inflater

    # -- frames ----------------------------------------------------------------

    def frame_inbound_header(
        self, proto: Any, opcode: Opcode, rsv: RsvBits, payload_length: int
    ) -> Union[CloseReason, RsvBits]:
        """RSV1 marks the first frame of a compressed message, and only that frame.

        As in 1.3.2, the answer claims RSV1 (the bit this extension owns) for every
        frame it does not reject.
        """
        if opcode == _CONTINUATION or opcode >= 8:  # control frames: their state is not ours
            return _PROTOCOL_ERROR if rsv.rsv1 else _RSV1
        self._in_compressed = rsv.rsv1
        if not rsv.rsv1:
            return _RSV1
        inflater = self._inflater
        if inflater is None:
            if self.agreement is None:  # not negotiated: the core should not call us
                return _PROTOCOL_ERROR
            inflater = self._codec(bool(getattr(proto, "client", False)))[1]
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
            deflater = self._codec(bool(getattr(proto, "client", False)))[0]
        return rsv, deflater.compress(data, fin)

    def __repr__(self) -> str:
        # 1.3.2's format, with the configured or (after negotiation) agreed values
        descr = [f"client_max_window_bits={self.client_max_window_bits}"]
        if self.client_no_context_takeover:
            descr.append("client_no_context_takeover")
        descr.append(f"server_max_window_bits={self.server_max_window_bits}")
        if self.server_no_context_takeover:
            descr.append("server_no_context_takeover")
        return f"<{type(self).__name__} {'; '.join(descr)}>"
