"""Smoke test of installed distributions: run from outside the repository by .ci/dist.sh.

Checks that wsproto comes from site-packages (not a clone), that the accelerator state is the
expected one, and that a client/server pair negotiates permessage-deflate and round-trips a
compressed message. Usage: python dist_smoke.py accelerated|pure
"""

from __future__ import annotations

import sys

import wsproto
import wsproto._masking
from wsproto import ConnectionType, WSConnection
from wsproto.events import AcceptConnection, Request, TextMessage
from wsproto.extensions import PerMessageDeflate


def main() -> int:
    expected = sys.argv[1]
    if "site-packages" not in (wsproto.__file__ or ""):
        print(f"wsproto imported from {wsproto.__file__}, not from an installed wheel")
        return 1
    accelerated = wsproto._masking.ACCELERATED
    if accelerated != (expected == "accelerated"):
        print(f"expected {expected}, but ACCELERATED is {accelerated}")
        return 1
    client = WSConnection(ConnectionType.CLIENT)
    server = WSConnection(ConnectionType.SERVER)
    server.receive_data(client.send(Request(host="localhost", target="/", extensions=[PerMessageDeflate()])))
    request = next(server.events())
    assert isinstance(request, Request), request
    client.receive_data(server.send(AcceptConnection(extensions=[PerMessageDeflate()])))
    accept = next(client.events())
    assert isinstance(accept, AcceptConnection), accept
    if [e.name for e in accept.extensions] != ["permessage-deflate"]:
        print(f"permessage-deflate was not negotiated: {accept.extensions}")
        return 1
    text = "a compressible message; " * 400
    wire = client.send(TextMessage(text))
    compressed = bool(wire[0] & 0x40)  # RSV1 marks a compressed message
    server.receive_data(wire)
    received = "".join(e.data for e in server.events() if isinstance(e, TextMessage))
    if not compressed or received != text or len(wire) >= len(text) // 10:
        print(f"round trip failed: rsv1={compressed} wire={len(wire)} B, text ok={received == text}")
        return 1
    print(
        f"ok: Python {sys.version_info[0]}.{sys.version_info[1]} "
        f"({'C accelerator' if accelerated else 'pure Python'}), "
        f"{len(text)} characters sent as {len(wire)} bytes, compressed, received intact"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
