"""RFC 7692 section 7 negotiation, both roles: one test (or parametrized case) per rule."""

from __future__ import annotations

from typing import Optional

import pytest

from wsproto import ConnectionType, WSConnection
from wsproto.events import AcceptConnection, Request
from wsproto.handshake import client_extensions_handshake, server_extensions_handshake
from wsproto.utilities import RemoteProtocolError
from wsproto_deflate import Agreement, PerMessageDeflate

from .helpers import Pair, deflate_pair, events


def accept(offer: str, **config: object) -> Optional[str]:
    """Server side: the response element for a whole offer header, or None if declined.

    The "max-ratio" preset answers as 1.3.2 did (no local limit on the client's window).
    """
    config.setdefault("preset", "max-ratio")
    result = server_extensions_handshake([offer], [PerMessageDeflate(**config)])  # type: ignore[arg-type]
    return None if result is None else result.decode("ascii")


def finalize(response: str, **config: object) -> PerMessageDeflate:
    """Client side: apply a response header to a fresh offered instance."""
    ext = PerMessageDeflate(**config)  # type: ignore[arg-type]
    client_extensions_handshake([response], [ext])
    return ext


def handshake_to(response_header: bytes, **config: object) -> WSConnection:
    """Run a client handshake against a canned server response carrying ``response_header``."""
    client = WSConnection(ConnectionType.CLIENT)
    request = client.send(
        Request(host="localhost", target="/", extensions=[PerMessageDeflate(**config)])  # type: ignore[arg-type]
    )
    server = WSConnection(ConnectionType.SERVER)
    got = events(server, request)
    assert isinstance(got[0], Request)
    accept_bytes = server.send(AcceptConnection())  # no extension: we splice the header in
    spliced = accept_bytes.replace(
        b"\r\n\r\n", b"\r\nSec-WebSocket-Extensions: " + response_header + b"\r\n\r\n", 1
    )
    client.receive_data(spliced)
    return client


# -- the client's offer ------------------------------------------------------------------


def test_default_offer_is_client_max_window_bits_15() -> None:
    pair = deflate_pair()
    assert pair.offer_header == ["permessage-deflate; client_max_window_bits=15"]


def test_offer_does_not_send_server_max_window_bits_unless_below_15() -> None:
    assert PerMessageDeflate().offer() == "client_max_window_bits=15"
    assert PerMessageDeflate(server_max_window_bits=15).offer() == "client_max_window_bits=15"
    offer = PerMessageDeflate(server_max_window_bits=10).offer()
    assert offer == "client_max_window_bits=15; server_max_window_bits=10"


def test_offer_all_four_parameters() -> None:
    ext = PerMessageDeflate(True, 9, True, 10)
    assert ext.offer() == (
        "client_max_window_bits=9; server_max_window_bits=10; "
        "client_no_context_takeover; server_no_context_takeover"
    )
    pair = deflate_pair(PerMessageDeflate(True, 9, True, 10))
    assert pair.extension("client").agreement == Agreement(True, 9, True, 10)  # type: ignore[union-attr]
    assert pair.extension("server").agreement == Agreement(True, 9, True, 10)  # type: ignore[union-attr]


@pytest.mark.parametrize("bits", [7, 16, 0, "15", 15.0, True])
def test_invalid_configured_window_is_a_local_error(bits: object) -> None:
    with pytest.raises(ValueError, match="window_bits"):
        PerMessageDeflate(client_max_window_bits=bits)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="window_bits"):
        PerMessageDeflate(server_max_window_bits=bits)  # type: ignore[arg-type]


# -- the server's answer (section 7.1) -------------------------------------------------


