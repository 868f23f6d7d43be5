"""Temporary venvs for real-install tests: build, install, run a fixture script."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional

__all__ = ["FIXTURES", "ROOT", "Venv", "build_wheels", "copy_project", "run"]

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
PIP_TIMEOUT = 900
RUN_TIMEOUT = 120


def run(cmd: List[str], timeout: float = PIP_TIMEOUT, **kwargs: Any) -> str:
    """Run a command; fail the test with its output if it fails."""
    proc = subprocess.run(
        cmd, capture_output=True, text=True, timeout=timeout, check=False, **kwargs
    )
    if proc.returncode != 0:
        raise AssertionError(
            f"command failed ({proc.returncode}): {' '.join(cmd)}\n"
            f"--- stdout\n{proc.stdout[-4000:]}\n--- stderr\n{proc.stderr[-4000:]}"
        )
    return proc.stdout


def copy_project(src: Path, dest: Path, package: str) -> Path:
    """Copy just what a build needs, so the source tree gets no build debris."""
    dest.mkdir(parents=True)
    shutil.copy(src / "pyproject.toml", dest)
    if (src / "LICENSE").exists():  # `license-files` names it: the build needs it
        shutil.copy(src / "LICENSE", dest)
    readme = src / "README.md"
    if readme.exists():
        shutil.copy(readme, dest)
    else:
        (dest / "README.md").write_text(f"{package} (copied for a test build)\n")
    shutil.copytree(
        src / package, dest / package, ignore=shutil.ignore_patterns("__pycache__", "*.so")
    )
    return dest


class Venv:
    """A temporary virtual environment."""

    def __init__(self, path: Path, wheels: Path) -> None:
        self.path = path
        self.wheels = wheels
        bindir = "Scripts" if os.name == "nt" else "bin"
        self.python = str(path / bindir / ("python.exe" if os.name == "nt" else "python"))
        run([sys.executable, "-m", "venv", str(path)], timeout=300)

    def install(self, *names: str) -> None:
        """pip-install the wheelhouse's wheels of ``names`` (dependencies from the index)."""
        files = []
        for name in names:
            found = sorted(self.wheels.glob(f"{name.replace('-', '_')}-*.whl"))
            assert found, f"no wheel of {name} in {self.wheels}"
            files.append(str(found[-1]))
        run(
            [self.python, "-m", "pip", "--disable-pip-version-check", "--quiet", "install",
             "--find-links", str(self.wheels), *files],
        )  # fmt: skip

    def uninstall(self, *names: str) -> None:
        """pip-uninstall distributions (the way to keep the core without its default plugin)."""
        run([self.python, "-m", "pip", "--disable-pip-version-check", "--quiet", "uninstall",
             "--yes", *names])  # fmt: skip

    def run_module(self, *args: str) -> str:
        """Run ``python -m ARGS`` in this venv; return its standard output."""
        clean = {k: v for k, v in os.environ.items() if not k.startswith(("WSPROTO_", "PYTHON"))}
        return run([self.python, "-m", *args], timeout=RUN_TIMEOUT, env=clean, cwd=self.path)

    def run_json(self, script: str, *args: str, env: Optional[Dict[str, str]] = None) -> Any:
        """Run a fixture script in this venv (clean WSPROTO_* env); parse its JSON output."""
        clean = {k: v for k, v in os.environ.items() if not k.startswith(("WSPROTO_", "PYTHON"))}
        clean.update(env or {})
        workdir = self.path / "work"
        workdir.mkdir(exist_ok=True)
        target = workdir / script
        shutil.copy(FIXTURES / script, target)
        out = run([self.python, str(target), *args], timeout=RUN_TIMEOUT, env=clean, cwd=workdir)
        return json.loads(out.strip().splitlines()[-1])


def build_wheels(wheels: Path, sources: List[Path]) -> None:
    """Build wheels of ``sources`` (no dependencies) into ``wheels``."""
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--quiet"]
    run([*pip, "wheel", "--no-deps", "-w", str(wheels), *map(str, sources)])
