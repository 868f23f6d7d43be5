"""Measure window bits x memLevel x level: memory per connection, ratio and speed on JSON.

Usage: python measure_table.py [--backend zlib|zlib-ng] [--messages N] [--rst]

Memory is what one endpoint's compressor plus decompressor keep allocated
(tracemalloc sees zlib's allocations), measured after a few messages each
way. Ratio is compressed/original bytes over a stream of ~4 KiB JSON
messages with context takeover. Speeds are MB of JSON per CPU second (process time, best of 5).
"""

from __future__ import annotations

import argparse
import gc
import time
import tracemalloc
from typing import List, Tuple

from corpus import json_messages

from wsproto_deflate import _backend, _codec

WINDOWS = (9, 10, 12, 15)
MEM_LEVELS = (1, 4, 8, 9)
LEVELS = (1, 6, 9)


def memory(
    backend: _backend.Backend, wbits: int, mem_level: int, level: int, sample: List[bytes]
) -> int:
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    deflater = _codec.Deflater(backend, wbits, level, mem_level, reset=False)
    inflater = _codec.Inflater(backend, wbits, 1 << 20, None)
    for raw in sample:
        inflater.start_message()
        out = inflater.feed(deflater.compress(raw, fin=True))
        del out
        inflater.finish()
    gc.collect()
    used = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    del deflater, inflater
    return used


def speed(
    backend: _backend.Backend, wbits: int, mem_level: int, level: int, raw: List[bytes], reset: bool
) -> Tuple[float, float, float]:
    """Return (ratio, compress MB/s, decompress MB/s), best of 5 runs, CPU time."""
    total = sum(len(r) for r in raw)
    best_c = best_d = float("inf")
    ratio = 0.0
    for _ in range(5):
        deflater = _codec.Deflater(backend, wbits, level, mem_level, reset=reset)
        start = time.process_time()
        packed = [deflater.compress(r, fin=True) for r in raw]
        best_c = min(best_c, time.process_time() - start)
        ratio = sum(len(p) for p in packed) / total
        inflater = _codec.Inflater(backend, wbits, 1 << 20, None)
        start = time.process_time()
        for p in packed:
            inflater.start_message()
            inflater.feed(p)
            inflater.finish()
        best_d = min(best_d, time.process_time() - start)
    return ratio, total / best_c / 1e6, total / best_d / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", default="zlib")
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--rst", action="store_true", help="print a reStructuredText table")
    parser.add_argument("--quick", action="store_true", help="default parameters only")
    args = parser.parse_args()
    backend = _backend.get_backend(args.backend)
    raw = [m.encode() for m in json_messages(args.messages, size=4400)]
    mean = sum(map(len, raw)) / len(raw)
    rows = []
    combos = (
        [(15, 8, 6)]
        if args.quick
        else [(w, m, lv) for w in WINDOWS for m in MEM_LEVELS for lv in LEVELS]
    )
    for wbits, mem_level, level in combos:
        mem = memory(backend, wbits, mem_level, level, raw[:5])
        ratio, c_speed, d_speed = speed(backend, wbits, mem_level, level, raw, reset=False)
        ratio_nct, c_nct, _ = speed(backend, wbits, mem_level, level, raw, reset=True)
        rows.append((wbits, mem_level, level, mem, ratio, c_speed, d_speed, ratio_nct, c_nct))
    print(f"backend={backend.name} messages={len(raw)} mean size={mean:.0f} bytes")
    head = (
        "window",
        "memLevel",
        "level",
        "KiB/conn",
        "ratio",
        "deflate MB/s",
        "inflate MB/s",
        "ratio (no ctx)",
        "deflate MB/s (no ctx)",
    )
    if args.rst:
        widths = [max(len(h), 8) for h in head]
        rule = "  ".join("=" * w for w in widths)
        print(rule)
        print("  ".join(h.ljust(w) for h, w in zip(head, widths)))
        print(rule)
        for r in rows:
            cells = [
                str(r[0]),
                str(r[1]),
                str(r[2]),
                f"{r[3] / 1024:.0f}",
                f"{r[4]:.3f}",
                f"{r[5]:.0f}",
                f"{r[6]:.0f}",
                f"{r[7]:.3f}",
                f"{r[8]:.0f}",
            ]
            print("  ".join(c.ljust(w) for c, w in zip(cells, widths)))
        print(rule)
    else:
        print(" | ".join(head))
        for r in rows:
            print(
                f"{r[0]} | {r[1]} | {r[2]} | {r[3] / 1024:.0f} | {r[4]:.3f} | {r[5]:.0f} | "
                f"{r[6]:.0f} | {r[7]:.3f} | {r[8]:.0f}"
            )


if __name__ == "__main__":
    main()
