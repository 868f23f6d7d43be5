"""In-process tests of x-demo-bzip2: a client and a server in memory, no sockets."""

from __future__ import annotations

from typing import Iterator, List, Tuple

import pytest

from wsproto import ConnectionType, WSConnection, plugins
from wsproto.events import AcceptConnection, BytesMessage, Request
from wsproto.extensions import Extension
from wsproto_demo_bzip2 import DemoBzip2, plugin


@pytest.fixture(autouse=True)
def registered() -> Iterator[None]:
    # Once the distribution is installed, its entry point provides x-demo-bzip2 too:
    # registering it in code as well would make two providers of one name (a
    # PluginWarning). With autoload off, the code registration is the only one.
    plugins.configure(autoload=False)
    plugins.register(plugin, name="demo-bzip2")
    yield
    plugins.reset_plugins()


def handshake(
    client_exts: List[Extension], server_exts: List[Extension]
) -> Tuple[WSConnection, WSConnection, List[str]]:
    client = WSConnection(ConnectionType.CLIENT)
    server = WSConnection(ConnectionType.SERVER)
    server.receive_data(client.send(Request(host="example", target="/", extensions=client_exts)))
    list(server.events())
    client.receive_data(server.send(AcceptConnection(extensions=server_exts)))
    accepted = next(client.events())
    assert isinstance(accepted, AcceptConnection)
    return client, server, [e.name for e in accepted.extensions]


def test_both_sides_negotiate_and_compress() -> None:
    offers = [e for e in plugins.installed_extensions() if e.name == "x-demo-bzip2"]
    client, server, names = handshake(offers, [DemoBzip2()])
    assert names == ["x-demo-bzip2"]
    data = b"bzip2 likes repetition " * 1000
    wire = client.send(BytesMessage(data))
    server.receive_data(wire)
    received = b"".join(e.data for e in server.events() if isinstance(e, BytesMessage))
    assert received == data
    assert len(wire) < len(data) // 10


def test_a_server_without_the_extension_still_connects() -> None:
    client, server, names = handshake([DemoBzip2()], [])
    assert names == []
    server.receive_data(client.send(BytesMessage(b"plain")))
    assert [e.data for e in server.events() if isinstance(e, BytesMessage)] == [b"plain"]


@pytest.mark.parametrize("level", ["0", "10", "12", "", "9 ", "1e0", "-1", "٣"])
def test_a_bad_level_is_declined(level: str) -> None:
    assert DemoBzip2().accept_params({"level": level}) is None
    with pytest.raises(ValueError):
        DemoBzip2().finalize_params({"level": level})


def test_the_client_chooses_the_server_level() -> None:
    server_side = DemoBzip2()
    assert server_side.accept_params({"level": "3"}) == {"level": "3"}
    assert server_side.send_level == 3
