"""Shared helpers of the robustness tests: extension set-ups, handshakes, send/receive models."""

from __future__ import annotations

import itertools
import os
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple, Union

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from wsproto import ConnectionType, WSConnection
from wsproto.connection import ConnectionState
from wsproto.events import (
    AcceptConnection,
    BytesMessage,
    CloseConnection,
    Event,
    Message,
    Ping,
    Pong,
    RejectConnection,
    RejectData,
    Request,
    TextMessage,
)
from wsproto.extensions import Extension
from wsproto.frame_protocol import is_valid_close_code

# -- hypothesis budget -----------------------------------------------------------------------

#: HYPOTHESIS_PROFILE=ci or thorough raises the number of examples; the default stays fast.
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "default")
_EXAMPLES = {"default": 40, "dev": 40, "ci": 150, "thorough": 1500}.get(PROFILE, 40)


def robust_settings(scale: float = 1.0) -> settings:
    """Settings for one property test: ``scale`` times the profile's example count."""
    return settings(
        max_examples=max(5, int(_EXAMPLES * scale)),
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        print_blob=True,
    )


# -- extension set-ups -------------------------------------------------------------------------

ExtFactory = Callable[[], List[Extension]]


def deflate_class() -> Any:
    """The PerMessageDeflate class, or skip the test with the reason it is unavailable."""
    try:
        from wsproto.extensions import PerMessageDeflate
    except ImportError as exc:
        pytest.skip(f"permessage-deflate unavailable (wsproto_deflate not installed yet?): {exc}")
    return PerMessageDeflate


def example_plugin_factory(wanted: str = "") -> ExtFactory:
    """A factory of an example plugin's extension (``wanted``: its name, or the first one that is
    not permessage-deflate), or skip with the reason it is unavailable."""
    try:
        from wsproto.plugins import installed_extensions  # type: ignore[attr-defined]
    except ImportError as exc:
        pytest.skip(f"wsproto.plugins.installed_extensions() not available yet: {exc}")
    found = [
        e
        for e in installed_extensions()
        if e.name != "permessage-deflate" and (not wanted or e.name == wanted)
    ]
    if not found:
        pytest.skip(
            "no extension plugin other than permessage-deflate is installed "
            "(plugins_example not installed yet?)"
        )
    name = found[0].name

    def make() -> List[Extension]:
        return [e for e in installed_extensions() if e.name == name]

    return make


#: Every combination of the four RFC 7692 parameters worth distinguishing.
DEFLATE_PARAMS: List[Dict[str, Any]] = [
    {
        "client_no_context_takeover": cnct,
        "server_no_context_takeover": snct,
        "client_max_window_bits": cmwb,
        "server_max_window_bits": smwb,
    }
    for cnct, snct, cmwb, smwb in itertools.product(
        (False, True), (False, True), (None, 8, 9, 15), (None, 8, 12, 15)
    )
]


def deflate_id(params: Dict[str, Any]) -> str:
    """A short test id for a parameter combination."""
    parts = []
    if params["client_no_context_takeover"]:
        parts.append("cnct")
    if params["server_no_context_takeover"]:
        parts.append("snct")
    if params["client_max_window_bits"] is not None:
        parts.append(f"cmwb{params['client_max_window_bits']}")
    if params["server_max_window_bits"] is not None:
        parts.append(f"smwb{params['server_max_window_bits']}")
    return "-".join(parts) or "defaults"


def deflate_factory(params: Dict[str, Any]) -> ExtFactory:
    """A factory of fresh PerMessageDeflate instances with ``params`` (skips if unavailable)."""
    cls = deflate_class()

    def make() -> List[Extension]:
        return [cls(**params)]

    return make


def no_extensions() -> List[Extension]:
    """The empty extension set."""
    return []


#: The names of the extension set-ups used by parametrized tests.
SETUPS = [
    "none",
    "deflate",
    "deflate-nct",
    "deflate-bits9",
    "example:permessage-bzip2",
    "example:permessage-lzma",
]


