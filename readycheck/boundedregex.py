"""JSON Schema `pattern` evaluated at a bounded cost.

Python's `re` has no timeout, and a schema's pattern is input we do not
control: `(a+)+$` against a long value backtracks for ages. Values are capped
in length, and patterns whose shape can backtrack exponentially (a quantified
group that itself holds a quantifier, or a backreference) only run on short
values. A value beyond the cap is not judged by the pattern at all.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache, lru_cache
from typing import Any

MAX_VALUE_LENGTH = 4096
MAX_RISKY_VALUE_LENGTH = 16
_NESTED_QUANTIFIER = re.compile(r"\((?:[^()\\]|\\.)*[+*}](?:[^()\\]|\\.)*\)\s*[+*{]")
_BACKREFERENCE = re.compile(r"\\[1-9]")


@lru_cache(maxsize=512)
def compiled(pattern: str) -> re.Pattern[str] | None:
    try:
        return re.compile(pattern)
    except (re.error, RecursionError, OverflowError):
        return None


def is_risky(pattern: str) -> bool:
    """A pattern that may backtrack exponentially."""
    return bool(_NESTED_QUANTIFIER.search(pattern) or _BACKREFERENCE.search(pattern))


def judged(pattern: str, value: str) -> bool:
    """Whether the pattern is evaluated against this value at all."""
    limit = MAX_RISKY_VALUE_LENGTH if is_risky(pattern) else MAX_VALUE_LENGTH
    return len(value) <= limit and compiled(pattern) is not None


def search(pattern: str, value: str) -> bool | None:
    """True/False when the pattern was evaluated, None when it was not (value too long, bad pattern)."""
    if not judged(pattern, value):
        return None
    regex = compiled(pattern)
    assert regex is not None
    return regex.search(value) is not None


def _bounded_pattern(validator: Any, pattern: Any, instance: Any, schema: Any) -> Iterator[Any]:
    from jsonschema.exceptions import ValidationError

    if not isinstance(instance, str) or not isinstance(pattern, str):
        return
    if search(pattern, instance) is False:
        yield ValidationError(f"does not match {pattern!r}")


@cache
def bounded_validator_class(cls: Any) -> Any:
    """`cls` with its `pattern` keyword replaced by the bounded one (made once per class: making one costs ~2 ms)."""
    from jsonschema.validators import extend

    extended = extend(cls, {"pattern": _bounded_pattern})
    extended.FORMAT_CHECKER = cls.FORMAT_CHECKER
    return extended
