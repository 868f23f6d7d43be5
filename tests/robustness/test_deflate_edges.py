"""Edges of the permessage-deflate plugin that connections never reach: direct hook calls,
backend selection, and the representation before negotiation (coverage work, issue 8)."""

from __future__ import annotations

import pytest

from wsproto.frame_protocol import Opcode, RsvBits

from ._support import deflate_class

NO_RSV = RsvBits(False, False, False)
RSV1 = RsvBits(True, False, False)


def test_hooks_before_negotiation() -> None:
    ext = deflate_class()()
    assert ext.frame_inbound_header(None, Opcode.BINARY, RSV1, 5) == 1002
    assert ext.frame_inbound_header(None, Opcode.PING, NO_RSV, 0) == RSV1  # as 1.3.2
    assert ext.frame_outbound(None, Opcode.PING, NO_RSV, b"p", True) == (NO_RSV, b"p")
    assert ext.frame_outbound(None, Opcode.CONTINUATION, NO_RSV, b"c", True) == (NO_RSV, b"c")
    with pytest.raises(RuntimeError, match="not negotiated"):
        ext.frame_outbound(None, Opcode.TEXT, NO_RSV, b"t", True)
    assert repr(ext) == "<PerMessageDeflate client_max_window_bits=15; server_max_window_bits=15>"
    configured = deflate_class()(client_no_context_takeover=True, server_max_window_bits=10)
    assert "client_no_context_takeover" in repr(configured)
    assert "server_max_window_bits=10" in repr(configured)


def test_backend_selection() -> None:
    cls = deflate_class()
    assert cls(backend="zlib").backend.name == "zlib"
    with pytest.raises(ValueError, match="unknown deflate backend"):
        cls(backend="brotli")
    try:
        import zlib_ng  # noqa: F401
    except ImportError:
        with pytest.raises(ValueError, match="zlib-ng"):
            cls(backend="zlib-ng")
    else:
        assert cls(backend="zlib-ng").backend.name == "zlib-ng"
