"""Helm's ``toYaml`` output format (sigs.k8s.io/yaml over go-yaml v2).

Written by hand rather than via PyYAML because the details that show up in
rendered manifests differ: go-yaml's key order (digit runs compare as numbers,
non-letters before letters), sequences not indented under their key,
double quotes for strings that would read as another type, 80-column folding
of long plain strings, and numbers going through JSON (``2.0`` prints ``2``).
Each emitted line remembers the values origin of the key that produced it.
"""

from __future__ import annotations

import base64
import functools
import re
from typing import Any

from .govalues import GoStruct, format_float
from .provenance import Origin, child_origin, origin_of

Line = tuple[str, "Origin | None"]

_NON_STR = re.compile(
    r"""^(?:~|null|Null|NULL|y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF
    |[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+
    |[-+]?(?:\.[0-9]+|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*
    |[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)|<<
    |\d{4}-\d\d?-\d\d?(?:[Tt ]\d\d?:\d\d?:\d\d?(?:\.\d+)?(?:Z|[-+]\d\d(?::\d\d)?)?)?)$""",
    re.X,
)
_INDICATOR_FIRST = set("#,[]{}&*!|>'\"%@`")
_WIDTH = 80


def _key_less(a: str, b: str) -> int:
    """go-yaml v2 ``keyList.Less`` for string keys, as a cmp function."""
    for i in range(min(len(a), len(b))):
        ca, cb = a[i], b[i]
        if ca == cb:
            continue
        al, bl = ca.isalpha(), cb.isalpha()
        if al and bl:
            return -1 if ca < cb else 1
        if al or bl:
            return -1 if bl else 1
        an = bn = 0
        if ca == "0" or cb == "0":
            j = i - 1
            while j >= 0 and a[j].isdigit():
                if a[j] != "0":
                    an = bn = 1
                    break
                j -= 1
        ai = i
        while ai < len(a) and a[ai].isdigit():
            an = an * 10 + int(a[ai])
            ai += 1
        bi = i
        while bi < len(b) and b[bi].isdigit():
            bn = bn * 10 + int(b[bi])
            bi += 1
        if an != bn:
            return -1 if an < bn else 1
        if ai != bi:
            return -1 if ai < bi else 1
        return -1 if ca < cb else 1
    return (len(a) > len(b)) - (len(a) < len(b))


yaml_key_order = functools.cmp_to_key(_key_less)


def _printable(ch: str) -> bool:
    return ch in "\t\n" or (ch.isprintable() and ch not in "\ufeff") or ch == " "


def _plain_allowed(s: str) -> bool:
    if not s or s[0] in " \t" or s[-1] in " \t" or s.startswith(("---", "...")):
        return False
    first = s[0]
    if first in _INDICATOR_FIRST:
        return False
    if first in "-?:" and (len(s) == 1 or s[1] in " \t"):
        return False
    for i, ch in enumerate(s):
        if not _printable(ch) or ch == "\t" or ch == "\n":
            return False
        if ch == ":" and (i + 1 == len(s) or s[i + 1] in " \t"):
            return False
        if ch == "#" and i and s[i - 1] in " \t":
            return False
    return True


def _fold(text: str, column: int, indent: int) -> list[str]:
    """go-yaml breaks plain/single-quoted scalars at a space once past column 80."""
    if len(text) + column <= _WIDTH or " " not in text:
        return [text]
    lines: list[str] = []
    current: list[str] = []
    col = column
    prev_space = False
    for i, ch in enumerate(text):
        if ch == " " and not prev_space and col > _WIDTH and i + 1 < len(text) and text[i + 1] != " ":
            lines.append("".join(current))
            current = []
            col = indent
            prev_space = True
            continue
        current.append(ch)
        col += 1
        prev_space = ch == " "
    lines.append("".join(current))
    return [lines[0]] + [" " * indent + ln for ln in lines[1:]]


_DQ_ESCAPES = {"\0": "\\0", "\a": "\\a", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\v": "\\v", "\f": "\\f",
               "\r": "\\r", "\x1b": "\\e", '"': '\\"', "\\": "\\\\", "\x85": "\\N", "\xa0": "\\_",
               "\u2028": "\\L", "\u2029": "\\P"}


def double_quoted(s: str) -> str:
    out = ['"']
    for ch in s:
        if ch in _DQ_ESCAPES:
            out.append(_DQ_ESCAPES[ch])
        elif ch.isprintable() or ch == " ":
            out.append(ch)
        elif ord(ch) <= 0xFF:
            out.append(f"\\x{ord(ch):02X}")
        elif ord(ch) <= 0xFFFF:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(f"\\U{ord(ch):08X}")
    out.append('"')
    return "".join(out)


def _literal_allowed(s: str) -> bool:
    if s.endswith((" ", "\t")) or any(not _printable(ch) for ch in s):
        return False
    return not re.search(r"[ \t]\n", s)


