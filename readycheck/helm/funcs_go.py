"""Go text/template's builtin functions (``and``/``or`` live in the executor
because they short-circuit on unevaluated arguments)."""

from __future__ import annotations

import urllib.parse
from typing import Any

from .funcs_base import FuncError, FuncSpec, spec
from .gofmt import sprintf
from .govalues import GoStruct, fmt_v, is_true, sprint, sprintln


def _kind(value: Any) -> str:
    if value is None:
        return "nil"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "string"
    return "other"


def _basic_eq(a: Any, b: Any) -> bool:
    ka, kb = _kind(a), _kind(b)
    if ka == "nil" or kb == "nil":
        return ka == kb
    if ka != kb:
        raise FuncError("incompatible types for comparison")
    if ka == "other":
        if isinstance(a, GoStruct) or isinstance(b, GoStruct):
            return a is b
        raise FuncError("non-comparable types")
    return bool(a == b)


def eq(arg1: Any, *others: Any) -> bool:
    if not others:
        raise FuncError("missing argument for comparison")
    return any(_basic_eq(arg1, other) for other in others)


def ne(a: Any, b: Any) -> bool:
    return not _basic_eq(a, b)


def lt(a: Any, b: Any) -> bool:
    ka, kb = _kind(a), _kind(b)
    if ka in ("nil", "other", "bool") or kb in ("nil", "other", "bool"):
        raise FuncError("invalid type for comparison")
    if ka != kb:
        raise FuncError("incompatible types for comparison")
    return bool(a < b)


def le(a: Any, b: Any) -> bool:
    return lt(a, b) or _basic_eq(a, b)


def gt(a: Any, b: Any) -> bool:
    return not le(a, b)


def ge(a: Any, b: Any) -> bool:
    return not lt(a, b)


def not_(value: Any) -> bool:
    return not is_true(value)


def length(value: Any) -> int:
    if value is None:
        raise FuncError("len of nil pointer")
    if isinstance(value, str):
        return len(value.encode("utf-8", "surrogateescape"))
    if isinstance(value, (list, tuple, dict, bytes)):
        return len(value)
    if isinstance(value, GoStruct) and value.entries is not None:
        return len(value.entries)
    raise FuncError(f"len of type {_kind(value)}")


def _index_one(item: Any, key: Any) -> Any:
    if item is None:
        raise FuncError("index of untyped nil")
    if isinstance(item, GoStruct) and item.entries is not None:  # .Files, .Capabilities.APIVersions
        item = item.entries
    if isinstance(item, dict):
        if key is None:
            return None
        if not isinstance(key, str):
            raise FuncError(f"value has type {_kind(key)}; should be string")
        return item.get(key)
    if isinstance(item, (list, tuple, str, bytes)):
        if isinstance(key, bool) or not isinstance(key, int):
            raise FuncError(f"cannot index slice/array with type {_kind(key)}")
        seq = item.encode("utf-8", "surrogateescape") if isinstance(item, str) else item
        if not 0 <= key < len(seq):
            raise FuncError(f"index out of range: {key}")
        return seq[key]
    raise FuncError(f"can't index item of type {_kind(item)}")


def index(item: Any, *keys: Any) -> Any:
    for key in keys:
        item = _index_one(item, key)
    return item


def slice_(item: Any, *indexes: Any) -> Any:
    if item is None:
        raise FuncError("slice of untyped nil")
    if len(indexes) > 3:
        raise FuncError(f"too many slice indexes: {len(indexes)}")
    if not isinstance(item, (str, list, tuple)):
        raise FuncError(f"can't slice item of type {_kind(item)}")
    if isinstance(item, str) and len(indexes) == 3:
        raise FuncError("cannot 3-index slice a string")
    bounds = [0, len(item)]
    for i, idx in enumerate(indexes[:2]):
        if isinstance(idx, bool) or not isinstance(idx, int):
            raise FuncError(f"cannot index slice/array with type {_kind(idx)}")
        bounds[i] = idx
    if not 0 <= bounds[0] <= bounds[1] <= len(item):
        raise FuncError(f"invalid slice index: {bounds[0]} > {bounds[1]}")
    return item[bounds[0] : bounds[1]]


def _eval_args_text(args: tuple[Any, ...]) -> str:
    if len(args) == 1 and isinstance(args[0], str):
        return args[0]
    return sprint(args)


def html(*args: Any) -> str:
    text = _eval_args_text(args)
    table = {"<": "&lt;", ">": "&gt;", "&": "&amp;", "'": "&#39;", '"': "&#34;", "\0": "\ufffd"}
    return "".join(table.get(c, c) for c in text)


def js(*args: Any) -> str:
    text = _eval_args_text(args)
    table = {"\\": "\\\\", "'": "\\'", '"': '\\"', "<": "\\u003C", ">": "\\u003E", "&": "\\u0026", "=": "\\u003D"}
    out = []
    for ch in text:
        if ch in table:
            out.append(table[ch])
        elif not ch.isprintable():
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return "".join(out)


def urlquery(*args: Any) -> str:
    return urllib.parse.quote_plus(_eval_args_text(args), safe="")


def call(fn: Any, *args: Any) -> Any:
    if not callable(fn) or isinstance(fn, GoStruct):
        raise FuncError(f"non-function of type {_kind(fn)}")
    return fn(*args)


def printf(fmt: str, *args: Any) -> str:
    if not isinstance(fmt, str):
        raise FuncError(f"wrong type for value; expected string; got {fmt_v(fmt)}")
    return sprintf(fmt, args)


def print_(*args: Any) -> str:
    return sprint(args)


def println(*args: Any) -> str:
    return sprintln(args)


def _placeholder(*args: Any) -> Any:  # pragma: no cover - replaced by the executor
    raise FuncError("and/or are evaluated by the executor")


GO_FUNCS: dict[str, FuncSpec] = {
    "and": spec(_placeholder), "or": spec(_placeholder),
    "eq": spec(eq, keeps_origin=False), "ne": spec(ne, keeps_origin=False), "lt": spec(lt, keeps_origin=False),
    "le": spec(le, keeps_origin=False), "gt": spec(gt, keeps_origin=False), "ge": spec(ge, keeps_origin=False),
    "not": spec(not_, keeps_origin=False), "len": spec(length, keeps_origin=False), "index": spec(index, keeps_origin=False),
    "slice": spec(slice_), "print": spec(print_), "printf": spec(printf), "println": spec(println),
    "html": spec(html), "js": spec(js), "urlquery": spec(urlquery), "call": spec(call),
}
