"""The CLI behaviours a new user meets first: escaped peer text, one-line option errors,
who closed, whole output lines, the /commands, and each subcommand's --help."""

from __future__ import annotations

import io
import socket
import sys
import threading
import time
from typing import Iterator, List

import pytest

from wsproto import ConnectionType, WSConnection
from wsproto.__main__ import main
from wsproto._cli import terminal
from wsproto._cli.client import run_client
from wsproto._cli.echo_server import EchoServer
from wsproto.connection import ConnectionState
from wsproto.events import AcceptConnection, CloseConnection, Event, Request, TextMessage

HOSTILE = "\x1b]0;owned\x07\x1b[2J\x1b[31mred\u202egnp.exe\r\nfake line\x9b1m"


def test_printable_escapes_every_control_character() -> None:
    assert terminal.printable(HOSTILE) == (
        "\\x1b]0;owned\\x07\\x1b[2J\\x1b[31mred\\u202egnp.exe\\r\\nfake line\\x9b1m"
    )
    # Ordinary text, accents, CJK, emoji (with a zero-width joiner) pass unchanged.
    text = "héllo 世界 👩\u200d💻 tab-free"
    assert terminal.printable(text) == text


def _serve_one(sock: socket.socket, to_send: List[Event]) -> None:
    """A minimal server: accept, send ``to_send``, then complete the client's close."""
    conn, _ = sock.accept()
    with conn:
        conn.settimeout(10)
        ws = WSConnection(ConnectionType.SERVER)
        while True:
            data = conn.recv(65536)
            ws.receive_data(data or None)
            for event in ws.events():
                if isinstance(event, Request):
                    conn.sendall(ws.send(AcceptConnection()))
                    for item in to_send:
                        conn.sendall(ws.send(item))
                elif isinstance(event, CloseConnection):
                    if ws.state is ConnectionState.REMOTE_CLOSING:
                        conn.sendall(ws.send(event.response()))
                    return
            if not data:
                return


def _client_against(to_send: List[Event], typed: str) -> List[str]:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        port = listener.getsockname()[1]
        thread = threading.Thread(target=_serve_one, args=(listener, to_send), daemon=True)
        thread.start()
        lines: List[str] = []
        # Wait for the server's messages before typing, so they print before the close.
        stdin = _SlowInput(typed, delay=0.5)
        status = run_client(
            f"ws://127.0.0.1:{port}/", stdin=stdin, out=lines.append, log=lines.append
        )
        thread.join(timeout=10)
    assert status == 0, lines
    return lines


class _SlowInput(io.StringIO):
    def __init__(self, text: str, delay: float) -> None:
        super().__init__(text)
        self.delay = delay

    def __iter__(self) -> Iterator[str]:
        time.sleep(self.delay)
        return super().__iter__()


def test_client_escapes_what_a_hostile_server_sends() -> None:
    lines = _client_against(
        [TextMessage(HOSTILE), CloseConnection(code=1000, reason="\x1b[2Jbye")], ""
    )
    assert f"< {terminal.printable(HOSTILE)}" in lines
    assert "< close 1000 '\\x1b[2Jbye'" in lines
    assert not [line for line in lines if "\x1b" in line or "\x07" in line or "\u202e" in line]


def test_banner_mentions_help_and_unknown_commands_are_not_sent() -> None:
    server_logs: List[str] = []
    echo = EchoServer("127.0.0.1", 0, log=server_logs.append, extensions=lambda: [])
    echo.start_in_thread()
    try:
        lines: List[str] = []
        typed = "/hlep\n//etc/passwd\n/help\n   \n/close\n"
        status = run_client(echo.url, stdin=io.StringIO(typed), out=lines.append, log=lines.append)
    finally:
        echo.shutdown()
    assert status == 0
    banner = lines[lines.index(f"connected to {echo.url}") + 2]
    assert "/help" in banner and "//text" in banner
    assert "! unknown command /hlep (type /help; //text sends /text)" in lines
    assert "< /hlep" not in lines  # never sent as a message
    assert "< /etc/passwd" in lines  # the escape for a leading slash
    assert lines.count(banner) == 2  # once in the banner, once for /help
    assert "< close 1000" in lines


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["client", "--timeout", "-1", "ws://127.0.0.1:1/"],
            "must be a positive number of seconds, not '-1'",
        ),
        (
            ["client", "--timeout", "0", "ws://127.0.0.1:1/"],
            "must be a positive number of seconds, not '0'",
        ),
        (
            ["client", "--timeout", "inf", "ws://127.0.0.1:1/"],
            "must be a positive number of seconds, not 'inf'",
        ),
        (
            ["echo-server", "--max-message-size", "-5"],
            "must be a positive number of bytes, not '-5'",
        ),
        (
            ["echo-server", "--max-message-size", "1e3"],
            "must be a positive number of bytes, not '1e3'",
        ),
        (["echo-server", "--port", "x"], "not a port number: 'x'"),
    ],
)
def test_bad_options_are_one_line_errors(
    capsys: pytest.CaptureFixture[str], argv: List[str], message: str
) -> None:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert err.startswith(f"python -m wsproto {argv[0]}: error: argument {argv[1]}: {message}")
    assert err.rstrip().endswith(f"(see python -m wsproto {argv[0]} --help)")


