"""``python -m wsproto``: the command-line tool (see ``python -m wsproto --help``)."""

from __future__ import annotations

import sys

from ._cli.app import main

__all__ = ["main"]

if __name__ == "__main__":
    sys.exit(main())
