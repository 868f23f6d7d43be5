"""Property test: any messages, fragmentation, wire chunking and configuration round-trip."""

from __future__ import annotations

from typing import List

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wsproto.events import BytesMessage, Message, Ping, TextMessage
from wsproto_deflate import PerMessageDeflate

from .helpers import deflate_pair, events

configs = st.fixed_dictionaries(
    {
        "client_no_context_takeover": st.booleans(),
        "server_no_context_takeover": st.booleans(),
        "client_max_window_bits": st.sampled_from([None, 8, 9, 12, 15]),
        "server_max_window_bits": st.sampled_from([None, 8, 9, 12, 15]),
        "threshold": st.sampled_from([0, 0, 16]),
        "inflate_step": st.sampled_from([1 << 20, 1 << 20, 37]),
    }
)
payloads = st.one_of(
    st.binary(max_size=300),
    st.text(max_size=200),
    st.builds(lambda s, n: s * n, st.text(min_size=1, max_size=8), st.integers(1, 500)),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    client=configs,
    server=configs,
    messages=st.lists(
        st.tuples(payloads, st.integers(1, 4), st.booleans(), st.booleans()), max_size=8
    ),
    chunk=st.integers(1, 64),
)
def test_roundtrip(
    client: dict,
    server: dict,
    messages: list,
    chunk: int,  # type: ignore[type-arg]
) -> None:
    pair = deflate_pair(PerMessageDeflate(**client), PerMessageDeflate(**server))
    for data, parts, from_client, ping in messages:
        sender = "client" if from_client else "server"
        receiver = pair.server if from_client else pair.client
        cut = [len(data) * i // parts for i in range(parts + 1)]
        wire = b""
        for i in range(parts):
            piece = data[cut[i] : cut[i + 1]]
            event = (TextMessage if isinstance(data, str) else BytesMessage)(
                piece, message_finished=i == parts - 1
            )
            wire += pair.send(sender, event)
            if ping and i == 0:
                wire += pair.send(sender, Ping(b"p"))
        got: List[object] = []
        for i in range(0, len(wire), chunk):
            got.extend(events(receiver, wire[i : i + chunk]))
        received = [e.data for e in got if isinstance(e, Message)]
        joined = "".join(received) if isinstance(data, str) else b"".join(received)
        assert joined == data
        assert [e for e in got if isinstance(e, Ping)] == ([Ping(b"p")] if ping else [])
        assert [e for e in got if isinstance(e, Message)][-1].message_finished
