"""The GitHub Action's check step, run locally as the runner runs it (bash -eo pipefail, with a simulated
runner environment: RUNNER_TEMP, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY and the inputs as env), and the
constraints file it installs with."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.clirun import UNPINNED_DOCKERFILE, write
from tests.conftest import REPO

ACTION = yaml.safe_load((REPO / "action.yml").read_text())
DEFAULTS = {name: spec.get("default", "") for name, spec in ACTION["inputs"].items()}


def run_check_step(workspace: Path, runner_temp: Path, **inputs: str) -> tuple[int, dict[str, str], str]:
    """The `check` step with `inputs` (the rest at their defaults): exit status, outputs, job summary."""
    step = next(s for s in ACTION["runs"]["steps"] if s.get("id") == "check")
    values = {**DEFAULTS, **inputs}
    env = {**os.environ, "RUNNER_TEMP": str(runner_temp), "XDG_CACHE_HOME": str(runner_temp / "cache"),
           "GITHUB_OUTPUT": str(runner_temp / "output"), "GITHUB_STEP_SUMMARY": str(runner_temp / "summary")}
    for name, expression in step["env"].items():
        match = re.fullmatch(r"\$\{\{ inputs\.([\w-]+) \}\}", expression)
        assert match, f"{name}: only inputs reach the script"
        env[name] = values[match.group(1)]
    venv_bin = runner_temp / "readycheck-venv" / "bin"  # what the install step makes, without the network
    venv_bin.mkdir(parents=True, exist_ok=True)
    (venv_bin / "readycheck").write_text(f'#!/bin/sh\nexec "{sys.executable}" -m readycheck "$@"\n')
    (venv_bin / "readycheck").chmod(0o755)
    if not (venv_bin / "python").exists():
        (venv_bin / "python").symlink_to(sys.executable)
    for name in ("output", "summary"):
        (runner_temp / name).write_text("")
    cwd = workspace / values["working-directory"]
    done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]], cwd=cwd, env=env,
                          capture_output=True, text=True, check=False)
    outputs = dict(line.split("=", 1) for line in (runner_temp / "output").read_text().splitlines() if "=" in line)
    return done.returncode, outputs, (runner_temp / "summary").read_text()


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    if shutil.which("bash") is None:
        pytest.skip("the Action's steps are bash scripts")
    root = tmp_path / "repo"
    write(root, "svc one/Dockerfile", UNPINNED_DOCKERFILE)
    write(root, "svc two/Dockerfile", UNPINNED_DOCKERFILE)
    write(root, "other/Dockerfile", UNPINNED_DOCKERFILE)
    return root


def test_multi_line_paths_hold_spaces_and_outputs_say_the_verdict(workspace: Path, tmp_path: Path) -> None:
    status, outputs, summary = run_check_step(workspace, tmp_path / "temp", paths="svc one\nsvc two\n")
    assert status == 0, "the check step records the exit code; the verdict step fails the job"
    assert (outputs["exit-code"], outputs["verdict"]) == ("1", "not-ready")
    sarif = json.loads((workspace / "readycheck.sarif").read_text())
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"]}
    assert uris == {"svc%20one/Dockerfile", "svc%20two/Dockerfile"}
    counts = json.loads((tmp_path / "temp" / "readycheck.json").read_text())["findings"]
    assert int(outputs["errors"]) == sum(f["severity"] == "error" for f in counts) > 0
    assert int(outputs["warnings"]) + int(outputs["notes"]) + int(outputs["errors"]) == len(counts)
    assert Path(outputs["report"]).is_file() and summary.strip()
    assert sarif["runs"][0]["automationDetails"]["id"] == "readycheck/"


def test_a_typo_in_paths_fails_instead_of_checking_nothing(workspace: Path, tmp_path: Path) -> None:
    _, outputs, _ = run_check_step(workspace, tmp_path / "temp", paths="svc one\nsvc-thre\n")
    assert (outputs["exit-code"], outputs["verdict"]) == ("2", "not-checked")


def test_inputs_reach_the_command(workspace: Path, tmp_path: Path) -> None:
    write(workspace, "base.json", "")
    _, outputs, _ = run_check_step(workspace, tmp_path / "first", paths="other", args="--select\nDF101\n",
                                   category="api", **{"fail-on": "never"})
    assert outputs["exit-code"] == "0"
    sarif = json.loads((workspace / "readycheck.sarif").read_text())["runs"][0]
    assert {r["ruleId"] for r in sarif["results"]} == {"DF101"}
    assert sarif["automationDetails"]["id"] == "api/"
    subprocess.run([sys.executable, "-m", "readycheck", "baseline", "--no-cache", "-o", "base.json", "other"],
                   cwd=workspace, check=True, capture_output=True)
    _, outputs, _ = run_check_step(workspace, tmp_path / "second", paths="other", baseline="base.json")
    assert (outputs["exit-code"], outputs["errors"], outputs["warnings"]) == ("0", "0", "0")
    write(workspace, "deep/svc/Dockerfile", UNPINNED_DOCKERFILE)
    _, outputs, _ = run_check_step(workspace, tmp_path / "third", **{"working-directory": "deep", "paths": "svc"})
    assert outputs["verdict"] == "not-ready" and (workspace / "deep" / "readycheck.sarif").is_file()


def test_the_upload_is_skipped_with_a_notice_where_the_token_is_read_only() -> None:
    steps = ACTION["runs"]["steps"]
    upload = next(s for s in steps if "upload-sarif" in s.get("uses", ""))
    notice = next(s for s in steps if "::notice" in s.get("run", ""))
    for condition in (upload["if"], notice["if"]):
        assert "dependabot[bot]" in condition and "head.repo.full_name" in condition
    assert "!= 'dependabot[bot]'" in upload["if"] and "== 'dependabot[bot]'" in notice["if"]


def test_the_constraints_pin_every_dependency_within_pyprojects_ranges() -> None:
    from packaging.requirements import Requirement

    tomllib = pytest.importorskip("tomllib" if sys.version_info >= (3, 11) else "tomli")
    pins = {}
    for line in (REPO / "constraints.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            name, version = line.split("==")
            pins[name.lower().replace("_", "-")] = version
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    for raw in project["dependencies"]:
        requirement = Requirement(raw)
        if requirement.marker is not None and not requirement.marker.evaluate():
            continue
        name = requirement.name.lower().replace("_", "-")
        assert name in pins, f"{name} is not pinned"
        assert requirement.specifier.contains(pins[name]), f"{name}=={pins[name]} is outside {requirement.specifier}"
