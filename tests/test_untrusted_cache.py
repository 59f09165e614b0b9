"""Cache correctness and failure modes (issue 14, "stale answers" and the cache's tracebacks).

A cached run answers exactly as `--no-cache` does after a values file (`--values` or the config's
`helm.values`) or a `.gitignore` that ENV033 reads has changed, whether the answer came from the run
index (an old tree) or the per-group cache (a fresh one). A malformed cache, run-index or catalog-cache
entry is discarded, never trusted or crashed on; an unusable cache directory is one warning and an
uncached scan.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.clirun import Run, invoke, write
from tests.test_run_index import HOUR_NS, age
from tests.untrusted_traps import CHART


def cached(root: Path, cache: Path, *args: str) -> Run:
    return invoke(["check", "--cache-dir", str(cache), "--format", "json", *args, "."], root)


def uncached(root: Path, *args: str) -> Run:
    return invoke(["check", "--no-cache", "--format", "json", *args, "."], root)


def same_answer(root: Path, cache: Path, *args: str) -> Run:
    """The cached run's exit code and output equal those of a run without the cache."""
    answer, truth = cached(root, cache, *args), uncached(root, *args)
    assert (answer.code, answer.stdout) == (truth.code, truth.stdout), answer.stderr
    assert "Traceback" not in answer.stderr
    return answer


