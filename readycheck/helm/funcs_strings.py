"""Sprig string functions.  Argument order follows Sprig (the piped value is last)."""

from __future__ import annotations

import re
from typing import Any

from .funcs_base import FuncError, FuncSpec, spec, want_int, want_str
from .govalues import GoStruct, fmt_v, go_quote
from .provenance import TrackedStr, origin_of, tracked_str


def strval(value: Any) -> str:
    """Sprig's ``strval``: strings as is, bytes decoded, everything else ``%v``."""
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, GoStruct) and value.string is not None:
        return value.string
    return fmt_v(value)


def strslice(value: Any) -> list[str]:
    if isinstance(value, (list, tuple)):
        return [strval(v) for v in value if v is not None]
    if value is None:
        return []
    return [strval(value)]


def _keep_lines(source: str, result: str, prefix_lines: int = 0) -> str:
    """Carry per-line origins of ``source`` over to a same-shaped ``result``."""
    origin = origin_of(source)
    lines = source.line_origins if isinstance(source, TrackedStr) else None
    if lines is not None:
        lines = (None,) * prefix_lines + lines
    return tracked_str(result, origin, lines)


def indent(spaces: Any, text: Any) -> str:
    pad = " " * want_int(spaces)
    text = want_str(text)
    return _keep_lines(text, pad + text.replace("\n", "\n" + pad))


def nindent(spaces: Any, text: Any) -> str:
    pad = " " * want_int(spaces)
    text = want_str(text)
    return _keep_lines(text, "\n" + pad + text.replace("\n", "\n" + pad), prefix_lines=1)


def trim(text: Any) -> str:
    text = want_str(text)
    stripped = text.strip()
    lead = text[: len(text) - len(text.lstrip())].count("\n")
    if isinstance(text, TrackedStr) and text.line_origins:
        out = TrackedStr(stripped)
        out.origin, out.line_origins = text.origin, text.line_origins[lead:]
        return out
    return tracked_str(stripped, origin_of(text))


def trim_all(cutset: Any, text: Any) -> str:
    return want_str(text).strip(want_str(cutset))


def trim_suffix(suffix: Any, text: Any) -> str:
    suffix, text = want_str(suffix), want_str(text)
    result = text[: len(text) - len(suffix)] if suffix and text.endswith(suffix) else text
    return _keep_lines(text, result)


def trim_prefix(prefix: Any, text: Any) -> str:
    prefix, text = want_str(prefix), want_str(text)
    return text[len(prefix) :] if prefix and text.startswith(prefix) else text


def _is_separator(ch: str) -> bool:
    """Go strings.Title's word separator rule."""
    if ch.isascii():
        return not (ch.isalnum() or ch == "_")
    if ch.isalpha() or ch.isdigit():
        return False
    return ch.isspace()


def title(text: Any) -> str:
    out, prev = [], " "
    for ch in want_str(text):
        out.append(ch.upper() if _is_separator(prev) else ch)
        prev = ch
    return "".join(out)


def untitle(text: Any) -> str:
    out, prev = [], " "
    for ch in want_str(text):
        out.append(ch.lower() if prev.isspace() else ch)
        prev = ch
    return "".join(out)


def _words(text: str) -> list[str]:
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", text)
    spaced = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1 \2", spaced)
    return [w for w in re.split(r"[^A-Za-z0-9]+", spaced) if w]


def snakecase(text: Any) -> str:
    return "_".join(w.lower() for w in _words(want_str(text)))


def kebabcase(text: Any) -> str:
    return "-".join(w.lower() for w in _words(want_str(text)))


def camelcase(text: Any) -> str:
    """xstrings.ToCamelCase: split on ``_`` (and spaces), capitalise each part."""
    parts = [p for p in re.split(r"[_\s]+", want_str(text)) if p]
    return "".join(p[0].upper() + p[1:] for p in parts)


def swapcase(text: Any) -> str:
    return want_str(text).swapcase()


def repeat(count: Any, text: Any) -> str:
    count, text = want_int(count), want_str(text)
    if count < 0:
        raise FuncError("strings: negative Repeat count")
    if count * len(text) > 10_000_000:
        raise FuncError("repeat result too large")
    return text * count


def substr(start: Any, end: Any, text: Any) -> str:
    start, end, text = want_int(start), want_int(end), want_str(text)
    if start < 0:
        return text[:end]
    if end < 0 or end > len(text):
        return text[start:]
    if start > end:
        raise FuncError(f"slice bounds out of range [{start}:{end}]")
    return text[start:end]


def trunc(count: Any, text: Any) -> str:
    count, text = want_int(count), want_str(text)
    if count < 0 and len(text) + count > 0:
        return text[len(text) + count :]
    if count >= 0 and len(text) > count:
        return text[:count]
    return text


def nospace(text: Any) -> str:
    return "".join(want_str(text).split())


def abbrev(width: Any, text: Any) -> str:
    width, text = want_int(width), want_str(text)
    if width < 4:
        return ""
    return text if len(text) <= width else text[: width - 3] + "..."


