"""Release metadata of the three distributions: licence, links, classifiers, descriptions.

``make dist`` checks the built files (twine, auditwheel); these check the sources they come
from, on every interpreter, so a broken field shows up in ``make test`` already.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any, Dict

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # coverage[toml] brings tomli on older interpreters
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[2]
PROJECTS = [ROOT, ROOT / "wsproto_deflate", ROOT / "plugins_example"]
SUPPORTED = ["3.9", "3.10", "3.11", "3.12", "3.13"]


def _project(directory: Path) -> Dict[str, Any]:
    with open(directory / "pyproject.toml", "rb") as f:
        return tomllib.load(f)


@pytest.mark.parametrize("directory", PROJECTS, ids=lambda p: p.name)
def test_licence_is_an_spdx_expression_with_its_file(directory: Path) -> None:
    data = _project(directory)
    project = data["project"]
    assert project["license"] == "MIT"
    assert project["license-files"] == ["LICENSE"]
    # Each distribution ships the repository's licence text, unchanged.
    assert (directory / "LICENSE").read_bytes() == (ROOT / "LICENSE").read_bytes()
    assert "wsproto 2 contributors" in (ROOT / "LICENSE").read_text()
    # Licence classifiers conflict with an SPDX expression (PEP 639): setuptools refuses them.
    assert not [c for c in project["classifiers"] if c.startswith("License ::")]
    # The first setuptools that reads `license-files` and SPDX expressions without warnings.
    assert data["build-system"]["requires"] == ["setuptools>=77"]


@pytest.mark.parametrize("directory", PROJECTS, ids=lambda p: p.name)
def test_metadata_is_complete(directory: Path) -> None:
    project = _project(directory)["project"]
    assert project["authors"] == [{"name": "wsproto 2 contributors"}]
    assert set(project["urls"]) >= {"Homepage", "Source", "Issues", "Documentation"}
    assert all(url.startswith("https://") for url in project["urls"].values())
    versions = [
        c.rsplit(" ", 1)[1]
        for c in project["classifiers"]
        if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)
    ]
    assert versions == SUPPORTED
    assert project["requires-python"] == f">={SUPPORTED[0]}"


@pytest.mark.parametrize("directory", PROJECTS, ids=lambda p: p.name)
def test_long_description_links_are_absolute(directory: Path) -> None:
    # PyPI renders the README away from the repository: a relative link is a dead link there.
    readme = (directory / _project(directory)["project"]["readme"]).read_text()
    targets = re.findall(r"\]\(([^)]+)\)", readme)
    relative = [t for t in targets if not t.startswith(("https://", "http://", "#"))]
    assert relative == []
