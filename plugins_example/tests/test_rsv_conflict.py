"""What happens when two extensions claim the same RSV bit (lzma vs deflate, both RSV1)."""

from __future__ import annotations

from typing import Any, Callable, List, Optional, Sequence

import pytest
from helpers import connect, transfer
from wsproto import ConnectionType, WSConnection
from wsproto.events import AcceptConnection, BytesMessage, Message, Request
from wsproto.extensions import Extension, ExtensionParams
from wsproto.frame_protocol import RsvBits
from wsproto.handshake import client_extensions_handshake
from wsproto.utilities import RemoteProtocolError, generate_accept_token

from wsproto_example_plugins import PerMessageBzip2, PerMessageLzma


class Rsv1Rival(Extension):
    """A stand-in for permessage-deflate: accepts any offer, claims RSV1, changes nothing."""

    name = "x-rsv1-rival"
    rsv_bits = RsvBits(True, False, False)

    def offer_params(self) -> Optional[ExtensionParams]:
        return {}

    def accept_params(self, params: ExtensionParams) -> Optional[ExtensionParams]:
        return {}

    def finalize_params(self, params: ExtensionParams) -> None:
        pass


def _deflate() -> Extension:
    try:
        from wsproto.extensions import PerMessageDeflate
    except ImportError:
        pytest.skip("wsproto-deflate is not installed: the stand-in RSV1 rival covers the rule")
    ext: Extension = PerMessageDeflate()
    return ext


@pytest.fixture(params=["stand-in", "permessage-deflate"])
def rival(request: Any) -> Callable[[], Extension]:
    """A factory of the RSV1 rival: the stand-in, or the real deflate plugin when installed."""
    if request.param == "permessage-deflate":
        _deflate()
        return _deflate
    return Rsv1Rival


def names(exts: Sequence[Extension]) -> List[str]:
    return [e.name for e in exts]


def test_server_accepts_the_first_offer_and_declines_the_rival(
    rival: Callable[[], Extension],
) -> None:
    name = rival().name
    _, _, accepted = connect([rival(), PerMessageLzma()], [PerMessageLzma(), rival()])
    assert names(accepted.extensions) == [name]  # the client listed the rival first
    _, _, accepted = connect([PerMessageLzma(), rival()], [rival(), PerMessageLzma()])
    assert names(accepted.extensions) == ["permessage-lzma"]


def test_rsv2_extension_coexists_with_an_rsv1_one(rival: Callable[[], Extension]) -> None:
    name = rival().name
    client, server, accepted = connect(
        [rival(), PerMessageBzip2(), PerMessageLzma()],
        [PerMessageLzma(), PerMessageBzip2(), rival()],
    )
    assert names(accepted.extensions) == [name, "permessage-bzip2"]
    data = b"coexisting extensions " * 2000
    events = transfer(client, server, BytesMessage(data))
    assert b"".join(bytes(e.data) for e in events if isinstance(e, Message)) == data
    events = transfer(server, client, BytesMessage(data))
    assert b"".join(bytes(e.data) for e in events if isinstance(e, Message)) == data


def test_client_fails_a_response_that_gives_rsv1_to_both() -> None:
    client = WSConnection(ConnectionType.CLIENT)
    request = client.send(Request(host="h", target="/", extensions=[Rsv1Rival(), PerMessageLzma()]))
    key = next(
        line.split(b":", 1)[1].strip()
        for line in request.split(b"\r\n")
        if line.lower().startswith(b"sec-websocket-key:")
    )
    response = (  # what a broken server would answer
        b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        b"Sec-WebSocket-Accept: " + generate_accept_token(key) + b"\r\n"
        b"Sec-WebSocket-Extensions: x-rsv1-rival, permessage-lzma\r\n\r\n"
    )
    with pytest.raises(RemoteProtocolError, match="RSV"):
        client.receive_data(response)
        list(client.events())
    with pytest.raises(RemoteProtocolError, match="RSV"):  # the upstream-style helper agrees
        client_extensions_handshake(
            ["x-rsv1-rival", "permessage-lzma"], [Rsv1Rival(), PerMessageLzma()]
        )


def test_accept_without_rival_offer_is_plain(rival: Callable[[], Extension]) -> None:
    _, _, accepted = connect([PerMessageLzma()], [rival()])
    assert accepted.extensions == []
    assert isinstance(accepted, AcceptConnection)
