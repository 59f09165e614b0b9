"""The workflow model: normalised triggers and needs, classified uses, command and expression lines."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from readycheck.config import Config
from readycheck.discover import Target
from readycheck.loaders.workflow import build, classify_ref, normalise_triggers, parse_uses
from readycheck.orchestrate import scan
from readycheck.textio import LoadError

WORKFLOW = textwrap.dedent("""\
    name: ci
    on: push
    jobs:
      test:
        runs-on: ubuntu-24.04
        needs: lint
        environment: production
        steps:
          - uses: actions/checkout@cd424c18a41156b6c9c70681a7537d10b1c19825 # v4.1.7
          - name: Many lines
            run: |
              echo one

              echo "${{ github.event.issue.title }}" | tee out.txt
          - run: make build && make test
      lint:
        runs-on: ubuntu-24.04
        steps:
          - uses: docker://alpine:3.20
""")


def test_triggers_are_normalised_from_every_form() -> None:
    assert normalise_triggers("push") == {"push": None}
    assert normalise_triggers(["push", "pull_request_target"]) == {"push": None, "pull_request_target": None}
    assert normalise_triggers({"workflow_run": {"workflows": ["ci"]}}) == {"workflow_run": {"workflows": ["ci"]}}


def test_uses_references_are_split_and_classified() -> None:
    remote = parse_uses("superfly/flyctl-actions/setup-flyctl@master")
    assert remote is not None
    assert (remote["owner"], remote["repo"], remote["path"], remote["ref_kind"]) == (
        "superfly", "flyctl-actions", "setup-flyctl", "branch")
    assert classify_ref("cd424c18a41156b6c9c70681a7537d10b1c19825") == "sha"
    assert classify_ref("v4.1.1") == "tag"
    assert classify_ref("cd424c1") == "short-sha"
    local = parse_uses("./.github/actions/setup")
    assert local is not None and local["kind"] == "local"
    docker = parse_uses("docker://alpine:3.20")
    assert docker is not None and (docker["repository"], docker["tag"]) == ("alpine", "3.20")


def test_jobs_steps_commands_and_expressions_keep_file_lines() -> None:
    model, locations = build(WORKFLOW)
    test, lint = model["jobs"]
    assert test["needs"] == ["lint"] and lint["needs"] == []
    assert test["environment"] == {"name": "production", "url": None}
    assert locations[("jobs", "test")].line == 4
    many = test["steps"][1]
    assert [(c["name"], c["file_line"]) for c in many["commands"]] == [("echo", 12), ("echo", 14), ("tee", 14)]
    assert [(e["references"], e["line"], e["field"]) for e in many["expressions"]] == [
        (["github.event.issue.title"], 14, "run")]
    one_line = test["steps"][2]
    assert [(c["name"], c["file_line"]) for c in one_line["commands"]] == [("make", 15), ("make", 15)]
    assert lint["steps"][0]["uses"]["kind"] == "docker"


def test_composite_action_steps_are_steps() -> None:
    model, _ = build("name: a\nruns:\n  using: composite\n  steps:\n    - shell: bash\n      run: make\n")
    assert model["is_action"] is True
    assert model["steps"][0]["commands"][0]["file_line"] == 6


@pytest.mark.parametrize("text, line", [
    ("on: push\njobs:\n  a: [\n", 4),
    ("on: push\non: pull_request\njobs: {}\n", 2),
    ("- just\n- a list\n", 1),
])
def test_bad_files_are_load_errors_with_lines(text: str, line: int) -> None:
    with pytest.raises(LoadError) as caught:
        build(text)
    assert caught.value.line == line


def _scan(tmp_path: Path, text: str, rule: str) -> list[int]:
    path = tmp_path / "ci.yml"
    path.write_text(text)
    result = scan([str(path)], __import__("readycheck.catalog").catalog.load_catalog(), Config(select=[rule]),
                  base=tmp_path, targets=[Target(path, "workflow")])
    assert not result.errors
    return [f.span.line for f in result.findings]


def test_script_injection_is_expression_aware(tmp_path: Path) -> None:
    through_env = textwrap.dedent("""\
        on: issues
        permissions: {}
        jobs:
          a:
            runs-on: ubuntu-24.04
            timeout-minutes: 5
            steps:
              - run: echo "$TITLE"
                env:
                  TITLE: ${{ github.event.issue.title }}
              - run: echo "${{ github.event.issue.title }}"
        """)
    assert _scan(tmp_path, through_env, "GH401") == [11]


def test_expressions_in_typed_fields_do_not_break_a_valid_file(tmp_path: Path) -> None:
    typed = textwrap.dedent("""\
        on: push
        permissions: {}
        jobs:
          a:
            runs-on: ${{ matrix.os }}
            timeout-minutes: ${{ fromJSON(vars.TIMEOUT) }}
            continue-on-error: ${{ matrix.experimental }}
            needs: []
            strategy:
              matrix:
                os: [ubuntu-24.04]
                experimental: [false]
            steps:
              - run: make test
        """)
    assert _scan(tmp_path, typed, "workflow") == []


def test_the_self_repository_syntax_is_a_local_reference_not_a_branch() -> None:
    for raw in ("$/some-action", "$/.github/workflows/reuse.yml"):
        uses = parse_uses(raw)
        assert uses is not None and uses["kind"] == "local" and uses["ref_kind"] is None


def test_steps_of_a_parallel_block_are_steps_in_their_place() -> None:
    model, _ = build(textwrap.dedent("""\
        on: push
        jobs:
          a:
            runs-on: x
            steps:
              - run: one
              - parallel:
                  - run: two
                  - uses: some/action@main
              - run: three
        """))
    steps = model["jobs"][0]["steps"]
    assert [s["run"] or s["uses"]["raw"] for s in steps] == ["one", "two", "some/action@main", "three"]
    assert [s["at"] for s in steps] == [[0], [1, "parallel", 0], [1, "parallel", 1], [2]]
    assert [s["index"] for s in steps] == [0, 1, 2, 3]


@pytest.mark.parametrize(("environment", "deploy"), [
    ("pypi", False), ("release", False), ("production", True), ("staging-eu", True),
    ("{name: docs, url: 'https://x.example'}", True), ("${{ inputs.environment }}", True),
])
def test_an_environment_alone_makes_a_deploy_job_only_when_it_names_a_deploy_target(environment: str,
                                                                                     deploy: bool) -> None:
    model, _ = build(f"on: push\njobs:\n  a:\n    runs-on: x\n    environment: {environment}\n    steps: [{{run: make}}]\n")
    assert model["jobs"][0]["is_deploy"] is deploy
