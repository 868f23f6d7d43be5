"""Drive ``wsproto.frame_protocol`` of whichever wsproto is importable; print a JSON transcript.

Standalone on purpose (no pytest, no test helpers): the differential test runs it under
this project and under upstream wsproto 1.3.2, with the same scenarios on stdin, and
compares the two transcripts. A scenario is a JSON object:

* ``client``: the role of the FrameProtocol;
* ``chunks``: hex strings fed one ``receive_bytes`` call at a time;
* ``send``: outbound calls, ``[method, args...]`` (bytes args as ``{"hex": ...}``);
* ``extension``: true to pass a recording extension (RSV3, XOR 0x20 on data payloads).

Outbound frames are reported unmasked (header fields plus payload), since client
masking keys are random. Control-frame hook calls are tagged so that the test can
set aside the one documented difference (1.x passed control frames to extensions).
"""

from __future__ import annotations

import json
import sys
from typing import Any, Dict, List, Optional, Tuple

from wsproto.extensions import Extension
from wsproto.frame_protocol import (
    CloseReason,
    Frame,
    FrameDecoder,
    FrameProtocol,
    Opcode,
    ParseFailed,
    RsvBits,
)


class Recorder(Extension):
    """An upstream-style extension: owns RSV3 on data frames, flips bit 0x20 of every byte."""

    name = "x-recorder"

    def __init__(self) -> None:
        self.log: List[List[Any]] = []
        self._opcode = -1

    def enabled(self) -> bool:
        return True

    def offer(self) -> Any:  # abstract in 1.x; never called here
        return None

    def frame_inbound_header(
        self, proto: Any, opcode: Opcode, rsv: RsvBits, payload_length: int
    ) -> Any:
        self._opcode = int(opcode)
        self.log.append(
            ["header", type(proto).__name__, proto.client, int(opcode), list(rsv), payload_length]
        )
        if opcode.iscontrol():
            return RsvBits(False, False, False)
        return RsvBits(False, False, True)

    def frame_inbound_payload_data(self, proto: Any, data: bytes) -> Any:
        self.log.append(["data", self._opcode, data.hex()])
        if self._opcode >= 8:
            return data
        return bytes(b ^ 0x20 for b in data)

    def frame_inbound_complete(self, proto: Any, fin: bool) -> Any:
        self.log.append(["complete", self._opcode, fin])
        return None

    def frame_outbound(
        self, proto: Any, opcode: Opcode, rsv: RsvBits, data: bytes, fin: bool
    ) -> Tuple[RsvBits, bytes]:
        self.log.append(["outbound", type(proto).__name__, int(opcode), list(rsv), data.hex(), fin])
        if opcode.iscontrol():
            return rsv, data
        return RsvBits(rsv[0], rsv[1], True), bytes(b ^ 0x20 for b in data)


def describe(frame: Frame) -> List[Any]:
    payload = frame.payload
    if isinstance(payload, tuple):
        code, reason = payload
        kind = f"CloseReason.{code.name}" if isinstance(code, CloseReason) else "int"
        shown: Any = ["close", int(code), kind, reason]
    elif isinstance(payload, str):
        shown = ["str", payload]
    else:
        shown = [type(payload).__name__, bytes(payload).hex()]
    return [repr(frame.opcode), shown, frame.frame_finished, frame.message_finished]


def unframe(data: bytes) -> List[Any]:
    """Split serialised frames into [byte0, masked, length, payload hex] (payload unmasked)."""
    out = []
    pos = 0
    while pos < len(data):
        b0, b1 = data[pos], data[pos + 1]
        length, pos = b1 & 0x7F, pos + 2
        if length == 126:
            length, pos = int.from_bytes(data[pos : pos + 2], "big"), pos + 2
        elif length == 127:
            length, pos = int.from_bytes(data[pos : pos + 8], "big"), pos + 8
        key: Optional[bytes] = None
        if b1 & 0x80:
            key, pos = data[pos : pos + 4], pos + 4
        payload = data[pos : pos + length]
        pos += length
        if key is not None:
            payload = bytes(c ^ key[i % 4] for i, c in enumerate(payload))
        out.append([b0, bool(key), length, payload.hex()])
    return out


def argument(value: Any) -> Any:
    if isinstance(value, dict):
        return bytes.fromhex(value["hex"])
    return value


def run(scenario: Dict[str, Any]) -> Dict[str, Any]:
    recorder = Recorder() if scenario.get("extension") else None
    extensions: List[Extension] = [recorder] if recorder else []
    proto = FrameProtocol(client=scenario["client"], extensions=extensions)
    received: List[Any] = []
    for index, chunk in enumerate(scenario.get("chunks", [])):
        proto.receive_bytes(bytes.fromhex(chunk))
        try:
            for frame in proto.received_frames():
                received.append([index, *describe(frame)])
        except ParseFailed as exc:
            received.append(["ParseFailed", int(exc.code)])
            # 1.x ends parsing at a failure: later bytes must yield nothing.
            proto.receive_bytes(b"\x81\x00")
            received.append(["after", [describe(f) for f in proto.received_frames()]])
            break
    sent: List[Any] = []
    for method, *args in scenario.get("send", []):
        try:
            data = getattr(proto, method)(*(argument(a) for a in args))
            sent.append([type(data).__name__, unframe(bytes(data))])
        except Exception as exc:  # the exception type is part of the behaviour compared
            sent.append(["raised", type(exc).__name__])
    raw: List[Any] = []
    if scenario.get("raw"):
        decoder = FrameDecoder(client=scenario["client"])
        for chunk in scenario.get("chunks", []):
            decoder.receive_bytes(bytes.fromhex(chunk))
            try:
                while True:
                    frame = decoder.process_buffer()
                    if frame is None:
                        break
                    raw.append(describe(frame))
            except ParseFailed as exc:
                raw.append(["ParseFailed", int(exc.code)])
                break
    return {
        "received": received,
        "sent": sent,
        "raw": raw,
        "hooks": recorder.log if recorder else [],
    }


def main() -> None:
    scenarios = json.load(sys.stdin)
    json.dump({name: run(s) for name, s in scenarios.items()}, sys.stdout)


if __name__ == "__main__":
    main()
