"""PerMessageDeflate's observable negotiation behaviour against upstream 1.3.2, computed live.

Every expected value comes from the real upstream 1.3.2 (in a venv of its own),
run on the same input; the only deviations allowed are the ones
docs/migrating.rst lists, applied here as explicit transformations.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

import pytest

from wsproto.connection import Connection, ConnectionType
from wsproto.events import TextMessage
from wsproto.frame_protocol import Opcode, RsvBits
from wsproto_deflate import PerMessageDeflate

from .upstream import Upstream

pytestmark = pytest.mark.installs

ATTRS = (
    "client_no_context_takeover",
    "client_max_window_bits",
    "server_no_context_takeover",
    "server_max_window_bits",
)

CONFIGS: List[Dict[str, Any]] = [
    {},
    {"client_max_window_bits": None, "server_max_window_bits": None},
    {"client_max_window_bits": 10},
    {"server_max_window_bits": 12},
    {"server_max_window_bits": 15},
    {"client_no_context_takeover": True},
    {"server_no_context_takeover": True},
    {
        "client_no_context_takeover": True,
        "client_max_window_bits": 9,
        "server_no_context_takeover": True,
        "server_max_window_bits": 11,
    },
]

#: Offers valid under RFC 7692 (the ones it forbids are declined: see the last tests).
OFFERS = [
    "permessage-deflate",
    "permessage-deflate; client_max_window_bits",
    "permessage-deflate; client_max_window_bits=10",
    "permessage-deflate; client_max_window_bits=15; server_max_window_bits=15",
    "permessage-deflate; server_max_window_bits=10",
    "permessage-deflate; client_no_context_takeover",
    "permessage-deflate; server_no_context_takeover",
    "permessage-deflate; client_max_window_bits=12; server_max_window_bits=9; "
    "client_no_context_takeover; server_no_context_takeover",
]

RESPONSES = [
    "permessage-deflate",
    "permessage-deflate; client_max_window_bits=10",
    "permessage-deflate; client_max_window_bits=15",
    "permessage-deflate; server_max_window_bits=9",
    "permessage-deflate; server_max_window_bits=11",
    "permessage-deflate; client_no_context_takeover",
    "permessage-deflate; server_no_context_takeover",
    "permessage-deflate; client_no_context_takeover; server_no_context_takeover; "
    "client_max_window_bits=9; server_max_window_bits=11",
]


def attrs(ext: PerMessageDeflate) -> Dict[str, Any]:
    return {name: getattr(ext, name) for name in ATTRS}


def without_server_15(offer: Any) -> Any:
    """Documented difference: no ``server_max_window_bits=15`` in an offer."""
    parts = [p for p in str(offer).split("; ") if p != "server_max_window_bits=15"]
    return "; ".join(parts)


def limit_client_window(answer: Optional[str], limit: int) -> Optional[str]:
    """The default preset's local choice: answer at most ``limit`` client window bits."""
    if answer is None:
        return None
    out = []
    for part in answer.split("; ") if answer else []:
        name, _, value = part.partition("=")
        if name == "client_max_window_bits":
            part = f"{name}={min(int(value), limit)}"
        out.append(part)
    return "; ".join(out)


@pytest.mark.parametrize("config", CONFIGS)
def test_construction_offer_repr_and_attributes(upstream: Upstream, config: Dict[str, Any]) -> None:
    up_offer, up_repr, up_attrs, up_enabled = upstream.ext(
        config, [("offer", None), ("repr", None), ("attrs", None), ("enabled", None)]
    )
    ours = PerMessageDeflate(**config)
    assert ours.offer() == without_server_15(up_offer)
    assert repr(ours) == up_repr
    assert attrs(ours) == up_attrs
    assert ours.enabled() is up_enabled is False


def test_class_constants_and_name(upstream: Upstream) -> None:
    assert PerMessageDeflate.name == "permessage-deflate"
    assert PerMessageDeflate.DEFAULT_CLIENT_MAX_WINDOW_BITS == 15
    assert PerMessageDeflate.DEFAULT_SERVER_MAX_WINDOW_BITS == 15
    # 1.3.2's setters validate too: out-of-range values are a ValueError in both
    for bad in (16, 7):
        assert upstream.ext({"server_max_window_bits": bad}, []) == {"error": "ValueError"}
        with pytest.raises(ValueError):
            PerMessageDeflate(server_max_window_bits=bad)


@pytest.mark.parametrize("config", CONFIGS)
@pytest.mark.parametrize("offer", OFFERS)
def test_server_accept_like_upstream(
    upstream: Upstream, config: Dict[str, Any], offer: str
) -> None:
    up_answer, up_attrs, up_repr, up_enabled = upstream.ext(
        config, [("accept", offer), ("attrs", None), ("repr", None), ("enabled", None)]
    )
    # "max-ratio" sets no local limit on the client's window: 1.3.2's answers exactly
    ours = PerMessageDeflate.max_ratio(**config)
    assert ours.accept(offer) == up_answer
    assert attrs(ours) == up_attrs
    assert repr(ours) == up_repr
    assert ours.enabled() is up_enabled is True
    # the default preset answers the same, with the client's window limited to 13 bits
    default = PerMessageDeflate(**config)
    assert default.accept(offer) == limit_client_window(up_answer, 13)
    expected = dict(up_attrs)
    if "client_max_window_bits" in offer:
        expected["client_max_window_bits"] = min(expected["client_max_window_bits"], 13)
    assert attrs(default) == expected


