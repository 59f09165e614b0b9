"""Logic behind workflow rules that fixtures alone do not pin down, and the corpus's workflow labels."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from readycheck.catalog import Catalog
from readycheck.checks.workflow import cron_problem
from readycheck.config import Config
from readycheck.loaders.workflow import deploy_command
from readycheck.orchestrate import scan

from .conftest import shared_or_skip


@pytest.mark.parametrize("expression", ["0 2 * * *", "*/15 8-18 * * mon-fri", "30 3 1,15 jan,jul 0", "0 0 * * 7"])
def test_valid_cron(expression: str) -> None:
    assert cron_problem(expression) is None


@pytest.mark.parametrize("expression", ["0 0 0 * * *", "61 * * * *", "0 0 0 * *", "0 5-2 * * *", "*/0 * * * *", "@daily"])
def test_invalid_cron(expression: str) -> None:
    assert cron_problem(expression)


@pytest.mark.parametrize("argv, deploys", [
    (["kubectl", "apply", "-f", "k8s/"], True),
    (["kubectl", "get", "pods"], False),
    (["kubectl", "set", "image", "deploy/web", "web=x:1"], True),
    (["helm", "upgrade", "--install", "web", "chart/"], True),
    (["helm", "template", "chart/"], False),
    (["aws", "ecs", "update-service", "--cluster", "c"], True),
    (["gcloud", "run", "deploy", "web"], True),
    (["vercel", "--prod"], True),
    (["vercel", "build"], False),
    (["terraform", "plan"], False),
    (["terraform", "apply", "-auto-approve"], True),
])
def test_deploy_commands(argv: list[str], deploys: bool) -> None:
    assert deploy_command({"name": argv[0], "argv": argv}) is deploys


def _is_workflow_file(path: str) -> bool:
    return "/.github/workflows/" in path or path.rsplit("/", 1)[-1] in ("action.yml", "action.yaml")


def test_corpus_workflow_labels(catalog: Catalog) -> None:
    corpus = shared_or_skip("corpus")
    labels = yaml.safe_load((corpus / "labels.yaml").read_text())["files"]
    result = scan([str(corpus)], catalog, Config(), base=corpus)
    found = [(f.path, f.checklist, f.span.line) for f in result.findings if _is_workflow_file(f.path)]
    checked = 0
    for path, spec in labels.items():
        if not _is_workflow_file(path):
            continue
        for label in spec.get("expect", []):
            checked += 1
            assert any(p == path and c == label["checklist"] and label.get("line") in (None, line)
                       for p, c, line in found), f"{path}: missed {label}"
        for label in spec.get("must_not", []):
            assert not any(p == path and c == label["checklist"] and label.get("line") in (None, line)
                           for p, c, line in found), f"{path}: trap {label}"
    assert checked, "the corpus has no workflow labels"
    assert not [e for e in result.errors if _is_workflow_file(e.path) and Path(e.path).suffix in (".yml", ".yaml")
                and not labels.get(e.path, {}).get("error")]


@pytest.mark.parametrize("text", [
    "on:\njobs:\n",
    "on: push\njobs: [a, b]\n",
    "on: push\njobs:\n  a: just-a-string\n",
    "on: push\njobs:\n  a:\n    runs-on: x\n    steps: {not: a list}\n    needs: {x: 1}\n",
    "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - 42\n      - uses: 7\n      - run: [1, 2]\n        env: [x]\n",
    "on: {schedule: [{cron: 5}, cron]}\njobs: {}\n",
    "name: a\nruns: {using: composite, steps: [{run: 'curl x | sh', shell: bash}]}\n",
    "name: a\nruns: {using: docker, image: 'docker://alpine'}\n",
])
def test_odd_shapes_never_break_a_rule(tmp_path: Path, catalog: Catalog, text: str) -> None:
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "odd.yml").write_text(text)
    (tmp_path / "action.yml").write_text(text)
    result = scan([str(tmp_path)], catalog, Config(), base=tmp_path)
    # a shape GitHub rejects is an error entry with its line (never a crash, never findings on a misread)
    for error in result.errors:
        assert "GitHub" in error.message and error.line, error.message
        assert not [f for f in result.findings if f.path == error.path]


@pytest.mark.parametrize(("text", "line", "words"), [
    ("on: push\npermisions: {}\njobs:\n  a:\n    runs-on: x\n    steps: [{run: make}]\n", 2, "permisions"),
    ("on: push\njobs:\n  a:\n    runs-on: x\n    steps: [{run: make}]\n  b:\n    steps: [{run: make}]\n", 6, "'b'"),
    ("name: x\njobs:\n  a:\n    runs-on: x\n    steps: [{run: make}]\n", 1, "on:"),
])
def test_a_workflow_github_rejects_is_an_error_with_its_line(tmp_path: Path, catalog: Catalog, text: str, line: int,
                                                             words: str) -> None:
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "ci.yml").write_text(text)
    result = scan([str(tmp_path)], catalog, Config(), base=tmp_path)
    assert [(e.line, words in e.message) for e in result.errors] == [(line, True)]
    assert result.findings == []


def test_an_action_without_runs_using_is_an_error(tmp_path: Path, catalog: Catalog) -> None:
    (tmp_path / "action.yml").write_text("name: a\ndescription: b\nruns:\n  steps:\n    - run: curl x | sh\n")
    result = scan([str(tmp_path)], catalog, Config(), base=tmp_path)
    assert [(e.line, "using" in e.message) for e in result.errors] == [(3, True)]
    assert result.findings == []


PIPELINE = """\
on:
  push:
    branches: [main]
