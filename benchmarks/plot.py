#!/usr/bin/env python3
"""Draw results.png (ratio to upstream per scenario) from results.json.

Run by ``run.py`` with the interpreter of the ``plot`` venv, which has matplotlib.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Dict, List

import matplotlib
import matplotlib.ticker

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from report import LABELS, ratio

COLOURS = {"ours": "#1f77b4", "ours-pure": "#6baed6", "ours+zlib-ng": "#08306b",
           "websockets": "#ff7f0e"}


def main(argv: List[str]) -> int:
    """``plot.py results.json results.png``."""
    results: Dict[str, Any] = json.loads(Path(argv[0]).read_text())
    table, scenarios = results["table"], results["scenarios"]
    variants = [v for v in results["variants"] if v != "upstream"]
    names = list(scenarios)
    height = 0.8 / max(1, len(variants))
    fig, ax = plt.subplots(figsize=(9, 0.55 * len(names) + 1.6))
    for i, variant in enumerate(variants):
        ys, xs = [], []
        for j, scenario in enumerate(names):
            r = ratio(table, scenarios, scenario, variant, "upstream")
            if r is not None:
                ys.append(j + (i - (len(variants) - 1) / 2) * height)
                xs.append(r)
        ax.barh(ys, xs, height=height, label=LABELS.get(variant, variant),
                color=COLOURS.get(variant))
        for y, x in zip(ys, xs):
            ax.annotate(f"{x:.2f}x", (x, y), xytext=(3, 0), textcoords="offset points",
                        va="center", fontsize=7)
    for target in results.get("targets", []):
        if target["baseline"] == "upstream" and target["scenario"] in names:
            j = names.index(target["scenario"])
            ax.plot([target["ratio"]] * 2, [j - 0.45, j + 0.45], color="black", lw=1.5)
    ax.axvline(1.0, color="grey", ls="--", lw=1)
    ax.set_xscale("log")
    ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:g}"))
    ax.set_yticks(range(len(names)))
    ax.set_yticklabels(names)
    ax.invert_yaxis()
    ax.set_xlabel("times better than upstream wsproto 1.3.2 (log scale; black ticks: targets)")
    ax.set_title("wsproto benchmarks, median of interleaved runs")
    ax.legend(loc="lower right", fontsize="small")
    fig.tight_layout()
    fig.savefig(argv[1], dpi=110)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
