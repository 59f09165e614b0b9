"""Hostile input ends as error entries (exit 2), never as a traceback: deep folders, a killed worker,
malformed baselines and shard reports, a chart full of archive bombs; and overlay findings at the right path."""

from __future__ import annotations

import gzip
import io
import json
import os
import signal
import tarfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from readycheck import pool
from readycheck.catalog import Catalog
from readycheck.config import Config
from readycheck.helm import archive
from readycheck.helm.chart import MAX_CHART_BYTES, load_chart
from readycheck.orchestrate import scan
from tests.clirun import Run, invoke, write

BAD_DOCKERFILE = "FROM node:latest\nUSER node\nCMD [\"node\", \"s.js\"]\n"


def assert_usage_error(run: Run, *words: str) -> None:
    assert run.code == 2, (run.stdout, run.stderr)
    assert "Traceback" not in run.stdout + run.stderr
    for word in words:
        assert word in run.stderr, run.stderr


# -- folders nested a thousand levels and more ------------------------------------------------------


def nest(root: Path, depth: int) -> Path:
    """`depth` folders named `d` below `root` (made one at a time: os.makedirs itself recurses)."""
    old = os.getcwd()
    os.chdir(root)
    try:
        for _ in range(depth):
            os.mkdir("d")
            os.chdir("d")
        Path("Dockerfile").write_text(BAD_DOCKERFILE)
        return Path(os.getcwd())
    finally:
        os.chdir(old)


def unnest(root: Path) -> None:
    """Remove what `nest` made, one level at a time from the bottom up: shutil.rmtree (and pytest's clean-up of old
    temporary folders, shared by every session on the machine) recurses, and fails on such a tree."""
    old = os.getcwd()
    os.chdir(root)
    try:
        depth = 0
        while os.path.isdir("d"):
            os.chdir("d")
            depth += 1
        for name in os.listdir("."):
            os.unlink(name)
        for _ in range(depth):
            os.chdir("..")
            os.rmdir("d")
    finally:
        os.chdir(old)