def _offered(config: Dict[str, Any]) -> Dict[str, Any]:
    return {
        "server_max_window_bits": config.get("server_max_window_bits") or 15,
        "client_max_window_bits": config.get("client_max_window_bits") or 15,
        "server_no_context_takeover": config.get("server_no_context_takeover", False),
    }


def _rfc_refuses(config: Dict[str, Any], response: str) -> bool:
    """RFC 7692 section 7.1: responses a client must fail (documented difference)."""
    offered = _offered(config)
    params = dict(p.partition("=")[::2] for p in response.split("; ")[1:])
    if offered["server_no_context_takeover"] and "server_no_context_takeover" not in params:
        return True
    if offered["server_max_window_bits"] < 15:
        if "server_max_window_bits" not in params:
            return True
        if int(params["server_max_window_bits"]) > offered["server_max_window_bits"]:
            return True
    bits = params.get("client_max_window_bits")
    return bits is not None and int(bits) > offered["client_max_window_bits"]


@pytest.mark.parametrize("config", CONFIGS)
@pytest.mark.parametrize("response", RESPONSES)
def test_client_finalize_like_upstream(
    upstream: Upstream, config: Dict[str, Any], response: str
) -> None:
    up_result, up_attrs, up_repr, up_enabled = upstream.ext(
        config, [("finalize", response), ("attrs", None), ("repr", None), ("enabled", None)]
    )
    ours = PerMessageDeflate(**config)
    if _rfc_refuses(config, response):
        with pytest.raises(ValueError):
            ours.finalize(response)
        return
    ours.finalize(response)
    assert up_result is None
    assert attrs(ours) == up_attrs
    assert repr(ours) == up_repr
    assert ours.enabled() is up_enabled is True


@pytest.mark.parametrize(
    "offer",
    [
        "permessage-deflate; foo=1",  # unknown parameter: RFC 7692 section 7 says decline
        "permessage-deflate; server_max_window_bits",  # needs a value (7.1.2.1)
        "permessage-deflate; client_no_context_takeover=1",  # takes no value (7.1.1.2)
    ],
)
def test_server_declines_what_the_rfc_forbids_where_upstream_accepted(
    upstream: Upstream, offer: str
) -> None:
    (up_answer,) = upstream.ext({}, [("accept", offer)])
    assert isinstance(up_answer, str)  # 1.3.2 accepted it
    assert PerMessageDeflate().accept(offer) is None


def test_window_of_8_bits_allowed_where_upstream_refused(upstream: Upstream) -> None:
    # RFC 7692 section 7.1.2 allows 8; 1.3.2 raised ValueError (and declined offers of 8)
    assert upstream.ext({"client_max_window_bits": 8}, []) == {"error": "ValueError"}
    (up_answer,) = upstream.ext({}, [("accept", "permessage-deflate; client_max_window_bits=8")])
    assert up_answer is None
    assert PerMessageDeflate(client_max_window_bits=8).offer() == "client_max_window_bits=8"
    assert PerMessageDeflate().accept("permessage-deflate; client_max_window_bits=8") == (
        "client_max_window_bits=8"
    )


@pytest.mark.parametrize("response", RESPONSES)
def test_finalized_instance_works_in_either_role(response: str) -> None:
    # mitmproxy finalizes fresh instances with the server's response and then uses
    # one as a server and one as a client: each must compress for its own role.
    as_server = PerMessageDeflate()
    as_client = PerMessageDeflate()
    as_server.finalize(response)
    as_client.finalize(response)
    server = Connection(ConnectionType.SERVER, [as_server])
    client = Connection(ConnectionType.CLIENT, [as_client])
    text = '{"id": 1, "items": ["alpha", "bravo", "charlie"]} ' * 40
    for _ in range(3):
        server.receive_data(client.send(TextMessage(text)))
        assert [e.data for e in server.events()] == [text]  # type: ignore[attr-defined]
        client.receive_data(server.send(TextMessage(text)))
        assert [e.data for e in client.events()] == [text]  # type: ignore[attr-defined]


@pytest.mark.parametrize("opcode", [0x0, 0x1, 0x2, 0x8, 0x9, 0xA])
@pytest.mark.parametrize("rsv1", [False, True])
def test_inbound_header_answers_like_upstream(upstream: Upstream, opcode: int, rsv1: bool) -> None:
    offer = "permessage-deflate; client_max_window_bits"
    expected = upstream.request(
        {"op": "header", "offer": offer, "opcode": opcode, "rsv": [rsv1, False, False]}
    )
    ours = PerMessageDeflate()
    ours.accept(offer)
    got = ours.frame_inbound_header(
        Connection(ConnectionType.SERVER), Opcode(opcode), RsvBits(rsv1, False, False), 0
    )
    assert (int(got) if isinstance(got, int) else list(got)) == expected
