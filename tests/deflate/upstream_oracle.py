"""Runs inside a venv with upstream wsproto 1.3.2: answers JSON-line requests on stdin.

Used by tests/deflate/upstream.py to compute upstream's answers live (never a
hard-coded table) and to act as an upstream peer over a byte pipe. Each input
line is one JSON request, each output line one JSON answer. Requests:

* ``{"op": "ext", "config": {...}, "calls": [[method, arg], ...]}``: build a
  ``PerMessageDeflate(**config)``, call the methods in order (``offer``,
  ``accept``, ``finalize``; ``repr`` and ``attrs`` take no argument) and return
  each result (``{"error": type name}`` when it raises).
* ``{"op": "header", "offer": "...", "opcode": n, "rsv": [b, b, b]}``: what a
  server's ``PerMessageDeflate`` that accepted ``offer`` answers to one inbound
  frame header.
* ``{"op": "conn", "id": n, "role": "client"|"server"}``: a new ``WSConnection``.
* ``{"op": "send", "id": n, "event": {...}}``: the bytes it sends, in hex.
* ``{"op": "recv", "id": n, "hex": "..."}``: the events it produces.
"""

from __future__ import annotations

import json
import sys
import types
from typing import Any, Dict, List

from wsproto import ConnectionType, WSConnection
from wsproto.events import (
    AcceptConnection,
    BytesMessage,
    CloseConnection,
    Event,
    Message,
    Request,
    TextMessage,
)
from wsproto.extensions import PerMessageDeflate
from wsproto.frame_protocol import Opcode, RsvBits


def attrs(ext: PerMessageDeflate) -> Dict[str, Any]:
    names = (
        "client_no_context_takeover",
        "client_max_window_bits",
        "server_no_context_takeover",
        "server_max_window_bits",
    )
    return {name: getattr(ext, name) for name in names}


def call(ext: PerMessageDeflate, method: str, arg: Any) -> Any:
    try:
        if method == "repr":
            return repr(ext)
        if method == "attrs":
            return attrs(ext)
        if method == "enabled":
            return ext.enabled()
        if method == "offer":
            return ext.offer()
        return getattr(ext, method)(arg)
    except Exception as exc:  # report, as the test compares error kinds too
        return {"error": type(exc).__name__}


def make_event(spec: Dict[str, Any]) -> Event:
    kind = spec["type"]
    exts = [PerMessageDeflate(**c) for c in spec.get("extensions", [])]
    if kind == "request":
        return Request(host="localhost", target="/", extensions=exts)
    if kind == "accept":
        return AcceptConnection(extensions=exts)
    if kind == "text":
        return TextMessage(data=spec["data"], message_finished=spec.get("fin", True))
    if kind == "bytes":
        return BytesMessage(data=bytes.fromhex(spec["hex"]), message_finished=spec.get("fin", True))
    if kind == "close":
        return CloseConnection(code=spec["code"])
    raise ValueError(kind)


def describe(event: Event) -> Dict[str, Any]:
    out: Dict[str, Any] = {"type": type(event).__name__}
    if isinstance(event, Message):
        data = event.data
        if isinstance(data, str):
            out["data"] = data
        else:
            out["hex"] = bytes(data).hex()
        out["fin"] = event.message_finished
    elif isinstance(event, (Request, AcceptConnection)):
        exts = event.extensions or []
        out["extensions"] = [e if isinstance(e, str) else repr(e) for e in exts]
    elif isinstance(event, CloseConnection):
        out["code"] = int(event.code)
    return out


def main() -> None:
    conns: Dict[int, WSConnection] = {}
    for line in sys.stdin:
        req = json.loads(line)
        op = req["op"]
        answer: Any
        if op == "ext":
            try:
                ext = PerMessageDeflate(**req["config"])
            except Exception as exc:
                answer = {"error": type(exc).__name__}
            else:
                answer = [call(ext, m, a) for m, a in req["calls"]]
        elif op == "header":
            ext = PerMessageDeflate()
            ext.accept(req["offer"])
            proto = types.SimpleNamespace(client=False)
            result = ext.frame_inbound_header(proto, Opcode(req["opcode"]), RsvBits(*req["rsv"]), 0)
            answer = int(result) if isinstance(result, int) else list(result)
        elif op == "conn":
            role = ConnectionType.CLIENT if req["role"] == "client" else ConnectionType.SERVER
            conns[req["id"]] = WSConnection(role)
            answer = None
        elif op == "send":
            answer = conns[req["id"]].send(make_event(req["event"])).hex()
        elif op == "recv":
            conn = conns[req["id"]]
            conn.receive_data(bytes.fromhex(req["hex"]))
            events: List[Dict[str, Any]] = [describe(e) for e in conn.events()]
            answer = events
        else:
            answer = {"error": f"unknown op {op}"}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
