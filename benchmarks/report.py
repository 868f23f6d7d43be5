"""Turn summarized benchmark results into the Markdown report."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Dict, List

NOISE = 0.03  # a miss by less than this is flagged as possibly noise

LABELS = {
    "upstream": "upstream 1.3.2",
    "ours": "ours",
    "ours-pure": "ours, pure Python",
    "ours+zlib-ng": "ours + zlib-ng",
    "websockets": "websockets",
}


@dataclass(frozen=True)
class Target:
    """``variant`` must be at least ``ratio`` times better than ``baseline``."""

    scenario: str
    variant: str
    baseline: str
    ratio: float
    needs_accelerator: bool = False
    ceiling: str | None = None  # scenario timing the work no implementation can skip

    def as_dict(self) -> Dict[str, Any]:
        """JSON-ready form."""
        return asdict(self)

    def describe(self) -> str:
        """One line for the targets table."""
        return f"{self.scenario}: {LABELS.get(self.variant, self.variant)} >= " \
               f"{self.ratio:g}x {LABELS.get(self.baseline, self.baseline)}"


def ratio(table: Dict[str, Any], scenarios: Dict[str, Any], scenario: str, variant: str,
          baseline: str) -> float | None:
    """How many times better *variant* is than *baseline* (>1 is better), or None."""
    row = table.get(scenario, {})
    mine, base = row.get(variant, {}), row.get(baseline, {})
    if "median" not in mine or "median" not in base or not mine["median"] or not base["median"]:
        return None
    value: float = mine["median"] / base["median"]
    return value if scenarios[scenario]["higher_is_better"] else 1.0 / value


def fmt(value: float) -> str:
    """A number with sensible precision and thousands separators."""
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def results_table(results: Dict[str, Any]) -> List[str]:
    """The main table: medians, and ratio to upstream in brackets."""
    variants: List[str] = results["variants"]
    table, scenarios = results["table"], results["scenarios"]
    lines = [
        "| scenario | unit | " + " | ".join(LABELS.get(v, v) for v in variants) + " |",
        "|---|---|" + "---:|" * len(variants),
    ]
    for scenario, info in scenarios.items():
        cells = []
        for variant in variants:
            entry = table.get(scenario, {}).get(variant)
            if entry is None:
                cells.append("")
            elif "median" not in entry:
                cells.append(f"error: {entry.get('error', '?')[:60]}")
            else:
                cell = fmt(entry["median"])
                r = ratio(table, scenarios, scenario, variant, "upstream")
                if variant != "upstream" and r is not None:
                    cell += f" ({r:.2f}x)"
                cells.append(cell)
        arrow = "higher" if info["higher_is_better"] else "lower"
        lines.append(f"| {scenario} | {info['unit']} ({arrow} is better) | "
                     + " | ".join(cells) + " |")
    return lines


def ceiling(results: Dict[str, Any], target: Target) -> str:
    """The best ratio possible: the variant's unavoidable work alone vs the baseline's total."""
    if target.ceiling is None:
        return ""
    mine = results["table"].get(target.ceiling, {}).get(target.variant, {})
    base = results["table"].get(target.scenario, {}).get(target.baseline, {})
    if "median" not in mine or "median" not in base or not base["median"]:
        return "not measured"
    return f"{mine['median'] / base['median']:.2f}x"


def targets_table(results: Dict[str, Any], targets: List[Target], accelerated: bool) -> List[str]:
    """Each target, its measured ratio and PASS/FAIL."""
    table, scenarios = results["table"], results["scenarios"]
    lines = ["| target | measured | status | ceiling |", "|---|---:|---|---:|"]
    for target in targets:
        if target.scenario not in scenarios:
            continue
        variant = target.variant
        if variant == "ours-pure" and not accelerated:
            variant = "ours"  # without an accelerator, "ours" is the pure-Python path
        if target.needs_accelerator and not accelerated:
            lines.append(f"| {target.describe()} | | n/a: no native accelerator built | |")
            continue
        r = ratio(table, scenarios, target.scenario, variant, target.baseline)
        if r is None:
            lines.append(f"| {target.describe()} | | not measured | |")
            continue
        status = "PASS" if r >= target.ratio else "FAIL"
        if status == "FAIL" and r >= target.ratio * (1 - NOISE):
            status = f"FAIL (within {NOISE:.0%}: noise?)"
        lines.append(f"| {target.describe()} | {r:.2f}x | {status} | {ceiling(results, target)} |")
    return lines


def write_markdown(results: Dict[str, Any], targets: List[Target], accelerated: bool,
                   image: str) -> str:
    """The whole report as Markdown text."""
    meta = results["meta"]
    native = ", ".join(meta["native"]) or "none (pure Python only)"
    lines = [
        "# Benchmark results",
        "",
        "Generated by `make bench` (`python3 benchmarks/run.py"
        + (" --quick" if meta["quick"] else "") + "`); see `benchmarks/README.md` for what",
        "each scenario measures. Do not edit by hand.",
        "",
        f"- When: {meta['date']}; machine: {meta['cpu']}, {meta['cores']} cores"
        " (shared, so compare ratios rather than absolute numbers).",
        f"- Python {meta['python']}; ours = wsproto {meta['ours']} ({meta['ours_spec']}),"
        f" wsproto-deflate {meta['wsproto_deflate']}; upstream = wsproto {meta['upstream']};"
        f" websockets {meta['websockets']}; zlib-ng {meta['zlib_ng']}.",
        f"- Native modules loaded by ours: {native}. `ours, pure Python` sets"
        " `WSPROTO_NO_EXTENSIONS=1` (and `WSPROTO_PURE_PYTHON=1`);"
        " `ours` and the others run with zlib-ng hidden.",
        f"- Each number is the median of {meta['repeat']} runs, interleaved across"
        f" implementations; rate runs time {meta['duration']:g} s of work after a warm-up batch.",
        "- In brackets: how many times better than upstream wsproto 1.3.2 (above 1 is better,"
        " for time and memory too).",
        "",
        *results_table(results),
        "",
        "## Targets",
        "",
        "Ceiling: the ratio an implementation with no overhead at all would reach, i.e. the"
        " variant's zlib work alone (`zlib_4k`) against upstream's whole `deflate_4k`.",
        "",
        *targets_table(results, targets, accelerated),
        "",
        f"![Ratio to upstream wsproto 1.3.2]({image})",
        "",
    ]
    return "\n".join(lines)
