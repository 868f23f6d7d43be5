"""The extension registry: a pluggy PluginManager fed by entry points and by code.

Loading is lazy: nothing here runs at ``import wsproto``. The first question
asked of the registry (``SUPPORTED_EXTENSIONS``, ``installed_extensions()``,
``describe_plugins()``...) scans the entry-point group once.

Order and duplicate rule:

=================================  ============================================
plugin order                       plugins registered in code, in registration
                                   order; then entry points sorted by
                                   (distribution name, entry-point name)
two plugins provide one name       the plugin preferred with ``prefer()`` /
                                   ``WSPROTO_PLUGINS_PREFER`` wins, else the
                                   first in plugin order; a PluginWarning names
                                   both (none when a preference decided)
``installed_extensions()`` order   plugin order, then each plugin's hook order
=================================  ============================================
"""

from __future__ import annotations

import sys
import threading
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Set, Tuple, Type

import pluggy

from . import hookspecs
from ._extension import Extension
from ._frame_types import RsvBits
from ._headers import is_token
from ._plugin_config import (
    ENV_BLOCK,
    ENV_PREFER,
    ExtensionInfo,
    PluginError,
    PluginInfo,
    PluginWarning,
    Settings,
    normalize,
)

__all__ = ["ENTRY_POINT_GROUP", "PROJECT", "Registry"]

#: The pluggy project name (hook markers use it).
PROJECT = "wsproto"
#: The entry-point group under which plugin distributions declare themselves.
ENTRY_POINT_GROUP = "wsproto.extensions"

CODE = "registered in code"
ENTRY_POINT = "entry point"


@dataclass
class _Provider:
    """One extension of one plugin: how to make per-connection instances."""

    name: str
    cls: Type[Extension]
    rsv_bits: RsvBits
    make: Callable[[], Any]
    plugin: _Plugin


@dataclass
class _Plugin:
    name: str
    source: str
    obj: Any = None
    distribution: Optional[str] = None
    version: Optional[str] = None
    origin: str = ""
    status: str = "loaded"
    error: Optional[str] = None
    providers: List[_Provider] = field(default_factory=list)

    def label(self) -> str:
        """A human description naming the entry point and the distribution."""
        if self.source == CODE:
            return f"plugin {self.name!r} ({CODE})"
        dist = f"{self.distribution} {self.version}" if self.distribution else "unknown"
        return f"plugin {self.name!r} (entry point '{self.origin}', distribution {dist})"


def _entry_points() -> List[Any]:
    if sys.version_info >= (3, 10):
        from importlib.metadata import entry_points
    else:  # pragma: no cover - Python 3.9 needs the backport for EntryPoint.dist
        from importlib_metadata import entry_points
    return list(entry_points(group=ENTRY_POINT_GROUP))


def _dist_of(ep: Any) -> Tuple[Optional[str], Optional[str]]:
    dist = getattr(ep, "dist", None)
    if dist is None:
        return None, None
    try:
        return str(dist.metadata["Name"]), str(dist.version)
    except Exception:  # pragma: no cover - broken metadata
        return None, None


def _location(obj: Any) -> Optional[str]:
    module = sys.modules.get(getattr(obj, "__module__", "") or "") if obj is not None else None
    path = getattr(obj, "__file__", None) or getattr(module, "__file__", None)
    return str(path) if path else None


def _origin(obj: Any) -> str:
    return str(getattr(obj, "__name__", None) or getattr(obj, "__module__", None) or type(obj))


class _Broken(Exception):
    """Internal: a plugin failed validation (message explains why)."""


