"""Interop with the Python ``websockets`` package, as client and as server."""

from __future__ import annotations

from typing import Optional

import pytest

from . import our_client
from . import scenarios as sc
from .check import check
from .pool import Pool

MIN_VERSION = (13, 0)
_found: Optional[tuple[int, ...]]
try:
    from websockets.version import version as _version

    _found = tuple(int(part) for part in _version.split(".")[:2])
except ImportError:
    _found = None
if _found is None or _found < MIN_VERSION:
    pytest.skip(
        f"websockets >= {MIN_VERSION[0]}.{MIN_VERSION[1]} is not installed "
        f"(found {_found}): pip install 'websockets>=13' or run `bash .ci/install-peers.sh`",
        allow_module_level=True,
    )

from .peer_websockets import WebsocketsServer, run_client  # noqa: E402

pytestmark = pytest.mark.interop


@pytest.mark.parametrize("scenario", sc.SCENARIOS)
def test_websockets_client_vs_our_server(
    scenario: str, compress: bool, pool: Pool, tag: str
) -> None:
    server = pool.our_server(compress)
    result = run_client(scenario, server.url, tag, compress=compress)
    record = server.records.wait(sc.target(scenario, tag))
    check(scenario, result, record, compress=compress)


@pytest.mark.parametrize("scenario", sc.SCENARIOS)
def test_our_client_vs_websockets_server(
    scenario: str, compress: bool, pool: Pool, tag: str
) -> None:
    server = pool.get(("websockets", compress), lambda: WebsocketsServer(compress=compress).start())
    result = our_client.run(scenario, server.port, tag, compress=compress)
    record = server.records.wait(sc.target(scenario, tag))
    check(scenario, result, record, compress=compress)
