"""Measure the permessage-deflate presets against upstream 1.3.2 and websockets, in one run.

    python wsproto_deflate/bench/presets.py [--count 10000] [--write]

For each row -- this package's presets ("default", "lean", "max-ratio"),
upstream wsproto 1.3.2's defaults and websockets' defaults -- a worker process
(in a venv of its own for upstream) reports:

* memory per *server* connection, traced with tracemalloc after
  ``gc.collect()``: idle after the handshake, and after one ~4 KiB JSON message
  each way (``--count`` server connections; the client side is built before
  tracing starts);
* the growth per connection between message 1 and message 1,000 (50
  client/server pairs exchanging 1,000 messages each way);
* the compression ratio (bytes on the wire / bytes of JSON) of the benchmark's
  corpus (``corpus.py``, 300 messages) in each direction on one connection;
* round trips per CPU second: the client sends a 4 KiB message, the server
  receives it and sends it back, the client receives it (best of 5).

The clients are each implementation's default client. ``--write`` also
rewrites ``docs/compression_presets.inc`` and ``docs/images/deflate-presets.png``
(matplotlib, installed into a venv of its own). Venvs live in
``wsproto_deflate/bench/.venvs/`` and are reused.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import json
import os
import platform
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
VENVS = HERE / ".venvs"
PRESETS = ("default", "lean", "max-ratio")
ROWS = [*(f"ours:{p}" for p in PRESETS), "upstream", "websockets"]
LABELS = {
    "ours:default": "wsproto 2, default",
    "ours:lean": "wsproto 2, lean",
    "ours:max-ratio": "wsproto 2, max-ratio",
    "upstream": "wsproto 1.3.2",
    "websockets": "websockets 17.4 defaults",
}
GROWTH_PAIRS = 50
GROWTH_MESSAGES = 1000
CORPUS_MESSAGES = 300


def corpus() -> List[str]:
    loaded = importlib.util.spec_from_file_location("deflate_bench_corpus", HERE / "corpus.py")
    assert loaded is not None and loaded.loader is not None
    module = importlib.util.module_from_spec(loaded)
    loaded.loader.exec_module(module)
    return list(module.json_messages(CORPUS_MESSAGES))


# --------------------------------------------------------------------------- endpoints
# A pair is (client, server); send(end, text) -> wire bytes; recv(end, data) -> texts.


class WsprotoKind:
    """This package or upstream 1.3.2: the same wsproto API."""

    def __init__(self, preset: Optional[str]) -> None:
        from wsproto import ConnectionType, WSConnection
        from wsproto.events import AcceptConnection, Request, TextMessage
        from wsproto.extensions import PerMessageDeflate

        self.conn, self.ctype = WSConnection, ConnectionType
        self.accept, self.request, self.text = AcceptConnection, Request, TextMessage
        if preset is None:
            self.server_ext: Callable[[], Any] = PerMessageDeflate
        else:
            self.server_ext = lambda: PerMessageDeflate(preset=preset)
        self.client_ext: Callable[[], Any] = PerMessageDeflate

    def request_bytes(self) -> Tuple[Any, bytes]:
        client = self.conn(self.ctype.CLIENT)
        req = client.send(
            self.request(host="localhost", target="/", extensions=[self.client_ext()])
        )
        return client, req

    def server(self, request: bytes) -> Tuple[Any, bytes]:
        server = self.conn(self.ctype.SERVER)
        server.receive_data(request)
        for _ in server.events():
            pass
        return server, server.send(self.accept(extensions=[self.server_ext()]))

    def finish_client(self, client: Any, response: bytes) -> None:
        client.receive_data(response)
        events = list(client.events())
        assert events and events[0].extensions, f"deflate not negotiated: {events}"

    def send(self, end: Any, text: str) -> bytes:
        return end.send(self.text(data=text))  # type: ignore[no-any-return]

    def recv(self, end: Any, data: bytes) -> int:
        end.receive_data(data)
        return sum(len(e.data) for e in end.events())


class WebsocketsKind:
    """websockets' sans-I/O protocol with its default compression settings."""

    def __init__(self) -> None:
        from websockets.client import ClientProtocol
        from websockets.extensions.permessage_deflate import (
            enable_client_permessage_deflate,
            enable_server_permessage_deflate,
        )
        from websockets.server import ServerProtocol
        from websockets.uri import parse_uri

        self.client_cls, self.server_cls = ClientProtocol, ServerProtocol
        self.uri = parse_uri("ws://localhost/")
        self.client_exts = enable_client_permessage_deflate(None)
        self.server_exts = enable_server_permessage_deflate(None)

    def request_bytes(self) -> Tuple[Any, bytes]:
        client = self.client_cls(self.uri, extensions=self.client_exts, max_size=None)
        client.send_request(client.connect())
        return client, b"".join(client.data_to_send())

    def server(self, request: bytes) -> Tuple[Any, bytes]:
        server = self.server_cls(extensions=self.server_exts, max_size=None)
        server.receive_data(request)
        (req,) = server.events_received()
        server.send_response(server.accept(req))
        return server, b"".join(server.data_to_send())

    def finish_client(self, client: Any, response: bytes) -> None:
        client.receive_data(response)
        client.events_received()
        assert client.extensions, "deflate not negotiated"

    def send(self, end: Any, text: str) -> bytes:
        end.send_text(text.encode())
        return b"".join(end.data_to_send())

    def recv(self, end: Any, data: bytes) -> int:
        end.receive_data(data)
        return sum(len(e.data) for e in end.events_received())


