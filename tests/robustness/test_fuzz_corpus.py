"""Replay the fuzz seed corpus and every crash the fuzzers ever found (fuzz/regressions/).

No atheris needed: the targets are plain functions that raise only on a defect.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import List, Tuple

import pytest

FUZZ = Path(__file__).resolve().parents[2] / "fuzz"
sys.path.insert(0, str(FUZZ))

from fuzz_targets import TARGETS  # noqa: E402


def _inputs(folder: str) -> List[Tuple[str, Path]]:
    found = []
    for name in sorted(TARGETS):
        directory = FUZZ / folder / name
        if directory.is_dir():
            found.extend((name, path) for path in sorted(directory.iterdir()) if path.is_file())
    return found


CORPUS = _inputs("corpus")
#: Crashes saved by ``fuzz/run.py --save``: replayed with the seeds, so each stays fixed.
REGRESSIONS = _inputs("regressions")


def test_every_target_has_seeds() -> None:
    assert {name for name, _ in CORPUS} == set(TARGETS)


@pytest.mark.parametrize(
    ("target", "path"),
    CORPUS + REGRESSIONS,
    ids=[f"{p.parent.parent.name}/{n}/{p.name}" for n, p in CORPUS + REGRESSIONS],
)
def test_replay(target: str, path: Path) -> None:
    TARGETS[target](path.read_bytes())
