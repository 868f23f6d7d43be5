"""Every code sample of the 2019 wsproto documentation runs against this wsproto.

The samples are embedded in :mod:`seed_samples`; their I/O is pointed at a
loopback peer running in a thread (a wsproto connection of the other role).
Every socket has a timeout and every loop a bound, so a broken sample fails
instead of hanging.
"""

from __future__ import annotations

import contextlib
import io
import socket
import threading
from typing import Any, Callable, Dict, List, Optional, Tuple

import pytest

import wsproto
import wsproto.events
from wsproto import ConnectionType, WSConnection
from wsproto.connection import Connection, ConnectionState
from wsproto.events import (
    AcceptConnection,
    BytesMessage,
    CloseConnection,
    Message,
    Ping,
    Pong,
    Request,
    TextMessage,
)

from . import seed_samples as seed

TIMEOUT = 10.0
MAX_READS = 200


def _namespace(**extra: Any) -> Dict[str, Any]:
    """What the seed's samples assume is imported."""
    names: Dict[str, Any] = {"socket": socket, "WSConnection": WSConnection}
    names["ConnectionType"] = ConnectionType
    names["Connection"] = Connection
    for name in wsproto.events.__all__:
        names[name] = getattr(wsproto.events, name)
    names.update(extra)
    return names


def _run(code: str, namespace: Dict[str, Any], label: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, f"<seed {label}>", "exec"), namespace)
    return out.getvalue()


def _drain_peer(ws: WSConnection, sock: socket.socket, on_event: Callable[[Any], None]) -> None:
    """Peer loop: feed reads to ``ws`` and call ``on_event`` until CLOSED or EOF."""
    for _ in range(MAX_READS):
        if ws.state is ConnectionState.CLOSED:
            return
        data = sock.recv(65536)
        ws.receive_data(data or None)
        for event in ws.events():
            on_event(event)
        if not data:
            return
    raise AssertionError("peer: too many reads")


class PeerThread(threading.Thread):
    """Runs a peer function and keeps its exception for the test to re-raise."""

    def __init__(self, target: Callable[[], None]) -> None:
        super().__init__(daemon=True)
        self._fn = target
        self.error: Optional[BaseException] = None

    def run(self) -> None:
        try:
            self._fn()
        except BaseException as exc:  # reported by finish()
            self.error = exc

    def finish(self) -> None:
        self.join(TIMEOUT)
        assert not self.is_alive(), "peer thread did not finish"
        if self.error is not None:
            raise self.error


def _listener() -> Tuple[socket.socket, Tuple[str, int]]:
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(TIMEOUT)
    return listener, listener.getsockname()[:2]


def test_installation_samples_are_shell_commands() -> None:
    # Chapter 1 has no Python: `pip install wsproto` and `python setup.py install`.
    # The install commands of this repository are exercised by CI itself.
    assert seed.INSTALL_PIP.startswith("$ pip install")
    assert seed.INSTALL_SETUP.startswith("$ python setup.py")


def test_client_samples() -> None:
    """2.2: the client samples, against a loopback wsproto server."""
    listener, address = _listener()
    peer_log: List[Any] = []

    def server() -> None:
        conn, _ = listener.accept()
        with conn:
            conn.settimeout(TIMEOUT)
            ws = WSConnection(ConnectionType.SERVER)

            def on_event(event: Any) -> None:
                peer_log.append(event)
                if isinstance(event, Request):
                    conn.sendall(ws.send(AcceptConnection()))
                elif isinstance(event, Message):
                    conn.sendall(ws.send(Message(data=event.data)))
                    conn.sendall(ws.send(Ping(b"ping-from-peer")))
                    conn.sendall(ws.send(CloseConnection(code=1000, reason="bye")))

            _drain_peer(ws, conn, on_event)

    peer = PeerThread(server)
    peer.start()
    ns = _namespace()
    try:
        create = seed.CLIENT_CREATE.replace("ws.send(Request", "request_bytes = ws.send(Request")
        _run(create, ns, "2.2 create")
        connect = seed.CLIENT_CONNECT.replace('("example.com", 80)', "PEER_ADDRESS")
        ns["PEER_ADDRESS"] = address
        _run(connect, ns, "2.2 connect")
        ns["sock"].settimeout(TIMEOUT)
        ns["sock"].sendall(ns["request_bytes"])
        _run(seed.CLIENT_READ, ns, "2.2 read")
        for _ in range(MAX_READS):  # the 101 response may arrive in pieces
            if ns["ws"].state is not ConnectionState.CONNECTING:
                break
            _run(seed.CLIENT_READ, ns, "2.2 read")
        assert ns["ws"].state is ConnectionState.OPEN
        _run(seed.CLIENT_SEND_BYTES, ns, "2.2 send bytes")
        _run(seed.CLIENT_SEND_TEXT, ns, "2.2 send text")
        printed = _run(seed.CLIENT_EVENTS, ns, "2.2 events")
        for _ in range(MAX_READS):
            if ns["ws"].state is ConnectionState.CLOSED:
                break
            _run(seed.CLIENT_READ, ns, "2.2 read")
            printed += _run(seed.CLIENT_EVENTS, ns, "2.2 events")
        ns["sock"].close()
        peer.finish()
    finally:
        listener.close()
    assert printed.splitlines() == [
        "Connection established",
        "Received BINARY data: b'Hello'",
        "BINARY Message finished.",
        "Received Ping frame with payload b'ping-from-peer'",
        "Connection closed: code=1000 reason=bye",
    ]
    assert ns["ws"].state is ConnectionState.CLOSED
    assert isinstance(peer_log[0], Request) and peer_log[0].target == "foo"
    assert Pong(b"ping-from-peer") in peer_log


