"""An asyncio WebSocket client on streams: several concurrent connections to an echo server.

Each connection sends some messages, checks that every echo comes back
unchanged, then closes. Every wait is bounded by a timeout.

    python examples/asyncio_client.py [HOST [PORT [CONNECTIONS [MESSAGES]]]]
"""

from __future__ import annotations

import asyncio
import sys
from typing import List, Union

from wsproto import ConnectionType, WSConnection
from wsproto.events import (
    AcceptConnection,
    BytesMessage,
    CloseConnection,
    Event,
    Message,
    Ping,
    RejectConnection,
    Request,
    TextMessage,
)

READ_SIZE = 16 * 1024
TIMEOUT = 10.0  # seconds for any single wait


class Client:
    """One WebSocket connection over asyncio streams."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.ws = WSConnection(ConnectionType.CLIENT)
        self.pending: List[Event] = []

    @classmethod
    async def connect(cls, host: str, port: int) -> Client:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), TIMEOUT)
        client = cls(reader, writer)
        await client.send(Request(host=f"{host}:{port}", target="/"))
        event = await client.next_event()
        if not isinstance(event, AcceptConnection):
            assert isinstance(event, RejectConnection)
            raise ConnectionError(f"rejected with HTTP {event.status_code}")
        return client

    async def send(self, event: Event) -> None:
        self.writer.write(self.ws.send(event))
        await self.writer.drain()  # back-pressure on our side too

    async def next_event(self) -> Event:
        """The next event, reading as needed; pings are answered here."""
        while True:
            while self.pending:
                event = self.pending.pop(0)
                if isinstance(event, Ping):
                    await self.send(event.response())
                    continue
                return event
            data = await asyncio.wait_for(self.reader.read(READ_SIZE), TIMEOUT)
            self.ws.receive_data(data or None)
            self.pending.extend(self.ws.events())

    async def receive_message(self) -> Union[str, bytes]:
        """Collect the fragments of one message."""
        parts: List[Union[str, bytes]] = []
        while True:
            event = await self.next_event()
            if isinstance(event, CloseConnection):
                raise ConnectionError(f"closed by the server ({event.code})")
            if isinstance(event, Message):
                parts.append(event.data)
                if event.message_finished:
                    if parts and isinstance(parts[0], str):
                        return "".join(str(p) for p in parts)
                    return b"".join(p for p in parts if isinstance(p, bytes))

    async def close(self) -> None:
        await self.send(CloseConnection(code=1000))
        while not isinstance(await self.next_event(), CloseConnection):
            pass
        # The server closes TCP first; wait (bounded) for its end of stream.
        while await asyncio.wait_for(self.reader.read(READ_SIZE), TIMEOUT):
            pass
        self.writer.close()
        await self.writer.wait_closed()


async def session(host: str, port: int, number: int, messages: int) -> int:
    client = await Client.connect(host, port)
    for i in range(messages):
        text = f"connection {number} message {i}"
        await client.send(TextMessage(data=text))
        assert await client.receive_message() == text
        blob = bytes([number % 256, i % 256]) * 500
        await client.send(BytesMessage(data=blob))
        assert await client.receive_message() == blob
    await client.close()
    return 2 * messages


async def main(host: str, port: int, connections: int, messages: int) -> int:
    results = await asyncio.gather(*(session(host, port, n, messages) for n in range(connections)))
    print(f"asyncio client: {connections} connections, {sum(results)} messages echoed")
    return 0


if __name__ == "__main__":
    a = sys.argv[1:]
    sys.exit(
        asyncio.run(
            main(
                a[0] if a else "127.0.0.1",
                int(a[1]) if len(a) > 1 else 8765,
                int(a[2]) if len(a) > 2 else 10,
                int(a[3]) if len(a) > 3 else 5,
            )
        )
    )