def setup_factory(name: str) -> ExtFactory:
    """Resolve a set-up name to a factory, skipping visibly when it is unavailable."""
    if name == "none":
        return no_extensions
    if name == "deflate":
        return deflate_factory(DEFLATE_PARAMS[0])
    if name == "deflate-nct":
        return deflate_factory(
            {
                "client_no_context_takeover": True,
                "server_no_context_takeover": True,
                "client_max_window_bits": None,
                "server_max_window_bits": None,
            }
        )
    if name == "deflate-bits9":
        return deflate_factory(
            {
                "client_no_context_takeover": False,
                "server_no_context_takeover": False,
                "client_max_window_bits": 9,
                "server_max_window_bits": 9,
            }
        )
    if name.startswith("example"):
        return example_plugin_factory(name.partition(":")[2])
    raise AssertionError(name)


# -- handshakes -------------------------------------------------------------------------------


def open_pair(
    factory: ExtFactory = no_extensions, **limits: Any
) -> Tuple[WSConnection, WSConnection]:
    """Run an in-memory handshake; return (client, server), both OPEN."""
    client = WSConnection(ConnectionType.CLIENT, **limits)
    server = WSConnection(ConnectionType.SERVER, **limits)
    server.receive_data(client.send(Request(host="localhost", target="/", extensions=factory())))
    request = next(server.events())
    assert isinstance(request, Request)
    client.receive_data(server.send(AcceptConnection(extensions=factory())))
    accepted = next(client.events())
    assert isinstance(accepted, AcceptConnection)
    assert client.state is ConnectionState.OPEN and server.state is ConnectionState.OPEN
    return client, server


def negotiated(conn: WSConnection) -> List[str]:
    """The names of the extensions in force on an open connection."""
    assert conn.connection is not None
    return [e.name for e in conn.connection.extensions]


# -- application-level operations ------------------------------------------------------------

#: An operation: ("text", [fragments]), ("bytes", [fragments]), ("ping", b), ("pong", b),
#: ("close", code, reason).
Op = Tuple[Any, ...]
#: What a receiver reassembles: ("text", str), ("bytes", bytes), ("ping", b), ("pong", b),
#: ("close", code, reason).
Received = Tuple[Any, ...]

VALID_CLOSE_CODES = st.one_of(
    st.sampled_from([1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013]),
    st.integers(3000, 4999),
)


def _fit_reason(text: str) -> str:
    return text.encode("utf-8")[:123].decode("utf-8", "ignore")


REASONS = st.text(max_size=60).map(_fit_reason)
CONTROL_PAYLOADS = st.binary(max_size=125)


def _small_text() -> st.SearchStrategy[str]:
    return st.one_of(
        st.text(max_size=40), st.text(alphabet=st.characters(codec="utf-8"), max_size=300)
    )


def _small_bytes() -> st.SearchStrategy[bytes]:
    return st.one_of(st.binary(max_size=40), st.binary(max_size=3000))


def message_ops() -> st.SearchStrategy[Op]:
    """A data message, as one or more fragments (possibly empty ones)."""
    text = st.lists(_small_text(), min_size=1, max_size=4).map(lambda f: ("text", f))
    data = st.lists(_small_bytes(), min_size=1, max_size=4).map(lambda f: ("bytes", f))
    return st.one_of(text, data)


def control_ops() -> st.SearchStrategy[Op]:
    """A ping or a pong."""
    return st.tuples(st.sampled_from(["ping", "pong"]), CONTROL_PAYLOADS)


def op_sequences(max_size: int = 12) -> st.SearchStrategy[List[Op]]:
    """A sequence of messages and control frames, maybe ending in a close."""
    body = st.lists(st.one_of(message_ops(), control_ops()), max_size=max_size)
    close = st.one_of(
        st.none(),
        st.tuples(st.just("close"), VALID_CLOSE_CODES, REASONS),
        st.just(("close", 1005, "")),
    )
    return st.builds(lambda b, c: b if c is None else [*b, c], body, close)


def interleavings() -> st.SearchStrategy[List[Optional[Op]]]:
    """Control frames to slip between fragments (None: nothing)."""
    return st.lists(st.one_of(st.none(), control_ops()), max_size=8)