def test_server_samples() -> None:
    """2.3: the server samples, against a loopback wsproto client."""
    listener, address = _listener()
    peer_log: List[Any] = []

    def client() -> None:
        with socket.create_connection(address, timeout=TIMEOUT) as sock:
            ws = WSConnection(ConnectionType.CLIENT)
            sock.sendall(ws.send(Request(host="localhost", target="/")))

            def on_event(event: Any) -> None:
                peer_log.append(event)
                if isinstance(event, AcceptConnection):
                    sock.sendall(ws.send(TextMessage(data="hi")))
                    sock.sendall(ws.send(BytesMessage(data=b"\x00\x01")))
                    sock.sendall(ws.send(Ping(b"p")))
                    sock.sendall(ws.send(CloseConnection(code=1000, reason="done")))

            _drain_peer(ws, sock, on_event)
            # The server closes the TCP connection first: wait for the end of the stream.
            assert sock.recv(1) == b""

    peer = PeerThread(client)
    peer.start()
    try:
        conn, _ = listener.accept()
        conn.settimeout(TIMEOUT)
        ns = _namespace(sock=conn)
        _run(seed.SERVER_CREATE, ns, "2.3 create")
        printed = ""
        for _ in range(MAX_READS):
            if ns["ws"].state is ConnectionState.CLOSED:
                break
            ns["ws"].receive_data(conn.recv(4096) or None)
            printed += _run(seed.SERVER_EVENTS, ns, "2.3 events")
        conn.close()
        peer.finish()
    finally:
        listener.close()
    assert printed.splitlines() == [
        "Accepting connection request",
        "Received TEXT data: hi",
        "TEXT Message finished.",
        "Received BINARY data: b'\\x00\\x01'",
        "BINARY Message finished.",
        "Received Ping frame with payload b'p'",
        "Connection closed: code=1000 reason=done",
    ]
    assert Pong(b"p") in peer_log
    assert CloseConnection(code=1000, reason="done") in peer_log


def _open_pair() -> Tuple[WSConnection, WSConnection]:
    client, server = WSConnection(ConnectionType.CLIENT), WSConnection(ConnectionType.SERVER)
    server.receive_data(client.send(Request(host="localhost", target="/")))
    assert isinstance(next(server.events()), Request)
    client.receive_data(server.send(AcceptConnection()))
    assert isinstance(next(client.events()), AcceptConnection)
    return client, server


@pytest.mark.parametrize(
    ("sample", "trigger", "reply"),
    [
        (seed.CLOSE_REPLY, CloseConnection(code=1001, reason="away"), CloseConnection),
        (seed.PING_REPLY, Ping(b"are you there"), Pong),
    ],
    ids=["2.5 close", "2.6 ping"],
)
def test_reply_samples(sample: str, trigger: Any, reply: type) -> None:
    """2.5 and 2.6: the one-line replies, over a socket pair."""
    client, server = _open_pair()
    server.receive_data(client.send(trigger))
    (event,) = list(server.events())
    here, there = socket.socketpair()
    with here, there:
        there.settimeout(TIMEOUT)
        _run(sample, _namespace(sock=here, ws=server, event=event), "reply")
        client.receive_data(there.recv(4096))
    (answer,) = list(client.events())
    assert isinstance(answer, reply)
    if isinstance(trigger, Ping):
        assert answer == Pong(trigger.payload)
    else:
        assert answer == trigger
        assert client.state is ConnectionState.CLOSED and server.state is ConnectionState.CLOSED


def test_post_handshake_sample() -> None:
    """3.2: Connection used directly, over a socket pair with a client peer."""
    peer = Connection(ConnectionType.CLIENT)
    here, there = socket.socketpair()
    with here, there:
        here.settimeout(TIMEOUT)
        there.settimeout(TIMEOUT)
        there.sendall(peer.send(TextMessage(data="hello from the peer")))
        seen: List[Any] = []
        code = seed.POST_HANDSHAKE + "    seen.append(event)\n"
        _run(code, _namespace(sock=here, extensions=[], seen=seen), "3.2")
        peer.receive_data(there.recv(4096))
    assert list(peer.events()) == [BytesMessage(data=b"Hi")]
    assert seen == [TextMessage(data="hello from the peer")]


