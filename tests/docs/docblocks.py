"""Extract the Python code blocks of the reStructuredText pages in ``docs/``.

Conventions, for page authors:

* every ``.. code-block:: python`` block is executed, in page order, in one
  namespace per page (later blocks see the names earlier ones defined);
* an rst comment ``.. doc-test: skip <reason>`` right before a block skips it;
* ``.. doc-test: requires <module> [<module>...]`` skips it unless they all import;
* ``.. doc-test: prints`` right before a literal block (``::``) makes the test
  compare that block with what the previous Python block printed;
* ``>>>`` examples anywhere are run by :mod:`doctest` (one namespace per page).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional

DOCS = Path(__file__).resolve().parents[2] / "docs"

_DIRECTIVE = re.compile(r"^(?P<indent>\s*)\.\. code-block::\s*(?P<lang>\S+)\s*$")
_MARKER = re.compile(r"^\s*\.\. doc-test:\s*(?P<what>\w+)\s*(?P<arg>.*?)\s*$")
_LITERAL = re.compile(r"::\s*$")


@dataclass
class Block:
    """One Python code block of a page."""

    page: str
    line: int  # 1-based line of the directive
    code: str
    skip: Optional[str] = None  # why it is not executed
    requires: Optional[str] = None  # a module it needs
    expected_output: Optional[str] = None  # what it must print


def _dedent_block(lines: List[str], start: int) -> tuple[str, int]:
    """Return the indented body starting at ``start`` (after options) and the next line index."""
    i = start
    while i < len(lines) and (not lines[i].strip() or lines[i].lstrip().startswith(":")):
        if not lines[i].strip() and i > start:
            i += 1
            break
        i += 1
    while i < len(lines) and not lines[i].strip():
        i += 1
    body: List[str] = []
    indent: Optional[int] = None
    while i < len(lines):
        line = lines[i]
        if line.strip():
            width = len(line) - len(line.lstrip())
            if indent is None:
                indent = width
            if width < indent:
                break
        body.append(line)
        i += 1
    while body and not body[-1].strip():
        body.pop()
    text = "\n".join(ln[indent or 0 :] if ln.strip() else "" for ln in body)
    return text + "\n", i


def page_blocks(path: Path) -> List[Block]:
    """Return the Python code blocks of one page, with their markers and expected output."""
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks: List[Block] = []
    pending: dict[str, str] = {}
    i = 0
    while i < len(lines):
        line = lines[i]
        marker = _MARKER.match(line)
        directive = _DIRECTIVE.match(line)
        if marker:
            pending[marker.group("what")] = marker.group("arg")
            i += 1
            continue
        if directive and directive.group("lang") == "python":
            code, nxt = _dedent_block(lines, i + 1)
            blocks.append(
                Block(
                    page=path.name,
                    line=i + 1,
                    code=code,
                    skip=pending.pop("skip", None),
                    requires=pending.pop("requires", None),
                )
            )
            pending.clear()
            i = nxt
            continue
        if "prints" in pending and _LITERAL.search(line) and not line.lstrip().startswith(".."):
            text, nxt = _dedent_block(lines, i + 1)
            if blocks:
                blocks[-1].expected_output = text
            pending.clear()
            i = nxt
            continue
        i += 1
    return blocks


def pages() -> List[Path]:
    """Every page of the docs, sorted."""
    return sorted(p for p in DOCS.rglob("*.rst") if "_build" not in p.parts)
