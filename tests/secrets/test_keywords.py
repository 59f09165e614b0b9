"""Secret-named keys: which names hold a secret, and which literal values under them count."""

from __future__ import annotations

import pytest
import secret_tokens as t

from readycheck.secrets import is_secret_name, scan_value


@pytest.mark.parametrize(
    "key",
    [
        "PASSWORD",
        "DB_PASSWORD",
        "dbPassword",
        "db-password",
        "db.password",
        "DbPassword",
        "dbpassword",
        "MYSQL_ROOT_PASSWORD",
        "SMTP_PASSWD",
        "DB_PWD",
        "dbPwd",
        "REDIS_PASS",
        "SSH_PASSPHRASE",
        "SECRET",
        "CLIENT_SECRET",
        "clientSecret",
        "OAUTH_CLIENT_SECRET",
        "JWT_SECRET",
        "SECRET_KEY",
        "SECRET_KEY_BASE",
        "DJANGO_SECRET_KEY",
        "TOKEN",
        "GITHUB_TOKEN",
        "accessToken",
        "refresh-token",
        "API_KEY",
        "APIKEY",
        "apiKey",
        "x-api-key",
        "ACCESS_KEY",
        "PRIVATE_KEY",
        "privateKey",
        "CREDENTIALS",
        "DB_CREDS",
        "AUTH",
        "BASIC_AUTH",
        "_auth",
        "Authorization",
        "SIGNING_KEY",
        "SESSION_SIGNING_KEY",
        "ENCRYPTION_KEY",
        "PSP_WEBHOOK_HMAC_KEY",
        "MASTER_KEY",
        "LICENSE_KEY",
        "AWS_SECRET_ACCESS_KEY",
        "DB_PASSWORD_2",
    ],
)
def test_secret_names(key: str) -> None:
    assert is_secret_name(key)


