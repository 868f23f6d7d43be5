"""A trio WebSocket echo server: one task per connection, under ``trio.serve_tcp``.

``send_all`` waits until the kernel took the bytes, so a slow reader slows
this server's reading of its connection down (back-pressure), and every
connection is bounded by ``max_message_size`` and an idle timeout.

    python examples/trio_server.py [HOST [PORT]]    (default 127.0.0.1 8765; 0 = any)
"""

from __future__ import annotations

import sys
from typing import List, Optional

import trio

from wsproto import ConnectionType, WSConnection
from wsproto.connection import ConnectionState
from wsproto.events import (
    AcceptConnection,
    BytesMessage,
    CloseConnection,
    Ping,
    Request,
    TextMessage,
)
from wsproto.utilities import RemoteProtocolError

READ_SIZE = 16 * 1024
MAX_MESSAGE_SIZE = 1024 * 1024
IDLE_TIMEOUT = 60.0


async def handle(stream: trio.SocketStream) -> None:
    """Serve one connection: accept, echo, answer pings, close."""
    ws = WSConnection(ConnectionType.SERVER, max_message_size=MAX_MESSAGE_SIZE)
    try:
        while True:
            with trio.fail_after(IDLE_TIMEOUT):
                data = await stream.receive_some(READ_SIZE)
            try:
                ws.receive_data(data or None)
            except RemoteProtocolError as exc:
                if exc.event_hint is not None:
                    await stream.send_all(ws.send(exc.event_hint))
                return
            for event in ws.events():
                if isinstance(event, Request):
                    await stream.send_all(ws.send(AcceptConnection()))
                elif isinstance(event, TextMessage):
                    reply = TextMessage(data=event.data, message_finished=event.message_finished)
                    await stream.send_all(ws.send(reply))
                elif isinstance(event, BytesMessage):
                    echo = BytesMessage(data=event.data, message_finished=event.message_finished)
                    await stream.send_all(ws.send(echo))
                elif isinstance(event, Ping):
                    await stream.send_all(ws.send(event.response()))
                elif isinstance(event, CloseConnection):
                    if ws.state is ConnectionState.REMOTE_CLOSING:
                        await stream.send_all(ws.send(event.response()))
                    return  # the server closes the TCP connection first
            if not data:
                return
    except (trio.BrokenResourceError, trio.TooSlowError):
        pass  # the peer went away or stayed silent
    finally:
        await stream.aclose()


async def main(
    host: str,
    port: int,
    task_status: trio.TaskStatus[List[trio.SocketListener]] = trio.TASK_STATUS_IGNORED,
) -> None:
    """Serve forever; ``nursery.start(main, ...)`` returns the listeners."""
    await trio.serve_tcp(handle, port, host=host, task_status=task_status)


async def run(host: str, port: int) -> None:
    async with trio.open_nursery() as nursery:
        listeners: Optional[List[trio.SocketListener]] = await nursery.start(main, host, port)
        assert listeners
        bound = listeners[0].socket.getsockname()[1]
        print(f"trio server: listening on {host}:{bound}", flush=True)


if __name__ == "__main__":
    args = sys.argv[1:]
    try:
        trio.run(run, args[0] if args else "127.0.0.1", int(args[1]) if len(args) > 1 else 8765)
    except KeyboardInterrupt:
        pass
