"""A re-run over an unchanged tree is answered by the run index, and any change is still seen."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from readycheck import orchestrate
from tests.test_scale import SAMPLE_REPO, run

HOUR_NS = 3600 * 10**9


def age(root: Path, by_ns: int = HOUR_NS) -> None:
    """Date every file and directory under `root` (and itself) back, as if written long before the scan."""
    then = time.time_ns() - by_ns
    for path in [*root.rglob("*"), root]:
        os.utime(path, ns=(then, then), follow_symlinks=False)


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(SAMPLE_REPO, root)
    age(root)
    return root


@pytest.fixture()
def cache(tmp_path: Path) -> str:
    return str(tmp_path / "cache")


def forbid_scanning(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the unchanged tree was scanned again")

    monkeypatch.setattr(orchestrate, "_scan_groups", refuse)


def check(root: Path, cache: str) -> tuple[int, str]:
    return run(["check", "--cache-dir", cache, "--format", "json", "."], root)


def test_an_unchanged_tree_is_answered_from_the_index(repo: Path, cache: str, monkeypatch: pytest.MonkeyPatch) -> None:
    first = check(repo, cache)
    assert list((Path(cache) / "runs").glob("*.json")), "no run index was written"
    forbid_scanning(monkeypatch)
    assert check(repo, cache) == first


def changed(root: Path, cache: str, change: object) -> None:
    check(root, cache)
    assert callable(change)
    change()
    age(root, HOUR_NS // 2)  # a later stamp, still old enough to be trusted
    assert check(root, cache) == run(["check", "--no-cache", "--format", "json", "."], root)


def test_an_edited_file_is_seen(repo: Path, cache: str) -> None:
    compose = repo / "docker-compose.yml"
    changed(repo, cache, lambda: compose.write_text(compose.read_text().replace("healthcheck:", "x-healthcheck:")))


def test_a_new_file_is_seen(repo: Path, cache: str) -> None:
    service = repo / "services" / "extra"
    changed(repo, cache, lambda: (service.mkdir(), (service / "Dockerfile").write_text("FROM alpine\n")))


def test_a_new_chart_template_is_seen(repo: Path, cache: str) -> None:
    pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: extra\nspec:\n  containers:\n    - name: x\n      image: nginx\n"
    templates = repo / "deploy" / "charts" / "api" / "templates"
    changed(repo, cache, lambda: (templates / "extra.yaml").write_text(pod))


def test_a_new_chart_template_is_seen_by_the_group_cache_alone(repo: Path, cache: str) -> None:
    """Even when the run index cannot be trusted, a chart's cached result notices a file added under it."""
    check(repo, cache)
    shutil.rmtree(Path(cache) / "runs")
    pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: extra\nspec:\n  containers:\n    - name: x\n      image: nginx\n"
    (repo / "deploy" / "charts" / "api" / "templates" / "extra.yaml").write_text(pod)
    assert check(repo, cache) == run(["check", "--no-cache", "--format", "json", "."], repo)


def test_files_written_just_before_the_scan_write_no_index(tmp_path: Path, cache: str) -> None:
    fresh = tmp_path / "fresh"
    shutil.copytree(SAMPLE_REPO, fresh, copy_function=shutil.copyfile)  # mtimes of now: a change within the clock's granularity could hide
    check(fresh, cache)
    assert not list((Path(cache) / "runs").glob("*.json"))


def test_another_command_has_its_own_entry(repo: Path, cache: str) -> None:
    whole = check(repo, cache)
    part = run(["check", "--cache-dir", cache, "--format", "json", "services"], repo)
    assert whole != part
    assert len(list((Path(cache) / "runs").glob("*.json"))) == 2


def test_files_named_one_by_one_write_no_index(repo: Path, cache: str) -> None:
    """pre-commit names files, a new list at every commit: the group cache serves them, the index would only grow."""
    run(["check", "--cache-dir", cache, "--format", "json", "docker-compose.yml"], repo)
    assert not list((Path(cache) / "runs").glob("*.json"))
    assert list(Path(cache).glob("??/*.json")), "the group cache was not written"