@pytest.mark.parametrize(
    ("offer", "response"),
    [
        ("permessage-deflate", "permessage-deflate"),
        # 7.1.1.1: server_no_context_takeover is honoured by echoing it
        (
            "permessage-deflate; server_no_context_takeover",
            "permessage-deflate; server_no_context_takeover",
        ),
        # 7.1.1.2: client_no_context_takeover is echoed
        (
            "permessage-deflate; client_no_context_takeover",
            "permessage-deflate; client_no_context_takeover",
        ),
        # 7.1.2.1: server_max_window_bits is accepted with the same value
        (
            "permessage-deflate; server_max_window_bits=10",
            "permessage-deflate; server_max_window_bits=10",
        ),
        # 7.1.2.2: client_max_window_bits with a value is answered with it (or smaller)
        (
            "permessage-deflate; client_max_window_bits=12",
            "permessage-deflate; client_max_window_bits=12",
        ),
        # 7.1.2.2: offered bare, the server may answer with a value
        (
            "permessage-deflate; client_max_window_bits",
            "permessage-deflate; client_max_window_bits=15",
        ),
    ],
)
def test_server_answers(offer: str, response: str) -> None:
    assert accept(offer) == response


def test_server_answers_offered_windows_as_upstream_and_limits_only_locally() -> None:
    # 1.3.2 echoes offered values whatever it was configured with ...
    assert (
        accept(
            "permessage-deflate; client_max_window_bits=12; server_max_window_bits=13",
            client_max_window_bits=9,
            server_max_window_bits=11,
        )
        == "permessage-deflate; client_max_window_bits=12; server_max_window_bits=13"
    )
    # ... and answers a bare client_max_window_bits with its configured value
    assert (
        accept("permessage-deflate; client_max_window_bits", client_max_window_bits=9)
        == "permessage-deflate; client_max_window_bits=9"
    )
    # client_window_limit (a local choice) narrows the client's window (7.1.2.2)
    assert (
        accept("permessage-deflate; client_max_window_bits=12", client_window_limit=10)
        == "permessage-deflate; client_max_window_bits=10"
    )
    # the default preset limits it to 13 bits when the client allows it
    assert (
        accept("permessage-deflate; client_max_window_bits=15", preset="default")
        == "permessage-deflate; client_max_window_bits=13"
    )
    assert accept("permessage-deflate", preset="default") == "permessage-deflate"
    # ...and never with a larger one than offered
    assert (
        accept("permessage-deflate; server_max_window_bits=9", server_max_window_bits=12)
        == "permessage-deflate; server_max_window_bits=9"
    )


def test_server_never_answers_client_max_window_bits_that_was_not_offered() -> None:
    # 7.1.2.2: "MUST NOT include the client_max_window_bits" if the offer did not have it
    assert accept("permessage-deflate", client_max_window_bits=9) == "permessage-deflate"


def test_server_may_add_no_context_takeover_unasked() -> None:
    assert accept(
        "permessage-deflate", server_no_context_takeover=True, client_no_context_takeover=True
    ) == ("permessage-deflate; client_no_context_takeover; server_no_context_takeover")


def test_server_no_context_takeover_requested_by_client_is_honoured() -> None:
    pair = deflate_pair(PerMessageDeflate(server_no_context_takeover=True))
    server = pair.extension("server")
    assert server is not None and server.agreement is not None
    assert server.agreement.server_no_context_takeover
    # the server's two identical messages compress identically: no shared window
    from wsproto.events import TextMessage

    first = pair.send("server", TextMessage("Hello"))
    second = pair.send("server", TextMessage("Hello"))
    assert first == second == bytes.fromhex("c107f248cdc9c90700")


BAD_OFFERS = [
    "permessage-deflate; foo",  # unknown parameter
    "permessage-deflate; foo=1",
    "permessage-deflate; server_max_window_bits=10; server_max_window_bits=10",  # duplicate
    "permessage-deflate; client_no_context_takeover; client_no_context_takeover",
    "permessage-deflate; server_max_window_bits=7",  # out of range
    "permessage-deflate; server_max_window_bits=16",
    "permessage-deflate; client_max_window_bits=16",
    "permessage-deflate; client_max_window_bits=0",
    "permessage-deflate; server_max_window_bits=010",  # leading zero
    "permessage-deflate; server_max_window_bits=abc",  # malformed value
    'permessage-deflate; server_max_window_bits="1 0"',
    "permessage-deflate; server_max_window_bits",  # needs a value
    "permessage-deflate; server_no_context_takeover=1",  # takes no value
    "permessage-deflate; client_no_context_takeover=true",
]


