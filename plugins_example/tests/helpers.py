"""Drive a client and a server WSConnection in memory (no sockets)."""

from __future__ import annotations

from typing import List, Sequence, Tuple

from wsproto import ConnectionType, WSConnection
from wsproto.events import AcceptConnection, Event, Request
from wsproto.extensions import Extension

__all__ = ["connect", "events", "transfer"]


def events(conn: WSConnection) -> List[Event]:
    """All pending events of ``conn``."""
    return list(conn.events())


def connect(
    client_exts: Sequence[Extension], server_exts: Sequence[Extension]
) -> Tuple[WSConnection, WSConnection, AcceptConnection]:
    """Open a connection; return (client, server, the client's AcceptConnection)."""
    client = WSConnection(ConnectionType.CLIENT)
    server = WSConnection(ConnectionType.SERVER)
    server.receive_data(client.send(Request(host="example", target="/", extensions=client_exts)))
    request = events(server)
    assert isinstance(request[0], Request), request
    client.receive_data(server.send(AcceptConnection(extensions=list(server_exts))))
    accepted = events(client)
    assert isinstance(accepted[0], AcceptConnection), accepted
    return client, server, accepted[0]


def transfer(sender: WSConnection, receiver: WSConnection, event: Event) -> List[Event]:
    """Send ``event`` from ``sender``; return what ``receiver`` gets."""
    receiver.receive_data(sender.send(event))
    return events(receiver)
