"""The extension plugin registry: pluggy hooks, entry points, and the installed extensions.

A plugin distribution declares an entry point in the group
:data:`ENTRY_POINT_GROUP` (``wsproto.extensions``) naming a module or object
that implements :func:`~wsproto.hookspecs.wsproto_extensions`, marked with
:data:`hookimpl`::

    from wsproto.plugins import hookimpl

    @hookimpl
    def wsproto_extensions():
        return [PerMessageBzip2]

Plugins load lazily, once, on first use of the registry (never at
``import wsproto``). Applications use every installed extension with::

    Request(host=..., target=..., extensions=installed_extensions())
    AcceptConnection(extensions=installed_extensions())

Environment variables (read when the registry first loads, and again after
:func:`reset_plugins`):

``WSPROTO_DISABLE_PLUGIN_AUTOLOAD``
    Any value but ``""``, ``0``, ``false``, ``no``, ``off``: scan no entry
    points; only plugins registered in code are used.
``WSPROTO_PLUGINS_ALLOW``
    Comma-separated names: only entry-point plugins whose entry-point name,
    distribution name or extension name is listed are used.
``WSPROTO_PLUGINS_BLOCK``
    Comma-separated names: entry-point plugins (or single extensions) with a
    listed entry-point, distribution or extension name are not used.
``WSPROTO_PLUGINS_PREFER``
    Comma-separated ``extension=plugin`` pairs deciding duplicate names.
``WSPROTO_PLUGINS_STRICT``
    A true value: a broken plugin raises :class:`PluginError` instead of
    being skipped with a :class:`PluginWarning`.
"""

from __future__ import annotations

from typing import Any, Iterable, List, Optional, Sequence

import pluggy

from ._plugin_config import (
    ENV_ALLOW,
    ENV_BLOCK,
    ENV_DISABLE_AUTOLOAD,
    ENV_PREFER,
    ENV_STRICT,
    ExtensionInfo,
    PluginError,
    PluginInfo,
    PluginWarning,
    normalize,
)
from ._registry import ENTRY_POINT_GROUP, PROJECT, registry
from .extensions import Extension

__all__ = [
    "ENTRY_POINT_GROUP",
    "ENV_ALLOW",
    "ENV_BLOCK",
    "ENV_DISABLE_AUTOLOAD",
    "ENV_PREFER",
    "ENV_STRICT",
    "ExtensionInfo",
    "PluginError",
    "PluginInfo",
    "PluginWarning",
    "configure",
    "describe_plugins",
    "format_plugins",
    "get_plugin_manager",
    "hookimpl",
    "installed_extensions",
    "load_plugins",
    "prefer",
    "register",
    "reset_plugins",
    "unregister",
]

#: Marks hook implementations in plugins: ``@hookimpl def wsproto_extensions(): ...``
hookimpl = pluggy.HookimplMarker(PROJECT)

_UNSET: Any = object()


def installed_extensions() -> List[Extension]:
    """Return fresh per-connection instances of every registered extension.

    Use the result as ``Request(extensions=...)`` or
    ``AcceptConnection(extensions=...)``: one call per connection. The order
    is the plugin order (plugins registered in code first, in registration
    order, then entry-point plugins sorted by distribution and entry-point
    name; each plugin's extensions in the order its hook returns them). A
    client offers in this order; honours the allow/block lists.
    """
    return registry().instances()


def register(plugin: object, name: Optional[str] = None) -> str:
    """Register a plugin object (a module, class or instance with ``@hookimpl`` hooks).

    Returns its name. Plugins registered in code come before entry-point
    plugins (they win duplicate names) and ignore the allow/block lists.
    Raises :class:`PluginError` if the plugin is broken, ValueError if it is
    already registered.
    """
    return registry().register(plugin, name)


def unregister(plugin: object) -> None:
    """Remove a plugin, given the object or its name (an entry-point name works too).

    An unregistered entry-point plugin stays out until :func:`configure` or
    :func:`reset_plugins`. Raises ValueError if there is no such plugin.
    """
    registry().unregister(plugin)


