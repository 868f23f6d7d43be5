"""Interop with a real browser: headless Chromium opens ``new WebSocket(...)`` to our server.

The browser always offers permessage-deflate; ``compress`` decides whether our server
accepts it.
"""

from __future__ import annotations

import pytest

from . import peer_node
from . import scenarios as sc
from .check import check
from .pool import Pool

_missing = peer_node.missing_browser()
if _missing:
    pytest.skip(f"browser peer skipped: {_missing}", allow_module_level=True)

pytestmark = pytest.mark.interop

# The API cannot fragment either: in echo_fragmented the browser sends the message
# whole and only receives our fragmented echo.
NOT_IN_BROWSERS = {"ping_client": "the browser WebSocket API cannot send pings"}


# Scenarios a browser cannot run are left out, not collected and skipped.
@pytest.mark.parametrize("scenario", [s for s in sc.SCENARIOS if s not in NOT_IN_BROWSERS])
def test_chromium_vs_our_server(scenario: str, compress: bool, pool: Pool) -> None:
    server = pool.our_server(compress)
    batch_tag = f"chromium-{'deflate' if compress else 'plain'}-{sc.new_tag()}"
    wanted = [name for name in sc.SCENARIOS if name not in NOT_IN_BROWSERS]

    def run_batch() -> tuple[str, dict[str, dict[str, object]]]:
        args = [server.url, batch_tag, *wanted]
        return batch_tag, peer_node.run_node_client("browser_client.js", args, timeout=90)

    used_tag, results = pool.get(("chromium-run", compress), run_batch)
    assert scenario in results, f"browser_client.js reported no result for {scenario}"
    record = server.records.wait(sc.target(scenario, used_tag))
    check(scenario, results[scenario], record, compress=compress)
    offered = record.offered or ""
    assert "permessage-deflate" in offered, f"Chromium offered {offered!r}"
