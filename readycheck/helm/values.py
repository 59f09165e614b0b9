"""Combining values the way Helm does, without losing provenance.

* ``merge_values``: user values files layered in order (later wins, maps merge).
* ``parse_set``: ``--set`` syntax (``a.b=c``, ``a[0]=x``, ``{a,b}``, typed ints/bools/null).
* ``coalesce``: chart defaults under user values, ``null`` deleting a key,
  subchart defaults under ``.Values.<name>``, and ``global`` pushed down.
New maps are ``TrackedDict`` copies whose ``key_origins`` point at whichever
source supplied each key.
"""

from __future__ import annotations

import re
from typing import Any

from .provenance import Origin, TrackedDict, TrackedList, with_origin


class SetValueError(ValueError):
    pass


def copy_table(table: dict[str, Any]) -> TrackedDict:
    out = TrackedDict(table)
    if isinstance(table, TrackedDict):
        out.origin = table.origin
        out.key_origins = dict(table.key_origins)
    return out


def _key_origin(table: dict[str, Any], key: str) -> Origin | None:
    return table.key_origins.get(key) if isinstance(table, TrackedDict) else None


def _set(dest: TrackedDict, key: str, value: Any, source: dict[str, Any]) -> None:
    dest[key] = value
    origin = _key_origin(source, key)
    if origin is not None:
        dest.key_origins[key] = origin
    else:
        dest.key_origins.pop(key, None)


def merge_values(base: dict[str, Any], override: dict[str, Any]) -> TrackedDict:
    """Helm's mergeMaps for ``-f`` files: override wins, nested maps merge."""
    out = copy_table(base)
    for key, value in override.items():
        current = out.get(key)
        if isinstance(value, dict) and isinstance(current, dict):
            _set(out, key, merge_values(current, value), override)
        else:
            _set(out, key, value, override)
    return out


def clean_nils(table: dict[str, Any]) -> TrackedDict:
    """A copy without ``null`` entries, at any depth: chart-default nulls never reach templates."""
    out = copy_table(table)
    for key, value in table.items():
        if value is None:
            del out[key]
            out.key_origins.pop(key, None)
        elif isinstance(value, dict):
            out[key] = clean_nils(value)
    return out


def coalesce_tables(dest: dict[str, Any], defaults: dict[str, Any], merge: bool = False) -> TrackedDict:
    """Helm's coalesceTablesFullKey: ``dest`` over ``defaults``, maps merge.

    When coalescing (``merge`` false) a dest ``null`` over a non-null default deletes the key; a
    ``null`` on both sides stays. When merging, nulls are kept so a later coalesce can delete with them.
    """
    out = copy_table(dest)
    for key, default in defaults.items():
        if key not in out:
            _set(out, key, default, defaults)
            continue
        value = out[key]
        if value is None:
            if not merge and default is not None:
                del out[key]
                out.key_origins.pop(key, None)
        elif isinstance(value, dict) and isinstance(default, dict):
            out[key] = coalesce_tables(value, default, merge)
    return out


def coalesce_chart_values(given: dict[str, Any], defaults: dict[str, Any], subcharts: frozenset[str]) -> TrackedDict:
    """Helm's coalesceValues: a chart's defaults under the values it was given.

    A given ``null`` deletes the key; chart-default nulls are dropped; the defaults a parent sets
    for a subchart keep their nulls, so they delete the subchart's own defaults one level down.
    """
    out = copy_table(given)
    for key, default in defaults.items():
        if key in out:
            value = out[key]
            if value is None:
                del out[key]
                out.key_origins.pop(key, None)
            elif isinstance(value, dict) and isinstance(default, dict):
                if key in subcharts:
                    out[key] = coalesce_tables(value, default, merge=True)
                else:
                    out[key] = coalesce_tables(value, clean_nils(default))
        elif default is not None:
            _set(out, key, clean_nils(default) if isinstance(default, dict) else default, defaults)
    return out


