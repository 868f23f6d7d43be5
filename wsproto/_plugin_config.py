"""Registry settings: environment variables, name matching, and the public records.

Kept apart from the registry so that it can be read (and tested) without
importing pluggy or scanning entry points.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Dict, FrozenSet, Iterable, Mapping, Optional, Tuple

from ._frame_types import RsvBits

__all__ = [
    "ENV_ALLOW",
    "ENV_BLOCK",
    "ENV_DISABLE_AUTOLOAD",
    "ENV_PREFER",
    "ENV_STRICT",
    "ExtensionInfo",
    "PluginError",
    "PluginInfo",
    "PluginWarning",
    "Settings",
    "normalize",
]

#: Any value but "", "0", "false", "no", "off" turns plugin autoloading off.
ENV_DISABLE_AUTOLOAD = "WSPROTO_DISABLE_PLUGIN_AUTOLOAD"
#: Comma-separated allow list: only matching entry-point plugins and extensions are used.
ENV_ALLOW = "WSPROTO_PLUGINS_ALLOW"
#: Comma-separated block list: matching entry-point plugins and extensions are never used.
ENV_BLOCK = "WSPROTO_PLUGINS_BLOCK"
#: Comma-separated ``extension=plugin`` pairs choosing the winner of duplicate names.
ENV_PREFER = "WSPROTO_PLUGINS_PREFER"
#: Same truth values as above: a broken plugin raises :class:`PluginError`.
ENV_STRICT = "WSPROTO_PLUGINS_STRICT"

_FALSE = frozenset({"", "0", "false", "no", "off"})


class PluginError(Exception):
    """A plugin is broken (raised instead of a warning in strict mode)."""


class PluginWarning(UserWarning):
    """A plugin was skipped, or an extension name is provided twice."""


def normalize(name: str) -> str:
    """Normalise a plugin, distribution or extension name for comparison (PEP 503 style)."""
    return re.sub(r"[-_.]+", "-", name.strip()).lower()


def _names(value: Optional[str]) -> Optional[FrozenSet[str]]:
    if value is None or not value.strip():
        return None
    return frozenset(normalize(n) for n in re.split(r"[,\s]+", value) if n.strip())


def _flag(value: Optional[str]) -> bool:
    return value is not None and value.strip().lower() not in _FALSE


def _pairs(value: Optional[str]) -> Dict[str, str]:
    prefer: Dict[str, str] = {}
    for item in re.split(r"[,\s]+", value or ""):
        name, sep, plugin = item.partition("=")
        if sep and name.strip() and plugin.strip():
            prefer[normalize(name)] = normalize(plugin)
    return prefer


@dataclass
class Settings:
    """What the registry loads: read from the environment, overridable in code."""

    autoload: bool = True
    allow: Optional[FrozenSet[str]] = None
    block: FrozenSet[str] = frozenset()
    strict: bool = False
    prefer: Dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] = os.environ) -> Settings:
        """Read the ``WSPROTO_*`` environment variables."""
        return cls(
            autoload=not _flag(environ.get(ENV_DISABLE_AUTOLOAD)),
            allow=_names(environ.get(ENV_ALLOW)),
            block=_names(environ.get(ENV_BLOCK)) or frozenset(),
            strict=_flag(environ.get(ENV_STRICT)),
            prefer=_pairs(environ.get(ENV_PREFER)),
        )

    def block_hit(self, names: Iterable[Optional[str]]) -> FrozenSet[str]:
        """The block-list items matching any of ``names``."""
        return frozenset(normalize(n) for n in names if n) & self.block

    def allowed(self, names: Iterable[Optional[str]]) -> bool:
        """True if there is no allow list, or it matches one of ``names``."""
        if self.allow is None:
            return True
        return bool(frozenset(normalize(n) for n in names if n) & self.allow)

    def blocked(self, names: Iterable[Optional[str]]) -> Optional[str]:
        """Return why ``names`` are excluded by the block/allow lists, or None."""
        keys = list(names)
        hit = self.block_hit(keys)
        if hit:
            return f"blocked by {ENV_BLOCK} or the block list ({', '.join(sorted(hit))})"
        if not self.allowed(keys):
            return f"not in {ENV_ALLOW} or the allow list"
        return None


@dataclass(frozen=True)
class ExtensionInfo:
    """One extension a plugin provides."""

    #: The extension token, e.g. ``"permessage-deflate"`` (lower case).
    name: str
    #: Its class (``type(instance)`` for a factory).
    cls: type
    #: The reserved bits it claims.
    rsv_bits: RsvBits
    #: True if :func:`~wsproto.plugins.installed_extensions` returns it.
    active: bool
    #: Why it is not active (shadowed by another plugin, blocked...), else "".
    note: str = ""

    @property
    def rsv_names(self) -> str:
        """The claimed bits as text, e.g. ``"RSV1"`` or ``"-"``."""
        bits = [f"RSV{i + 1}" for i, on in enumerate(self.rsv_bits) if on]
        return "+".join(bits) or "-"


@dataclass(frozen=True)
class PluginInfo:
    """One plugin: where it came from, its state and its extensions."""

    #: The plugin's name in the plugin manager (the entry-point name for autoloaded ones).
    name: str
    #: ``"entry point"`` or ``"registered in code"``.
    source: str
    #: The distribution that declares it, and its version (None when registered in code).
    distribution: Optional[str]
    version: Optional[str]
    #: ``"loaded"``, ``"failed"``, ``"blocked"`` or ``"not allowed"``.
    status: str
    #: The entry point (``"name = module:attr"``) or the object's module.
    origin: str = ""
    #: The file of the plugin's module, when known.
    location: Optional[str] = None
    #: What went wrong, or why it was not loaded.
    error: Optional[str] = None
    extensions: Tuple[ExtensionInfo, ...] = ()
