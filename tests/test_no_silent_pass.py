"""No silent pass: a mistake in what was asked (a typo'd path, an empty tree, an incomplete set of shards)
never ends as a green gate."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.clirun import UNPINNED_DOCKERFILE, invoke, write


@pytest.mark.parametrize("command", ["check", "report", "baseline"])
@pytest.mark.parametrize("name", ["does-not-exist", "Dockerfile", "deploy/values.yaml", ".github/workflows/ci.yml"])
def test_a_path_that_does_not_exist_is_a_usage_error(tmp_path: Path, command: str, name: str) -> None:
    write(tmp_path, "svc/Dockerfile", UNPINNED_DOCKERFILE)
    run = invoke([command, "svc", name], tmp_path)
    assert run.code == 2, (run.stdout, run.stderr)
    assert name in run.stderr and "no such file or directory" in run.stderr
    assert "READY" not in run.stdout and "files checked" not in run.stdout
    assert not (tmp_path / ".readycheck-baseline.json").exists()


def test_a_dangling_link_named_on_the_command_line_does_not_exist(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").symlink_to(tmp_path / "gone")
    assert invoke(["check", "Dockerfile"], tmp_path).code == 2


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github"])
def test_a_scan_that_finds_nothing_it_knows_says_so(tmp_path: Path, fmt: str) -> None:
    write(tmp_path, "README.md", "# nothing to check here\n")
    write(tmp_path, "src/main.py", "print('hello')\n")
    run = invoke(["check", "--format", fmt, "."], tmp_path)
    assert run.code == 0
    assert "found no file" in run.stderr and "nothing was checked" in run.stderr


def test_report_on_nothing_says_so_too(tmp_path: Path) -> None:
    write(tmp_path, "notes.txt", "hello\n")
    assert "found no file" in invoke(["report", "."], tmp_path).stderr


def test_a_scan_that_checks_something_says_nothing_of_the_kind(tmp_path: Path) -> None:
    write(tmp_path, "Dockerfile", UNPINNED_DOCKERFILE)
    assert "found no file" not in invoke(["check", "."], tmp_path).stderr


@pytest.fixture()
def estate(tmp_path: Path) -> Path:
    for i in range(8):
        write(tmp_path, f"svc{i}/Dockerfile", UNPINNED_DOCKERFILE)
    return tmp_path


def shard(estate: Path, out: Path, k: int, n: int, *extra: str, env: dict[str, str] | None = None) -> str:
    run = invoke(["check", "--no-cache", "--format", "json", "--fail-on", "never", "--shard", f"{k}/{n}", *extra, "."],
                 estate, env=env)
    assert run.code == 0, run.stderr
    path = out / f"shard-{k}-of-{n}{'-'.join(extra)}.json"
    path.write_text(run.stdout)
    return str(path)


def test_a_shard_report_says_which_shard_of_which_scan(estate: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    out = tmp_path_factory.mktemp("shards")
    reports = [json.loads(Path(shard(estate, out, k, 3)).read_text()) for k in (1, 2, 3)]
    assert [(r["shard"]["k"], r["shard"]["n"]) for r in reports] == [(1, 3), (2, 3), (3, 3)]
    assert len({r["shard"]["scan"] for r in reports}) == 1
    whole = json.loads(invoke(["check", "--no-cache", "--format", "json", "."], estate).stdout)
    assert "shard" not in whole


def test_merge_refuses_the_same_shard_twice(estate: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    out = tmp_path_factory.mktemp("shards")
    one, two = shard(estate, out, 1, 2), shard(estate, out, 2, 2)
    for args in ([one, one, two], [one, two, two]):
        run = invoke(["merge", *args], estate)
        assert run.code == 2 and run.stdout == ""
        assert "given twice" in run.stderr


def test_merge_reports_missing_shards(estate: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    out = tmp_path_factory.mktemp("shards")
    one, three = shard(estate, out, 1, 4), shard(estate, out, 3, 4)
    run = invoke(["merge", one, three], estate)
    assert run.code == 2 and run.stdout == ""
    assert "2/4" in run.stderr and "4/4" in run.stderr and "missing" in run.stderr


def test_merge_refuses_shards_of_different_scans(estate: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    out = tmp_path_factory.mktemp("shards")
    one = shard(estate, out, 1, 2)
    other_options = shard(estate, out, 2, 2, "--ignore", "DF101")
    other_run = shard(estate, out, 2, 2, env={"GITHUB_SHA": "0" * 40, "GITHUB_RUN_ID": "7"})
    other_count = shard(estate, out, 2, 3)
    for second in (other_options, other_run, other_count):
        run = invoke(["merge", one, second], estate)
        assert run.code == 2 and run.stdout == "", second
        assert "different scans" in run.stderr


def test_merge_refuses_a_report_that_is_not_a_shard(estate: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    out = tmp_path_factory.mktemp("shards")
    whole = out / "whole.json"
    whole.write_text(invoke(["check", "--no-cache", "--format", "json", "."], estate).stdout)
    run = invoke(["merge", str(whole)], estate)
    assert run.code == 2 and "not a shard report" in run.stderr


@pytest.mark.parametrize("text", [
    "", "[]", "{\"findings\": 3}", "\xff\xfe not json", "{\"findings\": [], \"summary\": {\"files\": \"2\"}}",
    "{\"findings\": [], \"shard\": {\"k\": 3, \"n\": 2, \"scan\": \"abc\"}}",
    "{\"findings\": [], \"shard\": {\"k\": 1, \"n\": 1, \"scan\": \"\\u001b[31m\"}}",
])
def test_a_malformed_shard_report_is_a_clear_error(tmp_path: Path, text: str) -> None:
    (tmp_path / "shard.json").write_text(text, encoding="utf-8", errors="surrogateescape")
    run = invoke(["merge", "shard.json"], tmp_path)
    assert run.code == 2 and "shard.json" in run.stderr and "\x1b" not in run.stderr