@pytest.mark.parametrize("preset", ["default", "lean", "max-ratio"])
@pytest.mark.parametrize("offer", BAD_OFFERS)
def test_server_declines_bad_offers(offer: str, preset: str) -> None:
    assert accept(offer, preset=preset) is None
    # upstream-style string method: None (declined), never an exception
    assert PerMessageDeflate(preset=preset).accept(offer) is None


@pytest.mark.parametrize("offer", BAD_OFFERS)
def test_server_declines_bad_offer_but_takes_the_next(offer: str) -> None:
    header = offer + ", permessage-deflate; client_max_window_bits"
    assert accept(header) == "permessage-deflate; client_max_window_bits=15"


def test_server_picks_first_acceptable_of_several_offers() -> None:
    header = (
        "permessage-deflate; client_max_window_bits=10; server_max_window_bits=12, "
        "permessage-deflate"
    )
    assert accept(header) == (
        "permessage-deflate; client_max_window_bits=10; server_max_window_bits=12"
    )
    header = "permessage-deflate; client_max_window_bits, permessage-deflate"
    assert accept(header) == "permessage-deflate; client_max_window_bits=15"
    header = "permessage-deflate, permessage-deflate; client_max_window_bits"
    assert accept(header) == "permessage-deflate"


def test_server_full_handshake_with_several_offers() -> None:
    client = WSConnection(ConnectionType.CLIENT)
    server = WSConnection(ConnectionType.SERVER)
    request = client.send(Request(host="h", target="/"))
    request = request.replace(
        b"\r\n\r\n",
        b"\r\nSec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=7, "
        b"permessage-deflate; client_max_window_bits; server_no_context_takeover\r\n\r\n",
        1,
    )
    got = events(server, request)
    assert isinstance(got[0], Request)
    response = server.send(AcceptConnection(extensions=[PerMessageDeflate.max_ratio()]))
    assert (
        b"Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; "
        b"client_max_window_bits=15\r\n" in response
    )


# -- the client's check of the answer -----------------------------------------------------


def test_client_accepts_consistent_responses() -> None:
    assert finalize("permessage-deflate").agreement == Agreement()
    assert finalize("permessage-deflate; client_max_window_bits=9").agreement == Agreement(
        client_max_window_bits=9
    )
    # 7.1.2.1: the server may include server_max_window_bits even if not offered
    assert finalize("permessage-deflate; server_max_window_bits=8").agreement == Agreement(
        server_max_window_bits=8
    )
    # 7.1.1.x: the server may add either no_context_takeover
    agreed = finalize(
        "permessage-deflate; server_no_context_takeover; client_no_context_takeover"
    ).agreement
    assert agreed == Agreement(client_no_context_takeover=True, server_no_context_takeover=True)
    # a smaller window than offered
    ext = finalize(
        "permessage-deflate; server_max_window_bits=9; client_max_window_bits=10",
        server_max_window_bits=12,
        client_max_window_bits=11,
    )
    assert ext.agreement == Agreement(client_max_window_bits=10, server_max_window_bits=9)


BAD_RESPONSES = [
    # malformed, unknown, duplicate, out of range
    "permessage-deflate; foo",
    "permessage-deflate; server_max_window_bits=10; server_max_window_bits=10",
    "permessage-deflate; server_max_window_bits=7",
    "permessage-deflate; client_max_window_bits=16",
    "permessage-deflate; client_max_window_bits=09",
    "permessage-deflate; server_max_window_bits=x",
    "permessage-deflate; server_no_context_takeover=1",
    # in a response, window parameters need a value
    "permessage-deflate; client_max_window_bits",
    "permessage-deflate; server_max_window_bits",
    # two answers for one offer
    "permessage-deflate, permessage-deflate",
]


@pytest.mark.parametrize("response", BAD_RESPONSES)
def test_client_fails_on_bad_response(response: str) -> None:
    with pytest.raises(RemoteProtocolError):
        finalize(response)
    with pytest.raises(RemoteProtocolError) as info:
        handshake_to(response.encode())
    assert info.value.event_hint is not None


