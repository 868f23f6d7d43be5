"""User errors are one line on stderr, with no traceback, and exit status 1."""

from __future__ import annotations

import socket

import pytest

from wsproto.__main__ import main


def _one_line_error(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line]
    assert len(lines) == 1, err
    assert lines[0].startswith("wsproto: error: ")
    return lines[0]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://127.0.0.1:1/", "the scheme must be ws or wss"),
        ("ws://", "no host"),
        ("ws://127.0.0.1:99999/", "invalid URL"),
        ("ws://127.0.0.1:80/#frag", "no #fragment"),
        ("not a url", "the scheme must be ws or wss"),
    ],
)
def test_bad_url(capsys: pytest.CaptureFixture[str], url: str, expected: str) -> None:
    assert main(["client", url]) == 1
    assert expected in _one_line_error(capsys)


def test_connection_refused(capsys: pytest.CaptureFixture[str]) -> None:
    # A bound socket that does not listen: connecting to it is refused.
    with socket.socket() as placeholder:
        placeholder.bind(("127.0.0.1", 0))
        port = placeholder.getsockname()[1]
        assert main(["client", f"ws://127.0.0.1:{port}/", "--timeout", "5"]) == 1
    line = _one_line_error(capsys)
    assert f"cannot connect to 127.0.0.1:{port}: connection refused" in line


def test_port_in_use(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["echo-server", "--port", str(port)]) == 1
    line = _one_line_error(capsys)
    assert f"cannot listen on 127.0.0.1:{port}: address already in use" in line


def test_handshake_rejected(capsys: pytest.CaptureFixture[str]) -> None:
    import threading

    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        listener.settimeout(10)
        port = listener.getsockname()[1]

        def refuse() -> None:
            conn, _ = listener.accept()
            with conn:
                conn.settimeout(10)
                conn.recv(65536)
                conn.sendall(b"HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n")

        thread = threading.Thread(target=refuse, daemon=True)
        thread.start()
        assert main(["client", f"ws://127.0.0.1:{port}/", "--timeout", "5"]) == 1
        thread.join(timeout=10)
    line = _one_line_error(capsys)
    assert "rejected the WebSocket handshake: HTTP/1.1 403 Forbidden" in line


def test_bad_port_argument(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["echo-server", "--port", "70000"])
    assert exc.value.code == 2
    assert "port out of range" in capsys.readouterr().err


def test_no_command_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    out = capsys.readouterr().out
    for command in ("extensions", "echo-server", "client", "demo"):
        assert command in out
