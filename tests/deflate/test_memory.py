"""The presets' memory budget (issue 14), with the measurement of bench/presets.py.

tracemalloc counts zlib's allocations too (CPython's zlib module routes them
through PyMem), so these are the real per-connection costs. Fewer connections
than the documented 10,000-connection run, same method.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow

BENCH = Path(__file__).resolve().parents[2] / "wsproto_deflate" / "bench" / "presets.py"
KIB = 1024


def _bench() -> Any:
    loaded = importlib.util.spec_from_file_location("deflate_bench_presets", BENCH)
    assert loaded is not None and loaded.loader is not None
    module = importlib.util.module_from_spec(loaded)
    loaded.loader.exec_module(module)
    return module


@pytest.fixture(autouse=True)
def _stdlib_zlib(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WSPROTO_DEFLATE_BACKEND", raising=False)


@pytest.mark.parametrize(
    ("preset", "idle_kib", "after_kib"),
    [("default", 8, 80), ("lean", 8, 40)],
)
def test_memory_per_server_connection(preset: str, idle_kib: int, after_kib: int) -> None:
    bench = _bench()
    kind = bench.make_kind(f"ours:{preset}")
    idle, after = bench.memory(kind, 1000, bench.corpus()[0])
    assert idle <= idle_kib * KIB, f"{preset}: {idle / KIB:.1f} KiB idle"
    assert after <= after_kib * KIB, f"{preset}: {after / KIB:.1f} KiB after one message"


@pytest.mark.parametrize("preset", ["default", "lean", "max-ratio"])
def test_memory_does_not_grow_per_message(preset: str, monkeypatch: pytest.MonkeyPatch) -> None:
    bench = _bench()
    monkeypatch.setattr(bench, "GROWTH_PAIRS", 10)
    growth = bench.growth(bench.make_kind(f"ours:{preset}"), bench.corpus()[:50])
    # 1,000 messages each way: even one byte kept per message would show as 2,000 bytes
    assert growth < 1000, f"{preset}: {growth:.0f} bytes per connection pair"
