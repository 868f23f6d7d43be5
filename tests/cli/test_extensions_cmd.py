"""``python -m wsproto extensions``."""

from __future__ import annotations

from typing import Any, List

import pytest

import wsproto.plugins
from wsproto.__main__ import main
from wsproto._cli import registry


def test_lists_installed_plugins_or_says_none(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["extensions"]) == 0
    out = capsys.readouterr().out
    rows = registry.describe()
    if rows:
        assert out.splitlines()[0].split()[:4] == ["EXTENSION", "DISTRIBUTION", "VERSION", "RSV"]
        for row in rows:
            assert row.name in out
            assert row.distribution in out
    else:
        assert "no extension plugins installed" in out


def test_deflate_plugin_is_listed_when_installed(capsys: pytest.CaptureFixture[str]) -> None:
    try:
        from wsproto.extensions import PerMessageDeflate  # noqa: F401
    except ImportError:
        pytest.skip("wsproto-deflate is not installed")
    assert main(["extensions"]) == 0
    out = capsys.readouterr().out
    line = next(line for line in out.splitlines() if line.startswith("permessage-deflate"))
    assert "wsproto-deflate" in line
    assert "RSV1" in line


def test_uses_the_registry_description(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def describe_plugins() -> List[Any]:
        return [
            {
                "name": "x-demo",
                "distribution": "demo-dist",
                "version": "1.2.3",
                "rsv_bits": (False, True, False),
                "origin": "entry point demo = demo_dist.plugin",
            }
        ]

    monkeypatch.setattr(wsproto.plugins, "describe_plugins", describe_plugins, raising=False)
    assert main(["extensions"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("EXTENSION")
    assert lines[1].split() == [
        "x-demo",
        "demo-dist",
        "1.2.3",
        "RSV2",
        "entry",
        "point",
        "demo",
        "=",
        "demo_dist.plugin",
    ]


def test_empty_registry(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(wsproto.plugins, "describe_plugins", lambda: [], raising=False)
    assert main(["extensions"]) == 0
    assert "no extension plugins installed" in capsys.readouterr().out
