"""Fast in-process tests of the registry: plugin objects registered directly."""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Callable, List, Optional

import pytest

import wsproto._registry as registry_module
from wsproto import ConnectionType, WSConnection, plugins
from wsproto.events import AcceptConnection, Request
from wsproto.extensions import SUPPORTED_EXTENSIONS, Extension, ExtensionParams
from wsproto.frame_protocol import RsvBits
from wsproto.plugins import PluginError, PluginWarning, hookimpl

pytestmark = pytest.mark.usefixtures("registry")


RSV3 = RsvBits(False, False, True)


def make_ext(name: str, bits: RsvBits = RSV3) -> type:
    """A trivial extension class that accepts any offer."""

    class Ext(Extension):
        def offer_params(self) -> Optional[ExtensionParams]:
            return {}

        def accept_params(self, params: ExtensionParams) -> Optional[ExtensionParams]:
            return {}

        def finalize_params(self, params: ExtensionParams) -> None:
            pass

    Ext.name = name
    Ext.rsv_bits = bits
    Ext.__qualname__ = f"Ext[{name}]"
    return Ext


class Plugin:
    """A plugin object whose hook returns ``providers``."""

    def __init__(self, *providers: Any) -> None:
        self.providers = list(providers)

    @hookimpl
    def wsproto_extensions(self) -> List[Any]:
        return self.providers


class FakeEntryPoint:
    """Enough of importlib.metadata.EntryPoint for the registry."""

    def __init__(self, name: str, dist: str, target: Any, version: str = "1.0") -> None:
        self.name = name
        self.value = f"{dist.replace('-', '_')}:{name}"
        self.dist = SimpleNamespace(metadata={"Name": dist}, version=version)
        self._target = target

    def load(self) -> Any:
        if isinstance(self._target, BaseException):
            raise self._target
        return self._target


