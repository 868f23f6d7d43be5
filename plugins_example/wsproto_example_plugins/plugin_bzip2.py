"""The ``bzip2`` entry point: an ``@hookimpl`` module providing permessage-bzip2.

wsproto imports this module the first time an application asks the registry
for extensions (not at ``import wsproto``), calls ``wsproto_extensions()``
once, and from then on calls the returned class once per connection.
"""

from __future__ import annotations

from typing import List, Type

from wsproto.extensions import Extension
from wsproto.plugins import hookimpl

from .bzip2 import PerMessageBzip2

__all__ = ["wsproto_extensions"]


@hookimpl
def wsproto_extensions() -> List[Type[Extension]]:
    """Return the extension classes this plugin provides."""
    return [PerMessageBzip2]
