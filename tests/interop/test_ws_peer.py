"""Interop with Node's ``ws`` package, as client and as server."""

from __future__ import annotations

import pytest

from . import our_client, peer_node
from . import scenarios as sc
from .check import check
from .pool import Pool

_missing = peer_node.missing_node_peer("ws")
if _missing:
    pytest.skip(f"Node ws peer skipped: {_missing}", allow_module_level=True)

pytestmark = pytest.mark.interop


@pytest.mark.parametrize("scenario", sc.SCENARIOS)
def test_ws_client_vs_our_server(scenario: str, compress: bool, pool: Pool) -> None:
    server = pool.our_server(compress)
    batch_tag = f"ws-{'deflate' if compress else 'plain'}-{sc.new_tag()}"

    def run_batch() -> tuple[str, dict[str, dict[str, object]]]:
        args = [server.url, batch_tag, "on" if compress else "off", *sc.SCENARIOS]
        return batch_tag, peer_node.run_node_client("ws_client.js", args, timeout=90)

    used_tag, results = pool.get(("ws-client-run", compress), run_batch)
    assert scenario in results, f"ws_client.js reported no result for {scenario}"
    record = server.records.wait(sc.target(scenario, used_tag))
    check(scenario, results[scenario], record, compress=compress)


@pytest.mark.parametrize("scenario", sc.SCENARIOS)
def test_our_client_vs_ws_server(scenario: str, compress: bool, pool: Pool, tag: str) -> None:
    server = pool.get(("ws-server", compress), lambda: peer_node.NodeWsServer(compress=compress))
    result = our_client.run(scenario, server.port, tag, compress=compress)
    record = server.records.wait(sc.target(scenario, tag))
    check(scenario, result, record, compress=compress)
