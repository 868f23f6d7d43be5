"""permessage-deflate parameters (RFC 7692 section 7.1) negotiated with ``websockets``.

Each case runs several messages on one connection, so a side that ignores an agreed
``*_no_context_takeover`` or ``*_max_window_bits`` breaks its peer's decompressor.
"""

from __future__ import annotations

from typing import Any, Optional

import pytest

from . import our_client
from . import scenarios as sc
from .check import DEFLATE, check_agreed, extension_names
from .pool import Pool, deflate_unavailable

try:
    from websockets.exceptions import ConnectionClosed
    from websockets.extensions.permessage_deflate import (
        ClientPerMessageDeflateFactory,
        ServerPerMessageDeflateFactory,
    )
    from websockets.sync.client import connect
except ImportError as exc:
    pytest.skip(
        f"websockets is not installed ({exc}): pip install 'websockets>=13' "
        "or run `bash .ci/install-peers.sh`",
        allow_module_level=True,
    )

from .peer_websockets import COMMON, WebsocketsServer

pytestmark = pytest.mark.interop

#: name -> (websockets factory arguments, parameters the agreed response must show)
PEER_SETTINGS: dict[str, tuple[dict[str, Any], dict[str, Optional[int]]]] = {
    "no_context_takeover": (
        {"server_no_context_takeover": True, "client_no_context_takeover": True},
        {"server_no_context_takeover": None},
    ),
    "max_window_bits_10": (
        {"server_max_window_bits": 10, "client_max_window_bits": 10},
        {"server_max_window_bits": 10},
    ),
    "server_max_window_bits_9": ({"server_max_window_bits": 9}, {"server_max_window_bits": 9}),
}
#: name -> our PerMessageDeflate arguments
OUR_SETTINGS: dict[str, dict[str, Any]] = {
    "no_context_takeover": {"server_no_context_takeover": True, "client_no_context_takeover": True},
    "max_window_bits_10": {"server_max_window_bits": 10, "client_max_window_bits": 10},
}


@pytest.fixture(autouse=True)
def _need_deflate() -> None:
    reason = deflate_unavailable()
    if reason:
        pytest.skip(reason)


def _our_deflate(**kwargs: Any) -> Any:
    from wsproto.extensions import PerMessageDeflate

    return PerMessageDeflate(**kwargs)


def _websockets_sequence(url: str, factory: Any) -> str:
    """Echo :data:`scenarios.SEQUENCE` with a websockets client; returns the agreed header."""
    with connect(url, compression=None, extensions=[factory], **COMMON) as ws:
        assert ws.response is not None
        header = ws.response.headers.get("Sec-WebSocket-Extensions", "")
        try:
            for payload in sc.SEQUENCE:
                ws.send(payload)
                assert ws.recv(timeout=15) == payload, "echo differs from what was sent"
        except ConnectionClosed as exc:
            raise AssertionError(f"our server closed the connection: {exc.rcvd}") from exc
    return str(header)


@pytest.mark.parametrize("case", sorted(PEER_SETTINGS))
def test_websockets_client_offer_vs_our_server(case: str, pool: Pool, tag: str) -> None:
    settings, expected = PEER_SETTINGS[case]
    server = pool.our_server(True)
    url = server.url + sc.target("echo_sequence", tag)
    header = _websockets_sequence(url, ClientPerMessageDeflateFactory(**settings))
    check_agreed(header, expected)
    record = server.records.wait(sc.target("echo_sequence", tag))
    assert not record.error, f"server failed: {record.error}"


@pytest.mark.parametrize("case", sorted(PEER_SETTINGS))
def test_our_client_vs_websockets_server_settings(case: str, pool: Pool, tag: str) -> None:
    settings, expected = PEER_SETTINGS[case]
    server = pool.get(
        ("websockets-params", case),
        lambda: WebsocketsServer(
            compress=True, extensions=[ServerPerMessageDeflateFactory(**settings)]
        ).start(),
    )
    result = our_client.run("echo_sequence", server.port, tag, compress=True)
    assert not result.get("error"), f"client failed: {result['error']}"
    assert result["equal"], "echo differs from what was sent"
    check_agreed(result["extensions"], expected)
    record = server.records.wait(sc.target("echo_sequence", tag))
    assert not record.error, f"websockets server failed: {record.error}"