def send_ops(
    sender: WSConnection, ops: Sequence[Op], slipped: Sequence[Optional[Op]] = ()
) -> Tuple[bytes, List[Received]]:
    """Encode ``ops``, ``slipped`` control frames between fragments; return (bytes, expected)."""
    out: List[bytes] = []
    expected: List[Received] = []
    extra = list(slipped)
    for op in ops:
        kind = op[0]
        if kind in ("text", "bytes"):
            fragments = op[1]
            for i, fragment in enumerate(fragments):
                last = i == len(fragments) - 1
                out.append(sender.send(Message(data=fragment, message_finished=last)))
                if not last and extra:
                    control = extra.pop()
                    if control is not None:
                        out.append(_send_control(sender, control))
                        expected.append(control)
            joined: Union[str, bytes] = ("" if kind == "text" else b"").join(fragments)
            expected.append((kind, joined))
        elif kind in ("ping", "pong"):
            out.append(_send_control(sender, op))
            expected.append(op)
        else:
            _, code, reason = op
            out.append(sender.send(CloseConnection(code=code, reason=reason)))
            expected.append(("close", code, reason if code != 1005 else ""))
    return b"".join(out), expected


def _send_control(sender: WSConnection, op: Op) -> bytes:
    cls = Ping if op[0] == "ping" else Pong
    return sender.send(cls(payload=op[1]))


class Reassembler:
    """Turns received events into whole messages and checks the event stream's invariants."""

    def __init__(self) -> None:
        self.received: List[Received] = []
        self._kind: Optional[str] = None
        self._parts: List[Any] = []

    def feed(self, events: Iterable[Event]) -> None:
        """Consume events (bounded: fails on an endless stream)."""
        for count, event in enumerate(events):
            assert count < 1_000_000, "events() did not stop"
            self.add(event)

    def add(self, event: Event) -> None:
        """Consume one event."""
        if isinstance(event, (TextMessage, BytesMessage)):
            kind = "text" if isinstance(event, TextMessage) else "bytes"
            assert self._kind in (None, kind), "message type changed mid-message"
            self._kind = kind
            self._parts.append(event.data)
            if event.message_finished:
                assert event.frame_finished
                joiner: Union[str, bytes] = "" if kind == "text" else b""
                self.received.append((kind, joiner.join(self._parts)))
                self._kind = None
                self._parts = []
        elif isinstance(event, Ping):
            self.received.append(("ping", event.payload))
        elif isinstance(event, Pong):
            self.received.append(("pong", event.payload))
        elif isinstance(event, CloseConnection):
            self.received.append(("close", event.code, event.reason or ""))
        else:
            raise AssertionError(f"unexpected event {event!r}")


def deliver(data: bytes, receiver: WSConnection, cuts: Sequence[int] = ()) -> List[Received]:
    """Feed ``data`` to ``receiver`` split at ``cuts``; return what it reassembled."""
    out = Reassembler()
    start = 0
    scratch = bytearray()
    for i, cut in enumerate([*sorted(set(c for c in cuts if 0 < c < len(data))), len(data)]):
        kind = i % 3  # bytes, a reused bytearray, or a memoryview: all bytes-like input works
        if kind == 0:
            receiver.receive_data(data[start:cut])
        else:
            scratch[:] = data[start:cut]
            with memoryview(scratch) as view:
                receiver.receive_data(scratch if kind == 1 else view)  # type: ignore[arg-type]
        out.feed(receiver.events())
        start = cut
    return out.received


def split_points(size: int) -> st.SearchStrategy[List[int]]:
    """Positions at which to split a byte stream of ``size`` bytes."""
    if size <= 1:
        return st.just([])
    return st.lists(st.integers(1, size - 1), max_size=min(size - 1, 40))


# -- outcome rules for hostile input ---------------------------------------------------------

HANDSHAKE_EVENTS = (Request, AcceptConnection, RejectConnection, RejectData)
FRAME_EVENTS = (TextMessage, BytesMessage, Ping, Pong, CloseConnection)


def allowed_close_code(code: int) -> bool:
    """True for a code a CloseConnection event may carry: sendable ones, 1005 and 1006."""
    return is_valid_close_code(code) or code in (1005, 1006)


def check_event(event: Event) -> None:
    """Assert an event reported for hostile input is of an allowed kind."""
    assert isinstance(event, HANDSHAKE_EVENTS + FRAME_EVENTS), event
    if isinstance(event, CloseConnection):
        assert allowed_close_code(event.code), event
