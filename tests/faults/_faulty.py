"""A test extension that misbehaves on request, and an open-pair helper for the fault tests."""

from __future__ import annotations

from typing import Any, Callable, List, Optional, Sequence, Tuple

from wsproto import ConnectionType, WSConnection
from wsproto.events import AcceptConnection, Request
from wsproto.extensions import Extension
from wsproto.frame_protocol import Opcode, RsvBits

#: The hooks that can fault, and the fault kinds each one can show.
HOOKS = {
    "frame_inbound_header": ("raise", "type", "rsv"),
    "frame_inbound_payload_data": ("raise", "type"),
    "frame_inbound_complete": ("raise", "type"),
    "frame_outbound": ("raise", "type", "rsv"),
}
INBOUND = ("frame_inbound_header", "frame_inbound_payload_data", "frame_inbound_complete")
RSV1_ONLY = RsvBits(True, False, False)


class Boom(RuntimeError):
    """The exception a faulty hook raises."""


class Faulty(Extension):
    """``x-faulty``: owns RSV3, marks each message's first frame with it, passes data through.

    Armed with ``(hook, kind)``, the hook misbehaves from the ``at``-th message on
    (1-based, counted per direction): ``raise`` raises :class:`Boom`; ``type`` returns
    a typical wrong value; ``rsv`` sets (outbound) or accepts (inbound) RSV1, which
    it does not own. ``arm()`` arms it later (the state machine does that).
    """

    name = "x-faulty"
    rsv_bits = RsvBits(False, False, True)

    def __init__(self, hook: Optional[str] = None, kind: str = "raise", at: int = 3) -> None:
        self.hook = hook
        self.kind = kind
        self.at = at
        self.sent = 0  # messages started outbound
        self.received = 0  # messages started inbound
        self.calls: List[str] = []

    def fresh(self) -> Faulty:
        return Faulty(self.hook, self.kind, self.at)

    def arm(self, hook: str, kind: str) -> None:
        self.hook, self.kind, self.at = hook, kind, 0

    def offer_params(self) -> Any:
        return {}

    def accept_params(self, params: Any) -> Any:
        return {}

    def finalize_params(self, params: Any) -> None:
        pass

    def _due(self, hook: str, count: int) -> bool:
        self.calls.append(hook)
        return self.hook == hook and count >= self.at

    def frame_inbound_header(self, proto: Any, opcode: Opcode, rsv: RsvBits, length: int) -> Any:
        if opcode is not Opcode.CONTINUATION:
            self.received += 1
        if self._due("frame_inbound_header", self.received):
            if self.kind == "raise":
                raise Boom("header hook exploded")
            return None if self.kind == "type" else RSV1_ONLY
        return RsvBits(False, False, rsv.rsv3)

    def frame_inbound_payload_data(self, proto: Any, data: bytes) -> Any:
        if self._due("frame_inbound_payload_data", self.received):
            if self.kind == "raise":
                raise Boom("payload hook exploded")
            return True  # bytes(True) would have been b"\x00"
        return data

    def frame_inbound_complete(self, proto: Any, fin: bool) -> Any:
        if self._due("frame_inbound_complete", self.received):
            if self.kind == "raise":
                raise Boom("complete hook exploded")
            return "tail"
        return None

    def frame_outbound(
        self, proto: Any, opcode: Opcode, rsv: RsvBits, data: bytes, fin: bool
    ) -> Any:
        if opcode is not Opcode.CONTINUATION:
            self.sent += 1
        if self._due("frame_outbound", self.sent):
            if self.kind == "raise":
                raise Boom("outbound hook exploded")
            if self.kind == "type":
                return data  # forgot the RSV bits
            return RsvBits(True, rsv.rsv2, rsv.rsv3), data
        if opcode is not Opcode.CONTINUATION:
            rsv = RsvBits(rsv.rsv1, rsv.rsv2, True)
        return rsv, data


def open_pair(
    client_exts: Callable[[], Sequence[Extension]],
    server_exts: Callable[[], Sequence[Extension]],
) -> Tuple[WSConnection, WSConnection]:
    """An open (client, server) pair; each side's extensions come from its factory."""
    client = WSConnection(ConnectionType.CLIENT)
    server = WSConnection(ConnectionType.SERVER)
    server.receive_data(client.send(Request(host="h", target="/", extensions=client_exts())))
    assert [type(e) for e in server.events()] == [Request]
    client.receive_data(server.send(AcceptConnection(extensions=list(server_exts()))))
    assert [type(e) for e in client.events()] == [AcceptConnection]
    return client, server


def extension(conn: WSConnection, cls: type) -> Any:
    """The negotiated instance of ``cls`` on ``conn``."""
    assert conn.connection is not None
    found = [e for e in conn.connection.extensions if isinstance(e, cls)]
    assert len(found) == 1, conn.connection.extensions
    return found[0]
