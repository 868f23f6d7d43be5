"""The interop scenarios: names, payloads and the server protocol every peer follows.

The same contract is written in JavaScript in ``node/scenarios.js`` and
``node/ws_server.js``; keep both sides in step.

Server protocol (ours, ``websockets``'s and ``ws``'s servers all follow it):

* a target whose first path segment is ``reject`` is refused with 403 and
  :data:`REJECT_BODY`;
* the text ``ping-me`` makes the server send a ping with :data:`SERVER_PING`,
  and the pong makes it send the text ``"pong:" + payload``;
* the text ``close-me`` makes the server close with :data:`SERVER_CLOSE`;
* every other message is echoed with its own type; on an ``echo_fragmented``
  target a text message is echoed as :data:`FRAGMENTS` frames.

Targets are ``/<scenario>/<tag>`` so that a server's record of a connection can
be found from the client's side.
"""

from __future__ import annotations

import math
import random
import uuid

ECHO_SCENARIOS = (
    "echo_text",
    "echo_utf8",
    "echo_binary",
    "echo_1mib",
    "echo_1mib_text",
    "echo_fragmented",
    "echo_random",
)
SCENARIOS = (
    *ECHO_SCENARIOS,
    "echo_sequence",
    "ping_client",
    "ping_server",
    "reject",
    "close_server",
    "close_client",
)

TEXT = "hello, interop"
UTF8 = "h\u00e9llo w\u00f6rld \u2713 \u2014 \U0001f600 \u65e5\u672c\u8a9e \u2211"
BINARY = bytes(range(256)) * 4
ONE_MIB = 1 << 20
BIG_BINARY = bytes(i % 251 for i in range(ONE_MIB))
#: incompressible: deflate falls back to stored blocks
RANDOM_BINARY = random.Random(7692).getrandbits(8 * ONE_MIB).to_bytes(ONE_MIB, "little")
_TEXT_CHUNK = "interop \u2713 h\u00e9llo \U0001f600 \u65e5\u672c\u8a9e \u2014 "
BIG_TEXT = _TEXT_CHUNK * math.ceil(ONE_MIB / len(_TEXT_CHUNK.encode()))

#: several messages on one connection: context takeover (or not) carries across them
SEQUENCE: tuple[str | bytes, ...] = (UTF8, BIG_TEXT, UTF8, BINARY, BIG_BINARY[:70000], TEXT)

CLIENT_PING = "cli-ping \u2713".encode()
SERVER_PING = b"srv-ping"
SERVER_CLOSE = (4321, "server bye \u2713")
CLIENT_CLOSE = (4000, "client bye \u2713")
REJECT_STATUS = 403
REJECT_BODY = "rejected by the interop server \u2713"

PAYLOADS: dict[str, str | bytes] = {
    "echo_text": TEXT,
    "echo_utf8": UTF8,
    "echo_binary": BINARY,
    "echo_1mib": BIG_BINARY,
    "echo_1mib_text": BIG_TEXT,
    "echo_fragmented": BIG_TEXT,
    "echo_random": RANDOM_BINARY,
}
#: echo scenarios whose payload deflate must shrink on the wire
COMPRESSIBLE = ("echo_1mib", "echo_1mib_text", "echo_fragmented")
#: ``echo_fragmented`` sends its payload as this many frames of one message
FRAGMENTS = 4


def fragments(payload: str) -> list[str]:
    """``payload`` cut into :data:`FRAGMENTS` pieces (at character boundaries)."""
    step = -(-len(payload) // FRAGMENTS)
    return [payload[i : i + step] for i in range(0, len(payload), step)]


def payload_length(scenario: str) -> int:
    """Byte length (UTF-8 for text) of the payload an echo scenario sends."""
    payload = PAYLOADS[scenario]
    return len(payload.encode() if isinstance(payload, str) else payload)


def payload_type(scenario: str) -> str:
    """``"text"`` or ``"binary"``: the message type an echo scenario sends."""
    return "text" if isinstance(PAYLOADS[scenario], str) else "binary"


def new_tag() -> str:
    """A fresh tag that makes a connection's target unique."""
    return uuid.uuid4().hex[:12]


def target(scenario: str, tag: str) -> str:
    """The request target a client uses for ``scenario``."""
    return f"/{scenario}/{tag}"


def scenario_of(request_target: str) -> str:
    """The scenario named by a request target (its first path segment)."""
    return request_target.lstrip("/").split("/", 1)[0].split("?", 1)[0]


def is_reject_target(request_target: str) -> bool:
    """True when the server must refuse this target."""
    return scenario_of(request_target) == "reject"


def echo_fragmented(request_target: str) -> bool:
    """True when the server must echo text messages as several frames."""
    return scenario_of(request_target) == "echo_fragmented"
