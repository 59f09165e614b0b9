"""Every known credential format: found with its id, and its look-alikes not found."""

from __future__ import annotations

import pytest
import secret_tokens as t

from readycheck.secrets import scan_text, scan_value

POSITIVES = [
    ("aws-access-key-id", t.aws_key_id("AKIA")),
    ("aws-access-key-id", t.aws_key_id("ASIA")),
    ("github-token", t.github_classic("ghp")),
    ("github-token", t.github_classic("gho")),
    ("github-token", t.github_classic("ghu")),
    ("github-token", t.github_classic("ghs")),
    ("github-token", t.github_classic("ghr")),
    ("github-fine-grained-token", t.github_fine_grained()),
    ("gitlab-token", t.gitlab_token()),
    ("slack-token", t.slack_token("b")),
    ("slack-token", t.slack_token("p")),
    ("slack-webhook-url", t.slack_webhook()),
    ("stripe-live-key", t.stripe("sk_live_")),
    ("stripe-live-key", t.stripe("rk_live_")),
    ("stripe-test-key", t.stripe("sk_test_")),
    ("google-api-key", t.google_api_key()),
    ("google-oauth-client-secret", t.google_oauth_secret()),
    ("npm-token", t.npm_token()),
    ("pypi-token", t.pypi_token()),
    ("sendgrid-api-key", t.sendgrid_key()),
    ("openai-api-key", t.openai_key()),
    ("openai-api-key", t.openai_legacy_key()),
    ("anthropic-api-key", t.anthropic_key()),
    ("jwt", t.jwt()),
    ("private-key-block", t.pem_private_key("RSA ")),
    ("private-key-block", t.pem_private_key("")),
    ("private-key-block", t.pem_private_key("OPENSSH ")),
]


@pytest.mark.parametrize(("rule", "token"), POSITIVES)
def test_format_found_alone_and_in_text(rule: str, token: str) -> None:
    [m] = scan_value(token)
    assert (m.rule, m.value, m.start, m.end) == (rule, token, 0, len(token))
    line = f"RUN deploy --verbose {token} && echo done"
    [m] = scan_text(line)
    assert m.rule == rule and line[m.start : m.end] == token


@pytest.mark.parametrize(("rule", "token"), POSITIVES)
def test_format_found_under_a_harmless_key(rule: str, token: str) -> None:
    assert [m.rule for m in scan_value(token, key="SETTING", context="env-file")] == [rule]


def test_severities() -> None:
    assert scan_value(t.stripe("sk_live_"))[0].severity == "error"
    assert scan_value(t.stripe("sk_test_"))[0].severity == "warning"
    assert scan_value(t.github_classic())[0].confidence == "high"


def test_github_descriptions_name_the_kind() -> None:
    assert "personal access token" in scan_value(t.github_classic("ghp"))[0].description
    assert "installation" in scan_value(t.github_classic("ghs"))[0].description
    assert "fine-grained" in scan_value(t.github_fine_grained())[0].description


def test_aws_secret_key_needs_its_key_name() -> None:
    secret = t.aws_secret()
    assert [m.rule for m in scan_value(secret, key="AWS_SECRET_ACCESS_KEY")] == ["aws-secret-access-key"]
    assert [m.rule for m in scan_value(secret, key="aws_secret_access_key")] == ["aws-secret-access-key"]
    assert scan_value(secret) == []
    text = f"export AWS_ACCESS_KEY_ID={t.aws_key_id()}\nexport AWS_SECRET_ACCESS_KEY={secret}\n"
    assert [m.rule for m in scan_text(text)] == ["aws-access-key-id", "aws-secret-access-key"]


def test_aws_documented_example_is_a_note() -> None:
    [m] = scan_value(t.AWS_EXAMPLE_KEY_ID, key="AWS_ACCESS_KEY_ID")
    assert (m.rule, m.severity) == ("aws-access-key-id", "note")
    assert "example key from the AWS documentation" in m.description
    [m] = scan_value(t.AWS_EXAMPLE_SECRET, key="AWS_SECRET_ACCESS_KEY")
    assert (m.rule, m.severity) == ("aws-secret-access-key", "note")


def test_twilio_needs_context() -> None:
    sid = t.twilio_sid("SK")
    assert scan_value(sid) == []
    assert [m.rule for m in scan_value(sid, key="TWILIO_API_KEY")] == ["twilio-key"]
    assert [m.rule for m in scan_text(f"TWILIO_ACCOUNT_SID={t.twilio_sid('AC')}")] == ["twilio-key"]


