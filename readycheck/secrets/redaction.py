"""Rendering secrets for output so that no report, log or error text carries a whole one."""

from __future__ import annotations

from collections.abc import Iterable

ELLIPSIS = "\u2026"


def redact(secret: str) -> str:
    """At most the first 4 characters and '…'; short secrets show less (a third at most)."""
    return secret[: min(4, len(secret) // 3)] + ELLIPSIS


def contains_secret(text: str, secrets: Iterable[str]) -> bool:
    """True when ``text`` contains any of ``secrets`` whole (for tests of every output format)."""
    return any(s and s in text for s in secrets)
