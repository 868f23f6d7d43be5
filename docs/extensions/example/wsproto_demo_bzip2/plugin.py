"""The module the entry point names: it tells wsproto which extensions this plugin adds."""

from __future__ import annotations

from typing import List, Type

from wsproto.extensions import Extension
from wsproto.plugins import hookimpl

from .extension import DemoBzip2


@hookimpl
def wsproto_extensions() -> List[Type[Extension]]:
    return [DemoBzip2]
