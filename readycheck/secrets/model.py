"""The result type shared by every detector, kept apart so modules do not import each other in a cycle."""

from __future__ import annotations

from dataclasses import dataclass

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (a few ms)
if TYPE_CHECKING:  # typing's Literal costs import time; the aliases are only for checkers
    from typing import Literal, TypeAlias

    Severity: TypeAlias = Literal["error", "warning", "note"]
    Confidence: TypeAlias = Literal["high", "medium", "low"]


@dataclass(frozen=True)
class SecretMatch:
    """One secret found in a scanned string.

    ``value`` is the secret itself: callers must never print it; use ``redact(match.value)``.
    ``start``/``end`` are offsets of ``value`` inside the text that was scanned.
    """

    rule: str
    description: str
    value: str
    start: int
    end: int
    severity: Severity
    confidence: Confidence
    key: str | None = None  # the key name that made it a secret, when one did