def configure(
    *,
    autoload: Optional[bool] = None,
    allow: Optional[Iterable[str]] = _UNSET,
    block: Optional[Iterable[str]] = _UNSET,
    strict: Optional[bool] = None,
) -> None:
    """Override the environment variables in code.

    :param autoload: False: load no entry points (like ``WSPROTO_DISABLE_PLUGIN_AUTOLOAD``).
    :param allow: names to allow (``None``: no allow list).
    :param block: names to block.
    :param strict: True: broken plugins raise :class:`PluginError`.

    Arguments left out keep their value. Entry points are scanned again on next use.
    """
    changes: dict[str, Any] = {}
    if autoload is not None:
        changes["autoload"] = autoload
    if allow is not _UNSET:
        changes["allow"] = None if allow is None else frozenset(normalize(n) for n in allow)
    if block is not _UNSET:
        changes["block"] = frozenset(normalize(n) for n in (block or ()))
    if strict is not None:
        changes["strict"] = strict
    registry().configure(**changes)


def prefer(extension: str, plugin: str) -> None:
    """Make ``plugin`` (a plugin or distribution name) provide ``extension`` when several do."""
    reg = registry()
    prefs = dict(reg.settings.prefer)
    prefs[normalize(extension)] = normalize(plugin)
    reg.configure(prefer=prefs)


def load_plugins() -> None:
    """Scan the entry points now instead of on first use (idempotent)."""
    registry().ensure_loaded()


def reset_plugins() -> None:
    """Forget all plugins and settings; the environment is read again on next use."""
    registry().reset()


def get_plugin_manager() -> pluggy.PluginManager:
    """The project's pluggy PluginManager, with entry-point plugins loaded."""
    reg = registry()
    reg.ensure_loaded()
    return reg.pm


def describe_plugins() -> List[PluginInfo]:
    """Every known plugin: source, distribution and version, state, extensions and RSV bits.

    Failed, blocked and not-allowed entry-point plugins are listed too, with the reason.
    """
    return registry().describe()


def format_plugins(plugins: Optional[Sequence[PluginInfo]] = None) -> str:
    """Render :func:`describe_plugins` as text (what ``python -m wsproto extensions`` prints)."""
    reg = registry()
    if plugins is None:
        plugins = describe_plugins()
    settings = reg.settings
    lines = []
    active = [e for p in plugins for e in p.extensions if e.active]
    if active:
        lines.append("Extensions in use (installed_extensions() order):")
        width = max(len(e.name) for e in active)
        earlier: List[ExtensionInfo] = []
        for p in plugins:
            for e in p.extensions:
                if e.active:
                    dist = f"{p.distribution} {p.version}" if p.distribution else p.source
                    lines.append(f"  {e.name:<{width}}  {e.rsv_names:<9} {dist}")
                    rivals = [o.name for o in earlier if any(map(all, zip(o.rsv_bits, e.rsv_bits)))]
                    if rivals:
                        lines.append(
                            f"  {'':<{width}}  (shares {e.rsv_names} with {', '.join(rivals)}, "
                            "offered earlier: negotiated only where that one is not)"
                        )
                    earlier.append(e)
    else:
        lines.append("Extensions in use: none (connections negotiate no extension)")
    lines.append("")
    lines.append("Plugins:" if plugins else "Plugins: none found")
    for p in plugins:
        dist = f"{p.distribution} {p.version}" if p.distribution else "-"
        lines.append(f"  {p.name}  [{p.status}]")
        lines.append(f"    distribution: {dist}")
        lines.append(f"    from: {p.source}: {p.origin}")
        if p.location:
            lines.append(f"    location: {p.location}")
        if p.error:
            lines.append(f"    reason: {p.error}")
        for e in p.extensions:
            state = "active" if e.active else f"inactive: {e.note}"
            cls = f"{e.cls.__module__}.{e.cls.__qualname__}"
            lines.append(f"    - {e.name} ({e.rsv_names}) {cls} [{state}]")
    lines.append("")
    lines.append(f"Entry-point group: {ENTRY_POINT_GROUP}")
    lines.append(f"Autoload: {'on' if settings.autoload else 'off'} ({ENV_DISABLE_AUTOLOAD})")
    allow = ", ".join(sorted(settings.allow)) if settings.allow is not None else "(none)"
    lines.append(f"Allow list: {allow} ({ENV_ALLOW})")
    lines.append(f"Block list: {', '.join(sorted(settings.block)) or '(none)'} ({ENV_BLOCK})")
    if settings.prefer:
        pairs = ", ".join(f"{k}={v}" for k, v in sorted(settings.prefer.items()))
        lines.append(f"Preferences: {pairs} ({ENV_PREFER})")
    lines.append(f"Strict: {'on' if settings.strict else 'off'} ({ENV_STRICT})")
    return "\n".join(lines)