def abbrevboth(left: Any, right: Any, text: Any) -> str:
    offset, width, text = want_int(left), want_int(right), want_str(text)
    if width < 4 or len(text) <= width:
        return text if width >= 4 else ""
    if offset <= 4:
        return text[: width - 3] + "..."
    if offset + width - 3 < len(text):
        return "..." + abbrev(width - 3, text[offset:])
    return "..." + text[len(text) - (width - 3) :]


def initials(text: Any) -> str:
    return "".join(word[0] for word in want_str(text).split())


def wrap_with(length: Any, sep: Any, text: Any) -> str:
    length, sep, text = want_int(length), want_str(sep), want_str(text)
    if length < 1:
        length = 1
    out_lines = []
    for line in text.split("\n"):
        current = ""
        for word in line.split(" "):
            if current and len(current) + 1 + len(word) > length:
                out_lines.append(current)
                current = word
            else:
                current = f"{current} {word}" if current else word
        out_lines.append(current)
    return sep.join(out_lines)


def wrap(length: Any, text: Any) -> str:
    return wrap_with(length, "\n", text)


def contains(sub: Any, text: Any) -> bool:
    return want_str(sub) in want_str(text)


def has_prefix(prefix: Any, text: Any) -> bool:
    return want_str(text).startswith(want_str(prefix))


def has_suffix(suffix: Any, text: Any) -> bool:
    return want_str(text).endswith(want_str(suffix))


def quote(*values: Any) -> str:
    return " ".join(go_quote(strval(v)) for v in values if v is not None)


def squote(*values: Any) -> str:
    return " ".join(f"'{strval(v)}'" for v in values if v is not None)


def cat(*values: Any) -> str:
    return " ".join(fmt_v(v) for v in values if v is not None)


def replace(old: Any, new: Any, text: Any) -> str:
    old, new, text = want_str(old), want_str(new), want_str(text)
    if old == "":
        return new.join(["", *text, ""]) if text else new
    return text.replace(old, new)


def plural(one: Any, many: Any, count: Any) -> str:
    return want_str(one) if want_int(count) == 1 else want_str(many)


def upper(text: Any) -> str:
    return want_str(text).upper()


def lower(text: Any) -> str:
    return want_str(text).lower()


def to_string(value: Any) -> str:
    return strval(value)


def to_strings(value: Any) -> list[str]:
    return strslice(value)


def join(sep: Any, value: Any) -> str:
    return want_str(sep).join(strslice(value))


def split(sep: Any, text: Any) -> dict[str, str]:
    parts = _go_split(want_str(text), want_str(sep), -1)
    return {f"_{i}": part for i, part in enumerate(parts)}


def split_list(sep: Any, text: Any) -> list[str]:
    return _go_split(want_str(text), want_str(sep), -1)


def splitn(sep: Any, count: Any, text: Any) -> dict[str, str]:
    parts = _go_split(want_str(text), want_str(sep), want_int(count))
    return {f"_{i}": part for i, part in enumerate(parts)}


def _go_split(text: str, sep: str, count: int) -> list[str]:
    if count == 0:
        return []
    if sep == "":
        chars = list(text)
        if count > 0 and len(chars) > count:
            chars = chars[: count - 1] + ["".join(chars[count - 1 :])]
        return chars
    return text.split(sep, count - 1) if count > 0 else text.split(sep)


def sort_alpha(value: Any) -> list[str]:
    return sorted(strslice(value) if isinstance(value, (list, tuple)) else [strval(value)])


STRING_FUNCS: dict[str, FuncSpec] = {
    "indent": spec(indent, keeps_origin=False), "nindent": spec(nindent, keeps_origin=False),
    "trim": spec(trim, keeps_origin=False), "trimAll": spec(trim_all), "trimall": spec(trim_all),
    "trimSuffix": spec(trim_suffix, keeps_origin=False), "trimPrefix": spec(trim_prefix),
    "title": spec(title), "untitle": spec(untitle), "snakecase": spec(snakecase), "kebabcase": spec(kebabcase),
    "camelcase": spec(camelcase), "swapcase": spec(swapcase), "repeat": spec(repeat), "substr": spec(substr),
    "trunc": spec(trunc), "nospace": spec(nospace), "abbrev": spec(abbrev), "abbrevboth": spec(abbrevboth),
    "initials": spec(initials), "wrap": spec(wrap), "wrapWith": spec(wrap_with), "contains": spec(contains, keeps_origin=False),
    "hasPrefix": spec(has_prefix, keeps_origin=False), "hasSuffix": spec(has_suffix, keeps_origin=False),
    "quote": spec(quote), "squote": spec(squote), "cat": spec(cat), "replace": spec(replace), "plural": spec(plural),
    "upper": spec(upper), "lower": spec(lower), "toString": spec(to_string), "toStrings": spec(to_strings),
    "join": spec(join), "split": spec(split), "splitList": spec(split_list), "splitn": spec(splitn),
    "sortAlpha": spec(sort_alpha),
}