def make_kind(row: str) -> Any:
    if row == "websockets":
        return WebsocketsKind()
    return WsprotoKind(row.split(":", 1)[1] if row.startswith("ours:") else None)


def pair(kind: Any) -> Tuple[Any, Any]:
    client, request = kind.request_bytes()
    server, response = kind.server(request)
    kind.finish_client(client, response)
    return client, server


# --------------------------------------------------------------------------- measurements


def memory(kind: Any, count: int, text: str) -> Tuple[float, float]:
    """Bytes per server connection: idle, and after one message each way."""
    client, request = kind.request_bytes()
    first, response = kind.server(request)
    kind.finish_client(client, response)
    message = kind.send(client, text)  # a fresh client's first message: valid for every server
    assert kind.recv(first, message) == len(text)
    kind.send(first, text)
    del first
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    servers = [kind.server(request)[0] for _ in range(count)]
    gc.collect()
    idle = tracemalloc.get_traced_memory()[0] - base
    for server in servers:
        kind.recv(server, message)
        kind.send(server, text)
    gc.collect()
    used = tracemalloc.get_traced_memory()[0] - base
    tracemalloc.stop()
    lists = sys.getsizeof(servers)
    return (idle - lists) / count, (used - lists) / count


def growth(kind: Any, texts: List[str]) -> float:
    """Traced bytes per client+server pair gained between message 1 and message 1,000."""
    pairs = [pair(kind) for _ in range(GROWTH_PAIRS)]

    def one_round(i: int) -> None:
        text = texts[i % len(texts)]
        for client, server in pairs:
            kind.recv(server, kind.send(client, text))
            kind.recv(client, kind.send(server, text))

    one_round(0)
    gc.collect()
    tracemalloc.start()
    one_round(1)
    gc.collect()
    after_one = tracemalloc.get_traced_memory()[0]
    for i in range(2, GROWTH_MESSAGES + 1):
        one_round(i)
    gc.collect()
    after_many = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return (after_many - after_one) / GROWTH_PAIRS


def ratio(kind: Any, texts: List[str]) -> Tuple[float, float]:
    """Wire bytes / JSON bytes, client to server and server to client, over the corpus."""
    client, server = pair(kind)
    total = sum(len(t.encode()) for t in texts)
    up = down = 0
    for text in texts:
        wire = kind.send(client, text)
        up += len(wire)
        assert kind.recv(server, wire) == len(text)
        wire = kind.send(server, text)
        down += len(wire)
        assert kind.recv(client, wire) == len(text)
    return up / total, down / total


def round_trips(kind: Any, texts: List[str]) -> float:
    """Round trips per CPU second (client -> server -> client), best of 5."""
    client, server = pair(kind)
    best = float("inf")
    for _ in range(5):
        start = time.process_time()
        for text in texts:
            kind.recv(server, kind.send(client, text))
            kind.recv(client, kind.send(server, text))
        best = min(best, time.process_time() - start)
    return len(texts) / best


def worker(row: str, count: int) -> Dict[str, Any]:
    kind = make_kind(row)
    texts = corpus()
    text = texts[0]
    idle, after = memory(kind, count, text)
    up, down = ratio(kind, texts)
    return {
        "row": row,
        "idle": idle,
        "after": after,
        "growth": growth(kind, texts),
        "ratio_up": up,
        "ratio_down": down,
        "round_trips": round_trips(kind, texts),
        "message_bytes": len(text.encode()),
        "python": platform.python_version(),
    }


# --------------------------------------------------------------------------- driver


def venv(name: str, packages: List[str]) -> str:
    """The python of ``.venvs/name`` with ``packages`` (created on first use)."""
    python = VENVS / name / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENVS / name)], check=True, timeout=300)
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", *packages],
            check=True,
            timeout=900,
        )
    return str(python)


