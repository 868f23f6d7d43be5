"""Run every fuzz target (or some) for a bounded time: ``python fuzz/run.py --seconds 10``.

Seeds come from ``fuzz/corpus/TARGET``; new inputs go to a scratch directory
(``--workdir``), never into the repository. A crash makes the exit status 1 and
is printed; ``--save`` copies crashing inputs to ``fuzz/regressions/TARGET/``,
which pytest replays forever after (tests/robustness/test_fuzz_corpus.py).
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from fuzz_targets import TARGETS as _TARGETS  # noqa: E402

TARGETS = list(_TARGETS)


def run_target(name: str, seconds: int, workdir: Path, python: str, save: bool) -> bool:
    """Fuzz one target; return True when no crash was found."""
    new = workdir / name / "new"
    new.mkdir(parents=True, exist_ok=True)
    artifacts = workdir / name / "artifacts"
    artifacts.mkdir(parents=True, exist_ok=True)
    cmd = [
        python,
        str(HERE / "atheris_main.py"),
        name,
        str(new),
        str(HERE / "corpus" / name),
        f"-max_total_time={seconds}",
        f"-artifact_prefix={artifacts}/",
        "-timeout=10",
        "-rss_limit_mb=2048",
        "-max_len=70000",
        "-print_final_stats=1",
    ]
    started = time.monotonic()
    try:
        proc = subprocess.run(
            cmd, capture_output=True, text=True, timeout=seconds + 120, check=False
        )
        output = proc.stdout + proc.stderr
        rc = proc.returncode
    except subprocess.TimeoutExpired as exc:
        output = f"{exc.stdout or ''}{exc.stderr or ''}\n(killed: ran past its time limit)"
        rc = -1
    elapsed = time.monotonic() - started
    execs = re.findall(r"stat::number_of_executed_units:\s*(\d+)", output)
    cov = re.findall(r"cov: (\d+)", output)
    crashes = sorted(artifacts.iterdir())
    ok = rc == 0 and not crashes
    print(
        f"{name:18} {'ok' if ok else 'CRASH'}  {elapsed:5.1f}s  "
        f"execs={execs[-1] if execs else '?'}  cov={cov[-1] if cov else '?'}  "
        f"corpus+{len(list(new.iterdir()))}",
        flush=True,
    )
    if not ok:
        print(output[-6000:])
        for crash in crashes:
            print(f"  crashing input: {crash} ({crash.stat().st_size} bytes)")
            if save:
                dest = HERE / "regressions" / name
                dest.mkdir(parents=True, exist_ok=True)
                shutil.copy(crash, dest / crash.name)
                print(f"  saved to {dest / crash.name}")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=10, help="time per target")
    parser.add_argument(
        "--target", action="append", choices=TARGETS, help="repeatable; default all"
    )
    parser.add_argument("--workdir", type=Path, help="scratch directory (default: a temporary one)")
    parser.add_argument("--python", default=sys.executable, help="interpreter with atheris")
    parser.add_argument("--save", action="store_true", help="copy crashes to fuzz/regressions/")
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="wsproto-fuzz-"))
    results = [
        run_target(name, args.seconds, workdir, args.python, args.save)
        for name in (args.target or TARGETS)
    ]
    print(f"fuzzing: {sum(results)}/{len(results)} targets clean; scratch in {workdir}")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
