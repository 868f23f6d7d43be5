"""The hooks, and discovery through the installed entry points."""

from __future__ import annotations

import sys

import pytest
from helpers import connect, transfer
from wsproto.events import BytesMessage, CloseConnection
from wsproto.frame_protocol import CloseReason

from wsproto_example_plugins import PerMessageBzip2, PerMessageLzma, plugin_bzip2, plugin_lzma

if sys.version_info >= (3, 10):
    from importlib.metadata import PackageNotFoundError, distribution
else:  # pragma: no cover
    from importlib_metadata import PackageNotFoundError, distribution


def test_hooks_return_a_class_and_a_factory() -> None:
    assert plugin_bzip2.wsproto_extensions() == [PerMessageBzip2]
    (factory,) = plugin_lzma.wsproto_extensions()
    first, second = factory(), factory()
    assert isinstance(first, PerMessageLzma) and first is not second
    assert (first.level, first.max_level) == (1, 6)


def test_installed_distribution_is_discovered() -> None:
    try:
        distribution("wsproto-example-plugins")
    except PackageNotFoundError:
        pytest.skip("wsproto-example-plugins is not installed (pip install -e plugins_example)")
    from wsproto.plugins import describe_plugins

    found = {
        p.name: [(e.name, e.rsv_names) for e in p.extensions]
        for p in describe_plugins()
        if p.distribution == "wsproto-example-plugins"
    }
    assert found == {"bzip2": [("permessage-bzip2", "RSV2")], "lzma": [("permessage-lzma", "RSV1")]}


def test_lzma_memory_cap_rejects_a_higher_preset() -> None:
    client, server, _ = connect([PerMessageLzma(9)], [PerMessageLzma(1, max_level=0)])
    assert client.connection is not None
    ext = client.connection.extensions[0]
    assert isinstance(ext, PerMessageLzma) and ext.send_level == 0  # client_max_level=0
    ext.send_level = 9  # a peer that ignores the agreement: 64 MiB dictionary
    events = transfer(client, server, BytesMessage(bytes(range(256)) * 400))
    assert isinstance(events[-1], CloseConnection)
    assert events[-1].code == CloseReason.INVALID_FRAME_PAYLOAD_DATA


@pytest.mark.parametrize("garbage", [b"BZh9" + b"\x00" * 50, b"not a stream at all" * 5])
def test_corrupt_stream_fails_the_connection(garbage: bytes) -> None:
    client, _server, _ = connect([PerMessageBzip2()], [PerMessageBzip2()])
    # A server frame with RSV2 (compressed) whose payload is not a valid bzip2 stream.
    client.receive_data(bytes([0x80 | 0x20 | 0x2, len(garbage)]) + garbage)
    events = list(client.events())
    assert isinstance(events[-1], CloseConnection)
    assert events[-1].code in (CloseReason.PROTOCOL_ERROR, CloseReason.INVALID_FRAME_PAYLOAD_DATA)


def test_rsv2_on_a_continuation_frame_fails() -> None:
    client, _server, _ = connect([PerMessageBzip2()], [PerMessageBzip2()])
    client.receive_data(bytes([0x02, 1]) + b"a" + bytes([0x80 | 0x20 | 0x0, 1]) + b"b")
    events = list(client.events())
    assert isinstance(events[-1], CloseConnection) and events[-1].code == 1002
