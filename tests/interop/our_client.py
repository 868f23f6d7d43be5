"""Our library as the client of one scenario; returns the common result dict."""

from __future__ import annotations

import socket
from typing import Any, Optional, Union

from wsproto import ConnectionType, WSConnection
from wsproto.events import (
    AcceptConnection,
    BytesMessage,
    Ping,
    RejectConnection,
    RejectData,
    Request,
    TextMessage,
)

from . import scenarios as sc
from .wsio import WsIO, header_value, our_extensions


def _handshake(io: WsIO, port: int, path: str, extensions: list[Any]) -> dict[str, Any]:
    io.send(Request(host=f"127.0.0.1:{port}", target=path, extensions=extensions))
    event = io.next_event()
    if isinstance(event, AcceptConnection):
        return {
            "accepted": True,
            "extensions": header_value(io.head_in, b"sec-websocket-extensions") or "",
            "extension_names": [ext.name for ext in event.extensions],
        }
    if isinstance(event, RejectConnection):
        body = b""
        more = event.has_body
        while more:
            data = io.next_event()
            if not isinstance(data, RejectData):
                raise AssertionError(f"expected RejectData, got {data!r}")
            body += data.data
            more = not data.body_finished
        return {"accepted": False, "status": event.status_code, "body": body.decode()}
    raise AssertionError(f"unexpected handshake event {event!r}")


def _echo(io: WsIO, scenario: str) -> dict[str, Any]:
    payload = sc.PAYLOADS[scenario]
    before = io.bytes_in
    if scenario == "echo_fragmented":
        assert isinstance(payload, str)
        parts = sc.fragments(payload)
        for i, part in enumerate(parts):
            io.send(TextMessage(data=part, message_finished=i == len(parts) - 1))
    elif isinstance(payload, str):
        io.send(TextMessage(data=payload))
    else:
        io.send(BytesMessage(data=payload))
    reply = io.recv_message()
    data = reply.data
    return {
        "type": "text" if isinstance(data, str) else "binary",
        "length": len(data.encode() if isinstance(data, str) else data),
        "equal": data == payload,
        "wire_bytes_in": io.bytes_in - before,
    }


def _echo_sequence(io: WsIO) -> dict[str, Any]:
    replies: list[Union[str, bytes]] = []
    for payload in sc.SEQUENCE:
        io.send(
            TextMessage(data=payload) if isinstance(payload, str) else BytesMessage(data=payload)
        )
        replies.append(io.recv_message().data)
    return {"equal": replies == list(sc.SEQUENCE), "count": len(replies)}


def _converse(io: WsIO, scenario: str) -> dict[str, Any]:
    if scenario in sc.ECHO_SCENARIOS:
        result = _echo(io, scenario)
    elif scenario == "echo_sequence":
        result = _echo_sequence(io)
    elif scenario == "ping_client":
        io.send(Ping(payload=sc.CLIENT_PING))
        result = {"pong": bytes(io.recv_pong().payload).hex()}
    elif scenario == "ping_server":
        io.send(TextMessage(data="ping-me"))
        reply = io.recv_message()
        result = {"reply": reply.data, "pings_seen": [p.hex() for p in io.pings]}
    elif scenario == "close_server":
        io.send(TextMessage(data="close-me"))
        close = io.recv_close()
        return {"code": close.code, "reason": close.reason or ""}
    elif scenario == "close_client":
        code, reason = sc.CLIENT_CLOSE
        close = io.close(code, reason)
        return {"code": close.code, "reason": close.reason or ""}
    else:
        raise AssertionError(f"unknown scenario {scenario!r}")
    io.close(1000, "done")
    return result


def run(
    scenario: str,
    port: int,
    tag: str,
    *,
    compress: bool,
    extensions: Optional[list[Any]] = None,
    timeout: float = 15.0,
) -> dict[str, Any]:
    """Run ``scenario`` with our client against the server on 127.0.0.1:``port``.

    ``extensions`` replaces the default offer (every installed extension) when given.
    """
    result: dict[str, Any] = {"scenario": scenario, "error": None}
    sock: Optional[socket.socket] = None
    try:
        offer = (extensions if extensions is not None else our_extensions()) if compress else []
        sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        io = WsIO(sock, WSConnection(ConnectionType.CLIENT), timeout=timeout)
        result.update(_handshake(io, port, sc.target(scenario, tag), offer))
        if result["accepted"]:
            result.update(_converse(io, scenario))
        if scenario == "reject":
            result["failed"] = not result["accepted"]
        io.shutdown()
    except Exception as exc:
        result["error"] = f"{type(exc).__name__}: {exc}"
        if sock is not None:
            sock.close()
    return result
