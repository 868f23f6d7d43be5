"""The extension plugin registry (pluggy + entry points).

Plugin distributions declare an entry point in the group
``wsproto.extensions`` that names a module (or object) implementing the
:func:`~wsproto.hookspecs.wsproto_extensions` hook, marked with
:data:`hookimpl`.
"""

from __future__ import annotations

import pluggy

__all__ = ["ENTRY_POINT_GROUP", "hookimpl"]

#: The entry-point group under which plugin distributions declare themselves.
ENTRY_POINT_GROUP = "wsproto.extensions"

#: Marks hook implementations in plugins: ``@hookimpl def wsproto_extensions(): ...``
hookimpl = pluggy.HookimplMarker("wsproto")
