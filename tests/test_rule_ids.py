"""The id convention the README documents: for DF, GH, K8S and DC the hundreds digit is a group of one checklist (or two close ones)."""

from __future__ import annotations

import re
from pathlib import Path

from readycheck.catalog import Catalog

README = Path(__file__).resolve().parent.parent / "README.md"


def readme_groups() -> dict[str, dict[str, set[str]]]:
    """{prefix: {digit: checklists}} from the README's id table (a cell may name two: `a / b`)."""
    text = README.read_text()
    table = text[text.index("| digit | `DF` Dockerfile"):].split("\n\n", 1)[0].splitlines()
    prefixes = re.findall(r"`([A-Z0-9]+)`", table[0])
    groups: dict[str, dict[str, set[str]]] = {p: {} for p in prefixes}
    for row in table[2:]:
        cells = [c.strip() for c in row.strip("|").split("|")]
        for prefix, checklist in zip(prefixes, cells[1:], strict=True):
            if checklist:
                groups[prefix][cells[0]] = {c.strip() for c in checklist.split("/")}
    return groups


def test_every_rule_id_is_in_the_group_of_its_checklist(catalog: Catalog) -> None:
    groups = readme_groups()
    assert set(groups) == {"DF", "GH", "K8S", "DC"}
    wrong = []
    for rule in catalog.rules:
        match = re.fullmatch(r"(DF|GH|K8S|DC)(\d)\d\d", rule.id)
        if match and rule.checklist not in groups[match.group(1)].get(match.group(2), set()):
            wrong.append(f"{rule.id} ({rule.checklist})")
    assert wrong == []


def test_the_other_kinds_number_in_order(catalog: Catalog) -> None:
    for rule in catalog.rules:
        if rule.id.startswith(("ENV", "HELM", "SEC", "SVC")):
            assert re.fullmatch(r"(ENV|HELM|SEC|SVC)0\d\d", rule.id), rule.id
