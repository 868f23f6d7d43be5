"""Packaging: the entry point, the hook, the lazy re-export and installed_extensions()."""

from __future__ import annotations

import sys

import pytest

from wsproto.events import TextMessage
from wsproto.plugins import ENTRY_POINT_GROUP
from wsproto_deflate import PerMessageDeflate, plugin

from .helpers import Pair

if sys.version_info >= (3, 10):
    from importlib.metadata import entry_points
else:  # pragma: no cover
    from importlib_metadata import entry_points


def test_entry_point_is_declared() -> None:
    found = [
        ep for ep in entry_points(group=ENTRY_POINT_GROUP) if ep.value == "wsproto_deflate.plugin"
    ]
    assert len(found) == 1
    assert found[0].dist is not None and found[0].dist.name in (
        "wsproto-deflate",
        "wsproto_deflate",
    )
    assert found[0].load() is plugin


def test_hook_returns_the_class() -> None:
    assert plugin.wsproto_extensions() == [PerMessageDeflate]
    assert PerMessageDeflate.name == "permessage-deflate"
    assert tuple(PerMessageDeflate.rsv_bits) == (True, False, False)


def test_compat_import_is_the_plugin_class() -> None:
    from wsproto.extensions import PerMessageDeflate as Compat

    assert Compat is PerMessageDeflate


def test_installed_extensions_negotiate_deflate() -> None:
    plugins = pytest.importorskip("wsproto.plugins")
    installed = getattr(plugins, "installed_extensions", None)
    if installed is None:
        pytest.skip("wsproto.plugins.installed_extensions() is not available")
    client_exts = [e for e in installed() if isinstance(e, PerMessageDeflate)]
    server_exts = [e for e in installed() if isinstance(e, PerMessageDeflate)]
    assert client_exts and server_exts and client_exts[0] is not server_exts[0]
    pair = Pair(client_exts, server_exts)
    assert pair.extension("client") is not None and pair.extension("server") is not None
    assert pair.deliver("client", TextMessage("Hello")) == [TextMessage("Hello", True, True)]


def test_compat_import_without_the_plugin_names_the_package() -> None:
    plugins = pytest.importorskip("wsproto.plugins")
    if not hasattr(plugins, "configure") or not hasattr(plugins, "reset_plugins"):
        pytest.skip("the registry has no configure()/reset_plugins()")
    import wsproto.extensions

    plugins.configure(autoload=False)
    try:
        with pytest.raises(ImportError, match="wsproto-deflate"):
            from wsproto.extensions import PerMessageDeflate as _  # noqa: F401
        # Plain attribute access is an AttributeError, so hasattr/getattr(default) work.
        assert not hasattr(wsproto.extensions, "PerMessageDeflate")
    finally:
        plugins.reset_plugins()
    assert wsproto.extensions.PerMessageDeflate is PerMessageDeflate
