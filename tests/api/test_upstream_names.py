"""Every public module-level name of wsproto 1.3.2 is importable from the same module.

The list is ``upstream_1_3_2_names.json``, generated from 1.3.2's sources by
``generate_upstream_names.py`` (see there for what counts as a public name).
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Dict, List

import pytest

NAMES: Dict[str, List[str]] = json.loads(
    Path(__file__).with_name("upstream_1_3_2_names.json").read_text(encoding="utf-8")
)


def test_the_pinned_list_covers_every_upstream_module() -> None:
    assert sorted(NAMES) == [
        "wsproto",
        "wsproto.connection",
        "wsproto.events",
        "wsproto.extensions",
        "wsproto.frame_protocol",
        "wsproto.handshake",
        "wsproto.typing",
        "wsproto.utilities",
    ]
    assert sum(map(len, NAMES.values())) >= 100


@pytest.mark.parametrize("module_name", sorted(NAMES))
def test_every_upstream_name_is_importable(module_name: str) -> None:
    module = importlib.import_module(module_name)
    missing = [name for name in NAMES[module_name] if not hasattr(module, name)]
    assert missing == [], f"{module_name} lacks 1.3.2's names {missing}"


def test_re_exports_are_the_same_objects() -> None:
    import wsproto
    from wsproto import connection, events, frame_protocol, handshake, utilities

    assert connection.CLIENT is connection.ConnectionType.CLIENT
    assert connection.SERVER is connection.ConnectionType.SERVER
    assert connection.Opcode is frame_protocol.Opcode
    assert handshake.split_comma_header is utilities.split_comma_header
    assert handshake.normed_header_dict is utilities.normed_header_dict
    assert wsproto.Connection is connection.Connection
    assert wsproto.H11Handshake is handshake.H11Handshake
    assert events.TextMessage.__mro__[1] is events.Message
