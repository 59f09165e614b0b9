"""Sprig number conversion and arithmetic (``cast``-style lenient conversions:
unparsable input becomes 0, as in Sprig)."""

from __future__ import annotations

import math
from typing import Any

from .funcs_base import FuncError, FuncSpec, spec, want_int, want_str

MAX_SEQUENCE = 100_000


def to_int64(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return int(value) if math.isfinite(value) else 0
    if isinstance(value, str):
        text = value.strip()
        if "." in text:
            head, _, tail = text.partition(".")
            if tail.strip("0") == "":
                text = head
        try:
            return int(text, 0) if not (len(text) > 1 and text.lstrip("+-").startswith("0") and text.lstrip("+-").isdigit()) else int(text, 8)
        except ValueError:
            return 0
    return 0


def to_float64(value: Any) -> float:
    if value is None:
        return 0.0
    if isinstance(value, (bool, int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return 0.0
    return 0.0


def atoi(text: Any) -> int:
    try:
        return int(want_str(text))
    except ValueError:
        return 0


def add(*values: Any) -> int:
    return sum(to_int64(v) for v in values)


def add1(value: Any) -> int:
    return to_int64(value) + 1


def sub(a: Any, b: Any) -> int:
    return to_int64(a) - to_int64(b)


def mul(a: Any, *values: Any) -> int:
    out = to_int64(a)
    for v in values:
        out *= to_int64(v)
    return out


def _go_div(a: int, b: int) -> int:
    if b == 0:
        raise FuncError("runtime error: integer divide by zero")
    quotient = abs(a) // abs(b)
    return quotient if (a >= 0) == (b >= 0) else -quotient


def div(a: Any, b: Any) -> int:
    return _go_div(to_int64(a), to_int64(b))


def mod(a: Any, b: Any) -> int:
    x, y = to_int64(a), to_int64(b)
    return x - _go_div(x, y) * y


def max_(a: Any, *rest: Any) -> int:
    return max([to_int64(a), *(to_int64(v) for v in rest)])


def min_(a: Any, *rest: Any) -> int:
    return min([to_int64(a), *(to_int64(v) for v in rest)])


def addf(*values: Any) -> float:
    return math.fsum(to_float64(v) for v in values)


def add1f(value: Any) -> float:
    return to_float64(value) + 1


def subf(a: Any, *rest: Any) -> float:
    out = to_float64(a)
    for v in rest:
        out -= to_float64(v)
    return out


def mulf(a: Any, *rest: Any) -> float:
    out = to_float64(a)
    for v in rest:
        out *= to_float64(v)
    return out


def divf(a: Any, *rest: Any) -> float:
    out = to_float64(a)
    for v in rest:
        divisor = to_float64(v)
        out = out / divisor if divisor else (math.copysign(math.inf, out) if out else math.nan)
    return out


def maxf(a: Any, *rest: Any) -> float:
    return max([to_float64(a), *(to_float64(v) for v in rest)])


def minf(a: Any, *rest: Any) -> float:
    return min([to_float64(a), *(to_float64(v) for v in rest)])


def floor(value: Any) -> float:
    return float(math.floor(to_float64(value)))


def ceil(value: Any) -> float:
    return float(math.ceil(to_float64(value)))


def round_(value: Any, places: Any, *round_on: Any) -> float:
    threshold = to_float64(round_on[0]) if round_on else 0.5
    power = 10.0 ** want_int(places)
    digit = power * to_float64(value)
    fraction = math.modf(digit)[0]
    return (math.ceil(digit) if fraction >= threshold else math.floor(digit)) / power


def _check_size(count: int) -> None:
    if count > MAX_SEQUENCE:
        raise FuncError(f"sequence of {count} items exceeds the cap of {MAX_SEQUENCE}")


def until_step(start: Any, stop: Any, step: Any) -> list[int]:
    start, stop, step = want_int(start), want_int(stop), want_int(step)
    if stop < start and step >= 0 or stop >= start and step <= 0:
        return []
    _check_size(abs((stop - start) // step))
    return list(range(start, stop, step))


def until(count: Any) -> list[int]:
    count = want_int(count)
    return until_step(0, count, -1 if count < 0 else 1)


def seq(*params: Any) -> str:
    nums = [want_int(p) for p in params]
    if not nums or len(nums) > 3:
        return ""
    if len(nums) == 1:
        start, end, step = 1, nums[0], 1
        if end < start:
            step = -1
        items = until_step(start, end + step, step)
    elif len(nums) == 2:
        start, end = nums
        step = -1 if end < start else 1
        items = until_step(start, end + step, step)
    else:
        start, step, end = nums
        increment = 1
        if end < start:
            increment = -1
            if step > 0:
                return ""
        items = until_step(start, end + increment, step)
    return " ".join(str(i) for i in items)


def to_decimal(value: Any) -> int:
    try:
        return int(str(value), 8)
    except ValueError:
        return 0


MATH_FUNCS: dict[str, FuncSpec] = {
    "int": spec(to_int64), "int64": spec(to_int64), "float64": spec(to_float64), "atoi": spec(atoi),
    "add": spec(add), "add1": spec(add1), "sub": spec(sub), "mul": spec(mul), "div": spec(div), "mod": spec(mod),
    "max": spec(max_), "biggest": spec(max_), "min": spec(min_), "addf": spec(addf), "add1f": spec(add1f),
    "subf": spec(subf), "mulf": spec(mulf), "divf": spec(divf), "maxf": spec(maxf), "minf": spec(minf),
    "floor": spec(floor), "ceil": spec(ceil), "round": spec(round_), "until": spec(until),
    "untilStep": spec(until_step), "seq": spec(seq), "toDecimal": spec(to_decimal),
}
