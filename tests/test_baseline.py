"""Baselines: recorded findings stay hidden through line moves and edits; new ones and stale entries show."""

from __future__ import annotations

import json
from pathlib import Path

from readycheck import baseline
from readycheck.model import Finding, Span
from tests.clirun import UNPINNED_DOCKERFILE, invoke, write

SELECT = ("--select", "DF101,DF201,DF401")  # a fixed set, so new rules do not change what is recorded


def _rules(out: str) -> list[tuple[str, int]]:
    return [(f["rule"], f["line"]) for f in json.loads(out)["findings"]]


def test_baseline_hides_recorded_findings_through_line_moves(tmp_path: Path) -> None:
    write(tmp_path, "svc/Dockerfile", UNPINNED_DOCKERFILE)
    recorded = invoke(["baseline", *SELECT, "."], tmp_path)
    assert recorded.code == 0
    assert "recorded 3 findings in .readycheck-baseline.json" in recorded.stderr
    data = json.loads((tmp_path / ".readycheck-baseline.json").read_text())
    assert data["version"] == 1
    assert {e["rule"] for e in data["findings"]} == {"DF101", "DF201", "DF401"}

    run = invoke(["check", *SELECT, "--format", "json", "--baseline", ".readycheck-baseline.json", "."], tmp_path)
    assert (run.code, _rules(run.stdout)) == (0, [])

    moved = "# syntax=docker/dockerfile:1\n# the API service\n\n" + UNPINNED_DOCKERFILE.replace(
        "WORKDIR /app", "WORKDIR /app\nENV NODE_ENV=production"
    )
    write(tmp_path, "svc/Dockerfile", moved)
    run = invoke(["check", *SELECT, "--format", "json", "--baseline", ".readycheck-baseline.json", "."], tmp_path)
    assert (run.code, _rules(run.stdout)) == (0, [])
    unbaselined = invoke(["check", *SELECT, "--format", "json", "."], tmp_path)
    assert ("DF101", 4) in _rules(unbaselined.stdout)


def test_new_findings_still_show_and_json_keeps_the_contract_shape(tmp_path: Path) -> None:
    write(tmp_path, "a/Dockerfile", UNPINNED_DOCKERFILE)
    invoke(["baseline", *SELECT, "--output", "base.json", "."], tmp_path)
    write(tmp_path, "b/Dockerfile", UNPINNED_DOCKERFILE)
    write(tmp_path, "a/Dockerfile", UNPINNED_DOCKERFILE.replace("RUN npm ci", "FROM python:latest\nRUN npm ci"))
    run = invoke(["check", *SELECT, "--format", "json", "--baseline", "base.json", "."], tmp_path)
    data = json.loads(run.stdout)
    assert run.code == 1
    assert set(data) == {"tool", "findings", "errors", "summary"}
    found = {(f["path"], f["rule"], f["line"]) for f in data["findings"]}
    assert ("a/Dockerfile", "DF101", 5) in found  # the new stage
    assert ("a/Dockerfile", "DF101", 1) not in found
    assert {f["rule"] for f in data["findings"] if f["path"] == "b/Dockerfile"} == {"DF101", "DF201", "DF401"}
    assert run.stderr == ""


def test_fixed_findings_are_listed_as_stale_in_text_mode(tmp_path: Path) -> None:
    write(tmp_path, "Dockerfile", UNPINNED_DOCKERFILE)
    invoke(["baseline", *SELECT, "."], tmp_path)
    write(tmp_path, "Dockerfile", UNPINNED_DOCKERFILE.replace("node:latest", "node:22.11-alpine"))
    run = invoke(["check", *SELECT, "--no-color", "--baseline", ".readycheck-baseline.json", "."], tmp_path)
    assert run.code == 0
    assert "1 baseline entry no longer occurs" in run.stderr
    assert "Dockerfile:1 DF101 base image 'node:latest'" in run.stderr
    assert "2 suppressed" in run.stdout


def test_identical_findings_need_one_entry_each() -> None:
    def finding(line: int) -> Finding:
        return Finding("DF101", "base-image-pinned", "pinned-versions", "error", "Dockerfile", Span(line), "m", key="same")

    entries = baseline.load_text(baseline.render([finding(1)]))
    outcome = baseline.apply([finding(1), finding(7)], entries)
    assert [f.span.line for f in outcome.hidden] == [1]
    assert [f.span.line for f in outcome.kept] == [7]
    assert outcome.stale == []
    assert len(baseline.apply([], entries).stale) == 1


def test_broken_or_missing_baseline_is_a_usage_error(tmp_path: Path) -> None:
    write(tmp_path, "Dockerfile", UNPINNED_DOCKERFILE)
    write(tmp_path, "bad.json", '{"findings": "nope"}')
    missing = invoke(["check", *SELECT, "--baseline", "nothing.json", "."], tmp_path)
    assert missing.code == 2 and "baseline file not found" in missing.stderr
    broken = invoke(["check", *SELECT, "--baseline", "bad.json", "."], tmp_path)
    assert broken.code == 2 and "not a readycheck baseline" in broken.stderr
