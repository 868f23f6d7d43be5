"""The optional C accelerator, installed for real: built with a compiler, skipped without one.

Each test builds a wheel of a copy of the repository with pip (the compiler chosen through
``CC``), installs it into a temporary venv and runs a masked exchange there.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Dict, List

import pytest

pytestmark = pytest.mark.installs

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 900
VERSION = re.search(r'^version = "(.+)"', (ROOT / "pyproject.toml").read_text(), re.M)[1]  # type: ignore[index]
PROBE = """
import json, os
from wsproto import ConnectionType, WSConnection, _masking
from wsproto.events import AcceptConnection, BytesMessage, Request
client, server = WSConnection(ConnectionType.CLIENT), WSConnection(ConnectionType.SERVER)
server.receive_data(client.send(Request(host="h", target="/")))
list(server.events())
client.receive_data(server.send(AcceptConnection()))
list(client.events())
payload = os.urandom(70_000)
server.receive_data(client.send(BytesMessage(payload)))
received = b"".join(e.data for e in server.events())
print(json.dumps({"accelerated": _masking.ACCELERATED, "intact": received == payload}))
"""


def _run(cmd: List[str], env: Dict[str, str], cwd: Path) -> str:
    proc = subprocess.run(
        cmd, capture_output=True, text=True, timeout=TIMEOUT, check=False, env=env, cwd=cwd
    )
    assert proc.returncode == 0, f"{cmd}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc.stdout


def _pip(python: str) -> List[str]:
    return [python, "-m", "pip", "--disable-pip-version-check", "--quiet"]


def _install_and_probe(tmp_path: Path, compiler: str) -> Dict[str, object]:
    if os.environ.get("WSPROTO_SKIP_INSTALL_TESTS"):
        pytest.skip("WSPROTO_SKIP_INSTALL_TESTS is set: real-install tests are skipped")
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "setup.py", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, src / name)
    shutil.copytree(
        ROOT / "wsproto", src / "wsproto", ignore=shutil.ignore_patterns("__pycache__", "*.so")
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WSPROTO_", "PYTHON"))}
    env["CC"] = compiler
    wheels = tmp_path / "wheels"
    # The core requires wsproto-deflate: build it too, so pip finds it beside the core.
    deflate = tmp_path / "deflate"
    shutil.copytree(
        ROOT / "wsproto_deflate", deflate, ignore=shutil.ignore_patterns("__pycache__", "bench")
    )
    _run(
        [*_pip(sys.executable), "wheel", "--no-deps", "-w", str(wheels), str(src), str(deflate)],
        env,
        tmp_path,
    )
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], env, tmp_path)
    python = str(venv / "bin" / "python")
    (wheel,) = wheels.glob("wsproto-*.whl")
    _run([*_pip(python), "install", "--find-links", str(wheels), str(wheel)], env, tmp_path)
    out = _run([python, "-c", PROBE], env, tmp_path)
    result: Dict[str, object] = json.loads(out.strip().splitlines()[-1])
    result["wheel"] = wheel.name
    # The C source belongs in the sdist only.
    result["c_sources"] = [n for n in zipfile.ZipFile(wheel).namelist() if n.endswith(".c")]
    return result


@pytest.mark.skipif(
    sys.implementation.name != "cpython" or shutil.which("cc") is None,
    reason="needs CPython and a C compiler",
)
def test_with_a_compiler_the_accelerator_is_built_and_used(tmp_path: Path) -> None:
    result = _install_and_probe(tmp_path, shutil.which("cc") or "cc")
    # 3.11+ builds against the stable ABI: one wheel for every later CPython.
    v = sys.version_info
    tag = "cp311-abi3" if v >= (3, 11) else f"cp{v[0]}{v[1]}-cp{v[0]}{v[1]}"
    assert result == {
        "accelerated": True,
        "intact": True,
        "c_sources": [],
        "wheel": f"wsproto-{VERSION}-{tag}-linux_{os.uname().machine}.whl",
    }


def test_without_a_compiler_the_install_still_works_in_pure_python(tmp_path: Path) -> None:
    result = _install_and_probe(tmp_path, "/bin/false")  # every compile fails
    # Nothing binary inside, so the wheel says so: not a platform wheel PyPI would refuse.
    assert result == {
        "accelerated": False,
        "intact": True,
        "c_sources": [],
        "wheel": f"wsproto-{VERSION}-py3-none-any.whl",
    }
