"""A `${{ }}` inside a shell word of a `run:` is one opaque fragment of that word.

GitHub substitutes expressions before the shell starts, so the words around
one are the script's own: `--set image.tag=${{ github.sha }} --atomic` is
three words, and `--atomic` is there. Judged alike in a workflow job and in a
composite action's step.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from readycheck.catalog import Catalog
from readycheck.config import Config
from readycheck.gha_expressions import find_expressions
from readycheck.orchestrate import scan
from readycheck.shell import parse_script

WORKFLOW = """\
name: deploy
on:
  push:
    branches: [main]
permissions:
  contents: read
concurrency: production
jobs:
  deploy:
    runs-on: ubuntu-24.04
    timeout-minutes: 15
    environment: production
    steps:
      - uses: actions/checkout@v4
      - run: {run}
"""

ACTION = """\
name: deploy
description: deploys
runs:
  using: composite
  steps:
    - shell: bash
      run: {run}
"""


def rules_found(tmp_path: Path, catalog: Catalog, run: str, select: list[str]) -> dict[str, set[str]]:
    """The rules (of `select`) each place reports for `run`: the workflow job and the composite action."""
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True, exist_ok=True)
    (workflows / "deploy.yml").write_text(WORKFLOW.format(run=run))
    (tmp_path / "action.yml").write_text(ACTION.format(run=run))
    result = scan([str(tmp_path)], catalog, Config(select=select), base=tmp_path)
    assert result.errors == []
    found: dict[str, set[str]] = {"workflow": set(), "action": set()}
    for finding in result.findings:
        found["action" if finding.path == "action.yml" else "workflow"].add(finding.rule)
    return found


def test_helm_atomic_after_an_expression_is_a_rollback(tmp_path: Path, catalog: Catalog) -> None:
    run = "helm upgrade --install web chart/ --set image.tag=${{ github.sha }} --atomic --timeout 5m"
    assert "GH507" not in rules_found(tmp_path, catalog, run, ["GH507"])["workflow"]
    bare = "helm upgrade --install web chart/ --set image.tag=${{ github.sha }} --timeout 5m"
    assert "GH507" in rules_found(tmp_path, catalog, bare, ["GH507"])["workflow"]  # the rule still works


@pytest.mark.parametrize("place", ["workflow", "action"])
def test_helm_timeout_after_an_expression_is_seen(tmp_path: Path, catalog: Catalog, place: str) -> None:
    run = "helm upgrade --install web chart/ --set image.tag=${{ github.sha }} --wait --timeout 5m"
    assert "GH508" not in rules_found(tmp_path, catalog, run, ["GH508"])[place]
    run = "helm upgrade --install web chart/ --set image.tag=v1.${{ github.run_number }} --timeout 5m"
    assert "GH508" in rules_found(tmp_path, catalog, run, ["GH508"])[place]  # --wait is missing


@pytest.mark.parametrize("place", ["workflow", "action"])
def test_an_unpinned_package_after_an_expression_is_seen(tmp_path: Path, catalog: Catalog, place: str) -> None:
    run = "pip install foo==1.${{ github.run_number }} requests"
    assert "GH106" in rules_found(tmp_path, catalog, run, ["GH106"])[place]
    run = "pip install foo==1.${{ github.run_number }} requests==2.32.3"
    assert "GH106" not in rules_found(tmp_path, catalog, run, ["GH106"])[place]


@pytest.mark.parametrize("place", ["workflow", "action"])
def test_docker_push_after_an_expression_is_seen(tmp_path: Path, catalog: Catalog, place: str) -> None:
    run = "docker build -t app:${{ github.sha }} --push ."
    assert "GH403" in rules_found(tmp_path, catalog, run, ["GH403"])[place]


@pytest.mark.parametrize("script, argv", [
    ("helm upgrade web c --set image.tag=${{ github.sha }} --atomic --timeout 5m",
     ["helm", "upgrade", "web", "c", "--set", "image.tag=${{ github.sha }}", "--atomic", "--timeout", "5m"]),
    ("pip install foo==1.${{ github.run_number }} requests",
     ["pip", "install", "foo==1.${{ github.run_number }}", "requests"]),
    ("docker build -t app:${{ github.sha }} --push .",
     ["docker", "build", "-t", "app:${{ github.sha }}", "--push", "."]),
    ("echo ${{ format('{0} {1}', a, b) }} done", ["echo", "${{ format('{0} {1}', a, b) }}", "done"]),
    ('echo "x ${{ github.sha }}" --push', ["echo", "x ${{ github.sha }}", "--push"]),
])
def test_an_expression_is_one_opaque_word_fragment(script: str, argv: list[str]) -> None:
    spans = [(e.start, e.end) for e in find_expressions(script)]
    parsed = parse_script(script, opaque=spans)
    assert [c.argv for c in parsed.commands] == [argv] and not parsed.has_error
    assert parsed.commands[0].text == script


def test_an_expression_over_several_lines_keeps_the_lines_of_later_commands() -> None:
    script = "echo ${{ a &&\n  b }} c\nhelm upgrade web c --atomic\n"
    parsed = parse_script(script, opaque=[(e.start, e.end) for e in find_expressions(script)])
    assert [(c.line, c.argv) for c in parsed.commands] == [
        (0, ["echo", "${{ a &&\n  b }}", "c"]), (2, ["helm", "upgrade", "web", "c", "--atomic"])]
