"""The tool's view of the plugin registry.

It uses :mod:`wsproto.plugins` when that module offers the helpers
(``installed_extensions``, ``describe_plugins``), and otherwise reads the
entry points itself, so the tool works with any core version.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any, Callable, List, Optional

from .. import plugins
from ..extensions import Extension

__all__ = [
    "PluginRow",
    "describe",
    "extension_names",
    "format_rows",
    "installed_extensions",
    "report",
]


@dataclass(frozen=True)
class PluginRow:
    """One installed extension, as listed by ``python -m wsproto extensions``."""

    name: str
    distribution: str
    version: str
    rsv_bits: str
    origin: str


def installed_extensions() -> List[Extension]:
    """Fresh instances of every installed extension (empty if the registry lacks the helper)."""
    helper: Optional[Callable[[], List[Extension]]] = getattr(plugins, "installed_extensions", None)
    if helper is None:
        return []
    return list(helper())


def extension_names(extensions: List[Extension]) -> str:
    """``"a, b"``, or ``"none"``."""
    return ", ".join(ext.name for ext in extensions) or "none"


def describe() -> List[PluginRow]:
    """Describe every installed extension (one row per extension a plugin provides)."""
    helper: Optional[Callable[[], Any]] = getattr(plugins, "describe_plugins", None)
    if helper is None:
        return _scan_entry_points()
    rows: List[PluginRow] = []
    for info in helper():
        origin = f"{info.source}: {info.origin}" if info.origin else str(info.source)
        if info.status != "loaded":
            origin += f" [{info.status}]"
        for ext in info.extensions:
            note = "" if ext.active else f" [inactive: {ext.note}]"
            rows.append(
                PluginRow(
                    name=ext.name,
                    distribution=info.distribution or "-",
                    version=info.version or "-",
                    rsv_bits=_rsv_text(ext.rsv_bits),
                    origin=origin + note,
                )
            )
    return rows


def report() -> str:
    """What ``python -m wsproto extensions`` prints: the registry's own report if it has one."""
    formatter: Optional[Callable[[], str]] = getattr(plugins, "format_plugins", None)
    if formatter is not None:
        return formatter()
    return format_rows(describe())


def _rsv_text(bits: Any) -> str:
    names = [f"RSV{i}" for i, on in enumerate(bits, start=1) if on]
    return " ".join(names) or "-"


def _scan_entry_points() -> List[PluginRow]:
    if sys.version_info >= (3, 10):
        from importlib.metadata import entry_points
    else:  # pragma: no cover - Python 3.9
        from importlib_metadata import entry_points
    rows: List[PluginRow] = []
    for ep in entry_points(group=plugins.ENTRY_POINT_GROUP):
        dist = getattr(ep, "dist", None)
        dist_name = str(dist.metadata["Name"]) if dist is not None else "-"
        version = str(dist.version) if dist is not None else "-"
        origin = f"entry point {ep.name} = {ep.value}"
        try:
            providers = ep.load().wsproto_extensions()
        except Exception as exc:  # a broken plugin is listed, not fatal
            rows.append(PluginRow("?", dist_name, version, "-", f"{origin} (failed: {exc})"))
            continue
        for provider in providers:
            ext = provider()
            rows.append(PluginRow(ext.name, dist_name, version, _rsv_text(ext.rsv_bits), origin))
    return rows


def format_rows(rows: List[PluginRow]) -> str:
    """A plain-text table of ``rows``."""
    if not rows:
        return (
            "no extension plugins installed (try: pip install wsproto-deflate)\n"
            "without extensions, connections use plain RFC 6455 frames"
        )
    header = PluginRow("EXTENSION", "DISTRIBUTION", "VERSION", "RSV BITS", "ORIGIN")
    table = [header, *rows]
    columns = ("name", "distribution", "version", "rsv_bits")
    widths = [max(len(getattr(r, f)) for r in table) for f in columns]
    lines = []
    for r in table:
        cells = [r.name, r.distribution, r.version, r.rsv_bits]
        lines.append("  ".join(c.ljust(w) for c, w in zip(cells, widths)) + "  " + r.origin)
    return "\n".join(line.rstrip() for line in lines)