permissions: {}
concurrency: deploy
jobs:
  test:
    runs-on: ubuntu-24.04
    steps:
      - uses: actions/checkout@v4
      - uses: erlef/setup-beam@v1
      - run: mix test
  deploy:
    needs: test
    runs-on: ubuntu-24.04
    environment: production
    steps:
      - run: flyctl deploy --remote-only
"""


def _findings(tmp_path: Path, catalog: Catalog, config: Config) -> list[tuple[str, int, str]]:
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True, exist_ok=True)
    (workflows / "ci.yml").write_text(PIPELINE)
    result = scan([str(tmp_path)], catalog, config, base=tmp_path)
    return [(f.rule, f.span.line, f.severity) for f in result.findings]


def test_missing_timeout_is_a_warning_on_deploy_jobs_and_a_note_elsewhere(tmp_path: Path, catalog: Catalog) -> None:
    assert _findings(tmp_path, catalog, Config(select=["GH501"])) == [("GH501", 7, "note"), ("GH501", 13, "warning")]


def test_trusted_owners_are_configurable(tmp_path: Path, catalog: Catalog) -> None:
    assert _findings(tmp_path, catalog, Config(select=["GH101"])) == [("GH101", 11, "warning")]
    strict = Config(select=["GH101"], rule_options={"GH101": {"trusted": []}})
    assert _findings(tmp_path, catalog, strict) == [("GH101", 10, "warning"), ("GH101", 11, "warning")]
    relaxed = Config(select=["GH101"], rule_options={"GH101": {"trusted": ["actions/*", "erlef/*"]}})
    assert _findings(tmp_path, catalog, relaxed) == []


def _scan_files(tmp_path: Path, catalog: Catalog, files: dict[str, str], config: Config) -> list[tuple[str, int, str]]:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    result = scan([str(tmp_path)], catalog, config, base=tmp_path)
    assert not result.errors
    return sorted((f.path, f.span.line, f.severity) for f in result.findings)


COMPOSITE = """\
name: greet
description: greets
inputs:
  who: {description: who}
runs:
  using: composite
  steps:
    - run: echo "hello ${{ inputs.who }}"
      shell: bash
    - run: echo "hello $WHO"
      shell: bash
      env:
        WHO: ${{ inputs.who }}
"""

REUSABLE = """\
on:
  workflow_call:
    inputs:
      title: {type: string}
      dry: {type: boolean}
permissions: {}
jobs:
  a:
    runs-on: ubuntu-24.04
    steps:
      - run: echo "${{ inputs.title }} ${{ inputs.dry }}"
"""


def test_inputs_of_a_composite_action_or_a_reusable_workflow_are_the_callers_text(tmp_path: Path,
                                                                                  catalog: Catalog) -> None:
    found = _scan_files(tmp_path, catalog, {"action.yml": COMPOSITE, ".github/workflows/r.yml": REUSABLE},
                        Config(select=["GH401"]))
    assert found == [(".github/workflows/r.yml", 11, "note"), ("action.yml", 8, "note")]


def test_actions_that_run_an_input_as_code_can_be_added(tmp_path: Path, catalog: Catalog) -> None:
    text = ("on: issues\npermissions: {}\njobs:\n  a:\n    runs-on: x\n    steps:\n"
            "      - uses: acme/eval-action@0123456789abcdef0123456789abcdef01234567\n"
            "        with:\n          code: print('${{ github.event.issue.title }}')\n")
    files = {".github/workflows/a.yml": text}
    assert _scan_files(tmp_path, catalog, files, Config(select=["GH401"])) == []
    extended = Config(select=["GH401"], rule_options={"GH401": {"extra_code_inputs": {"acme/eval-action": ["code"]}}})
    assert _scan_files(tmp_path, catalog, files, extended) == [(".github/workflows/a.yml", 9, "error")]
