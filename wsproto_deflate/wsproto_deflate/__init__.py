"""RFC 7692 permessage-deflate for wsproto 2.x, as an extension plugin.

Installing this distribution registers :class:`PerMessageDeflate` with
wsproto (entry-point group ``wsproto.extensions``); ``from
wsproto.extensions import PerMessageDeflate`` then finds it.
"""

from __future__ import annotations

from ._backend import available_backends
from ._params import Agreement, NegotiationError
from .extension import PerMessageDeflate

__all__ = [
    "Agreement",
    "NegotiationError",
    "PerMessageDeflate",
    "__version__",
    "available_backends",
]

__version__ = "2.0.0"
