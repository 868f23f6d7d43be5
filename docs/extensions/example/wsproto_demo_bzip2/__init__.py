"""x-demo-bzip2: per-message bzip2 compression on RSV3, as a wsproto extension plugin."""

from .extension import DemoBzip2

__all__ = ["DemoBzip2"]
