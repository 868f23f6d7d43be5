"""The ``upstream`` fixture: upstream wsproto 1.3.2 in a venv of its own (tests marked installs).

``WSPROTO_UPSTREAM_PYTHON`` may name the python of an existing venv with
wsproto 1.3.2 (to save the install while developing); otherwise one is created
per session. ``WSPROTO_SKIP_INSTALL_TESTS=1`` skips these tests.
"""

from __future__ import annotations

import os
from typing import Iterator

import pytest

from .upstream import Upstream, make_upstream_venv, upstream_capable_python


@pytest.fixture(autouse=True)
def _default_preset(monkeypatch: pytest.MonkeyPatch) -> None:
    """The tests state their preset; the environment's choice must not leak in."""
    monkeypatch.delenv("WSPROTO_DEFLATE_PRESET", raising=False)


@pytest.fixture(scope="session")
def upstream(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Upstream]:
    """A running upstream 1.3.2 oracle process (see upstream_oracle.py)."""
    if os.environ.get("WSPROTO_SKIP_INSTALL_TESTS"):
        pytest.skip("WSPROTO_SKIP_INSTALL_TESTS is set: tests needing wsproto 1.3.2 are skipped")
    python = os.environ.get("WSPROTO_UPSTREAM_PYTHON")
    if not python:
        base = upstream_capable_python()
        if base is None:
            pytest.skip("wsproto 1.3.2 needs Python >= 3.10 and none was found on PATH")
        python = make_upstream_venv(tmp_path_factory.mktemp("upstream") / "venv", base)
    oracle = Upstream(python)
    yield oracle
    oracle.close()
