"""Fixtures for the interop tests: compression on/off and one server per (peer, mode)."""

from __future__ import annotations

from typing import Any, Callable, Iterator

import pytest

from . import scenarios as sc
from .wsio import our_extensions


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "interop: runs against a real independent WebSocket peer")


@pytest.fixture(params=[False, True], ids=["plain", "deflate"])
def compress(request: pytest.FixtureRequest) -> bool:
    """Run once without and once with permessage-deflate on our side."""
    if request.param:
        try:
            names = [getattr(ext, "name", "?") for ext in our_extensions()]
        except ImportError as exc:
            pytest.skip(f"permessage-deflate is not available to wsproto: {exc}")
        if "permessage-deflate" not in names:
            pytest.skip(
                "no permessage-deflate extension is installed for wsproto "
                f"(found {names}): pip install -e ./wsproto_deflate"
            )
    return bool(request.param)


class Pool:
    """Servers and batch client runs, created on first use and shared by the session."""

    def __init__(self) -> None:
        self._items: dict[tuple[Any, ...], Any] = {}
        self._stoppers: list[Callable[[], None]] = []

    def get(self, key: tuple[Any, ...], make: Callable[[], Any]) -> Any:
        """The item for ``key``, made (and remembered) on first use."""
        if key not in self._items:
            item = make()
            self._items[key] = item
            if hasattr(item, "stop"):
                self._stoppers.append(item.stop)
        return self._items[key]

    def our_server(self, compress: bool) -> Any:
        """Our threaded server, with or without compression."""
        from .our_server import OurServer

        return self.get(("ours", compress), lambda: OurServer(compress=compress).start())

    def close(self) -> None:
        """Stop everything that was started."""
        for stop in reversed(self._stoppers):
            stop()


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