@pytest.mark.parametrize("case", sorted(OUR_SETTINGS))
def test_websockets_client_vs_our_server_settings(case: str, pool: Pool, tag: str) -> None:
    from .our_server import OurServer

    settings = OUR_SETTINGS[case]
    server = pool.get(
        ("ours-params", case),
        lambda: OurServer(compress=True, extensions=lambda: [_our_deflate(**settings)]).start(),
    )
    url = server.url + sc.target("echo_sequence", tag)
    header = _websockets_sequence(url, ClientPerMessageDeflateFactory())
    assert extension_names(header) == [DEFLATE]
    record = server.records.wait(sc.target("echo_sequence", tag))
    assert not record.error, f"server failed: {record.error}"


@pytest.mark.parametrize("case", sorted(OUR_SETTINGS))
def test_our_client_settings_vs_websockets_server(case: str, pool: Pool, tag: str) -> None:
    server = pool.get(("websockets", True), lambda: WebsocketsServer(compress=True).start())
    offer = [_our_deflate(**OUR_SETTINGS[case])]
    result = our_client.run("echo_sequence", server.port, tag, compress=True, extensions=offer)
    assert not result.get("error"), f"client failed: {result['error']}"
    assert result["equal"], "echo differs from what was sent"
    assert extension_names(result["extensions"]) == [DEFLATE]
    record = server.records.wait(sc.target("echo_sequence", tag))
    assert not record.error, f"websockets server failed: {record.error}"


#: The presets of PerMessageDeflate (local choices: compressor window and memLevel,
#: compressor kept or freed between messages, the client's window a server answers).
PRESETS = ("default", "lean", "max-ratio")


@pytest.mark.parametrize("preset", PRESETS)
@pytest.mark.parametrize("case", [*sorted(PEER_SETTINGS), "peer_defaults"])
def test_websockets_client_vs_our_preset_server(
    preset: str, case: str, pool: Pool, tag: str
) -> None:
    from .our_server import OurServer

    settings = PEER_SETTINGS[case][0] if case in PEER_SETTINGS else {}
    server = pool.get(
        ("ours-preset", preset),
        lambda: OurServer(compress=True, extensions=lambda: [_our_deflate(preset=preset)]).start(),
    )
    url = server.url + sc.target("echo_sequence", tag)
    header = _websockets_sequence(url, ClientPerMessageDeflateFactory(**settings))
    assert extension_names(header) == [DEFLATE]
    record = server.records.wait(sc.target("echo_sequence", tag))
    assert not record.error, f"server failed: {record.error}"


@pytest.mark.parametrize("preset", PRESETS)
@pytest.mark.parametrize("case", [*sorted(PEER_SETTINGS), "peer_defaults"])
def test_our_preset_client_vs_websockets_server(
    preset: str, case: str, pool: Pool, tag: str
) -> None:
    if case in PEER_SETTINGS:
        settings, expected = PEER_SETTINGS[case]
        server = pool.get(
            ("websockets-params", case),
            lambda: WebsocketsServer(
                compress=True, extensions=[ServerPerMessageDeflateFactory(**settings)]
            ).start(),
        )
    else:  # websockets' own server defaults (12-bit windows, memLevel 5)
        expected = {}
        server = pool.get(("websockets", True), lambda: WebsocketsServer(compress=True).start())
    offer = [_our_deflate(preset=preset)]
    result = our_client.run("echo_sequence", server.port, tag, compress=True, extensions=offer)
    assert not result.get("error"), f"client failed: {result['error']}"
    assert result["equal"], "echo differs from what was sent"
    assert extension_names(result["extensions"]) == [DEFLATE]
    check_agreed(result["extensions"], expected)
    record = server.records.wait(sc.target("echo_sequence", tag))
    assert not record.error, f"websockets server failed: {record.error}"
