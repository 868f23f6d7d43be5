"""Chooses the deflate implementation: zlib-ng when installed, else the stdlib's zlib.

Both speak the same raw-deflate format, so either end may use either one.
The environment variable ``WSPROTO_DEFLATE_BACKEND`` (``zlib`` or
``zlib-ng``) overrides the automatic choice; so does the ``backend``
argument of :class:`~wsproto_deflate.PerMessageDeflate`.
"""

from __future__ import annotations

import importlib
import os
import zlib
from typing import Any, Callable, NamedTuple, Optional, Type

__all__ = ["Backend", "available_backends", "get_backend"]

#: The environment variable that forces a backend.
ENV_VAR = "WSPROTO_DEFLATE_BACKEND"


class Backend(NamedTuple):
    """The functions of one zlib-compatible module that the codec uses."""

    name: str
    compressobj: Callable[..., Any]
    decompressobj: Callable[..., Any]
    error: Type[Exception]


STDLIB = Backend("zlib", zlib.compressobj, zlib.decompressobj, zlib.error)
_zlib_ng: Optional[Backend] = None
_zlib_ng_missing = False


def _load_zlib_ng() -> Optional[Backend]:
    global _zlib_ng, _zlib_ng_missing
    if _zlib_ng is None and not _zlib_ng_missing:
        try:
            module = importlib.import_module("zlib_ng.zlib_ng")
        except ImportError:
            _zlib_ng_missing = True
            return None
        _zlib_ng = Backend("zlib-ng", module.compressobj, module.decompressobj, module.error)
    return _zlib_ng


def available_backends() -> list[str]:
    """Names of the backends that can be used here."""
    return ["zlib"] + (["zlib-ng"] if _load_zlib_ng() is not None else [])


def get_backend(name: Optional[str] = None, prefer_zlib_ng: bool = True) -> Backend:
    """Return the backend called ``name``; None picks the environment variable's choice,
    else zlib-ng if installed and preferred, else zlib."""
    if name is None:
        name = os.environ.get(ENV_VAR) or None
    if name is None:
        return (_load_zlib_ng() if prefer_zlib_ng else None) or STDLIB
    if name == "zlib":
        return STDLIB
    if name == "zlib-ng":
        found = _load_zlib_ng()
        if found is None:
            raise ValueError(
                "the zlib-ng backend needs the zlib-ng package: "
                "pip install 'wsproto-deflate[zlib-ng]'"
            )
        return found
    raise ValueError(f"unknown deflate backend {name!r}: use 'zlib' or 'zlib-ng'")
