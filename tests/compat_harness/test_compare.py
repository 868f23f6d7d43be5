"""The compat harness's own logic on real pytest runs: the plugin's records, the per-test
comparison and the suite timeout. The consumer suites themselves run in `make compat`."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

COMPAT = Path(__file__).resolve().parents[2] / "compat"
sys.path.insert(0, str(COMPAT))

from compare import Outcome, compare, load, merge, rst_table, text_table  # noqa: E402
from consumers import Consumer  # noqa: E402
from run import Harness, run_logged, settle  # noqa: E402

# A suite whose behaviour flips with FLIP=1, the way a consumer's suite changes when the
# wsproto under it does.
SUITE = '''
import os
import pytest

FLIP = os.environ.get("FLIP") == "1"

def test_stable():
    pass

def test_breaks():
    assert not FLIP, "broken by the flip"

@pytest.fixture
def resource():
    if FLIP:
        raise RuntimeError("setup broken")
    yield
    if FLIP:
        raise RuntimeError("unreachable")

@pytest.fixture
def leaky():
    yield
    if FLIP:
        raise RuntimeError("teardown broken")

def test_setup_breaks(resource):
    pass

def test_teardown_breaks(leaky):
    pass

def test_skipped():
    pytest.skip("never runs")

@pytest.mark.xfail(strict=True)
def test_expected_failure():
    assert False

def test_fixed():
    assert FLIP, "fails before the flip"
'''

IMPORTS = '''
import os
if os.environ.get("FLIP") == "1":
    raise ImportError("name gone after the flip")

def test_in_module():
    pass
'''


def _run(tmp_path: Path, flip: bool) -> Path:
    results = tmp_path / f"results-{int(flip)}.jsonl"
    env = dict(os.environ, PYTHONPATH=str(COMPAT / "plugin"), COMPAT_RESULTS=str(results),
               FLIP="1" if flip else "0", PYTHONDONTWRITEBYTECODE="1")
    env.pop("PYTEST_ADDOPTS", None)
    subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "compat_pytest", "-p", "no:cacheprovider",
         "-o", "addopts=", "--rootdir", str(tmp_path / "suite"), "-c",
         str(tmp_path / "suite" / "pytest.ini"), "--continue-on-collection-errors", "-q",
         "suite"],
        cwd=tmp_path, env=env, capture_output=True, timeout=120, check=False,
    )
    return results


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    tmp_path = tmp_path_factory.mktemp("compat")
    suite = tmp_path / "suite"
    suite.mkdir()
    (suite / "pytest.ini").write_text("[pytest]\n")
    (suite / "test_suite.py").write_text(SUITE)
    (suite / "test_imports.py").write_text(IMPORTS)
    return _run(tmp_path, flip=False), _run(tmp_path, flip=True)


def test_plugin_records_each_outcome(runs: tuple[Path, Path]) -> None:
    before, after = load(runs[0]), load(runs[1])
    assert {i.split("::")[-1]: o.outcome for i, o in before.items()} == {
        "test_stable": "passed", "test_breaks": "passed", "test_setup_breaks": "passed",
        "test_teardown_breaks": "passed", "test_skipped": "skipped",
        "test_expected_failure": "xfailed", "test_fixed": "failed", "test_in_module": "passed",
    }
    assert after["test_suite.py::test_breaks"].outcome == "failed"
    assert "broken by the flip" in after["test_suite.py::test_breaks"].reason
    assert after["test_suite.py::test_setup_breaks"].outcome == "error"
    # a passing call and a failing teardown: the worst wins
    assert after["test_suite.py::test_teardown_breaks"].outcome == "error"
    assert after["test_suite.py::test_teardown_breaks"].reason == "RuntimeError: teardown broken"
    assert after["test_imports.py"].reason.startswith("collection: ")
    assert "name gone after the flip" in after["test_imports.py"].reason


def test_comparison_finds_exactly_the_regressions(runs: tuple[Path, Path]) -> None:
    result = compare(load(runs[0]), load(runs[1]))
    found = {r.test_id: (r.project, r.reason) for r in result.regressions}
    assert set(found) == {
        "test_suite.py::test_breaks", "test_suite.py::test_setup_breaks",
        "test_suite.py::test_teardown_breaks", "test_imports.py::test_in_module",
    }
    # a test whose module no longer imports is missing, with the import error as its reason
    assert found["test_imports.py::test_in_module"][0] == "missing"
    assert "name gone after the flip" in found["test_imports.py::test_in_module"][1]
    assert result.improvements == ["test_suite.py::test_fixed"]
    assert list(result.upstream_failures) == ["test_suite.py::test_fixed"]
    assert list(result.collection_errors) == ["project"]
    assert result.tests == 8
    assert (result.upstream_passed, result.project_passed) == (5, 2)
    # the same run on both sides: nothing to report
    same = compare(load(runs[0]), load(runs[0]))
    assert same.regressions == [] and same.improvements == []


def test_a_torn_last_line_is_ignored(runs: tuple[Path, Path]) -> None:
    lines = runs[1].read_text().splitlines()
    torn = [*lines, lines[0][: len(lines[0]) // 2]]
    assert merge(torn) == load(runs[1])


def test_tables_carry_every_row(runs: tuple[Path, Path]) -> None:
    result = compare(load(runs[0]), load(runs[1]))
    row = {"consumer": "demo", "version": "1.0", "tests": result.tests,
           "upstream_passed": result.upstream_passed, "project_passed": result.project_passed,
           "regressions": len(result.regressions)}
    text = text_table([row]).splitlines()
    assert text[2].split() == ["demo", "1.0", "8", "5", "2", "4"]
    rst = rst_table([row])
    assert rst.startswith(".. list-table::")
    assert "   * - demo\n     - 1.0\n     - 8\n     - 5\n     - 2\n     - 4\n" in rst


def test_a_hung_suite_is_killed_on_time(tmp_path: Path) -> None:
    log = tmp_path / "log"
    start = time.monotonic()
    status, _ = run_logged([sys.executable, "-c", "import time; time.sleep(60)"], log, 2)
    assert status is None
    assert time.monotonic() - start < 30
    assert "killed after 2 s" in log.read_text()


RERUN = '''
def test_passes():
    pass

def test_fails():
    assert False, "fails every time"
'''


def test_settle_reruns_each_difference_on_the_side_that_did_not_pass(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    (tree / "tests").mkdir(parents=True)
    (tree / "tests" / "test_rerun.py").write_text(RERUN)
    consumer = Consumer("demo", "1.0", "0" * 64, ini="[pytest]\n")
    (tree / "pytest.ini").write_text(consumer.ini or "")
    # no per-test timeout: pytest-timeout is not in the test venv
    harness = Harness(sys.executable, "3", COMPAT.parent, tmp_path / "cache", 0, 120)
    # this test venv stands in for both sides' venvs
    side = {"venv": Path(sys.executable).parent.parent, "tree": tree}
    passes, fails = "tests/test_rerun.py::test_passes", "tests/test_rerun.py::test_fails"
    outcomes = {
        # as if test_passes had failed once on upstream, and test_fails had passed there
        "upstream": {passes: Outcome("failed", "timing"), fails: Outcome("passed")},
        "project": {passes: Outcome("passed"), fails: Outcome("failed", "in the full run")},
    }
    result, flaky = settle(harness, consumer, {"upstream": side, "project": side}, outcomes)
    assert flaky == {"upstream": [passes], "project": []}
    assert [(r.test_id, r.project) for r in result.regressions] == [(fails, "failed")]
    # a confirmed regression keeps the reason of the full run it failed in
    assert result.regressions[0].reason == "in the full run"
    assert result.upstream_passed == 2 and result.improvements == []
