"""Sprig dict and list functions, plus the emptiness/defaulting family."""

from __future__ import annotations

import copy
from typing import Any

from .funcs_base import FuncError, FuncSpec, spec, want_int, want_list, want_map, want_str
from .funcs_strings import strval
from .govalues import is_true, kind_of, type_of
from .provenance import TrackedDict


def empty(value: Any) -> bool:
    return not is_true(value)


def default(fallback: Any, *given: Any) -> Any:
    if not given or empty(given[0]):
        return fallback
    return given[0]


def coalesce(*values: Any) -> Any:
    for value in values:
        if not empty(value):
            return value
    return None


def all_(*values: Any) -> bool:
    return all(not empty(v) for v in values)


def any_(*values: Any) -> bool:
    return any(not empty(v) for v in values)


def ternary(if_true: Any, if_false: Any, condition: Any) -> Any:
    if not isinstance(condition, bool):
        raise FuncError("wrong type for value; expected bool")
    return if_true if condition else if_false


def deep_equal(a: Any, b: Any) -> bool:
    """reflect.DeepEqual: same Go types and equal contents."""
    if type(a) is not type(b) and _base(a) is not _base(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(deep_equal(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(deep_equal(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def _base(value: Any) -> type:
    for base in (bool, int, float, str, dict, list):
        if isinstance(value, base):
            return base
    return type(value)


def dict_(*pairs: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for i in range(0, len(pairs), 2):
        out[strval(pairs[i])] = pairs[i + 1] if i + 1 < len(pairs) else ""
    return out


def list_(*items: Any) -> list[Any]:
    return list(items)


def get(mapping: Any, key: Any) -> Any:
    mapping, key = want_map(mapping, nil_ok=True), want_str(key)
    return mapping.get(key, "")


def set_(mapping: Any, key: Any, value: Any) -> dict[str, Any]:
    mapping = want_map(mapping)
    mapping[want_str(key)] = value
    return mapping


def unset(mapping: Any, key: Any) -> dict[str, Any]:
    mapping = want_map(mapping, nil_ok=True)
    mapping.pop(want_str(key), None)
    return mapping


def has_key(mapping: Any, key: Any) -> bool:
    return want_str(key) in want_map(mapping, nil_ok=True)


def pluck(name: Any, *dicts: Any) -> list[Any]:
    name = want_str(name)
    return [d[name] for d in (want_map(d, nil_ok=True) for d in dicts) if name in d]


def keys(*dicts: Any) -> list[str]:
    """Go map order is random; sorted keeps renders deterministic."""
    out: list[str] = []
    for d in dicts:
        out.extend(sorted(want_map(d, nil_ok=True)))
    return out


def values(mapping: Any) -> list[Any]:
    mapping = want_map(mapping, nil_ok=True)
    return [mapping[k] for k in sorted(mapping)]


def _subset(mapping: dict[str, Any], keep: list[str]) -> dict[str, Any]:
    """A new map with some keys of ``mapping``, keeping their values positions."""
    out = TrackedDict({k: mapping[k] for k in keep})
    if isinstance(mapping, TrackedDict):
        out.origin = mapping.origin
        out.key_origins = {k: o for k, o in mapping.key_origins.items() if k in out}
    return out


def pick(mapping: Any, *names: Any) -> dict[str, Any]:
    mapping = want_map(mapping, nil_ok=True)
    return _subset(mapping, [k for k in map(want_str, names) if k in mapping])


def omit(mapping: Any, *names: Any) -> dict[str, Any]:
    mapping = want_map(mapping, nil_ok=True)
    drop = set(map(want_str, names))
    return _subset(mapping, [k for k in mapping if k not in drop])


def _mergo(dst: dict[str, Any], src: dict[str, Any], overwrite: bool) -> None:
    """mergo.Merge semantics: maps merge deeply (mutating dst); without overwrite
    a destination value is replaced only when empty; with it, by any source value, empty or null too."""
    for key, src_value in src.items():
        if key not in dst:
            dst[key] = src_value
            continue
        dst_value = dst[key]
        if isinstance(dst_value, dict) and isinstance(src_value, dict):
            _mergo(dst_value, src_value, overwrite)
        elif overwrite or empty(dst_value):
            dst[key] = src_value


def merge(dst: Any, *srcs: Any) -> dict[str, Any]:
    dst = want_map(dst)
    for src in srcs:
        _mergo(dst, want_map(src), overwrite=False)
    return dst


def merge_overwrite(dst: Any, *srcs: Any) -> dict[str, Any]:
    dst = want_map(dst)
    for src in srcs:
        _mergo(dst, want_map(src), overwrite=True)
    return dst


def deep_copy(value: Any) -> Any:
    return copy.deepcopy(value)


def append(seq: Any, value: Any) -> list[Any]:
    return [*want_list(seq, "append"), value]


def prepend(seq: Any, value: Any) -> list[Any]:
    return [value, *want_list(seq, "prepend")]


def concat(*lists: Any) -> list[Any]:
    out: list[Any] = []
    for seq in lists:
        out.extend(want_list(seq, "concat"))
    return out


def first(seq: Any) -> Any:
    items = want_list(seq, "first")
    return items[0] if items else None


def last(seq: Any) -> Any:
    items = want_list(seq, "last")
    return items[-1] if items else None


def rest(seq: Any) -> list[Any] | None:
    items = want_list(seq, "rest")
    return items[1:] if items else None


def initial(seq: Any) -> list[Any] | None:
    items = want_list(seq, "initial")
    return items[:-1] if items else None


def reverse(seq: Any) -> list[Any]:
    return list(reversed(want_list(seq, "reverse")))


def uniq(seq: Any) -> list[Any]:
    out: list[Any] = []
    for item in want_list(seq, "uniq"):
        if not any(deep_equal(item, seen) for seen in out):
            out.append(item)
    return out


def without(seq: Any, *drop: Any) -> list[Any]:
    return [item for item in want_list(seq, "without") if not any(deep_equal(item, d) for d in drop)]


def has(needle: Any, haystack: Any) -> bool:
    if haystack is None:
        return False
    return any(deep_equal(needle, item) for item in want_list(haystack, "has"))


def compact(seq: Any) -> list[Any]:
    return [item for item in want_list(seq, "compact") if not empty(item)]


def slice_list(seq: Any, *bounds: Any) -> list[Any]:
    items = want_list(seq, "slice")
    start = want_int(bounds[0]) if bounds else 0
    end = want_int(bounds[1]) if len(bounds) > 1 else len(items)
    return items[start:end]


def chunk(size: Any, seq: Any) -> list[list[Any]]:
    size, items = want_int(size), want_list(seq, "chunk")
    if size < 1:
        raise FuncError("chunk size must be positive")
    return [items[i : i + size] for i in range(0, len(items), size)]


def dig(*args: Any) -> Any:
    if len(args) < 3:
        raise FuncError("dig needs at least three arguments")
    *path, fallback, mapping = args
    current: Any = want_map(mapping)
    for key in map(want_str, path):
        if not isinstance(current, dict) or key not in current:
            return fallback
        current = current[key]
    return current


def kind_is(target: Any, value: Any) -> bool:
    return kind_of(value) == want_str(target)


def type_is(target: Any, value: Any) -> bool:
    return type_of(value) == want_str(target)


def type_is_like(target: Any, value: Any) -> bool:
    return want_str(target) in (type_of(value), "*" + type_of(value))


COLLECTION_FUNCS: dict[str, FuncSpec] = {
    "empty": spec(empty, keeps_origin=False), "default": spec(default, keeps_origin=False), "coalesce": spec(coalesce, keeps_origin=False),
    "all": spec(all_, keeps_origin=False), "any": spec(any_, keeps_origin=False), "ternary": spec(ternary, keeps_origin=False),
    "deepEqual": spec(deep_equal, keeps_origin=False), "dict": spec(dict_), "list": spec(list_),
    "tuple": spec(list_), "get": spec(get, keeps_origin=False), "set": spec(set_), "unset": spec(unset),
    "hasKey": spec(has_key, keeps_origin=False), "pluck": spec(pluck), "keys": spec(keys), "values": spec(values),
    "pick": spec(pick), "omit": spec(omit), "merge": spec(merge), "mustMerge": spec(merge),
    "mergeOverwrite": spec(merge_overwrite), "mustMergeOverwrite": spec(merge_overwrite),
    "deepCopy": spec(deep_copy), "mustDeepCopy": spec(deep_copy), "append": spec(append), "push": spec(append),
    "mustAppend": spec(append), "mustPush": spec(append), "prepend": spec(prepend), "mustPrepend": spec(prepend),
    "concat": spec(concat), "first": spec(first, keeps_origin=False), "mustFirst": spec(first), "last": spec(last, keeps_origin=False),
    "mustLast": spec(last), "rest": spec(rest), "mustRest": spec(rest), "initial": spec(initial),
    "mustInitial": spec(initial), "reverse": spec(reverse), "mustReverse": spec(reverse), "uniq": spec(uniq),
    "mustUniq": spec(uniq), "without": spec(without), "mustWithout": spec(without),
    "has": spec(has, keeps_origin=False), "mustHas": spec(has, keeps_origin=False), "compact": spec(compact),
    "mustCompact": spec(compact), "mustSlice": spec(slice_list), "chunk": spec(chunk), "mustChunk": spec(chunk),
    "dig": spec(dig, keeps_origin=False), "kindIs": spec(kind_is, keeps_origin=False), "typeIs": spec(type_is, keeps_origin=False),
    "typeIsLike": spec(type_is_like, keeps_origin=False), "kindOf": spec(kind_of, keeps_origin=False),
    "typeOf": spec(type_of, keeps_origin=False),
}
