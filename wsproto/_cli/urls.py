"""Parsing ``ws://`` and ``wss://`` URLs for the client."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from .errors import CliError

__all__ = ["WsUrl", "parse_ws_url"]


@dataclass(frozen=True)
class WsUrl:
    """Where to connect, and what to put in the handshake."""

    secure: bool
    host: str
    port: int
    #: The Host header value (with the port when it is not the default).
    authority: str
    #: The request target: path and query.
    target: str


def parse_ws_url(url: str) -> WsUrl:
    """Parse ``url``; raise :class:`CliError` with a one-line reason if it is not usable."""
    hint = "expected ws://HOST[:PORT][/PATH] or wss://..."
    try:
        parts = urlsplit(url)
        port_value = parts.port
    except ValueError as exc:
        raise CliError(f"invalid URL {url!r}: {exc}; {hint}") from None
    scheme = parts.scheme.lower()
    if scheme not in ("ws", "wss"):
        raise CliError(f"invalid URL {url!r}: the scheme must be ws or wss; {hint}")
    host = parts.hostname
    if not host:
        raise CliError(f"invalid URL {url!r}: no host; {hint}")
    if parts.fragment:
        raise CliError(f"invalid URL {url!r}: WebSocket URLs have no #fragment")
    secure = scheme == "wss"
    default = 443 if secure else 80
    port = port_value if port_value is not None else default
    shown = f"[{host}]" if ":" in host else host
    authority = shown if port == default else f"{shown}:{port}"
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return WsUrl(secure, host, port, authority, target)
