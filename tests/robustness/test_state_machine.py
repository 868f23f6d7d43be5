"""A hypothesis state machine: random interleavings of local sends and remote input.

A model of RFC 6455's closing handshake predicts each side's state; the real
connections must agree with it after every step, every LocalProtocolError
must be raised for one of the documented reasons, and every event the
receiving side reports must be the one the sending side sent.
"""

from __future__ import annotations

import re
from typing import Any, List, Optional

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from wsproto import WSConnection
from wsproto.connection import ConnectionState
from wsproto.events import CloseConnection, Message, Ping, Pong, Request
from wsproto.frame_protocol import is_valid_close_code
from wsproto.utilities import LocalProtocolError

from ._support import (
    PROFILE,
    VALID_CLOSE_CODES,
    Reassembler,
    open_pair,
    robust_settings,
    setup_factory,
)

OPEN = ConnectionState.OPEN
LOCAL_CLOSING = ConnectionState.LOCAL_CLOSING
REMOTE_CLOSING = ConnectionState.REMOTE_CLOSING
CLOSED = ConnectionState.CLOSED

#: The documented reasons for a LocalProtocolError after the handshake, by model situation.
REASONS = {
    "state": re.compile(r"cannot send \w+ in state (LOCAL_CLOSING|CLOSED|CONNECTING)"),
    "switch": re.compile(r"cannot change between text and binary"),
    "control-size": re.compile(r"control frames carry at most 125"),
    "close-code": re.compile(r"(invalid close code|reserved for reporting)"),
    "event": re.compile(r"cannot send .* on an open connection"),
}


class Side:
    """The model of one end."""

    def __init__(self, conn: WSConnection) -> None:
        self.conn = conn
        self.state = OPEN
        self.kind: Optional[str] = None  # the outbound message in progress
        self.in_kind: Optional[str] = None  # the inbound message in progress
        self.close_received = False
        self.reading = True
        self.outbox = bytearray()  # bytes sent, not yet delivered to the peer
        self.expected: List[Any] = []  # what the peer should reassemble
        self.partial: List[Any] = []  # the outbound message in progress, for `expected`
        self.received = Reassembler()

    @property
    def can_send(self) -> bool:
        return self.state in (OPEN, REMOTE_CLOSING)