def coalesce_globals(sub_values: dict[str, Any], parent_values: dict[str, Any]) -> TrackedDict:
    """Parent ``global`` wins over the subchart's own ``global`` (Helm's coalesceGlobals)."""
    out = copy_table(sub_values)
    parent_global = parent_values.get("global")
    if parent_global is not None and not isinstance(parent_global, dict):
        return out
    sub_global = out.get("global")
    if sub_global is not None and not isinstance(sub_global, dict):
        return out
    merged = copy_table(sub_global) if isinstance(sub_global, dict) else TrackedDict()
    for key, value in (parent_global or {}).items():
        current = merged.get(key)
        if isinstance(value, dict):
            if key not in merged:
                _set(merged, key, value, parent_global or {})
            elif isinstance(current, dict):
                _set(merged, key, coalesce_tables(value, current, merge=True), parent_global or {})
        elif not isinstance(current, dict):
            _set(merged, key, value, parent_global or {})
    _set(out, "global", merged, parent_values)
    return out


# -- --set parsing ------------------------------------------------------------------
def _typed(value: str) -> Any:
    lower = value.lower()
    if lower == "true":
        return True
    if lower == "false":
        return False
    if lower == "null":
        return None
    if value == "0":
        return 0
    if value and value[0] != "0" and re.fullmatch(r"[-+]?\d+", value):
        return int(value)
    return value


def _split_unescaped(text: str, sep: str) -> list[str]:
    parts, current, depth, i = [], [], 0, 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            current.append(text[i : i + 2])
            i += 2
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        if ch == sep and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
        i += 1
    parts.append("".join(current))
    return parts


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


_PATH_PART = re.compile(r"((?:\\.|[^.\[\]])+)|\[(\d+)\]")


def _parse_path(key: str) -> list[str | int]:
    path: list[str | int] = []
    for part in _split_unescaped(key, "."):
        segment_pos = 0
        for match in _PATH_PART.finditer(part):
            if match.start() != segment_pos:
                raise SetValueError(f"bad --set key {key!r}")
            name, index = match.groups()
            path.append(_unescape(name) if name is not None else int(index))
            segment_pos = match.end()
        if segment_pos != len(part) or not part:
            raise SetValueError(f"bad --set key {key!r}")
    return path


def _assign(target: Any, path: list[str | int], value: Any, origin: Origin) -> Any:
    head, rest = path[0], path[1:]
    if isinstance(head, int):
        if head > 65_536:
            raise SetValueError(f"--set list index {head} too large")
        items = target if isinstance(target, TrackedList) else TrackedList(target or [])
        while len(items) <= head:
            items.append(None)
        items.item_origins += [None] * (len(items) - len(items.item_origins))
        items[head] = _assign(items[head], rest, value, origin) if rest else with_origin(value, origin)
        items.item_origins[head] = origin
        return items
    table = target if isinstance(target, TrackedDict) else TrackedDict(target or {})
    table[head] = _assign(table.get(head), rest, value, origin) if rest else with_origin(value, origin)
    table.key_origins[head] = origin
    return table


def parse_set(expressions: list[str] | tuple[str, ...]) -> dict[str, Any]:
    """Values from ``--set`` arguments; their origin is file "--set", line = argument number."""
    values: dict[str, Any] = TrackedDict()
    for number, expression in enumerate(expressions, start=1):
        origin = Origin("--set", number)
        for item in _split_unescaped(expression, ","):
            if not item:
                continue
            key, eq, raw = item.partition("=")
            if not eq:
                raise SetValueError(f"key {key!r} has no value")
            if raw.startswith("{") and raw.endswith("}"):
                value: Any = [_typed(_unescape(v)) for v in _split_unescaped(raw[1:-1], ",") if v != ""]
            else:
                value = _typed(_unescape(raw))
            _assign(values, _parse_path(key), value, origin)
    return values
