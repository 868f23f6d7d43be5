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
    ran = 0
    for block in page_blocks(page):
        if block.skip is not None:
            continue
        if block.requires and not all(
            importlib.util.find_spec(name) for name in block.requires.split()
        ):
            continue
        out = io.StringIO()
        try:
            with contextlib.redirect_stdout(out):
                exec(compile(block.code, f"{_id(page)}:{block.line}", "exec"), namespace)
        except Exception as exc:  # pragma: no cover - reported with the block's location
            raise AssertionError(f"{_id(page)} line {block.line}: {exc!r}") from exc
        if block.expected_output is not None:
            assert out.getvalue().strip() == block.expected_output.strip(), (
                f"{_id(page)} line {block.line}: printed output differs from the page"
            )
        ran += 1
    assert ran or all(b.skip or b.requires for b in page_blocks(page))


@pytest.mark.parametrize("page", PAGES, ids=_id)
def test_doctest_examples(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    if ">>>" not in text:
        pytest.skip("no >>> examples")
    result = doctest.testfile(
        str(page),
        module_relative=False,
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
        verbose=False,
        report=True,
    )
    assert result.failed == 0, f"{result.failed} doctest example(s) failed in {_id(page)}"