def run_row(python: str, row: str, count: int) -> Dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WSPROTO_DEFLATE")}
    out = subprocess.run(
        [python, str(Path(__file__)), "--worker", row, "--count", str(count)],
        capture_output=True, text=True, timeout=3600, env=env, check=False,
    )  # fmt: skip
    if out.returncode != 0:
        raise SystemExit(f"{row} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def table(results: List[Dict[str, Any]], count: int) -> str:
    head = (
        "configuration",
        "idle KiB/conn",
        "after 1 msg KiB/conn",
        "growth, 1,000 msgs",
        "ratio c->s",
        "ratio s->c",
        "round trips/s",
    )
    rows = []
    for r in results:
        rows.append(
            (
                LABELS[r["row"]],
                f"{r['idle'] / 1024:.1f}",
                f"{r['after'] / 1024:.1f}",
                f"{r['growth'] / 1024:+.1f} KiB",
                f"{r['ratio_up']:.3f}",
                f"{r['ratio_down']:.3f}",
                f"{r['round_trips']:,.0f}",
            )
        )
    widths = [max(len(str(x[i])) for x in [head, *rows]) for i in range(len(head))]
    rule = "  ".join("=" * w for w in widths)
    lines = [
        f".. Generated by wsproto_deflate/bench/presets.py --count {count} "
        f"(Python {results[0]['python']}); do not edit.",
        "",
        rule,
        "  ".join(h.ljust(w) for h, w in zip(head, widths)).rstrip(),
        rule,
    ]
    lines += ["  ".join(str(c).ljust(w) for c, w in zip(row, widths)).rstrip() for row in rows]
    lines += [rule, ""]
    return "\n".join(lines)


PLOT_CODE = """
import json, sys
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator
rows = json.loads(open(sys.argv[1]).read())
fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4.2), gridspec_kw={"width_ratios": [3, 2]})
for i, r in enumerate(rows):
    x, y = r["after"] / 1024, r["ratio_down"]
    left.scatter([x], [y], s=90 if r["row"] == "upstream" else 50, color=f"C{i}",
                 marker="x" if r["row"] == "upstream" else "o")
    left.annotate(r["label"], (x, y), textcoords="offset points", fontsize=8,
                  xytext=(-8, 8 + 12 * (i % 2)), ha="right" if x > 100 else "left")
left.set_xscale("log")
left.xaxis.set_major_locator(FixedLocator([10, 20, 50, 100, 200, 400]))
left.xaxis.set_minor_locator(NullLocator())
left.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
left.set_xlim(8, 500)
left.set_ylim(min(r["ratio_down"] for r in rows) - 0.02, max(r["ratio_down"] for r in rows) + 0.03)
left.set_xlabel("KiB per server connection after one message each way (log)")
left.set_ylabel("wire / JSON bytes, server to client (lower is better)")
left.grid(True, alpha=0.3)
names = [r["label"] for r in rows]
right.barh(range(len(rows)), [r["round_trips"] for r in rows],
           color=[f"C{i}" for i in range(len(rows))])
right.set_yticks(range(len(rows)), names, fontsize=8)
right.invert_yaxis()
right.set_xlabel("round trips per CPU second (higher is better)")
right.grid(True, axis="x", alpha=0.3)
fig.suptitle("permessage-deflate presets: memory, ratio and speed (one run)")
fig.tight_layout()
fig.savefig(sys.argv[2], dpi=110)
"""


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000, help="server connections")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--rows", default=",".join(ROWS), help="comma-separated rows")
    parser.add_argument("--write", action="store_true", help="rewrite the docs table and plot")
    parser.add_argument(
        "--plot-only", action="store_true", help="redraw the plot from the last --write run"
    )
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args.worker, args.count)))
        return 0
    data = VENVS / "presets.json"
    image = REPO / "docs" / "images" / "deflate-presets.png"
    if args.plot_only:
        plot(data, image)
        return 0
    upstream = venv("upstream", ["wsproto==1.3.2"])
    results = []
    for row in args.rows.split(","):
        python = upstream if row == "upstream" else sys.executable
        result = run_row(python, row, args.count)
        print(json.dumps(result), file=sys.stderr)
        results.append(result)
    text = table(results, args.count)
    print(text)
    if args.write:
        (REPO / "docs" / "compression_presets.inc").write_text(text)
        data.write_text(json.dumps([{**r, "label": LABELS[r["row"]]} for r in results]))
        plot(data, image)
    return 0


def plot(data: Path, image: Path) -> None:
    """Draw the plot of ``data`` (a --write run's results) with matplotlib in its own venv."""
    python = venv("plot", ["matplotlib"])
    subprocess.run([python, "-c", PLOT_CODE, str(data), str(image)], check=True, timeout=300)


if __name__ == "__main__":
    raise SystemExit(main())
