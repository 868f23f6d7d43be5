"""The plugin guide's example package (docs/extensions/example/), installed for real.

The guide includes these files; this test follows its steps in a fresh venv: install the
wheel, check ``python -m wsproto extensions``, negotiate with unchanged application code,
refuse hostile parameters, run the package's own tests and ``mypy --strict``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from typing import Dict

import pytest

from .venvs import ROOT, Venv, build_wheels, copy_project, run

pytestmark = pytest.mark.installs

EXAMPLE = ROOT / "docs" / "extensions" / "example"

# Unchanged application code: both sides pass installed_extensions(). Then a client sends
# hostile offers by hand, and a server answers a real offer with a hostile response.
SCRIPT = r"""
import json
from wsproto import ConnectionType, WSConnection
from wsproto.events import AcceptConnection, BytesMessage, RejectConnection, Request
from wsproto.plugins import installed_extensions
from wsproto.utilities import RemoteProtocolError

client, server = WSConnection(ConnectionType.CLIENT), WSConnection(ConnectionType.SERVER)
server.receive_data(client.send(Request(host="h", target="/", extensions=installed_extensions())))
list(server.events())
client.receive_data(server.send(AcceptConnection(extensions=installed_extensions())))
accepted = next(client.events())
data = b"bzip2 likes repetition " * 1000
wire = client.send(BytesMessage(data))
server.receive_data(wire)
received = b"".join(e.data for e in server.events() if isinstance(e, BytesMessage))

declined = {}
for offer in ["x-demo-bzip2; level=12", "x-demo-bzip2; level=0", 'x-demo-bzip2; level="9 "',
              "x-demo-bzip2; level=1; level=2", "x-demo-bzip2; bogus=1"]:
    server = WSConnection(ConnectionType.SERVER)
    plain = WSConnection(ConnectionType.CLIENT)
    request = plain.send(Request(host="h", target="/",
                                 extra_headers=[(b"Sec-WebSocket-Extensions", offer.encode())]))
    server.receive_data(request)
    events = list(server.events())
    response = server.send(AcceptConnection(extensions=installed_extensions()))
    declined[offer] = b"x-demo-bzip2" not in response and isinstance(events[0], Request)

failed = {}
for answer in [b"x-demo-bzip2; level=99", b"x-demo-bzip2; bogus=1"]:
    server = WSConnection(ConnectionType.SERVER)
    c2 = WSConnection(ConnectionType.CLIENT)
    server.receive_data(c2.send(Request(host="h", target="/", extensions=installed_extensions())))
    list(server.events())
    response = server.send(AcceptConnection(extensions=installed_extensions()))
    response = response.replace(b"x-demo-bzip2; level=9", answer)
    try:
        c2.receive_data(response)
        outcome = [type(e).__name__ for e in c2.events()]
    except RemoteProtocolError as exc:
        outcome = "refused: " + str(exc)
    failed[answer.decode()] = outcome

print(json.dumps({
    "negotiated": [e.name for e in accepted.extensions],
    "intact": received == data,
    "ratio": len(wire) / len(data),
    "declined": declined,
    "failed": failed,
}))
"""


@pytest.fixture(scope="module")
def guide_venv(wheelhouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Venv:
    base = tmp_path_factory.mktemp("guide")
    src = copy_project(EXAMPLE, base / "src", "wsproto_demo_bzip2")
    build_wheels(wheelhouse, [src])
    venv = Venv(base / "venv", wheelhouse)
    venv.install("wsproto", "wsproto-demo-bzip2")
    venv.uninstall("wsproto-deflate")  # the core's default plugin: these tests look at the guide's
    run([venv.python, "-m", "pip", "--disable-pip-version-check", "--quiet", "install",
         "pytest", "mypy"])  # fmt: skip
    return venv


def _env() -> Dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("WSPROTO_", "PYTHON"))}


def test_extensions_command_lists_it(guide_venv: Venv, tmp_path: Path) -> None:
    out = run([guide_venv.python, "-m", "wsproto", "extensions"], env=_env(), cwd=tmp_path)
    assert re.search(r"x-demo-bzip2\s+RSV3\s+wsproto-demo-bzip2 0\.1\.0", out), out
    assert "[loaded]" in out and "[failed]" not in out


def test_it_negotiates_and_refuses_hostile_parameters(guide_venv: Venv, tmp_path: Path) -> None:
    script = tmp_path / "probe.py"
    script.write_text(SCRIPT)
    result = json.loads(run([guide_venv.python, str(script)], env=_env(), cwd=tmp_path))
    assert result["negotiated"] == ["x-demo-bzip2"]
    assert result["intact"] is True and result["ratio"] < 0.1
    assert all(result["declined"].values()), result["declined"]
    for answer, outcome in result["failed"].items():
        assert (isinstance(outcome, list) and outcome[0] == "RejectConnection") or (
            isinstance(outcome, str) and outcome.startswith("refused")
        ), (answer, outcome)


def test_its_own_tests_pass_with_no_duplicate_warning(guide_venv: Venv, tmp_path: Path) -> None:
    shutil.copytree(EXAMPLE / "tests", tmp_path / "tests")
    out = run(
        [guide_venv.python, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "-W", "error::wsproto.plugins.PluginWarning", "tests"],
        env=_env(), cwd=tmp_path,
    )  # fmt: skip
    assert re.search(r"\b11 passed\b", out), out


@pytest.mark.parametrize(
    ("registered", "expected"),
    [
        # The plugin module itself: pluggy refuses to load the entry point a second time.
        ("plugin", "Plugin already registered under a different name"),
        # Another object with the same hook: two providers of one extension name.
        ("types.SimpleNamespace(wsproto_extensions=plugin.wsproto_extensions)",
         "'x-demo-bzip2' is provided by several plugins"),
    ],
)  # fmt: skip
def test_registering_the_installed_plugin_again_warns(
    guide_venv: Venv, tmp_path: Path, registered: str, expected: str
) -> None:
    # What the guide warns about: the entry point and a code registration both provide it.
    code = (
        "import types, warnings\n"
        "from wsproto import plugins\n"
        "from wsproto_demo_bzip2 import plugin\n"
        f"plugins.register({registered}, name='demo-bzip2-in-code')\n"
        "with warnings.catch_warnings(record=True) as caught:\n"
        "    warnings.simplefilter('always')\n"
        "    names = [e.name for e in plugins.installed_extensions()]\n"
        "print(names, [(w.category.__name__, str(w.message)) for w in caught])\n"
    )
    out = run([guide_venv.python, "-c", code], env=_env(), cwd=tmp_path)
    # The extension still works once (from the code registration), with one PluginWarning.
    assert out.startswith("['x-demo-bzip2'] [('PluginWarning', "), out
    assert out.count("PluginWarning") == 1 and expected in out, out


def test_mypy_strict_is_clean(guide_venv: Venv, tmp_path: Path) -> None:
    shutil.copytree(EXAMPLE / "wsproto_demo_bzip2", tmp_path / "wsproto_demo_bzip2")
    shutil.copytree(EXAMPLE / "tests", tmp_path / "tests")
    out = run(
        [guide_venv.python, "-m", "mypy", "--strict", "--cache-dir", os.devnull,
         "wsproto_demo_bzip2", "tests"],
        env=_env(), cwd=tmp_path,
    )  # fmt: skip
    assert "Success: no issues found in 4 source files" in out
