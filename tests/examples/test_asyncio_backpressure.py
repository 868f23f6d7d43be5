"""The asyncio example server's back-pressure: a client that does not read stops the server
reading from it, and the server's write buffer stays bounded meanwhile."""

from __future__ import annotations

import asyncio
import importlib.util
import socket
import sys
from types import ModuleType
from typing import Any

from wsproto import ConnectionType, WSConnection
from wsproto.events import AcceptConnection, BytesMessage, Request

from ._procs import EXAMPLES

HIGH_WATER = 16 * 1024
PAYLOAD = bytes(range(256)) * 128  # 32 KiB per message
MAX_MESSAGES = 2048  # 64 MiB: give up if the server never pushes back


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


async def _scenario() -> Any:
    example = _load("asyncio_server")
    server = example.EchoServer(high_water=HIGH_WATER)
    port = await server.start("127.0.0.1", 0)
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8192)  # a slow, small reader
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 32768)
    sock.setblocking(False)
    loop = asyncio.get_running_loop()
    await asyncio.wait_for(loop.sock_connect(sock, ("127.0.0.1", port)), 10)
    reader, writer = await asyncio.open_connection(sock=sock)
    ws = WSConnection(ConnectionType.CLIENT)
    writer.write(ws.send(Request(host="127.0.0.1", target="/")))
    events: list = []
    while not any(isinstance(e, AcceptConnection) for e in events):
        ws.receive_data(await asyncio.wait_for(reader.read(65536), 10))
        events += ws.events()

    sent = 0

    async def flood() -> None:
        nonlocal sent
        while sent < MAX_MESSAGES:
            writer.write(ws.send(BytesMessage(data=PAYLOAD)))
            await writer.drain()
            sent += 1

    flooding = asyncio.ensure_future(flood())
    try:
        # Wait (bounded) until the server hit its high-water mark...
        for _ in range(200):
            if server.stats.read_pauses:
                break
            await asyncio.sleep(0.05)
        assert server.stats.read_pauses > 0, "the server never filled its write buffer"
        # ...then the flood must stall once the kernel buffers between us are full: the
        # server stopped reading, so TCP pushes back. Wait (bounded) for a steady state.
        before = -1
        for _ in range(60):
            before, handled = sent, server.stats.messages
            await asyncio.sleep(0.5)
            if sent == before and server.stats.messages == handled:
                break
        assert sent == before, f"the client could still send ({before} -> {sent} messages)"
        # The server handled fewer messages than were sent: the rest wait in the kernel.
        assert server.stats.messages < sent
        print(
            f"stalled: client sent {sent} messages of {len(PAYLOAD)} B, server handled "
            f"{server.stats.messages}; server write buffer peaked at {server.stats.max_buffered} B"
        )
        assert not flooding.done()
        assert server.stats.max_buffered <= HIGH_WATER + len(PAYLOAD) + 14
        stalled_at = sent

        # Now read: the echoes arrive, the server resumes, the flood goes on.
        received = 0
        while received < stalled_at + 3:
            data = await asyncio.wait_for(reader.read(65536), 10)
            assert data, "the server closed the connection"
            ws.receive_data(data)
            for event in ws.events():
                if isinstance(event, BytesMessage) and event.message_finished:
                    received += 1
        assert sent > stalled_at
    finally:
        flooding.cancel()
        try:
            await flooding
        except asyncio.CancelledError:
            pass
    # The server still has echoes queued for us; we leave without reading them.
    writer.transport.abort()
    await server.close()
    return server.stats


def test_server_stops_reading_while_its_write_buffer_is_full() -> None:
    stats = asyncio.run(asyncio.wait_for(_scenario(), 60))
    assert stats.connections == 1
    assert stats.read_pauses > 0
