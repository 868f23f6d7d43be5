"""The wsproto plugin entry point (group ``wsproto.extensions``)."""

from __future__ import annotations

from typing import List, Type

from wsproto.extensions import Extension
from wsproto.plugins import hookimpl

from .extension import PerMessageDeflate

__all__ = ["wsproto_extensions"]


@hookimpl
def wsproto_extensions() -> List[Type[Extension]]:
    """Provide :class:`PerMessageDeflate` (one instance per connection)."""
    return [PerMessageDeflate]