def test_http2_samples() -> None:
    """3.3: the HTTP/2 extension negotiation samples, then data through both Connections."""
    pytest.importorskip("wsproto_deflate", reason="the HTTP/2 samples use PerMessageDeflate")
    from typing import List as TypingList

    server_ns = _namespace(
        List=TypingList,
        request_extensions=["permessage-deflate; client_max_window_bits"],
        response_headers=[(":status", "200")],
    )
    _run(seed.HTTP2_SERVER, server_ns, "3.3 server")
    accepts = server_ns["accepts"]
    assert accepts is not None and accepts.startswith(b"permessage-deflate")
    assert server_ns["response_headers"][-1] == {"sec-websocket-extensions": accepts}

    client_code = seed.HTTP2_CLIENT.replace(
        "Connection(ConnectionType.CLIENT, supported_extensions)",
        "Connection(ConnectionType.CLIENT, extensions)",
    )
    client_ns = _namespace(List=TypingList, accepted_extensions=[accepts.decode("ascii")])
    _run(client_code, client_ns, "3.3 client")

    server: Connection = server_ns["connection"]
    client: Connection = client_ns["connection"]
    assert [e.name for e in client.extensions] == ["permessage-deflate"]
    assert [e.name for e in server.extensions] == ["permessage-deflate"]
    text = "compressible " * 100
    data = client.send(TextMessage(data=text))
    assert len(data) < len(text) // 4  # it really was compressed
    server.receive_bytes(data)  # "passed to the connection via the receive_bytes method"
    assert "".join(e.data for e in server.events()) == text
    client.receive_data(server.send(TextMessage(data=text)))
    assert "".join(e.data for e in client.events()) == text


SEED_API: List[Tuple[str, str]] = [
    ("wsproto", "WSConnection"),
    ("wsproto.handshake", "H11Handshake"),
    ("wsproto.handshake", "client_extensions_handshake"),
    ("wsproto.handshake", "server_extensions_handshake"),
    ("wsproto.frame_protocol", "Opcode"),
    ("wsproto.frame_protocol", "CloseReason"),
    ("wsproto.extensions", "Extension"),
    ("wsproto.extensions", "SUPPORTED_EXTENSIONS"),
    ("wsproto.utilities", "LocalProtocolError"),
    ("wsproto.utilities", "RemoteProtocolError"),
] + [
    ("wsproto.events", name)
    for name in [
        "Event",
        "Request",
        "AcceptConnection",
        "RejectConnection",
        "RejectData",
        "CloseConnection",
        "Message",
        "TextMessage",
        "BytesMessage",
        "Ping",
        "Pong",
    ]
]


@pytest.mark.parametrize(("module", "name"), SEED_API, ids=lambda v: str(v))
def test_seed_api_reference_names_exist(module: str, name: str) -> None:
    """Chapter 4: every name of the seed's API reference exists."""
    mod = __import__(module, fromlist=[name])
    assert hasattr(mod, name)


def test_seed_api_reference_values() -> None:
    """Chapter 4: the documented opcodes, close codes and H11Handshake members."""
    from wsproto.frame_protocol import CloseReason, Opcode
    from wsproto.handshake import H11Handshake
    from wsproto.utilities import RemoteProtocolError

    assert {o.name: o.value for o in Opcode} == {
        "CONTINUATION": 0,
        "TEXT": 1,
        "BINARY": 2,
        "CLOSE": 8,
        "PING": 9,
        "PONG": 10,
    }
    documented = {
        "NORMAL_CLOSURE": 1000, "GOING_AWAY": 1001, "PROTOCOL_ERROR": 1002,
        "UNSUPPORTED_DATA": 1003, "NO_STATUS_RCVD": 1005, "ABNORMAL_CLOSURE": 1006,
        "INVALID_FRAME_PAYLOAD_DATA": 1007, "POLICY_VIOLATION": 1008, "MESSAGE_TOO_BIG": 1009,
        "MANDATORY_EXT": 1010, "INTERNAL_ERROR": 1011, "SERVICE_RESTART": 1012,
        "TRY_AGAIN_LATER": 1013, "TLS_HANDSHAKE_FAILED": 1015,
    }  # fmt: skip
    assert {name: CloseReason[name].value for name in documented} == documented
    handshake = H11Handshake(ConnectionType.CLIENT)
    for member in ("connection", "initiate_upgrade_connection", "receive_data", "send"):
        assert hasattr(handshake, member)
    hint = CloseConnection(code=1002)
    assert RemoteProtocolError("bad", event_hint=hint).event_hint is hint
    assert RemoteProtocolError("bad").event_hint is None
