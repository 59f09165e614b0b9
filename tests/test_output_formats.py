"""The formats CI systems read natively (GitLab Code Quality, JUnit, Checkstyle), statistics and colour choice.

Each format is checked for the structure its consumer requires, on a scan with findings and an unreadable
file; hostile text in every format is covered by tests/test_untrusted_output.py through the output oracle.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from readycheck.cli import use_colour
from tests.clirun import UNPINNED_DOCKERFILE, invoke, write

GITLAB_SEVERITIES = {"info", "minor", "major", "critical", "blocker"}


def _tree(tmp_path: Path) -> Path:
    write(tmp_path, "api/Dockerfile", UNPINNED_DOCKERFILE)
    write(tmp_path, "web/Dockerfile", UNPINNED_DOCKERFILE)
    write(tmp_path, "broken/Dockerfile", "FROM alpine:3.20\nHEALTHCHEK CMD true\n")
    return tmp_path


def _counts(tmp_path: Path) -> tuple[int, int]:
    report = json.loads(invoke(["check", "--no-cache", "--format", "json", "."], tmp_path).stdout)
    return len(report["findings"]), len(report["errors"])


def test_gitlab_code_quality_has_an_issue_per_finding_and_error(tmp_path: Path) -> None:
    findings, errors = _counts(_tree(tmp_path))
    issues = json.loads(invoke(["check", "--no-cache", "--format", "gitlab", "."], tmp_path).stdout)
    assert isinstance(issues, list) and len(issues) == findings + errors and errors >= 1
    for issue in issues:
        assert {"description", "check_name", "fingerprint", "severity", "location"} <= set(issue)
        assert issue["severity"] in GITLAB_SEVERITIES
        assert isinstance(issue["location"]["path"], str) and issue["location"]["lines"]["begin"] >= 1
    assert len({i["fingerprint"] for i in issues}) == len(issues), "fingerprints tell issues apart"


def test_junit_has_a_failing_case_per_finding_and_an_error_case_per_unreadable_file(tmp_path: Path) -> None:
    findings, errors = _counts(_tree(tmp_path))
    root = ET.fromstring(invoke(["check", "--no-cache", "--format", "junit", "."], tmp_path).stdout)
    assert root.tag == "testsuites"
    assert (int(root.get("failures", "")), int(root.get("errors", ""))) == (findings, errors)
    cases = root.findall("./testsuite/testcase")
    assert len(cases) == findings + errors
    assert len(root.findall("./testsuite/testcase/failure")) == findings
    for suite in root.findall("testsuite"):
        assert int(suite.get("tests", "")) == len(suite.findall("testcase"))


def test_checkstyle_lists_every_finding_under_its_file(tmp_path: Path) -> None:
    findings, errors = _counts(_tree(tmp_path))
    root = ET.fromstring(invoke(["check", "--no-cache", "--format", "checkstyle", "."], tmp_path).stdout)
    assert root.tag == "checkstyle"
    files = {f.get("name") for f in root.findall("file")}
    assert files == {"api/Dockerfile", "web/Dockerfile", "broken/Dockerfile"}
    entries = root.findall("./file/error")
    assert len(entries) == findings + errors
    assert all(e.get("severity") in {"error", "warning", "info"} and int(e.get("line", "0")) >= 1 for e in entries)


def test_statistics_count_every_finding_once(tmp_path: Path) -> None:
    findings, _ = _counts(_tree(tmp_path))
    lines = invoke(["check", "--no-cache", "--statistics", "."], tmp_path).stdout.splitlines()
    counts = [int(line.split()[0]) for line in lines[:-1]]
    assert sum(counts) == findings and counts == sorted(counts, reverse=True)
    assert "checked" in lines[-1]


@pytest.mark.parametrize(("choice", "environ", "terminal", "expected"), [
    ("auto", {}, True, True),
    ("auto", {}, False, False),
    ("auto", {"NO_COLOR": "1"}, True, False),
    ("auto", {"NO_COLOR": ""}, True, True),  # set but empty: no effect (no-color.org)
    ("auto", {"FORCE_COLOR": "1"}, False, True),
    ("auto", {"NO_COLOR": "1", "FORCE_COLOR": "1"}, False, False),
    ("always", {"NO_COLOR": "1"}, False, True),
    ("never", {"FORCE_COLOR": "1"}, True, False),
])
def test_colour_follows_the_flag_then_no_color_then_force_color(choice: str, environ: dict[str, str], terminal: bool,
                                                                  expected: bool) -> None:
    assert use_colour(choice, terminal, environ) is expected


def test_forced_colour_reaches_piped_output_and_no_color_keeps_it_plain(tmp_path: Path) -> None:
    _tree(tmp_path)
    forced = invoke(["check", "--no-cache", "--color", "always", "."], tmp_path)
    assert "\x1b[" in forced.stdout
    plain = invoke(["check", "--no-cache", "."], tmp_path, env={"NO_COLOR": "1", "FORCE_COLOR": ""})
    assert "\x1b[" not in plain.stdout


def test_xml_formats_hold_text_xml_has_no_character_for() -> None:
    """U+FFFE, U+FFFF and lone surrogates (a file name that is not UTF-8) are not XML characters: shown escaped."""
    from readycheck.model import Finding, ScanError, ScanResult, Span
    from readycheck.reporters import xml_reports

    odd = "a\ufffe\uffff\udc80\x1b[31m\n::error::x"
    finding = Finding("DF101", "base-image-pinned", "pinned-versions", "error", odd, Span(1), odd, odd)
    result = ScanResult([finding], [ScanError(odd, 2, odd)], 1)
    for render in (xml_reports.junit, xml_reports.checkstyle):
        root = ET.fromstring(render(result))
        shown = ET.tostring(root, encoding="unicode")
        assert "\\ufffe" in shown and "\\uffff" in shown and "\\x1b" in shown