@pytest.fixture
def entry_points(monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """Install fake entry points and turn autoload on."""

    def install(*eps: FakeEntryPoint) -> None:
        monkeypatch.setattr(registry_module, "_entry_points", lambda: list(eps))
        plugins.configure(autoload=True)

    return install


# -- SUPPORTED_EXTENSIONS ------------------------------------------------------------------


def test_supported_extensions_is_a_live_read_only_mapping() -> None:
    Foo = make_ext("x-foo")
    assert "x-foo" not in SUPPORTED_EXTENSIONS and len(SUPPORTED_EXTENSIONS) == 0
    plugin = Plugin(Foo)
    plugins.register(plugin, name="foo")
    assert "x-foo" in SUPPORTED_EXTENSIONS and "X-Foo" in SUPPORTED_EXTENSIONS
    assert SUPPORTED_EXTENSIONS["x-foo"] is Foo
    assert list(SUPPORTED_EXTENSIONS) == ["x-foo"]
    assert dict(SUPPORTED_EXTENSIONS.items()) == {"x-foo": Foo} == SUPPORTED_EXTENSIONS
    assert SUPPORTED_EXTENSIONS.copy() == {"x-foo": Foo}  # type: ignore[attr-defined]
    assert SUPPORTED_EXTENSIONS.get("nope") is None
    with pytest.raises(KeyError):
        SUPPORTED_EXTENSIONS["nope"]
    with pytest.raises(TypeError, match="read-only"):
        SUPPORTED_EXTENSIONS["x"] = Foo  # type: ignore[index]
    with pytest.raises(TypeError, match="read-only"):
        del SUPPORTED_EXTENSIONS["x-foo"]  # type: ignore[attr-defined]
    plugins.unregister(plugin)
    assert "x-foo" not in SUPPORTED_EXTENSIONS


def test_import_wsproto_loads_neither_pluggy_nor_the_registry() -> None:
    code = (
        "import sys, wsproto, wsproto.extensions; "
        "print(sorted(m for m in ('pluggy', 'wsproto._registry', 'wsproto.plugins') "
        "if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert out.stdout.strip() == "[]"


def test_per_message_deflate_resolves_through_the_registry() -> None:
    Deflate = make_ext("permessage-deflate", RsvBits(True, False, False))
    with pytest.raises(ImportError, match="pip install wsproto-deflate"):
        from wsproto.extensions import PerMessageDeflate
    plugins.register(Plugin(Deflate), name="deflate")
    from wsproto.extensions import PerMessageDeflate as Found

    assert Found is Deflate
    plugins.unregister("deflate")
    with pytest.raises(ImportError, match="autoloading is off"):
        from wsproto.extensions import PerMessageDeflate  # noqa: F401
    with pytest.raises(AttributeError):
        _ = __import__("wsproto.extensions").extensions.NoSuchThing


def test_absent_plugin_attribute_behaves_for_hasattr_and_getattr() -> None:
    import wsproto.extensions as module

    # Nothing provides permessage-deflate here (autoload is off in these tests).
    assert not hasattr(module, "PerMessageDeflate")
    assert getattr(module, "PerMessageDeflate", None) is None
    with pytest.raises(AttributeError, match="pip install wsproto-deflate"):
        _ = module.PerMessageDeflate
    # A from-import still gets the advice, as an ImportError, in a function and at module level.
    with pytest.raises(ImportError, match="pip install wsproto-deflate"):
        from wsproto.extensions import PerMessageDeflate  # noqa: F401
    with pytest.raises(ImportError, match="pip install wsproto-deflate"):
        exec("from wsproto.extensions import PerMessageDeflate", {})
    Deflate = make_ext("permessage-deflate", RsvBits(True, False, False))
    plugins.register(Plugin(Deflate), name="deflate")
    try:
        assert hasattr(module, "PerMessageDeflate")
        assert getattr(module, "PerMessageDeflate", None) is Deflate
    finally:
        plugins.unregister("deflate")


def test_mypy_sees_the_plugin_class_not_any(tmp_path: Path) -> None:
    from mypy import api as mypy
    (tmp_path / "use.py").write_text(
        "from wsproto.extensions import PerMessageDeflate\n"
        "reveal_type(PerMessageDeflate(threshold=64))\n"
        "PerMessageDeflate(thresold=64)\n"
    )
    (tmp_path / "typo.py").write_text("from wsproto.extensions import PerMessageDeflte\n")
    out, _, status = mypy.run(
        ["--strict", "--no-incremental", "--cache-dir", os.devnull, str(tmp_path)]
    )
    assert status == 1
    assert 'Revealed type is "wsproto_deflate.extension.PerMessageDeflate"' in out
    assert 'Unexpected keyword argument "thresold"' in out
    assert 'has no attribute "PerMessageDeflte"; maybe "PerMessageDeflate"?' in out


# -- register / unregister / installed_extensions ---------------------------------------------


def test_installed_extensions_gives_fresh_instances_in_plugin_order() -> None:
    A, B, C = make_ext("x-a"), make_ext("x-b"), make_ext("x-c")
    made: List[Extension] = []

    def factory() -> Extension:
        made.append(C())
        return made[-1]

    plugins.register(Plugin(B, factory), name="second")
    plugins.register(Plugin(A), name="third")
    first, again = plugins.installed_extensions(), plugins.installed_extensions()
    assert [e.name for e in first] == ["x-b", "x-c", "x-a"]
    assert all(a is not b for a, b in zip(first, again))
    assert first[1] is made[-2] and again[1] is made[-1]


def test_registered_extensions_negotiate_end_to_end() -> None:
    plugins.register(Plugin(make_ext("x-one"), make_ext("x-two", RsvBits(False, True, False))))
    client = WSConnection(ConnectionType.CLIENT)
    server = WSConnection(ConnectionType.SERVER)
    req = Request(host="h", target="/", extensions=plugins.installed_extensions())
    server.receive_data(client.send(req))
    list(server.events())
    client.receive_data(server.send(AcceptConnection(extensions=plugins.installed_extensions())))
    (accepted,) = [e for e in client.events() if isinstance(e, AcceptConnection)]
    assert [e.name for e in accepted.extensions] == ["x-one", "x-two"]


def test_register_rejects_broken_plugins_and_twice_the_same() -> None:
    with pytest.raises(PluginError, match="not a subclass"):
        plugins.register(Plugin(int), name="bad-type")
    with pytest.raises(PluginError, match="invalid extension name"):
        plugins.register(Plugin(make_ext("has space")), name="bad-name")
    with pytest.raises(PluginError, match="expected a list"):
        plugins.register(SimpleNamespace(wsproto_extensions=hookimpl(lambda: "x")), name="str")
    with pytest.raises(PluginError, match="RuntimeError: hook failed"):
        plugins.register(SimpleNamespace(wsproto_extensions=hookimpl(_raise)), name="raises")
    plugins.register(Plugin(), name="empty")  # an empty list is fine
    with pytest.raises(PluginError, match="no @hookimpl"):
        plugins.register(object(), name="nothing")
    good = Plugin(make_ext("x-good"))
    plugins.register(good, name="good")
    with pytest.raises(ValueError, match="already registered"):
        plugins.register(good, name="other")
    with pytest.raises(ValueError, match="no plugin"):
        plugins.unregister("missing")
    assert list(SUPPORTED_EXTENSIONS) == ["x-good"]


def _raise() -> List[Any]:
    raise RuntimeError("hook failed")


def test_rsv_bits_must_be_three_booleans() -> None:
    Bad = make_ext("x-bad")
    Bad.rsv_bits = (1, 0)  # type: ignore[attr-defined]
    with pytest.raises(PluginError, match="rsv_bits"):
        plugins.register(Plugin(Bad))


def test_factory_failing_per_connection_is_skipped_or_raises_in_strict() -> None:
    calls = []

    def flaky() -> Extension:
        calls.append(1)
        if len(calls) > 1:
            raise RuntimeError("out of resources")
        return make_ext("x-flaky")()

    plugins.register(Plugin(flaky, make_ext("x-ok")), name="flaky")
    with pytest.warns(PluginWarning, match="x-flaky.*out of resources"):
        assert [e.name for e in plugins.installed_extensions()] == ["x-ok"]
    plugins.configure(strict=True)
    with pytest.raises(PluginError, match="out of resources"):
        plugins.installed_extensions()


# -- duplicates --------------------------------------------------------------------------


def test_duplicate_names_first_registered_wins_with_a_warning() -> None:
    One, Two = make_ext("x-dup"), make_ext("x-dup")
    plugins.register(Plugin(One), name="one")
    plugins.register(Plugin(Two), name="two")
    with pytest.warns(PluginWarning, match="'x-dup' is provided by several plugins"):
        assert SUPPORTED_EXTENSIONS["x-dup"] is One
    plugins.prefer("x-dup", "two")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert SUPPORTED_EXTENSIONS["x-dup"] is Two
        assert [type(e) for e in plugins.installed_extensions()] == [Two]
    info = {p.name: p.extensions[0] for p in plugins.describe_plugins()}
    assert info["two"].active and not info["one"].active
    assert "shadowed by plugin 'two'" in info["one"].note


# -- entry points: autoload, allow/block lists, strict, isolation -------------------------------


def test_entry_points_load_lazily_once(entry_points: Callable[..., None]) -> None:
    loads = []

    class Counting(FakeEntryPoint):
        def load(self) -> Any:
            loads.append(self.name)
            return super().load()

    entry_points(Counting("b", "dist-b", Plugin(make_ext("x-b"))))
    assert loads == []  # configure() did not load anything
    assert list(SUPPORTED_EXTENSIONS) == ["x-b"]
    assert list(SUPPORTED_EXTENSIONS) == ["x-b"]
    assert loads == ["b"]


def test_plugin_reading_the_registry_while_loading(entry_points: Callable[..., None]) -> None:
    class Reentrant(FakeEntryPoint):
        def load(self) -> Any:
            seen.append(sorted(SUPPORTED_EXTENSIONS))  # e.g. a plugin module checking names
            return super().load()

    seen: List[List[str]] = []
    entry_points(
        FakeEntryPoint("a", "dist-a", Plugin(make_ext("x-a"))),
        Reentrant("b", "dist-b", Plugin(make_ext("x-b"))),
    )
    assert sorted(SUPPORTED_EXTENSIONS) == ["x-a", "x-b"]
    assert seen == [["x-a"]]


def test_concurrent_first_use_loads_once(entry_points: Callable[..., None]) -> None:
    import threading
    import time

    loads: List[str] = []

    class Slow(FakeEntryPoint):
        def load(self) -> Any:
            loads.append(self.name)
            time.sleep(0.05)
            return super().load()

    entry_points(Slow("a", "dist-a", Plugin(make_ext("x-a"))))
    results: List[List[str]] = []
    threads = [
        threading.Thread(target=lambda: results.append(list(SUPPORTED_EXTENSIONS)))
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert loads == ["a"] and results == [["x-a"]] * 4


def test_entry_point_order_and_code_plugins_first(entry_points: Callable[..., None]) -> None:
    entry_points(
        FakeEntryPoint("z", "dist-b", Plugin(make_ext("x-z"))),
        FakeEntryPoint("a", "dist-b", Plugin(make_ext("x-a"))),
        FakeEntryPoint("m", "dist-a", Plugin(make_ext("x-m"))),
    )
    plugins.register(Plugin(make_ext("x-code")), name="code")
    assert [e.name for e in plugins.installed_extensions()] == ["x-code", "x-m", "x-a", "x-z"]


def test_broken_entry_points_are_isolated(entry_points: Callable[..., None]) -> None:
    entry_points(
        FakeEntryPoint("boom", "broken-dist", ImportError("no module named boom"), "0.3"),
        FakeEntryPoint("good", "good-dist", Plugin(make_ext("x-good"))),
    )
    with pytest.warns(PluginWarning) as caught:
        assert list(SUPPORTED_EXTENSIONS) == ["x-good"]
    (message,) = [str(w.message) for w in caught]
    assert "plugin 'boom'" in message and "distribution broken-dist 0.3" in message
    assert "no module named boom" in message and "WSPROTO_PLUGINS_BLOCK=boom" in message
    plugins.configure(strict=True)
    with pytest.raises(PluginError, match="boom"):
        list(SUPPORTED_EXTENSIONS)
    with pytest.raises(PluginError):  # still raises on the next use, not half-loaded
        list(SUPPORTED_EXTENSIONS)


def test_allow_and_block_lists_api(entry_points: Callable[..., None]) -> None:
    entry_points(
        FakeEntryPoint("a", "dist-a", Plugin(make_ext("x-a"), make_ext("x-a2"))),
        FakeEntryPoint("b", "dist-b", RuntimeError("must not be imported")),
    )
    plugins.configure(allow=["dist-a"])
    assert list(SUPPORTED_EXTENSIONS) == ["x-a", "x-a2"]
    plugins.configure(allow=None, block=["b", "x-a2"])
    assert list(SUPPORTED_EXTENSIONS) == ["x-a"]
    statuses = {p.name: p.status for p in plugins.describe_plugins()}
    assert statuses == {"a": "loaded", "b": "blocked"}
    plugins.configure(autoload=False)
    assert list(SUPPORTED_EXTENSIONS) == []


def test_environment_variables(
    monkeypatch: pytest.MonkeyPatch, entry_points: Callable[..., None]
) -> None:
    eps = (
        FakeEntryPoint("a", "dist-a", Plugin(make_ext("x-a"))),
        FakeEntryPoint("b", "dist-b", Plugin(make_ext("x-b"))),
    )
    monkeypatch.setattr(registry_module, "_entry_points", lambda: list(eps))
    for env, expected in [
        ({}, ["x-a", "x-b"]),
        ({"WSPROTO_DISABLE_PLUGIN_AUTOLOAD": "1"}, []),
        ({"WSPROTO_DISABLE_PLUGIN_AUTOLOAD": "0"}, ["x-a", "x-b"]),
        ({"WSPROTO_PLUGINS_ALLOW": "dist_b"}, ["x-b"]),
        ({"WSPROTO_PLUGINS_BLOCK": "x-b, a"}, []),
        ({"WSPROTO_PLUGINS_BLOCK": "X-B"}, ["x-a"]),
    ]:
        for key in (
            "WSPROTO_DISABLE_PLUGIN_AUTOLOAD",
            "WSPROTO_PLUGINS_ALLOW",
            "WSPROTO_PLUGINS_BLOCK",
        ):
            monkeypatch.delenv(key, raising=False)
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        plugins.reset_plugins()
        assert list(SUPPORTED_EXTENSIONS) == expected, env


def test_unregister_an_entry_point_plugin(entry_points: Callable[..., None]) -> None:
    entry_points(FakeEntryPoint("a", "dist-a", Plugin(make_ext("x-a"))))
    assert "x-a" in SUPPORTED_EXTENSIONS
    plugins.unregister("a")
    assert "x-a" not in SUPPORTED_EXTENSIONS
    plugins.load_plugins()
    assert "x-a" not in SUPPORTED_EXTENSIONS  # stays out until configure()/reset_plugins()
    assert not plugins.get_plugin_manager().has_plugin("a")


# -- introspection -----------------------------------------------------------------------


def test_describe_and_format(entry_points: Callable[..., None]) -> None:
    entry_points(
        FakeEntryPoint("deflate", "wsproto-deflate", Plugin(make_ext("permessage-deflate")), "2.0"),
        FakeEntryPoint("broken", "oops", ValueError("bad")),
    )
    plugins.register(Plugin(), name="empty")
    with pytest.warns(PluginWarning):
        infos = plugins.describe_plugins()
    empty, broken, deflate = infos  # sorted by distribution name: "oops" < "wsproto-deflate"
    assert (deflate.name, deflate.distribution, deflate.version) == (
        "deflate",
        "wsproto-deflate",
        "2.0",
    )
    assert deflate.source == "entry point" and deflate.origin.startswith("deflate = ")
    (ext,) = deflate.extensions
    assert (ext.name, ext.rsv_bits, ext.rsv_names, ext.active) == (
        "permessage-deflate",
        RsvBits(False, False, True),
        "RSV3",
        True,
    )
    assert empty.source == "registered in code" and empty.extensions == ()
    assert broken.status == "failed" and "ValueError: bad" in (broken.error or "")
    text = plugins.format_plugins()
    assert "permessage-deflate  RSV3" in text and "wsproto-deflate 2.0" in text
    assert "[failed]" in text and "Autoload: on" in text
