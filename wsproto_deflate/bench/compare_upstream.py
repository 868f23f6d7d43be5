"""Throughput of ~4 KiB JSON messages, client -> server, with permessage-deflate.

Runs with whatever wsproto is importable (upstream 1.x or this repository's 2.x):
only the public, upstream-compatible API is used. Example:

    /tmp/up/bin/python compare_upstream.py            # upstream wsproto 1.3.2
    WSPROTO_DEFLATE_BACKEND=zlib python compare_upstream.py
    WSPROTO_DEFLATE_BACKEND=zlib-ng python compare_upstream.py

Prints one JSON line: messages/s for send (client) and receive (server),
compressed bytes per message, and allocation counts per message.
"""

from __future__ import annotations

import json
import sys
import time
import tracemalloc
from typing import Any, List, Tuple

from corpus import json_messages

import wsproto
from wsproto import ConnectionType, WSConnection
from wsproto.events import AcceptConnection, Message, Request, TextMessage
from wsproto.extensions import PerMessageDeflate


def open_pair() -> Tuple[WSConnection, WSConnection]:
    client = WSConnection(ConnectionType.CLIENT)
    server = WSConnection(ConnectionType.SERVER)
    server.receive_data(
        client.send(Request(host="localhost", target="/", extensions=[PerMessageDeflate()]))
    )
    for _ in server.events():
        pass
    client.receive_data(server.send(AcceptConnection(extensions=[PerMessageDeflate()])))
    accepted = [e for e in client.events() if isinstance(e, AcceptConnection)]
    assert accepted and accepted[0].extensions, "permessage-deflate was not negotiated"
    return client, server


def run(messages: List[str]) -> Tuple[float, float, int]:
    client, server = open_pair()
    start = time.process_time()
    wire = [client.send(TextMessage(m)) for m in messages]
    sent = time.process_time() - start
    received = 0
    start = time.process_time()
    for chunk in wire:
        server.receive_data(chunk)
        for event in server.events():
            if isinstance(event, Message):
                received += len(event.data)
    recv = time.process_time() - start
    assert received == sum(len(m) for m in messages)
    return sent, recv, sum(len(w) for w in wire)


def allocations(messages: List[str]) -> Tuple[float, float]:
    """Mean peak of bytes allocated while sending / receiving one message (tracemalloc)."""
    client, server = open_pair()
    n = len(messages)
    tracemalloc.start()
    total_send = 0
    wire: List[bytes] = []
    for m in messages:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        w = client.send(TextMessage(m))
        total_send += tracemalloc.get_traced_memory()[1] - base
        wire.append(w)
    total_recv = 0
    for w in wire:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        server.receive_data(w)
        for event in server.events():
            del event
        total_recv += tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    return total_send / n, total_recv / n


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    messages = json_messages(count, size=4400)
    raw = sum(len(m) for m in messages)
    best: List[Any] = [float("inf"), float("inf"), 0]
    for _ in range(5):
        sent, recv, wire = run(messages)
        best = [min(best[0], sent), min(best[1], recv), wire]
    peak_send, peak_recv = allocations(messages[:300])
    backend = "upstream zlib"
    if wsproto.__version__.startswith("2"):
        import wsproto_deflate._backend as b

        backend = b.get_backend().name
    print(
        json.dumps(
            {
                "wsproto": wsproto.__version__,
                "backend": backend,
                "python": sys.version.split()[0],
                "messages": count,
                "mean_size": round(raw / count),
                "send_msgs_per_s": round(count / best[0]),
                "recv_msgs_per_s": round(count / best[1]),
                "send_MB_per_s": round(raw / best[0] / 1e6, 1),
                "recv_MB_per_s": round(raw / best[1] / 1e6, 1),
                "wire_bytes_per_msg": round(best[2] / count),
                "peak_alloc_send_per_msg": round(peak_send),
                "peak_alloc_recv_per_msg": round(peak_recv),
            }
        )
    )


if __name__ == "__main__":
    main()
