"""bench/realworld.py on a tiny tree: the summary counts what the scan saw, the sample is seeded and shows the lines."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench" / "realworld.py"


@pytest.fixture(scope="module")
def realworld() -> ModuleType:
    spec = importlib.util.spec_from_file_location("realworld", BENCH)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["realworld"] = module
    spec.loader.exec_module(module)
    return module


def _tree(root: Path) -> Path:
    repo = root / "repo"
    (repo / ".github" / "workflows").mkdir(parents=True)
    (repo / "Dockerfile").write_text("FROM python:latest\nRUN pip install flask\nCMD python app.py\n")
    (repo / ".github" / "workflows" / "ci.yml").write_text(
        "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n")
    (repo / "compose.yaml").write_text("services:\n  web:\n    image: nginx\n")
    (repo / "broken.yaml").write_text("apiVersion: v1\nkind: Pod\nmetadata: [\n")
    return repo


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory, realworld: ModuleType) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("rw")
    repo = _tree(root)
    out = root / "runs.json"
    assert realworld.main(["--arg=-j1", "--save", str(out), "-o", str(root / "summary.md"), str(repo)]) == 0
    return out, root / "summary.md"


def test_summary_counts_files_findings_and_errors(saved: tuple[Path, Path]) -> None:
    runs_file, summary_file = saved
    runs = json.loads(runs_file.read_text())
    assert len(runs) == 1
    run = runs[0]
    assert run["files"].get("dockerfile") == 1 and run["files"].get("workflow") == 1
    assert run["files"].get("compose") == 1
    assert run["findings"], "a Dockerfile on python:latest has findings"
    assert run["seconds"] > 0 and run["peak_mb"] > 0
    # Every finding is given a kind, and the kind matches the file it is about.
    assert set(run["kinds"]) == {f["path"] for f in run["findings"]}
    assert run["kinds"]["Dockerfile"] == "dockerfile"
    assert run["kinds"][".github/workflows/ci.yml"] == "workflow"
    # The unparseable manifest is an error entry, grouped as YAML.
    assert any(e["path"] == "broken.yaml" for e in run["errors"])
    text = summary_file.read_text()
    for rule in {f["rule"] for f in run["findings"]}:
        assert f"| {rule} |" in text
    assert "| YAML | 1 |" in text


def test_sample_is_seeded_and_shows_the_lines(saved: tuple[Path, Path], realworld: ModuleType) -> None:
    runs = [realworld.Run(**item) for item in json.loads(saved[0].read_text())]
    first = realworld.sample(runs, 3, seed=7)
    again = realworld.sample(runs, 3, seed=7)
    assert [(r.name, f["path"], f["line"], f["rule"]) for r, f, _ in first] == \
        [(r.name, f["path"], f["line"], f["rule"]) for r, f, _ in again]
    per_kind = realworld.sample(runs, 1, seed=7, per_kind=True)
    assert sorted(kind for _, _, kind in per_kind) == sorted({k for r in runs for k in r.kinds.values()})
    text = realworld.print_sample(per_kind, lines=1)
    docker = next(f for _, f, kind in per_kind if kind == "dockerfile")
    assert f">{docker['line']:5d}" in text, "the finding's line is marked in the context"


def test_only_rules_and_load_without_scanning(saved: tuple[Path, Path], realworld: ModuleType,
                                              tmp_path: Path) -> None:
    runs = json.loads(saved[0].read_text())
    rule = runs[0]["findings"][0]["rule"]
    out = tmp_path / "s.md"
    assert realworld.main(["--load", str(saved[0]), "--sample", "50", "--seed", "1", "--rule", rule,
                           "-o", str(out)]) == 0
    sample_part = out.read_text().split("## Sample", 1)[1]
    rules_shown = {line.split()[2] for line in sample_part.splitlines() if line.startswith("#")}
    assert rules_shown == {rule}


def test_error_causes(realworld: ModuleType) -> None:
    cause = realworld.error_cause
    assert cause("dependency 'redis' is not present in charts/") == "missing chart dependency"
    assert cause('no template "common.names.fullname" associated with template set').startswith("undefined template")
    assert cause("gave up loading after the 10-second CPU time limit per file (--time-limit)") == "time limit"
    assert cause("unknown instruction 'FORM'") == "unknown instruction"
    assert cause("mapping values are not allowed here") == "YAML"
    assert cause("something else entirely") == "other"


def test_control_characters_never_reach_the_output(realworld: ModuleType, tmp_path: Path) -> None:
    repo = tmp_path / "r"
    repo.mkdir()
    (repo / "Dockerfile").write_text("FROM alpine\nRUN echo \x1b[31mred\x07\n")
    run = realworld.Run(name="r", directory=str(repo), commit="-", files={"dockerfile": 1},
                        findings=[{"rule": "DF101", "path": "Dockerfile", "line": 2, "message": "m\x1b]0;x\x07"}],
                        errors=[], seconds=0.1, peak_mb=1.0, exit_code=0, kinds={"Dockerfile": "dockerfile"})
    text = realworld.print_sample([(run, run.findings[0], "dockerfile")], lines=1) + realworld.summary([run])
    assert "\x1b" not in text and "\x07" not in text
