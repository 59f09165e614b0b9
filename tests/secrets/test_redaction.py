"""Redaction: output shows at most 4 leading characters, and masking leaves no secret whole."""

from __future__ import annotations

import pytest
import secret_tokens as t

from readycheck.secrets import contains_secret, mask_secrets, redact, scan_text, scan_value


@pytest.mark.parametrize(
    "secret",
    [t.github_classic(), t.aws_key_id(), t.hex_key(), "hunter2", "abcd", "ab", "a", "", "p@ss w0rd"],
)
def test_redact_shows_at_most_four_characters(secret: str) -> None:
    shown = redact(secret)
    assert shown.endswith("\u2026")
    visible = shown[:-1]
    assert len(visible) <= 4 and secret.startswith(visible)
    assert len(visible) < len(secret) or secret == ""
    assert not secret or secret not in shown


def test_redact_examples() -> None:
    assert redact(t.github_classic()) == "ghp_\u2026"
    assert redact("hunter2") == "hu\u2026"


def test_a_match_is_shown_by_its_prefix_only() -> None:
    [m] = scan_value(t.npm_token())
    assert redact(m.value) == "npm_\u2026"


def test_mask_secrets_masks_every_secret() -> None:
    token, key_id = t.github_classic(), t.aws_key_id()
    text = (
        f"error: push failed with {token}\n"
        f"AWS_ACCESS_KEY_ID={key_id} DB_PASSWORD=hunter2\n"
        f"postgres://app:Zq8rT2vLx0pN@db/app and again {token}"
    )
    masked = mask_secrets(text)
    assert not contains_secret(masked, [token, key_id, "hunter2", "Zq8rT2vLx0pN"])
    assert "ghp_\u2026" in masked and "AKIA\u2026" in masked and "postgres://app:Zq8r\u2026@db/app" in masked


def test_mask_secrets_known_values() -> None:
    secret = t.mix(20, seed=99)
    masked = mask_secrets(f"value {secret} leaked", known=[secret])
    assert secret not in masked and masked == f"value {redact(secret)} leaked"


def test_mask_secrets_leaves_clean_text_alone() -> None:
    text = "TOKEN_TTL=3600 and https://example.com/a"
    assert mask_secrets(text) == text


def test_contains_secret() -> None:
    assert contains_secret("abc hunter2 def", ["nope", "hunter2"])
    assert not contains_secret("abc hunt\u2026 def", ["hunter2"])
    assert not contains_secret("anything", [""])
    assert not contains_secret("anything", [])


def test_scan_results_can_be_masked_out_of_their_text() -> None:
    text = f"RUN curl -u ci:Zq8rT2vLx0pN https://x && echo {t.slack_webhook()}"
    found = scan_text(text)
    assert len(found) == 2
    assert not contains_secret(mask_secrets(text), [m.value for m in found])
