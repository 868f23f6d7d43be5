"""``python -m wsproto extensions``."""

from __future__ import annotations

import types

import pytest

import wsproto.plugins
from wsproto.__main__ import main
from wsproto._cli import registry

from .zlib_frames import FrameZlib


def _deflate_installed() -> bool:
    try:
        from wsproto.extensions import PerMessageDeflate  # noqa: F401
    except ImportError:
        return False
    return True


def test_prints_the_registry_report(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["extensions"]) == 0
    out = capsys.readouterr().out
    assert out.rstrip("\n") == wsproto.plugins.format_plugins()
    assert "Entry-point group: wsproto.extensions" in out


@pytest.mark.skipif(not _deflate_installed(), reason="wsproto-deflate is not installed")
def test_deflate_plugin_is_listed(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["extensions"]) == 0
    out = capsys.readouterr().out
    line = next(line for line in out.splitlines() if line.strip().startswith("permessage-deflate"))
    assert "wsproto-deflate" in line
    assert "RSV1" in line
    row = next(r for r in registry.describe() if r.name == "permessage-deflate")
    assert (row.distribution, row.rsv_bits) == ("wsproto-deflate", "RSV1")
    assert row.origin.startswith("entry point: ")


def test_plugins_registered_in_code_are_described() -> None:
    plugin = types.SimpleNamespace(wsproto_extensions=wsproto.plugins.hookimpl(lambda: [FrameZlib]))
    name = wsproto.plugins.register(plugin, "cli-test-zlib")
    try:
        row = next(r for r in registry.describe() if r.name == "x-test-frame-zlib")
        assert row.rsv_bits == "RSV1"
        assert row.distribution == "-"
        assert "x-test-frame-zlib" in registry.extension_names(registry.installed_extensions())
    finally:
        wsproto.plugins.unregister(name)
    assert all(r.name != "x-test-frame-zlib" for r in registry.describe())


def test_fallback_without_registry_helpers(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The tool still lists entry points if the registry lacks its helpers."""
    for helper in ("describe_plugins", "format_plugins", "installed_extensions"):
        monkeypatch.delattr(wsproto.plugins, helper)
    assert registry.installed_extensions() == []
    assert main(["extensions"]) == 0
    out = capsys.readouterr().out
    if _deflate_installed():
        assert out.splitlines()[0].split()[:4] == ["EXTENSION", "DISTRIBUTION", "VERSION", "RSV"]
        line = next(x for x in out.splitlines() if x.startswith("permessage-deflate"))
        assert "wsproto-deflate" in line and "RSV1" in line
    else:
        assert "no extension plugins installed" in out


def test_format_rows_table() -> None:
    rows = [registry.PluginRow("x-a", "dist-a", "1.0", "RSV2", "entry point: a = m:a")]
    lines = registry.format_rows(rows).splitlines()
    assert lines[0].split() == ["EXTENSION", "DISTRIBUTION", "VERSION", "RSV", "BITS", "ORIGIN"]
    assert lines[1].split() == ["x-a", "dist-a", "1.0", "RSV2", "entry", "point:", "a", "=", "m:a"]
    assert "no extension plugins installed" in registry.format_rows([])