def _open(url_port: int) -> tuple[socket.socket, WSConnection]:
    sock = socket.create_connection(("127.0.0.1", url_port), timeout=10)
    ws = WSConnection(ConnectionType.CLIENT)
    sock.sendall(ws.send(Request(host="127.0.0.1", target="/")))
    while not any(isinstance(e, AcceptConnection) for e in ws.events()):
        data = sock.recv(65536)
        assert data, "the server closed during the handshake"
        ws.receive_data(data)
    return sock, ws


def _wait_for_log(logs: List[str], text: str) -> List[str]:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if any(text in line for line in logs):
            return logs
        time.sleep(0.02)
    raise AssertionError(f"{text!r} not in {logs}")


def test_echo_server_log_says_who_closed() -> None:
    logs: List[str] = []
    echo = EchoServer("127.0.0.1", 0, log=logs.append, max_message_size=10, extensions=lambda: [])
    echo.start_in_thread()
    try:
        port = echo.address[1]
        sock, ws = _open(port)
        with sock:
            sock.sendall(ws.send(TextMessage("x" * 100)))  # over the server's limit
            _wait_for_log(logs, "code 1009")
        sock, ws = _open(port)
        with sock:
            sock.sendall(ws.send(CloseConnection(code=4001, reason="mine")))
            _wait_for_log(logs, "code 4001")
        sock, ws = _open(port)
        sock.close()  # TCP gone, no close frame
        _wait_for_log(logs, "1006")
    finally:
        echo.shutdown()
    closes = [line.split(": ", 1)[1] for line in logs if "clos" in line]
    assert closes == [
        "closed by server with code 1009 'message exceeds max_message_size=10'",
        "closed by client with code 4001 'mine'",
        "the client dropped the connection without a closing handshake (1006)",
    ]


class _RecordingStream(io.StringIO):
    """Records each write() call: whole lines need one write per line."""

    def __init__(self) -> None:
        super().__init__()
        self.writes: List[str] = []
        self.lock = threading.Lock()

    def write(self, text: str) -> int:
        with self.lock:
            self.writes.append(text)
        time.sleep(0)  # invite a thread switch between writes
        return super().write(text)


def test_output_from_two_threads_stays_whole_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    from wsproto._cli import app

    out, err = _RecordingStream(), _RecordingStream()
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", err)

    def emit(tag: str) -> None:
        for i in range(200):
            app._out(f"{tag} message {i}")
            app._log(f"{tag} log {i}")

    threads = [threading.Thread(target=emit, args=(tag,)) for tag in "AB"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    # One write per line, each ending its line: print() would write text and "\n" apart.
    assert len(out.writes) == 400 and len(err.writes) == 400
    assert all(w.endswith("\n") and w.count("\n") == 1 for w in out.writes + err.writes)
    assert sorted(out.getvalue().splitlines()) == sorted(
        f"{tag} message {i}" for tag in "AB" for i in range(200)
    )


@pytest.mark.parametrize(
    ("command", "words"),
    [
        ("extensions", "reserved bits"),
        ("echo-server", "browser test page"),
        ("client", "/help"),
        ("demo", "closing handshake"),
    ],
)
def test_each_subcommand_help_describes_it(
    capsys: pytest.CaptureFixture[str], command: str, words: str
) -> None:
    with pytest.raises(SystemExit) as exc:
        main([command, "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    description = out.split("\n\n")[1]  # after the usage paragraph
    assert words in " ".join(description.split())
