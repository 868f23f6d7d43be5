"""Measure the memory an idle connection costs, with tracemalloc (for docs/security.rst).

    python docs/scripts/measure_memory.py [--count N]

For each configuration it builds N client/server pairs through the full
HTTP/1.1 handshake, then reports the traced bytes per connection (one end):
right after the handshake, after one 1 KiB message each way (when
compression allocates its zlib streams), and the peak while the messages are
processed (the largest over all pairs, per end). Numbers depend on the Python
version and platform; the script prints both.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import platform
import sys
import tracemalloc
from typing import Callable, List, Optional, Sequence, Tuple, Type

from wsproto import ConnectionType, WSConnection
from wsproto.events import AcceptConnection, Request, TextMessage
from wsproto.extensions import Extension

Factory = Callable[[], Sequence[Extension]]


def _pair(extensions: Factory) -> Tuple[WSConnection, WSConnection]:
    client = WSConnection(ConnectionType.CLIENT)
    server = WSConnection(ConnectionType.SERVER)
    server.receive_data(client.send(Request(host="h", target="/", extensions=list(extensions()))))
    for _ in server.events():
        pass
    client.receive_data(server.send(AcceptConnection(extensions=list(extensions()))))
    for _ in client.events():
        pass
    return client, server


def _exchange(client: WSConnection, server: WSConnection) -> None:
    text = ('{"id": 1, "user": "someone", "body": "hello"} ' * 24)[:1024]
    server.receive_data(client.send(TextMessage(data=text)))
    for _ in server.events():
        pass
    client.receive_data(server.send(TextMessage(data=text)))
    for _ in client.events():
        pass


def measure(extensions: Factory, count: int) -> Tuple[float, float, float, List[str]]:
    """Return bytes per end: after the handshake, after one message each way, and the peak
    while one pair exchanges its first messages (both ends); plus the negotiated names."""
    _exchange(*_pair(extensions))  # warm up caches and lazy imports
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    pairs = [_pair(extensions) for _ in range(count)]
    gc.collect()
    idle = tracemalloc.get_traced_memory()[0] - base
    peak = 0
    for client, server in pairs:
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        _exchange(client, server)
        peak = max(peak, tracemalloc.get_traced_memory()[1] - before)
    gc.collect()
    used = tracemalloc.get_traced_memory()[0] - base
    tracemalloc.stop()
    conn = pairs[0][0].connection
    names = [e.name for e in conn.extensions] if conn is not None else []
    return idle / (2 * count), used / (2 * count), peak / 2, names


def _deflate(**options: object) -> Optional[Factory]:
    try:
        from wsproto.extensions import PerMessageDeflate
    except ImportError:
        return None
    return lambda: [PerMessageDeflate(**options)]


def _defaults_of(cls: Type[Extension]) -> Factory:
    return lambda: [cls()]


def _other_extensions() -> List[Tuple[str, Optional[Factory]]]:
    """One row per other installed extension (e.g. the example plugins), with defaults."""
    from wsproto.extensions import SUPPORTED_EXTENSIONS

    rows: List[Tuple[str, Optional[Factory]]] = []
    for name, cls in sorted(SUPPORTED_EXTENSIONS.items()):
        if name != "permessage-deflate":
            rows.append((f"{name}, defaults", _defaults_of(cls)))
    return rows


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200)
    args = parser.parse_args(argv)
    configs: List[Tuple[str, Optional[Factory]]] = [("no extension", lambda: [])]
    backends = ["zlib"] + (["zlib-ng"] if importlib.util.find_spec("zlib_ng") else [])
    for backend in backends:
        configs += [
            (f"permessage-deflate, default preset [{backend}]", _deflate(backend=backend)),
            (
                f"permessage-deflate, lean preset [{backend}]",
                _deflate(preset="lean", backend=backend),
            ),
            (
                f"permessage-deflate, max-ratio preset (1.3.2's 15/8) [{backend}]",
                _deflate(preset="max-ratio", backend=backend),
            ),
            (
                f"permessage-deflate, no context takeover [{backend}]",
                _deflate(
                    client_no_context_takeover=True,
                    server_no_context_takeover=True,
                    backend=backend,
                ),
            ),
        ]
    configs += _other_extensions()
    print(f"Python {platform.python_version()} ({sys.platform}), {args.count} pairs per row")
    print(
        f"{'configuration':58} {'negotiated':20} {'idle':>10} {'after 1 msg':>12} "
        f"{'peak in msg':>12}"
    )
    for label, factory in configs:
        if factory is None:
            print(f"{label:58} {'(plugin not installed)':22}")
            continue
        try:
            idle, used, peak, names = measure(factory, args.count)
        except TypeError as exc:  # an option this plugin version does not have
            print(f"{label:58} skipped: {exc}")
            continue
        negotiated = ",".join(names) or "-"
        print(
            f"{label:58} {negotiated:20} {idle / 1024:6.1f} KiB {used / 1024:8.1f} KiB "
            f"{peak / 1024:8.1f} KiB"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
