"""Regular expressions compiled on first use, not at import.

A one-file run (the pre-commit case) imports modules whose patterns serve other kinds or other output formats;
compiling them at import cost about 7 ms of its ~80 (the Unicode character classes of neutralise.py most).
"""

from __future__ import annotations

import re
from typing import Any, AnyStr, cast


class _LazyPattern:
    __slots__ = ("_args", "_compiled")

    def __init__(self, pattern: str | bytes, flags: int) -> None:
        self._args = (pattern, flags)
        self._compiled: re.Pattern[Any] | None = None

    def __getattr__(self, name: str) -> Any:
        compiled = self._compiled
        if compiled is None:
            compiled = self._compiled = re.compile(*self._args)
        return getattr(compiled, name)


def lazy(pattern: AnyStr, flags: int = 0) -> re.Pattern[AnyStr]:
    """A stand-in for re.compile(pattern, flags) that compiles when first used (its methods and attributes)."""
    return cast("re.Pattern[AnyStr]", _LazyPattern(pattern, flags))
