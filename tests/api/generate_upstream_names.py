"""Write ``upstream_1_3_2_names.json``: the public module-level names of wsproto 1.3.2.

Run ``python tests/api/generate_upstream_names.py`` to regenerate it. It downloads
the 1.3.2 sdist from the package index and reads each module's source with
:mod:`ast`, so nothing of upstream is imported or copied. A name counts when the
module binds it at top level without a leading underscore: classes, functions,
assignments, and names imported from other wsproto modules (re-exports). Names
imported from the standard library or third parties (``h11``, ``deque``, ``zlib``)
and names bound only under ``if TYPE_CHECKING:`` are not part of the API.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Dict, Iterator, List

VERSION = "1.3.2"
OUT = Path(__file__).with_name("upstream_1_3_2_names.json")


def _bound_names(node: ast.stmt) -> Iterator[str]:
    if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
        yield node.name
    elif isinstance(node, ast.Assign):
        for target in node.targets:
            for sub in ast.walk(target):
                if isinstance(sub, ast.Name):
                    yield sub.id
    elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        yield node.target.id
    elif isinstance(node, ast.ImportFrom) and node.level > 0:  # from .x import y: a re-export
        for alias in node.names:
            yield alias.asname or alias.name


def public_names(source: str) -> List[str]:
    """The public top-level names a module's source binds (see the module docstring)."""
    names = set()
    for node in ast.parse(source).body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        names.update(n for n in _bound_names(node) if not n.startswith("_"))
    return sorted(names)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary",
             ":all:", f"wsproto=={VERSION}", "-d", tmp],
            check=True,
        )  # fmt: skip
        (sdist,) = Path(tmp).glob("wsproto-*.tar.gz")
        result: Dict[str, List[str]] = {}
        with tarfile.open(sdist) as archive:
            for member in sorted(archive.getmembers(), key=lambda m: m.name):
                path = Path(member.name)
                if path.suffix != ".py" or "src/wsproto" not in member.name:
                    continue
                module = "wsproto" if path.stem == "__init__" else f"wsproto.{path.stem}"
                source = archive.extractfile(member).read().decode("utf-8")  # type: ignore[union-attr]
                result[module] = public_names(source)
    OUT.write_text(json.dumps(result, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {OUT} ({sum(map(len, result.values()))} names in {len(result)} modules)")


if __name__ == "__main__":
    main()
