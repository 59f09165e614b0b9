"""Go value semantics over Python values: kinds, truthiness and ``fmt`` printing.

Mapping: Go int -> int, float64 -> float, string -> str, bool -> bool,
nil -> None, map -> dict, slice -> list, []byte -> bytes, structs -> GoStruct.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import Decimal
from typing import Any


class GoStruct:
    """A Go struct (or map-backed object with methods) such as ``.Chart`` or ``.Files``."""

    def __init__(self, type_name: str, fields: dict[str, Any], methods: dict[str, Callable[..., Any]] | None = None,
                 string: str | None = None, entries: dict[str, Any] | list[Any] | None = None,
                 json: dict[str, Any] | None = None) -> None:
        self.type_name = type_name
        self.fields = fields
        self.methods = methods or {}
        self.string = string  # what a Go String() method would print
        # for map- or slice-typed objects (``.Files``, ``.Capabilities.APIVersions``): the data that
        # range, len, truth and toJson/toYaml see
        self.entries = entries
        self.json = json  # what encoding/json writes, when the struct's JSON tags rename or omit fields

    def __repr__(self) -> str:
        return f"GoStruct({self.type_name}, {self.fields!r})"


def kind_of(value: Any) -> str:
    """Sprig's ``kindOf``: the reflect.Kind name."""
    if value is None:
        return "invalid"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float64"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict):
        return "map"
    if isinstance(value, (list, tuple, bytes)):
        return "slice"
    if isinstance(value, GoStruct):
        if isinstance(value.entries, dict):
            return "map"
        if isinstance(value.entries, list):
            return "slice"
        return "ptr" if value.type_name.startswith("*") else "struct"
    if callable(value):
        return "func"
    return "struct"


def type_of(value: Any) -> str:
    """Sprig's ``typeOf``: the Go type as ``%T`` prints it."""
    if value is None:
        return "<nil>"
    if isinstance(value, GoStruct):
        return value.type_name
    if isinstance(value, dict):
        return "map[string]interface {}"
    if isinstance(value, (list, tuple)):
        return "[]interface {}"
    if isinstance(value, bytes):
        return "[]uint8"
    return kind_of(value)


def is_true(value: Any) -> bool:
    """Go template truthiness: zero values and empty collections are false."""
    if value is None:
        return False
    if isinstance(value, (bool, int, float, str, dict, list, tuple, bytes)):
        return bool(value)
    if isinstance(value, GoStruct) and value.entries is not None:
        return bool(value.entries)  # an empty Files map or VersionSet is false, as any empty map/slice
    return True


def format_float(value: float, fmt: str = "g", prec: int = -1) -> str:
    """Go ``strconv.FormatFloat`` for the 'g'/'e'/'f' formats fmt uses."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if fmt == "f":
        return repr_fixed(value) if prec < 0 else f"{value:.{prec}f}"
    if fmt == "e":
        return _go_exp(f"{value:.{prec}e}" if prec >= 0 else _shortest_e(value))
    # shortest 'g': Go switches to exponent form when exp < -4 or exp >= 6
    if prec >= 0:
        return _go_exp(f"{value:.{prec if prec else 1}g}")
    if value == 0:
        return "-0" if math.copysign(1, value) < 0 else "0"
    _digits, exp = _shortest_digits(value)
    if exp < -4 or exp >= 6:
        return _shortest_e(value)
    return repr_fixed(value)


def _shortest_digits(value: float) -> tuple[str, int]:
    sign, digits, exponent = Decimal(repr(abs(value))).normalize().as_tuple()
    text = "".join(map(str, digits))
    assert isinstance(exponent, int)
    return text, len(text) + exponent - 1


def _shortest_e(value: float) -> str:
    digits, exp = _shortest_digits(value)
    mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
    return f"{'-' if value < 0 else ''}{mantissa}e{exp:+03d}"


def _go_exp(text: str) -> str:
    """Python writes e+06 like Go already; normalise e+6 style and drop a lone '.'."""
    if "e" not in text:
        return text
    mant, _, exp = text.partition("e")
    sign = exp[0] if exp[0] in "+-" else "+"
    num = exp.lstrip("+-")
    return f"{mant}e{sign}{int(num):02d}"


def repr_fixed(value: float) -> str:
    """Shortest decimal in plain (non-exponent) notation."""
    text = format(Decimal(repr(value)), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def fmt_v(value: Any, top: bool = True) -> str:
    """``fmt.Sprint`` of a single value (``%v``)."""
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        return format_float(value)
    if isinstance(value, dict):
        return "map[" + " ".join(f"{fmt_v(k, False)}:{fmt_v(value[k], False)}" for k in sorted(value)) + "]"
    if isinstance(value, (list, tuple)):
        return "[" + " ".join(fmt_v(v, False) for v in value) + "]"
    if isinstance(value, bytes):
        return "[" + " ".join(str(b) for b in value) + "]"
    if isinstance(value, GoStruct):
        if value.string is not None:
            return value.string
        return "{" + " ".join(fmt_v(v, False) for v in value.fields.values()) + "}"
    return str(value)


def sprint(args: list[Any] | tuple[Any, ...]) -> str:
    """``fmt.Sprint``: a space between operands when neither is a string."""
    out: list[str] = []
    for i, arg in enumerate(args):
        if i > 0 and not isinstance(arg, str) and not isinstance(args[i - 1], str):
            out.append(" ")
        out.append(fmt_v(arg))
    return "".join(out)


def sprintln(args: list[Any] | tuple[Any, ...]) -> str:
    return " ".join(fmt_v(a) for a in args) + "\n"


def go_quote(text: str) -> str:
    """``strconv.Quote``."""
    out = ['"']
    for ch in text:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch in _QUOTE_ESCAPES:
            out.append(_QUOTE_ESCAPES[ch])
        elif ch.isprintable() or ch == " ":
            out.append(ch)
        elif ord(ch) < 0x80:
            out.append(f"\\x{ord(ch):02x}")
        elif ord(ch) < 0x10000:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(f"\\U{ord(ch):08x}")
    out.append('"')
    return "".join(out)


_QUOTE_ESCAPES = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v"}