def _validate(result: Any, plugin: _Plugin) -> List[_Provider]:
    """Turn a hook result into providers, or raise _Broken."""
    if isinstance(result, (str, bytes)) or not isinstance(result, (list, tuple)):
        raise _Broken(
            f"wsproto_extensions() returned {type(result).__name__}, expected a list of "
            "Extension subclasses or factories"
        )
    providers = []
    for item in result:
        if isinstance(item, type):
            if not issubclass(item, Extension):
                raise _Broken(f"{item!r} is not a subclass of wsproto.extensions.Extension")
        elif not callable(item):
            raise _Broken(
                f"wsproto_extensions() returned {item!r}: expected an Extension subclass or "
                "a factory (a callable returning a new Extension per connection)"
            )
        try:
            sample = item()
        except Exception as exc:
            raise _Broken(f"creating an instance with {item!r}() failed: {exc!r}") from exc
        if not isinstance(sample, Extension):
            raise _Broken(f"factory {item!r} returned {sample!r}, not an Extension instance")
        name = sample.name
        if not isinstance(name, str) or not is_token(name):
            raise _Broken(
                f"{type(sample).__name__} has invalid extension name {name!r}: "
                "it must be a non-empty RFC 7230 token"
            )
        bits = sample.rsv_bits
        if (
            not isinstance(bits, tuple)
            or len(bits) != 3
            or not all(isinstance(b, bool) for b in bits)
        ):
            raise _Broken(
                f"{type(sample).__name__}.rsv_bits is {bits!r}: expected RsvBits of 3 booleans"
            )
        providers.append(_Provider(name.lower(), type(sample), RsvBits(*bits), item, plugin))
    return providers