def test_azure_connection_string_reports_the_account_key() -> None:
    conn = t.azure_connection_string()
    [m] = scan_value(conn, key="AZURE_STORAGE_CONNECTION_STRING")
    assert m.rule == "azure-storage-account-key"
    assert conn[m.start : m.end] == m.value and m.value.endswith("==") and "AccountKey" not in m.value


def test_encrypted_private_key_is_a_warning() -> None:
    [m] = scan_value(t.pem_private_key("ENCRYPTED "))
    assert m.severity == "warning"


def test_private_key_with_escaped_newlines_in_json() -> None:
    escaped = t.pem_private_key("").replace("\n", "\\n")
    text = '{"type": "service_account", "private_key": "' + escaped + '"}'
    assert [m.rule for m in scan_text(text)] == ["private-key-block"]


@pytest.mark.parametrize(
    "value",
    [
        "ghp_" + "x" * 36,
        "ghp_" + "A" * 36,
        "ghp_" + t.mix(20),  # too short
        "github_pat_" + "<your-token-here>",
        "sk_live_" + "xxxxxxxxxxxxxxxxxxxxxxxx",
        "xoxb-your-token-here",
        "AKIA" + "X" * 16,
        "AKIA" + t.aws_key_id()[4:] + "Q",  # 21 characters
        "AIza" + "-" * 35,
        "npm_" + "0" * 36,
        "-----BEGIN RSA PRIVATE KEY-----\n...\n-----END RSA PRIVATE KEY-----",
        "-----BEGIN PUBLIC KEY-----\n" + t.mix(64, t.B64) + "\n-----END PUBLIC KEY-----",
        "-----BEGIN CERTIFICATE-----\n" + t.mix(64, t.B64) + "\n-----END CERTIFICATE-----",
        "eyJhbGciOiJub25lIn0x." + t.mix(20) + "." + t.mix(20),  # header is not JSON
        "eyJ" + t.mix(30) + "." + t.mix(30) + "." + t.mix(30),
        "mynpm_" + t.mix(36),  # prefix inside a word
        "sk-" + t.mix(20),
    ],
)
def test_look_alikes_are_not_formats(value: str) -> None:
    assert scan_value(value) == []


@pytest.mark.parametrize(
    ("url", "password"),
    [
        ("postgres://app:Zq8rT2vLx0pN@db.internal:5432/app", "Zq8rT2vLx0pN"),
        ("redis://:Yh7Gd3kLq9Wm@cache:6379/0", "Yh7Gd3kLq9Wm"),
        ("https://deploy:s3cr3t-Pa55@registry.acme.example/v2/", "s3cr3t-Pa55"),
        ("amqp://guest:Tr0ub4dor3@rabbit/", "Tr0ub4dor3"),
    ],
)
def test_url_credentials(url: str, password: str) -> None:
    [m] = scan_value(url, key="DATABASE_URL")
    assert (m.rule, m.value) == ("url-credentials", password)
    assert url[m.start : m.end] == password


@pytest.mark.parametrize(
    "url",
    [
        "postgres://wiki:${DB_PASSWORD}@db:5432/wiki",
        "postgres://wiki:${DB_PASSWORD:?}@db:5432/wiki",
        "postgres://wiki:$(DB_PASSWORD)@db:5432/wiki",
        "postgres://wiki:$DB_PASSWORD@db:5432/wiki",
        "mysql://root:<password>@localhost/app",
        "mysql://root:password@localhost/app",
        "mysql://root:changeme@localhost/app",
        "https://user:****@host/",
        "https://x-access-token:${{ secrets.GITHUB_TOKEN }}@github.com/acme/repo",
        "https://oauth2:{{ .Values.token }}@gitlab.example/acme/repo",
        "https://example.com/path?q=a:b@c",
        "https://api.example.com/v1/users",
        "git@github.com:acme/repo.git",
    ],
)
def test_url_without_real_password(url: str) -> None:
    assert scan_value(url, key="DATABASE_URL") == []


def test_url_password_equal_to_user_is_a_low_confidence_warning() -> None:
    [m] = scan_value("ecto://chat:chat@db/chat_dev")
    assert (m.severity, m.confidence) == ("warning", "low")


def test_deeply_nested_jwt_header_is_rejected_not_raised() -> None:
    import base64

    header = base64.urlsafe_b64encode(b'{"a":' + b"[" * 100000 + b"]" * 100000 + b"}").rstrip(b"=").decode()
    assert scan_value(header + "." + t.mix(20) + "." + t.mix(20)) == []