def changed_between_cached_runs(root: Path, cache: Path, change: Callable[[], None], old_tree: bool,
                                *args: str) -> tuple[Run, Run]:
    """Run, change a file, run again. An old tree is answered by the run index; a fresh one by the group cache."""
    if old_tree:
        age(root)
    before = same_answer(root, cache, *args)
    change()
    if old_tree:
        age(root, HOUR_NS // 2)  # a later stamp, still old enough to be trusted
    return before, same_answer(root, cache, *args)


def rules_of(run: Run) -> list[str]:
    return [f["rule"] for f in json.loads(run.stdout)["findings"]]


@pytest.mark.parametrize("old_tree", [True, False], ids=["run-index", "group-cache"])
@pytest.mark.parametrize("given", ["--values", "helm.values"])
def test_a_changed_values_file_is_never_answered_from_the_cache(tmp_path: Path, old_tree: bool, given: str) -> None:
    root, cache = tmp_path / "repo", tmp_path / "cache"
    for name, text in CHART.items():
        write(root, f"chart/{name}", text)
    if given == "--values":
        values = write(tmp_path, "operator/prod.yaml", "image:\n  tag: 2.0.0\n")
        args: tuple[str, ...] = ("--select", "K8S501", "--values", str(values))
    else:
        values = write(root, "deploy/prod.yaml", "image:\n  tag: 2.0.0\n")
        write(root, ".readycheck.yaml", "helm:\n  values: [deploy/prod.yaml]\n")
        args = ("--select", "K8S501")
    if old_tree:
        age(values.parent)
    before, after = changed_between_cached_runs(
        root, cache, lambda: values.write_text("image:\n  tag: latest\n"), old_tree, *args)
    assert rules_of(before) == [] and rules_of(after) == ["K8S501"]


@pytest.mark.parametrize("old_tree", [True, False], ids=["run-index", "group-cache"])
def test_a_changed_gitignore_read_by_env033_is_never_answered_from_the_cache(tmp_path: Path, old_tree: bool) -> None:
    root, cache = tmp_path / "repo", tmp_path / "cache"
    (root / ".git").mkdir(parents=True)
    ignore = write(root, ".gitignore", "node_modules/\n.env\n")
    write(root, "services/api/.env.staging", "PORT=8080\n")
    before, after = changed_between_cached_runs(
        root, cache, lambda: ignore.write_text("node_modules/\n"), old_tree, "--select", "ENV033")
    assert rules_of(before) == [] and rules_of(after) == ["ENV033"]


@pytest.mark.parametrize("old_tree", [True, False], ids=["run-index", "group-cache"])
def test_a_gitignore_appearing_above_is_never_answered_from_the_cache(tmp_path: Path, old_tree: bool) -> None:
    root, cache = tmp_path / "repo", tmp_path / "cache"
    (root / ".git").mkdir(parents=True)
    write(root, "services/api/.env.staging", "PORT=8080\n")
    before, after = changed_between_cached_runs(
        root, cache, lambda: write(root, "services/.gitignore", ".env\n") and None, old_tree, "--select", "ENV033")
    assert rules_of(before) == ["ENV033"] and rules_of(after) == []


# --- malformed entries --------------------------------------------------------------------------

VALID_FINDING = {"rule": "DF101", "name": "base-image-pinned", "checklist": "pinned-versions", "severity": "error",
                 "path": "Dockerfile", "span": [1, 1, None], "message": "planted", "fix": "", "related": [],
                 "key": "k", "extra": {}}
RESULT = {"errors": [], "files": 1, "suppressed": [], "artifacts": [["Dockerfile", "dockerfile"]]}
MALFORMED: dict[str, object] = {
    "truncated": '{"deps": {"/x": ["ab',
    "a list": [],
    "deps not a mapping": {"deps": 5, "watched": 5, "result": {}},
    "no result": {"deps": {}, "watched": {}},
    "findings not a list": {"deps": {}, "watched": {}, "result": {**RESULT, "findings": "x"}},
    "unknown severity": {"deps": {}, "watched": {}, "result": {**RESULT, "findings": [{**VALID_FINDING, "severity": "fatal"}]}},
    "span of strings": {"deps": {}, "watched": {}, "result": {**RESULT, "findings": [{**VALID_FINDING, "span": ["1", 1, None]}]}},
    "relative dependency": {"deps": {"Dockerfile": [None, None, None]}, "watched": {"Dockerfile": None},
                            "result": {**RESULT, "findings": [VALID_FINDING]}},
    "stamp of strings": {"deps": {"/": ["a", "1", "2"]}, "watched": {"/": ["1", "2"]}, "result": {**RESULT, "findings": []}},
    "nested too deeply": "[" * 100_000 + "]" * 100_000,
}


@pytest.mark.parametrize("payload", list(MALFORMED), ids=list(MALFORMED))
def test_a_malformed_cache_or_index_entry_is_discarded(tmp_path: Path, payload: str) -> None:
    root, cache = tmp_path / "repo", tmp_path / "cache"
    write(root, "Dockerfile", "FROM node:latest\nUSER node\n")
    write(root, "app/Dockerfile", "FROM alpine:3.20\nUSER 1000\n")
    age(root)
    same_answer(root, cache)
    entries = [p for p in cache.rglob("*.json") if "catalog" not in p.parts]
    assert any("runs" in p.parts for p in entries) and any("runs" not in p.parts for p in entries)
    data = MALFORMED[payload]
    text = data if isinstance(data, str) else json.dumps(data)
    for entry in entries:
        entry.write_text(text)
    answer = same_answer(root, cache)
    assert "planted" not in answer.stdout
    assert same_answer(root, cache).stdout == answer.stdout  # the discarded entries were written again


@pytest.mark.parametrize("rules", ['"x"', '[["x", 5]]', "[]", '[[1, {"id": 5}]]'])
def test_a_malformed_catalog_cache_entry_is_discarded(tmp_path: Path, rules: str) -> None:
    root, cache = tmp_path / "repo", tmp_path / "cache"
    write(root, "Dockerfile", "FROM node:latest\nUSER node\n")
    same_answer(root, cache)
    (entry,) = (cache / "catalog").glob("*.json")
    stored = json.loads(entry.read_text())
    entry.write_text(json.dumps({"stamp": stored["stamp"], "rules": json.loads(rules)}))
    same_answer(root, cache)


# --- unusable cache directory -------------------------------------------------------------------


def unusable(tmp_path: Path, how: str) -> Path:
    if how == "a file":  # the default cache directory (an explicit --cache-dir naming a file is a usage error)
        return write(tmp_path, "xdg/readycheck", "not a directory\n")
    if how == "below a file":
        write(tmp_path, "cache", "not a directory\n")
        return tmp_path / "cache" / "readycheck"
    directory = tmp_path / "cache"
    directory.mkdir()
    if how == "read-only":
        directory.chmod(0o500)
    return directory


@pytest.mark.parametrize("how", ["a file", "below a file", "read-only", "read-only file system"])
def test_an_unusable_cache_directory_is_one_warning_and_an_uncached_scan(tmp_path: Path, how: str,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    if how == "read-only" and os.geteuid() == 0:
        pytest.skip("root writes into a read-only directory; 'read-only file system' stands in for it")
    if how == "read-only file system":  # what creating any file there says (a mount we cannot make in a test)
        import errno
        import tempfile

        def refuse(*args: object, **kwargs: object) -> None:
            raise OSError(errno.EROFS, os.strerror(errno.EROFS))

        monkeypatch.setattr(tempfile, "mkstemp", refuse)
    root = tmp_path / "repo"
    for i in range(10):  # enough groups for the worker pool
        write(root, f"svc{i}/Dockerfile", "FROM node:latest\nUSER node\n")
    cache = unusable(tmp_path, how)
    if how == "a file":
        answer = invoke(["check", "--format", "json", "--jobs", "2", "."], root, env={"XDG_CACHE_HOME": str(cache.parent)})
    else:
        answer = cached(root, cache, "--jobs", "2")
    truth = uncached(root)
    assert (answer.code, answer.stdout) == (truth.code, truth.stdout)
    warnings = [line for line in answer.stderr.splitlines() if line.strip()]
    assert len(warnings) == 1 and "cache" in warnings[0] and str(cache) in warnings[0], answer.stderr
    assert "Traceback" not in answer.stderr