class Registry:
    """The plugin manager plus the extension table it yields."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._reset()

    def _reset(self) -> None:
        self.pm = pluggy.PluginManager(PROJECT)
        self.pm.add_hookspecs(hookspecs)
        self.settings = Settings.from_environ()
        self._code: List[_Plugin] = []  # registration order
        self._auto: List[_Plugin] = []  # sorted entry points, including failed/blocked
        self._removed: Set[str] = set()  # entry-point plugins unregistered in code
        self._loaded = False
        self._table: Optional[Dict[str, _Provider]] = None
        self._order: List[_Provider] = []
        self._warned: Set[str] = set()

    # -- loading -----------------------------------------------------------------

    def ensure_loaded(self) -> None:
        """Scan entry points once (unless autoload is off)."""
        if self._loaded:
            return
        with self._lock:
            if self._loaded:
                return
            self._loaded = True  # re-entrant calls during loading see what is there so far
            try:
                if self.settings.autoload:
                    self._autoload()
                self._table = None  # a plugin may have read a partial table while loading
            except BaseException:
                self._drop_auto()
                self._loaded = False
                raise

    def _autoload(self) -> None:
        seen = set()
        candidates = []
        for ep in _entry_points():
            dist, version = _dist_of(ep)
            key = (normalize(dist or ""), ep.name, ep.value)
            if key in seen:
                continue  # the same distribution found twice on sys.path
            seen.add(key)
            candidates.append((key, ep, dist, version))
        candidates.sort(key=lambda c: c[0])
        names = {normalize(n) for c in candidates for n in (c[1].name, c[2]) if n}
        # Allow-list items that name no plugin may be extension names: load to find out.
        allow = self.settings.allow
        load_all = allow is not None and bool(allow - names)
        for _, ep, dist, version in candidates:
            plugin = _Plugin(
                name=ep.name,
                source=ENTRY_POINT,
                distribution=dist,
                version=version,
                origin=f"{ep.name} = {ep.value}",
            )
            if ep.name in self._removed:
                continue
            keys = [ep.name, dist]
            if self.settings.block_hit(keys) or not (load_all or self.settings.allowed(keys)):
                plugin.status = "blocked" if self.settings.block_hit(keys) else "not allowed"
                plugin.error = self.settings.blocked(keys)
                self._auto.append(plugin)
                continue
            self._auto.append(plugin)
            try:
                plugin.obj = ep.load()
            except Exception as exc:
                self._fail(plugin, f"importing it failed: {type(exc).__name__}: {exc}", exc)
                continue
            if self.pm.has_plugin(plugin.name):
                plugin.name = f"{ep.name}@{dist}"
            self._add(plugin)

    def _add(self, plugin: _Plugin) -> bool:
        """Register ``plugin.obj`` with pluggy and call its hook; False if it failed."""
        try:
            self.pm.register(plugin.obj, name=plugin.name)
        except Exception as exc:
            self._fail(plugin, f"registering it failed: {type(exc).__name__}: {exc}", exc)
            return False
        impls = [
            impl
            for impl in self.pm.hook.wsproto_extensions.get_hookimpls()
            if impl.plugin is plugin.obj
        ]
        if not impls:
            self.pm.unregister(plugin.obj)
            self._fail(plugin, "it has no @hookimpl wsproto_extensions() hook", None)
            return False
        try:
            providers = []
            for impl in impls:
                result = impl.function()
                providers.extend(_validate(result, plugin))
        except Exception as exc:
            self.pm.unregister(plugin.obj)
            what = str(exc) if isinstance(exc, _Broken) else f"{type(exc).__name__}: {exc}"
            self._fail(plugin, f"its wsproto_extensions() hook failed: {what}", exc)
            return False
        plugin.providers = providers
        return True

    def _fail(self, plugin: _Plugin, why: str, exc: Optional[BaseException]) -> None:
        plugin.status = "failed"
        plugin.error = why
        verb = "broken" if self.settings.strict else "skipped broken"
        message = f"wsproto: {verb} extension {plugin.label()}: {why}"
        if plugin.source == ENTRY_POINT:
            message += (
                f". Fix or uninstall {plugin.distribution or 'the distribution'}, or block it "
                f"with {ENV_BLOCK}={plugin.name}"
            )
        if self.settings.strict:
            raise PluginError(message) from exc
        warnings.warn(message, PluginWarning, stacklevel=4)

    def _drop_auto(self) -> None:
        for plugin in self._auto:
            if plugin.obj is not None and self.pm.is_registered(plugin.obj):
                self.pm.unregister(plugin.obj)
        self._auto = []
        self._table = None

    # -- code registration ---------------------------------------------------------

    def register(self, obj: Any, name: Optional[str]) -> str:
        """Register a plugin object; raise PluginError if it is broken."""
        with self._lock:
            name = name or self.pm.get_canonical_name(obj)
            if self.pm.has_plugin(name) or self.pm.is_registered(obj):
                raise ValueError(f"a plugin named {name!r} (or this object) is already registered")
            plugin = _Plugin(name=name, source=CODE, obj=obj, origin=_origin(obj))
            strict, self.settings.strict = self.settings.strict, True
            try:
                self._add(plugin)
            finally:
                self.settings.strict = strict
            self._code.append(plugin)
            self._table = None
            return name

    def unregister(self, obj_or_name: Any) -> None:
        """Remove a plugin (registered in code or autoloaded) by object or name."""
        with self._lock:
            self.ensure_loaded()
            for group in (self._code, self._auto):
                for plugin in group:
                    if plugin.name == obj_or_name or (
                        plugin.obj is obj_or_name and plugin.obj is not None
                    ):
                        if plugin.obj is not None and self.pm.is_registered(plugin.obj):
                            self.pm.unregister(plugin.obj)
                        group.remove(plugin)
                        if group is self._auto:
                            self._removed.add(plugin.name)
                        self._table = None
                        return
            raise ValueError(f"no plugin {obj_or_name!r} is registered")

    def configure(self, **changes: Any) -> None:
        """Change settings; entry points are scanned again on next use."""
        with self._lock:
            for key, value in changes.items():
                setattr(self.settings, key, value)
            if set(changes) <= {"prefer"}:
                self._table = None  # only the duplicate winners change
                return
            self._drop_auto()
            self._removed.clear()
            self._loaded = False

    def reset(self) -> None:
        """Forget every plugin and setting; re-read the environment on next use."""
        with self._lock:
            self._reset()

    # -- the extension table -------------------------------------------------------------

    def plugins(self) -> List[_Plugin]:
        """Every plugin in plugin order (including failed and blocked ones)."""
        self.ensure_loaded()
        return self._code + self._auto

    def table(self) -> Dict[str, _Provider]:
        """The active extension providers by name (loads plugins on first use)."""
        table = self._table
        if table is not None and self._loaded:
            return table
        with self._lock:
            self.ensure_loaded()
            if self._table is None:
                self._build()
            assert self._table is not None
            return self._table

    def order(self) -> List[_Provider]:
        """The active providers in ``installed_extensions()`` order."""
        self.table()
        return self._order

    def _candidates(self) -> Dict[str, List[_Provider]]:
        by_name: Dict[str, List[_Provider]] = {}
        for plugin in self._code + self._auto:
            if plugin.status != "loaded":
                continue
            for provider in plugin.providers:
                if plugin.source == ENTRY_POINT and self.settings.blocked(
                    [provider.name, plugin.name, plugin.distribution]
                ):
                    continue
                by_name.setdefault(provider.name, []).append(provider)
        return by_name

    def _build(self) -> None:
        winners: Dict[str, _Provider] = {}
        for name, providers in self._candidates().items():
            wanted = self.settings.prefer.get(normalize(name))
            chosen = [
                p
                for p in providers
                if wanted in (normalize(p.plugin.name), normalize(p.plugin.distribution or ""))
            ]
            winner = (chosen or providers)[0]
            winners[name] = winner
            if len(providers) > 1 and not chosen:
                self._warn_duplicate(name, winner, providers)
        everything = [p for plugin in self._code + self._auto for p in plugin.providers]
        self._order = [p for p in everything if winners.get(p.name) is p]
        self._table = {p.name: p for p in self._order}

    def _warn_duplicate(self, name: str, winner: _Provider, providers: List[_Provider]) -> None:
        labels = ", ".join(p.plugin.label() for p in providers)
        key = f"{name}|{labels}"
        if key in self._warned:
            return
        self._warned.add(key)
        warnings.warn(
            f"wsproto: extension {name!r} is provided by several plugins: {labels}. Using "
            f"{winner.plugin.label()} (the first in plugin order). Choose with "
            f"wsproto.plugins.prefer({name!r}, PLUGIN) or {ENV_PREFER}={name}=PLUGIN",
            PluginWarning,
            stacklevel=5,
        )

    def instances(self) -> List[Extension]:
        """Fresh per-connection instances of every active extension, in order."""
        out = []
        for provider in self.order():
            try:
                ext = provider.make()
                if not isinstance(ext, Extension):
                    raise TypeError(f"returned {ext!r}, not an Extension instance")
            except Exception as exc:
                why = f"making a {provider.name!r} instance failed: {type(exc).__name__}: {exc}"
                message = f"wsproto: skipped extension {provider.plugin.label()}: {why}"
                if self.settings.strict:
                    raise PluginError(message) from exc
                warnings.warn(message, PluginWarning, stacklevel=3)
                continue
            out.append(ext)
        return out

    # -- introspection -----------------------------------------------------------------

    def describe(self) -> List[PluginInfo]:
        """Public records of every plugin, in plugin order."""
        table = self.table()
        candidates = self._candidates()
        infos = []
        for plugin in self.plugins():
            exts = []
            for p in plugin.providers:
                winner = table.get(p.name)
                if winner is p:
                    note = ""
                elif p.name not in candidates or p not in candidates[p.name]:
                    note = self.settings.blocked([p.name, plugin.name, plugin.distribution]) or ""
                else:
                    note = f"shadowed by {winner.plugin.label()}" if winner else "inactive"
                exts.append(ExtensionInfo(p.name, p.cls, p.rsv_bits, winner is p, note))
            infos.append(
                PluginInfo(
                    name=plugin.name,
                    source=plugin.source,
                    distribution=plugin.distribution,
                    version=plugin.version,
                    status=plugin.status,
                    origin=plugin.origin,
                    location=_location(plugin.obj),
                    error=plugin.error,
                    extensions=tuple(exts),
                )
            )
        return infos


_REGISTRY: Optional[Registry] = None
_CREATE = threading.Lock()


def registry() -> Registry:
    """The process-wide registry (created on first use)."""
    global _REGISTRY
    reg = _REGISTRY
    if reg is None:
        with _CREATE:
            if _REGISTRY is None:
                _REGISTRY = Registry()
            reg = _REGISTRY
    return reg


def distribution_of(cls: type) -> Optional[str]:
    """``"name version"`` of the distribution whose plugin provides ``cls``, or None.

    Only a registry that has loaded its plugins answers: the caller (a run-time
    fault report) must not trigger plugin loading.
    """
    reg = _REGISTRY
    if reg is None or not reg._loaded:
        return None
    for plugin in reg._code + reg._auto:
        if plugin.distribution and any(p.cls is cls for p in plugin.providers):
            return f"{plugin.distribution} {plugin.version or ''}".rstrip()
    return None
