"""The README's "from a clone" install command, run literally in a fresh venv."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.installs

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
IGNORE = shutil.ignore_patterns(
    ".git", ".venv*", "_build", "node_modules", "build", "dist", "*.egg-info", "__pycache__",
    ".hypothesis", ".mypy_cache", ".ruff_cache", ".venvs", "*.so",
)


def test_readme_clone_install_gives_the_deflate_plugin(tmp_path: Path) -> None:
    commands = re.findall(r"^python -m pip install \./wsproto2.*$", README.read_text(), re.M)
    assert len(commands) == 1, commands
    args = commands[0].split("#")[0].split()[4:]
    assert args == ["./wsproto2", "./wsproto2/wsproto_deflate"]
    shutil.copytree(ROOT, tmp_path / "wsproto2", ignore=IGNORE)  # the clone
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    python = str(venv / "bin" / "python")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WSPROTO_", "PYTHON"))}
    install = subprocess.run(
        [python, "-m", "pip", "install", "-q", "--disable-pip-version-check", *args],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900, check=False,
    )
    assert install.returncode == 0, install.stderr[-3000:]
    listing = subprocess.run(
        [python, "-m", "wsproto", "extensions"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=True,
    ).stdout
    assert re.search(r"permessage-deflate\s+RSV1\s+wsproto-deflate 2\.\d+\.\d+", listing), listing
