"""permessage-deflate negotiation: offers, responses and what they agree on (RFC 7692 section 7).

======================================  ==============================================
rule                                    implemented as
======================================  ==============================================
7.1   unknown parameter, a parameter    server: decline that offer (the next offer of
      twice, invalid value              the header gets its turn); client: fail
                                        (``NegotiationError``, a ``ValueError`` that
                                        the core turns into ``RemoteProtocolError``)
7.1.1.1 server_no_context_takeover      has no value; a server accepts it by
                                        echoing it and MAY add it unasked; a client
                                        that offered it requires it in the response
7.1.1.2 client_no_context_takeover      has no value; a server MAY add it (and
                                        echoes it when offered)
7.1.2.1 server_max_window_bits          8..15 without leading zeros, always with a
                                        value; the response carries the same or a
                                        smaller value; a client that offered it
                                        requires it in the response
7.1.2.2 client_max_window_bits          in an offer, bare or 8..15; the response
                                        carries it only if it was offered, with a
                                        value no larger than the offered one
window of 8 bits                        zlib cannot compress with it: compress with 9
                                        and inflate with at least 9 (see codec)
default client offer                    ``client_max_window_bits=15`` (as 1.3.2);
                                        ``server_max_window_bits`` only below 15,
                                        the takeover flags only when configured
======================================  ==============================================
"""

from __future__ import annotations

from typing import Dict, NamedTuple, Optional

__all__ = [
    "Agreement",
    "NegotiationError",
    "Settings",
    "client_agreement",
    "client_offer",
    "server_response",
]

Params = Dict[str, Optional[str]]

CLIENT_NO_CONTEXT_TAKEOVER = "client_no_context_takeover"
SERVER_NO_CONTEXT_TAKEOVER = "server_no_context_takeover"
CLIENT_MAX_WINDOW_BITS = "client_max_window_bits"
SERVER_MAX_WINDOW_BITS = "server_max_window_bits"
_KNOWN = (
    CLIENT_NO_CONTEXT_TAKEOVER,
    SERVER_NO_CONTEXT_TAKEOVER,
    CLIENT_MAX_WINDOW_BITS,
    SERVER_MAX_WINDOW_BITS,
)
#: The only valid spellings of a window size (RFC 7692 section 7.1.2: no leading zeros).
_WINDOW_VALUES = {str(bits): bits for bits in range(8, 16)}


class NegotiationError(ValueError):
    """A permessage-deflate offer or response breaks RFC 7692 section 7."""


class Settings(NamedTuple):
    """What one end was configured with (upstream's four parameters; 15: no limit)."""

    client_no_context_takeover: bool = False
    client_max_window_bits: int = 15
    server_no_context_takeover: bool = False
    server_max_window_bits: int = 15


class Agreement(NamedTuple):
    """The negotiated parameters, as both ends understand them."""

    client_no_context_takeover: bool = False
    client_max_window_bits: int = 15
    server_no_context_takeover: bool = False
    server_max_window_bits: int = 15


def check_window_bits(name: str, bits: Optional[int]) -> None:
    """Validate a configured window size (raise ValueError for anything but None or 8..15)."""
    if bits is not None and (type(bits) is not int or not 8 <= bits <= 15):
        raise ValueError(f"{name} must be an int from 8 to 15 or None, not {bits!r}")


def _window(name: str, value: Optional[str]) -> int:
    if value is None:
        raise NegotiationError(f"{name} needs a value from 8 to 15")
    bits = _WINDOW_VALUES.get(value)
    if bits is None:
        raise NegotiationError(f"{name}={value!r} is not a window size from 8 to 15")
    return bits


def _check_names(params: Params) -> None:
    for name, value in params.items():
        if name not in _KNOWN:
            raise NegotiationError(f"unknown permessage-deflate parameter {name!r}")
        if name.endswith("_no_context_takeover") and value is not None:
            raise NegotiationError(f"{name} takes no value (got {value!r})")


def client_offer(settings: Settings) -> Params:
    """The parameters a client offers: ``client_max_window_bits`` with its value always,
    ``server_max_window_bits`` when below 15 (some servers decline an offer that carries
    it), the takeover flags when configured."""
    params: Params = {CLIENT_MAX_WINDOW_BITS: str(settings.client_max_window_bits)}
    if settings.server_max_window_bits < 15:
        params[SERVER_MAX_WINDOW_BITS] = str(settings.server_max_window_bits)
    if settings.client_no_context_takeover:
        params[CLIENT_NO_CONTEXT_TAKEOVER] = None
    if settings.server_no_context_takeover:
        params[SERVER_NO_CONTEXT_TAKEOVER] = None
    return params


