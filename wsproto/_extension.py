"""The extension interface: the base class every WebSocket extension implements.

An extension negotiates in the opening handshake (``offer`` on the client,
``accept`` on the server, ``finalize`` on the client once the server
answered) and then transforms every data frame, inbound and outbound.

Negotiation hooks come in two forms that call each other by default:

* the upstream 1.x string form: ``offer()``, ``accept(offer)``, ``finalize(offer)``;
* the parsed form: ``offer_params()``, ``accept_params(params)``,
  ``finalize_params(params)``, where the core already parsed the header with
  the RFC 6455 section 9.1 grammar.

Override whichever you prefer.
"""

from __future__ import annotations

from typing import Any, Optional, Tuple, Union

from ._frame_types import CloseReason, Opcode, RsvBits
from ._headers import ExtensionParams, format_params, parse_element, parse_params
from .utilities import LocalProtocolError

__all__ = ["Extension", "ExtensionParams"]


class Extension:
    """Base class of WebSocket extensions.

    Subclasses set :attr:`name` and :attr:`rsv_bits`, implement negotiation
    and the frame hooks they need. A configured instance may be given to many
    connections: each connection after the first works on :meth:`fresh`.
    """

    __module__ = "wsproto.extensions"  # its public home, for docs, reprs and pickles

    #: The registered extension token, e.g. ``"permessage-deflate"``.
    name: str = ""
    #: The reserved bits this extension uses in frame headers.
    rsv_bits: RsvBits = RsvBits(False, False, False)
    #: True while inbound output is held back: the core then calls
    #: :meth:`frame_inbound_payload_data` with ``b""`` to get the next part.
    inbound_pending: bool = False

    # -- per-connection instances --------------------------------------------

    def fresh(self) -> Extension:
        """Return a new, unnegotiated instance with the same configuration.

        The default raises :class:`LocalProtocolError`; extensions that keep
        per-connection state should implement it.
        """
        raise LocalProtocolError(
            f"extension {self.name!r} ({type(self).__name__}) is already in use by another "
            "connection and does not implement fresh(): pass a new instance per connection"
        )

    # -- negotiation, string form (upstream 1.x) -----------------------------

    def enabled(self) -> bool:
        """Return True if the extension was negotiated for this connection."""
        return bool(getattr(self, "_wsproto_negotiated", False))

    def offer(self) -> Union[bool, str, None]:
        """Client: return the parameters to offer (a string), True for none, or None/False."""
        if _overrides(self, "offer_params"):
            params = self.offer_params()
            if params is None:
                return None
            return format_params(params) or True
        return None

    def accept(self, offer: str) -> Union[bool, str, None]:
        """Server: given a client offer (``"name; params"``), return the response
        parameters (a string), True for none, or None/False to decline."""
        if _overrides(self, "accept_params"):
            try:
                params = parse_element(offer).params
            except ValueError:
                return None
            result = self.accept_params(params)
            if result is None:
                return None
            return format_params(result) or True
        return None

    def finalize(self, offer: str) -> None:
        """Client: apply the server's response (``"name; params"``); raise to refuse it."""
        if _overrides(self, "finalize_params"):
            self.finalize_params(parse_element(offer).params)

    # -- negotiation, parsed form (2.x) ---------------------------------------

    def offer_params(self) -> Optional[ExtensionParams]:
        """Client: return the parameters to offer, or None to offer nothing."""
        result = self.offer()
        if result is None or result is False:
            return None
        if result is True:
            return {}
        return parse_params(str(result))

    def accept_params(self, params: ExtensionParams) -> Optional[ExtensionParams]:
        """Server: return the response parameters for an offer, or None to decline it."""
        result = self.accept(_element(self.name, params))
        if result is None or result is False:
            return None
        if result is True:
            return {}
        return parse_params(str(result))

    def finalize_params(self, params: ExtensionParams) -> None:
        """Client: apply the server's response parameters; raise ValueError to refuse them."""
        self.finalize(_element(self.name, params))

    # -- frame hooks (upstream 1.x signatures) -------------------------------
    #
    # The run-time contract (enforced on every call, see docs/security.rst): a hook that
    # raises, returns anything outside the types listed in its docstring, or sets/clears an
    # RSV bit this extension does not own is a *fault*. Inbound, the connection fails with
    # CloseConnection(1011) and the fault is logged on the "wsproto.extensions" logger;
    # outbound, send() raises ExtensionError and emits nothing. Either way this connection's
    # extensions are not called again. Owned bits: those in rsv_bits; an extension that
    # declares none owns the bits no other negotiated extension declared.

    def frame_inbound_header(
        self, proto: Any, opcode: Opcode, rsv: RsvBits, payload_length: int
    ) -> Union[CloseReason, RsvBits]:
        """See an inbound data frame header (never a control frame).

        Return the RSV bits this extension accepts on this frame: an
        :class:`RsvBits` (or a tuple of exactly three ``bool``), naming only
        bits it owns; a set bit that no extension accepts fails the connection
        with 1002. Or return a close code (:class:`CloseReason` or an ``int``
        that may be sent: 1000-1003, 1007-1013, 3000-4999) to fail the
        connection with it.
        """
        return RsvBits(False, False, False)

    def frame_inbound_payload_data(self, proto: Any, data: bytes) -> Union[bytes, CloseReason]:
        """Transform a chunk of inbound payload (``b""`` asks for pending output).

        Return ``bytes`` (``bytearray`` and ``memoryview`` are copied to bytes;
        no other type is converted: ``True`` or an ``str`` is a fault), or a
        close code as for :meth:`frame_inbound_header`. Return at most a
        bounded amount per call and set :attr:`inbound_pending` while more is
        held; staying pending while returning nothing for 64 calls in a row is
        a fault.
        """
        return data

    def frame_inbound_complete(self, proto: Any, fin: bool) -> Union[bytes, CloseReason, None]:
        """The inbound frame ended (``fin``: the message too).

        Return ``None`` or ``bytes`` (final output, passed through the later
        extensions), or a close code as for :meth:`frame_inbound_header`.
        """
        return None

    def frame_outbound(
        self, proto: Any, opcode: Opcode, rsv: RsvBits, data: bytes, fin: bool
    ) -> Tuple[RsvBits, bytes]:
        """Transform an outbound data frame (never a control frame).

        Return a ``tuple`` ``(rsv, payload)``: ``rsv`` an :class:`RsvBits` (or
        a tuple of exactly three ``bool``) that differs from the ``rsv``
        received only in bits this extension owns; ``payload`` ``bytes``
        (``bytearray`` and ``memoryview`` are copied). To refuse, raise: the
        application gets :class:`ExtensionError` from ``send()``.
        """
        return (rsv, data)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}>"


def _overrides(ext: Extension, method: str) -> bool:
    return getattr(type(ext), method) is not getattr(Extension, method)


def _element(name: str, params: ExtensionParams) -> str:
    text = format_params(params)
    return f"{name}; {text}" if text else name


