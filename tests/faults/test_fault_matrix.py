"""Every hook x fault kind, in both roles, alone and with permessage-deflate in the chain.

Each test checks the event (or exception), the state, the report's text, that
nothing corrupted or late was delivered, that the faulted extension is never
called again, that the connection still closes with 1011, and that a second
connection with the same extension class is unaffected.
"""

from __future__ import annotations

import logging
from typing import Callable, List, Sequence

import pytest
from wsproto import ConnectionState, WSConnection
from wsproto.events import CloseConnection, Event, TextMessage
from wsproto.extensions import Extension, ExtensionError
from wsproto.utilities import LocalProtocolError
from wsproto_deflate import PerMessageDeflate

from ._faulty import HOOKS, INBOUND, Boom, Faulty, extension, open_pair

CASES = [(hook, kind) for hook, kinds in HOOKS.items() for kind in kinds]
MESSAGES = [f"message {i}: " + "the quick brown fox " * 10 for i in range(1, 5)]
CAUSES = {"raise": Boom, "type": TypeError, "rsv": ValueError}


def factory(chain: str, hook: "str | None" = None, kind: str = "raise") -> Callable[[], Sequence[Extension]]:
    def make() -> List[Extension]:
        first = Faulty(hook, kind)
        return [first, PerMessageDeflate()] if chain == "with-deflate" else [first]

    return make


def texts(events: Sequence[Event]) -> List[str]:
    return [e.data for e in events if isinstance(e, TextMessage)]


def exchange(sender: WSConnection, receiver: WSConnection, text: str) -> None:
    receiver.receive_data(sender.send(TextMessage(text)))
    events = list(receiver.events())
    assert texts(events) == [text] and len(events) == 1, events


def assert_unaffected(chain: str) -> None:
    client, server = open_pair(factory(chain), factory(chain))
    for text in MESSAGES:
        exchange(client, server, text)
        exchange(server, client, text)


@pytest.mark.parametrize("chain", ["alone", "with-deflate"])
@pytest.mark.parametrize("role", ["client", "server"])
@pytest.mark.parametrize(("hook", "kind"), CASES, ids=[f"{h}-{k}" for h, k in CASES])
def test_fault(
    hook: str, kind: str, role: str, chain: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, logger="wsproto.extensions")
    client, server = open_pair(
        factory(chain, hook if role == "client" else None, kind),
        factory(chain, hook if role == "server" else None, kind),
    )
    faulting, peer = (client, server) if role == "client" else (server, client)
    if chain == "with-deflate":
        assert [type(e) for e in faulting.connection.extensions] == [Faulty, PerMessageDeflate]  # type: ignore[union-attr]
    faulty = extension(faulting, Faulty)
    sender, receiver = (peer, faulting) if hook in INBOUND else (faulting, peer)
    for text in MESSAGES[:2]:
        exchange(sender, receiver, text)
    calls = len(faulty.calls)

    if hook in INBOUND:
        receiver.receive_data(sender.send(TextMessage(MESSAGES[2])) + sender.send(TextMessage(MESSAGES[3])))
        events = list(receiver.events())
        # Nothing of the faulting message or after it: one CloseConnection(1011).
        assert [(type(e), getattr(e, "code", None)) for e in events] == [(CloseConnection, 1011)]
        assert "x-faulty" in events[0].reason  # type: ignore[attr-defined]
        assert receiver.state is ConnectionState.REMOTE_CLOSING
        records = [r for r in caplog.records if r.name == "wsproto.extensions"]
        assert len(records) == 1
        text = records[0].getMessage()
        assert records[0].exc_info is not None
        cause = records[0].exc_info[1]
        # The faulted chain is never called again, not even to send.
        with pytest.raises(ExtensionError, match="failed earlier"):
            receiver.send(TextMessage("after the fault"))
        assert list(receiver.events()) == []
    else:
        with pytest.raises(ExtensionError) as info:
            sender.send(TextMessage(MESSAGES[2]))
        error = info.value
        assert isinstance(error, LocalProtocolError)
        assert (error.extension, error.hook) == ("x-faulty", "frame_outbound")
        text = str(error)
        cause = error.__cause__
        assert "nothing was sent" in text and "CloseConnection(1011)" in text
        assert sender.state is ConnectionState.OPEN
        with pytest.raises(ExtensionError, match="failed earlier"):
            sender.send(TextMessage(MESSAGES[3]))
        assert not [r for r in caplog.records if r.name == "wsproto.extensions"]
        # Data arriving after the fault cannot be decoded by a failed chain: 1011, not garbage.
        sender.receive_data(receiver.send(TextMessage(MESSAGES[3])))
        late = list(sender.events())
        assert [(type(e), getattr(e, "code", None)) for e in late] == [(CloseConnection, 1011)]
        assert sender.state is ConnectionState.REMOTE_CLOSING

    # The faulting call was the extension's last: the chain is never called again.
    assert faulty.calls[-1] == hook and len(faulty.calls) <= calls + 3
    assert f"extension 'x-faulty' ({Faulty.__module__}.Faulty)" in text
    assert "from distribution" in text and f"failed in {hook}" in text
    assert isinstance(cause, CAUSES[kind]), cause
    if kind == "raise":
        assert "raised Boom" in text
    elif kind == "rsv":
        assert "RSV1, which it does not own (it owns RSV3)" in text
    else:
        assert "returned" in text and "expected" in text

    # The connection still closes cleanly with 1011, and the close arrives alone.
    closer, other = (receiver, sender) if hook in INBOUND else (sender, receiver)
    other.receive_data(closer.send(CloseConnection(1011)))
    got = list(other.events())
    assert [(type(e), getattr(e, "code", None)) for e in got] == [(CloseConnection, 1011)]
    assert closer.state is ConnectionState.CLOSED  # it had received the peer's data or fault
    assert_unaffected(chain)
