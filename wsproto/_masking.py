"""XOR masking of frame payloads (RFC 6455 section 5.3), and client masking keys.

``mask(data, key)`` is the one entry point. It uses the optional C
accelerator ``wsproto._speedups`` when it was built and
``WSPROTO_PURE_PYTHON`` is not set, and a pure-Python fallback otherwise.
"""

from __future__ import annotations

import os
from typing import Any, Callable, Dict

__all__ = ["ACCELERATED", "mask", "next_mask_key", "python_mask"]


# Below this size one big-integer XOR is fastest; above it, four translate() passes win.
_TRANSLATE_THRESHOLD = 512
_xor_tables: Dict[int, bytes] = {}


def _xor_table(k: int) -> bytes:
    table = _xor_tables.get(k)
    if table is None:
        table = _xor_tables[k] = bytes(b ^ k for b in range(256))
    return table


def python_mask(data: Any, key: Any) -> bytes:
    """XOR ``data`` (bytes-like) with the 4-byte ``key`` repeated; pure Python."""
    n = len(data)
    if n < _TRANSLATE_THRESHOLD:
        if not n:
            return b""
        # One big-integer XOR does the whole payload in C: far faster than a byte loop.
        repeated = key * ((n >> 2) + 1)
        value = int.from_bytes(data, "little") ^ int.from_bytes(repeated[:n], "little")
        return value.to_bytes(n, "little")
    buf = bytearray(data)
    # Every 4th byte shares a key byte: XOR each stride at C speed with a translation table.
    for i in range(4):
        buf[i::4] = buf[i::4].translate(_xor_table(key[i]))
    return bytes(buf)


def _load_accelerated() -> Callable[[Any, Any], bytes] | None:
    if os.environ.get("WSPROTO_PURE_PYTHON"):
        return None
    try:
        from ._speedups import mask as c_mask  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return None
    return c_mask  # type: ignore[no-any-return,unused-ignore]


_accelerated = _load_accelerated()
#: True when the C accelerator is in use.
ACCELERATED: bool = _accelerated is not None
mask: Callable[[Any, Any], bytes] = _accelerated or python_mask


_POOL_SIZE = 4096
_pool = b""
_pool_pos = 0


def next_mask_key() -> bytes:
    """Return an unpredictable 4-byte client masking key.

    Keys come from one process-wide ``os.urandom`` pool, refilled every 1024
    keys and dropped in a forked child, so that parent and child never share keys.
    """
    global _pool, _pool_pos
    pos = _pool_pos
    if pos >= len(_pool):
        _pool = os.urandom(_POOL_SIZE)
        pos = 0
    _pool_pos = pos + 4
    return _pool[pos : pos + 4]


def _forget_pool() -> None:
    global _pool, _pool_pos
    _pool, _pool_pos = b"", 0


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool)
