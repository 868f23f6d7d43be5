"""Summarize Autobahn|Testsuite reports: behaviours, groups, and what failed and why.

    python compliance/summarize.py REPORT [REPORT ...]

REPORT is a wstest report directory (the one holding index.json) or a run
directory of run.py (its server/report and client/report are read).  A case
passes when both its behaviour and its closing behaviour are OK or
INFORMATIONAL; anything else (NON-STRICT, UNIMPLEMENTED, FAILED, WRONG CODE,
UNCLEAN, ...) fails.  Exit status: 0 if every case passed, 1 otherwise, 2 if
a report is missing.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BEHAVIOURS = ("OK", "NON-STRICT", "INFORMATIONAL", "UNIMPLEMENTED", "FAILED")
PASSING = frozenset({"OK", "INFORMATIONAL"})


def case_key(case_id: str) -> tuple[int, ...]:
    """Sort key: 12.2.10 after 12.2.9."""
    return tuple(int(part) for part in case_id.split("."))


@dataclass
class Report:
    """One role's results, read from a wstest report directory."""

    label: str
    directory: Path
    agent: str
    cases: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def failing(self) -> list[str]:
        """IDs of the cases that did not pass, in case order."""
        return [
            cid
            for cid in sorted(self.cases, key=case_key)
            if self.cases[cid]["behavior"] not in PASSING
            or self.cases[cid]["behaviorClose"] not in PASSING
        ]

    @property
    def informational(self) -> list[str]:
        """IDs of the cases wstest marks INFORMATIONAL (in either behaviour)."""
        return [
            cid
            for cid in sorted(self.cases, key=case_key)
            if "INFORMATIONAL" in (self.cases[cid]["behavior"], self.cases[cid]["behaviorClose"])
        ]

    def detail(self, case_id: str) -> dict[str, Any]:
        """The case's own JSON file (description, expectation, result...)."""
        path = self.directory / self.cases[case_id]["reportfile"]
        try:
            data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data


def load(directory: Path, label: str) -> Report:
    """Read index.json of one wstest report directory (one agent expected)."""
    index = json.loads((directory / "index.json").read_text(encoding="utf-8"))
    agent, cases = next(iter(index.items())) if index else ("?", {})
    return Report(label=label, directory=directory, agent=agent, cases=cases)


def find_reports(path: Path) -> list[Report]:
    """A report directory, or the server/ and client/ reports of a run directory."""
    if (path / "index.json").is_file():
        return [load(path, path.parent.name if path.name == "report" else path.name)]
    found = [
        load(path / role / "report", role)
        for role in ("server", "client")
        if (path / role / "report" / "index.json").is_file()
    ]
    if not found:
        raise FileNotFoundError(f"no index.json in {path} or its server/report, client/report")
    return found


def one_line(text: Any, limit: int = 300) -> str:
    """Case texts flattened to one line, cut at `limit` characters."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


def render(report: Report) -> list[str]:
    """The summary lines of one report."""
    behaviours = Counter(case["behavior"] for case in report.cases.values())
    closing = Counter(case["behaviorClose"] for case in report.cases.values())
    groups: dict[str, Counter[str]] = {}
    for cid, case in report.cases.items():
        groups.setdefault(cid.split(".")[0], Counter())[case["behavior"]] += 1
    names = list(BEHAVIOURS) + sorted(set(behaviours) - set(BEHAVIOURS))
    lines = [
        f"== autobahn {report.label} ({report.agent}): {len(report.cases)} cases ==",
        "behaviour: " + ", ".join(f"{name} {behaviours[name]}" for name in names),
        "closing:   " + ", ".join(f"{name} {n}" for name, n in sorted(closing.items())),
    ]
    for group in sorted(groups, key=int):
        counts = groups[group]
        text = ", ".join(f"{name} {counts[name]}" for name in names if counts[name])
        lines.append(f"group {group:>2}: {sum(counts.values()):3d} cases: {text}")
    lines.append("informational: " + (", ".join(report.informational) or "none"))
    failing = report.failing
    lines.append(f"failing ({len(failing)}): " + (", ".join(failing) or "none"))
    for cid in failing:
        case, detail = report.cases[cid], report.detail(cid)
        lines.append(f"  {cid}: {case['behavior']} / closing {case['behaviorClose']}")
        for key in ("description", "expectation", "result", "resultClose"):
            if detail.get(key):
                lines.append(f"    {key}: {one_line(detail[key])}")
    return lines


def totals(reports: list[Report]) -> tuple[int, int]:
    """(passed, failed) over all reports."""
    failed = sum(len(r.failing) for r in reports)
    return sum(len(r.cases) for r in reports) - failed, failed


def as_json(report: Report) -> dict[str, Any]:
    """Machine-readable summary of one report."""
    return {
        "label": report.label,
        "agent": report.agent,
        "cases": len(report.cases),
        "behavior": Counter(c["behavior"] for c in report.cases.values()),
        "behaviorClose": Counter(c["behaviorClose"] for c in report.cases.values()),
        "informational": report.informational,
        "failing": report.failing,
    }


def main(argv: list[str] | None = None) -> int:
    """Print the summaries and one 'N passed, N failed' line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("paths", nargs="+", type=Path, help="report or run directories")
    parser.add_argument("--json", type=Path, help="also write the summary as JSON here")
    args = parser.parse_args(argv)
    try:
        reports = [report for path in args.paths for report in find_reports(path)]
    except (OSError, ValueError) as exc:
        print(f"autobahn: cannot read report: {exc}", file=sys.stderr)
        return 2
    for report in reports:
        print("\n".join(render(report)))
    passed, failed = totals(reports)
    if args.json:
        args.json.write_text(json.dumps([as_json(r) for r in reports], indent=2) + "\n")
    print(f"autobahn: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
