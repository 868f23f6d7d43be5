"""The assertions every (client, server) pair must pass, given the common result dict."""

from __future__ import annotations

from typing import Any, Optional

from . import scenarios as sc
from .records import ServerRecord

DEFLATE = "permessage-deflate"


def extension_names(header: str) -> list[str]:
    """Extension names in a negotiated ``Sec-WebSocket-Extensions`` value (or ``ws``'s list)."""
    return [item.split(";", 1)[0].strip() for item in header.split(",") if item.strip()]


def agreed_params(header: str) -> dict[str, Optional[str]]:
    """Parameters of the single negotiated extension in a response header."""
    assert extension_names(header) == [DEFLATE], f"negotiated {header!r}"
    params: dict[str, Optional[str]] = {}
    for item in header.split(";")[1:]:
        name, _, value = item.strip().partition("=")
        params[name.strip()] = value.strip().strip('"') or None
    return params


def check_agreed(header: str, expected: dict[str, Optional[int]]) -> None:
    """Fail unless each ``expected`` parameter is agreed (and at most its limit, if any)."""
    params = agreed_params(header)
    for name, limit in expected.items():
        assert name in params, f"{name} missing from the agreed {header!r}"
        if limit is not None:
            value = params[name]
            assert value is not None and int(value) <= limit, f"agreed {header!r}"


def check(scenario: str, result: dict[str, Any], record: ServerRecord, *, compress: bool) -> None:
    """Fail with a precise message unless ``result`` and ``record`` show ``scenario`` worked."""
    assert not result.get("error"), f"client failed: {result['error']}"
    assert not record.error, f"server failed: {record.error}"
    if scenario == "reject":
        _check_reject(result, record)
        return
    expected = [DEFLATE] if compress else []
    assert extension_names(result["extensions"]) == expected, (
        f"client saw extensions {result['extensions']!r}, expected {expected}"
    )
    assert extension_names(record.extensions) == expected, (
        f"server negotiated {record.extensions!r}, expected {expected}"
    )
    if "extension_names" in result:
        assert result["extension_names"] == expected
    if scenario in sc.ECHO_SCENARIOS:
        _check_echo(scenario, result, record, compress=compress)
    elif scenario == "echo_sequence":
        assert result["count"] == len(sc.SEQUENCE), f"{result['count']} echoes"
        assert result["equal"], "an echo in the sequence differs from what was sent"
    elif scenario == "ping_client":
        assert result["pong"] == sc.CLIENT_PING.hex(), f"pong payload {result['pong']!r}"
    elif scenario == "ping_server":
        assert result["reply"] == "pong:" + sc.SERVER_PING.decode()
        if record.pongs:
            assert record.pongs == [sc.SERVER_PING]
        if "pings_seen" in result:
            assert result["pings_seen"] == [sc.SERVER_PING.hex()]
    elif scenario == "close_server":
        assert (result["code"], result["reason"]) == sc.SERVER_CLOSE
        assert record.close is not None, "the server never got the client's close reply"
    elif scenario == "close_client":
        assert record.close == sc.CLIENT_CLOSE, f"server got close {record.close!r}"
        assert result["code"] == sc.CLIENT_CLOSE[0], f"close reply {result!r}"
    else:
        raise AssertionError(f"unknown scenario {scenario!r}")


def _check_reject(result: dict[str, Any], record: ServerRecord) -> None:
    assert record.rejected, "the server did not reject"
    assert result["failed"], "the client opened a connection the server rejected"
    if "status" in result:  # browsers hide the status and body from scripts
        assert result["status"] == sc.REJECT_STATUS
        assert result["body"] == sc.REJECT_BODY


def _check_echo(
    scenario: str, result: dict[str, Any], record: ServerRecord, *, compress: bool
) -> None:
    length = sc.payload_length(scenario)
    assert result["type"] == sc.payload_type(scenario), f"echo came back as {result['type']}"
    assert result["length"] == length, f"echo length {result['length']}, sent {length}"
    assert result["equal"], "echo differs from what was sent"
    if compress and scenario in sc.COMPRESSIBLE:
        # The big payloads are repetitive: both directions must really be compressed.
        counts = {
            "client read": result.get("wire_bytes_in"),
            "server read": record.bytes_in,
            "server wrote": record.bytes_out,
        }
        for what, count in counts.items():
            if count is not None:
                assert count < length // 4, f"{what} {count} bytes: not compressed"
