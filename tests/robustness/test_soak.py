"""Soak: a client and a server over a real loopback TCP connection exchange 10,000 messages.

Sizes run from 0 B to 1 MiB (mostly small, some large), every message is sent in a
random number of fragments, the bytes are read with random ``recv`` sizes and fed to
``receive_data`` in random splits, and pings are interleaved. The server checks every
message against the sender's generator and echoes it; the client checks every echo.
Both endpoints run in one thread on non-blocking sockets, so nothing can deadlock; the
loop stops at a deadline.

``WSPROTO_SOAK_MESSAGES`` changes the message count (default 10,000).
"""

from __future__ import annotations

import os
import random
import selectors
import socket
import time
from typing import Any, Dict, List, Optional, Tuple, Union

import pytest

from wsproto import ConnectionType, WSConnection
from wsproto.connection import ConnectionState
from wsproto.events import (
    AcceptConnection,
    BytesMessage,
    CloseConnection,
    Message,
    Ping,
    Pong,
    Request,
    TextMessage,
)

from ._support import ExtFactory, negotiated, no_extensions, setup_factory

MESSAGES = int(os.environ.get("WSPROTO_SOAK_MESSAGES", "10000"))
DEADLINE_S = float(os.environ.get("WSPROTO_SOAK_DEADLINE", "240"))
_CORPUS = random.Random(7).randbytes(1 << 20)
_TEXT = ("The quick brown fox jumps over the lazy dog. Zoë's café déjà vu — ☃ 😀 " * 20000)[
    : 1 << 20
]


