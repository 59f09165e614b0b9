"""Masking every secret the scanner finds in a text or in parsed data, before it reaches any output."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .redaction import redact
from .scanner import scan_text, scan_value


def mask_secrets(text: str, *, known: Iterable[str] = ()) -> str:
    """``text`` with every detected secret (and every ``known`` one, e.g. found by key) redacted."""
    matches = scan_text(text)
    secrets = {m.value for m in matches} | {s for s in known if s}
    out: list[str] = []
    pos = 0
    for m in matches:
        out.append(text[pos : m.start])
        out.append(redact(m.value))
        pos = m.end
    out.append(text[pos:])
    masked = "".join(out)
    # Other occurrences (a value repeated, or one found only by its key elsewhere) go too;
    # each replacement shortens the text, so this ends.
    changed = True
    while changed:
        changed = False
        for secret in sorted(secrets, key=len, reverse=True):
            if len(secret) > 1 and secret in masked:
                masked = masked.replace(secret, redact(secret))
                changed = True
    return masked


def secrets_in_data(data: Any, context: str | None = None, key: str | None = None) -> set[str]:
    """Every secret value in parsed YAML/JSON data, judged with its key (for masking text that quotes the data,
    such as a Helm render error that prints a value verbatim)."""
    found: set[str] = set()
    stack: list[tuple[str | None, Any]] = [(key, data)]
    while stack:
        name, item = stack.pop()
        if isinstance(item, dict):
            stack.extend((str(k), v) for k, v in item.items())
        elif isinstance(item, list):
            stack.extend((name, v) for v in item)
        elif isinstance(item, str):
            found.update(m.value for m in scan_value(item, key=name, context=context))
    return found