@pytest.mark.parametrize(
    ("config", "response"),
    [
        # larger windows than offered
        ({"client_max_window_bits": 10}, "permessage-deflate; client_max_window_bits=11"),
        ({"server_max_window_bits": 10}, "permessage-deflate; server_max_window_bits=11"),
        # offered parameters the server must echo to accept the offer (7.1.1.1, 7.1.2.1)
        ({"server_max_window_bits": 10}, "permessage-deflate"),
        ({"server_no_context_takeover": True}, "permessage-deflate"),
    ],
)
def test_client_fails_on_response_inconsistent_with_offer(
    config: dict[str, object], response: str
) -> None:
    with pytest.raises(RemoteProtocolError):
        finalize(response, **config)
    with pytest.raises(RemoteProtocolError):
        handshake_to(response.encode(), **config)


def test_client_without_response_header_has_no_compression() -> None:
    pair = Pair([PerMessageDeflate()], [])
    assert pair.extension("client") is None and pair.extension("server") is None


# -- upstream 1.x string methods -----------------------------------------------------------


def test_string_methods_give_upstream_strings() -> None:
    # the values upstream wsproto 1.3.2 returns for the same inputs
    ext = PerMessageDeflate(client_max_window_bits=10, server_max_window_bits=12)
    assert ext.offer() == "client_max_window_bits=10; server_max_window_bits=12"
    cases = {
        "permessage-deflate": "",
        "permessage-deflate; client_max_window_bits": "client_max_window_bits=15",
        "permessage-deflate; client_max_window_bits=10": "client_max_window_bits=10",
        "permessage-deflate; server_max_window_bits=10": "server_max_window_bits=10",
        "permessage-deflate; server_no_context_takeover": "server_no_context_takeover",
        "permessage-deflate; client_no_context_takeover": "client_no_context_takeover",
        (
            "permessage-deflate; client_max_window_bits; server_max_window_bits=12; "
            "client_no_context_takeover; server_no_context_takeover"
        ): (
            "client_no_context_takeover; server_no_context_takeover; "
            "client_max_window_bits=15; server_max_window_bits=12"
        ),
    }
    for offer, expected in cases.items():
        ext = PerMessageDeflate.max_ratio()
        assert ext.accept(offer) == expected
        assert ext.enabled()
    assert server_extensions_handshake(["permessage-deflate"], [PerMessageDeflate.max_ratio()]) == (
        b"permessage-deflate"
    )


def test_string_finalize_enables() -> None:
    ext = PerMessageDeflate()
    assert not ext.enabled()
    ext.finalize("permessage-deflate; client_max_window_bits=10")
    assert ext.enabled()
    assert ext.agreement == Agreement(client_max_window_bits=10)


def test_fresh_keeps_configuration_not_state() -> None:
    ext = PerMessageDeflate(True, 10, False, 11, level=3, mem_level=4, threshold=7)
    ext.finalize("permessage-deflate; client_max_window_bits=9; server_max_window_bits=11")
    copy = ext.fresh()
    assert isinstance(copy, PerMessageDeflate) and copy is not ext
    assert not copy.enabled() and copy.agreement is None
    assert copy.offer() == ext.offer()
    assert (copy.level, copy.mem_level, copy.threshold) == (3, 4, 7)


def test_one_configured_instance_serves_many_connections() -> None:
    from wsproto.events import TextMessage

    shared = PerMessageDeflate()
    pairs = [deflate_pair(server=shared) for _ in range(3)]
    exts = [p.extension("server") for p in pairs]
    assert len({id(e) for e in exts}) == 3
    for pair in pairs:
        assert pair.deliver("server", TextMessage("Hello"))[0].data == "Hello"  # type: ignore[attr-defined]
        assert pair.deliver("server", TextMessage("Hello"))[0].data == "Hello"  # type: ignore[attr-defined]


