"""Hostile custom rules (`--rules DIR`): a broken schema is a clear usage error; a catastrophic regex
is bounded by the per-file time limit (patterns are not refused at load: telling a slow regex from a
fast one is undecidable in general, and the limit covers every other slow path too)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from readycheck.cli import main
from tests.fuzz.harness import HostileCase, check_case, run_cli, write_known_bad

RULE = """\
id: XX{number}
name: {name}
checklist: image-hygiene
severity: warning
target: dockerfile.instruction
summary: A custom rule
why: Because the team says so.
fix: Do the other thing.
examples:
  bad: "RUN aaa!"
  good: "RUN true"
references: [https://wiki.example.com/team]
message: "instruction value matches a forbidden pattern"
{body}
"""


def write_rule(directory: Path, number: int, name: str, body: str) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"XX{number}-{name}.yaml").write_text(RULE.format(number=number, name=name, body=body))


def run_raw(root: Path, args: list[str]) -> tuple[int, str]:
    old = os.getcwd()
    os.chdir(root)
    try:
        result = CliRunner().invoke(main, ["check", *args])
    finally:
        os.chdir(old)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


@pytest.mark.parametrize(("body", "complaint"), [
    ("schema:\n  type: 12\n", "not a valid JSON Schema"),
    ("schema:\n  properties: [value]\n", "not a valid JSON Schema"),
    ("schema:\n  $ref: https://example.com/schema.json\n", "remote $ref"),
    ("schema: {properties: {value: {pattern: '('}}}\n", "schema"),
    ("severity: fatal\nschema: {}\n", "severity"),
    ("schema: [unclosed\n", ".yaml:16:"),  # the file and line; the wording is the YAML library's
])
def test_malformed_rule_is_a_clear_usage_error(tmp_path: Path, body: str, complaint: str) -> None:
    write_known_bad(tmp_path)
    write_rule(tmp_path / "team-rules", 901, "broken-rule", body)
    outcome_code, output = run_raw(tmp_path, ["--rules", "team-rules", "."])
    assert outcome_code == 2
    assert "XX901-broken-rule.yaml" in output and complaint.lower() in output.lower(), output
    assert "Traceback" not in output


def test_catastrophic_regex_is_bounded_by_the_time_limit(tmp_path: Path,
                                                         tmp_path_factory: pytest.TempPathFactory) -> None:
    rules = tmp_path / "scan" / "team-rules"
    write_rule(rules, 902, "no-a-runs", "schema:\n  properties:\n    value:\n      not: {pattern: '^(a+)+$'}\n")
    case = HostileCase(
        "RUN aaaa...! against ^(a+)+$", "m/Dockerfile",
        lambda p: p.write_text("FROM alpine:3.20\nUSER 1000\nHEALTHCHECK CMD true\nRUN " + "a" * 60 + "!\n"),
        "error", message="time limit", args=("--rules", "team-rules", "--time-limit", "1"), max_seconds=20,
    )
    check_case(case, tmp_path / "scan", tmp_path_factory.getbasetemp() / "baseline")


def test_the_same_rule_still_judges_ordinary_files(tmp_path: Path) -> None:
    write_known_bad(tmp_path)
    write_rule(tmp_path / "team-rules", 902, "no-a-runs", "schema:\n  properties:\n    value:\n      not: {pattern: '^(a+)+$'}\n")
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "Dockerfile").write_text("FROM alpine:3.20\nUSER 1000\nHEALTHCHECK CMD true\nRUN aaaa\n")
    outcome = run_cli(tmp_path, ["--rules", "team-rules", "."])
    assert ("m/Dockerfile", "XX902", 4) in outcome.findings_under("m/")
    assert outcome.errors == []
