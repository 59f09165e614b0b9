"""bench/peers_suites.py: a peer finding is matched by a mapped rule near it; judged verdicts move counts."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import yaml

BENCH = Path(__file__).resolve().parent.parent / "bench"


def _harness():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("peers_suites", BENCH / "peers_suites.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["peers_suites"] = module
    spec.loader.exec_module(module)
    return module


def test_findings_are_matched_per_check_within_the_tolerance() -> None:
    h = _harness()
    section = {"tolerance": 2, "checks": {"template-injection": {"rules": ["GH401"]},
                                         "excessive-permissions": {"rules": ["GH201"], "match": "file"},
                                         "archived-uses": {"why": "needs the network"}},
               "judged": [{"check": "template-injection", "file": "b.yml", "line": 9, "tool": "peer",
                           "verdict": "peer-wrong"}]}
    peer = [h.Finding("peer", "template-injection", "a.yml", 10), h.Finding("peer", "template-injection", "b.yml", 9),
            h.Finding("peer", "template-injection", "c.yml", 4), h.Finding("peer", "excessive-permissions", "a.yml", 30)]
    ours = [h.Finding("readycheck", "GH401", "a.yml", 12), h.Finding("readycheck", "GH401", "d.yml", 1),
            h.Finding("readycheck", "GH201", "a.yml", 1), h.Finding("readycheck", "GH999", "c.yml", 4)]
    results = {r.check: r for r in h.compare(section, peer, ours)}
    assert set(results) == {"template-injection", "excessive-permissions"}  # a check without rules is not compared
    injection = results["template-injection"]
    assert [f.file for f in injection.both] == ["a.yml"]
    assert [f.file for f in injection.peer_wrong] == ["b.yml"]
    assert [f.file for f in injection.peer_only] == ["c.yml"]  # GH999 is not mapped to it
    assert [f.file for f in injection.readycheck_only] == ["d.yml"]
    assert injection.recall == 0.5
    assert results["excessive-permissions"].recall == 1.0


def test_the_map_has_independent_sections_with_rules_that_exist(catalog) -> None:  # type: ignore[no-untyped-def]
    mapping = yaml.safe_load((BENCH / "peer_map.yaml").read_text())
    ids = {r.id for r in catalog.rules}
    for peer, section in mapping.items():
        assert "suite" in section, peer
        for check, spec in (section.get("checks") or {}).items():
            rules = (spec or {}).get("rules") or []
            assert set(rules) <= ids, f"{peer}/{check}: {set(rules) - ids}"
            assert rules or (spec or {}).get("why"), f"{peer}/{check} maps to no rule and says not why"
