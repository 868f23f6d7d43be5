"""The negotiation rules of wsproto/_negotiation.py and the pipeline, end to end."""

from __future__ import annotations

from typing import Any, List, Optional, Sequence, Tuple, Union

import pytest

from wsproto import ConnectionType, WSConnection
from wsproto.connection import Connection
from wsproto.events import (
    AcceptConnection,
    BytesMessage,
    CloseConnection,
    Event,
    Message,
    RejectConnection,
    Request,
)
from wsproto.extensions import Extension, ExtensionParams
from wsproto.frame_protocol import CloseReason, Opcode, RsvBits
from wsproto.handshake import client_extensions_handshake, server_extensions_handshake
from wsproto.utilities import LocalProtocolError, RemoteProtocolError, generate_accept_token

NO_BITS = RsvBits(False, False, False)


class Tagging(Extension):
    """Accepts offers whose ``mode`` it knows; appends its tag to outbound payloads."""

    def __init__(self, name: str, bits: RsvBits = NO_BITS, modes: Sequence[str] = ("a",)) -> None:
        self.name = name
        self.rsv_bits = bits
        self.modes = list(modes)
        self.seen: List[ExtensionParams] = []
        self.mode: Optional[str] = None

    def fresh(self) -> Tagging:
        return Tagging(self.name, self.rsv_bits, self.modes)

    def offer_params(self) -> Optional[ExtensionParams]:
        return {"mode": self.modes[0]}

    def accept_params(self, params: ExtensionParams) -> Optional[ExtensionParams]:
        self.seen.append(dict(params))
        if params.get("mode") in self.modes:
            self.mode = params["mode"]
            return {"mode": self.mode}
        return None

    def finalize_params(self, params: ExtensionParams) -> None:
        self.mode = params.get("mode")

    def frame_outbound(
        self, proto: Any, opcode: Opcode, rsv: RsvBits, data: bytes, fin: bool
    ) -> Tuple[RsvBits, bytes]:
        mine = self.rsv_bits
        bits = RsvBits(*(a or b for a, b in zip(rsv, mine)))
        return bits, data + f"<{self.name}>".encode()

    def frame_inbound_header(
        self, proto: Any, opcode: Opcode, rsv: RsvBits, payload_length: int
    ) -> Union[CloseReason, RsvBits]:
        return self.rsv_bits

    def frame_inbound_payload_data(self, proto: Any, data: bytes) -> Union[bytes, CloseReason]:
        self._buffer = getattr(self, "_buffer", b"") + data
        return b""

    def frame_inbound_complete(self, proto: Any, fin: bool) -> Union[bytes, CloseReason, None]:
        data, self._buffer = getattr(self, "_buffer", b""), b""
        tag = f"<{self.name}>".encode()
        if not data.endswith(tag):
            return CloseReason.PROTOCOL_ERROR  # the pipeline order was wrong
        return data[: -len(tag)]


def server_with_request(extensions_header: str) -> WSConnection:
    server = WSConnection(ConnectionType.SERVER)
    server.receive_data(
        b"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        b"Sec-WebSocket-Extensions: " + extensions_header.encode() + b"\r\n\r\n"
    )
    assert isinstance(next(iter(server.events())), Request)
    return server


def response_header(reply: bytes) -> Optional[str]:
    for line in reply.split(b"\r\n"):
        if line.lower().startswith(b"sec-websocket-extensions:"):
            return line.split(b":", 1)[1].strip().decode()
    return None


def client_with_response(offered: List[Extension], header: str) -> List[Event]:
    client = WSConnection(ConnectionType.CLIENT)
    request = client.send(Request(host="h", target="/", extensions=offered))
    key = next(
        line.split(b":", 1)[1].strip()
        for line in request.split(b"\r\n")
        if line.lower().startswith(b"sec-websocket-key:")
    )
    client.receive_data(
        b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        b"Sec-WebSocket-Accept: " + generate_accept_token(key) + b"\r\n"
        b"Sec-WebSocket-Extensions: " + header.encode() + b"\r\n\r\n"
    )
    return list(client.events())


def connect(client_exts: List[Extension], server_exts: List[Extension]) -> Tuple[Any, Any]:
    client = WSConnection(ConnectionType.CLIENT)
    server = WSConnection(ConnectionType.SERVER)
    server.receive_data(client.send(Request(host="h", target="/", extensions=client_exts)))
    list(server.events())
    client.receive_data(server.send(AcceptConnection(extensions=server_exts)))
    list(client.events())
    return client, server


