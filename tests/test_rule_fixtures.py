"""Every rule has fixtures/<id>/bad.* and good.*; the bad one fires exactly where expect.yaml says.

`expect.yaml` lists the lines (or `{file, line}` items for a directory
fixture) where the rule must report in the bad fixture; the good fixture must
not trigger the rule at all. Fixtures are found by rule id, so a new rule needs
nothing but its rule file, its check (if any) and its fixture folder.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from readycheck.catalog import Catalog, Rule, load_catalog
from readycheck.config import Config
from readycheck.discover import Target, kind_by_name
from readycheck.orchestrate import scan

from .conftest import FIXTURES

DEFAULT_KIND = {
    "dockerfile": "dockerfile",
    "workflow": "workflow",
    "kubernetes": "kubernetes",
    "compose": "compose",
    "env": "env-file",
    "helm": "helm",
}

CATALOG = load_catalog()


def fixture_file(rule: Rule, stem: str) -> Path:
    folder = FIXTURES / rule.id
    matches = sorted(p for p in folder.glob(f"{stem}*") if p.name == stem or p.name.startswith(stem + "."))
    assert matches, f"rule {rule.id} has no fixtures/{rule.id}/{stem}.* fixture"
    return matches[0]


def fixture_options(rule: Rule) -> dict[str, object]:
    """Rule options the fixtures are judged with (`options:` in expect.yaml), for rules that are off by default."""
    spec_path = FIXTURES / rule.id / "expect.yaml"
    spec = yaml.safe_load(spec_path.read_text()) if spec_path.is_file() else None
    return dict((spec or {}).get("options") or {})


def run_rule(rule: Rule, path: Path, catalog: Catalog) -> list[tuple[str, int]]:
    """Scan one fixture with only this rule; (file relative to the fixture, line) of each finding."""
    config = Config(select=[rule.id], rule_options={rule.id: fixture_options(rule)})
    targets = None
    if path.is_file():
        kind = kind_by_name(path) or DEFAULT_KIND.get(rule.kind, rule.kind)
        targets = [Target(path, kind)]
    result = scan([str(path)], catalog, config, base=FIXTURES, targets=targets)
    assert not result.errors, f"fixture {path} did not load: {[e.as_dict() for e in result.errors]}"
    root = path if path.is_dir() else path.parent
    found = []
    for finding in result.findings:
        assert finding.rule == rule.id
        rel = Path(FIXTURES / finding.path).relative_to(root).as_posix()
        found.append((rel, finding.span.line))
    return sorted(found)


def expected(rule: Rule, bad: Path) -> list[tuple[str, int]]:
    spec_path = FIXTURES / rule.id / "expect.yaml"
    assert spec_path.is_file(), f"fixtures/{rule.id}/expect.yaml is missing"
    spec = yaml.safe_load(spec_path.read_text()) or {}
    items = spec.get("bad")
    assert items, f"fixtures/{rule.id}/expect.yaml lists no line for the bad fixture"
    out = []
    for item in items:
        if isinstance(item, int):
            assert bad.is_file(), "a directory fixture needs {file, line} items"
            out.append((bad.name, item))
        else:
            out.append((item["file"], int(item["line"])))
    return sorted(out)


@pytest.mark.parametrize("rule", CATALOG.rules, ids=lambda r: r.id)
def test_bad_fixture_fires_exactly_where_expected(rule: Rule, catalog: Catalog) -> None:
    bad = fixture_file(rule, "bad")
    assert run_rule(rule, bad, catalog) == expected(rule, bad)


@pytest.mark.parametrize("rule", CATALOG.rules, ids=lambda r: r.id)
def test_good_fixture_is_clean(rule: Rule, catalog: Catalog) -> None:
    good = fixture_file(rule, "good")
    assert run_rule(rule, good, catalog) == []


def test_every_fixture_folder_belongs_to_a_rule() -> None:
    ids = {r.id for r in CATALOG.rules}
    folders = {p.name for p in FIXTURES.iterdir() if p.is_dir() and p.name[:1].isupper()}
    assert folders <= ids, f"fixture folders without a rule: {sorted(folders - ids)}"
