"""bench/services_realworld.py offline, on the bake fixture repository: the table counts what the map holds, the
raw results load back to the same table, and the samples are seeded and show the lines of the files."""

from __future__ import annotations

import importlib.util
import json
import shlex
import shutil
import sys
from pathlib import Path
from types import ModuleType

import pytest

from .conftest import FIXTURES

BENCH = Path(__file__).resolve().parents[1] / "bench" / "services_realworld.py"


@pytest.fixture(scope="module")
def harness() -> ModuleType:
    spec = importlib.util.spec_from_file_location("services_realworld", BENCH)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["services_realworld"] = module
    spec.loader.exec_module(module)
    return module


def test_the_table_counts_the_map_and_the_findings(harness: ModuleType, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    repo = tmp_path / "bake-repo"
    shutil.copytree(FIXTURES / "bake-repo", repo)
    (repo / ".commit").write_text("0123456789abcdef\n")
    override = repo / "docker-bake.override.json"
    override.write_text(override.read_text().replace("1.4.1", "1.5.0"))  # one SVC005 finding
    command = f"{shlex.quote(sys.executable)} -m readycheck"
    saved = tmp_path / "runs.json"
    assert harness.main(["--readycheck", command, "--save", str(saved), str(repo)]) == 0
    table = capsys.readouterr().out
    [run] = [harness.ServiceRun(**r) for r in json.loads(saved.read_text())]
    counts = harness.row(run)
    assert counts["services"] == len(run.services) == 3
    assert counts["linked"] == 3 and counts["findings"] == 1 and counts["files"] == 5
    assert "| bake-repo (012345678) | 5 | 3 | 3 |" in table
    assert "bake target" in table and "SVC005 1" in table
    # loaded back: the same table, and a seeded sample with the finding's line and its other end
    assert harness.main(["--load", str(saved), "--sample", "5", "--links", "2", "--seed", "3"]) == 0
    again = capsys.readouterr().out
    assert again.startswith(table)
    assert "## finding 1" in again and "image: ghcr.io/acme/web:1.4.1" in again and "related" in again
    assert again.count("## link ") == 2
    assert harness.main(["--load", str(saved), "--sample", "5", "--links", "2", "--seed", "3"]) == 0
    assert capsys.readouterr().out == again
