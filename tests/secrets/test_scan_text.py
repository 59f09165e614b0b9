"""Free text: RUN lines, run: scripts, messages. Pairs next to their name and command-line credentials."""

from __future__ import annotations

import pytest
import secret_tokens as t

from readycheck.secrets import scan_text


def _found(text: str) -> list[tuple[str, str]]:
    return [(m.rule, m.value) for m in scan_text(text)]


@pytest.mark.parametrize(
    ("text", "rule", "value"),
    [
        ("RUN export DB_PASSWORD=hunter2 && ./migrate", "secret-named-key", "hunter2"),
        ('ENV API_TOKEN="Zq8rT2vLx0pNc4Ke"', "secret-named-key", "Zq8rT2vLx0pNc4Ke"),
        ("      password: s3cr3t-Pa55", "secret-named-key", "s3cr3t-Pa55"),
        ('{"client_secret": "Yh7Gd3kLq9Wm2Pz"}', "secret-named-key", "Yh7Gd3kLq9Wm2Pz"),
        ("RUN ./deploy --password Tr0ub4dor3 --verbose", "secret-named-key", "Tr0ub4dor3"),
        ("RUN ./deploy --api-key=Zq8rT2vLx0pNc4Ke", "secret-named-key", "Zq8rT2vLx0pNc4Ke"),
        (
            "RUN curl -fsS -u deploy:Zq8rT2vLx0pN https://artifacts.acme.example/",
            "command-line-credentials",
            "Zq8rT2vLx0pN",
        ),
        ("RUN mysql -uroot -pR00tPassw0rd app < dump.sql", "command-line-credentials", "R00tPassw0rd"),
        (
            "docker login -u ci -p Zq8rT2vLx0pN registry.acme.example",
            "command-line-credentials",
            "Zq8rT2vLx0pN",
        ),
        (
            'curl -H "Authorization: Bearer Zq8rT2vLx0pNc4KeW1" https://api.acme.example',
            "command-line-credentials",
            "Zq8rT2vLx0pNc4KeW1",
        ),
        ("Server=db;Database=app;User Id=sa;Password=Zq8rT2vLx0pN;", "secret-named-key", "Zq8rT2vLx0pN"),
    ],
)
def test_pairs_in_text(text: str, rule: str, value: str) -> None:
    assert _found(text) == [(rule, value)]


@pytest.mark.parametrize(
    "text",
    [
        "RUN echo $DB_PASSWORD | docker login --password-stdin -u ci registry",
        "export API_KEY=${API_KEY:?set it}",
        "          password: ${{ secrets.REGISTRY_PASSWORD }}",
        "      DATABASE_URL: postgres://app:${DB_PASSWORD}@db:5432/app",
        "PASSWORD_MIN_LENGTH=12 TOKEN_TTL=3600 SECRET_NAME=my-secret AUTH_ENABLED=true",
        "TOKEN_URL=https://auth.acme.example/oauth/token",
        "docker run -u 1000:1000 app",
        "RUN useradd -u 10001 app && chown app:app /app",
        "HEALTHCHECK CMD curl -fsS http://localhost:8080/healthz || exit 1",
        "              key: password",
        "          secretKeyRef: {name: db, key: password}",
        "# the client secret comes from vault:secret/data/api#client_secret",
        "mysql -h db -p",
        "kubectl create secret generic db --from-literal=password=$(cat /run/secrets/db)",
    ],
)
def test_no_secret_in_text(text: str) -> None:
    assert scan_text(text) == []


def test_offsets_point_at_the_secret() -> None:
    token = t.github_classic()
    text = f"line one\n  GH_TOKEN: {token}  # CI token\nDB_PASSWORD=hunter2\n"
    found = scan_text(text)
    assert [text[m.start : m.end] for m in found] == [token, "hunter2"]
    assert [m.rule for m in found] == ["github-token", "secret-named-key"]


def test_a_format_wins_over_its_key_name() -> None:
    [m] = scan_text(f"GITHUB_TOKEN={t.github_classic()}")
    assert m.rule == "github-token"


def test_empty_and_odd_input() -> None:
    assert scan_text("") == []
    assert scan_text("=\n:\n--\n\x00password=\n") == []
    assert scan_text("İİİ PASSWORD=hunter2İ")[0].value == "hunter2İ"
