"""`--format github`: workflow commands GitHub turns into annotations, escaped as the runner decodes them."""

from __future__ import annotations

import re
from pathlib import Path

from readycheck.reporters.github import escape_data, escape_property
from tests.clirun import UNPINNED_DOCKERFILE, invoke, write

_COMMAND = re.compile(r"^::(error|warning|notice) ((?:[a-zA-Z]+=[^,:]*)(?:,[a-zA-Z]+=[^,:]*)*)::(.*)$")


def _unescape_property(value: str) -> str:
    return value.replace("%2C", ",").replace("%3A", ":").replace("%0A", "\n").replace("%0D", "\r").replace("%25", "%")


def _unescape_data(value: str) -> str:
    return value.replace("%0A", "\n").replace("%0D", "\r").replace("%25", "%")


def parse(line: str) -> tuple[str, dict[str, str], str]:
    """A workflow command as the runner reads it (properties split on `,` and `=`, then decoded)."""
    match = _COMMAND.match(line)
    assert match, line
    level, properties, message = match.groups()
    pairs = dict(part.split("=", 1) for part in properties.split(","))
    return level, {k: _unescape_property(v) for k, v in pairs.items()}, _unescape_data(message)


def test_escaping_follows_the_runner() -> None:
    assert escape_data("100% done\r\nnext") == "100%25 done%0D%0Anext"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    assert escape_data("a:b,c") == "a:b,c"


def test_annotations_for_findings_and_errors(tmp_path: Path) -> None:
    write(tmp_path, "odd,dir:x/Dockerfile", UNPINNED_DOCKERFILE)
    write(tmp_path, "broken/Dockerfile", "FROM alpine:3.20\nHEALTHCHEK CMD true\n")
    run = invoke(["check", "--format", "github", "."], tmp_path)
    assert run.code == 2
    lines = run.stdout.splitlines()
    commands = [parse(line) for line in lines if line.startswith("::")]
    assert lines[-1].startswith("2 files checked")
    by_title = {props.get("title"): (level, props, message) for level, props, message in commands}
    level, props, message = by_title["DF101 base-image-pinned"]
    assert level == "error"
    assert props == {"file": "odd,dir:x/Dockerfile", "line": "1", "col": "1", "endLine": "1", "title": "DF101 base-image-pinned"}
    assert message.startswith("base image 'node:latest' is not pinned")
    assert "\nFix: Pin a version tag" in message
    level, props, _ = by_title["DF401 apt-lists-not-removed"]
    assert (level, props["line"]) == ("warning", "4")
    level, props, message = by_title["readycheck: file not checked"]
    assert (level, props["file"], props["line"], message) == ("error", "broken/Dockerfile", "2", "unknown instruction 'HEALTHCHEK'")


def test_notes_are_notices(tmp_path: Path) -> None:
    write(tmp_path, "Dockerfile", UNPINNED_DOCKERFILE)
    write(tmp_path, ".readycheck.yaml", "severity:\n  DF101: note\n")
    run = invoke(["check", "--format", "github", "."], tmp_path)
    assert run.code == 0
    levels = {parse(line)[1]["title"]: parse(line)[0] for line in run.stdout.splitlines() if line.startswith("::")}
    assert levels["DF101 base-image-pinned"] == "notice"
