"""Per-test comparison of one suite's two runs, and the tables the harness prints and writes.

Pure functions over the JSON lines the pytest plugin writes; no I/O besides reading them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

# A test can report several lines (e.g. a passing call, then a failing teardown): the worst wins.
RANK = {"passed": 0, "skipped": 1, "xfailed": 1, "xpassed": 2, "failed": 3, "error": 4}
MISSING = "missing"  # no line at all: the test never finished (suite killed, crash, not collected)


@dataclass(frozen=True)
class Outcome:
    outcome: str
    reason: str = ""


def merge(lines: Iterable[str]) -> dict[str, Outcome]:
    """The worst outcome per test id from the plugin's JSON lines (blank or torn lines ignored)."""
    merged: dict[str, Outcome] = {}
    for line in lines:
        try:
            record = json.loads(line)
        except ValueError:
            continue  # a line cut short by a killed suite
        if not isinstance(record, dict) or record.get("outcome") not in RANK:
            continue
        test_id = str(record.get("id", ""))
        new = Outcome(record["outcome"], str(record.get("reason", "")))
        old = merged.get(test_id)
        if old is None or RANK[new.outcome] > RANK[old.outcome]:
            merged[test_id] = new
    return merged


def load(path: Path) -> dict[str, Outcome]:
    """merge() of a results file; an absent file (suite never started) gives no outcomes."""
    if not path.exists():
        return {}
    return merge(path.read_text(encoding="utf-8").splitlines())


@dataclass(frozen=True)
class Regression:
    test_id: str
    upstream: str
    project: str
    reason: str

    def line(self) -> str:
        return f"{self.test_id}: {self.project} ({self.reason or 'no reason recorded'})"


@dataclass
class Comparison:
    """One consumer's two runs side by side."""

    tests: int
    upstream_passed: int
    project_passed: int
    regressions: list[Regression] = field(default_factory=list)
    improvements: list[str] = field(default_factory=list)  # fails upstream, passes here
    upstream_failures: dict[str, str] = field(default_factory=dict)  # id -> reason
    collection_errors: dict[str, dict[str, str]] = field(default_factory=dict)  # side -> id -> why


COLLECTION = "collection: "  # the plugin's prefix for the reason of a module that failed to import


def _collection_error(outcome: Outcome | None) -> bool:
    return outcome is not None and outcome.reason.startswith(COLLECTION)


def _missing(test_id: str, outcomes: dict[str, Outcome]) -> Outcome:
    """A test with no outcome, explained by its module's collection error if there is one."""
    module = test_id.split("::", 1)[0]
    error = outcomes.get(module)
    if error is not None and _collection_error(error):
        return Outcome(MISSING, error.reason)
    return Outcome(MISSING)


def compare(upstream: dict[str, Outcome], project: dict[str, Outcome]) -> Comparison:
    """A regression is a test that passed with upstream and did anything else with the project
    (failed, errored, skipped, or never finished)."""
    ids = sorted(
        i for i in set(upstream) | set(project)
        if not _collection_error(upstream.get(i)) and not _collection_error(project.get(i))
    )
    result = Comparison(
        tests=len(ids),
        upstream_passed=sum(1 for o in upstream.values() if o.outcome == "passed"),
        project_passed=sum(1 for o in project.values() if o.outcome == "passed"),
    )
    for side, outcomes in (("upstream", upstream), ("project", project)):
        errors = {i: o.reason for i, o in outcomes.items() if _collection_error(o)}
        if errors:
            result.collection_errors[side] = errors
    for test_id in ids:
        up = upstream.get(test_id) or _missing(test_id, upstream)
        here = project.get(test_id) or _missing(test_id, project)
        if up.outcome in ("failed", "error", MISSING):
            result.upstream_failures[test_id] = up.reason or up.outcome
        if up.outcome == "passed" and here.outcome != "passed":
            result.regressions.append(Regression(test_id, up.outcome, here.outcome, here.reason))
        elif here.outcome == "passed" and up.outcome != "passed":
            result.improvements.append(test_id)
    return result


COLUMNS = ("Consumer", "Version", "Tests", "Upstream 1.3.2 passed", "This project passed",
           "Regressions")


def rows(results: list[dict[str, object]]) -> list[tuple[str, ...]]:
    """Table rows from the harness's per-consumer result dicts (as written to the JSON)."""
    return [
        (str(r["consumer"]), str(r["version"]), str(r["tests"]), str(r["upstream_passed"]),
         str(r["project_passed"]), str(r["regressions"]))
        for r in results
    ]


def text_table(results: list[dict[str, object]]) -> str:
    """A plain-text table for the terminal."""
    body = [COLUMNS, *rows(results)]
    widths = [max(len(row[i]) for row in body) for i in range(len(COLUMNS))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in body]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def rst_table(results: list[dict[str, object]]) -> str:
    """An RST list-table for the docs (included by docs/results/compat.rst)."""
    out = [".. list-table::", "   :header-rows: 1", ""]
    for row in [COLUMNS, *rows(results)]:
        out.append(f"   * - {row[0]}")
        out.extend(f"     - {cell}" for cell in row[1:])
    return "\n".join(out) + "\n"
