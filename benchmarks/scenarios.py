#!/usr/bin/env python3
"""Benchmark scenarios: one scenario, one implementation family, one interpreter.

Each invocation measures one scenario and prints one JSON object on stdout.
``run.py`` drives it inside the benchmark venvs; it can also be run alone::

    python benchmarks/scenarios.py recv_small --family wsproto --duration 1

Two families are written here, each scenario once per family:

* ``wsproto``: the wsproto API, shared by this package and upstream wsproto 1.x;
* ``websockets``: the sans-I/O layer of the ``websockets`` package.

Input bytes are built before the timed region; only the work a user's program
would do per message is timed (see README.md for each scenario's exact loop).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import subprocess
import sys
import time
import tracemalloc
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Tuple

#: Comma-separated top-level modules to hide from this process (e.g. ``zlib_ng``).
BLOCK_ENV = "BENCH_BLOCK_MODULES"

SMALL_TEXT = "0123456789abcdef"  # 16 characters, 16 bytes of UTF-8
PING_PAYLOAD = b"ping1234"
MAX_SIZE = 64 * 1024 * 1024  # message size limit given to both families
RECV_CHUNK = 64 * 1024  # large messages arrive in reads of this size
LARGE_BATCH_BYTES = 4 * 1024 * 1024  # payload bytes per timed batch, large scenarios
DEFLATE_MESSAGES = 64  # distinct 4 KiB texts: more than a 32 KiB window holds

Batch = Callable[[], int]
RateJob = Tuple[Batch, int]  # (run one batch -> units done, units expected per batch)


@dataclass(frozen=True)
class Scenario:
    """What one scenario measures and how its number reads."""

    name: str
    kind: str  # "rate", "time" (fresh interpreter) or "memory"
    unit: str
    higher_is_better: bool
    summary: str
    scale: float = 1.0  # value = units per second / scale (bytes -> MB)
    count: int = 0  # memory: connections to build (0: the runner's default)


SCENARIOS: Dict[str, Scenario] = {
    s.name: s
    for s in (
        Scenario("recv_small", "rate", "msg/s", True,
                 "server receives 16-byte masked text frames, one frame per receive_data()"),
        Scenario("send_small", "rate", "msg/s", True,
                 "client sends 16-byte text messages (masked frames out)"),
        Scenario("roundtrip_small", "rate", "round trips/s", True,
                 "16-byte text client -> server, server echoes it, client receives it"),
        Scenario("ping_pong", "rate", "round trips/s", True,
                 "client pings, server answers with a pong, client receives the pong"),
        Scenario("recv_64k", "rate", "MB/s", True,
                 "server receives 64 KiB masked binary messages in 64 KiB reads", 1e6),
        Scenario("send_64k", "rate", "MB/s", True,
                 "client sends 64 KiB binary messages (masked)", 1e6),
        Scenario("recv_1m", "rate", "MB/s", True,
                 "server receives 1 MiB masked binary messages in 64 KiB reads", 1e6),
        Scenario("send_1m", "rate", "MB/s", True,
                 "client sends 1 MiB binary messages (masked)", 1e6),
        Scenario("deflate_4k", "rate", "msg/s", True,
                 "permessage-deflate: 4 KiB JSON-like text, client compresses, server inflates"),
        Scenario("deflate_roundtrip_text", "rate", "round trips/s", True,
                 "permessage-deflate: 4 KiB JSON-like text client -> server -> client"),
        Scenario("zlib_4k", "rate", "msg/s", True,
                 "reference for deflate_4k: the same texts through zlib alone, no WebSocket code"),
        Scenario("handshake_deflate", "rate", "handshakes/s", True,
                 "full client+server opening handshake negotiating permessage-deflate"),
        Scenario("import_time", "time", "ms", False,
                 "fresh interpreter: import the classes a program needs"),
        Scenario("cold_start", "time", "ms", False,
                 "fresh interpreter: imports + first deflate handshake + one message each way"),
        Scenario("memory_idle", "memory", "bytes/conn", False,
                 "traced memory per idle server connection after the handshake"),
        Scenario("memory_idle_deflate", "memory", "bytes/conn", False,
                 "as memory_idle, with permessage-deflate negotiated"),
        Scenario("memory_msg_deflate", "memory", "bytes/conn", False,
                 "as memory_idle_deflate, after one 4 KiB JSON-like text each way "
                 "(10,000 connections)", count=10_000),
    )
}


def json_like_texts(count: int = DEFLATE_MESSAGES, size: int = 4096) -> List[str]:
    """Return *count* distinct ASCII texts of exactly *size* characters, JSON-like."""
    rng = random.Random(7)
    words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel",
             "india", "juliet", "kilo", "lima", "mike", "november", "oscar", "papa"]
    texts: List[str] = []
    for i in range(count):
        records: List[str] = []
        while sum(len(r) for r in records) < size:
            record = {
                "id": rng.randrange(10**9),
                "user": f"{rng.choice(words)}_{rng.randrange(10000)}",
                "score": round(rng.random() * 1000, 3),
                "active": rng.random() < 0.5,
                "tags": rng.sample(words, 3),
                "ts": f"2024-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}T"
                      f"{rng.randrange(24):02d}:{rng.randrange(60):02d}:00Z",
                "seq": i,
            }
            records.append(json.dumps(record, separators=(",", ":")))
        texts.append(("[" + ",".join(records))[:size])
    return texts


def payload(size: int) -> bytes:
    """Deterministic incompressible bytes."""
    return random.Random(size).getrandbits(size * 8).to_bytes(size, "little")


def zlib_only() -> RateJob:
    """deflate_4k's compression work alone: the floor any implementation pays.

    Uses zlib-ng when importable (not hidden), else the stdlib zlib; zlib's
    default level, 15-bit raw windows, context takeover, sync flush, the tail
    stripped and restored as RFC 7692 section 7.2 does.
    """
    import importlib
    import zlib

    backend: Any
    try:
        backend = importlib.import_module("zlib_ng.zlib_ng")
    except ImportError:
        backend = zlib
    texts = [t.encode() for t in json_like_texts()]
    compressor = backend.compressobj(-1, zlib.DEFLATED, -15, 8)
    decompressor = backend.decompressobj(-15)
    sync = zlib.Z_SYNC_FLUSH
    tail = b"\x00\x00\xff\xff"

    def batch() -> int:
        got = 0
        for text in texts:
            wire = (compressor.compress(text) + compressor.flush(sync))[:-4]
            got += len(decompressor.decompress(wire + tail))
        return got // 4096

    return batch, len(texts)


# --------------------------------------------------------------------------- wsproto API


class WsprotoFamily:
    """Scenarios written against the wsproto API (this package and upstream 1.x)."""

    IMPORT_CODE = (
        "from wsproto import WSConnection, ConnectionType\n"
        "from wsproto.events import (Request, AcceptConnection, TextMessage,"
        " BytesMessage, Ping, Pong, CloseConnection)\n"
    )
    COLD_CODE = IMPORT_CODE + (
        "from wsproto.extensions import PerMessageDeflate\n"
        "c = WSConnection(ConnectionType.CLIENT)\n"
        "s = WSConnection(ConnectionType.SERVER)\n"
        "s.receive_data(c.send(Request(host='localhost', target='/',"
        " extensions=[PerMessageDeflate()])))\n"
        "assert isinstance(list(s.events())[0], Request)\n"
        "c.receive_data(s.send(AcceptConnection(extensions=[PerMessageDeflate()])))\n"
        "assert list(c.events())[0].extensions\n"
        "s.receive_data(c.send(TextMessage(data='hello')))\n"
        "assert list(s.events())[0].data == 'hello'\n"
        "c.receive_data(s.send(TextMessage(data='hello')))\n"
        "assert list(c.events())[0].data == 'hello'\n"
    )

    def __init__(self) -> None:
        import wsproto
        import wsproto.events

        self.wsproto = wsproto
        self.ev = wsproto.events
        self.client_type = wsproto.ConnectionType.CLIENT
        self.server_type = wsproto.ConnectionType.SERVER
        self._deflate_cls: Any = None

    # -- helpers (not timed)

    def _new(self, kind: Any) -> Any:
        try:
            return self.wsproto.WSConnection(kind, max_message_size=MAX_SIZE)
        except TypeError:  # upstream 1.x has no limit and no such keyword
            return self.wsproto.WSConnection(kind)

    def _extensions(self, deflate: bool) -> List[Any]:
        if not deflate:
            return []
        if self._deflate_cls is None:  # imported once, as a program's module would
            from wsproto.extensions import PerMessageDeflate

            self._deflate_cls = PerMessageDeflate
        return [self._deflate_cls()]

    def _request_bytes(self, deflate: bool) -> bytes:
        client = self._new(self.client_type)
        data: bytes = client.send(self.ev.Request(
            host="localhost", target="/", extensions=self._extensions(deflate)))
        return data

    def _accepted_server(self, request: bytes, deflate: bool) -> Any:
        server = self._new(self.server_type)
        server.receive_data(request)
        events = list(server.events())
        assert isinstance(events[0], self.ev.Request), events
        server.send(self.ev.AcceptConnection(extensions=self._extensions(deflate)))
        return server

    def pair(self, deflate: bool = False) -> Tuple[Any, Any]:
        """Return an open (client, server) pair after a real handshake."""
        ev = self.ev
        client = self._new(self.client_type)
        server = self._new(self.server_type)
        server.receive_data(client.send(ev.Request(
            host="localhost", target="/", extensions=self._extensions(deflate))))
        events = list(server.events())
        assert isinstance(events[0], ev.Request), events
        client.receive_data(server.send(ev.AcceptConnection(
            extensions=self._extensions(deflate))))
        events = list(client.events())
        assert isinstance(events[0], ev.AcceptConnection), events
        assert bool(events[0].extensions) == deflate, events
        return client, server

    # -- rate scenarios

    def recv_small(self) -> RateJob:
        client, server = self.pair()
        text_message = self.ev.TextMessage
        frames = [client.send(text_message(data=SMALL_TEXT)) for _ in range(2000)]

        def batch() -> int:
            got = 0
            for frame in frames:
                server.receive_data(frame)
                for event in server.events():
                    if isinstance(event, text_message):
                        got += len(event.data)
            return got // len(SMALL_TEXT)

        return batch, len(frames)

    def send_small(self) -> RateJob:
        client, _ = self.pair()
        text_message = self.ev.TextMessage
        assert len(client.send(text_message(data=SMALL_TEXT))) == 2 + 4 + 16
        n = 2000

        def batch() -> int:
            send = client.send
            for _ in range(n):
                send(text_message(data=SMALL_TEXT))
            return n

        return batch, n

    def roundtrip_small(self) -> RateJob:
        client, server = self.pair()
        text_message = self.ev.TextMessage
        n = 500

        def batch() -> int:
            got = 0
            for _ in range(n):
                server.receive_data(client.send(text_message(data=SMALL_TEXT)))
                for event in server.events():
                    if isinstance(event, text_message):
                        client.receive_data(server.send(text_message(data=event.data)))
                for event in client.events():
                    if isinstance(event, text_message) and event.data == SMALL_TEXT:
                        got += 1
            return got

        return batch, n

    def ping_pong(self) -> RateJob:
        client, server = self.pair()
        ping, pong = self.ev.Ping, self.ev.Pong
        n = 500

        def batch() -> int:
            got = 0
            for _ in range(n):
                server.receive_data(client.send(ping(payload=PING_PAYLOAD)))
                for event in server.events():
                    if isinstance(event, ping):
                        client.receive_data(server.send(event.response()))
                for event in client.events():
                    if isinstance(event, pong):
                        got += 1
            return got

        return batch, n

    def _verify_binary(self, client: Any, server: Any, data: bytes) -> None:
        """Check, untimed, that *data* sent by *client* arrives intact at *server*."""
        server.receive_data(client.send(self.ev.BytesMessage(data=data)))
        got = b"".join(bytes(e.data) for e in server.events())
        assert got == data, "binary message corrupted in transit"

    def _recv_binary(self, size: int) -> RateJob:
        client, server = self.pair()
        bytes_message = self.ev.BytesMessage
        data = payload(size)
        self._verify_binary(client, server, data)
        count = max(1, LARGE_BATCH_BYTES // size)
        stream = b"".join(client.send(bytes_message(data=data)) for _ in range(count))
        chunks = [stream[i:i + RECV_CHUNK] for i in range(0, len(stream), RECV_CHUNK)]

        def batch() -> int:
            got = 0
            parts: List[Any] = []
            for chunk in chunks:
                server.receive_data(chunk)
                for event in server.events():
                    if isinstance(event, bytes_message):
                        parts.append(event.data)
                        if event.message_finished:
                            message = parts[0] if len(parts) == 1 else b"".join(parts)
                            got += len(message)
                            parts = []
            return got

        return batch, count * size

    def _send_binary(self, size: int) -> RateJob:
        client, server = self.pair()
        bytes_message = self.ev.BytesMessage
        data = payload(size)
        self._verify_binary(client, server, data)
        count = max(1, LARGE_BATCH_BYTES // size)

        def batch() -> int:
            done = 0
            for _ in range(count):
                done += len(client.send(bytes_message(data=data)))
            return done - done % size  # payload bytes (headers excluded)

        return batch, count * size

    def recv_64k(self) -> RateJob:
        return self._recv_binary(64 * 1024)

    def send_64k(self) -> RateJob:
        return self._send_binary(64 * 1024)

    def recv_1m(self) -> RateJob:
        return self._recv_binary(1024 * 1024)

    def send_1m(self) -> RateJob:
        return self._send_binary(1024 * 1024)

    def deflate_4k(self) -> RateJob:
        client, server = self.pair(deflate=True)
        text_message = self.ev.TextMessage
        texts = json_like_texts()
        first = client.send(text_message(data=texts[0]))
        assert len(first) < len(texts[0]) // 2, "deflate was not applied"
        server.receive_data(first)
        list(server.events())

        def batch() -> int:
            got = 0
            for text in texts:
                server.receive_data(client.send(text_message(data=text)))
                for event in server.events():
                    if isinstance(event, text_message):
                        got += len(event.data)
            return got // 4096

        return batch, len(texts)

    def deflate_roundtrip_text(self) -> RateJob:
        client, server = self.pair(deflate=True)
        text_message = self.ev.TextMessage
        texts = json_like_texts()

        def batch() -> int:
            done = 0
            for text in texts:
                server.receive_data(client.send(text_message(data=text)))
                for event in server.events():
                    client.receive_data(server.send(text_message(data=event.data)))
                for event in client.events():
                    done += event.data == text
            return done

        return batch, len(texts)

    def zlib_4k(self) -> RateJob:
        return zlib_only()

    def handshake_deflate(self) -> RateJob:
        n = 50

        def batch() -> int:
            for _ in range(n):
                self.pair(deflate=True)
            return n

        return batch, n

    # -- memory scenarios

    def memory_idle(self) -> Callable[[], Any]:
        request = self._request_bytes(False)
        return lambda: self._accepted_server(request, False)

    def memory_idle_deflate(self) -> Callable[[], Any]:
        request = self._request_bytes(True)
        return lambda: self._accepted_server(request, True)

    def memory_msg_deflate(self) -> Callable[[], Any]:
        ev = self.ev
        text = json_like_texts(1)[0]
        client = self._new(self.client_type)
        request = client.send(ev.Request(
            host="localhost", target="/", extensions=self._extensions(True)))
        server = self._new(self.server_type)
        server.receive_data(request)
        list(server.events())
        client.receive_data(server.send(ev.AcceptConnection(extensions=self._extensions(True))))
        assert list(client.events())[0].extensions
        message = client.send(ev.TextMessage(data=text))  # a first message suits every server

        def factory() -> Any:
            server = self._accepted_server(request, True)
            server.receive_data(message)
            for event in server.events():
                assert event.data == text
            server.send(ev.TextMessage(data=text))
            return server

        return factory

    # -- facts for the report

    def info(self) -> Dict[str, Any]:
        from importlib.metadata import version

        suffixes = (".so", ".pyd")
        native = sorted(
            name for name, mod in list(sys.modules.items())
            if name.startswith("wsproto") and mod is not None
            and str(getattr(mod, "__file__", "") or "").endswith(suffixes)
        )
        return {"version": version("wsproto"), "native_modules": native}


# --------------------------------------------------------------------------- websockets


class WebsocketsFamily:
    """Scenarios written against the sans-I/O layer of ``websockets``.

    That layer hands out frames of bytes; text is decoded/encoded here as a
    program would, so both families deliver and accept ``str``.
    """

    IMPORT_CODE = (
        "from websockets.client import ClientProtocol\n"
        "from websockets.server import ServerProtocol\n"
        "from websockets.frames import Frame, Opcode\n"
    )
    COLD_CODE = IMPORT_CODE + (
        "from websockets.uri import parse_uri\n"
        "from websockets.extensions.permessage_deflate import ("
        "ClientPerMessageDeflateFactory, ServerPerMessageDeflateFactory)\n"
        "c = ClientProtocol(parse_uri('ws://localhost/'),"
        " extensions=[ClientPerMessageDeflateFactory()])\n"
        "s = ServerProtocol(extensions=[ServerPerMessageDeflateFactory()])\n"
        "c.send_request(c.connect())\n"
        "[s.receive_data(d) for d in c.data_to_send()]\n"
        "s.send_response(s.accept(s.events_received()[0]))\n"
        "[c.receive_data(d) for d in s.data_to_send()]\n"
        "assert c.events_received() and c.extensions\n"
        "c.send_text('hello'.encode())\n"
        "[s.receive_data(d) for d in c.data_to_send()]\n"
        "assert s.events_received()[0].data.decode() == 'hello'\n"
        "s.send_text('hello'.encode())\n"
        "[c.receive_data(d) for d in s.data_to_send()]\n"
        "assert c.events_received()[0].data.decode() == 'hello'\n"
    )

    def __init__(self) -> None:
        from websockets import frames
        from websockets.client import ClientProtocol
        from websockets.extensions import permessage_deflate
        from websockets.server import ServerProtocol
        from websockets.uri import parse_uri

        self.client_cls = ClientProtocol
        self.server_cls = ServerProtocol
        self.uri = parse_uri("ws://localhost/")
        self.pmd = permessage_deflate
        self.OP_TEXT = frames.Opcode.TEXT
        self.OP_BINARY = frames.Opcode.BINARY
        self.OP_PING = frames.Opcode.PING
        self.OP_PONG = frames.Opcode.PONG

    # -- helpers (not timed)

    def _client(self, deflate: bool) -> Any:
        ext = [self.pmd.ClientPerMessageDeflateFactory()] if deflate else None
        return self.client_cls(self.uri, extensions=ext, max_size=MAX_SIZE)

    def _server(self, deflate: bool) -> Any:
        ext = [self.pmd.ServerPerMessageDeflateFactory()] if deflate else None
        return self.server_cls(extensions=ext, max_size=MAX_SIZE)

    def _request_bytes(self, deflate: bool) -> bytes:
        client = self._client(deflate)
        client.send_request(client.connect())
        return b"".join(client.data_to_send())

    def _accepted_server(self, request: bytes, deflate: bool) -> Any:
        server = self._server(deflate)
        server.receive_data(request)
        server.send_response(server.accept(server.events_received()[0]))
        server.data_to_send()
        assert server.handshake_exc is None
        return server

    def pair(self, deflate: bool = False) -> Tuple[Any, Any]:
        """Return an open (client, server) pair after a real handshake."""
        client = self._client(deflate)
        server = self._server(deflate)
        client.send_request(client.connect())
        for data in client.data_to_send():
            server.receive_data(data)
        server.send_response(server.accept(server.events_received()[0]))
        for data in server.data_to_send():
            client.receive_data(data)
        assert client.events_received() and client.handshake_exc is None
        assert bool(client.extensions) == deflate
        return client, server

    # -- rate scenarios

    def recv_small(self) -> RateJob:
        client, server = self.pair()
        frames = []
        for _ in range(2000):
            client.send_text(SMALL_TEXT.encode())
            frames.extend(client.data_to_send())
        op_text = self.OP_TEXT

        def batch() -> int:
            got = 0
            for frame in frames:
                server.receive_data(frame)
                for event in server.events_received():
                    if event.opcode is op_text:
                        got += len(event.data.decode())
            return got // len(SMALL_TEXT)

        return batch, len(frames)

    def send_small(self) -> RateJob:
        client, _ = self.pair()
        client.send_text(SMALL_TEXT.encode())
        assert sum(map(len, client.data_to_send())) == 2 + 4 + 16
        n = 2000

        def batch() -> int:
            send, drain = client.send_text, client.data_to_send
            for _ in range(n):
                send(SMALL_TEXT.encode())
                drain()
            return n

        return batch, n

    def roundtrip_small(self) -> RateJob:
        client, server = self.pair()
        op_text = self.OP_TEXT
        n = 500

        def batch() -> int:
            got = 0
            for _ in range(n):
                client.send_text(SMALL_TEXT.encode())
                for data in client.data_to_send():
                    server.receive_data(data)
                for event in server.events_received():
                    if event.opcode is op_text:
                        server.send_text(event.data.decode().encode())
                for data in server.data_to_send():
                    client.receive_data(data)
                for event in client.events_received():
                    if event.opcode is op_text and event.data.decode() == SMALL_TEXT:
                        got += 1
            return got

        return batch, n

    def ping_pong(self) -> RateJob:
        client, server = self.pair()
        op_pong = self.OP_PONG
        n = 500

        def batch() -> int:
            got = 0
            for _ in range(n):
                client.send_ping(PING_PAYLOAD)
                for data in client.data_to_send():
                    server.receive_data(data)
                server.events_received()  # the ping; the pong is queued already
                for data in server.data_to_send():
                    client.receive_data(data)
                for event in client.events_received():
                    if event.opcode is op_pong:
                        got += 1
            return got

        return batch, n

    def _verify_binary(self, client: Any, server: Any, data: bytes) -> None:
        """Check, untimed, that *data* sent by *client* arrives intact at *server*."""
        client.send_binary(data)
        for out in client.data_to_send():
            server.receive_data(out)
        got = b"".join(bytes(e.data) for e in server.events_received())
        assert got == data, "binary message corrupted in transit"

    def _recv_binary(self, size: int) -> RateJob:
        client, server = self.pair()
        data = payload(size)
        self._verify_binary(client, server, data)
        count = max(1, LARGE_BATCH_BYTES // size)
        for _ in range(count):
            client.send_binary(data)
        stream = b"".join(client.data_to_send())
        chunks = [stream[i:i + RECV_CHUNK] for i in range(0, len(stream), RECV_CHUNK)]
        op_binary = self.OP_BINARY

        def batch() -> int:
            got = 0
            for chunk in chunks:
                server.receive_data(chunk)
                for event in server.events_received():
                    if event.opcode is op_binary:
                        got += len(event.data)
            return got

        return batch, count * size

    def _send_binary(self, size: int) -> RateJob:
        client, server = self.pair()
        data = payload(size)
        self._verify_binary(client, server, data)
        count = max(1, LARGE_BATCH_BYTES // size)

        def batch() -> int:
            done = 0
            for _ in range(count):
                client.send_binary(data)
                for out in client.data_to_send():
                    done += len(out)
            return done - done % size  # payload bytes (headers excluded)

        return batch, count * size

    def recv_64k(self) -> RateJob:
        return self._recv_binary(64 * 1024)

    def send_64k(self) -> RateJob:
        return self._send_binary(64 * 1024)

    def recv_1m(self) -> RateJob:
        return self._recv_binary(1024 * 1024)

    def send_1m(self) -> RateJob:
        return self._send_binary(1024 * 1024)

    def deflate_4k(self) -> RateJob:
        client, server = self.pair(deflate=True)
        op_text = self.OP_TEXT
        texts = json_like_texts()
        client.send_text(texts[0].encode())
        first = b"".join(client.data_to_send())
        assert len(first) < len(texts[0]) // 2, "deflate was not applied"
        server.receive_data(first)
        server.events_received()

        def batch() -> int:
            got = 0
            for text in texts:
                client.send_text(text.encode())
                for data in client.data_to_send():
                    server.receive_data(data)
                for event in server.events_received():
                    if event.opcode is op_text:
                        got += len(event.data.decode())
            return got // 4096

        return batch, len(texts)

    def deflate_roundtrip_text(self) -> RateJob:
        client, server = self.pair(deflate=True)
        texts = json_like_texts()

        def batch() -> int:
            done = 0
            for text in texts:
                client.send_text(text.encode())
                for data in client.data_to_send():
                    server.receive_data(data)
                for event in server.events_received():
                    server.send_text(event.data)
                for data in server.data_to_send():
                    client.receive_data(data)
                for event in client.events_received():
                    done += event.data.decode() == text
            return done

        return batch, len(texts)

    def zlib_4k(self) -> RateJob:
        return zlib_only()

    def handshake_deflate(self) -> RateJob:
        n = 50

        def batch() -> int:
            for _ in range(n):
                self.pair(deflate=True)
            return n

        return batch, n

    # -- memory scenarios

    def memory_idle(self) -> Callable[[], Any]:
        request = self._request_bytes(False)
        return lambda: self._accepted_server(request, False)

    def memory_idle_deflate(self) -> Callable[[], Any]:
        request = self._request_bytes(True)
        return lambda: self._accepted_server(request, True)

    def memory_msg_deflate(self) -> Callable[[], Any]:
        text = json_like_texts(1)[0]
        client, _ = self.pair(deflate=True)
        request = self._request_bytes(True)
        client.send_text(text.encode())
        message = b"".join(client.data_to_send())  # a first message suits every server

        def factory() -> Any:
            server = self._accepted_server(request, True)
            server.receive_data(message)
            for event in server.events_received():
                assert event.data.decode() == text
            server.send_text(text.encode())
            server.data_to_send()
            return server

        return factory

    # -- facts for the report

    def info(self) -> Dict[str, Any]:
        from importlib.metadata import version

        speedups = sys.modules.get("websockets.speedups")
        return {"version": version("websockets"), "native_modules":
                ["websockets.speedups"] if speedups is not None else []}


FAMILIES: Dict[str, Any] = {"wsproto": WsprotoFamily, "websockets": WebsocketsFamily}


# --------------------------------------------------------------------------- measuring


def block_modules(names: List[str]) -> None:
    """Make ``import name`` fail and ``importlib.util.find_spec(name)`` return None."""
    for name in names:
        sys.modules[name] = None  # type: ignore[assignment]


def measure_rate(job: RateJob, duration: float) -> Tuple[float, int, float]:
    """Run one warm-up batch, then batches until *duration*; return (rate, units, secs)."""
    batch, expected = job
    got = batch()
    if got != expected:
        raise SystemExit(f"sanity check failed: batch did {got} units, expected {expected}")
    units, elapsed, batches = 0, 0.0, 0
    clock = time.process_time  # CPU time: waiting for a shared core is not counted
    while elapsed < duration or batches < 3:
        start = clock()
        units += batch()
        elapsed += clock() - start
        batches += 1
    return units / elapsed, units, elapsed


def measure_fresh(code: str, samples: int) -> List[float]:
    """Time *code* in *samples* fresh interpreters; return milliseconds each."""
    blocked = [n for n in os.environ.get(BLOCK_ENV, "").split(",") if n]
    prelude = "import sys\n" + "".join(f"sys.modules[{n!r}] = None\n" for n in blocked)
    script = (
        prelude + "import time\n_t0 = time.process_time()\n" + code
        + "_t1 = time.process_time()\nprint(repr((_t1 - _t0) * 1000.0))\n"
    )
    results = []
    for _ in range(samples):
        out = subprocess.run([sys.executable, "-c", script], check=False, capture_output=True,
                             text=True, timeout=120)
        if out.returncode:
            lines = out.stderr.strip().splitlines() or [f"exit code {out.returncode}"]
            raise SystemExit(f"fresh interpreter failed: {lines[-1]}")
        results.append(float(out.stdout.strip().splitlines()[-1]))
    return results


def measure_memory(factory: Callable[[], Any], count: int) -> float:
    """Return traced bytes allocated per object kept alive from *factory*."""
    warm = [factory() for _ in range(5)]  # lazy imports and caches are not per connection
    del warm
    gc.collect()
    tracemalloc.start()
    keep: List[Any] = []
    gc.collect()
    before = tracemalloc.get_traced_memory()[0]
    for _ in range(count):
        keep.append(factory())
    gc.collect()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return (after - before - sys.getsizeof(keep)) / count


def profile_rate(job: RateJob, duration: float, top: int) -> None:
    """Run *job*'s batches under cProfile for about *duration*; print the top entries."""
    import cProfile
    import pstats

    batch, _ = job
    batch()
    profiler = cProfile.Profile()
    deadline = time.process_time() + duration
    profiler.enable()
    while time.process_time() < deadline:
        batch()
    profiler.disable()
    stats = pstats.Stats(profiler, stream=sys.stderr)
    stats.sort_stats("tottime").print_stats(top)