@pytest.fixture
def deep_folder(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path
    unnest(tmp_path)


def test_a_tree_a_thousand_folders_deep_is_walked(deep_folder: Path) -> None:
    nest(deep_folder, 1200)
    run = invoke(["check", "--no-cache", "--format", "json", "."], deep_folder)
    assert run.code == 1, run.stderr
    report = json.loads(run.stdout)
    assert report["errors"] == []
    assert {f["rule"] for f in report["findings"] if f["path"].endswith("/d/Dockerfile")} >= {"DF101"}


def test_folders_too_deep_to_reach_are_an_error_entry(deep_folder: Path) -> None:
    nest(deep_folder, 2100)  # 4,200 characters of path: over PATH_MAX, so the deepest cannot even be listed
    run = invoke(["check", "--no-cache", "--format", "json", "."], deep_folder)
    assert run.code == 2, run.stderr
    errors = json.loads(run.stdout)["errors"]
    assert len(errors) == 1 and errors[0]["line"] == 1 and "nested too deeply" in errors[0]["message"]


# -- a worker killed ---------------------------------------------------------------------------------


def many_groups(root: Path, count: int = 12) -> None:
    for index in range(count):
        write(root, f"svc{index:02d}/Dockerfile", BAD_DOCKERFILE)


_REAL_WORK = pool._work


def _killing_work(group: list[Any]) -> bytes:
    """pool._work, but a worker given the group holding $VICTIM kills itself (SIGKILL, as the OOM killer does):
    the first time only, or every time when $EVERY is set. Module-level, so the pool can send it to a worker."""
    marker = Path(os.environ["READYCHECK_TEST_MARKER"])
    in_a_worker = os.getpid() != int(os.environ["READYCHECK_TEST_PARENT"])
    victim = any(os.environ["READYCHECK_TEST_VICTIM"] in str(t.path) for t in group)
    if in_a_worker and victim and (os.environ.get("READYCHECK_TEST_EVERY") or not marker.exists()):
        marker.touch()
        os.kill(os.getpid(), signal.SIGKILL)
    return _REAL_WORK(group)


def kill_workers_on(victim: str, every_time: bool, marker: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("READYCHECK_TEST_MARKER", str(marker))
    monkeypatch.setenv("READYCHECK_TEST_PARENT", str(os.getpid()))
    monkeypatch.setenv("READYCHECK_TEST_VICTIM", victim)
    if every_time:
        monkeypatch.setenv("READYCHECK_TEST_EVERY", "1")
    monkeypatch.setattr(pool, "_work", _killing_work)


@pytest.mark.skipif(not hasattr(signal, "SIGKILL") or os.name == "nt", reason="needs fork and SIGKILL")
def test_a_killed_worker_is_scanned_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, catalog: Catalog,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "repo"
    many_groups(root)
    alone = scan([str(root)], catalog, Config(), base=root, jobs=1)
    kill_workers_on("svc07", False, tmp_path / "killed", monkeypatch)
    again = scan([str(root)], catalog, Config(), base=root, jobs=2)
    assert (tmp_path / "killed").exists(), "the worker was never killed: the test tests nothing"
    assert again.errors == []
    assert [f.sort_key() for f in again.findings] == [f.sort_key() for f in alone.findings]
    assert "worker process died" in capsys.readouterr().err


@pytest.mark.skipif(not hasattr(signal, "SIGKILL") or os.name == "nt", reason="needs fork and SIGKILL")
def test_a_group_that_kills_every_worker_is_an_error_entry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                           catalog: Catalog) -> None:
    root = tmp_path / "repo"
    many_groups(root)
    kill_workers_on("svc07", True, tmp_path / "killed", monkeypatch)
    result = scan([str(root)], catalog, Config(), base=root, jobs=2)
    assert [(e.path, e.transient) for e in result.errors] == [("svc07/Dockerfile", True)]
    assert "died" in result.errors[0].message
    assert {f.path for f in result.findings} == {f"svc{i:02d}/Dockerfile" for i in range(12) if i != 7}


# -- a malformed baseline ---------------------------------------------------------------------------


@pytest.mark.parametrize("content", [
    b'{"version": 1, "findings": [{"fingerprint": "f", "line": "seven"}]}',
    b'{"version": 1, "findings": [{"fingerprint": "f", "line": [7]}]}',
    b'{"version": 1, "findings": [{"fingerprint": "f", "rule": {"id": 1}}]}',
    b'{"version": 1, "findings": [{"fingerprint": 7}]}',
    b'{"version": 1, "findings": {"a": 1}}',
    b'[' * 100_000,
    b'\xff\xfe\x00not utf-8',
    b'',
], ids=["line text", "line list", "rule object", "fingerprint number", "findings object", "deep", "binary", "empty"])
def test_a_malformed_baseline_is_a_usage_error(content: bytes, tmp_path: Path) -> None:
    write(tmp_path, "Dockerfile", BAD_DOCKERFILE)
    (tmp_path / "baseline.json").write_bytes(content)
    assert_usage_error(invoke(["check", "--no-cache", "--baseline", "baseline.json", "."], tmp_path), "baseline.json")


# -- a malformed shard report given to merge ------------------------------------------------------------


GOOD_SHARD = {"findings": [{"rule": "DF101", "path": "a/Dockerfile", "line": 1, "column": 1, "message": "m"}],
              "errors": [], "summary": {"files": 1}, "shard": {"k": 1, "n": 2, "scan": "s1"}}


@pytest.mark.parametrize("content", [
    json.dumps({"findings": 7}).encode(),
    json.dumps({"findings": ["text"]}).encode(),
    json.dumps({"findings": [{"path": 1, "line": 1}, {"path": "a", "line": 1}]}).encode(),
    json.dumps({"findings": [{"path": "a", "line": "one"}, {"path": "a", "line": 2}]}).encode(),
    json.dumps({"findings": [], "errors": [{"path": "a", "line": "x"}, {"path": "a", "line": 1}]}).encode(),
    json.dumps({"findings": [], "errors": 5}).encode(),
    json.dumps({"findings": [], "summary": {"files": "many"}}).encode(),
    b'{"findings": ' + b'[' * 100_000,
    b'\xff\xfe\x00',
], ids=["findings number", "finding text", "path number", "line text", "error line text", "errors number",
        "files text", "deep", "binary"])
def test_a_malformed_shard_report_is_a_usage_error(content: bytes, tmp_path: Path) -> None:
    (tmp_path / "good.json").write_text(json.dumps(GOOD_SHARD))
    try:
        report = json.loads(content)
    except (ValueError, RecursionError):
        report = None
    if isinstance(report, dict):  # the other shard of the same scan, malformed inside
        content = json.dumps({**report, "shard": {"k": 2, "n": 2, "scan": "s1"}}).encode()
    (tmp_path / "bad.json").write_bytes(content)
    assert_usage_error(invoke(["merge", "good.json", "bad.json"], tmp_path), "bad.json")


# -- archive bombs ------------------------------------------------------------------------------------------


def small_bomb(name: str, size: int) -> bytes:
    """A gzip'd tar of one subchart whose single file expands to `size` zero bytes (a few KB compressed)."""
    raw = io.BytesIO()
    with gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9) as gz, tarfile.open(fileobj=gz, mode="w|") as tar:
        chart_yaml = f"apiVersion: v2\nname: {name}\nversion: 0.1.0\n".encode()
        info = tarfile.TarInfo(f"{name}/Chart.yaml")
        info.size = len(chart_yaml)
        tar.addfile(info, io.BytesIO(chart_yaml))
        info = tarfile.TarInfo(f"{name}/files/zeros")
        info.size = size
        tar.addfile(info, io.BytesIO(bytes(size)))
    return raw.getvalue()


