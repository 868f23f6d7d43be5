"""The argument parser and the entry point of ``python -m wsproto``."""

from __future__ import annotations

import argparse
import sys
import time
from typing import List, Optional

from .. import __version__
from .errors import CliError

__all__ = ["build_parser", "main"]


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
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        default=argparse.SUPPRESS,
        help="log every frame sent and received",
    )
    parser = argparse.ArgumentParser(
        prog="python -m wsproto",
        description="wsproto's command-line tool: list extensions, run an echo server, "
        "talk to a server, or watch a demo of the protocol.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"wsproto {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser("extensions", parents=[common], help="list the installed extension plugins")
    echo = commands.add_parser(
        "echo-server",
        parents=[common],
        help="run an echo server with every installed extension (and a test page at /)",
    )
    echo.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    echo.add_argument("--port", type=_port, default=8765, help="port (8765; 0 picks a free one)")
    echo.add_argument(
        "--max-message-size",
        type=int,
        default=16 * 1024 * 1024,
        metavar="BYTES",
        help="close with 1009 beyond this message size (16 MiB)",
    )
    client = commands.add_parser(
        "client", parents=[common], help="an interactive client: type lines to send them"
    )
    client.add_argument("url", help="the server's URL, e.g. ws://127.0.0.1:8765/")
    client.add_argument(
        "--timeout", type=float, default=10.0, help="seconds to connect and handshake (10)"
    )
    demo = commands.add_parser(
        "demo",
        parents=[common],
        help="run a loopback server and client and print a transcript of the protocol",
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
    print(line, flush=True)


def _log(line: str) -> None:
    stamp = time.strftime("%H:%M:%S")
    print(f"{stamp} {line}", file=sys.stderr, flush=True)


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
        print(f"wsproto: error: {exc}", file=sys.stderr, flush=True)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr, flush=True)
        return 130
    except BrokenPipeError:
        return 1