def run(scenario: Scenario, family: str, duration: float, count: int) -> Dict[str, Any]:
    """Measure *scenario* for *family* and return the JSON-ready result."""
    result: Dict[str, Any] = {"scenario": scenario.name, "family": family,
                              "unit": scenario.unit, "python": platform.python_version()}
    impl_cls = FAMILIES[family]
    if scenario.kind == "time":
        code = impl_cls.IMPORT_CODE if scenario.name == "import_time" else impl_cls.COLD_CODE
        samples = measure_fresh(code, count)
        result["samples"] = samples
        result["value"] = sorted(samples)[len(samples) // 2]
        impl = impl_cls()
    else:
        impl = impl_cls()
        job = getattr(impl, scenario.name)()
        if scenario.kind == "memory":
            result["value"] = measure_memory(job, count)
        else:
            rate, units, seconds = measure_rate(job, duration)
            result.update(value=rate / scenario.scale, units=units, seconds=seconds)
    result.update(impl.info())
    zlib_ng = sys.modules.get("zlib_ng")
    result["zlib_ng_loaded"] = zlib_ng is not None
    return result


def main(argv: List[str] | None = None) -> int:
    """Command line: one scenario, one family, JSON on stdout."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("scenario", choices=sorted(SCENARIOS))
    parser.add_argument("--family", choices=sorted(FAMILIES), required=True)
    parser.add_argument("--duration", type=float, default=1.0,
                        help="seconds of timed work for rate scenarios (default 1)")
    parser.add_argument("--count", type=int, default=0,
                        help="connections (memory) or fresh interpreters (time)")
    parser.add_argument("--profile", type=int, default=0, metavar="TOP",
                        help="rate scenarios: print cProfile's TOP functions to stderr instead")
    args = parser.parse_args(argv)
    block_modules([n for n in os.environ.get(BLOCK_ENV, "").split(",") if n])
    scenario = SCENARIOS[args.scenario]
    if args.profile:
        if scenario.kind != "rate":
            parser.error("--profile applies to rate scenarios only")
        profile_rate(getattr(FAMILIES[args.family](), scenario.name)(), args.duration,
                     args.profile)
        return 0
    count = args.count or scenario.count or {"memory": 1000, "time": 5}.get(scenario.kind, 0)
    print(json.dumps(run(scenario, args.family, args.duration, count)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
