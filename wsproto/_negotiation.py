"""The extension negotiation engine: offers, responses, RSV-bit ownership, order.

Rules implemented here (RFC 6455 section 9.1, RFC 7692 section 5):

====================================  =========================================
client offers                          each extension's ``offer_params()``, in
                                       the order the application listed them
server picks                           for each extension name, in the order of
                                       the client's offers, the *first* offer
                                       the extension accepts (later ones for
                                       the same name are alternatives)
malformed offer element (server)       that element is declined, others go on
``accept_params`` raises (server)      ValueError: that offer is declined; any
                                       other exception or an unusable result:
                                       declined too, and logged as a fault
two extensions want the same RSV bit   the server declines the later one; a
                                       client fails the handshake
response names an extension not        the client fails the handshake
offered, or names one twice
response order                         is the pipeline order (section 9.1)
====================================  =========================================
"""

from __future__ import annotations

from typing import Dict, Iterable, List, Optional, Sequence, Tuple, Union

from ._extension import Extension
from ._faults import negotiation_fault
from ._frame_types import rsv_mask
from ._headers import (
    ExtensionOffer,
    HeaderSyntaxError,
    format_extension,
    parse_element,
    split_elements,
)
from .utilities import RemoteProtocolError

__all__ = [
    "bind_extensions",
    "client_offers",
    "negotiate_client",
    "negotiate_server",
    "parse_offers",
]


def _mark_negotiated(ext: Extension) -> None:
    try:
        ext._wsproto_negotiated = True  # type: ignore[attr-defined]
    except AttributeError:  # pragma: no cover - an extension with __slots__
        pass


def bind_extensions(
    extensions: Iterable[Extension], owner: object, handed_over_by: object = None
) -> List[Extension]:
    """Give each extension instance to one owner (a connection or handshake).

    An instance already bound to another owner is replaced by ``fresh()``,
    so one configured object can serve many connections without sharing
    compression state (upstream wsproto corrupted streams here). Instances
    bound to ``handed_over_by`` (the handshake that negotiated them) move to
    ``owner``.
    """
    bound = []
    for ext in extensions:
        current = getattr(ext, "_wsproto_owner", None)
        if current is not None and current is not owner and current is not handed_over_by:
            ext = ext.fresh()
        try:
            ext._wsproto_owner = owner  # type: ignore[attr-defined]
        except AttributeError:  # pragma: no cover - an extension with __slots__
            pass
        bound.append(ext)
    return bound


def client_offers(extensions: Sequence[Extension]) -> Optional[str]:
    """Return the Sec-WebSocket-Extensions request value, or None when nothing is offered."""
    parts = []
    for ext in extensions:
        params = ext.offer_params()
        if params is not None:
            parts.append(format_extension(ext.name, params))
    return ", ".join(parts) if parts else None


def parse_offers(requested: Iterable[Union[str, ExtensionOffer]]) -> List[ExtensionOffer]:
    """Parse offers leniently: malformed elements are dropped (the server declines them)."""
    offers = []
    for item in requested:
        if isinstance(item, ExtensionOffer):
            offers.append(item)
            continue
        try:
            elements = split_elements([item])
        except HeaderSyntaxError:
            continue
        for element in elements:
            try:
                offers.append(parse_element(element))
            except HeaderSyntaxError:
                continue  # a malformed offer is declined; the others still count
    return offers


def negotiate_server(
    requested: Iterable[Union[str, ExtensionOffer]], supported: Sequence[Extension]
) -> Tuple[List[Extension], Optional[str]]:
    """Choose the extensions to accept; return them (response order) and the response value."""
    offers = parse_offers(requested)
    by_name: Dict[str, Extension] = {}
    for ext in supported:
        by_name.setdefault(ext.name.lower(), ext)
    accepted: List[Extension] = []
    response: List[str] = []
    claimed = 0
    done = set()
    for offer in offers:
        found = by_name.get(offer.name)
        if found is None or offer.name in done:
            continue
        ext = found
        bits = rsv_mask(ext.rsv_bits)
        if bits & claimed:
            done.add(offer.name)  # another accepted extension owns these bits: decline
            continue
        try:
            params = ext.accept_params(dict(offer.params))
            element = format_extension(ext.name, params) if params is not None else ""
        except ValueError:
            params = None
        except Exception as exc:
            # The offer's parameters come from the peer: an extension bug they trigger must
            # not escape send(AcceptConnection). Declined, and reported like a frame fault.
            negotiation_fault(ext, "accept_params", exc)
            params = None
        if params is None:
            continue  # try this extension's next offer
        done.add(offer.name)
        claimed |= bits
        _mark_negotiated(ext)
        accepted.append(ext)
        response.append(element)
    return accepted, (", ".join(response) if response else None)


def negotiate_client(
    response_values: Iterable[Union[bytes, str]], offered: Sequence[Extension]
) -> List[Extension]:
    """Apply the server's Sec-WebSocket-Extensions response; return extensions in its order.

    Raises RemoteProtocolError when the response is malformed, names an
    extension that was not offered or names one twice, makes two
    extensions share an RSV bit, or is refused by the extension.
    """
    try:
        elements = split_elements(response_values)
        responses = [parse_element(e) for e in elements]
    except HeaderSyntaxError as exc:
        raise RemoteProtocolError(f"malformed Sec-WebSocket-Extensions response: {exc}") from None
    by_name: Dict[str, Extension] = {}
    for offered_ext in offered:
        by_name.setdefault(offered_ext.name.lower(), offered_ext)
    result: List[Extension] = []
    claimed = 0
    for item in responses:
        found = by_name.get(item.name)
        if found is None:
            raise RemoteProtocolError(
                f"server accepted extension {item.name!r}, which was not offered"
            )
        ext = found
        if ext in result:
            raise RemoteProtocolError(f"server accepted extension {item.name!r} twice")
        bits = rsv_mask(ext.rsv_bits)
        if bits & claimed:
            raise RemoteProtocolError(
                f"server accepted extension {item.name!r}, whose RSV bits another accepted "
                "extension already uses"
            )
        claimed |= bits
        try:
            ext.finalize_params(dict(item.params))
        except (ValueError, LookupError, TypeError) as exc:
            raise RemoteProtocolError(
                f"server's response for extension {item.name!r} is unacceptable: {exc}"
            ) from None
        _mark_negotiated(ext)
        result.append(ext)
    return result
