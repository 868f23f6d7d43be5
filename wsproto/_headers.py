"""The Sec-WebSocket-Extensions header grammar (RFC 6455 section 9.1).

::

    Sec-WebSocket-Extensions = extension-list
    extension-list = 1#extension
    extension = extension-token *( ";" extension-param )
    extension-param = token [ "=" (token | quoted-string) ]

The value of a quoted-string must itself be a token once unescaped. Several
header lines are one comma-separated list (RFC 7230 section 3.2.2); empty
list elements are ignored. Names are case-insensitive and returned in lower
case; parameter values keep their case.
"""

from __future__ import annotations

import re
from typing import Dict, Iterable, List, NamedTuple, Optional, Union

__all__ = [
    "TOKEN_PATTERN",
    "ExtensionOffer",
    "ExtensionParams",
    "HeaderSyntaxError",
    "format_extension",
    "format_params",
    "parse_extension_header",
    "parse_params",
    "split_elements",
]

#: Parsed parameters: lower-case name -> value (None when the parameter has no value).
ExtensionParams = Dict[str, Optional[str]]

_OWS = " \t"


class HeaderSyntaxError(ValueError):
    """A Sec-WebSocket-Extensions value does not follow the grammar."""


class ExtensionOffer(NamedTuple):
    """One element of the header: an extension name and its parameters."""

    name: str
    params: ExtensionParams

    def __str__(self) -> str:
        return format_extension(self.name, self.params)


def is_token(text: str) -> bool:
    """True if ``text`` is a non-empty RFC 7230 token."""
    return _TOKEN_RE.fullmatch(text) is not None


def _decode(value: Union[bytes, str]) -> str:
    if isinstance(value, str):
        return value
    try:
        return value.decode("ascii")
    except UnicodeDecodeError:
        raise HeaderSyntaxError("Sec-WebSocket-Extensions contains non-ASCII bytes") from None


#: An RFC 9110 token, as a regular expression (also used by the HTTP head parser).
TOKEN_PATTERN = r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+"
_QUOTED = r'"(?:[^"\\]|\\.)*"'
_TOKEN_RE = re.compile(TOKEN_PATTERN)
_NAME_RE = re.compile(rf"[ \t]*({TOKEN_PATTERN})[ \t]*")
_PARAM_RE = re.compile(
    rf";[ \t]*({TOKEN_PATTERN})[ \t]*(?:=[ \t]*(?:({TOKEN_PATTERN})|({_QUOTED}))[ \t]*)?"
)
# One list element: anything but commas and quotes, or whole quoted strings.
_ELEMENT_RE = re.compile(r'(?:[^,"]|"(?:[^"\\]|\\.)*")*')
_UNESCAPE_RE = re.compile(r"\\(.)")


def split_elements(values: Iterable[Union[bytes, str]]) -> List[str]:
    """Split header values into list elements at commas outside quoted strings."""
    elements: List[str] = []
    for value in values:
        text = _decode(value)
        if '"' not in text:
            parts = text.split(",")
        else:
            parts = []
            pos = 0
            while True:
                match = _ELEMENT_RE.match(text, pos)
                assert match is not None  # the pattern matches the empty string
                parts.append(match.group())
                pos = match.end()
                if pos >= len(text):
                    break
                if text[pos] != ",":
                    raise HeaderSyntaxError(
                        "unterminated quoted-string in Sec-WebSocket-Extensions"
                    )
                pos += 1
        for part in parts:
            part = part.strip(_OWS)
            if part:
                elements.append(part)
    return elements


def _where(text: str, pos: int) -> str:
    return repr(text[pos]) if pos < len(text) else "end of value"


def parse_element(element: str) -> ExtensionOffer:
    """Parse one list element: ``name *( ";" param [ "=" value ] )``."""
    match = _NAME_RE.match(element)
    if match is None:
        found = _where(element, 0)
        raise HeaderSyntaxError(f"expected an extension name at {found} in {element!r}")
    name = match.group(1)
    params: ExtensionParams = {}
    pos = match.end()
    end = len(element)
    while pos < end:
        match = _PARAM_RE.match(element, pos)
        if match is None:
            if element[pos] != ";":
                raise HeaderSyntaxError(f"expected ';' at {element[pos]!r} in {element!r}")
            raise HeaderSyntaxError(f"malformed parameter after {element[:pos]!r} in {element!r}")
        key, token, quoted = match.groups()
        key = key.lower()
        value: Optional[str] = token
        if quoted is not None:
            value = _UNESCAPE_RE.sub(r"\1", quoted[1:-1])
            if not is_token(value):
                raise HeaderSyntaxError(
                    f"quoted value {value!r} of {key!r} is not a token (RFC 6455 section 9.1)"
                )
        if key in params:
            raise HeaderSyntaxError(f"parameter {key!r} given twice in {element!r}")
        params[key] = value
        pos = match.end()
    return ExtensionOffer(name.lower(), params)


def parse_extension_header(values: Iterable[Union[bytes, str]]) -> List[ExtensionOffer]:
    """Parse header values strictly: any malformed element raises HeaderSyntaxError."""
    return [parse_element(element) for element in split_elements(values)]


def parse_params(text: str) -> ExtensionParams:
    """Parse a parameter string such as ``"a=1; b"`` (no extension name)."""
    text = text.strip(_OWS)
    if not text:
        return {}
    return parse_element("x; " + text).params


def format_params(params: ExtensionParams) -> str:
    """Serialise parameters as ``a=1; b`` (values that are not tokens are quoted)."""
    parts = []
    for key, value in params.items():
        if value is None:
            parts.append(key)
        elif is_token(value):
            parts.append(f"{key}={value}")
        else:
            escaped = value.replace("\\", "\\\\").replace('"', '\\"')
            parts.append(f'{key}="{escaped}"')
    return "; ".join(parts)


def format_extension(name: str, params: ExtensionParams) -> str:
    """Serialise one extension element: ``name; a=1; b``."""
    return "; ".join([name, format_params(params)]) if params else name
