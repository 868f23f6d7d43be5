"""Discovery through real entry points of pip-installed distributions (temporary venvs)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, List

import pytest

from .venvs import Venv

# Building wheels and venvs dominates the run: make test does it on the primary interpreter and
# on the oldest one (the only one that needs the importlib-metadata backport).
pytestmark = pytest.mark.installs

QUIET = {"WSPROTO_PLUGINS_BLOCK": "wsproto-broken-plugins,wsproto-dup-bzip2"}


def plugin_warnings(report: Any) -> List[str]:
    return [w for w in report["warnings"] if w.startswith("PluginWarning")]


def test_import_wsproto_loads_no_plugin(plugin_venv: Venv) -> None:
    report = plugin_venv.run_json("probe.py", env=QUIET)
    assert report["loaded_at_import"] == []  # neither pluggy nor the registry


def test_installed_plugins_are_discovered(plugin_venv: Venv) -> None:
    report = plugin_venv.run_json("probe.py", env=QUIET)
    assert report["supported"] == {
        "permessage-bzip2": "wsproto_example_plugins.bzip2.PerMessageBzip2",
        "permessage-lzma": "wsproto_example_plugins.lzma_ext.PerMessageLzma",
    }
    assert report["installed"] == ["permessage-bzip2", "permessage-lzma"]
    assert plugin_warnings(report) == []
    example = [p for p in report["plugins"] if p["distribution"] == "wsproto-example-plugins"]
    assert [(p["name"], p["version"], p["status"]) for p in example] == [
        ("bzip2", "2.0.0", "loaded"),
        ("lzma", "2.0.0", "loaded"),
    ]
    assert example[0]["extensions"] == [["permessage-bzip2", [False, True, False], True]]
    assert "permessage-bzip2  RSV2" in report["text"]
    assert "wsproto-example-plugins 2.0.0" in report["text"]


def test_broken_plugins_are_skipped_with_warnings(plugin_venv: Venv) -> None:
    report = plugin_venv.run_json("probe.py", env={"WSPROTO_PLUGINS_BLOCK": "wsproto-dup-bzip2"})
    assert report["error"] is None
    assert report["installed"] == ["permessage-bzip2", "permessage-lzma"]  # the others still work
    warned = plugin_warnings(report)
    for entry_point, why in [
        ("import-error", "cannot be imported (on purpose)"),
        ("missing-module", "ModuleNotFoundError"),
        ("hook-raises", "the hook of hook-raises fails (on purpose)"),
        ("wrong-type", "is not a subclass of wsproto.extensions.Extension"),
        ("bad-name", "invalid extension name 'bad name; x'"),
        ("no-hook", "no @hookimpl wsproto_extensions() hook"),
    ]:
        matching = [w for w in warned if f"plugin '{entry_point}'" in w]
        assert len(matching) == 1, (entry_point, warned)
        assert "distribution wsproto-broken-plugins 0.1.0" in matching[0]
        assert why in matching[0]
    status = {p["name"]: p["status"] for p in report["plugins"]}
    assert status["hook-raises"] == "failed"
    assert "[failed]" in report["text"]


def test_strict_mode_raises(plugin_venv: Venv) -> None:
    env = {"WSPROTO_PLUGINS_STRICT": "1", "WSPROTO_PLUGINS_BLOCK": "wsproto-dup-bzip2"}
    report = plugin_venv.run_json("probe.py", env=env)
    assert report["error"].startswith("PluginError: wsproto: broken extension plugin ")
    assert "wsproto-broken-plugins" in report["error"]


def test_allow_list_imports_only_allowed_plugins(plugin_venv: Venv) -> None:
    report = plugin_venv.run_json("probe.py", env={"WSPROTO_PLUGINS_ALLOW": "bzip2"})
    assert report["installed"] == ["permessage-bzip2"]
    assert plugin_warnings(report) == []  # the broken ones were never imported
    status = {p["name"]: p["status"] for p in report["plugins"]}
    assert status["lzma"] == status["import-error"] == "not allowed"


def test_allow_list_by_extension_name(plugin_venv: Venv) -> None:
    env = {
        "WSPROTO_PLUGINS_ALLOW": "permessage-lzma",
        "WSPROTO_PLUGINS_BLOCK": "wsproto-broken-plugins",
    }
    report = plugin_venv.run_json("probe.py", env=env)
    assert report["installed"] == ["permessage-lzma"]


def test_block_list_by_extension_name(plugin_venv: Venv) -> None:
    env = {"WSPROTO_PLUGINS_BLOCK": QUIET["WSPROTO_PLUGINS_BLOCK"] + ",permessage-lzma"}
    report = plugin_venv.run_json("probe.py", env=env)
    assert report["installed"] == ["permessage-bzip2"]
    assert "permessage-lzma" not in report["supported"]


def test_disable_autoload(plugin_venv: Venv) -> None:
    report = plugin_venv.run_json("probe.py", env={"WSPROTO_DISABLE_PLUGIN_AUTOLOAD": "1"})
    assert report["supported"] == {} and report["installed"] == [] and report["plugins"] == []
    assert plugin_warnings(report) == []
    assert "autoloading is off" in report["deflate"]


def test_duplicate_names_rule_and_override(plugin_venv: Venv) -> None:
    env = {"WSPROTO_PLUGINS_BLOCK": "wsproto-broken-plugins"}
    report = plugin_venv.run_json("probe.py", env=env)
    # Entry points are ordered by distribution name: wsproto-dup-bzip2 < wsproto-example-plugins.
    assert report["supported"]["permessage-bzip2"] == "wsproto_dup_bzip2.OtherBzip2"
    (warning,) = plugin_warnings(report)
    assert "'permessage-bzip2' is provided by several plugins" in warning
    assert "wsproto-dup-bzip2 0.1.0" in warning and "wsproto-example-plugins 2.0.0" in warning
    env["WSPROTO_PLUGINS_PREFER"] = "permessage-bzip2=wsproto-example-plugins"
    report = plugin_venv.run_json("probe.py", env=env)
    assert report["supported"]["permessage-bzip2"] == (
        "wsproto_example_plugins.bzip2.PerMessageBzip2"
    )
    assert plugin_warnings(report) == []


def test_same_app_code_negotiates_what_is_installed(plugin_venv: Venv) -> None:
    report = plugin_venv.run_json("app.py", env=QUIET)
    assert report == {**report, "negotiated": ["permessage-bzip2", "permessage-lzma"]}
    assert report["round_trip"] is True


def test_deflate_story(wheelhouse: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    """`pip install wsproto` brings permessage-deflate; removing it leaves a working core."""
    venv = Venv(tmp_path_factory.mktemp("venv-story") / "venv", wheelhouse)
    venv.install("wsproto")
    with_deflate = venv.run_json("app.py")
    assert with_deflate["negotiated"] == ["permessage-deflate"]
    assert with_deflate["round_trip"] is True
    probe = venv.run_json("probe.py")
    assert probe["deflate"] == "importable"
    assert "permessage-deflate" in probe["supported"]
    listing = venv.run_module("wsproto", "extensions")
    assert "permessage-deflate" in listing and "wsproto-deflate" in listing

    venv.uninstall("wsproto-deflate")  # the core alone (docs/installation.rst)
    core_alone = venv.run_json("app.py")
    assert core_alone["negotiated"] == [] and core_alone["round_trip"] is True
    assert with_deflate["wire_bytes"] < core_alone["wire_bytes"] // 5
    probe = venv.run_json("probe.py")
    assert "pip install wsproto-deflate" in probe["deflate"]
