"""The deflate codec of one connection: a compressor per outbound direction and a
bounded decompressor per inbound direction (RFC 7692 section 7.2).

Inflation never returns more than ``step`` bytes per call (``max_length``)
and never hands zlib more than ``_IN_CHUNK`` input bytes at once, so a
decompression bomb costs at most about ``step`` bytes of memory at a time and
no quadratic copying of ``unconsumed_tail``.
"""

from __future__ import annotations

import zlib
from typing import Any, Optional, Union

from wsproto.frame_protocol import CloseReason

from ._backend import Backend

__all__ = ["Deflater", "Inflater"]

#: The empty stored block that ends every sync flush; removed by senders,
#: appended by receivers (RFC 7692 sections 7.2.1 and 7.2.2).
TAIL = b"\x00\x00\xff\xff"
#: An empty stored block once TAIL is removed: the payload of an empty message (7.2.3.6).
_EMPTY_BLOCK = b"\x00"
#: What may follow a final block in a message: an empty stored block (7.2.3.4).
_AFTER_FINAL = _EMPTY_BLOCK + TAIL
#: Most input bytes given to zlib per call; bounds the copy ``unconsumed_tail`` makes.
_IN_CHUNK = 1 << 16
_SYNC = zlib.Z_SYNC_FLUSH
_FULL = zlib.Z_FULL_FLUSH
_CORRUPT = CloseReason.INVALID_FRAME_PAYLOAD_DATA
_TOO_BIG = CloseReason.MESSAGE_TOO_BIG


def zlib_window(bits: int) -> int:
    """zlib rejects 8-bit raw windows: use 9 (twice the window the peer allowed)."""
    return 9 if bits < 9 else bits


class Deflater:
    """Compresses the messages sent in one direction."""

    def __init__(
        self,
        backend: Backend,
        window_bits: int,
        level: int,
        mem_level: int,
        reset: bool,
        keep: bool = True,
    ) -> None:
        self._backend = backend
        self._wbits = -zlib_window(window_bits)
        self._level = level
        self._mem_level = mem_level
        # No context takeover: end each message with a full flush, which makes the
        # next message independent without reallocating the compressor (same bytes
        # as a fresh compressor, tested; ~3% faster and no 256 KiB churn per message).
        self._end_flush = _FULL if reset and keep else _SYNC
        # keep=False frees the compressor after every message (a local choice: the next
        # message then refers to nothing before it, whatever was negotiated).
        self._keep = keep
        self._obj: Any = None

    def compress(self, data: bytes, fin: bool) -> bytes:
        """Return the compressed payload of one frame of a compressed message."""
        obj = self._obj
        if obj is None:
            obj = self._obj = self._backend.compressobj(
                self._level, zlib.DEFLATED, self._wbits, self._mem_level
            )
        head: bytes = obj.compress(data) if data else b""
        out: bytes = obj.flush(self._end_flush if fin else _SYNC)
        if head:
            out = head + out
        if not fin:
            return out
        if not self._keep:
            self._obj = None
        if out[-4:] == TAIL:
            return out[:-4]
        # Nothing new since the previous fragment's flush: end the message with an empty
        # stored block so the receiver's appended TAIL completes it.
        return out + _EMPTY_BLOCK


class Inflater:
    """Decompresses the messages received in one direction, one bounded step at a time.

    Results are bytes, or a close code: 1007 for corrupt data, 1009 once a
    message inflates beyond ``limit`` bytes.
    """

    def __init__(
        self,
        backend: Backend,
        window_bits: int,
        step: int,
        limit: Optional[int],
        reset: bool = False,
    ) -> None:
        self._backend = backend
        # The peer takes no context over: the decompressor is freed after each message.
        self._reset = reset
        self._wbits = -zlib_window(window_bits)
        self._step_size = step
        self._limit = limit
        self._obj: Any = None
        self._buf: bytes = b""  # input not given to zlib yet
        self._pos = 0
        #: Inflated bytes of the current message so far.
        self.size = 0
        #: True while output may be held back (input left, or the last step was full).
        self.pending = False
        self._fed = False  # the current message had compressed input
        self._ended = False  # zlib saw a final block (BFINAL) in the current message
        self._extra = b""  # payload bytes seen after that final block

    def start_message(self) -> None:
        """A compressed message begins."""
        self.size = 0
        self._fed = False
        if self._reset:
            self._obj = None
        if self._ended:  # the peer ended its deflate stream (BFINAL): start a new one
            self._ended = False
            self._extra = b""
            self._obj = None

    def feed(self, data: bytes) -> Union[bytes, int]:
        """Inflate a chunk of payload (``b""``: continue with held-back input)."""
        if data:
            if self._ended:
                self._extra += data
                return b"" if _AFTER_FINAL.startswith(self._extra) else _CORRUPT
            self._fed = True
            self._buf = data
            self._pos = 0
        elif not self.pending:
            return b""
        return self._step()

    def finish(self) -> Union[bytes, int]:
        """The message's last frame ended: inflate the appended TAIL (section 7.2.2)."""
        if not self._fed or self._ended:
            # An empty payload (no block at all) or a final block: nothing to complete.
            return b""
        self._buf = TAIL
        self._pos = 0
        out = self._step()
        if self._reset and not self.pending:
            self._obj = None
        return out

    def _step(self) -> Union[bytes, int]:
        obj = self._obj
        if obj is None:
            obj = self._obj = self._backend.decompressobj(self._wbits)
        budget = self._step_size
        limit = self._limit
        if limit is not None and limit - self.size < budget:
            budget = limit - self.size + 1  # one byte more than allowed reveals an excess
        buf = self._buf
        pos = self._pos
        end = len(buf)
        # Common case: a chunk of at most _IN_CHUNK bytes goes to zlib as it is (no copy).
        chunk: Any = buf
        if pos or end > _IN_CHUNK:
            chunk = memoryview(buf)[pos : pos + _IN_CHUNK]
        try:
            out: bytes = obj.decompress(chunk, budget)
            pos += len(chunk) - len(obj.unconsumed_tail)
            if pos < end and len(out) < budget and not obj.eof:
                parts = [out]
                got = len(out)
                while pos < end and got < budget and not obj.eof:
                    chunk = memoryview(buf)[pos : pos + _IN_CHUNK]
                    more = obj.decompress(chunk, budget - got)
                    pos += len(chunk) - len(obj.unconsumed_tail)
                    parts.append(more)
                    got += len(more)
                out = b"".join(parts)
        except self._backend.error:
            return _CORRUPT
        if obj.eof:
            # After a final block (BFINAL) a sender may only complete the empty stored
            # block of section 7.2.1: the bytes left must be a prefix of it.
            extra = self._extra + bytes(obj.unused_data) + bytes(buf[pos:])
            if buf is not TAIL and not _AFTER_FINAL.startswith(extra):
                return _CORRUPT
            self._extra = extra
            self._ended = True
            pos = end
        if pos >= end:
            self._buf = b""
            pos = 0
            end = 0
        self._pos = pos
        size = self.size + len(out)
        if limit is not None and size > limit:
            self.pending = False
            return _TOO_BIG
        self.size = size
        self.pending = pos < end or (len(out) == budget and not self._ended)
        return out
