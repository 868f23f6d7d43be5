"""Fixtures for the interop tests: compression on/off and the session's shared servers."""

from __future__ import annotations

from typing import Iterator

import pytest

from . import scenarios as sc
from .pool import Pool, deflate_unavailable


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "interop: runs against a real independent WebSocket peer")


@pytest.fixture(params=[False, True], ids=["plain", "deflate"])
def compress(request: pytest.FixtureRequest) -> bool:
    """Run once without and once with permessage-deflate on our side."""
    if request.param:
        reason = deflate_unavailable()
        if reason:
            pytest.skip(reason)
    return bool(request.param)


@pytest.fixture(scope="session")
def pool() -> Iterator[Pool]:
    """The session's shared servers."""
    shared = Pool()
    yield shared
    shared.close()


@pytest.fixture
def tag() -> str:
    """A fresh tag for one connection's target."""
    return sc.new_tag()
