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

# Four hues a reader can tell apart (also in greyscale, by lightness): the two "ours"
# variants differ in hue, not only in shade.
COLOURS = {"ours": "#1f5fa8", "ours-pure": "#7fc97f", "ours+zlib-ng": "#8e5bb5",
           "websockets": "#f28e2b"}
TARGET_COLOUR = "#c0392b"


def main(argv: List[str]) -> int:
    """``plot.py results.json results.png``."""
    results: Dict[str, Any] = json.loads(Path(argv[0]).read_text())
    table, scenarios = results["table"], results["scenarios"]
    variants = [v for v in results["variants"] if v != "upstream"]
    names = list(scenarios)
    plt.rcParams.update({"font.size": 12})
    fig, ax = plt.subplots(figsize=(8, 0.85 * len(names) + 1.6))  # ~ the docs column width
    # Each scenario's bars fill 0.7 of its row with only the variants it has (no empty slot).
    bars: Dict[str, List[Any]] = {v: [[], []] for v in variants}
    for j, scenario in enumerate(names):
        present = [(v, r) for v in variants
                   if (r := ratio(table, scenarios, scenario, v, "upstream")) is not None]
        height = 0.7 / max(1, len(present))
        for i, (variant, r) in enumerate(present):
            bars[variant][0].append(j + (i - (len(present) - 1) / 2) * height)
            bars[variant][1].append((r, height))
    for variant in variants:
        ys, xs = bars[variant][0], [r for r, _ in bars[variant][1]]
        heights = [h * 0.9 for _, h in bars[variant][1]]
        ax.barh(ys, xs, height=heights, label=LABELS.get(variant, variant),
                color=COLOURS.get(variant))
        for y, x in zip(ys, xs):
            ax.annotate(f"{x:.2f}x", (x, y), xytext=(4, 0), textcoords="offset points",
                        va="center", fontsize=10.5)
    # Targets sit in the gap above their group (a marker pointing down at the bars), so
    # they never cross the bars' value labels.
    target_x, target_y = [], []
    for target in results.get("targets", []):
        if target["baseline"] == "upstream" and target["scenario"] in names:
            target_x.append(target["ratio"])
            target_y.append(names.index(target["scenario"]) - 0.44)
    if target_x:
        ax.scatter(target_x, target_y, marker="v", s=55, color=TARGET_COLOUR, zorder=3,
                   label="target", clip_on=False)
    ax.axvline(1.0, color="grey", ls="--", lw=1)
    ax.set_xscale("log")
    ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:g}"))
    ax.set_yticks(range(len(names)))
    ax.set_yticklabels(names, fontsize=12)
    ax.set_ylim(len(names) - 0.45, -0.7)  # top to bottom, with room for the first target
    left, right = ax.get_xlim()
    ax.set_xlim(left, right * 2.2)  # room for the longest value label
    ax.set_xlabel("times better than upstream (log scale; 1 = the same)")
    ax.set_title("Ratio to upstream wsproto 1.3.2 (median of interleaved runs)",
                 fontsize=13)
    ax.legend(loc="lower right", fontsize=11)
    fig.tight_layout()
    fig.savefig(argv[1], dpi=110)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
