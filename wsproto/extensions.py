"""The public extension module: the interface, and the registry's view of installed extensions.

:class:`Extension` is defined in :mod:`wsproto._extension` (the core imports it
from there); this module adds what 1.x offered here -- ``SUPPORTED_EXTENSIONS``
and ``PerMessageDeflate``, now provided by plugins -- and re-exports the 1.x
frame classes. Nothing in the core imports this module.
"""

from __future__ import annotations

import dis
import sys
from types import FrameType
from typing import TYPE_CHECKING, Any, Dict, Iterator, Mapping, Type

from ._extension import Extension, ExtensionParams
from ._faults import ExtensionError
from ._frame_types import CloseReason as CloseReason  # re-exported as in 1.x
from ._frame_types import Opcode as Opcode  # re-exported as in 1.x
from ._frame_types import RsvBits as RsvBits  # re-exported as in 1.x
from .frame_protocol import FrameDecoder as FrameDecoder  # re-exported as in 1.x
from .frame_protocol import FrameProtocol as FrameProtocol  # re-exported as in 1.x

__all__ = ["SUPPORTED_EXTENSIONS", "Extension", "ExtensionError", "ExtensionParams"]


class _SupportedExtensions(Mapping[str, Type[Extension]]):
    """A read-only, live view of the registry: extension name -> class.

    Reading it loads the plugins on first use (never at import). To add or
    remove extensions, use :func:`wsproto.plugins.register` and
    :func:`wsproto.plugins.unregister`.
    """

    __slots__ = ()

    @staticmethod
    def _table() -> Dict[str, Any]:
        from ._registry import registry  # deferred: importing wsproto must not load pluggy

        return registry().table()

    def __getitem__(self, name: str) -> Type[Extension]:
        return self._table()[name.lower() if isinstance(name, str) else name].cls  # type: ignore[no-any-return]

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._table()))

    def __len__(self) -> int:
        return len(self._table())

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._table()

    def copy(self) -> Dict[str, Type[Extension]]:
        """A plain dict snapshot (upstream's SUPPORTED_EXTENSIONS was a dict)."""
        return dict(self.items())

    def __setitem__(self, name: str, value: Any) -> None:
        raise TypeError(
            "SUPPORTED_EXTENSIONS is read-only: register a plugin with "
            "wsproto.plugins.register() (see the 'Writing an extension plugin' docs)"
        )

    def __delitem__(self, name: str) -> None:
        self.__setitem__(name, None)

    def __repr__(self) -> str:
        return f"SUPPORTED_EXTENSIONS({dict(self.items())!r})"


#: Maps every supported extension name to its class: a read-only live view of
#: the plugin registry (plugins load when it is first read).
SUPPORTED_EXTENSIONS: Mapping[str, Type[Extension]] = _SupportedExtensions()

#: Names this module resolves through the registry: attribute -> (extension, distribution).
_LAZY_CLASSES = {"PerMessageDeflate": ("permessage-deflate", "wsproto-deflate")}

if TYPE_CHECKING:
    # Type checkers see the plugin's class itself (precise, and typos are errors);
    # at run time the module __getattr__ below resolves it through the registry, so
    # importing wsproto never imports the plugin.
    from wsproto_deflate import PerMessageDeflate as PerMessageDeflate
else:

    def __getattr__(name: str) -> Any:
        if name not in _LAZY_CLASSES:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        extension, dist = _LAZY_CLASSES[name]
        if extension in SUPPORTED_EXTENSIONS:
            return SUPPORTED_EXTENSIONS[extension]
        message = _missing_plugin_message(name, extension, dist)
        if _from_import(sys._getframe(1)):
            raise ImportError(message, name=__name__)
        # hasattr() and getattr(module, name, default) expect AttributeError.
        raise AttributeError(message)


_IMPORT_FROM = dis.opmap["IMPORT_FROM"]


def _from_import(frame: FrameType) -> bool:
    """Whether ``frame`` is executing ``from wsproto.extensions import ...``.

    That statement turns an AttributeError into a bare "cannot import name" ImportError,
    losing the advice; every other access (hasattr, getattr with a default) needs an
    AttributeError. So the advice goes out as an ImportError only to a from-import.
    """
    code = frame.f_code.co_code
    return 0 <= frame.f_lasti < len(code) and code[frame.f_lasti] == _IMPORT_FROM


def _missing_plugin_message(name: str, extension: str, dist: str) -> str:
    from ._registry import registry

    settings = registry().settings
    why = "is not installed"
    if not settings.autoload:
        why = "is not registered, and autoloading is off (WSPROTO_DISABLE_PLUGIN_AUTOLOAD)"
    elif settings.blocked([extension, dist]):
        why = f"is excluded: {settings.blocked([extension, dist])}"
    return (
        f"{name} ({extension}) is provided by the {dist} plugin distribution, which {why}: "
        f"pip install {dist} (or pip install 'wsproto[deflate]'; from a clone of wsproto, "
        "pip install CLONE CLONE/wsproto_deflate in one command), then check with "
        "python -m wsproto extensions"
    )
