"""The rest of the run-time contract: distributions named, ownership of undeclared bits,
stuck extensions, close codes, and faults that pass through unchanged."""

from __future__ import annotations

import logging
from typing import Any, List

import pytest
from wsproto import ConnectionState
from wsproto.events import BytesMessage, CloseConnection, TextMessage
from wsproto.extensions import Extension, ExtensionError
from wsproto.frame_protocol import CloseReason, Opcode, ParseFailed, RsvBits
from wsproto_deflate import PerMessageDeflate

from wsproto_example_plugins import PerMessageBzip2

from ._faulty import open_pair


class Plain(Extension):
    """An upstream-style extension: declares no RSV bits; behaviour set per test."""

    name = "x-plain"

    def __init__(self, behaviour: str = "") -> None:
        self.behaviour = behaviour

    def fresh(self) -> Plain:
        return Plain(self.behaviour)

    def offer_params(self) -> Any:
        return {}

    def accept_params(self, params: Any) -> Any:
        return {}

    def finalize_params(self, params: Any) -> None:
        pass

    def frame_outbound(self, proto: Any, opcode: Opcode, rsv: RsvBits, data: bytes, fin: bool) -> Any:
        if self.behaviour == "set-rsv1" and opcode is not Opcode.CONTINUATION:
            return RsvBits(True, rsv.rsv2, rsv.rsv3), data
        if self.behaviour == "set-rsv2" and opcode is not Opcode.CONTINUATION:
            return RsvBits(rsv.rsv1, True, rsv.rsv3), data
        return rsv, data

    def frame_inbound_header(self, proto: Any, opcode: Opcode, rsv: RsvBits, length: int) -> Any:
        return RsvBits(False, rsv.rsv2, False)

    def frame_inbound_payload_data(self, proto: Any, data: bytes) -> Any:
        if self.behaviour == "stuck":
            self.inbound_pending = True
            return b""
        if self.behaviour == "raise-parse-failed":
            raise ParseFailed("upstream style failure", CloseReason.POLICY_VIOLATION)
        if self.behaviour == "bad-code":
            return CloseReason.ABNORMAL_CLOSURE  # 1006 may never be sent
        return data


def records(caplog: pytest.LogCaptureFixture) -> List[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "wsproto.extensions"]


