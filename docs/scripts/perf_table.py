"""Turn benchmarks/results.json into the table included by docs/results/performance.rst.

Usage: python docs/scripts/perf_table.py  (after `make bench`); also copies the plot.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any, Dict, List

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "benchmarks" / "results.json"
TABLE = ROOT / "docs" / "results" / "perf_table.inc"
PLOT = ROOT / "docs" / "images" / "benchmark-ratios.png"
COLUMNS = [
    ("upstream", "wsproto 1.3.2"),
    ("ours", "wsproto 2"),
    ("ours-pure", "wsproto 2, pure Python"),
    ("ours+zlib-ng", "wsproto 2 + zlib-ng"),
    ("websockets", "websockets 17.4"),
]


def cell(value: float, unit: str) -> str:
    if unit.split(" ")[0] == "ms":
        return f"{value:.1f}"
    if value >= 100:
        return f"{value:,.0f}"
    return f"{value:.2f}"


def main() -> None:
    data: Dict[str, Any] = json.loads(RESULTS.read_text())
    scenarios: Dict[str, Any] = data["scenarios"]
    lines: List[str] = [
        ".. list-table::",
        "   :header-rows: 1",
        "",
        "   * - Scenario",
        "     - Unit",
    ]
    lines += [f"     - {title}" for _, title in COLUMNS]
    for name, row in data["table"].items():
        info = scenarios.get(name, {})
        unit = str(info.get("unit", ""))
        higher = bool(info.get("higher_is_better", True))
        base = row.get("upstream", {}).get("median")
        lines.append(f"   * - ``{name}``")
        lines.append(f"     - {unit}{'' if higher else ' (lower is better)'}")
        for key, _ in COLUMNS:
            median = row.get(key, {}).get("median")
            if median is None:
                lines.append("     - --")
                continue
            text = cell(median, unit)
            if base and key != "upstream":
                ratio = median / base if higher else base / median
                text += f" ({ratio:.2f}x)"
            lines.append(f"     - {text}")
    TABLE.write_text("\n".join(lines) + "\n")
    shutil.copyfile(ROOT / "benchmarks" / "results.png", PLOT)
    print(f"wrote {TABLE.relative_to(ROOT)} and {PLOT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
