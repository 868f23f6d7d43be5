"""The argument parser and the entry point of ``python -m wsproto``."""

from __future__ import annotations

import argparse
import math
import sys
import time
from typing import List, NoReturn, Optional

from .. import __version__
from .errors import CliError
from .terminal import printable, write_line

__all__ = ["build_parser", "main"]


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line, pointing at ``--help``."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds, not {text!r}")
    return value


def _size(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive number of bytes, not {text!r}")
    return value


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"port out of range 0-65535: {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The command line: ``extensions``, ``echo-server``, ``client`` and ``demo``."""
    common = _Parser(add_help=False)
    common.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        default=argparse.SUPPRESS,
        help="log every frame sent and received",
    )
    parser = _Parser(
        prog="python -m wsproto",
        description="wsproto's command-line tool: list extensions, run an echo server, "
        "talk to a server, or watch a demo of the protocol.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"wsproto {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, summary: str, details: str = "") -> argparse.ArgumentParser:
        # The summary is the line in the top-level help; `COMMAND --help` shows it with details.
        description = summary[0].upper() + summary[1:] + "." + (f" {details}" if details else "")
        sub: argparse.ArgumentParser = commands.add_parser(
            name, parents=[common], help=summary, description=description
        )
        return sub

    command(
        "extensions",
        "list the installed extension plugins",
        "Shows each extension in the order connections offer them, its reserved bits and "
        "distribution, every plugin found (loaded, blocked or failed, and why) and the "
        "WSPROTO_PLUGINS_* settings in effect.",
    )
    echo = command(
        "echo-server",
        "run an echo server with every installed extension (and a test page at /)",
        "Echoes every message back with the extensions the client negotiated, answers pings, "
        "and serves a browser test page at http://HOST:PORT/. Ctrl-C stops it.",
    )
    echo.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    echo.add_argument("--port", type=_port, default=8765, help="port (8765; 0 picks a free one)")
    echo.add_argument(
        "--max-message-size",
        type=_size,
        default=16 * 1024 * 1024,
        metavar="BYTES",
        help="close with 1009 beyond this message size (16 MiB)",
    )
    client = command(
        "client",
        "an interactive client: type lines to send them",
        "Connects to URL offering every installed extension, prints what the server sends, "
        "and sends each typed line as a text message. Type /help once connected for the "
        "commands (/ping, /close); Ctrl-D closes with 1000.",
    )
    client.add_argument("url", help="the server's URL, e.g. ws://127.0.0.1:8765/")
    client.add_argument(
        "--timeout", type=_seconds, default=10.0, help="seconds to connect and handshake (10)"
    )
    demo = command(
        "demo",
        "run a loopback server and client and print a transcript of the protocol",
        "Shows the opening handshake, each message as frames on the wire (with and without "
        "compression), a ping and the closing handshake, then the server's log.",
    )
    demo.add_argument(
        "--no-extensions", action="store_true", help="offer no extension (plain frames)"
    )
    demo.add_argument(
        "--all-extensions",
        action="store_true",
        help="offer every installed extension (default: permessage-deflate alone if installed)",
    )
    return parser


def _out(line: str) -> None:
    write_line(sys.stdout, line)


def _log(line: str) -> None:
    write_line(sys.stderr, f"{time.strftime('%H:%M:%S')} {line}")


def _dispatch(args: argparse.Namespace) -> int:
    verbose = bool(getattr(args, "verbose", False))
    if args.command == "extensions":
        from .registry import report

        _out(report())
        return 0
    if args.command == "echo-server":
        from .echo_server import EchoServer

        server = EchoServer(
            args.host,
            args.port,
            log=_log,
            verbose=verbose,
            max_message_size=args.max_message_size,
        )
        from .registry import extension_names

        _out(f"listening on {server.url} (open http://{server.url[5:]} in a browser)")
        _out(f"extensions enabled: {extension_names(server.extensions())}; Ctrl-C stops")
        try:
            server.serve_forever()
        finally:
            server.shutdown()
        return 0
    if args.command == "client":
        from .client import run_client

        return run_client(
            args.url, stdin=sys.stdin, out=_out, log=_log, verbose=verbose, timeout=args.timeout
        )
    if args.command == "demo":
        from .demo import run_demo

        return run_demo(
            _out,
            use_extensions=not args.no_extensions,
            all_extensions=args.all_extensions,
            verbose=verbose,
        )
    raise CliError(f"unknown command {args.command!r}")  # pragma: no cover


def main(argv: Optional[List[str]] = None) -> int:
    """Run the tool; return the exit status (0 ok, 1 error, 2 usage, 130 interrupted)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        return _dispatch(args)
    except CliError as exc:
        # Messages can quote what a server sent (a status line, a reason): escaped.
        write_line(sys.stderr, f"wsproto: error: {printable(str(exc))}")
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr, flush=True)
        return 130
    except BrokenPipeError:
        return 1
