"""The placeholder filter: stand-ins for secrets are never reported."""

from __future__ import annotations

import pytest

from readycheck.secrets import is_placeholder


@pytest.mark.parametrize(
    "value",
    [
        "",
        "  ",
        '""',
        "''",
        "changeme",
        "CHANGEME",
        "change-me",
        "change_me",
        "example",
        "xxx",
        "XXXXXXXX",
        "dummy",
        "placeholder",
        "<password>",
        "<your token here>",
        "${DB_PASSWORD}",
        "${DB_PASSWORD:-}",
        "${DB_PASSWORD:?required}",
        "${{ secrets.TOKEN }}",
        "{{ .Values.password }}",
        "{{ password }}",
        "$(DB_PASSWORD)",
        "$DB_PASSWORD",
        "%DB_PASSWORD%",
        "*****",
        "REPLACE_ME",
        "replace-with-a-real-key",
        "replace-with-the-output-of-openssl-rand-hex-32",
        "your-api-key-here",
        "your_token",
        "TODO",
        "todo",
        "secret",
        "password",
        "none",
        "None",
        "null",
        "true",
        "false",
        "secretKeyRef",
        "vault:secret/data/db#password",
        "sm://projects/p/secrets/db",
        "ref+vault://secret/db#/password",
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf",
        "/run/secrets/db_password",
        "./secrets/key.pem",
        "~/.ssh/id_rsa",
        "file:///etc/creds",
        "op://vault/item/password",
        "ENC[AES256_GCM,data:abc,iv:def,tag:ghi,type:str]",
        "Bearer ${TOKEN}",
        "token-goes-here",
        "aaaaaaaa",
        "notes-local.apps.example.test",
        "........",
    ],
)
def test_placeholders(value: str) -> None:
    assert is_placeholder(value)


@pytest.mark.parametrize(
    "value",
    [
        "hunter2",
        "Zq8rT2vLx0pN",
        "s3cr3t-Pa55",
        "4a6d6af032788c6d952d68001160a6a2",
        "postgres",
        "admin123",
        "k$$xxji#gog3e@-5",
        "correct horse battery staple",
        "p@ssw0rd!",
    ],
)
def test_real_values_are_not_placeholders(value: str) -> None:
    assert not is_placeholder(value)