@pytest.mark.parametrize(
    "key",
    [
        "TOKEN_TTL",
        "PASSWORD_MIN_LENGTH",
        "MIN_PASSWORD_LENGTH",
        "SECRET_NAME",
        "secretName",
        "TOKEN_URL",
        "AUTH_ENABLED",
        "AUTH_PROVIDER",
        "CLIENT_ID",
        "OAUTH_CLIENT_ID",
        "AWS_ACCESS_KEY_ID",
        "PASSWORD_FILE",
        "POSTGRES_PASSWORD_FILE",
        "SECRET_PATH",
        "TOKEN_EXPIRY",
        "TOKEN_TIMEOUT",
        "AUTH_HEADER",
        "TOKEN_TYPE",
        "JWT_ALGORITHM",
        "API_KEY_HEADER",
        "API_VERSION",
        "SECRET_REF",
        "secretKeyRef",
        "existingSecret",
        "hashed_secret",  # detect-secrets baselines: the hash of a secret, not the secret
        "MAX_TOKENS",
        "USE_AUTH",
        "ENABLE_TOKEN_AUTH",
        "CACHE_KEY",
        "PARTITION_KEY",
        "S3_KEY",
        "KEY",
        "PWD",
        "PASS",
        "PASSWORD_HASH",
        "password-stdin",
        "SECRETS_DIR",
        "OAUTH",
        "AUTHOR",
        "KEYBOARD_LAYOUT",
        "DJANGO_SETTINGS_MODULE",
        "PORT",
        "SECRET_KEY_REF",
        "TOKEN_ENDPOINT",
        "KEY_VAULT_NAME",
    ],
)
def test_not_secret_names(key: str) -> None:
    assert not is_secret_name(key)


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("DB_PASSWORD", "hunter2"),
        ("db.password", "correct horse battery staple"),
        ("ADMIN_PASSWORD", "12345678"),
        ("JWT_SECRET", "s3cr3t-signing-value-2024"),
        ("SESSION_SIGNING_KEY", t.hex_key()),
        ("PSP_WEBHOOK_HMAC_KEY", t.hex_key(seed=5)),
        ("DJANGO_SECRET_KEY", "django-insecure-" + t.mix(40, t.ALNUM + "!@#$%^&*(-_=+)", 3)),
        ("API_TOKEN", t.mix(32)),
        ("clientSecret", t.mix(24, t.URLSAFE)),
        ("TOKEN", "550e8400-e29b-41d4-a716-446655440000"),
        ("DB_PASSWORD", "'quoted-Pa55'"),
    ],
)
def test_literal_secrets_under_secret_names(key: str, value: str) -> None:
    [m] = scan_value(value, key=key)
    assert m.rule == "secret-named-key" and m.severity == "error" and m.key == key
    assert value[m.start : m.end] == m.value and m.value.strip("'") == m.value


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("TOKEN_TTL", "3600"),
        ("PASSWORD_MIN_LENGTH", "12"),
        ("SECRET_NAME", "my-secret"),
        ("TOKEN_URL", "https://auth.acme.example/oauth/token"),
        ("AUTH_ENABLED", "true"),
        ("CLIENT_ID", "104857600231-notes.apps.googleusercontent.com"),
        ("POSTGRES_PASSWORD_FILE", "/run/secrets/db_password"),
        ("DB_PASSWORD", "${DB_PASSWORD}"),
        ("DB_PASSWORD", ""),
        ("DB_PASSWORD", "abc"),
        ("DB_PASSWORD", "changeme"),
        ("DB_PASSWORD", "DB_PASSWORD_FROM_ENV"),
        ("SECRET_KEY_BASE", "${SECRET_KEY_BASE:?run mix phx.gen.secret}"),
        ("FLY_API_TOKEN", "${{ secrets.FLY_API_TOKEN }}"),
        ("GITHUB_TOKEN", "${{ github.token }}"),
        ("API_KEY", "{{ .Values.apiKey }}"),
        ("API_KEY", "short1"),
        ("API_KEY", "some-api-key-name"),
        ("TOKEN", "12345"),
        ("SESSION_TIMEOUT_SECRET", "30s"),
        ("SIGNING_KEY", "v1.2.3"),
        ("secretKey", "webhook-url"),
        ("tls.secret", "ingress-tls-secret-v2"),
        ("SESSION_SIGNING_KEY", "replace-with-the-output-of-openssl-rand-hex-32"),
        ("CLIENT_SECRET", "vault:secret/data/api#client_secret"),
        ("API_TOKEN", "arn:aws:secretsmanager:eu-west-1:123456789012:secret:api-token-AbCdEf"),
        ("PASSWORD", "sm://projects/acme/secrets/db"),
        ("API_KEY", '{"from": "env"}'),
    ],
)
def test_traps_under_secret_names(key: str, value: str) -> None:
    assert scan_value(value, key=key) == []


def test_high_entropy_literal_is_high_confidence() -> None:
    assert scan_value(t.hex_key(), key="SIGNING_KEY")[0].confidence == "high"
    assert scan_value("hunter2", key="DB_PASSWORD")[0].confidence == "medium"


def test_value_without_secret_name_is_not_judged_by_entropy() -> None:
    assert scan_value(t.hex_key(), key="IMAGE_DIGEST") == []
    assert scan_value(t.mix(40)) == []


def test_kubernetes_secret_data_is_always_a_secret() -> None:
    import base64

    encoded = base64.b64encode(b"plain-db-login").decode()
    [m] = scan_value(encoded, key="username", context="kubernetes-secret")
    assert m.rule == "kubernetes-secret-data" and m.value == encoded
    placeholder = base64.b64encode(b"changeme").decode()
    assert scan_value(placeholder, key="password", context="kubernetes-secret") == []
    token = t.github_classic()
    [m] = scan_value(base64.b64encode(token.encode()).decode(), key="token", context="kubernetes-secret")
    assert m.rule == "github-token"


@pytest.mark.parametrize("value", ["postgres", "root", "admin", "test"])
def test_well_known_default_passwords_are_low_confidence_warnings(value: str) -> None:
    [m] = scan_value(value, key="POSTGRES_PASSWORD")
    assert (m.rule, m.severity, m.confidence) == ("secret-named-key", "warning", "low")
    assert "default password" in m.description


def test_kubernetes_secret_data_with_a_multiline_key_is_decoded() -> None:
    import base64

    encoded = base64.b64encode(t.pem_private_key("").encode()).decode()
    [m] = scan_value(encoded, key="tls.key", context="kubernetes-secret")
    assert m.rule == "private-key-block" and m.value == encoded
