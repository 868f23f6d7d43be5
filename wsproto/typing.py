"""Type aliases shared by the public API (kept for upstream 1.x compatibility)."""

from typing import List, Tuple

#: HTTP headers as (name, value) byte pairs.
Headers = List[Tuple[bytes, bytes]]

__all__ = ["Headers"]