def bomb_chart(root: Path, count: int = 200, each: int = 2_500_000) -> Path:
    chart = root / "chart"
    write(root, "chart/Chart.yaml", "apiVersion: v2\nname: app\nversion: 0.1.0\n")
    write(root, "chart/templates/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n")
    bomb = small_bomb("sub", each)
    (chart / "charts").mkdir()
    for index in range(count):
        (chart / "charts" / f"sub{index:03d}-0.1.0.tgz").write_bytes(bomb)
    return chart


def test_two_hundred_archive_bombs_in_one_chart_share_one_budget(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    chart = bomb_chart(tmp_path)
    spent = [0]
    real_spend = archive.ArchiveBudget.spend

    def counting(self: archive.ArchiveBudget, count: int) -> None:
        spent[0] += count
        real_spend(self, count)

    monkeypatch.setattr(archive.ArchiveBudget, "spend", counting)
    loaded = load_chart(chart)
    assert spent[0] <= MAX_CHART_BYTES + 1024 * 1024, f"{spent[0]} bytes decompressed: the budget is per archive"
    messages = [p.message for p in loaded.problems]
    assert any("together" in m for m in messages), messages
    assert len(messages) <= 3, "the archives left unread are one error, not one each"


def test_two_hundred_archive_bombs_are_an_error_entry_in_bounded_time(tmp_path: Path) -> None:
    bomb_chart(tmp_path)
    started = time.perf_counter()
    run = invoke(["check", "--no-cache", "--format", "json", "."], tmp_path)
    assert time.perf_counter() - started < 60
    assert run.code == 2, run.stderr
    errors = json.loads(run.stdout)["errors"]
    assert errors and all(e["path"].startswith("chart/charts/") for e in errors), errors


# -- overlay findings at the right path ------------------------------------------------------------------------


def test_findings_in_an_overlay_are_reported_at_the_overlay(tmp_path: Path) -> None:
    write(tmp_path, "chart/Chart.yaml", "apiVersion: v2\nname: app\nversion: 0.1.0\nappVersion: \"1.0\"\n")
    write(tmp_path, "chart/values.yaml", "image: nginx:1.25\n")
    write(tmp_path, "chart/values-prod.yaml", "image: nginx:latest\n")
    write(tmp_path, "chart/templates/deploy.yaml",
          "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\nspec:\n  template:\n    spec:\n"
          "      containers:\n        - name: c\n          image: {{ .Values.image }}\n")
    run = invoke(["check", "--no-cache", "--format", "json", "."], tmp_path)
    paths = {f["path"] for f in json.loads(run.stdout)["findings"]}
    assert "chart/values-prod.yaml" in paths, paths
    assert not any(p.startswith("chart/chart/") for p in paths), paths
    for path in paths:
        assert (tmp_path / path).is_file(), f"a finding at {path}, which does not exist"
    # and named one by one (pre-commit): the same path
    run = invoke(["check", "--no-cache", "--format", "json", "chart/values-prod.yaml"], tmp_path)
    assert "chart/values-prod.yaml" in {f["path"] for f in json.loads(run.stdout)["findings"]}


# -- a repository config of the wrong shape (found by bench/fuzz_campaign.py's config target) ---------------------


@pytest.mark.parametrize("config", [
    "per-path-ignores: {'*.yaml': 5}",
    "per-path-ignores: {'*.yaml': null}",
    "rules: {DF101: {severity: 7}}",
    "rules: {DF101: {severity: [error]}}",
], ids=["ignores number", "ignores null", "severity number", "severity list"])
def test_a_config_value_of_the_wrong_type_is_a_usage_error(config: str, tmp_path: Path) -> None:
    write(tmp_path, "Dockerfile", BAD_DOCKERFILE)
    write(tmp_path, ".readycheck.yaml", config + "\n")
    assert_usage_error(invoke(["check", "--no-cache", "."], tmp_path), ".readycheck.yaml")


# -- a chart whose values.schema.json is no JSON Schema (found by the fuzz campaign's chart target) ---------------


def test_an_invalid_values_schema_is_an_error_entry_not_a_rule_failure(tmp_path: Path) -> None:
    write(tmp_path, "chart/Chart.yaml", "apiVersion: v2\nname: app\nversion: 0.1.0\n")
    write(tmp_path, "chart/values.yaml", "replicaCount: 1\ntoken: hunter2hunter2hunter2\n")
    write(tmp_path, "chart/values.schema.json", json.dumps({"type": "objeDct"}))
    write(tmp_path, "chart/templates/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n")
    run = invoke(["check", "--no-cache", "--format", "json", "."], tmp_path)
    assert run.code == 2
    errors = json.loads(run.stdout)["errors"]
    assert [(e["path"], e["line"]) for e in errors] == [("chart/values.schema.json", 1)], errors
    assert "not a valid JSON Schema" in errors[0]["message"]
    assert "hunter2" not in run.stdout + run.stderr, "the values reached an error message"
