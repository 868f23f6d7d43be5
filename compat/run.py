#!/usr/bin/env python3
"""Run real consumers' own test suites against upstream wsproto 1.3.2 and against this project.

    python3 compat/run.py                    # all five consumers, this repository
    python3 compat/run.py --project /work/main --only hypercorn --only uvicorn
    python3 compat/run.py --update-docs      # also rewrite docs/results/compat_table.inc

For each consumer: download its pinned sdist (sha256 checked), extract its tests, build two
venvs that differ only in wsproto (``wsproto==1.3.2`` from the index, or this project's core
and wsproto-deflate wheels installed in one pip call), run the suite in both with a per-test
and a per-suite timeout, and compare per test id. A test that passes with upstream and does
anything else with the project is a regression. A test that passes on one side only is re-run
once on the other side, to tell a flaky test (counted as passed) from a real difference.
Exit status: 0 no regression, 1 regressions, 2 the harness itself could not run a suite.
Everything downloaded or built is cached under compat/.cache.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tarfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from compare import COLLECTION, Comparison, Outcome, compare, load, rst_table, text_table  # noqa: E402
from consumers import UPSTREAM, Consumer, by_name  # noqa: E402

REPO = HERE.parent
PLUGIN_DIR = HERE / "plugin"
REQUIREMENTS = HERE / "requirements"
SIDES = ("upstream", "project")
# Files of the project's source tree that the two wheels are built from (copied, so the
# build never writes into the tree the harness was pointed at).
PROJECT_DISTS = (".", "wsproto_deflate")
RECHECK_LIMIT = 40  # more candidate regressions than this are not re-run one by one


def log(message: str) -> None:
    print(f"[compat] {message}", flush=True)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def short_hash(*parts: str | bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode() if isinstance(part, str) else part)
        digest.update(b"\0")
    return digest.hexdigest()[:12]


def run_logged(cmd: list[str], log_path: Path, timeout: float, cwd: Path | None = None,
               env: dict[str, str] | None = None) -> tuple[int | None, float]:
    """Run cmd with its output in log_path; (exit status or None on timeout, seconds taken).

    The command gets a process group of its own, so a timeout kills it and its children.
    """
    start = time.monotonic()
    with log_path.open("ab") as out:
        out.write(("$ " + " ".join(cmd) + "\n").encode())
        out.flush()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
        try:
            status: int | None = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            status = None
            out.write(f"\n!!! killed after {timeout:.0f} s\n".encode())
    return status, time.monotonic() - start


def tail(path: Path, lines: int = 15) -> str:
    text = path.read_text(encoding="utf-8", errors="replace").splitlines()
    kept = [line for line in text if "is ignored: it is neither" not in line]
    return "\n".join(kept[-lines:])


def find_python(version: str) -> str | None:
    """An interpreter for version X.Y: pyenv's first, then pythonX.Y on PATH."""
    roots = []
    pyenv_root = os.environ.get("PYENV_ROOT") or str(Path.home() / ".pyenv")
    roots.append(Path(pyenv_root) / "versions")
    for root in roots:
        for candidate in sorted(root.glob(f"{version}.*/bin/python3")):
            if os.access(candidate, os.X_OK):
                return str(candidate)
    return shutil.which(f"python{version}")


