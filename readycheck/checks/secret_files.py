"""Repository-level secret files: one rule per kind of file the shared detector recognises."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from readycheck.model import Hit, Subject
from readycheck.secrets import SecretMatch, redact


def _found(subject: Subject, rule: str) -> Iterator[Hit]:
    match: SecretMatch | None = subject.data.get("match")
    if match is None or match.rule != rule:
        return
    shown = f" ({redact(match.value)})" if match.value and not match.value.startswith("-----") else ""
    yield Hit(f"{match.description}{shown} in {subject.data['name']}: a committed credential", at=("match",),
              severity=None if match.confidence != "low" else "warning")


def private_key_file(subject: Subject, options: dict[str, Any]) -> Iterator[Hit]:
    yield from _found(subject, "private-key-file")


def npmrc_auth_token(subject: Subject, options: dict[str, Any]) -> Iterator[Hit]:
    yield from _found(subject, "npmrc-auth-token")


def pypirc_password(subject: Subject, options: dict[str, Any]) -> Iterator[Hit]:
    yield from _found(subject, "pypirc-password")


def cloud_credentials_json(subject: Subject, options: dict[str, Any]) -> Iterator[Hit]:
    yield from _found(subject, "cloud-credentials-json")


def aws_credentials_file(subject: Subject, options: dict[str, Any]) -> Iterator[Hit]:
    yield from _found(subject, "aws-credentials-file")


def netrc_password(subject: Subject, options: dict[str, Any]) -> Iterator[Hit]:
    yield from _found(subject, "netrc-password")


def git_credentials(subject: Subject, options: dict[str, Any]) -> Iterator[Hit]:
    yield from _found(subject, "git-credentials")
