"""Fixtures: a clean in-process registry, and real venvs with built plugin distributions.

The venv fixtures build wheels of the repository's distributions (and of the
broken fixture distributions) once per test session, then pip-install them
into temporary venvs. Set ``WSPROTO_SKIP_INSTALL_TESTS=1`` to skip those tests
(e.g. without access to a package index for h11 and pluggy).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator

import pytest

from wsproto import plugins

from .venvs import FIXTURES, ROOT, Venv, build_wheels, copy_project

DEFLATE_SRC = ROOT / "wsproto_deflate"


@pytest.fixture
def registry() -> Iterator[None]:
    """A registry with no entry points and no settings; restored afterwards."""
    plugins.reset_plugins()
    plugins.configure(autoload=False, allow=None, block=(), strict=False)
    yield
    plugins.reset_plugins()


@pytest.fixture(scope="session")
def wheelhouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Wheels of wsproto, plugins_example and the broken fixture distributions."""
    if os.environ.get("WSPROTO_SKIP_INSTALL_TESTS"):
        pytest.skip("WSPROTO_SKIP_INSTALL_TESTS is set: real-install tests are skipped")
    base = tmp_path_factory.mktemp("plugin-dists")
    src = base / "src"
    sources = [
        copy_project(ROOT, src / "wsproto", "wsproto"),
        copy_project(ROOT / "plugins_example", src / "example", "wsproto_example_plugins"),
        copy_project(FIXTURES / "broken_plugins", src / "broken", "wsproto_broken_plugins"),
        copy_project(FIXTURES / "duplicate_plugin", src / "dup", "wsproto_dup_bzip2"),
        # The core requires wsproto-deflate: its wheel must be in the wheelhouse.
        copy_project(DEFLATE_SRC, src / "deflate", "wsproto_deflate"),
    ]
    wheels = base / "wheels"
    build_wheels(wheels, sources)
    return wheels


@pytest.fixture(scope="session")
def plugin_venv(wheelhouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Venv:
    """A venv with wsproto, plugins_example, the broken plugins and the duplicate plugin."""
    venv = Venv(tmp_path_factory.mktemp("venv-plugins") / "venv", wheelhouse)
    venv.install(
        "wsproto", "wsproto-example-plugins", "wsproto-broken-plugins", "wsproto-dup-bzip2"
    )
    venv.uninstall("wsproto-deflate")  # these tests look at the other plugins alone
    return venv
