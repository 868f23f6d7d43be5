"""A hypothesis state machine: two peers exchange messages while an extension faults at random.

Whatever the interleaving, ``events()`` and ``send()`` raise nothing but the documented
ExtensionError, every delivered message is one the peer sent, in order and intact (with
permessage-deflate after the faulty extension, a corrupted frame would show), a fault is
reported exactly once, and nothing is delivered after it.
"""

from __future__ import annotations

from typing import Dict, List

from hypothesis import event as note_event
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from wsproto import ConnectionState, WSConnection
from wsproto.events import CloseConnection, Message, TextMessage
from wsproto.extensions import ExtensionError
from wsproto_deflate import PerMessageDeflate

from ._faulty import HOOKS, INBOUND, Faulty, extension, open_pair

SIDES = st.sampled_from(["client", "server"])
FAULTS = st.sampled_from([(hook, kind) for hook, kinds in HOOKS.items() for kind in kinds])
TEXTS = st.text(st.characters(codec="utf-8"), max_size=300)
CAN_SEND = (ConnectionState.OPEN, ConnectionState.REMOTE_CLOSING)


def other(side: str) -> str:
    return "server" if side == "client" else "client"


class FaultMachine(RuleBasedStateMachine):
    conns: Dict[str, WSConnection]

    @initialize(deflate=st.booleans())
    def open(self, deflate: bool) -> None:
        def make() -> list:  # type: ignore[type-arg]
            return [Faulty(), PerMessageDeflate()] if deflate else [Faulty()]

        client, server = open_pair(make, make)
        self.conns = {"client": client, "server": server}
        self.faulty = {side: extension(conn, Faulty) for side, conn in self.conns.items()}
        self.armed: Dict[str, List[str]] = {"client": [], "server": []}
        self.wire = {"client": b"", "server": b""}  # bytes from a side, not yet delivered
        self.sent: Dict[str, List[str]] = {"client": [], "server": []}
        self.received: Dict[str, List[str]] = {"client": [], "server": []}
        self.partial = {"client": "", "server": ""}
        self.faulted_in = {"client": False, "server": False}
        self.faulted_out = {"client": False, "server": False}
        self.closes: Dict[str, List[int]] = {"client": [], "server": []}

    def _faulted(self, side: str) -> bool:
        return self.faulted_in[side] or self.faulted_out[side]

    @rule(side=SIDES, fault=FAULTS)
    def arm(self, side: str, fault: tuple) -> None:  # type: ignore[type-arg]
        hook, kind = fault
        if not self.faulty[side].hook:
            self.faulty[side].arm(hook, kind)
            self.armed[side].append(hook)

    @rule(side=SIDES, text=TEXTS)
    def send(self, side: str, text: str) -> None:
        conn = self.conns[side]
        if conn.state not in CAN_SEND:
            return
        try:
            data = conn.send(TextMessage(text))
        except ExtensionError as exc:
            # Only after an armed outbound fault, or once the chain has failed.
            assert "frame_outbound" in self.armed[side] or self._faulted(side), exc
            self.faulted_out[side] = True
            note_event("outbound fault")
            return
        assert not self._faulted(side), "a faulted chain was called again"
        self.wire[side] += data
        self.sent[side].append(text)

    @rule(side=SIDES, code=st.sampled_from([1000, 1011]))
    def close(self, side: str, code: int) -> None:
        conn = self.conns[side]
        if conn.state in CAN_SEND:
            self.wire[side] += conn.send(CloseConnection(code))

    @precondition(lambda self: self.wire["client"] or self.wire["server"])
    @rule(side=SIDES)
    def deliver(self, side: str) -> None:
        """Deliver what ``side`` sent to the other side and read every event there."""
        receiver = other(side)
        conn = self.conns[receiver]
        data, self.wire[side] = self.wire[side], b""
        conn.receive_data(data)
        for event in conn.events():
            assert not self.closes[receiver], f"{event!r} after a CloseConnection"
            if isinstance(event, Message):
                assert isinstance(event, TextMessage)
                self.partial[receiver] += event.data
                if event.message_finished:
                    self.received[receiver].append(self.partial[receiver])
                    self.partial[receiver] = ""
            elif isinstance(event, CloseConnection):
                self.closes[receiver].append(event.code)
                if event.reason.startswith("internal error in extension"):
                    # An armed inbound hook faulted, or data arrived after an outbound fault
                    # (a failed chain is not called again: inbound data fails with 1011).
                    armed_in = any(h in INBOUND for h in self.armed[receiver])
                    assert armed_in or self.faulted_out[receiver], event
                    assert event.code == 1011
                    self.faulted_in[receiver] = True
                    note_event("inbound fault")
                if conn.state is ConnectionState.REMOTE_CLOSING:
                    # (not event.response(): a local fault must stay recognisable by its reason)
                    self.wire[receiver] += conn.send(CloseConnection(event.code, "reply"))

    @invariant()
    def delivered_is_an_intact_prefix_of_sent(self) -> None:
        if not hasattr(self, "conns"):
            return
        for side in ("client", "server"):
            got = self.received[other(side)]
            assert got == self.sent[side][: len(got)], "a message was lost, reordered or corrupted"


FaultMachine.TestCase.settings = settings(max_examples=60, stateful_step_count=30, deadline=None)
test_fault_state_machine = FaultMachine.TestCase