@dataclass
class Harness:
    python: str
    python_version: str
    project: Path
    cache: Path
    test_timeout: int
    suite_timeout: int

    def pip(self, venv: Path, args: list[str], log_path: Path, timeout: float = 900) -> None:
        cmd = [str(venv / "bin" / "python"), "-m", "pip", "--disable-pip-version-check", *args]
        status, _ = run_logged(cmd, log_path, timeout)
        if status != 0:
            raise HarnessError(f"pip {args[0]} failed in {venv.name}:\n{tail(log_path)}")

    # -- inputs ---------------------------------------------------------------------------

    def fetch_sdists(self, consumers: list[Consumer]) -> dict[str, Path]:
        """Each consumer's sdist, downloaded once with pip and checked against its sha256."""
        sdists = self.cache / "sdists"
        sdists.mkdir(parents=True, exist_ok=True)
        missing = [c for c in consumers if not (sdists / c.sdist).exists()]
        if missing:
            log(f"downloading {', '.join(c.pin for c in missing)}")
            cmd = [self.python, "-m", "pip", "--disable-pip-version-check", "download",
                   "--no-deps", "--no-binary", ":all:", "-d", str(sdists),
                   *[c.pin for c in missing]]
            status, _ = run_logged(cmd, self.cache / "download.log", 900)
            if status != 0:
                raise HarnessError(f"download failed:\n{tail(self.cache / 'download.log')}")
        paths = {}
        for consumer in consumers:
            path = sdists / consumer.sdist
            if not path.exists():
                raise HarnessError(f"{consumer.sdist} not found after download")
            actual = sha256_file(path)
            if actual != consumer.sha256:
                path.unlink()
                raise HarnessError(f"{consumer.sdist}: sha256 {actual}, expected {consumer.sha256}")
            paths[consumer.name] = path
        return paths

    def build_project_wheels(self) -> list[Path]:
        """Wheels of the project's core and wsproto-deflate, built from a copy of the tree."""
        build = self.cache / "project-build"
        shutil.rmtree(build, ignore_errors=True)
        build.mkdir(parents=True)
        ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", "build", "dist", ".venv*",
                                        "*.so")
        source = build / "src"
        source.mkdir()
        for entry in self.project.iterdir():
            if entry.is_file():
                shutil.copy2(entry, source / entry.name)
        for package in ("wsproto", "wsproto_deflate"):
            shutil.copytree(self.project / package, source / package, ignore=ignore)
        wheels = build / "wheels"
        cmd = [self.python, "-m", "pip", "--disable-pip-version-check", "wheel", "--no-deps",
               "-w", str(wheels), *[str(source / d) for d in PROJECT_DISTS]]
        status, _ = run_logged(cmd, build / "build.log", 600)
        if status != 0:
            raise HarnessError(f"building the wheels failed:\n{tail(build / 'build.log')}")
        found = sorted(wheels.glob("*.whl"))
        if len(found) != len(PROJECT_DISTS):
            raise HarnessError(f"expected {len(PROJECT_DISTS)} wheels, got {found}")
        return found

    # -- venvs ----------------------------------------------------------------------------

    def venv(self, consumer: Consumer, side: str, sdist: Path, wheels: list[Path]) -> Path:
        """The venv of one side, reused while its pins are unchanged.

        The two sides install the same pinned requirements and the same sdist; only the
        wsproto requirement differs. The project's wheels are reinstalled on every run.
        """
        requirements = REQUIREMENTS / f"{consumer.name}.txt"
        key_parts: list[str | bytes] = [self.python_version, requirements.read_bytes(),
                                        consumer.sha256, side]
        if side == "project":
            for dist in PROJECT_DISTS:
                key_parts.append((self.project / dist / "pyproject.toml").read_bytes())
        venv = self.cache / "venvs" / f"{consumer.name}-{side}-{short_hash(*key_parts)}"
        log_path = self.cache / "logs" / f"{consumer.name}-{side}-install.log"
        log_path.unlink(missing_ok=True)
        stamp = venv / ".compat-ready"
        target = f"{sdist}[{consumer.extras}]" if consumer.extras else str(sdist)
        wsproto = [UPSTREAM] if side == "upstream" else [str(w) for w in wheels]
        if not stamp.exists():
            shutil.rmtree(venv, ignore_errors=True)
            status, _ = run_logged([self.python, "-m", "venv", str(venv)], log_path, 300)
            if status != 0:
                raise HarnessError(f"venv creation failed:\n{tail(log_path)}")
            # one pip call: the resolver sees the core and its plugin together, never
            # taking upstream wsproto for wsproto-deflate's dependency (or the reverse)
            self.pip(venv, ["install", "-q", "-r", str(requirements), target, *wsproto],
                     log_path)
            stamp.write_text(" ".join(wsproto) + "\n")
        elif side == "project":
            self.pip(venv, ["install", "-q", "--no-deps", "--force-reinstall", *wsproto],
                     log_path)
        return venv

    def freeze(self, venv: Path) -> list[str]:
        out = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "freeze",
                              "--disable-pip-version-check"], capture_output=True, text=True,
                             check=False, timeout=120)
        return sorted(line for line in out.stdout.splitlines() if line.strip())

    # -- suites ---------------------------------------------------------------------------

    def tree(self, consumer: Consumer, side: str, sdist: Path) -> Path:
        """A fresh extraction of the sdist per side, so the two runs share no files."""
        root = self.cache / "trees" / side
        shutil.rmtree(root / consumer.name, ignore_errors=True)
        (root / consumer.name).mkdir(parents=True)
        with tarfile.open(sdist) as archive:
            members = [m for m in archive.getmembers() if m.isfile() or m.isdir()]
            for member in members:
                if member.name.startswith("/") or ".." in Path(member.name).parts:
                    raise HarnessError(f"{sdist.name}: unsafe member {member.name}")
            # the "data" filter where this Python has it (3.12+, backported to 3.9.17+)
            safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
            archive.extractall(root / consumer.name, members=members, **safe)  # type: ignore[arg-type]
        (top,) = (root / consumer.name).iterdir()
        if consumer.ini is not None:
            (top / "pytest.ini").write_text(consumer.ini)
        return top

    def pytest(self, consumer: Consumer, side: str, venv: Path, tree: Path,
               targets: tuple[str, ...], results: Path) -> tuple[int | None, float]:
        results.parent.mkdir(parents=True, exist_ok=True)
        results.unlink(missing_ok=True)
        env = {k: v for k, v in os.environ.items()
               if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTEST_ADDOPTS")}
        env.update(PYTHONPATH=str(PLUGIN_DIR), COMPAT_RESULTS=str(results),
                   PYTHONDONTWRITEBYTECODE="1")
        cmd = [str(venv / "bin" / "python"), "-m", "pytest", "-p", "compat_pytest",
               "-p", "no:cacheprovider", "-o", "addopts=", "--rootdir", str(tree),
               "--continue-on-collection-errors", "-q", "-rfE",
               *([f"--timeout={self.test_timeout}"] if self.test_timeout else []),
               *consumer.options, *targets]
        log_path = self.cache / "logs" / f"{consumer.name}-{side}.log"
        log_path.parent.mkdir(parents=True, exist_ok=True)
        log_path.unlink(missing_ok=True)
        return run_logged(cmd, log_path, self.suite_timeout, cwd=tree, env=env)


class HarnessError(Exception):
    """The harness could not run a suite (download, install or build failure)."""


def run_side(h: Harness, consumer: Consumer, side: str, sdist: Path,
             wheels: list[Path]) -> dict[str, object]:
    venv = h.venv(consumer, side, sdist, wheels)
    tree = h.tree(consumer, side, sdist)
    results = h.cache / "results" / f"{consumer.name}-{side}.jsonl"
    status, seconds = h.pytest(consumer, side, venv, tree, consumer.paths, results)
    outcomes = load(results)
    passed = sum(1 for o in outcomes.values() if o.outcome == "passed")
    note = " (suite killed on timeout)" if status is None else ""
    log(f"{consumer.name} {consumer.version} vs {side}: {passed}/{len(outcomes)} passed "
        f"in {seconds:.0f} s{note}")
    return {"venv": venv, "tree": tree, "outcomes": outcomes, "seconds": round(seconds, 1),
            "timed_out": status is None, "freeze": h.freeze(venv)}


def recheck(h: Harness, consumer: Consumer, name: str, side: dict[str, object],
            ids: list[str]) -> dict[str, Outcome]:
    """Re-run the given test ids once on one side; their new outcomes."""
    results = h.cache / "results" / f"{consumer.name}-{name}-recheck.jsonl"
    venv, tree = side["venv"], side["tree"]
    assert isinstance(venv, Path) and isinstance(tree, Path)
    h.pytest(consumer, f"{name}-recheck", venv, tree, tuple(ids), results)
    return load(results)


def settle(h: Harness, consumer: Consumer, sides: dict[str, dict[str, object]],
           outcomes: dict[str, dict[str, Outcome]]) -> tuple[Comparison, dict[str, list[str]]]:
    """Compare, after re-running once each test that passed on one side only, on the side
    where it did not pass. A test that passes on its re-run counts as passed there (flaky:
    timing-based tests can fail on a loaded machine); the flaky ids are returned per side."""
    first = compare(outcomes["upstream"], outcomes["project"])
    suspects = {"project": [r.test_id for r in first.regressions],
                "upstream": list(first.improvements)}
    flaky: dict[str, list[str]] = {"upstream": [], "project": []}
    for name, ids in suspects.items():
        if not 0 < len(ids) <= RECHECK_LIMIT:
            continue
        again = recheck(h, consumer, name, sides[name], ids)
        for test_id in ids:
            if again.get(test_id, Outcome("missing")).outcome == "passed":
                flaky[name].append(test_id)
                outcomes[name][test_id] = Outcome("passed")
    return compare(outcomes["upstream"], outcomes["project"]), flaky


def venv_difference(upstream: list[str], project: list[str]) -> list[str]:
    """Installed distributions that differ between the sides, besides wsproto itself."""
    def keep(line: str) -> bool:
        name = line.split("==")[0].split(" @ ")[0].strip().lower().replace("_", "-")
        return name not in ("wsproto", "wsproto-deflate")
    return sorted(set(filter(keep, upstream)) ^ set(filter(keep, project)))


def shorten(reason: str) -> str:
    """A reason without the long venv paths of the modules it names."""
    return re.sub(r"/\S*/site-packages/", "", reason)


def summarise(consumer: Consumer, sides: dict[str, dict[str, object]], comparison: Comparison,
              flaky: dict[str, list[str]]) -> dict[str, object]:
    return {
        "consumer": consumer.name,
        "version": consumer.version,
        "tests": comparison.tests,
        "upstream_passed": comparison.upstream_passed,
        "project_passed": comparison.project_passed,
        "regressions": len(comparison.regressions),
        "regression_list": [
            {"id": r.test_id, "outcome": r.project, "reason": shorten(r.reason)}
            for r in comparison.regressions
        ],
        "flaky": flaky,
        "upstream_failures": {i: shorten(r) for i, r in comparison.upstream_failures.items()},
        "collection_errors": {
            side: {i: shorten(r) for i, r in errors.items()}
            for side, errors in comparison.collection_errors.items()
        },
        "improvements": comparison.improvements,
        "seconds": {s: sides[s]["seconds"] for s in SIDES},
        "timed_out": [s for s in SIDES if sides[s]["timed_out"]],
        "venv_difference": venv_difference(
            sides["upstream"]["freeze"], sides["project"]["freeze"]  # type: ignore[arg-type]
        ),
        "notes": consumer.notes,
    }


def check_consumer(h: Harness, consumer: Consumer, sdist: Path, wheels: list[Path],
                   pool: concurrent.futures.Executor) -> dict[str, object]:
    futures = {side: pool.submit(run_side, h, consumer, side, sdist, wheels) for side in SIDES}
    sides = {side: future.result() for side, future in futures.items()}
    upstream, project = sides["upstream"]["outcomes"], sides["project"]["outcomes"]
    assert isinstance(upstream, dict) and isinstance(project, dict)
    upstream_log = h.cache / "logs" / f"{consumer.name}-upstream.log"
    if not upstream:
        raise HarnessError(f"{consumer.name}: no test ran against upstream; see {upstream_log}")
    if sides["upstream"]["timed_out"]:
        raise HarnessError(f"{consumer.name}: the suite did not finish against upstream within "
                           f"--suite-timeout; see {upstream_log}")
    comparison, flaky = settle(h, consumer, sides, {"upstream": dict(upstream),
                                                     "project": dict(project)})
    return summarise(consumer, sides, comparison, flaky)


def print_regressions(entry: dict[str, object]) -> None:
    """One line per regression; the tests of a module that no longer imports as one line."""
    unimported: dict[tuple[str, str], int] = {}
    for item in entry["regression_list"]:  # type: ignore[attr-defined]
        if item["outcome"] == "missing" and item["reason"].startswith(COLLECTION):
            key = (item["id"].split("::", 1)[0], item["reason"])
            unimported[key] = unimported.get(key, 0) + 1
            continue
        print(f"REGRESSION {entry['consumer']}: {item['id']}: {item['outcome']} "
              f"({item['reason']})")
    for (module, reason), count in unimported.items():
        print(f"REGRESSION {entry['consumer']}: {module}: {count} tests never ran, the module "
              f"does not import ({reason[len(COLLECTION):]})")


def git_describe(path: Path) -> str:
    """The tree's commit, with "-dirty" for uncommitted changes to tracked files.

    Read-only: GIT_OPTIONAL_LOCKS=0 keeps git status from refreshing (writing) the index
    of a tree someone else is working in.
    """
    env = dict(os.environ, GIT_OPTIONAL_LOCKS="0")
    def git(*args: str) -> str:
        out = subprocess.run(["git", "-C", str(path), *args], capture_output=True, text=True,
                             check=False, env=env)
        return out.stdout.strip() if out.returncode == 0 else ""
    commit = git("rev-parse", "--short", "HEAD")
    if not commit:
        return "unknown"
    return commit + ("-dirty" if git("status", "--porcelain", "--untracked-files=no") else "")


def inc_file(report: dict[str, object]) -> str:
    """The docs' include: where the numbers come from, then the table."""
    head = (f"Run of {report['date']} on Python {report['python']}: upstream "
            f"``{UPSTREAM}`` against this project at commit ``{report['project_commit']}``; "
            f"harness wall time {report['wall_seconds']:.0f} s.\n\n")
    return head + rst_table(report["consumers"])  # type: ignore[arg-type]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--project", type=Path, default=REPO,
                        help="source tree of this project (default: the harness's repository)")
    parser.add_argument("--only", action="append", default=[], metavar="CONSUMER",
                        help="run only this consumer (repeatable)")
    parser.add_argument("--python", default=None, help="interpreter for the venvs (default 3.11)")
    parser.add_argument("--jobs", type=int, default=2, help="suites run at once (default 2)")
    parser.add_argument("--cache", type=Path, default=HERE / ".cache")
    parser.add_argument("--test-timeout", type=int, default=30,
                        help="seconds per test (pytest-timeout; 0: none)")
    parser.add_argument("--suite-timeout", type=int, default=600, help="seconds per suite run")
    parser.add_argument("--update-docs", action="store_true",
                        help="write docs/results/compat_table.inc and compat.json")
    args = parser.parse_args(argv)

    started = time.monotonic()
    date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    try:
        consumers = by_name(args.only)
    except ValueError as error:
        parser.error(str(error))
    python = args.python or find_python("3.11")
    if not python:
        log("no Python 3.11 found (uvicorn 0.55 needs >= 3.11); pass --python")
        return 2
    version = subprocess.run([python, "-c", "import platform; print(platform.python_version())"],
                             capture_output=True, text=True, check=True).stdout.strip()
    project = args.project.resolve()
    cache = args.cache.resolve()
    (cache / "logs").mkdir(parents=True, exist_ok=True)
    h = Harness(python, version, project, cache, args.test_timeout, args.suite_timeout)
    log(f"Python {version}; project {project} ({git_describe(project)}); cache {cache}")

    reports: list[dict[str, object]] = []
    failures: list[str] = []
    try:
        sdists = h.fetch_sdists(consumers)
        wheels = h.build_project_wheels()
    except HarnessError as error:
        log(f"ERROR: {error}")
        return 2
    log("project wheels: " + ", ".join(w.name for w in wheels))
    with concurrent.futures.ThreadPoolExecutor(max(1, args.jobs)) as pool, \
            concurrent.futures.ThreadPoolExecutor(len(consumers)) as outer:
        jobs = {c.name: outer.submit(check_consumer, h, c, sdists[c.name], wheels, pool)
                for c in consumers}
        for consumer in consumers:
            try:
                reports.append(jobs[consumer.name].result())
            except HarnessError as error:
                failures.append(consumer.name)
                log(f"ERROR: {error}")

    wall = time.monotonic() - started
    report = {
        "date": date,  # when the run started
        "python": version,
        "upstream": UPSTREAM,
        "project": str(project),
        "project_commit": git_describe(project),
        "project_wheels": [w.name for w in wheels],
        "wall_seconds": round(wall, 1),
        "consumers": reports,
        "harness_errors": failures,
    }
    print()
    print(text_table(reports))
    for entry in reports:
        print_regressions(entry)
        for side, ids in entry["flaky"].items():  # type: ignore[attr-defined]
            for test_id in ids:
                print(f"flaky with {side} (failed, passed on its re-run) {entry['consumer']}: "
                      f"{test_id}")
        for test_id, reason in entry["upstream_failures"].items():  # type: ignore[attr-defined]
            print(f"fails with upstream too {entry['consumer']}: {test_id} ({reason})")
        upstream_errors = entry["collection_errors"].get("upstream", {})  # type: ignore[attr-defined]
        for module, reason in upstream_errors.items():
            print(f"module not collected with upstream {entry['consumer']}: {module} ({reason})")
        if entry["venv_difference"]:
            print(f"WARNING {entry['consumer']}: venvs differ beyond wsproto: "
                  f"{entry['venv_difference']}")
        if entry["timed_out"]:
            print(f"WARNING {entry['consumer']}: suite killed on timeout: {entry['timed_out']}")
    print(f"\nwall time {wall:.0f} s; details in {cache / 'results.json'}, logs in "
          f"{cache / 'logs'}")

    (cache / "results.json").write_text(json.dumps(report, indent=1) + "\n")
    (cache / "compat_table.inc").write_text(inc_file(report))
    if args.update_docs:
        docs = REPO / "docs" / "results"
        (docs / "compat_table.inc").write_text(inc_file(report))
        (docs / "compat.json").write_text(json.dumps(report, indent=1) + "\n")
        log(f"wrote {docs / 'compat_table.inc'} and {docs / 'compat.json'}")

    if failures:
        return 2
    return 1 if any(entry["regressions"] for entry in reports) else 0


if __name__ == "__main__":
    sys.exit(main())
