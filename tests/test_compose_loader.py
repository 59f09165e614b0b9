"""Compose loading: override merge, broken overrides, interpolation, production files."""

from __future__ import annotations

import textwrap
from pathlib import Path

from readycheck.catalog import Catalog
from readycheck.checks.compose import duration_seconds, resolve
from readycheck.config import Config
from readycheck.orchestrate import scan

BASE = textwrap.dedent(
    """\
    services:
      web:
        image: ghcr.io/acme/web:1.4.0
        user: "${UID:-1000}:${GID:-1000}"
        environment:
          SECRET_KEY: ${SECRET_KEY:?set it}
        healthcheck:
          test: ["CMD", "/web", "health"]
    """
)


def run(tmp_path: Path, catalog: Catalog, files: dict[str, str], **config: object) -> tuple[list, list]:
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    result = scan([str(tmp_path)], catalog, Config(**config), base=tmp_path)  # type: ignore[arg-type]
    findings = sorted((f.rule, f.path, f.span.line) for f in result.findings)
    return findings, [(e.path, e.line) for e in result.errors]


def test_interpolation_defaults_and_escapes() -> None:
    assert resolve("${UID:-1000}:${GID:-1000}") == "1000:1000"
    assert resolve("${UID}") is None
    assert resolve("${UID:?required}") is None
    assert resolve("cost: $$5") == "cost: $5"
    assert duration_seconds("1m30s") == 90
    assert duration_seconds("500ms") == 0.5
    assert duration_seconds("soon") is None


def test_clean_base_file_has_no_findings_in_checked_rules(tmp_path: Path, catalog: Catalog) -> None:
    findings, errors = run(tmp_path, catalog, {"compose.yaml": BASE}, select=["non-root", "no-baked-secrets"])
    assert (findings, errors) == ([], [])


def test_override_is_merged_and_findings_point_into_it(tmp_path: Path, catalog: Catalog) -> None:
    override = "services:\n  web:\n    user: root\n    cap_add: [NET_ADMIN]\n"
    findings, errors = run(tmp_path, catalog, {"compose.yaml": BASE, "compose.override.yaml": override},
                           select=["DC401", "DC502"])
    assert errors == []
    assert findings == [("DC401", "compose.override.yaml", 3), ("DC502", "compose.override.yaml", 4)]


def test_broken_override_is_an_error_and_the_base_is_still_checked(tmp_path: Path, catalog: Catalog) -> None:
    override = 'services:\n  web:\n    ports:\n      - "8080:8080\n'
    base = BASE.replace("ghcr.io/acme/web:1.4.0", "ghcr.io/acme/web:latest")
    findings, errors = run(tmp_path, catalog, {"compose.yaml": base, "compose.override.yaml": override},
                           select=["DC301"])
    assert findings == [("DC301", "compose.yaml", 3)]
    assert [path for path, line in errors if line] == ["compose.override.yaml"]


def test_resource_limits_are_warnings_only_in_production_files(tmp_path: Path, catalog: Catalog) -> None:
    (tmp_path / "compose.prod.yaml").write_text(BASE)
    (tmp_path / "compose.yaml").write_text(BASE)
    result = scan([str(tmp_path)], catalog, Config(select=["DC201"]), base=tmp_path)
    assert sorted((f.path, f.severity) for f in result.findings) == [
        ("compose.prod.yaml", "warning"), ("compose.yaml", "note")]


def test_secret_default_and_literal_value(tmp_path: Path, catalog: Catalog) -> None:
    text = BASE.replace("${SECRET_KEY:?set it}", "${SECRET_KEY:-Qm9xT7vLz2pW8rKc}")
    findings, _ = run(tmp_path, catalog, {"compose.yaml": text}, select=["no-baked-secrets"])
    assert findings == [("DC602", "compose.yaml", 6)]


def test_odd_value_types_never_break_a_rule(tmp_path: Path, catalog: Catalog) -> None:
    text = textwrap.dedent(
        """\
        services:
          odd:
            image: 5
            user: 0
            build: {context: 7}
            environment: [PASSWORD, 3, {a: b}]
            cap_add: SYS_ADMIN
            volumes: {a: b}
            healthcheck: [CMD, true]
            depends_on: db
            deploy: [x]
            stop_grace_period: [1]
            command: {a: b}
          list-env:
            image: busybox:1.36
            environment: {TOKEN: null, PORT: 8080, DEBUG: true}
          nothing:
        """
    )
    findings, errors = run(tmp_path, catalog, {"compose.yaml": text})
    assert errors == []
    assert ("DC401", "compose.yaml", 4) in findings  # user: 0 written as a number is still root


def test_healthcheck_of_the_built_stage() -> None:
    from readycheck.loaders.compose import declares_healthcheck

    dockerfile = textwrap.dedent(
        """\
        FROM node:20.15.1 AS base
        HEALTHCHECK CMD ["node", "health.js"]
        FROM base AS app
        CMD ["node", "server.js"]
        FROM node:20.15.1 AS tools
        CMD ["sh"]
        FROM app AS quiet
        HEALTHCHECK NONE
        """
    )
    assert declares_healthcheck(dockerfile, "app") is True  # inherited from the base stage
    assert declares_healthcheck(dockerfile, "tools") is False
    assert declares_healthcheck(dockerfile) is False  # the last stage turns it off
    assert declares_healthcheck("FROM x\nCMD y\n") is False
