"""Properties: scanning never raises, and masking never leaves a detected secret whole."""

from __future__ import annotations

import secret_tokens as t
from hypothesis import given, settings
from hypothesis import strategies as st

from readycheck.secrets import (
    contains_secret,
    is_placeholder,
    is_secret_name,
    mask_secrets,
    redact,
    scan_text,
    scan_value,
)

FRAGMENTS = [
    t.github_classic(),
    t.aws_key_id(),
    t.slack_webhook(),
    t.jwt(),
    t.pem_private_key(""),
    t.stripe(),
    t.npm_token(),
    "DB_PASSWORD=",
    "password: ",
    "--token ",
    "curl -u a:",
    "postgres://u:",
    "@db/x",
    "${X}",
    '"',
    "'",
    "=",
    ":",
    " ",
    "\n",
    "hunter2",
    "$$",
    "AccountKey=",
    "\\n",
    "-----BEGIN RSA PRIVATE KEY-----",
    "eyJ",
    "sk-",
    "İ",
]
texts = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=12)), max_size=12).map("".join)
keys = st.one_of(
    st.none(),
    st.sampled_from(["DB_PASSWORD", "API_KEY", "TOKEN_TTL", "AWS_SECRET_ACCESS_KEY"]),
    st.text(max_size=20),
)
contexts = st.sampled_from(
    [
        None,
        "dockerfile",
        "workflow",
        "kubernetes",
        "kubernetes-secret",
        "helm-values",
        "compose",
        "env-file",
        "shell",
    ]
)


@settings(max_examples=300, deadline=None)
@given(texts, keys, contexts)
def test_scan_value_never_raises_and_offsets_hold(value: str, key: str | None, context: str | None) -> None:
    for m in scan_value(value, key=key, context=context):
        assert value[m.start : m.end] == m.value and m.value
        assert m.severity in {"error", "warning", "note"} and m.confidence in {"high", "medium", "low"}


@settings(max_examples=300, deadline=None)
@given(texts)
def test_scan_text_never_raises_and_masking_hides_all(text: str) -> None:
    found = scan_text(text)
    for m in found:
        assert text[m.start : m.end] == m.value
    masked = mask_secrets(text)
    assert not contains_secret(masked, [m.value for m in found if len(m.value) > 1])


@given(st.text())
def test_helpers_never_raise(s: str) -> None:
    is_placeholder(s)
    is_secret_name(s)
    shown = redact(s)
    assert len(shown) <= 5 and (not s or s not in shown or len(s) == 1 and s == "\u2026")
