"""An asyncio WebSocket echo server on streams, with back-pressure done right.

Each connection runs one task. The task reads a bounded chunk, lets wsproto
turn it into events, and answers them. Every write goes to the transport's
buffer, which is bounded by a high-water mark: while the buffer is above it,
the task waits in ``drain()`` and so does not read. The peer's further data
stays in the kernel, TCP's window fills up, and the peer is slowed down. The
inbound side is bounded too: reads are at most ``READ_SIZE`` bytes and wsproto
refuses messages over ``MAX_MESSAGE_SIZE`` (close code 1009).

    python examples/asyncio_server.py [HOST [PORT]]    (default 127.0.0.1 8765; 0 = any)
"""

from __future__ import annotations

import asyncio
import sys
from dataclasses import dataclass
from typing import Optional, Set

from wsproto import ConnectionType, WSConnection
from wsproto.connection import ConnectionState
from wsproto.events import (
    AcceptConnection,
    BytesMessage,
    CloseConnection,
    Event,
    Ping,
    Request,
    TextMessage,
)
from wsproto.utilities import RemoteProtocolError

READ_SIZE = 16 * 1024  # bytes per read: the most wsproto is given at once
HIGH_WATER = 64 * 1024  # write-buffer bound per connection
MAX_MESSAGE_SIZE = 1024 * 1024
IDLE_TIMEOUT = 60.0  # seconds without data before a connection is dropped
CLOSE_TIMEOUT = 5.0  # seconds to flush and close a connection before aborting it


@dataclass
class Stats:
    """What the server observed, for logs and tests."""

    connections: int = 0
    active: int = 0
    messages: int = 0
    #: How often a write left the buffer above the high-water mark (reading paused).
    read_pauses: int = 0
    #: The largest write-buffer size seen right after a write.
    max_buffered: int = 0


class EchoServer:
    """Serves many connections; ``high_water`` bounds each connection's write buffer."""

    def __init__(self, high_water: int = HIGH_WATER) -> None:
        self.high_water = high_water
        self.stats = Stats()
        self._server: Optional[asyncio.base_events.Server] = None
        self._writers: Set[asyncio.StreamWriter] = set()

    async def start(self, host: str, port: int) -> int:
        """Start listening; return the port."""
        self._server = await asyncio.start_server(self._handle, host, port, limit=READ_SIZE)
        return int(self._server.sockets[0].getsockname()[1])

    async def close(self) -> None:
        """Stop listening and abort the open connections."""
        if self._server is not None:
            self._server.close()
        for writer in list(self._writers):
            writer.transport.abort()
        if self._server is not None:
            await self._server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.stats.connections += 1
        self.stats.active += 1
        self._writers.add(writer)
        transport = writer.transport
        transport.set_write_buffer_limits(high=self.high_water, low=self.high_water // 4)
        try:
            await self._serve(reader, writer)
        except (ConnectionError, asyncio.TimeoutError):
            pass  # the peer went away or stayed silent
        finally:
            self.stats.active -= 1
            self._writers.discard(writer)
            writer.close()
            try:
                # A peer that never reads could keep the buffered bytes from leaving: bound it.
                await asyncio.wait_for(writer.wait_closed(), CLOSE_TIMEOUT)
            except (ConnectionError, asyncio.TimeoutError):
                transport.abort()

    async def _send(self, ws: WSConnection, writer: asyncio.StreamWriter, event: Event) -> None:
        writer.write(ws.send(event))
        buffered = writer.transport.get_write_buffer_size()
        self.stats.max_buffered = max(self.stats.max_buffered, buffered)
        if buffered > self.high_water:
            self.stats.read_pauses += 1
        # Waits only while the buffer is above the high-water mark; no read happens meanwhile.
        await writer.drain()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        ws = WSConnection(ConnectionType.SERVER, max_message_size=MAX_MESSAGE_SIZE)
        while True:
            data = await asyncio.wait_for(reader.read(READ_SIZE), IDLE_TIMEOUT)
            try:
                ws.receive_data(data or None)
            except RemoteProtocolError as exc:
                if exc.event_hint is not None:
                    writer.write(ws.send(exc.event_hint))
                return
            for event in ws.events():
                if isinstance(event, Request):
                    await self._send(ws, writer, AcceptConnection())
                elif isinstance(event, TextMessage):
                    self.stats.messages += event.message_finished
                    reply = TextMessage(data=event.data, message_finished=event.message_finished)
                    await self._send(ws, writer, reply)
                elif isinstance(event, BytesMessage):
                    self.stats.messages += event.message_finished
                    echo = BytesMessage(data=event.data, message_finished=event.message_finished)
                    await self._send(ws, writer, echo)
                elif isinstance(event, Ping):
                    await self._send(ws, writer, event.response())
                elif isinstance(event, CloseConnection):
                    if ws.state is ConnectionState.REMOTE_CLOSING:
                        await self._send(ws, writer, event.response())
                    return  # the server closes the TCP connection first
            if not data:
                return


async def main(host: str, port: int) -> None:
    server = EchoServer()
    bound = await server.start(host, port)
    print(f"asyncio server: listening on {host}:{bound}", flush=True)
    try:
        await asyncio.Event().wait()  # until Ctrl-C
    finally:
        await server.close()


if __name__ == "__main__":
    args = sys.argv[1:]
    try:
        asyncio.run(main(args[0] if args else "127.0.0.1", int(args[1]) if len(args) > 1 else 8765))
    except KeyboardInterrupt:
        pass
