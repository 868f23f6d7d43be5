"""The hook specifications that extension plugins implement."""

from __future__ import annotations

from typing import Callable, List, Type, Union

import pluggy

from ._extension import Extension

__all__ = ["hookspec", "wsproto_extensions"]

#: Marks hook specifications of the ``wsproto`` project.
hookspec = pluggy.HookspecMarker("wsproto")

#: What a plugin may return: extension classes, or factories called once per connection.
ExtensionProvider = Union[Type[Extension], Callable[[], Extension]]


@hookspec
def wsproto_extensions() -> List[ExtensionProvider]:  # type: ignore[empty-body]
    """Return the extensions this plugin provides.

    Each item is an :class:`~wsproto.extensions.Extension` subclass (called
    with no arguments to make a per-connection instance) or a factory that
    returns a fresh instance per call.
    """