def scalar_lines(value: Any, column: int, indent: int) -> list[str]:
    """Text of a scalar written at ``column``; continuation lines carry their indent.
    A literal block returns the header on the first line and its content after."""
    if value is None:
        return ["null"]
    if isinstance(value, bool):
        return ["true" if value else "false"]
    if isinstance(value, int):
        return [int.__repr__(value)]
    if isinstance(value, float):
        if value == int(value) and abs(value) < 1e21:
            return [str(int(value))]
        text = format_float(value)
        return [{"+Inf": ".inf", "-Inf": "-.inf", "NaN": ".nan"}.get(text, text)]
    if isinstance(value, bytes):
        value = base64.b64encode(value).decode()
    if isinstance(value, GoStruct):
        value = value.string or ""
    s = str.__str__(value) if isinstance(value, str) else str(value)
    if "\n" in s:
        if not _literal_allowed(s):
            return [double_quoted(s)]
        body = s.rstrip("\n")
        trailing = len(s) - len(body)
        chomp = "-" if trailing == 0 else "" if trailing == 1 else "+"
        indicator = "2" if s[:1] in (" ", "\n") else ""
        content = s.split("\n")
        if trailing:
            content = content[: len(content) - trailing] + [""] * (trailing - 1)
        return [f"|{indicator}{chomp}"] + [(" " * indent + ln) if ln else "" for ln in content]
    if _NON_STR.match(s) or s == "":
        return [double_quoted(s)]
    if _plain_allowed(s):
        return _fold(s, column, indent)
    if all(_printable(ch) and ch != "\t" for ch in s):
        return _fold("'" + s.replace("'", "''") + "'", column, indent)
    return [double_quoted(s)]


def _key_text(key: Any) -> str:
    return scalar_lines(key if isinstance(key, str) else str(key), 0, 0)[0]


def _as_mapping(value: Any) -> dict[str, Any] | None:
    if isinstance(value, dict):
        return value
    if isinstance(value, GoStruct) and value.string is None:
        return value.fields
    return None


def _emit_value(prefix: str, value: Any, indent: int, origin: Origin | None, out: list[Line],
                pretty: bool = False) -> None:
    """Write ``value`` after ``prefix`` (``key:`` or ``-``) at block ``indent``; ``pretty`` indents a
    map's sequences under their key, as yaml.v3 (toYamlPretty) does."""
    mapping = _as_mapping(value)
    if mapping is not None and mapping:
        out.append((prefix, origin))
        _emit_mapping(mapping, indent + 2, out, pretty)
        return
    if isinstance(value, (list, tuple)) and value:
        out.append((prefix, origin))
        _emit_sequence(list(value), indent + 2 if pretty or prefix.lstrip() == "-" else indent, value, out, pretty)
        return
    if mapping is not None:
        out.append((prefix + " {}", origin))
        return
    if isinstance(value, (list, tuple)):
        out.append((prefix + " []", origin))
        return
    lines = scalar_lines(value, len(prefix) + 1, indent + 2)
    out.append((prefix + " " + lines[0], origin))
    out.extend((ln, origin) for ln in lines[1:])


def _emit_mapping(mapping: dict[str, Any], indent: int, out: list[Line], pretty: bool = False) -> None:
    pad = " " * indent
    for key in sorted(mapping, key=lambda k: yaml_key_order(str(k))):
        value = mapping[key]
        origin = child_origin(mapping, key) or origin_of(value)
        _emit_value(f"{pad}{_key_text(key)}:", value, indent, origin, out, pretty)


def _emit_sequence(items: list[Any], indent: int, container: Any, out: list[Line], pretty: bool = False) -> None:
    pad = " " * indent
    for i, item in enumerate(items):
        origin = child_origin(container, i) or origin_of(item)
        mapping = _as_mapping(item)
        if (mapping is not None and mapping) or (isinstance(item, (list, tuple)) and item):
            nested: list[Line] = []
            if mapping is not None:
                _emit_mapping(mapping, indent + 2, nested, pretty)
            else:
                _emit_sequence(list(item), indent + 2, item, nested, pretty)
            first_text, first_origin = nested[0]
            nested[0] = (pad + "- " + first_text[indent + 2 :], first_origin or origin)
            out.extend(nested)
        else:
            _emit_value(f"{pad}-", item, indent, origin, out, pretty)


def to_yaml_lines(value: Any, pretty: bool = False) -> list[Line]:
    """Block YAML lines for ``value`` (no trailing newline), each with its values origin."""
    out: list[Line] = []
    if isinstance(value, GoStruct) and value.entries is not None:
        value = value.entries
    mapping = _as_mapping(value)
    if mapping is not None and mapping:
        _emit_mapping(mapping, 0, out, pretty)
    elif isinstance(value, (list, tuple)) and value:
        _emit_sequence(list(value), 0, value, out, pretty)
    elif mapping is not None:
        out.append(("{}", origin_of(value)))
    elif isinstance(value, (list, tuple)):
        out.append(("[]", origin_of(value)))
    else:
        lines = scalar_lines(value, 0, 2 if "\n" in str(value) else 0)
        out.extend((ln, origin_of(value)) for ln in lines)
    return out
