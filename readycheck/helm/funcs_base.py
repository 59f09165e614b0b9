"""Function registry plumbing: the spec of a template function and Go-style
argument checks (Go rejects a wrong type before calling, we do it on entry)."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .govalues import type_of


class FuncError(Exception):
    """Raised by a template function; the executor adds template and line."""


@dataclass(frozen=True, slots=True)
class FuncSpec:
    fn: Callable[..., Any]
    min_args: int
    max_args: int | None  # None: variadic
    needs_state: bool  # first parameter is the executor's call context
    keeps_origin: bool  # result inherits the values origin of its arguments


def spec(fn: Callable[..., Any], *, needs_state: bool = False, keeps_origin: bool = True) -> FuncSpec:
    params = list(inspect.signature(fn).parameters.values())
    if needs_state:
        params = params[1:]
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    required = [p for p in positional if p.default is p.empty]
    variadic = any(p.kind == p.VAR_POSITIONAL for p in params)
    return FuncSpec(fn, len(required), None if variadic else len(positional), needs_state, keeps_origin)


def _wrong(expected: str, value: Any) -> FuncError:
    if value is None:
        return FuncError(f"invalid value; expected {expected}")
    return FuncError(f"wrong type for value; expected {expected}; got {type_of(value)}")


def want_str(value: Any) -> str:
    if isinstance(value, str):
        return value
    raise _wrong("string", value)


def want_int(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise _wrong("int", value)


def want_map(value: Any, nil_ok: bool = False) -> dict[str, Any]:
    """A map parameter; with ``nil_ok`` a nil becomes an empty map, as Go passes a nil map
    to functions that only read it (``hasKey nil "k"`` is false, not an error)."""
    if isinstance(value, dict):
        return value
    if value is None and nil_ok:
        return {}
    raise _wrong("map[string]interface {}", value)


def want_list(value: Any, func: str) -> list[Any]:
    """Sprig's list helpers accept slices and arrays and fail loudly on anything else."""
    if isinstance(value, (list, tuple)):
        return list(value)
    raise FuncError(f"Cannot find {func} on type {type_of(value)}")
