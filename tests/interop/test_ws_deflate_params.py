"""permessage-deflate parameters (RFC 7692 section 7.1) negotiated with Node's ``ws``.

Each case echoes several messages on one connection (``echo_sequence``), so an agreed
``*_no_context_takeover`` or ``*_max_window_bits`` that one side ignores breaks the other.
"""

from __future__ import annotations

import json
from typing import Any, Optional

import pytest

from . import our_client, peer_node
from . import scenarios as sc
from .check import DEFLATE, check_agreed, extension_names
from .pool import Pool, deflate_unavailable

_missing = peer_node.missing_node_peer("ws")
if _missing:
    pytest.skip(f"Node ws peer skipped: {_missing}", allow_module_level=True)

pytestmark = pytest.mark.interop

#: name -> (ws perMessageDeflate options, parameters the agreed response must show)
WS_SETTINGS: dict[str, tuple[dict[str, Any], dict[str, Optional[int]]]] = {
    # ws's defaults leave messages under 1 KiB uncompressed: plain and compressed
    # messages alternate on one connection.
    "defaults_threshold_1k": ({}, {}),
    "no_context_takeover": (
        {"serverNoContextTakeover": True, "clientNoContextTakeover": True, "threshold": 0},
        {"server_no_context_takeover": None},
    ),
    "max_window_bits_10": (
        {"serverMaxWindowBits": 10, "clientMaxWindowBits": 10, "threshold": 0},
        {"server_max_window_bits": 10},
    ),
}


@pytest.fixture(autouse=True)
def _need_deflate() -> None:
    reason = deflate_unavailable()
    if reason:
        pytest.skip(reason)


@pytest.mark.parametrize("case", sorted(WS_SETTINGS))
def test_ws_client_offer_vs_our_server(case: str, pool: Pool, tag: str) -> None:
    options, expected = WS_SETTINGS[case]
    server = pool.our_server(True)
    args = [server.url, tag, json.dumps(options), "echo_sequence"]
    result = peer_node.run_node_client("ws_client.js", args, timeout=60)["echo_sequence"]
    assert not result.get("error"), f"ws client failed: {result['error']}"
    assert result["equal"], "echo differs from what was sent"
    assert extension_names(result["extensions"]) == [DEFLATE]
    record = server.records.wait(sc.target("echo_sequence", tag))
    assert not record.error, f"server failed: {record.error}"
    check_agreed(record.extensions, expected)


@pytest.mark.parametrize("case", sorted(WS_SETTINGS))
def test_our_client_vs_ws_server_settings(case: str, pool: Pool, tag: str) -> None:
    options, expected = WS_SETTINGS[case]
    server = pool.get(
        ("ws-server-params", case),
        lambda: peer_node.NodeWsServer(compress=True, options=options),
    )
    result = our_client.run("echo_sequence", server.port, tag, compress=True)
    assert not result.get("error"), f"client failed: {result['error']}"
    assert result["equal"], "echo differs from what was sent"
    check_agreed(result["extensions"], expected)
    record = server.records.wait(sc.target("echo_sequence", tag))
    assert not record.error, f"ws server failed: {record.error}"


PRESETS = ("default", "lean", "max-ratio")


def _preset(preset: str) -> Any:
    from wsproto.extensions import PerMessageDeflate

    return PerMessageDeflate(preset=preset)


@pytest.mark.parametrize("preset", PRESETS)
@pytest.mark.parametrize("case", sorted(WS_SETTINGS))
def test_ws_client_vs_our_preset_server(preset: str, case: str, pool: Pool, tag: str) -> None:
    from .our_server import OurServer

    options, _ = WS_SETTINGS[case]
    server = pool.get(
        ("ours-preset", preset),
        lambda: OurServer(compress=True, extensions=lambda: [_preset(preset)]).start(),
    )
    args = [server.url, tag, json.dumps(options), "echo_sequence"]
    result = peer_node.run_node_client("ws_client.js", args, timeout=60)["echo_sequence"]
    assert not result.get("error"), f"ws client failed: {result['error']}"
    assert result["equal"], "echo differs from what was sent"
    assert extension_names(result["extensions"]) == [DEFLATE]
    record = server.records.wait(sc.target("echo_sequence", tag))
    assert not record.error, f"server failed: {record.error}"


@pytest.mark.parametrize("preset", PRESETS)
@pytest.mark.parametrize("case", sorted(WS_SETTINGS))
def test_our_preset_client_vs_ws_server(preset: str, case: str, pool: Pool, tag: str) -> None:
    options, expected = WS_SETTINGS[case]
    server = pool.get(
        ("ws-server-params", case),
        lambda: peer_node.NodeWsServer(compress=True, options=options),
    )
    offer = [_preset(preset)]
    result = our_client.run("echo_sequence", server.port, tag, compress=True, extensions=offer)
    assert not result.get("error"), f"client failed: {result['error']}"
    assert result["equal"], "echo differs from what was sent"
    check_agreed(result["extensions"], expected)
    record = server.records.wait(sc.target("echo_sequence", tag))
    assert not record.error, f"ws server failed: {record.error}"
