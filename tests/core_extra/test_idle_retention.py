"""Regression: a connection must not pin the caller's last receive buffer once it is parsed.

Before the fix, the frame decoder kept a reference to the last chunk given to
``receive_data`` (up to the application's whole read size) until the next call, so an
idle server connection held its last read buffer, e.g. 1 MiB, indefinitely.
"""

from __future__ import annotations

import gc
import tracemalloc

import pytest

from wsproto.events import Message

from ._helpers import open_pair

MiB = 1 << 20


@pytest.mark.parametrize(
    "tail",
    [b"", b"\x82", b"\x82\xfe\x01", b"\x89\x85\x00\x00\x00\x00pi", b"\x82\x85\x00\x00\x00\x00ab"],
    ids=["complete", "half-header", "partial-header", "partial-ping", "mid-frame"],
)
def test_parsed_chunk_is_released(tail: bytes) -> None:
    client, server = open_pair()
    frame = client.send(Message(data=b"x" * 1000))
    gc.collect()
    tracemalloc.start()
    try:
        chunk = frame * (MiB // len(frame)) + tail
        before, _ = tracemalloc.get_traced_memory()
        server.receive_data(chunk)
        for _ in server.events():
            pass
        del chunk
        gc.collect()
        after, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # `before` includes the chunk (1 MiB): once it is dropped, memory falls back by about that.
    assert before - after > MiB - 64 * 1024, (before, after)