def server_response(
    offer: Params,
    settings: Settings,
    client_window_limit: Optional[int] = None,
    reset_unasked: bool = False,
) -> tuple[Params, Agreement]:
    """Answer one offer the way 1.3.2 did, within RFC 7692: return the response and the
    agreement.

    A value offered for a window is echoed; a bare ``client_max_window_bits`` is
    answered with the configured value. ``client_window_limit`` (a local choice) caps
    the answered ``client_max_window_bits``; ``reset_unasked`` adds
    ``server_no_context_takeover`` (section 7.1.1.1). Raises NegotiationError when the
    offer must be declined.
    """
    _check_names(offer)
    client_bits: Optional[int] = None
    if CLIENT_MAX_WINDOW_BITS in offer:
        value = offer[CLIENT_MAX_WINDOW_BITS]
        if value is None:
            client_bits = settings.client_max_window_bits
        else:
            client_bits = _window(CLIENT_MAX_WINDOW_BITS, value)
        if client_window_limit is not None:
            client_bits = min(client_bits, client_window_limit)
    server_bits: Optional[int] = None
    if SERVER_MAX_WINDOW_BITS in offer:
        server_bits = _window(SERVER_MAX_WINDOW_BITS, offer[SERVER_MAX_WINDOW_BITS])
    client_reset = CLIENT_NO_CONTEXT_TAKEOVER in offer or settings.client_no_context_takeover
    server_reset = (
        SERVER_NO_CONTEXT_TAKEOVER in offer or settings.server_no_context_takeover or reset_unasked
    )
    response: Params = {}
    if client_reset:
        response[CLIENT_NO_CONTEXT_TAKEOVER] = None
    if server_reset:
        response[SERVER_NO_CONTEXT_TAKEOVER] = None
    if client_bits is not None:
        response[CLIENT_MAX_WINDOW_BITS] = str(client_bits)
    if server_bits is not None:
        response[SERVER_MAX_WINDOW_BITS] = str(server_bits)
    agreement = Agreement(
        client_no_context_takeover=client_reset,
        client_max_window_bits=15 if client_bits is None else client_bits,
        server_no_context_takeover=server_reset,
        server_max_window_bits=15 if server_bits is None else server_bits,
    )
    return response, agreement


def client_agreement(response: Params, settings: Settings) -> Agreement:
    """Check a server's response against what this client offered; return the agreement.

    Raises NegotiationError for a response that is malformed or inconsistent
    with the offer.
    """
    _check_names(response)
    client_bits = 15
    if CLIENT_MAX_WINDOW_BITS in response:
        client_bits = _window(CLIENT_MAX_WINDOW_BITS, response[CLIENT_MAX_WINDOW_BITS])
        offered = settings.client_max_window_bits
        if client_bits > offered:
            raise NegotiationError(
                f"server answered client_max_window_bits={client_bits}, larger than the "
                f"offered {offered}"
            )
    server_bits = 15
    if SERVER_MAX_WINDOW_BITS in response:
        server_bits = _window(SERVER_MAX_WINDOW_BITS, response[SERVER_MAX_WINDOW_BITS])
        offered = settings.server_max_window_bits
        if server_bits > offered:
            raise NegotiationError(
                f"server answered server_max_window_bits={server_bits}, larger than the "
                f"offered {offered}"
            )
    elif settings.server_max_window_bits < 15:
        raise NegotiationError(
            "server accepted permessage-deflate without the offered server_max_window_bits"
        )
    server_reset = SERVER_NO_CONTEXT_TAKEOVER in response
    if settings.server_no_context_takeover and not server_reset:
        raise NegotiationError(
            "server accepted permessage-deflate without the offered server_no_context_takeover"
        )
    client_reset = CLIENT_NO_CONTEXT_TAKEOVER in response or settings.client_no_context_takeover
    return Agreement(
        client_no_context_takeover=client_reset,
        client_max_window_bits=client_bits,
        server_no_context_takeover=server_reset,
        server_max_window_bits=server_bits,
    )