def test_inbound_fault_names_the_deflate_distribution(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    client, server = open_pair(lambda: [PerMessageDeflate()], lambda: [PerMessageDeflate()])
    original = ZeroDivisionError("inflater bug")

    def broken(self: Any, proto: Any, data: bytes) -> bytes:
        raise original

    monkeypatch.setattr(PerMessageDeflate, "frame_inbound_payload_data", broken)
    server.receive_data(client.send(TextMessage("hello " * 50)))
    events = list(server.events())
    assert [(type(e), getattr(e, "code", None)) for e in events] == [(CloseConnection, 1011)]
    (record,) = records(caplog)
    assert "'permessage-deflate'" in record.getMessage()
    assert "from distribution wsproto-deflate " in record.getMessage()
    assert record.exc_info is not None and record.exc_info[1] is original


def test_outbound_fault_names_the_example_plugin_distribution(monkeypatch: pytest.MonkeyPatch) -> None:
    client, server = open_pair(lambda: [PerMessageBzip2()], lambda: [PerMessageBzip2()])
    original = MemoryError("no memory for bzip2")

    def broken(*args: Any) -> Any:
        raise original

    monkeypatch.setattr(PerMessageBzip2, "frame_outbound", broken)
    with pytest.raises(ExtensionError) as info:
        server.send(BytesMessage(b"x" * 1000))
    assert info.value.__cause__ is original
    assert info.value.extension == "permessage-bzip2"
    assert (info.value.distribution or "").startswith("wsproto-example-plugins ")
    assert "raised MemoryError: no memory for bzip2" in str(info.value)


def test_an_undeclared_extension_owns_only_the_bits_nobody_declared() -> None:
    # Next to permessage-deflate (RSV1), an upstream-style extension may use RSV2 ...
    client, server = open_pair(
        lambda: [PerMessageDeflate(), Plain("set-rsv2")], lambda: [PerMessageDeflate(), Plain()]
    )
    wire = client.send(TextMessage("hello " * 50))
    assert wire[0] & 0x70 == 0x60  # RSV1 from deflate, RSV2 from the plain extension
    server.receive_data(wire)
    assert [e.data for e in server.events() if isinstance(e, TextMessage)] == ["hello " * 50]
    # ... but not RSV1, which deflate owns: that would make the peer inflate plain text.
    client, server = open_pair(
        lambda: [Plain("set-rsv1"), PerMessageDeflate()], lambda: [Plain(), PerMessageDeflate()]
    )
    with pytest.raises(ExtensionError, match="changed RSV1, which it does not own"):
        client.send(TextMessage("x" * 10))


def test_a_stuck_pending_extension_fails_instead_of_looping(caplog: pytest.LogCaptureFixture) -> None:
    client, server = open_pair(lambda: [Plain()], lambda: [Plain("stuck")])
    server.receive_data(client.send(TextMessage("hello")))
    events = []
    for event in server.events():  # bounded by the guard: at most 64 empty steps, then 1011
        events.append(event)
        assert len(events) < 200
    assert isinstance(events[-1], CloseConnection) and events[-1].code == 1011
    assert all(e.data == "" for e in events[:-1])  # type: ignore[attr-defined]
    assert "inbound_pending true while returning nothing" in records(caplog)[0].getMessage()


def test_parse_failed_with_a_sendable_code_is_a_deliberate_failure(
    caplog: pytest.LogCaptureFixture,
) -> None:
    client, server = open_pair(lambda: [Plain()], lambda: [Plain("raise-parse-failed")])
    server.receive_data(client.send(TextMessage("hello")))
    events = list(server.events())
    assert [(type(e), getattr(e, "code", None)) for e in events] == [(CloseConnection, 1008)]
    assert records(caplog) == []  # not a fault: upstream-era extensions failed frames this way
    assert server.state is ConnectionState.REMOTE_CLOSING


def test_an_unsendable_close_code_is_a_fault(caplog: pytest.LogCaptureFixture) -> None:
    client, server = open_pair(lambda: [Plain()], lambda: [Plain("bad-code")])
    server.receive_data(client.send(TextMessage("hello")))
    events = list(server.events())
    assert [(type(e), getattr(e, "code", None)) for e in events] == [(CloseConnection, 1011)]
    assert "returned close code 1006, which may not be sent" in records(caplog)[0].getMessage()


def test_the_registry_names_the_distribution_of_a_loaded_plugin() -> None:
    from wsproto import _registry, plugins

    plugins.installed_extensions()  # loads the entry points, as an application does
    found = _registry.distribution_of(PerMessageDeflate)
    assert found is not None and found.startswith("wsproto-deflate ")
    assert _registry.distribution_of(Plain) is None  # not provided by any plugin


class Picky(Plain):
    """Crashes on a parameter value, or returns parameters that cannot be serialised."""

    name = "x-picky"

    def fresh(self) -> Picky:
        return Picky(self.behaviour)

    def accept_params(self, params: Any) -> Any:
        if self.behaviour == "unusable":
            return {"level": 5}  # an int where a str is due
        return {"level": str(int(params["level"]) * 2)}  # KeyError without "level"


@pytest.mark.parametrize(("behaviour", "offer", "why"), [
    ("", "x-picky", "raised KeyError"),
    ("unusable", "x-picky; level=1", "raised TypeError"),
])
def test_an_accept_params_crash_declines_the_offer(
    behaviour: str, offer: str, why: str, caplog: pytest.LogCaptureFixture
) -> None:
    from wsproto import ConnectionType, WSConnection
    from wsproto.events import AcceptConnection, Request

    server = WSConnection(ConnectionType.SERVER)
    server.receive_data(
        b"GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        b"Sec-WebSocket-Extensions: " + offer.encode() + b", x-picky; level=3\r\n\r\n"
    )
    assert [type(e).__name__ for e in server.events()] == ["Request"]
    response = server.send(AcceptConnection(extensions=[Picky(behaviour)]))
    assert b" 101 " in response.split(b"\r\n")[0]
    accepted = b"x-picky; level=6" in response
    assert accepted == (behaviour == "")  # the next offer is tried, as for a ValueError
    found = records(caplog)
    assert len(found) == (1 if behaviour == "" else 2)  # one per offer that crashed it
    record = found[0]
    assert "extension 'x-picky'" in record.getMessage() and "accept_params" in record.getMessage()
    assert why in record.getMessage() and "the offer was declined" in record.getMessage()


class Unprintable(Exception):
    def __str__(self) -> str:
        raise RuntimeError("no text for you")


@pytest.mark.parametrize(("exc", "shown"), [
    (Unprintable(), "raised Unprintable: <str() of the exception failed>"),
    (ValueError("x" * 100_000), "raised ValueError: " + "x" * 300 + "..."),
])
def test_the_report_survives_any_exception_text(
    exc: Exception, shown: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    client, server = open_pair(lambda: [Plain()], lambda: [Plain()])

    def broken(self: Any, proto: Any, data: bytes) -> bytes:
        raise exc

    monkeypatch.setattr(Plain, "frame_inbound_payload_data", broken)
    server.receive_data(client.send(TextMessage("hello")))
    assert [getattr(e, "code", None) for e in server.events()] == [1011]
    message = records(caplog)[0].getMessage()
    assert shown + "; the connection was failed with 1011" in message


class Alternates(Plain):
    """Returns the documented alternatives to the common types, or a close code at frame end."""

    name = "x-alternates"
    rsv_bits = RsvBits(False, True, False)

    def fresh(self) -> Alternates:
        return Alternates(self.behaviour)

    def frame_outbound(self, proto: Any, opcode: Opcode, rsv: RsvBits, data: bytes, fin: bool) -> Any:
        return (False, opcode is not Opcode.CONTINUATION, False), memoryview(b"<" + data)

    def frame_inbound_header(self, proto: Any, opcode: Opcode, rsv: RsvBits, length: int) -> Any:
        return (False, rsv.rsv2, False)  # a plain tuple of three bools

    def frame_inbound_payload_data(self, proto: Any, data: bytes) -> Any:
        return bytearray(data[1:] if data.startswith(b"<") else data)

    def frame_inbound_complete(self, proto: Any, fin: bool) -> Any:
        if self.behaviour == "code-at-end":
            return 1007
        return bytearray(b"!")


def test_documented_alternative_types_are_taken(caplog: pytest.LogCaptureFixture) -> None:
    client, server = open_pair(lambda: [Alternates()], lambda: [Alternates()])
    wire = client.send(BytesMessage(b"data"))
    assert wire[0] & 0x70 == 0x20  # RSV2 from a plain tuple
    server.receive_data(wire)
    events = list(server.events())
    assert [(type(e.data), e.data) for e in events] == [(bytes, b"data!")]  # type: ignore[attr-defined]
    assert records(caplog) == []


def test_a_close_code_at_frame_end_fails_the_frame(caplog: pytest.LogCaptureFixture) -> None:
    client, server = open_pair(lambda: [Alternates()], lambda: [Alternates("code-at-end")])
    server.receive_data(client.send(BytesMessage(b"data")))
    assert [getattr(e, "code", None) for e in server.events()] == [1007]
    assert records(caplog) == []


class RaisingPending(Plain):
    name = "x-raising-pending"

    def fresh(self) -> RaisingPending:
        return RaisingPending(self.behaviour)

    @property  # type: ignore[override]
    def inbound_pending(self) -> bool:
        if self.behaviour == "raise":
            raise AttributeError("lost my state")
        return False


def test_a_raising_inbound_pending_is_a_fault(caplog: pytest.LogCaptureFixture) -> None:
    client, server = open_pair(lambda: [RaisingPending()], lambda: [RaisingPending("raise")])
    assert server.connection is not None and server.connection.extensions
    server.receive_data(client.send(TextMessage("hello")))
    assert [getattr(e, "code", None) for e in server.events()] == [1011]
    message = records(caplog)[0].getMessage()
    assert "failed in inbound_pending: raised AttributeError: lost my state" in message


class SendsText(Plain):
    """frame_outbound returns a str payload once armed."""

    name = "x-sends-text"

    def fresh(self) -> SendsText:
        return SendsText(self.behaviour)

    def frame_outbound(self, proto: Any, opcode: Opcode, rsv: RsvBits, data: bytes, fin: bool) -> Any:
        if self.behaviour == "armed":
            return rsv, data.decode()
        return rsv, data


def test_an_outbound_fault_in_the_middle_of_an_inbound_frame(caplog: pytest.LogCaptureFixture) -> None:
    client, server = open_pair(lambda: [SendsText()], lambda: [SendsText()])
    ext = server.connection.extensions[0]  # type: ignore[union-attr]
    wire = client.send(TextMessage("first half|second half"))
    server.receive_data(wire[:-11])  # the header and part of the payload
    assert [e.data for e in server.events()] == ["first half|"]  # type: ignore[attr-defined]
    ext.behaviour = "armed"
    with pytest.raises(ExtensionError, match="returned a payload of type str: expected bytes"):
        server.send(TextMessage("reply"))
    server.receive_data(wire[-11:])  # the rest reaches a chain that is not called again
    events = list(server.events())
    assert [(type(e), getattr(e, "code", None)) for e in events] == [(CloseConnection, 1011)]
    assert events[0].reason == "internal error in extension x-sends-text"  # type: ignore[attr-defined]
    assert records(caplog) == []  # the fault was reported once, by the exception
