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

__all__ = ["PluginRow", "describe", "extension_names", "format_rows", "installed_extensions"]


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
    """Describe every installed extension plugin."""
    helper: Optional[Callable[[], Any]] = getattr(plugins, "describe_plugins", None)
    if helper is not None:
        return [_row(item) for item in helper()]
    return _scan_entry_points()


def _rsv_text(bits: Any) -> str:
    if isinstance(bits, str):
        return bits
    try:
        names = [f"RSV{i}" for i, on in enumerate(bits, start=1) if on]
    except TypeError:
        return str(bits)
    return " ".join(names) or "-"


def _row(item: Any) -> PluginRow:
    """Adapt whatever record the registry returns (mapping or object)."""

    def field(*names: str) -> Any:
        for name in names:
            if isinstance(item, dict) and name in item:
                return item[name]
            if hasattr(item, name):
                return getattr(item, name)
        return None

    return PluginRow(
        name=str(field("name", "extension") or "?"),
        distribution=str(field("distribution", "dist", "project") or "-"),
        version=str(field("version") or "-"),
        rsv_bits=_rsv_text(field("rsv_bits", "rsv")),
        origin=str(field("origin", "source", "entry_point") or "-"),
    )


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
