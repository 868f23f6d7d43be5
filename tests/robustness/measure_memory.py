"""Measure the memory one server-side connection holds, for the security notes.

Run: ``python tests/robustness/measure_memory.py`` (prints a table; takes a few seconds).

For each set-up, N server connections are opened and reported per connection:
the memory kept once the handshake is done (idle), and the memory added by
receiving one 16 KiB JSON-like message and sending one (zlib allocates its
compressor and decompressor state on first use). CPython's zlib module
allocates through PyMem_RawMalloc, so tracemalloc sees zlib's state; the last
column is zlib's documented formula for comparison (deflate:
(1 << (windowBits+2)) + (1 << (memLevel+9)); inflate: (1 << windowBits) + ~7 KiB).
"""

from __future__ import annotations

import gc
import sys
import tracemalloc
from typing import Any, Callable, Dict, List, Tuple

from wsproto import ConnectionType, WSConnection
from wsproto.events import AcceptConnection, Message, Request

N = 200
MESSAGE = (b'{"id": 12345, "name": "widget", "tags": ["a", "b", "c"], "price": 9.99},' * 250)[
    : 16 << 10
]


def _setups() -> Dict[str, Tuple[Callable[[], List[Any]], int]]:
    """name -> (factory, zlib state bytes per connection estimated from zlib's formula)."""
    setups: Dict[str, Tuple[Callable[[], List[Any]], int]] = {"no extension": (list, 0)}
    try:
        from wsproto.extensions import PerMessageDeflate
    except ImportError:
        return setups
    for bits, mem in ((15, 8), (12, 8), (9, 1)):
        zlib_state = (1 << (bits + 2)) + (1 << (mem + 9)) + (1 << bits) + 7 * 1024

        def make(bits: int = bits, mem: int = mem) -> List[Any]:
            return [
                PerMessageDeflate(
                    client_max_window_bits=bits, server_max_window_bits=bits, mem_level=mem
                )
            ]

        setups[f"deflate window={bits} memLevel={mem}"] = (make, zlib_state)
    return setups


def measure(factory: Callable[[], List[Any]]) -> Tuple[float, float]:
    """Return bytes per server connection: kept after the handshake, and added by one
    16 KiB message received and one sent (zlib allocates its state on first use)."""
    clients = [WSConnection(ConnectionType.CLIENT) for _ in range(N)]
    requests = [c.send(Request(host="h", target="/", extensions=factory())) for c in clients]
    gc.collect()
    tracemalloc.start()
    start, _ = tracemalloc.get_traced_memory()
    servers = []
    responses = []
    for request in requests:
        server = WSConnection(ConnectionType.SERVER)
        server.receive_data(request)
        list(server.events())
        responses.append(server.send(AcceptConnection(extensions=factory())))
        servers.append(server)
    del responses
    gc.collect()
    idle, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del clients, requests
    frames = [_client_frame(factory) for _ in range(N)]
    gc.collect()
    tracemalloc.start()
    before, _ = tracemalloc.get_traced_memory()
    for server, frame in zip(servers, frames):
        server.receive_data(frame)
        for _ in server.events():
            pass
        server.send(Message(data=MESSAGE))
    del frames
    gc.collect()
    after, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return (idle - start) / N, (after - before) / N


def _client_frame(factory: Callable[[], List[Any]]) -> bytes:
    """A message frame from a fresh client whose negotiation matches a fresh server's."""
    client = WSConnection(ConnectionType.CLIENT)
    server = WSConnection(ConnectionType.SERVER)
    server.receive_data(client.send(Request(host="h", target="/", extensions=factory())))
    list(server.events())
    client.receive_data(server.send(AcceptConnection(extensions=factory())))
    list(client.events())
    return client.send(Message(data=MESSAGE))


def main() -> None:
    print(f"Python {sys.version.split()[0]}, {N} server connections per row")
    header = f"{'set-up':34} {'idle after handshake':>22} {'+ after 16 KiB msg':>20}"
    print(f"{header} {'zlib formula':>13}")
    for name, (factory, zlib_state) in _setups().items():
        idle, after_message = measure(factory)
        print(
            f"{name:34} {idle / 1024:19.1f} KiB {after_message / 1024:17.1f} KiB "
            f"{zlib_state / 1024:9.0f} KiB"
        )


if __name__ == "__main__":
    main()
