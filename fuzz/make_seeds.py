"""Regenerate the committed seed corpus: ``python fuzz/make_seeds.py`` (deterministic).

Each target gets valid inputs of every kind it parses, in the input format of
``fuzz_targets.py`` (a configuration byte, then the data).
"""

from __future__ import annotations

import hashlib
import random
import shutil
import sys
import zlib
from pathlib import Path
from typing import Dict, List

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from fuzz_targets import FIXED_NONCE, TARGETS  # noqa: E402

from wsproto import ConnectionType  # noqa: E402
from wsproto.connection import Connection  # noqa: E402
from wsproto.events import CloseConnection, Message, Ping, Pong  # noqa: E402
from wsproto.utilities import generate_accept_token  # noqa: E402

CORPUS = HERE / "corpus"


def _stream(client: bool) -> List[bytes]:
    """Valid frame streams sent by a client (masked) or a server."""
    rng = random.Random(5)
    out = []
    scripts = [
        [Message(data="hello")],
        [Message(data=b"\x00\x01binary")],
        [Message(data="")],
        [Message(data="frag", message_finished=False), Ping(b"p"), Message(data="ment")],
        [Message(data=b"x" * 200)],
        [Message(data=bytes(rng.randrange(256) for _ in range(70000)))],
        [Ping(b""), Pong(b"pong"), CloseConnection(code=1000, reason="bye")],
        [CloseConnection(code=4000, reason="é" * 20)],
        [Message(data="€uro ☃ 😀")],
    ]
    for script in scripts:
        conn = Connection(ConnectionType.CLIENT if client else ConnectionType.SERVER)
        out.append(b"".join(conn.send(e) for e in script))
    return out


REQUEST = (
    b"GET /chat?room=1 HTTP/1.1\r\n"
    b"Host: example.com\r\n"
    b"Upgrade: websocket\r\n"
    b"Connection: Upgrade\r\n"
    b"Sec-WebSocket-Key: " + FIXED_NONCE + b"\r\n"
    b"Sec-WebSocket-Version: 13\r\n"
)


def _requests() -> List[bytes]:
    frame = Connection(ConnectionType.CLIENT).send(Message(data="hi"))
    return [
        REQUEST + b"\r\n",
        REQUEST + b"Sec-WebSocket-Protocol: chat, superchat\r\n\r\n",
        REQUEST + b"Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n",
        REQUEST + b"Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover, "
        b'permessage-deflate; client_max_window_bits="10", x-foo\r\n\r\n' + frame,
        REQUEST.replace(b"13", b"8") + b"\r\n",
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc",
        b"GET / HTTP/1.0\r\n\r\n",
    ]


def _responses() -> List[bytes]:
    accept = generate_accept_token(FIXED_NONCE)
    base = (
        b"HTTP/1.1 101 Switching Protocols\r\n"
        b"Upgrade: websocket\r\n"
        b"Connection: Upgrade\r\n"
        b"Sec-WebSocket-Accept: " + accept + b"\r\n"
    )
    frame = Connection(ConnectionType.SERVER).send(Message(data="hi"))
    return [
        base + b"\r\n",
        base + b"Sec-WebSocket-Protocol: chat\r\n\r\n" + frame,
        base + b"Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n",
        base + b"Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=9; "
        b"client_no_context_takeover\r\n\r\n",
        b"HTTP/1.1 403 Forbidden\r\nContent-Length: 5\r\n\r\nnope!",
        b"HTTP/1.1 100 Continue\r\n\r\n" + base + b"\r\n",
    ]


HEADERS = [
    b"permessage-deflate",
    b"permessage-deflate; client_max_window_bits",
    b"permessage-deflate; client_max_window_bits=10; server_no_context_takeover",
    b'permessage-deflate; server_max_window_bits="12", permessage-deflate',
    b'x-foo; a="b\\"c"; d, y-bar ;e = f',
    b"permessage-deflate; client_no_context_takeover; client_no_context_takeover",
    b",, , a",
    b"permessage-bzip2; level=9, permessage-lzma",
]


def _deflated(text: bytes, bits: int = 15) -> bytes:
    comp = zlib.compressobj(6, zlib.DEFLATED, -bits)
    return (comp.compress(text) + comp.flush(zlib.Z_SYNC_FLUSH))[:-4]


def _configs(streams: List[bytes], configs: tuple) -> List[bytes]:
    """Prefix each stream with each configuration byte (large streams: only the first)."""
    return [bytes([c]) + s for s in streams for c in (configs if len(s) < 10000 else configs[:1])]


def seeds() -> Dict[str, List[bytes]]:
    """Every target's seeds."""
    json = b'{"id": 1, "name": "widget", "tags": ["a", "b"], "price": 9.99}' * 20
    return {
        "frames_server": _configs(_stream(client=True), (0, 7)),
        "frames_client": _configs(_stream(client=False), (0, 0x45)),
        "handshake_server": [bytes([c]) + r for r in _requests() for c in (0x80, 0x13)],
        "handshake_client": [bytes([c]) + r for r in _responses() for c in (0x80, 0x05)],
        "extensions_header": HEADERS,
        "deflate_inflater": [
            bytes([0x00]) + _deflated(b"hello hello hello"),
            bytes([0x08]) + _deflated("héllo ☃".encode()),
            bytes([0x30]) + _deflated(json),
            bytes([0x82]) + _deflated(json, 8 + 1),
            bytes([0x40]) + _deflated(bytes(5000)),
            bytes([0x00]) + b"\x00",  # an empty deflate stream
            bytes([0x01]) + b"",
        ],
    }


def main() -> None:
    all_seeds = seeds()
    assert set(all_seeds) == set(TARGETS)
    for name, items in all_seeds.items():
        folder = CORPUS / name
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        for item in items:
            (folder / hashlib.sha1(item).hexdigest()[:16]).write_bytes(item)
        print(f"{name}: {len(items)} seeds")


if __name__ == "__main__":
    main()
