"""Durations as compose and Go write them (`1m30s`, `10s`, `500ms`): a stop grace period is judged by the compose
rules and by the shutdown arithmetic of the service rules alike."""

from __future__ import annotations

import re
from typing import Any

_DURATION_PART = re.compile(r"([0-9]+(?:\.[0-9]+)?)(ms|us|µs|ns|h|m|s)")
_DURATION_UNITS = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001, "us": 1e-6, "µs": 1e-6, "ns": 1e-9}


def duration_seconds(value: Any) -> float | None:
    """A compose duration (`1m30s`, `10s`, `500ms`; a bare number is seconds) in seconds; None when it is not one."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    parts = _DURATION_PART.findall(text)
    if not parts or "".join(n + u for n, u in parts) != text:
        return None
    return sum(float(n) * _DURATION_UNITS[u] for n, u in parts)
