"""The built-in catalog is validated here, not at every run; its cached form equals the parsed one."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from readycheck import catalog as catalog_module
from readycheck.catalog import CatalogError, builtin_rules_dir, load_catalog, load_rule_file


@pytest.mark.parametrize("path", sorted(builtin_rules_dir().rglob("*.yaml")), ids=lambda p: p.stem)
def test_every_builtin_rule_passes_the_meta_schema(path: Path) -> None:
    load_rule_file(path, validate=True)


def test_validated_and_unvalidated_catalogs_are_the_same() -> None:
    assert load_catalog(validate_builtin=True).rules == load_catalog().rules


def test_cached_catalog_equals_the_parsed_one(tmp_path: Path) -> None:
    parsed = load_catalog().rules
    first = load_catalog(cache_dir=tmp_path).rules
    assert list((tmp_path / "catalog").glob("*.json")), "no catalog cache was written"
    second = load_catalog(cache_dir=tmp_path).rules
    assert parsed == first == second


def test_a_changed_rule_file_is_parsed_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(builtin_rules_dir(), rules)
    monkeypatch.setattr(catalog_module, "builtin_rules_dir", lambda: rules)
    cache = tmp_path / "cache"
    load_catalog(cache_dir=cache)
    rule_file = next(rules.rglob("DF101-*.yaml"))
    rule_file.write_text(rule_file.read_text().replace("severity: error", "severity: note"))
    changed = load_catalog(cache_dir=cache)
    assert changed.by_id["DF101"].severity == "note"


def test_a_corrupt_cache_entry_is_ignored(tmp_path: Path) -> None:
    load_catalog(cache_dir=tmp_path)
    for entry in (tmp_path / "catalog").glob("*.json"):
        entry.write_text("{not json")
    assert load_catalog(cache_dir=tmp_path).rules == load_catalog().rules


def test_user_rules_are_still_validated_at_load(tmp_path: Path) -> None:
    user = tmp_path / "mine"
    user.mkdir()
    (user / "ORG001-bad-rule.yaml").write_text("id: ORG001\nname: bad-rule\nseverity: fatal\n")
    with pytest.raises(CatalogError, match="ORG001-bad-rule.yaml"):
        load_catalog([user], cache_dir=tmp_path / "cache")


def test_rule_descriptions_fit_code_scannings_limit() -> None:
    """GitHub cuts a SARIF rule description at 1,024 characters: a rule's summary and why must fit whole."""
    from readycheck.reporters.sarif import MAX_DESCRIPTION

    long = [(r.id, len(r.why)) for r in load_catalog().rules if len(r.why) > MAX_DESCRIPTION or len(r.summary) > MAX_DESCRIPTION]
    assert long == []
