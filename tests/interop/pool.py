"""Servers and batch client runs shared by a test session, made on first use."""

from __future__ import annotations

from typing import Any, Callable, Optional

from .wsio import our_extensions


def deflate_unavailable() -> Optional[str]:
    """Why our side can't offer permessage-deflate (a skip reason), or None when it can."""
    try:
        names = [getattr(ext, "name", "?") for ext in our_extensions()]
    except ImportError as exc:
        return f"permessage-deflate is not available to wsproto: {exc}"
    if "permessage-deflate" not in names:
        return (
            f"no permessage-deflate extension is installed for wsproto (found {names}): "
            "pip install -e ./wsproto_deflate"
        )
    return None


class _Failed:
    """Stands for an item whose making raised."""

    def __init__(self, message: str) -> None:
        self.message = message


class Pool:
    """Items keyed by a tuple, made on first use; whatever has ``stop()`` is stopped at the end."""

    def __init__(self) -> None:
        self._items: dict[tuple[Any, ...], Any] = {}
        self._stoppers: list[Callable[[], None]] = []

    def get(self, key: tuple[Any, ...], make: Callable[[], Any]) -> Any:
        """The item for ``key``, made (and remembered) on first use."""
        if key not in self._items:
            try:
                item = make()
            except Exception as exc:
                # Remember the failure: the next test must not pay for it again.
                item = _Failed(f"{type(exc).__name__}: {exc}")
            self._items[key] = item
            if hasattr(item, "stop"):
                self._stoppers.append(item.stop)
        item = self._items[key]
        if isinstance(item, _Failed):
            raise AssertionError(f"{key} could not be set up: {item.message}")
        return item

    def our_server(self, compress: bool) -> Any:
        """Our threaded server, with or without compression."""
        from .our_server import OurServer

        return self.get(("ours", compress), lambda: OurServer(compress=compress).start())

    def close(self) -> None:
        """Stop everything that was started, newest first."""
        for stop in reversed(self._stoppers):
            stop()
