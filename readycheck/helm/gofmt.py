"""``fmt.Sprintf`` for the verbs templates use, including Go's ``%!verb(type=value)``
complaints for mismatched arguments (charts render those, so we must too)."""

from __future__ import annotations

import re
from typing import Any

from .govalues import fmt_v, format_float, go_quote, type_of

_SPEC = re.compile(r"%([-+# 0]*)(\*|\d+)?(?:\.(\*|\d*))?([a-zA-Z%])")


def _bad(verb: str, arg: Any) -> str:
    if arg is None:
        return f"%!{verb}(<nil>)"
    return f"%!{verb}({type_of(arg)}={fmt_v(arg)})"


def _pad(text: str, width: int | None, flags: str, numeric: bool = False) -> str:
    if width is None or len(text) >= width:
        return text
    if "-" in flags:
        return text + " " * (width - len(text))
    if "0" in flags and numeric:
        sign = text[0] if text[:1] in "+-" else ""
        body = text[len(sign):]
        return sign + "0" * (width - len(text)) + body
    return " " * (width - len(text)) + text


def _int_text(value: int, verb: str, flags: str, prec: int | None) -> str:
    base = {"d": 10, "x": 16, "X": 16, "o": 8, "O": 8, "b": 2}[verb]
    digits = {10: "{:d}", 16: "{:x}", 8: "{:o}", 2: "{:b}"}[base].format(abs(value))
    if verb == "X":
        digits = digits.upper()
    if prec is not None and len(digits) < prec:
        digits = "0" * (prec - len(digits)) + digits
    prefix = ""
    if "#" in flags:
        prefix = {16: "0x" if verb == "x" else "0X", 8: "0", 2: "0b", 10: ""}[base]
    if verb == "O":
        prefix = "0o"
    sign = "-" if value < 0 else "+" if "+" in flags else " " if " " in flags else ""
    return sign + prefix + digits


def _format_one(verb: str, arg: Any, flags: str, width: int | None, prec: int | None) -> str:
    if verb in "vs":
        if verb == "s" and not isinstance(arg, (str, bytes, list, tuple, dict)) and arg is not None and not hasattr(arg, "string"):
            return _pad(_bad(verb, arg), width, flags)
        if verb == "s" and arg is None:
            return _pad(_bad(verb, arg), width, flags)
        if isinstance(arg, (list, tuple)) and verb == "s":
            text = "[" + " ".join(_format_one("s", a, "", None, None) for a in arg) + "]"
        elif isinstance(arg, bytes) and verb == "s":
            text = arg.decode("utf-8", "replace")
        elif "+" in flags and verb == "v" and isinstance(arg, (int, float)) and not isinstance(arg, bool):
            text = ("+" if arg >= 0 else "") + fmt_v(arg)
        else:
            text = fmt_v(arg)
        if prec is not None and isinstance(arg, str):
            text = text[:prec]
        return _pad(text, width, flags)
    if verb == "d" or verb in "xXobO":
        if isinstance(arg, bool) or arg is None:
            return _pad(_bad(verb, arg), width, flags)
        if isinstance(arg, int):
            return _pad(_int_text(arg, verb, flags, prec), width, flags, numeric=prec is None)
        if verb in "xX" and isinstance(arg, (str, bytes)):
            raw = arg.encode("utf-8", "surrogateescape") if isinstance(arg, str) else arg
            text = raw.hex()
            return _pad(text.upper() if verb == "X" else text, width, flags)
        if isinstance(arg, (list, tuple)):
            return "[" + " ".join(_format_one(verb, a, flags, width, prec) for a in arg) + "]"
        return _pad(_bad(verb, arg), width, flags)
    if verb in "eEfFgG":
        if isinstance(arg, bool) or not isinstance(arg, (int, float)) or isinstance(arg, int):
            return _pad(_bad(verb, arg), width, flags)
        low = verb.lower()
        if low == "f":
            text = format_float(arg, "f", 6 if prec is None else prec)
        elif low == "e":
            text = format_float(arg, "e", 6 if prec is None else prec)
        else:
            text = format_float(arg, "g", -1 if prec is None else prec)
        if verb.isupper():
            text = text.upper()
        if "+" in flags and not text.startswith("-"):
            text = "+" + text
        return _pad(text, width, flags, numeric=True)
    if verb == "q":
        if isinstance(arg, str):
            return _pad(go_quote(arg), width, flags)
        if isinstance(arg, int) and not isinstance(arg, bool):
            return _pad("'" + go_quote(chr(arg))[1:-1].replace("\\\"", '"') + "'", width, flags)
        if isinstance(arg, (list, tuple)):
            return "[" + " ".join(_format_one("q", a, flags, None, None) for a in arg) + "]"
        return _pad(_bad(verb, arg), width, flags)
    if verb == "t":
        if isinstance(arg, bool):
            return _pad("true" if arg else "false", width, flags)
        return _pad(_bad(verb, arg), width, flags)
    if verb == "U" and isinstance(arg, int) and not isinstance(arg, bool):
        return _pad(f"U+{arg:04X}", width, flags)
    if verb == "c":
        if isinstance(arg, int) and not isinstance(arg, bool):
            return _pad(chr(arg), width, flags)
        return _pad(_bad(verb, arg), width, flags)
    if verb == "T":
        return _pad(type_of(arg), width, flags)
    return _bad(verb, arg)


def sprintf(fmt: str, args: list[Any] | tuple[Any, ...]) -> str:
    out: list[str] = []
    pos = 0
    argi = 0
    while True:
        at = fmt.find("%", pos)
        if at < 0:
            out.append(fmt[pos:])
            break
        out.append(fmt[pos:at])
        match = _SPEC.match(fmt, at)
        if not match:
            out.append("%!(NOVERB)")
            break
        flags, width_s, prec_s, verb = match.groups()
        pos = match.end()
        if verb == "%":
            out.append("%")
            continue
        width: int | None = None
        prec: int | None = None
        if width_s == "*":
            width = args[argi] if argi < len(args) and isinstance(args[argi], int) else None
            argi += 1
        elif width_s:
            width = int(width_s)
        if prec_s == "*":
            prec = args[argi] if argi < len(args) and isinstance(args[argi], int) else None
            argi += 1
        elif prec_s is not None:
            prec = int(prec_s) if prec_s else 0
        if width is not None and width < 0:
            flags += "-"
            width = -width
        if argi >= len(args):
            out.append(f"%!{verb}(MISSING)")
            continue
        out.append(_format_one(verb, args[argi], flags, width, prec))
        argi += 1
    if argi < len(args):
        extra = ", ".join("<nil>" if a is None else f"{type_of(a)}={fmt_v(a)}" for a in args[argi:])
        out.append(f"%!(EXTRA {extra})")
    return "".join(out)
