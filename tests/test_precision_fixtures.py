"""False-positive classes found on real repositories (bench/REALWORLD.md), each a fixture pair.

fixtures/precision/<RULE>-<what>/ holds `bad.*` (or a `bad/` folder), where the rule must still
fire exactly on the lines `expect.yaml` lists, and `good.*` (or `good/`), the real-world idiom the
rule used to misjudge, where it must not fire at all. `expect.yaml` names the rule (`rule:`), says
why the good case is good (`why:`), and lists `bad:` lines (or `{file, line}` items for a folder).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from readycheck.catalog import Catalog, load_catalog
from readycheck.config import Config, from_mapping
from readycheck.discover import Target, kind_by_name
from readycheck.orchestrate import scan

from .conftest import FIXTURES

PRECISION = FIXTURES / "precision"
CASES = sorted(p for p in PRECISION.iterdir() if p.is_dir())
KIND_OF_RULE = {"DF": "dockerfile", "GH": "workflow", "K8S": "kubernetes", "DC": "compose", "ENV": "env-file"}


def _case(folder: Path, stem: str) -> Path:
    matches = sorted(p for p in folder.iterdir() if p.name == stem or p.name.startswith(stem + "."))
    assert matches, f"{folder.name} has no {stem} fixture"
    return matches[0]


def _findings(rule: str, path: Path, catalog: Catalog) -> list[tuple[str, int]]:
    config = Config(select=[rule])
    declared = path / ".readycheck.yaml"
    if declared.is_file():  # a case about declared services keeps its own `services:` (and nothing else)
        config.services = from_mapping(yaml.safe_load(declared.read_text()), str(declared)).services
    targets = None
    if path.is_file():
        prefix = rule.rstrip("0123456789")
        targets = [Target(path, kind_by_name(path) or KIND_OF_RULE[prefix])]
    result = scan([str(path)], catalog, config, base=FIXTURES, targets=targets)
    assert not result.errors, [e.as_dict() for e in result.errors]
    root = path if path.is_dir() else path.parent
    return sorted((Path(FIXTURES / f.path).relative_to(root).as_posix(), f.span.line) for f in result.findings)


def _spec(folder: Path) -> dict[str, object]:
    spec = yaml.safe_load((folder / "expect.yaml").read_text())
    assert spec.get("rule") and spec.get("why") and spec.get("bad"), f"{folder.name}/expect.yaml is incomplete"
    return dict(spec)


@pytest.mark.parametrize("folder", CASES, ids=lambda p: p.name)
def test_bad_still_fires(folder: Path, catalog: Catalog) -> None:
    spec = _spec(folder)
    bad = _case(folder, "bad")
    lines = spec["bad"]
    assert isinstance(lines, list)
    wanted = sorted((bad.name, item) if isinstance(item, int) else (item["file"], int(item["line"]))
                    for item in lines)
    assert _findings(str(spec["rule"]), bad, catalog) == wanted


@pytest.mark.parametrize("folder", CASES, ids=lambda p: p.name)
def test_real_world_idiom_is_not_reported(folder: Path, catalog: Catalog) -> None:
    spec = _spec(folder)
    assert _findings(str(spec["rule"]), _case(folder, "good"), catalog) == []


def test_every_case_names_a_known_rule() -> None:
    ids = {r.id for r in load_catalog().rules}
    for folder in CASES:
        assert _spec(folder)["rule"] in ids, folder.name
        assert folder.name.split("-")[0] == _spec(folder)["rule"], "the folder starts with its rule id"


def test_dockerignore_git_needs_a_git_folder_in_the_context(tmp_path: Path, catalog: Catalog) -> None:
    """DF408 asks for `.git` only where the context holds one (a git folder cannot be a committed fixture)."""
    (tmp_path / "Dockerfile").write_text("FROM python:3.12.4-slim\nCOPY . /app\nUSER 10001\n")
    (tmp_path / ".dockerignore").write_text("__pycache__/\n")
    assert _findings("DF408", tmp_path, catalog) == []
    (tmp_path / ".git").mkdir()
    assert _findings("DF408", tmp_path, catalog) == [("Dockerfile", 2)]
