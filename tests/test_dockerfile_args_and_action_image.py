"""ARGs resolved in USER as in FROM, an unresolvable base image said, and a Docker action's image judged as one."""

from __future__ import annotations

from pathlib import Path

import pytest

from readycheck.catalog import Catalog
from readycheck.config import Config
from readycheck.model import ScanResult
from readycheck.orchestrate import scan

TAIL = 'HEALTHCHECK CMD ["/app", "health"]\nCMD ["/app"]\n'


def scan_tree(tmp_path: Path, catalog: Catalog, files: dict[str, str], select: list[str]) -> ScanResult:
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    result = scan([str(tmp_path)], catalog, Config(select=select), base=tmp_path)
    assert result.errors == []
    return result


@pytest.mark.parametrize("dockerfile", [
    "FROM alpine:3.20\nARG UID=0\nUSER ${UID}\n",
    "FROM alpine:3.20\nARG UID=0\nUSER $UID:$UID\n",
    "FROM alpine:3.20\nENV APP_USER=root\nUSER ${APP_USER}\n",
    "ARG UID=0\nFROM alpine:3.20\nARG UID\nUSER ${UID}\n",  # a global ARG declared again in the stage
    "FROM alpine:3.20\nARG NAME=ro\nARG WHO=${NAME}ot\nUSER ${WHO}\n",
])
def test_a_user_that_resolves_to_root_is_flagged(tmp_path: Path, catalog: Catalog, dockerfile: str) -> None:
    result = scan_tree(tmp_path, catalog, {"Dockerfile": dockerfile + TAIL}, ["DF301"])
    assert [(f.rule, f.span.line) for f in result.findings] == [("DF301", dockerfile.count("\n"))]


@pytest.mark.parametrize("dockerfile", [
    "FROM alpine:3.20\nARG UID=10001\nUSER ${UID}\n",
    "FROM alpine:3.20\nARG UID\nUSER ${UID}\n",  # given at build time: not known here
    "ARG UID=0\nFROM alpine:3.20\nUSER ${UID}\n",  # a global ARG not declared in the stage is empty there
])
def test_a_user_that_does_not_resolve_to_root_is_not(tmp_path: Path, catalog: Catalog, dockerfile: str) -> None:
    assert scan_tree(tmp_path, catalog, {"Dockerfile": dockerfile + TAIL}, ["DF301"]).findings == []


def test_an_unresolvable_base_image_is_a_note_that_says_so(tmp_path: Path, catalog: Catalog) -> None:
    dockerfile = "ARG BASE\nFROM ${BASE}\nUSER 10001\n" + TAIL
    result = scan_tree(tmp_path, catalog, {"Dockerfile": dockerfile}, ["pinned-versions"])
    notes = [f for f in result.findings if f.span.line == 2]
    assert [f.severity for f in notes] == ["note"] and "could not be judged" in notes[0].message
    resolved = "ARG BASE=alpine:3.20\nFROM ${BASE}\nUSER 10001\n" + TAIL
    assert scan_tree(tmp_path, catalog, {"Dockerfile": resolved}, ["pinned-versions"]).findings == []


ACTION = """\
name: greet
description: says hello
runs:
  using: docker
  image: {image}
"""


@pytest.mark.parametrize("image", ["Dockerfile", "./Dockerfile", "'Dockerfile'"])
def test_a_docker_action_image_is_judged_as_one(tmp_path: Path, catalog: Catalog, image: str) -> None:
    files = {"Dockerfile": 'FROM alpine:3.20\nENTRYPOINT ["/entrypoint.sh"]\n', "action.yml": ACTION.format(image=image)}
    result = scan_tree(tmp_path, catalog, files, ["DF301", "DF201"])
    assert result.findings == []
    reasons = {f.rule: why for f, why in result.suppressed}
    assert set(reasons) == {"DF301", "DF201"} and all("action.yml" in why for why in reasons.values())


@pytest.mark.parametrize("action", [ACTION.format(image="docker://alpine:3.20"),
                                    ACTION.format(image="Dockerfile").replace("using: docker", "using: node20"),
                                    ACTION.format(image="other/Dockerfile")])
def test_a_dockerfile_no_action_runs_is_judged_as_usual(tmp_path: Path, catalog: Catalog, action: str) -> None:
    files = {"Dockerfile": 'FROM alpine:3.20\nENTRYPOINT ["/entrypoint.sh"]\n', "action.yml": action}
    result = scan_tree(tmp_path, catalog, files, ["DF301", "DF201"])
    assert sorted(f.rule for f in result.findings) == ["DF201", "DF301"]
