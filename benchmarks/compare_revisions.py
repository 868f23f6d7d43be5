#!/usr/bin/env python3
"""Compare the CPU cost of two revisions of wsproto, scenario by scenario, as instruction counts.

On a shared or virtual machine, timings of a change worth 1% drown in noise. This
counts instructions instead (valgrind's callgrind, deterministic for a fixed amount of
work): for each scenario of ``scenarios.py`` it runs setup and one warm-up batch, then
1 or N+1 more batches with the garbage collector paused (so that its chaotic timing does
not land in one revision's count), and reports the instructions per batch (the
difference divided by N) of each revision and their ratio::

    python3 benchmarks/compare_revisions.py 5a743ef HEAD
    python3 benchmarks/compare_revisions.py main faults --scenarios deflate_4k,deflate_small

Both revisions' ``wsproto/`` are exported with ``git archive`` and run in the ``ours``
venv of ``run.py`` (create it with ``python3 benchmarks/run.py --quick`` first), so the
installed wsproto-deflate and websockets are the same for both; the checkout's compiled
accelerator is copied into both (the revisions must share ``_speedups.c``). zlib-ng is
hidden. ``deflate_small`` is an extra job: 200 short JSON texts through permessage-deflate,
client to server, where per-frame overhead weighs most.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Dict, List

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
PYTHON = HERE / ".venvs" / "ours" / "bin" / "python"
#: scenario -> batches counted
DEFAULT = {"roundtrip_small": 4, "recv_small": 4, "send_small": 4, "deflate_4k": 4,
           "deflate_small": 10}

RUNNER = r"""
import gc
import sys
sys.path.insert(0, sys.argv[3])
import scenarios
scenarios.block_modules(["zlib_ng"])
name, n = sys.argv[1], int(sys.argv[2])
family = scenarios.FAMILIES["wsproto"]()
if name == "deflate_small":
    from wsproto.events import TextMessage
    client, server = family.pair(deflate=True)
    texts = ['{"id": %d, "user": "alpha_%d", "ok": true}' % (i, i % 97) for i in range(200)]
    def batch():
        for text in texts:
            server.receive_data(client.send(TextMessage(text)))
            for _ in server.events():
                pass
        return len(texts)
else:
    batch, _ = getattr(family, name)()
batch()  # warm-up: first-use allocations (compressors, caches) stay out of the count
gc.collect()
gc.disable()
for _ in range(n):
    batch()
"""


def export(rev: str, into: Path) -> Path:
    """``wsproto/`` of *rev* under *into*, with the checkout's compiled accelerator."""
    into.mkdir()
    archive = subprocess.run(["git", "-C", str(REPO), "archive", rev, "wsproto"],
                             check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    for built in (REPO / "wsproto").glob("_speedups*.so"):
        shutil.copy(built, into / "wsproto")
    return into


def instructions(tree: Path, scenario: str, batches: int, runner: Path) -> int:
    env = dict(os.environ, PYTHONPATH=str(tree), PYTHONHASHSEED="0")
    out = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", str(PYTHON),
         str(runner), scenario, str(batches), str(HERE)],
        env=env, capture_output=True, text=True, timeout=1800, check=True,
    ).stderr
    for line in out.splitlines():
        if "Collected :" in line:
            return int(line.rsplit(":", 1)[1])
    raise SystemExit(f"no instruction count in valgrind's output:\n{out}")


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("base")
    parser.add_argument("new")
    parser.add_argument("--scenarios", default=",".join(DEFAULT))
    args = parser.parse_args(argv)
    if not PYTHON.exists() or not shutil.which("valgrind"):
        raise SystemExit("needs valgrind and the 'ours' venv (python3 benchmarks/run.py --quick)")
    with tempfile.TemporaryDirectory() as tmp:
        trees = {rev: export(rev, Path(tmp) / f"tree{i}")
                 for i, rev in enumerate((args.base, args.new))}
        runner = Path(tmp) / "runner.py"
        runner.write_text(RUNNER)
        print(f"| scenario | batches | {args.base} Ir/batch | {args.new} Ir/batch | ratio |")
        print("|---|---|---|---|---|")
        for scenario in args.scenarios.split(","):
            n = DEFAULT.get(scenario, 3)
            per: Dict[str, float] = {}
            for rev, tree in trees.items():
                more = instructions(tree, scenario, n + 1, runner)
                one = instructions(tree, scenario, 1, runner)
                per[rev] = (more - one) / n
            a, b = per[args.base], per[args.new]
            print(f"| {scenario} | {n} | {a:,.0f} | {b:,.0f} | {b / a:.4f} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
