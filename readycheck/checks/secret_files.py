"""Repository-level secret files: one rule per kind of file the shared detector recognises."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from readycheck.model import Hit, Subject
from readycheck.secrets import SecretMatch, redact

if TYPE_CHECKING:
    from readycheck.targets import SecretFile


def secret_in_text(subject: Subject[SecretFile], options: dict[str, Any]) -> Iterator[Hit]:
    """Each secret the shared detector finds in a text file of no other kind (a secrets-only scan)."""
    for index, match in enumerate(subject.data.get("secrets") or []):
        yield Hit(f"{match.description} ({redact(match.value)}) in {subject.data['name']}: a committed credential",
                  at=("secrets", index), severity=None if match.confidence != "low" else "warning")


def secret_file(subject: Subject[SecretFile], options: dict[str, Any]) -> Iterator[Hit]:
    """The file holds what the shared detector calls `params.detector` (one rule per kind of file)."""
    match: SecretMatch | None = subject.data.get("match")
    if match is None or match.rule != options["detector"]:
        return
    shown = f" ({redact(match.value)})" if match.value and not match.value.startswith("-----") else ""
    yield Hit(f"{match.description}{shown} in {subject.data['name']}: a committed credential", at=("match",),
              severity=None if match.confidence != "low" else "warning")
