"""Scanning stays linear: adversarial inputs that once made regexes backtrack, and a 10,000-line text.

Limits are generous (CI machines are slow and shared); they catch quadratic behaviour, which
on these inputs costs minutes, not a few milliseconds of noise.
"""

from __future__ import annotations

import time

import pytest

from readycheck.secrets import mask_secrets, scan_text, scan_value

ADVERSARIAL = [
    "password=" * 5000,
    "mysql " * 5000,
    "curl " * 5000 + " -u a:b",
    "-----BEGIN RSA PRIVATE KEY-----" * 1000,
    "a://" + ":" * 20000 + "@",
    "pass" * 20000,
    "eyJ" + "a" * 20000 + "." + "b" * 20000,
]


@pytest.mark.parametrize("text", ADVERSARIAL, ids=lambda s: repr(s[:12]))
def test_adversarial_input_is_fast(text: str) -> None:
    start = time.perf_counter()
    scan_text(text)
    scan_value(text, key="DB_PASSWORD")
    mask_secrets(text)
    assert time.perf_counter() - start < 5


def test_ten_thousand_lines() -> None:
    lines = [
        "RUN apt-get update && apt-get install -y curl",
        "      DATABASE_URL: postgres://app:${DB_PASSWORD}@db:5432/app",
        "PASSWORD_MIN_LENGTH=12 TOKEN_TTL=3600",
        "DB_PASSWORD=hunter2",
        "        image: ghcr.io/acme/api:1.4.2",
    ] * 2000
    start = time.perf_counter()
    found = [scan_text(line) for line in lines]
    assert time.perf_counter() - start < 3
    assert sum(1 for f in found if f) == 2000
