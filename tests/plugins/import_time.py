"""Measure ``import wsproto`` in two interpreters (e.g. this repo vs upstream 1.3.2).

Usage::

    python tests/plugins/import_time.py OURS_PYTHON UPSTREAM_PYTHON [--runs N]

For each interpreter it runs ``python -X importtime -c "import wsproto"`` N
times (fresh processes, interleaved, bounded by a timeout) and reports the median
cumulative import time of the ``wsproto`` package, plus whether pluggy or the
registry were imported (they must not be).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
from typing import Dict, List, Tuple

CODE = (
    "import sys, wsproto; print(int('pluggy' in sys.modules or 'wsproto._registry' in sys.modules))"
)


def sample(python: str) -> Tuple[float, bool]:
    """One fresh process: (cumulative microseconds of ``wsproto``, plugins loaded at import)."""
    proc = subprocess.run(
        [python, "-X", "importtime", "-c", CODE],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    for line in proc.stderr.splitlines():
        parts = [p.strip() for p in line.split("|")]
        if len(parts) == 3 and parts[2] == "wsproto":
            return float(parts[1]), proc.stdout.strip() == "1"
    raise RuntimeError(f"no wsproto line in the -X importtime output of {python}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ours")
    parser.add_argument("upstream")
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    pythons = {"ours": args.ours, "upstream": args.upstream}
    for python in pythons.values():
        for _ in range(3):
            sample(python)  # warm the filesystem and bytecode caches
    samples: Dict[str, List[float]] = {label: [] for label in pythons}
    loaded = dict.fromkeys(pythons, False)
    for _ in range(args.runs):  # interleaved, so both see the same machine load
        for label, python in pythons.items():
            micros, plugins = sample(python)
            samples[label].append(micros)
            loaded[label] = loaded[label] or plugins
    for label, values in samples.items():
        print(
            f"{label:9} median {statistics.median(values) / 1000:6.2f} ms  "
            f"min {min(values) / 1000:6.2f} ms  max {max(values) / 1000:6.2f} ms  "
            f"plugins loaded at import: {loaded[label]}"
        )
    ratio = statistics.median(samples["ours"]) / statistics.median(samples["upstream"])
    print(f"median ratio ours/upstream: {ratio:.2f}")


if __name__ == "__main__":
    main()
