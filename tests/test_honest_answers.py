"""Small wrong answers a skeptical user found: each output says exactly what is so."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.clirun import invoke, write

HEALTHY = 'FROM node:22.11-alpine\nUSER node\nHEALTHCHECK CMD ["node", "health.js"]\nCMD ["node", "server.js"]\n'
NO_HEALTHCHECK = 'FROM node:22.11-alpine\nUSER node\nCMD ["node", "server.js"]\n'


@pytest.mark.parametrize("color", [[], ["--no-color"]])
def test_quiet_with_nothing_to_say_prints_nothing(tmp_path: Path, color: list[str]) -> None:
    write(tmp_path, "Dockerfile", HEALTHY)
    run = invoke(["check", "-q", *color, "--select", "pinned-versions", "."], tmp_path)
    assert (run.code, run.stdout) == (0, "")


def test_quiet_prints_one_finding_per_line_and_nothing_else(tmp_path: Path) -> None:
    write(tmp_path, "Dockerfile", NO_HEALTHCHECK)
    run = invoke(["check", "-q", "--select", "healthcheck", "."], tmp_path)
    lines = run.stdout.splitlines()
    assert lines[0].startswith("Dockerfile:1:1 DF201 [warning]")
    assert run.stdout.endswith("\n") and "" not in lines


def test_text_readiness_says_warn_for_a_warning_not_pass(tmp_path: Path) -> None:
    write(tmp_path, "api/Dockerfile", NO_HEALTHCHECK)
    write(tmp_path, "web/Dockerfile", HEALTHY)
    text = invoke(["report", "--select", "healthcheck", "."], tmp_path).stdout
    assert "api/Dockerfile (Dockerfile): healthcheck=warn" in text
    assert "web/Dockerfile (Dockerfile): healthcheck=pass" in text
    failing = invoke(["report", "--select", "healthcheck", "--fail-on", "warning", "."], tmp_path).stdout
    assert "api/Dockerfile (Dockerfile): healthcheck=fail" in failing


def test_quiet_on_a_terminal_is_quiet_too() -> None:
    from readycheck.engine import ScanResult
    from readycheck.reporters import text

    assert text.render_rich(ScanResult([], [], 3), quiet=True) == ""
    assert "checked" in text.render_rich(ScanResult([], [], 3), quiet=False)
