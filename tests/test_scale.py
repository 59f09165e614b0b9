"""Parallel, cached and sharded scans give the same report as one plain serial scan."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from readycheck.cli import main

DOCKERFILE = """\
FROM python:{tag}
RUN apt-get update && apt-get install -y curl
COPY . .
CMD ["python", "app.py"]
"""


@pytest.fixture()
def estate(tmp_path: Path) -> Path:
    for i in range(12):
        service = tmp_path / f"svc{i:02d}"
        service.mkdir()
        (service / "Dockerfile").write_text(DOCKERFILE.format(tag="latest" if i % 3 == 0 else "3.12-slim"))
    (tmp_path / "svc05" / "Dockerfile").write_text("FROM alpine:3.20\nHEALTHCHEK CMD true\n")
    return tmp_path


def run(args: list[str], cwd: Path) -> tuple[int, str]:
    old = os.getcwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(main, args, catch_exceptions=False)
    finally:
        os.chdir(old)
    return result.exit_code, result.output


def test_jobs_do_not_change_the_output(estate: Path) -> None:
    serial = run(["check", "--no-cache", "--jobs", "1", "--format", "json", "."], estate)
    parallel = run(["check", "--no-cache", "--jobs", "4", "--format", "json", "."], estate)
    assert serial == parallel
    assert serial[0] == 2 and json.loads(serial[1])["summary"]["files"] == 12


def test_cached_run_equals_cold_run_and_sees_changes(estate: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    cache = str(tmp_path_factory.mktemp("cache"))
    cold = run(["check", "--cache-dir", cache, "--format", "json", "."], estate)
    warm = run(["check", "--cache-dir", cache, "--format", "json", "."], estate)
    assert cold == warm
    assert any(Path(cache).rglob("*.json")), "the cold run wrote no cache entry"
    (estate / "svc01" / "Dockerfile").write_text(DOCKERFILE.format(tag="latest"))
    changed = run(["check", "--cache-dir", cache, "--format", "json", "."], estate)
    uncached = run(["check", "--no-cache", "--format", "json", "."], estate)
    assert changed == uncached != cold


def test_merged_shards_equal_the_unsharded_run(estate: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    out = tmp_path_factory.mktemp("shards")
    _, whole = run(["check", "--no-cache", "--format", "json", "."], estate)
    names = []
    for k in (1, 2, 3):
        _, text = run(["check", "--no-cache", "--format", "json", "--shard", f"{k}/3", "."], estate)
        (out / f"{k}.json").write_text(text)
        names.append(str(out / f"{k}.json"))
    sizes = [json.loads(Path(n).read_text())["summary"]["files"] for n in names]
    assert sum(sizes) == 12 and max(sizes) < 12, "shards should split the estate"
    code, merged = run(["merge", *names], estate)
    assert code == 0
    assert json.loads(merged) == json.loads(whole)


def test_bad_shard_is_a_usage_error(estate: Path) -> None:
    assert run(["check", "--shard", "4/3", "."], estate)[0] == 2
    assert run(["check", "--shard", "x", "."], estate)[0] == 2
