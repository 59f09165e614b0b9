"""The Python API, `readycheck.scan`: the findings `readycheck check` reports, as data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import readycheck
from readycheck.config import ConfigError
from tests.clirun import UNPINNED_DOCKERFILE, invoke, write
from tests.conftest import REPO


def test_scan_finds_what_the_command_reports(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    result = readycheck.scan(["fixtures/sample-repo"])
    report = json.loads(invoke(["check", "--no-cache", "--format", "json", "fixtures/sample-repo"], REPO).stdout)
    assert [f.as_dict() for f in result.findings] == report["findings"]
    assert [e.as_dict() for e in result.errors] == report["errors"]
    assert result.files == report["summary"]["files"]


def test_scan_takes_the_command_lines_choices(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "Dockerfile", UNPINNED_DOCKERFILE)
    write(tmp_path, "strict.yaml", "ignore: [DF101]\n")
    monkeypatch.chdir(tmp_path)
    everything = {f.rule for f in readycheck.scan().findings}
    assert "DF101" in everything
    assert {f.rule for f in readycheck.scan(select=["DF101"]).findings} == {"DF101"}
    assert "DF101" not in {f.rule for f in readycheck.scan(config="strict.yaml").findings}
    with pytest.raises(ConfigError):
        readycheck.scan(select=["NO-SUCH-RULE"])
    with pytest.raises(FileNotFoundError):
        readycheck.scan(["no-such-dir"])


def test_the_package_is_typed_and_importing_it_scans_nothing() -> None:
    assert (Path(readycheck.__file__).parent / "py.typed").exists()
    import subprocess
    import sys

    code = "import json, sys, readycheck; print(json.dumps(sorted(sys.modules)))"
    imported = set(json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                             check=True).stdout))
    assert not imported & {"readycheck.orchestrate", "readycheck.evaluate", "click", "yaml"}


def test_shell_completion_offers_rule_ids_names_and_checklists(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    def complete(words: str) -> list[str]:
        env = {**os.environ, "COMP_WORDS": words, "COMP_CWORD": str(len(words.split()) - 1),
               "_READYCHECK_COMPLETE": "bash_complete", "XDG_CACHE_HOME": str(tmp_path)}
        done = subprocess.run([sys.executable, "-c", "from readycheck.cli import main; main(prog_name='readycheck')"], env=env,
                              capture_output=True, text=True, check=False)
        return [line.split(",", 1)[1] for line in done.stdout.splitlines()]

    assert "DF101" in complete("readycheck check --select DF10")
    assert "base-image-pinned" in complete("readycheck check --ignore base-image")
    assert "pinned-versions" in complete("readycheck check --select pinned")
    assert all(word.startswith("DF101,K8S") for word in complete("readycheck check --select DF101,K8S1"))