class ConnectionMachine(RuleBasedStateMachine):
    """Client and server over an in-memory pipe, driven by random local sends and deliveries."""

    setup = "none"

    def __init__(self) -> None:
        super().__init__()
        client, server = open_pair(setup_factory(self.setup))
        self.sides = {"client": Side(client), "server": Side(server)}

    def _peer(self, name: str) -> Side:
        return self.sides["server" if name == "client" else "client"]

    def _expect_error(self, side: Side, event: Any, reason: str) -> None:
        try:
            side.conn.send(event)
        except LocalProtocolError as exc:
            assert REASONS[reason].search(str(exc)), (reason, str(exc))
        else:
            raise AssertionError(f"sending {event!r} should fail ({reason})")

    # -- local sends -------------------------------------------------------------------------

    @rule(
        who=st.sampled_from(["client", "server"]),
        data=st.one_of(st.text(max_size=30), st.binary(max_size=30)),
        finished=st.booleans(),
    )
    def send_message(self, who: str, data: Any, finished: bool) -> None:
        side = self.sides[who]
        kind = "text" if isinstance(data, str) else "bytes"
        event = Message(data=data, message_finished=finished)
        if not side.can_send:
            self._expect_error(side, event, "state")
            return
        if side.kind is not None and side.kind != kind:
            self._expect_error(side, event, "switch")
            return
        side.outbox += side.conn.send(event)
        side.kind = None if finished else kind
        side.partial.append(data)
        if finished:
            side.expected.append((kind, ("" if kind == "text" else b"").join(side.partial)))
            side.partial = []

    @rule(
        who=st.sampled_from(["client", "server"]),
        ping=st.booleans(),
        payload=st.binary(max_size=130),
    )
    def send_control(self, who: str, ping: bool, payload: bytes) -> None:
        side = self.sides[who]
        event = Ping(payload) if ping else Pong(payload)
        if not side.can_send:
            self._expect_error(side, event, "state")
            return
        if len(payload) > 125:
            self._expect_error(side, event, "control-size")
            return
        side.outbox += side.conn.send(event)
        side.expected.append(("ping" if ping else "pong", payload))

    @rule(
        who=st.sampled_from(["client", "server"]),
        code=st.one_of(VALID_CLOSE_CODES, st.integers(0, 6000)),
        reason=st.text(max_size=20),
    )
    def send_close(self, who: str, code: int, reason: str) -> None:
        side = self.sides[who]
        event = CloseConnection(code=code, reason=reason)
        if not side.can_send:
            self._expect_error(side, event, "state")
            return
        if code != 1005 and not is_valid_close_code(code):
            self._expect_error(side, event, "close-code")
            return
        side.outbox += side.conn.send(event)
        side.expected.append(("close", code, reason if code != 1005 else ""))
        side.state = CLOSED if side.state is REMOTE_CLOSING else LOCAL_CLOSING

    @rule(who=st.sampled_from(["client", "server"]))
    def send_handshake_event(self, who: str) -> None:
        side = self.sides[who]
        self._expect_error(side, Request(host="h", target="/"), "event")

    # -- remote input ------------------------------------------------------------------------

    @precondition(lambda self: any(s.outbox for s in self.sides.values()))
    @rule(who=st.sampled_from(["client", "server"]), fraction=st.floats(0, 1))
    def deliver(self, who: str, fraction: float) -> None:
        """Deliver part of ``who``'s outbox to its peer and read the peer's events."""
        side = self.sides[who]
        peer = self._peer(who)
        n = int(len(side.outbox) * fraction) if fraction < 1 else len(side.outbox)
        chunk = bytes(side.outbox[:n])
        del side.outbox[:n]
        peer.conn.receive_data(chunk)
        peer.received.feed(peer.conn.events())
        self._sync_close(peer)

    def _sync_close(self, side: Side) -> None:
        """Apply a received close frame to the model of ``side``."""
        got = side.received.received
        genuine = [r for r in got if r[0] == "close" and r != ("close", 1006, "")]
        if side.reading and genuine:
            side.reading = False
            side.close_received = True
            if side.state is OPEN:
                side.state = REMOTE_CLOSING
            elif side.state is LOCAL_CLOSING:
                side.state = CLOSED

    @rule(who=st.sampled_from(["client", "server"]))
    def transport_closed(self, who: str) -> None:
        """The transport ends: the side reads what was buffered, then 1006 if no close came."""
        side = self.sides[who]
        side.conn.receive_data(None)
        before = len(side.received.received)
        side.received.feed(side.conn.events())
        new = side.received.received[before:]
        if side.reading:
            self._sync_close(side)
        if new and new[-1] == ("close", 1006, ""):
            assert not side.close_received
            side.reading = False
        side.state = CLOSED
        # Nothing more arrives after the end of the stream.
        self._peer(who).outbox.clear()

    # -- invariants --------------------------------------------------------------------------

    @invariant()
    def states_agree(self) -> None:
        for side in self.sides.values():
            assert side.conn.state is side.state, (side.conn.state, side.state)

    @invariant()
    def received_is_a_prefix_of_sent(self) -> None:
        for name, side in self.sides.items():
            peer = self._peer(name)
            got = [r for r in peer.received.received if r != ("close", 1006, "")]
            assert got == side.expected[: len(got)], (got, side.expected)


class DeflateConnectionMachine(ConnectionMachine):
    """The same machine with permessage-deflate negotiated (context takeover both ways)."""

    setup = "deflate"


ConnectionMachine.TestCase.settings = robust_settings(0.5 if PROFILE == "default" else 1.0)
DeflateConnectionMachine.TestCase.settings = robust_settings(0.3 if PROFILE == "default" else 1.0)
test_connection_state_machine = ConnectionMachine.TestCase
test_connection_state_machine_deflate = DeflateConnectionMachine.TestCase
