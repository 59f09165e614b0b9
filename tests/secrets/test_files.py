"""Repository-level secret files."""

from __future__ import annotations

from pathlib import Path

import pytest
import secret_tokens as t

from readycheck.secrets import classify_secret_file


@pytest.mark.parametrize(
    ("path", "text", "rule"),
    [
        ("deploy/id_rsa", t.pem_private_key("RSA "), "private-key-file"),
        ("home/.ssh/id_ed25519", t.pem_private_key("OPENSSH "), "private-key-file"),
        ("certs/server.key", t.pem_private_key(""), "private-key-file"),
        (
            "certs/bundle.pem",
            "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n" + t.pem_private_key("EC "),
            "private-key-file",
        ),
        ("certs/client.p12", t.pem_private_key(""), "private-key-file"),
        (
            ".npmrc",
            "registry=https://registry.npmjs.org/\n//registry.npmjs.org/:_authToken=" + t.npm_token() + "\n",
            "npmrc-auth-token",
        ),
        (".pypirc", "[pypi]\nusername = __token__\npassword = " + t.pypi_token() + "\n", "pypirc-password"),
        (
            "keys/sa.json",
            '{"type": "service_account", "private_key_id": "abc", "private_key": "'
            + t.pem_private_key("").replace("\n", "\\n")
            + '"}',
            "cloud-credentials-json",
        ),
        (
            ".aws/credentials",
            "[default]\naws_access_key_id = "
            + t.aws_key_id()
            + "\naws_secret_access_key = "
            + t.aws_secret()
            + "\n",
            "aws-credentials-file",
        ),
        (".git-credentials", "https://ci:" + t.github_classic() + "@github.com\n", "git-credentials"),
        (".netrc", "machine api.acme.example login ci password Zq8rT2vLx0pN\n", "netrc-password"),
    ],
)
def test_secret_files(path: str, text: str, rule: str) -> None:
    m = classify_secret_file(Path(path), text)
    assert m is not None and m.rule == rule and m.severity == "error"
    assert text[m.start : m.end] == m.value and m.value


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("deploy/id_rsa.pub", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI ci@acme"),
        (
            "certs/ca.pem",
            "-----BEGIN CERTIFICATE-----\n" + t.mix(64, t.B64) + "\n-----END CERTIFICATE-----\n",
        ),
        ("certs/pub.key", "-----BEGIN PUBLIC KEY-----\n" + t.mix(64, t.B64) + "\n-----END PUBLIC KEY-----\n"),
        (".npmrc", "//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n"),
        (".pypirc", "[pypi]\nusername = __token__\npassword = <your token>\n"),
        (".netrc", "machine api.acme.example login ci\n"),
        ("keys/config.json", '{"private_key": ""}'),
        (".aws/credentials", "[default]\ncredential_process = /usr/local/bin/creds\n"),
        (".git-credentials", ""),
        ("README.md", t.pem_private_key("")),
    ],
)
def test_not_secret_files(path: str, text: str) -> None:
    assert classify_secret_file(Path(path), text) is None


def test_unreadable_key_files() -> None:
    m = classify_secret_file(Path("deploy/id_rsa"), None)
    assert m is not None and (m.severity, m.confidence) == ("warning", "low")
    assert classify_secret_file(Path("client.p12"), None) is not None
    assert classify_secret_file(Path("server.pem"), None) is None
    assert classify_secret_file(Path(".npmrc"), None) is None
