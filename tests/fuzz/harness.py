"""Scan one hostile input in the middle of a normal scan and check the contract held.

A case writes its file (or directory) between two known-bad Dockerfiles. The
scan must report the hostile file as an `errors` entry (with its line where
there is one) or treat it correctly, leave the known-bad files' findings
exactly as they are alone, follow CONTRACT.md's exit codes, and finish in
bounded time. Adding a kind's cases later is one `HostileCase(...)` each.
"""

from __future__ import annotations

import importlib.util
import json
import os
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from readycheck.cli import main

KNOWN_BAD = {
    "a/Dockerfile": "FROM node:latest\nWORKDIR /app\nCOPY . .\nUSER node\nCMD [\"node\", \"server.js\"]\n",
    "zz/Dockerfile": (
        "FROM debian:bookworm-slim\n"
        "RUN apt-get update \\\n && apt-get install -y --no-install-recommends curl\n"
        "USER 10001\nCMD [\"/app\"]\n"
    ),
}
INTERNAL_FAILURES = ("internal error", "failed: ")


@dataclass
class Outcome:
    code: int
    report: dict[str, Any]
    seconds: float

    @property
    def findings(self) -> list[dict[str, Any]]:
        return list(self.report["findings"])

    @property
    def errors(self) -> list[dict[str, Any]]:
        return list(self.report["errors"])

    def findings_under(self, prefix: str) -> list[tuple[str, str, int]]:
        return [(f["path"], f["rule"], f["line"]) for f in self.findings if f["path"].startswith(prefix)]


def _cpu_seconds() -> float:
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def run_cli(root: Path, args: list[str]) -> Outcome:
    """`readycheck check --format json ARGS` in `root`, in-process (so the per-file alarm is armed).

    Its cost is CPU time (this process and any workers), not wall time: the bound it is held to is the
    per-file CPU-time limit, and a loaded machine must not fail it.
    """
    old = os.getcwd()
    os.chdir(root)
    started = _cpu_seconds()
    try:
        result = CliRunner().invoke(main, ["check", "--format", "json", *args], catch_exceptions=False)
    finally:
        os.chdir(old)
    seconds = _cpu_seconds() - started
    assert result.exit_code in (0, 1, 2), result.output
    return Outcome(result.exit_code, json.loads(result.stdout), seconds)


def write_known_bad(root: Path) -> None:
    for rel, text in KNOWN_BAD.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


_baseline: list[tuple[str, str, int]] = []


def known_bad_baseline(tmp_root: Path) -> list[tuple[str, str, int]]:
    """The known-bad files' findings when scanned alone (computed once)."""
    if not _baseline:
        tmp_root.mkdir(parents=True, exist_ok=True)
        write_known_bad(tmp_root)
        outcome = run_cli(tmp_root, ["."])
        assert outcome.errors == [] and outcome.code == 1, outcome.report
        _baseline.extend(outcome.findings_under("a/") + outcome.findings_under("zz/"))
        assert {rule for _, rule, _ in _baseline} >= {"DF101", "DF401"}
    return list(_baseline)


def loader_exists(module: str) -> bool:
    return importlib.util.find_spec(f"readycheck.loaders.{module}") is not None


@dataclass(frozen=True)
class HostileCase:
    """One hostile input.

    `expect`: "error" (an errors entry for `path`, at `line` when given, its
    message holding `message`), "clean" (read correctly: no error, and
    at least `findings` as (rule, line) in it when given: other rules may fire too), "either" (an error
    or a correct read: for inputs whose honest answer depends on a loader
    still being written) or "skipped" (not a target: no error, no finding).
    `loader` names the loader module that reads the file: when it does not
    exist yet the case is skipped with that reason, unless `quiet_without_loader`
    (then the file must be skipped quietly, which is the contract today).
    """

    name: str
    path: str
    write: Callable[[Path], None]
    expect: str
    line: int | None = None
    message: str = ""
    findings: tuple[tuple[str, int], ...] | None = None
    loader: str | None = "dockerfile"
    quiet_without_loader: bool = False
    args: tuple[str, ...] = ()
    scan_paths: tuple[str, ...] = (".",)
    max_seconds: float = 20.0


def tree_snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """Every entry under `root` (links not followed) with its size and mtime: a scan must change none."""
    snapshot: dict[str, tuple[int, int]] = {}
    for directory, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = os.path.join(directory, name)
            info = os.lstat(path)
            snapshot[os.path.relpath(path, root)] = (info.st_size, info.st_mtime_ns)
    return snapshot


def check_case(case: HostileCase, root: Path, baseline_root: Path) -> Outcome:
    """Run `case` between the known-bad files under `root` and assert the contract."""
    expect = case.expect
    if case.loader is not None and not loader_exists(case.loader):
        if not case.quiet_without_loader:
            pytest.skip(f"readycheck.loaders.{case.loader} does not exist yet; this case runs once it is merged")
        expect = "skipped"
    baseline = known_bad_baseline(baseline_root)
    write_known_bad(root)
    target = root / case.path
    target.parent.mkdir(parents=True, exist_ok=True)
    case.write(target)
    before = tree_snapshot(root.parent)
    outcome = run_cli(root, [*case.args, *case.scan_paths])
    assert tree_snapshot(root.parent) == before, "the scan wrote, moved or touched files"

    assert outcome.findings_under("a/") + outcome.findings_under("zz/") == baseline, "other files' findings changed"
    mine = [e for e in outcome.errors if e["path"] == case.path or e["path"].startswith(case.path + "/")]
    strangers = [e for e in outcome.errors if e not in mine]
    assert strangers == [], f"errors on files that are not the hostile one: {strangers}"
    for error in mine:
        assert not any(m in error["message"] for m in INTERNAL_FAILURES), f"a bug escaped as an error: {error}"
    own_findings = [(rule, line) for _, rule, line in outcome.findings_under(case.path)]
    if expect == "error":
        assert mine, f"no errors entry for {case.path}: {outcome.report}"
        assert case.message.lower() in mine[0]["message"].lower(), mine
        if case.line is not None:
            assert mine[0]["line"] == case.line, mine
    elif expect == "clean":
        assert mine == [], mine
        if case.findings is not None:
            assert set(case.findings) <= set(own_findings), own_findings
    elif expect == "skipped":
        assert mine == [] and own_findings == [], (mine, own_findings)
    else:
        assert expect == "either", expect
    assert outcome.code == (2 if outcome.errors else 1), "exit code does not follow CONTRACT.md"
    assert outcome.seconds < case.max_seconds, f"took {outcome.seconds:.1f}s of CPU time"
    return outcome