def message(index: int) -> Union[str, bytes]:
    """The index-th message: deterministic, so both ends can regenerate it."""
    rng = random.Random(index * 7919 + 1)
    roll = rng.random()
    if roll < 0.02:
        size = rng.randint(64 << 10, 1 << 20)  # 2%: large, up to 1 MiB
    elif roll < 0.15:
        size = rng.randint(1 << 10, 64 << 10)
    elif roll < 0.17:
        size = 0
    else:
        size = rng.randint(1, 1 << 10)
    start = rng.randint(0, (1 << 20) - size)
    kind = rng.random()
    if kind < 0.4:
        return _TEXT[start : start + size]
    if kind < 0.7:
        return _CORPUS[start : start + size]  # incompressible
    return (b"%08d," % index) * (size // 9) + b"x" * (size % 9)  # compressible


def fragments(data: Union[str, bytes], rng: random.Random) -> List[Union[str, bytes]]:
    """Split a message into 1-5 fragments at random places (empty fragments allowed)."""
    if rng.random() < 0.6 or not data:
        return [data]
    cuts = sorted(rng.randint(0, len(data)) for _ in range(rng.randint(1, 4)))
    bounds = [0, *cuts, len(data)]
    return [data[a:b] for a, b in zip(bounds, bounds[1:])]


class Endpoint:
    """One end: a WSConnection, its socket, its outgoing buffer, and message reassembly."""

    def __init__(self, ws: WSConnection, sock: socket.socket, rng: random.Random) -> None:
        self.ws = ws
        self.sock = sock
        self.rng = rng
        self.out = bytearray()
        self.parts: List[Any] = []
        self.kind: Optional[type] = None
        self.eof = False

    def send(self, event: Any) -> None:
        self.out += self.ws.send(event)

    def flush(self) -> None:
        while self.out:
            try:
                n = self.sock.send(
                    memoryview(self.out)[: self.rng.choice((1 << 10, 1 << 16, 1 << 20))]
                )
            except BlockingIOError:
                return
            del self.out[:n]

    def read(self) -> List[Any]:
        """Read once with a random size; feed it in random splits; return the events."""
        try:
            data = self.sock.recv(self.rng.choice((1, 7, 100, 1500, 1 << 14, 1 << 17)))
        except BlockingIOError:
            return []
        if not data:
            self.eof = True
            self.ws.receive_data(None)
            return list(self.ws.events())
        events: List[Any] = []
        pos = 0
        while pos < len(data):
            step = self.rng.choice((1, 3, 64, 4096, len(data)))
            self.ws.receive_data(data[pos : pos + step])
            pos += step
            events.extend(self.ws.events())
        return events

    def assemble(self, event: Message[Any]) -> Optional[Union[str, bytes]]:
        """Collect a message's pieces; return it whole when it ends."""
        assert self.kind in (None, type(event)), "message type changed mid-message"
        self.kind = type(event)
        self.parts.append(event.data)
        if not event.message_finished:
            return None
        joined = ("" if isinstance(event, TextMessage) else b"").join(self.parts)
        self.parts = []
        self.kind = None
        return joined


def _pair(factory: ExtFactory) -> Tuple[socket.socket, socket.socket]:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(10)
    client = socket.create_connection(listener.getsockname(), timeout=10)
    server, _ = listener.accept()
    listener.close()
    for s in (client, server):
        s.setblocking(False)
    return client, server


def run_soak(factory: ExtFactory, count: int, seed: int) -> Dict[str, int]:
    """Run the exchange; return counters. Asserts on any mismatch."""
    rng = random.Random(seed)
    csock, ssock = _pair(factory)
    client = Endpoint(WSConnection(ConnectionType.CLIENT), csock, random.Random(seed + 1))
    server = Endpoint(WSConnection(ConnectionType.SERVER), ssock, random.Random(seed + 2))
    client.send(Request(host="127.0.0.1", target="/soak", extensions=factory()))
    sel = selectors.DefaultSelector()
    sel.register(csock, selectors.EVENT_READ, client)
    sel.register(ssock, selectors.EVENT_READ, server)
    stats = {"sent": 0, "echoed": 0, "checked_by_server": 0, "pings": 0, "pongs": 0, "bytes": 0}
    pings_out: List[bytes] = []
    open_ = False
    closed = {"client": False, "server": False}
    deadline = time.monotonic() + DEADLINE_S
    try:
        while not (closed["client"] and closed["server"]):
            assert time.monotonic() < deadline, f"soak did not finish in {DEADLINE_S}s: {stats}"
            # The client keeps at most ~2 MiB in flight so that memory stays flat.
            while open_ and stats["sent"] < count and len(client.out) < (2 << 20):
                data = message(stats["sent"])
                for i, part in enumerate(frag := fragments(data, rng)):
                    client.send(Message(data=part, message_finished=i == len(frag) - 1))
                    if rng.random() < 0.02:
                        payload = rng.randbytes(rng.randint(0, 125))
                        pings_out.append(payload)
                        client.send(Ping(payload))
                        stats["pings"] += 1
                stats["sent"] += 1
                stats["bytes"] += len(data)
            if open_ and stats["echoed"] == count and client.ws.state is ConnectionState.OPEN:
                client.send(CloseConnection(code=1000, reason="soak done"))
            client.flush()
            server.flush()
            for key, _ in sel.select(timeout=1.0):
                end: Endpoint = key.data
                for event in end.read():
                    if end is server:
                        _server_event(server, event, stats, factory)
                        if isinstance(event, CloseConnection):
                            closed["server"] = True
                    else:
                        if isinstance(event, AcceptConnection):
                            open_ = True
                            if factory is not no_extensions:
                                assert negotiated(client.ws), "no extension negotiated"
                        elif isinstance(event, Pong):
                            assert event.payload == pings_out.pop(0)
                            stats["pongs"] += 1
                        elif isinstance(event, (TextMessage, BytesMessage)):
                            whole = client.assemble(event)
                            if whole is not None:
                                expected = message(stats["echoed"])
                                assert whole == expected, f"echo {stats['echoed']} differs"
                                stats["echoed"] += 1
                        elif isinstance(event, CloseConnection):
                            assert event.code == 1000, event
                            closed["client"] = True
                        else:
                            raise AssertionError(f"client got {event!r}")
    finally:
        sel.close()
        csock.close()
        ssock.close()
    assert client.ws.state is ConnectionState.CLOSED
    assert server.ws.state is ConnectionState.CLOSED
    assert stats["pongs"] == stats["pings"] and not pings_out
    return stats


def _server_event(server: Endpoint, event: Any, stats: Dict[str, int], factory: ExtFactory) -> None:
    if isinstance(event, Request):
        server.send(AcceptConnection(extensions=factory()))
    elif isinstance(event, Ping):
        server.send(event.response())
    elif isinstance(event, (TextMessage, BytesMessage)):
        whole = server.assemble(event)
        if whole is not None:
            index = stats["checked_by_server"]
            assert whole == message(index), f"message {index} differs at the server"
            stats["checked_by_server"] += 1
            for i, part in enumerate(frag := fragments(whole, server.rng)):
                server.send(Message(data=part, message_finished=i == len(frag) - 1))
    elif isinstance(event, CloseConnection):
        server.send(event.response())
    else:
        raise AssertionError(f"server got {event!r}")


@pytest.mark.slow
@pytest.mark.parametrize("setup", ["none", "deflate"])
def test_soak_loopback(setup: str) -> None:
    factory = setup_factory(setup)
    start = time.perf_counter()
    stats = run_soak(factory, MESSAGES, seed=2026)
    elapsed = time.perf_counter() - start
    print(f"soak[{setup}]: {stats} in {elapsed:.1f}s")
    assert stats["echoed"] == stats["checked_by_server"] == MESSAGES


def test_soak_short() -> None:
    """A 200-message run of the same exchange, part of every quick test run."""
    stats = run_soak(no_extensions, 200, seed=1)
    assert stats["echoed"] == 200
