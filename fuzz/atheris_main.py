"""Run one fuzz target under atheris: ``python fuzz/atheris_main.py TARGET [libFuzzer args]``.

``fuzz/run.py`` is the usual way in; this file is what it starts per target.
"""

from __future__ import annotations

import sys
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parent))

with atheris.instrument_imports(include=["wsproto", "wsproto_deflate", "h11", "fuzz_targets"]):
    import fuzz_targets


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in fuzz_targets.TARGETS:
        names = ", ".join(sorted(fuzz_targets.TARGETS))
        sys.exit(f"usage: atheris_main.py TARGET [libFuzzer args]; targets: {names}")
    target = fuzz_targets.TARGETS[sys.argv.pop(1)]
    atheris.Setup(sys.argv, target)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
