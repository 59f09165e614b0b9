"""JSON text laid out exactly as `json.dumps(value, indent=2, ensure_ascii=False)` lays it out, faster.

The standard library writes indented JSON with its pure-Python encoder (the C
encoder only writes compact JSON), so rendering a report of thousands of
findings cost more than the cached re-run that produced it. Strings are still
escaped by the standard library's C function; only the layout is done here.
"""

from __future__ import annotations

from json.encoder import encode_basestring
from typing import Any

INDENT = "  "


def dumps(value: Any) -> str:
    """`json.dumps(value, indent=2, ensure_ascii=False)`, for values made of dicts, lists, str, int, float, bool, None."""
    parts: list[str] = []
    _write(value, parts, "\n")
    return "".join(parts)


def _float(value: float) -> str:
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "Infinity" if value > 0 else "-Infinity"
    return float.__repr__(value)


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        return _float(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _key(key: Any) -> str:
    if isinstance(key, str):
        return encode_basestring(key)
    return encode_basestring(_scalar(key))


def _write(value: Any, parts: list[str], newline: str) -> None:
    """Append the text of `value`, whose first line is already indented and whose lines start with `newline`."""
    if isinstance(value, dict):
        if not value:
            parts.append("{}")
            return
        inner = newline + INDENT
        separator = "{" + inner
        for key, item in value.items():
            head = separator + (encode_basestring(key) if type(key) is str else _key(key)) + ": "
            if type(item) is str:
                parts.append(head + encode_basestring(item))
            elif type(item) is int:
                parts.append(head + int.__repr__(item))
            else:
                parts.append(head)
                _write(item, parts, inner)
            separator = "," + inner
        parts.append(newline + "}")
    elif isinstance(value, (list, tuple)):
        if not value:
            parts.append("[]")
            return
        inner = newline + INDENT
        separator = "[" + inner
        for item in value:
            if type(item) is str:
                parts.append(separator + encode_basestring(item))
            else:
                parts.append(separator)
                _write(item, parts, inner)
            separator = "," + inner
        parts.append(newline + "]")
    elif isinstance(value, str):
        parts.append(encode_basestring(value))
    else:
        parts.append(_scalar(value))
