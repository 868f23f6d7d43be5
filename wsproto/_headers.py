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

from typing import Dict, Iterable, List, NamedTuple, Optional, Tuple, Union

__all__ = [
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

_TOKEN_CHARS = frozenset(
    "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
)
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
    return bool(text) and all(c in _TOKEN_CHARS for c in text)


def _decode(value: Union[bytes, str]) -> str:
    if isinstance(value, str):
        return value
    try:
        return value.decode("ascii")
    except UnicodeDecodeError:
        raise HeaderSyntaxError("Sec-WebSocket-Extensions contains non-ASCII bytes") from None


def split_elements(values: Iterable[Union[bytes, str]]) -> List[str]:
    """Split header values into list elements at commas outside quoted strings."""
    elements: List[str] = []
    for value in values:
        text = _decode(value)
        start = 0
        quoted = False
        i = 0
        while i < len(text):
            c = text[i]
            if quoted:
                if c == "\\":
                    i += 1
                elif c == '"':
                    quoted = False
            elif c == '"':
                quoted = True
            elif c == ",":
                elements.append(text[start:i])
                start = i + 1
            i += 1
        if quoted:
            raise HeaderSyntaxError("unterminated quoted-string in Sec-WebSocket-Extensions")
        elements.append(text[start:])
    return [e.strip(_OWS) for e in elements if e.strip(_OWS)]


def _read_token(text: str, i: int, what: str) -> Tuple[str, int]:
    start = i
    while i < len(text) and text[i] in _TOKEN_CHARS:
        i += 1
    if i == start:
        found = repr(text[i]) if i < len(text) else "end of value"
        raise HeaderSyntaxError(f"expected {what} at {found} in {text!r}")
    return text[start:i], i


def _read_quoted(text: str, i: int) -> Tuple[str, int]:
    i += 1  # opening quote
    chars: List[str] = []
    while i < len(text):
        c = text[i]
        if c == "\\":
            if i + 1 >= len(text):
                break
            chars.append(text[i + 1])
            i += 2
            continue
        if c == '"':
            return "".join(chars), i + 1
        chars.append(c)
        i += 1
    raise HeaderSyntaxError(f"unterminated quoted-string in {text!r}")


def _skip_ows(text: str, i: int) -> int:
    while i < len(text) and text[i] in _OWS:
        i += 1
    return i


def parse_element(element: str) -> ExtensionOffer:
    """Parse one list element: ``name *( ";" param [ "=" value ] )``."""
    name, i = _read_token(element, _skip_ows(element, 0), "an extension name")
    params: ExtensionParams = {}
    i = _skip_ows(element, i)
    while i < len(element):
        if element[i] != ";":
            raise HeaderSyntaxError(f"expected ';' at {element[i]!r} in {element!r}")
        i = _skip_ows(element, i + 1)
        key, i = _read_token(element, i, "a parameter name")
        key = key.lower()
        value: Optional[str] = None
        i = _skip_ows(element, i)
        if i < len(element) and element[i] == "=":
            i = _skip_ows(element, i + 1)
            if i < len(element) and element[i] == '"':
                value, i = _read_quoted(element, i)
                if not is_token(value):
                    raise HeaderSyntaxError(
                        f"quoted value {value!r} of {key!r} is not a token (RFC 6455 section 9.1)"
                    )
            else:
                value, i = _read_token(element, i, f"a value for {key!r}")
            i = _skip_ows(element, i)
        if key in params:
            raise HeaderSyntaxError(f"parameter {key!r} given twice in {element!r}")
        params[key] = value
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
