"""Shared setup for the core_extra tests: an open connection pair and a parameterless extension.

(tests/core/core_helpers.py has a similar ``handshake_pair``, but tests/core is not a package and
is only on sys.path when pytest collects it, so it cannot be imported from here reliably.)
"""

from __future__ import annotations

from typing import Any, Callable, List, Optional, Sequence, Tuple, Union

from wsproto import ConnectionType, WSConnection
from wsproto.events import AcceptConnection, Request
from wsproto.extensions import Extension
from wsproto.handshake import H11Handshake

Peer = Union[WSConnection, H11Handshake]


def complete_handshake(
    client: Peer,
    server: Peer,
    make_extensions: Optional[Callable[[], Sequence[Extension]]] = None,
) -> None:
    """Run the opening handshake between ``client`` and ``server``.

    ``make_extensions`` is called once per side, so each side gets its own instances.
    """

    def extensions() -> List[Extension]:
        return list(make_extensions()) if make_extensions else []

    server.receive_data(client.send(Request(host="h", target="/", extensions=extensions())))
    assert [type(e) for e in server.events()] == [Request]
    client.receive_data(server.send(AcceptConnection(extensions=extensions())))
    assert [type(e) for e in client.events()] == [AcceptConnection]


def open_pair(
    make_extensions: Optional[Callable[[], Sequence[Extension]]] = None,
    /,
    **server_options: Optional[int],
) -> Tuple[WSConnection, WSConnection]:
    """Return an open (client, server) pair; ``server_options`` (limits) go to the server only."""
    client = WSConnection(ConnectionType.CLIENT)
    server = WSConnection(ConnectionType.SERVER, **server_options)
    complete_handshake(client, server, make_extensions)
    return client, server


class ParameterlessExtension(Extension):
    """Base for test extensions negotiated with no parameters (offered, accepted and finalized
    as they are); subclasses add ``name``, ``fresh`` and the frame hooks they test."""

    def offer_params(self) -> Any:
        return {}

    def accept_params(self, params: Any) -> Any:
        return {}

    def finalize_params(self, params: Any) -> None:
        pass