def test_upstream_style_handshake_helpers_and_connection() -> None:
    # The HTTP/2 recipe of the upstream documentation: negotiate with the helpers,
    # then build Connection objects with the same extension instances.
    from wsproto.connection import Connection, ConnectionType
    from wsproto.events import TextMessage

    client_ext = PerMessageDeflate()
    offer = "permessage-deflate; " + str(client_ext.offer())
    server_ext = PerMessageDeflate.max_ratio()
    accepted = server_extensions_handshake([offer], [server_ext])
    assert accepted == b"permessage-deflate; client_max_window_bits=15"
    in_force = client_extensions_handshake([accepted.decode()], [client_ext])
    assert in_force == [client_ext]
    server = Connection(ConnectionType.SERVER, [server_ext])
    client = Connection(ConnectionType.CLIENT, [client_ext])
    for _ in range(2):
        wire = client.send(TextMessage("Hello"))
        assert wire[0] == 0xC1
        server.receive_data(wire)
        assert list(server.events()) == [TextMessage("Hello", True, True)]
        client.receive_data(server.send(TextMessage("Hello")))
        assert list(client.events()) == [TextMessage("Hello", True, True)]


# -- presets: local choices only ---------------------------------------------------------------


def test_presets_never_change_the_offer() -> None:
    offers = {PerMessageDeflate(preset=p).offer() for p in ("default", "lean", "max-ratio")}
    assert offers == {"client_max_window_bits=15"}
    assert PerMessageDeflate.lean(True, 10).offer() == PerMessageDeflate(True, 10).offer()


def test_lean_server_answers_server_no_context_takeover_unasked() -> None:
    ext = PerMessageDeflate.lean()
    assert ext.accept("permessage-deflate") == "server_no_context_takeover"
    assert ext.server_no_context_takeover
    assert accept("permessage-deflate; client_max_window_bits", preset="lean") == (
        "permessage-deflate; server_no_context_takeover; client_max_window_bits=11"
    )


def test_explicit_local_choices_override_the_preset_and_survive_fresh() -> None:
    ext = PerMessageDeflate.lean(mem_level=6, client_window_limit=14, keep_compressor=True)
    assert (ext.preset, ext.mem_level, ext.client_window_limit, ext.keep_compressor) == (
        "lean",
        6,
        14,
        True,
    )
    assert ext.compress_window_bits == 12  # from the preset
    copy = ext.fresh()
    assert (copy.preset, copy.mem_level, copy.client_window_limit, copy.keep_compressor) == (
        "lean",
        6,
        14,
        True,
    )
    assert copy.accept("permessage-deflate; client_max_window_bits") == "client_max_window_bits=14"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"preset": "fast"},
        {"preset": 1},
        {"compress_window_bits": 16},
        {"client_window_limit": 7},
        {"mem_level": 0},
    ],
)
def test_invalid_local_choices_are_local_errors(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        PerMessageDeflate(**kwargs)  # type: ignore[arg-type]


def test_attributes_keep_configuration_for_fresh_after_negotiation() -> None:
    ext = PerMessageDeflate(client_max_window_bits=12, preset="max-ratio")
    ext.accept("permessage-deflate; client_max_window_bits=10; client_no_context_takeover")
    assert (ext.client_max_window_bits, ext.client_no_context_takeover) == (10, True)
    copy = ext.fresh()
    assert (copy.client_max_window_bits, copy.client_no_context_takeover) == (12, False)
    ext2 = PerMessageDeflate()
    ext2.server_max_window_bits = 11  # set like 1.3.2's attribute, before negotiation
    assert ext2.offer() == "client_max_window_bits=15; server_max_window_bits=11"
    assert ext2.fresh().offer() == ext2.offer()


def test_preset_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WSPROTO_DEFLATE_PRESET", "lean")
    assert PerMessageDeflate().preset == "lean"
    assert PerMessageDeflate(preset="max-ratio").preset == "max-ratio"
    monkeypatch.setenv("WSPROTO_DEFLATE_PRESET", "tiny")
    with pytest.raises(ValueError, match="preset"):
        PerMessageDeflate()
