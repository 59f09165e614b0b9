"""Values that remember where they came from.

Rendering only sees Python values, so the values-file position of a scalar or
block travels *with* the value: YAML-loaded strings, numbers, maps and lists are
thin subclasses of the builtin types carrying an ``origin``.  Booleans and
``None`` cannot be subclassed; their position is kept by the containing map
(``key_origins``) and recovered by the executor at field access.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Origin:
    """A position in a values file (line is 1-based)."""

    file: str
    line: int


class TrackedStr(str):
    """A string with an origin and, for multi-line text such as ``toYaml`` output,
    an optional origin per line."""

    origin: Origin | None = None
    line_origins: tuple[Origin | None, ...] | None = None


class TrackedInt(int):
    origin: Origin | None = None


class TrackedFloat(float):
    origin: Origin | None = None


class TrackedDict(dict):
    origin: Origin | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.key_origins: dict[str, Origin] = {}


class TrackedList(list):
    origin: Origin | None = None

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.item_origins: list[Origin | None] = []


def origin_of(value: Any) -> Origin | None:
    return getattr(value, "origin", None)


def tracked_str(text: str, origin: Origin | None, line_origins: tuple[Origin | None, ...] | None = None) -> str:
    """Wrap ``text`` only when there is something to remember (keeps plain paths fast)."""
    if origin is None and line_origins is None:
        return text
    out = TrackedStr(text)
    out.origin = origin
    out.line_origins = line_origins
    return out


def with_origin(value: Any, origin: Origin | None) -> Any:
    """Attach ``origin`` to a scalar produced by a function, when its type allows."""
    if origin is None or getattr(value, "origin", None) is not None:
        return value
    if isinstance(value, str):
        return tracked_str(value, origin)
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        out_i = TrackedInt(value)
        out_i.origin = origin
        return out_i
    if isinstance(value, float):
        out_f = TrackedFloat(value)
        out_f.origin = origin
        return out_f
    return value


def child_origin(container: Any, key: Any) -> Origin | None:
    """Position of ``container[key]``: the key's line if known, else the value's own."""
    if isinstance(container, TrackedDict):
        found = container.key_origins.get(key)
        if found is not None:
            return found
    elif isinstance(container, TrackedList) and isinstance(key, int) and 0 <= key < len(container.item_origins):
        return container.item_origins[key]
    return None
