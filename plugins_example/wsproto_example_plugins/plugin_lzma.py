"""The ``lzma`` entry point: provides permessage-lzma (RSV1, conflicts with deflate).

It returns a *factory* rather than a class, to show the other form the hook
accepts: any callable that makes a new, configured instance per connection.
"""

from __future__ import annotations

from typing import Callable, List

from wsproto.extensions import Extension
from wsproto.plugins import hookimpl

from .lzma_ext import PerMessageLzma

__all__ = ["make_lzma", "wsproto_extensions"]


def make_lzma() -> Extension:
    """A per-connection permessage-lzma at preset 1, accepting peers up to preset 6."""
    return PerMessageLzma(1, max_level=6)


@hookimpl
def wsproto_extensions() -> List[Callable[[], Extension]]:
    """Return the factories this plugin provides."""
    return [make_lzma]
