"""Run Autobahn|Testsuite against wsproto's echo server and echo client, on loopback.

    python compliance/run.py [--python PY] [--role both|server|client] [CASES]

* server role: echo_server.py runs under PY, `wstest -m fuzzingclient` tests it;
* client role: `wstest -m fuzzingserver` runs, echo_client.py under PY is tested.

Both roles run at the same time unless --sequential.  wstest is installed (or
checked) first with install.sh.  Every process this script starts is stopped
by its PID; every wait is bounded by --timeout.

Exit status: 0 every case OK or INFORMATIONAL; 1 some case failed (FAILED,
NON-STRICT, UNIMPLEMENTED or a bad closing behaviour); 3 a run did not complete
(a subject crashed, wstest failed, ...); 4 out of time: --timeout cut a role short
and every case that ran passed; 77 SKIPPED: wstest could not be installed.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import summarize

HERE = Path(__file__).resolve().parent
EXIT_FAILED, EXIT_INCOMPLETE, EXIT_OUT_OF_TIME, EXIT_SKIPPED = 1, 3, 4, 77
#: Every process this runner started, so that an interrupted run stops them too.
STARTED: list[subprocess.Popen[bytes]] = []
STOP_GRACE = 10.0  # s between SIGTERM and SIGKILL
PROGRESS_EVERY = 60.0  # s between progress lines


def log(message: str) -> None:
    """Runner messages, timestamped."""
    print(f"[compliance {time.strftime('%H:%M:%S')}] {message}", flush=True)


def banner(lines: list[str]) -> None:
    """A message nobody can miss in a CI log."""
    bar = "!" * 78
    print("\n".join([bar, *(f"!!! {line}" for line in lines), bar]), flush=True)


def stop(*procs: subprocess.Popen[bytes]) -> None:
    """Stop processes we started: TERM, then KILL what is left after a grace period.

    Each process runs in a session of its own (see Role.spawn), so the signal
    goes to its process group: it and whatever it started (e.g. when --python is
    a wrapper script), nothing else.
    """
    for sig in (signal.SIGTERM, signal.SIGKILL):
        running = [proc for proc in procs if proc.poll() is None]
        for proc in running:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, sig)
        deadline = time.monotonic() + STOP_GRACE
        for proc in running:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(max(0.0, deadline - time.monotonic()))


def free_port() -> int:
    """A currently free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until(check: Callable[[], bool], seconds: float, alive: subprocess.Popen[bytes]) -> bool:
    """Poll `check()` every 0.1 s for up to `seconds` while `alive` runs."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        if alive.poll() is not None:
            return False
        time.sleep(0.1)
    return False


def accepts(port: int) -> bool:
    """Whether something listens on 127.0.0.1:port."""
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return False
    return True


@dataclass
class Options:
    """What both roles need to know."""

    python: str
    wstest: str
    out: Path
    cases: list[str]
    exclude: list[str]
    agent: str
    deflate: bool
    timeout: float


@dataclass
class Role:
    """One direction of the suite: its files, its processes, its outcome."""

    name: str
    opts: Options
    problems: list[str] = field(default_factory=list)
    #: Set when the role hit --timeout; its consequences go to `late`, not `problems`.
    late: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def dir(self) -> Path:
        """Where this role's spec, logs and report go."""
        return self.opts.out / self.name

    @property
    def report(self) -> Path:
        """wstest's report directory for this role."""
        return self.dir / "report"

    def spawn(self, cmd: list[str], logname: str) -> subprocess.Popen[bytes]:
        """Start a process with its output in dir/logname (unbuffered, for progress)."""
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        with open(self.dir / logname, "ab") as out:
            proc = subprocess.Popen(
                cmd,
                cwd=self.dir,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        STARTED.append(proc)
        return proc

    def write_spec(self, spec: dict[str, object]) -> None:
        """The wstest spec file, with the selected cases."""
        spec.update(
            {
                "outdir": str(self.report),
                "cases": self.opts.cases,
                "exclude-cases": self.opts.exclude,
                "exclude-agent-cases": {},
            }
        )
        (self.dir / "spec.json").write_text(json.dumps(spec, indent=2) + "\n")

    def deflate_flag(self) -> list[str]:
        """Subject option turning extensions off."""
        return [] if self.opts.deflate else ["--no-deflate"]

    def run(self) -> None:
        """Run this role, recording problems instead of raising."""
        shutil.rmtree(self.dir, ignore_errors=True)  # no stale report from an earlier run
        self.dir.mkdir(parents=True)
        start = time.monotonic()
        try:
            self.run_server() if self.name == "server" else self.run_client()
        except Exception as exc:  # keep the other role going; report at the end
            self.problems.append(f"runner error: {exc!r}")
        self.seconds = time.monotonic() - start
        where = self.late if self.late else self.problems
        if not (self.report / "index.json").is_file():
            where.append("wstest wrote no report")
            return
        ran, planned = len(summarize.load(self.report, self.name).cases), self.planned()
        if ran < planned:
            where.append(f"only {ran} of {planned} cases ran")

    def planned(self) -> int:
        """How many cases wstest said it would run (0 if unknown)."""
        marker = "will run "
        try:
            text = (self.dir / "wstest.log").read_text(errors="replace")
        except OSError:
            return 0
        for line in text.splitlines():
            if marker in line:
                count = line.split(marker, 1)[1].split()[:1]
                return int(count[0]) if count and count[0].isdigit() else 0
        return 0

    def run_server(self) -> None:
        """Our echo server, tested by wstest's fuzzingclient."""
        port_file = self.dir / "port"
        port_file.unlink(missing_ok=True)
        server = self.spawn(
            [
                self.opts.python,
                str(HERE / "echo_server.py"),
                "--port=0",
                f"--port-file={port_file}",
                f"--lifetime={self.opts.timeout + 60:.0f}",
                *self.deflate_flag(),
            ],
            "subject.log",
        )
        try:
            if not wait_until(port_file.is_file, 30, server):
                self.problems.append("echo server did not start (see subject.log)")
                return
            port = int(port_file.read_text())
            url = f"ws://127.0.0.1:{port}"
            self.write_spec({"servers": [{"agent": self.opts.agent, "url": url}]})
            wstest = self.spawn(
                [self.opts.wstest, "-m", "fuzzingclient", "-s", "spec.json"], "wstest.log"
            )
            try:
                code = wstest.wait(self.opts.timeout)
                if code != 0:
                    self.problems.append(f"wstest exited with {code} (see wstest.log)")
            except subprocess.TimeoutExpired:
                self.late.append(f"wstest did not finish in {self.opts.timeout:.0f} s")
            finally:
                stop(wstest)
        finally:
            stop(server)

    def run_client(self) -> None:
        """wstest's fuzzingserver, tested by our echo client."""
        for _attempt in range(3):  # the free port may be taken before wstest binds it
            port = free_port()
            self.write_spec({"url": f"ws://127.0.0.1:{port}"})
            wstest = self.spawn(
                [self.opts.wstest, "-m", "fuzzingserver", "-s", "spec.json"], "wstest.log"
            )
            if wait_until(functools.partial(accepts, port), 60, wstest):
                break
            stop(wstest)
        else:
            self.problems.append("fuzzingserver did not start (see wstest.log)")
            return
        try:
            client = self.spawn(
                [
                    self.opts.python,
                    str(HERE / "echo_client.py"),
                    f"--port={port}",
                    f"--agent={self.opts.agent}",
                    *self.deflate_flag(),
                ],
                "subject.log",
            )
            try:
                code = client.wait(self.opts.timeout)
                if code != 0:
                    self.problems.append(f"echo client exited with {code} (see subject.log)")
            except subprocess.TimeoutExpired:
                self.late.append(f"echo client did not finish in {self.opts.timeout:.0f} s")
                stop(wstest)  # first: the case in flight must not be logged as failed
            finally:
                stop(client)
            index = self.report / "index.json"
            wait_until(index.is_file, 30, wstest)
        finally:
            stop(wstest)

    def progress(self) -> str:
        """The last case this role started, from its logs."""
        name, marker = (
            ("wstest.log", "Running test case ID ")
            if self.name == "server"
            else ("subject.log", "case ")
        )
        try:
            lines = (self.dir / name).read_text(errors="replace").splitlines()
        except OSError:
            return "starting"
        for line in reversed(lines):
            if marker in line:
                return line.split(marker, 1)[1].split(" ")[0].rstrip(":")
        return "starting"


def install() -> str | None:
    """Run install.sh; the path of wstest-local, or None if it cannot be installed."""
    venv = subprocess.run(
        ["bash", str(HERE / "install.sh"), "--print-venv"], capture_output=True, text=True
    ).stdout.strip()
    try:
        done = subprocess.run(["bash", str(HERE / "install.sh")], timeout=1800).returncode == 0
    except subprocess.TimeoutExpired:
        done = False
    return f"{venv}/bin/wstest-local" if done else None


def subject_version(python: str) -> str:
    """wsproto version seen by the subject interpreter (raises if it has none)."""
    return subprocess.run(
        [python, "-c", "import wsproto; print(getattr(wsproto, '__version__', 'unknown'))"],
        cwd=HERE,  # as for the subjects: no wsproto picked up from the working directory
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout.strip()


def split(text: str) -> list[str]:
    """'1.*, 2.*' -> ['1.*', '2.*']."""
    return [part.strip() for part in text.split(",") if part.strip()]


def parse(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("cases", nargs="?", default="*", help="case patterns, e.g. '1.*,2.*,5.*'")
    parser.add_argument(
        "--python",
        default=os.environ.get("COMPLIANCE_PYTHON", sys.executable),
        help="interpreter whose wsproto is tested (default $COMPLIANCE_PYTHON, else this one)",
    )
    parser.add_argument("--role", choices=("both", "server", "client"), default="both")
    parser.add_argument("--exclude", action="append", default=[], help="case patterns to skip")
    parser.add_argument("--no-compression", action="store_true", help="skip 12.* and 13.*")
    parser.add_argument("--no-perf", action="store_true", help="skip 9.* (big messages)")
    parser.add_argument("--no-deflate", action="store_true", help="subjects use no extension")
    parser.add_argument("--sequential", action="store_true", help="one role after the other")
    parser.add_argument("--timeout", type=float, default=1800.0, help="bound per role (s)")
    parser.add_argument("--out", type=Path, help="default: compliance/reports/<time>")
    parser.add_argument("--agent", help="name in the reports (default wsproto-<version>)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Install, run the roles, summarize; see the module doc for the exit status."""
    args = parse(argv)
    wstest = install()
    if wstest is None:
        banner(
            [
                "AUTOBAHN COMPLIANCE SUITE SKIPPED: wstest could not be installed",
                "(it needs Python 2.7; see the install.sh messages above)",
            ]
        )
        return EXIT_SKIPPED
    try:
        version = subject_version(args.python)
    except (OSError, subprocess.SubprocessError) as exc:
        log(f"{args.python} cannot import wsproto ({exc})")
        log("pass --python PY, set COMPLIANCE_PYTHON, or run compliance/ci.sh (it makes a venv)")
        return 2
    exclude = [p for text in args.exclude for p in split(text)]
    exclude += ["12.*", "13.*"] if args.no_compression else []
    exclude += ["9.*"] if args.no_perf else []
    out = args.out or HERE / "reports" / time.strftime("%Y%m%d-%H%M%S")
    opts = Options(
        python=args.python,
        wstest=wstest,
        out=out.resolve(),
        cases=split(args.cases),
        exclude=exclude,
        agent=args.agent or f"wsproto-{version}",
        deflate=not args.no_deflate,
        timeout=args.timeout,
    )
    roles = [Role(name, opts) for name in ("server", "client") if args.role in ("both", name)]
    log(
        f"wsproto {version} under {args.python}; roles {', '.join(r.name for r in roles)}; "
        f"cases {opts.cases} minus {opts.exclude}; out {opts.out}"
    )
    start = time.monotonic()
    if args.sequential:
        for role in roles:
            role.run()
    else:
        threads = [threading.Thread(target=role.run, daemon=True) for role in roles]
        for thread in threads:
            thread.start()
        next_progress = start + PROGRESS_EVERY
        while any(thread.is_alive() for thread in threads):  # each role is bounded
            time.sleep(0.5)
            if time.monotonic() >= next_progress:
                next_progress += PROGRESS_EVERY
                state = "; ".join(f"{r.name} at case {r.progress()}" for r in roles)
                log(f"{time.monotonic() - start:.0f} s: {state}")
    return report(roles, time.monotonic() - start)


def report(roles: list[Role], seconds: float) -> int:
    """Print timings and summaries; the exit status."""
    reports = []
    for role in roles:
        log(f"{role.name} role: {role.seconds:.1f} s")
        if (role.report / "index.json").is_file():
            reports.append(summarize.load(role.report, role.name))
    for rep in reports:
        print("\n".join(summarize.render(rep)), flush=True)
    passed, failed = summarize.totals(reports)
    problems = [f"{role.name}: {p}" for role in roles for p in role.problems]
    late = [f"{role.name}: {p}" for role in roles for p in role.late]
    summary = {
        "seconds": round(seconds, 1),
        "roles": {role.name: round(role.seconds, 1) for role in roles},
        "problems": problems,
        "out_of_time": late,
        "reports": [summarize.as_json(rep) for rep in reports],
    }
    if roles:
        out = roles[0].opts.out
        (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
        log(f"reports: {out}/{{server,client}}/report/index.html")
    log(f"total {seconds:.1f} s")
    if problems or late:
        banner(["AUTOBAHN RUN INCOMPLETE:", *problems, *late])
    print(f"autobahn: {passed} passed, {failed} failed", flush=True)
    if failed:
        return EXIT_FAILED
    if problems:
        return EXIT_INCOMPLETE
    return EXIT_OUT_OF_TIME if late else 0


def interrupted(signum: int, _frame: object) -> None:
    """SIGTERM/SIGINT: unwind main() so that `finally` stops our processes."""
    raise SystemExit(128 + signum)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, interrupted)
    signal.signal(signal.SIGINT, interrupted)
    try:
        sys.exit(main())
    finally:
        stop(*STARTED)