# -- offer selection ------------------------------------------------------------------------


def test_server_picks_the_first_acceptable_offer_for_a_name() -> None:
    ext = Tagging("x-t", modes=("b", "c"))
    server = server_with_request("x-t; mode=a, x-t; mode=b, x-t; mode=c")
    reply = server.send(AcceptConnection(extensions=[ext]))
    assert response_header(reply) == "x-t; mode=b"  # upstream would let the last one win
    assert ext.seen == [{"mode": "a"}, {"mode": "b"}]  # it saw every offer, in order


def test_malformed_offer_is_declined_and_the_others_still_count() -> None:
    server = server_with_request('x-t; mode="a b", x-t; mode=a; mode=a, X-T; MODE="a"')
    reply = server.send(AcceptConnection(extensions=[Tagging("x-t")]))
    # not a token when unquoted; duplicate parameter; then a valid, case-insensitive offer.
    assert response_header(reply) == "x-t; mode=a"


def test_nothing_acceptable_means_no_header() -> None:
    server = server_with_request("x-t; mode=z, x-unknown")
    reply = server.send(AcceptConnection(extensions=[Tagging("x-t")]))
    assert response_header(reply) is None


# -- RSV-bit ownership ---------------------------------------------------------------------


def test_server_declines_a_later_offer_that_wants_an_owned_bit() -> None:
    first = Tagging("x-first", RsvBits(True, False, False))
    second = Tagging("x-second", RsvBits(True, False, False))
    third = Tagging("x-third", RsvBits(False, True, False))
    server = server_with_request("x-second; mode=a, x-first; mode=a, x-third; mode=a")
    reply = server.send(AcceptConnection(extensions=[first, second, third]))
    assert response_header(reply) == "x-second; mode=a, x-third; mode=a"


def test_client_fails_a_response_that_shares_a_bit() -> None:
    offered: List[Extension] = [
        Tagging("x-one", RsvBits(True, False, False)),
        Tagging("x-two", RsvBits(True, False, False)),
    ]
    with pytest.raises(RemoteProtocolError, match="RSV"):
        client_with_response(offered, "x-one; mode=a, x-two; mode=a")


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("x-other", "not offered"),
        ("x-one; mode=a, x-one; mode=a", "twice"),
        ("x-one; mode=a,, ;", "malformed"),
    ],
)
def test_client_fails_bad_responses(header: str, message: str) -> None:
    with pytest.raises(RemoteProtocolError, match=message):
        client_with_response([Tagging("x-one")], header)


def test_frame_with_an_unowned_rsv_bit_fails_with_1002() -> None:
    client, _ = connect(
        [Tagging("x-rsv3", RsvBits(False, False, True))],
        [Tagging("x-rsv3", RsvBits(False, False, True))],
    )
    # A server frame with RSV2 set (0x20), which no negotiated extension owns.
    client.receive_data(bytes([0x80 | 0x20 | 0x2, 3]) + b"abc")
    events = list(client.events())
    assert isinstance(events[-1], CloseConnection)
    assert events[-1].code == CloseReason.PROTOCOL_ERROR


def test_no_extension_means_every_rsv_bit_fails() -> None:
    client, _ = connect([], [])
    client.receive_data(bytes([0x80 | 0x40 | 0x1, 2]) + b"hi")
    events = list(client.events())
    assert isinstance(events[-1], CloseConnection) and events[-1].code == 1002


# -- pipeline order (RFC 6455 section 9.1) -----------------------------------------------


def test_pipeline_runs_in_response_order_and_mirrors_inbound() -> None:
    client, server = connect([Tagging("x-a"), Tagging("x-b")], [Tagging("x-b"), Tagging("x-a")])
    assert [e.name for e in client.connection.extensions] == ["x-a", "x-b"]
    wire = server.send(BytesMessage(b"data"))
    assert wire.endswith(b"data<x-a><x-b>")  # x-b(x-a(data)), as the response lists "x-a, x-b"
    client.receive_data(wire)
    got = [e for e in client.events() if isinstance(e, Message)]
    assert b"".join(bytes(e.data) for e in got) == b"data"  # inbound strips x-b, then x-a


# -- configuration vs per-connection state ------------------------------------------------


def test_one_configured_object_is_freshened_per_connection() -> None:
    shared = Tagging("x-t")
    first, _ = connect([shared], [Tagging("x-t")])
    second, _ = connect([shared], [Tagging("x-t")])
    a, b = first.connection.extensions[0], second.connection.extensions[0]
    assert a is not b


