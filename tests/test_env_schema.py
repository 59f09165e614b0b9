"""Env schemas: parse errors, draft selection, bounded patterns, values judged as the application reads them."""

from __future__ import annotations

import time
from pathlib import Path

from readycheck.boundedregex import is_risky, search
from readycheck.catalog import Catalog
from readycheck.config import Config
from readycheck.orchestrate import scan


def _scan(root: Path, catalog: Catalog) -> tuple[list[tuple[str, str, int]], list[str]]:
    result = scan([str(root)], catalog, Config(), base=root)
    return [(f.rule, f.path, f.span.line) for f in result.findings], [e.path for e in result.errors]


def test_unparsable_schema_is_an_error_entry(tmp_path: Path, catalog: Catalog) -> None:
    (tmp_path / "env.schema.json").write_text('{"type": "object",\n "properties": {\n}\n')
    findings, errors = _scan(tmp_path, catalog)
    assert errors == ["env.schema.json"]


def test_values_are_coerced_like_env_values(tmp_path: Path, catalog: Catalog) -> None:
    (tmp_path / "env.schema.yml").write_text(
        "type: object\nproperties:\n  DEBUG: {type: boolean}\n  RATIO: {type: number, maximum: 1}\n"
        "  PORT: {type: integer}\n"
    )
    (tmp_path / ".env.example").write_text("DEBUG=yes\nRATIO=0.5\nPORT=80.5\n")
    findings, _ = _scan(tmp_path, catalog)
    assert [f for f in findings if f[0].startswith("ENV01")] == [("ENV012", ".env.example", 3)]


def test_did_you_mean_for_near_misses(tmp_path: Path, catalog: Catalog) -> None:
    (tmp_path / "env.schema.yml").write_text(
        "type: object\nadditionalProperties: false\nproperties:\n  DATABASE_URL: {type: string}\n"
    )
    (tmp_path / ".env.example").write_text("DATABSE_URL=postgres://db/app\n")
    result = scan([str(tmp_path)], catalog, Config(select=["ENV011"]), base=tmp_path)
    assert [f.message for f in result.findings] == ["DATABSE_URL is not declared in env.schema.yml; did you mean DATABASE_URL?"]


def test_catastrophic_pattern_is_bounded(tmp_path: Path, catalog: Catalog) -> None:
    assert is_risky("^(a+)+$") and not is_risky("^[a-z]+-[0-9]+$")
    assert search("^(a+)+$", "a" * 5000 + "!") is None
    (tmp_path / "env.schema.yml").write_text("type: object\nproperties:\n  NAME: {type: string, pattern: '^(a+)+$'}\n")
    (tmp_path / ".env.example").write_text("NAME=" + "a" * 40 + "!\n")
    started = time.monotonic()
    _scan(tmp_path, catalog)
    assert time.monotonic() - started < 5


def test_draft_07_schema_is_checked_as_draft_07(tmp_path: Path, catalog: Catalog) -> None:
    (tmp_path / "env.schema.json").write_text(
        '{"$schema": "http://json-schema.org/draft-07/schema#", "type": "object",\n'
        ' "properties": {"PORT": {"type": "integer", "exclusiveMinimum": true}}}\n'
    )
    findings, _ = _scan(tmp_path, catalog)
    assert ("ENV001", "env.schema.json", 2) in findings
