"""Example wsproto extension plugins, written as a template for third-party authors.

* :class:`PerMessageBzip2` (``permessage-bzip2``, RSV2) coexists with
  permessage-deflate;
* :class:`PerMessageLzma` (``permessage-lzma``, RSV1) competes with it for RSV1.

Installing the distribution is enough: ``wsproto.plugins.installed_extensions()``
then includes both.
"""

from __future__ import annotations

from .bzip2 import PerMessageBzip2
from .lzma_ext import PerMessageLzma

__all__ = ["PerMessageBzip2", "PerMessageLzma"]
__version__ = "2.0.0"