class NoFresh(Tagging):
    def fresh(self) -> Tagging:
        return Extension.fresh(self)  # type: ignore[return-value]


def test_object_without_fresh_fails_clearly_on_reuse() -> None:
    shared = NoFresh("x-t")
    connect([shared], [Tagging("x-t")])
    with pytest.raises(LocalProtocolError, match="fresh"):
        connect([shared], [Tagging("x-t")])


# -- bounded inbound output ---------------------------------------------------------------------


class Expanding(Extension):
    """Each inbound byte becomes 1000 bytes, released ``budget`` bytes at a time."""

    name = "x-expand"
    rsv_bits = RsvBits(False, False, True)
    budget = 100

    def __init__(self) -> None:
        self.held = b""

    def offer_params(self) -> Optional[ExtensionParams]:
        return {}

    def accept_params(self, params: ExtensionParams) -> Optional[ExtensionParams]:
        return {}

    def finalize_params(self, params: ExtensionParams) -> None:
        pass

    def frame_outbound(
        self, proto: Any, opcode: Opcode, rsv: RsvBits, data: bytes, fin: bool
    ) -> Tuple[RsvBits, bytes]:
        return RsvBits(rsv[0], rsv[1], True), data

    def frame_inbound_header(
        self, proto: Any, opcode: Opcode, rsv: RsvBits, payload_length: int
    ) -> Union[CloseReason, RsvBits]:
        return self.rsv_bits

    def frame_inbound_payload_data(self, proto: Any, data: bytes) -> Union[bytes, CloseReason]:
        self.held += b"".join(bytes([c]) * 1000 for c in data)
        out, self.held = self.held[: self.budget], self.held[self.budget :]
        self.inbound_pending = bool(self.held)
        return out


def test_inbound_output_arrives_in_budgeted_steps() -> None:
    client, server = connect([Expanding()], [Expanding()])
    client.receive_data(server.send(BytesMessage(b"xyz")))
    sizes = [len(e.data) for e in client.events() if isinstance(e, BytesMessage)]
    assert sum(sizes) == 3000 and max(sizes) <= Expanding.budget


def test_max_message_size_applies_after_the_transform() -> None:
    client = WSConnection(ConnectionType.CLIENT, max_message_size=1500)
    server = WSConnection(ConnectionType.SERVER)
    server.receive_data(client.send(Request(host="h", target="/", extensions=[Expanding()])))
    list(server.events())
    client.receive_data(server.send(AcceptConnection(extensions=[Expanding()])))
    list(client.events())
    client.receive_data(server.send(BytesMessage(b"ab")))  # 2 bytes -> 2000 bytes
    events = list(client.events())
    assert isinstance(events[-1], CloseConnection) and events[-1].code == 1009


# -- upstream-compatible helpers ------------------------------------------------------------


def test_server_extensions_handshake_keeps_upstream_semantics() -> None:
    ext = Tagging("x-t", modes=("b",))
    assert server_extensions_handshake(["x-t; mode=a", "x-t; mode=b"], [ext]) == b"x-t; mode=b"
    assert ext.enabled()
    assert server_extensions_handshake(["x-zzz"], [Tagging("x-t")]) is None


def test_client_extensions_handshake_keeps_upstream_semantics() -> None:
    one, two = Tagging("x-one"), Tagging("x-two")
    assert client_extensions_handshake(["x-two; mode=a", "x-one; mode=a"], [one, two]) == [two, one]
    with pytest.raises(RemoteProtocolError):
        client_extensions_handshake(["x-three"], [one])


def test_post_handshake_connection_with_upstream_flow() -> None:
    """Upstream's documented flow: negotiate by hand, then build a Connection."""
    server_ext = Tagging("x-t")
    assert server_extensions_handshake(["x-t; mode=a"], [server_ext]) == b"x-t; mode=a"
    client_ext = Tagging("x-t")
    client_extensions_handshake(["x-t; mode=a"], [client_ext])
    server = Connection(ConnectionType.SERVER, [server_ext])
    client = Connection(ConnectionType.CLIENT, [client_ext])
    client.receive_data(server.send(BytesMessage(b"payload")))
    assert b"".join(bytes(e.data) for e in client.events() if isinstance(e, Message)) == b"payload"


def test_rejected_handshake_is_unaffected() -> None:
    server = server_with_request("x-t; mode=a")
    server.send(RejectConnection(status_code=403))
