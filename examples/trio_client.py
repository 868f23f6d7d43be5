"""A trio WebSocket client: several concurrent connections to an echo server.

Each connection sends messages, checks the echoes and a pong, then closes.
Every wait is bounded with ``trio.fail_after``.

    python examples/trio_client.py [HOST [PORT [CONNECTIONS [MESSAGES]]]]
"""

from __future__ import annotations

import sys
from typing import List

import trio

from wsproto import ConnectionType, WSConnection
from wsproto.events import (
    AcceptConnection,
    CloseConnection,
    Event,
    Message,
    Ping,
    Pong,
    Request,
    TextMessage,
)

READ_SIZE = 16 * 1024
TIMEOUT = 10.0


class Client:
    """One WebSocket connection over a trio stream."""

    def __init__(self, stream: trio.SocketStream) -> None:
        self.stream = stream
        self.ws = WSConnection(ConnectionType.CLIENT)
        self.pending: List[Event] = []

    async def send(self, event: Event) -> None:
        await self.stream.send_all(self.ws.send(event))

    async def next_event(self) -> Event:
        while True:
            while self.pending:
                event = self.pending.pop(0)
                if isinstance(event, Ping):
                    await self.send(event.response())
                    continue
                return event
            data = await self.stream.receive_some(READ_SIZE)
            self.ws.receive_data(data or None)
            self.pending.extend(self.ws.events())

    async def receive_text(self) -> str:
        parts = []
        while True:
            event = await self.next_event()
            if not isinstance(event, Message):
                raise ConnectionError(f"expected a message, got {event!r}")
            parts.append(str(event.data))
            if event.message_finished:
                return "".join(parts)


async def session(host: str, port: int, number: int, messages: int, done: List[int]) -> None:
    with trio.fail_after(TIMEOUT):
        stream = await trio.open_tcp_stream(host, port)
        async with stream:
            client = Client(stream)
            await client.send(Request(host=f"{host}:{port}", target="/"))
            accepted = await client.next_event()
            if not isinstance(accepted, AcceptConnection):
                raise ConnectionError(f"handshake failed: {accepted!r}")
            for i in range(messages):
                text = f"trio connection {number} message {i}"
                await client.send(TextMessage(data=text))
                assert await client.receive_text() == text
            await client.send(Ping(payload=b"trio"))
            assert await client.next_event() == Pong(payload=b"trio")
            await client.send(CloseConnection(code=1000))
            assert isinstance(await client.next_event(), CloseConnection)
            while await stream.receive_some(READ_SIZE):  # the server closes TCP first
                pass
    done.append(messages)


async def main(host: str, port: int, connections: int, messages: int) -> None:
    done: List[int] = []
    async with trio.open_nursery() as nursery:
        for n in range(connections):
            nursery.start_soon(session, host, port, n, messages, done)
    print(f"trio client: {len(done)} connections, {sum(done)} messages echoed")


if __name__ == "__main__":
    a = sys.argv[1:]
    trio.run(
        main,
        a[0] if a else "127.0.0.1",
        int(a[1]) if len(a) > 1 else 8765,
        int(a[2]) if len(a) > 2 else 10,
        int(a[3]) if len(a) > 3 else 5,
    )
