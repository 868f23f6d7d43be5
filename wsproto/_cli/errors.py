"""User errors: reported as one line, without a traceback."""

from __future__ import annotations

import errno
from typing import Tuple

__all__ = ["CliError", "describe_os_error", "host_port"]


class CliError(Exception):
    """An error the user can fix (bad URL, refused connection, port in use...)."""


def describe_os_error(exc: OSError) -> str:
    """A short, lower-case description of a socket error."""
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused (is the server running?)"
    if exc.errno == errno.EADDRINUSE:
        return "address already in use (choose another --port)"
    if exc.errno == errno.EADDRNOTAVAIL:
        return "address not available on this machine"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied (ports below 1024 need privileges)"
    if isinstance(exc, TimeoutError):
        return "timed out"
    text = exc.strerror or str(exc) or type(exc).__name__
    return text[:1].lower() + text[1:]


def host_port(address: Tuple[str, int]) -> str:
    """Format a host and port, bracketing IPv6 addresses."""
    host, port = address[0], address[1]
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
