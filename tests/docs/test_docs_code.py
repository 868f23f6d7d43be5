"""Run the code of every documentation page: Python code blocks and ``>>>`` examples."""

from __future__ import annotations

import contextlib
import doctest
import faulthandler
import importlib.util
import io
from pathlib import Path

import pytest

from .docblocks import DOCS, page_blocks, pages

PAGES = pages()

#: Pages written with this test's conventions: every Python block must compile and run.
#: Other pages (written by other teams) may also show signatures or fragments that are
#: not valid Python; their blocks that compile must run, the others are listed as skipped.
STRICT_PAGES = {
    "index.rst",
    "installation.rst",
    "getting-started.rst",
    "events.rst",
    "closing.rst",
    "advanced.rst",
    "security.rst",
    "migrating.rst",
    "changelog.rst",
    "api.rst",
    "extensions/index.rst",
    "results/index.rst",
    "results/conformance.rst",
    "results/performance.rst",
}


def _compiles(code: str, name: str) -> bool:
    try:
        compile(code, name, "exec")
    except SyntaxError:
        return False
    return True


def _id(path: Path) -> str:
    return str(path.relative_to(DOCS))


@pytest.fixture(autouse=True)
def _watchdog() -> object:
    """A hung example (a socket that never answers) fails the run instead of blocking it."""
    faulthandler.dump_traceback_later(120, exit=True)
    yield
    faulthandler.cancel_dump_traceback_later()


def test_docs_were_found() -> None:
    names = {p.name for p in PAGES}
    assert {"index.rst", "getting-started.rst", "events.rst"} <= names


@pytest.mark.parametrize("page", [p for p in PAGES if page_blocks(p)], ids=_id)
def test_code_blocks_run(page: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(page.parent)
    namespace: dict[str, object] = {"__name__": f"docs_{page.stem}"}
    ran = illustrations = 0
    for block in page_blocks(page):
        if block.skip is not None:
            continue
        if block.requires and not all(
            importlib.util.find_spec(name) for name in block.requires.split()
        ):
            continue
        name = f"{_id(page)}:{block.line}"
        if _id(page) not in STRICT_PAGES and not _compiles(block.code, name):
            print(f"not executed (not valid Python, an illustration): {name}")
            illustrations += 1
            continue
        out = io.StringIO()
        try:
            with contextlib.redirect_stdout(out):
                exec(compile(block.code, name, "exec"), namespace)
        except Exception as exc:  # pragma: no cover - reported with the block's location
            raise AssertionError(f"{_id(page)} line {block.line}: {exc!r}") from exc
        if block.expected_output is not None:
            assert out.getvalue().strip() == block.expected_output.strip(), (
                f"{_id(page)} line {block.line}: printed output differs from the page"
            )
        ran += 1
    assert ran or illustrations or all(b.skip or b.requires for b in page_blocks(page))


#: The pages with ``>>>`` examples (the others have nothing for doctest to run).
DOCTEST_PAGES = [p for p in PAGES if ">>>" in p.read_text(encoding="utf-8")]


def test_some_pages_have_doctest_examples() -> None:
    assert {p.name for p in DOCTEST_PAGES} >= {"events.rst", "closing.rst", "advanced.rst"}


@pytest.mark.parametrize("page", DOCTEST_PAGES, ids=_id)
def test_doctest_examples(page: Path) -> None:
    result = doctest.testfile(
        str(page),
        module_relative=False,
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
        verbose=False,
        report=True,
    )
    assert result.failed == 0, f"{result.failed} doctest example(s) failed in {_id(page)}"
