"""The whole scan: discover, group, keep the shard's groups, answer from the run index or the cache, run the
rest (serially or in worker processes), merge, and keep what lies in the paths given.

readycheck.evaluate judges one group; this module decides which groups there are and where their results
come from. The result is the same whichever way a group was answered.
"""

from __future__ import annotations

import os
import posixpath
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from readycheck.catalog import Catalog
from readycheck.config import Config
from readycheck.discover import Target, discover
from readycheck.evaluate import ScanSettings, rule_options, select_rules
from readycheck.limits import Limits
from readycheck.model import Finding, Rule, ScanError, ScanResult, Skipped
from readycheck.textio import recording_reads

if TYPE_CHECKING:
    from readycheck.cache import Cache


SELF_CONTAINED_KINDS = frozenset({"dockerfile", "workflow", "action"})
"""Kinds whose files are judged alone: nothing of one file's result depends on the files beside it."""
SELF_CONTAINED_CHUNK = 16


def group_targets(targets: list[Target]) -> list[list[Target]]:
    """Targets judged together: one directory's files (the default scope), each chart alone.

    Groups are the unit of parallel work and of caching, so a cross-file check
    (a PDB and its Deployment in one folder) always sees its whole scope. The
    files of a self-contained kind beyond the first few of a directory are
    split into chunks, so that a directory of 200 workflows is shared among the
    workers instead of going to one.
    """
    groups: dict[tuple[str, str, int], list[Target]] = {}
    counts: dict[tuple[str, str], int] = {}
    for target in targets:
        if target.kind == "helm":
            place = ("chart", str(target.path))
        else:
            place = ("dir", str(target.path.parent))
        chunk = 0  # the first chunk stays with the rest of its directory
        if target.kind in SELF_CONTAINED_KINDS:
            counts[place] = counts.get(place, 0) + 1
            chunk = (counts[place] - 1) // SELF_CONTAINED_CHUNK
        groups.setdefault((*place, chunk), []).append(target)
    return [groups[k] for k in sorted(groups)]


def merge_results(parts: Iterable[ScanResult], rules: list[Rule]) -> ScanResult:
    """One result from many groups, in the contract's order whatever order the groups finished in."""
    merged = ScanResult([], [], 0, [], rules, [])
    for part in parts:
        merged.findings.extend(part.findings)
        merged.errors.extend(part.errors)
        merged.files += part.files
        merged.suppressed.extend(part.suppressed)
        merged.artifacts.extend(part.artifacts)
        merged.facts.extend(part.facts)
    merged.findings.sort(key=Finding.sort_key)
    merged.errors.sort(key=lambda e: (e.path, e.line or 0, e.message))
    merged.suppressed.sort(key=lambda item: item[0].sort_key())
    merged.artifacts.sort(key=lambda a: (a.path, a.kind))
    merged.facts.sort(key=lambda f: (str(f.get("type")), str(f.get("path"))))
    return merged


def scan(
    paths: list[str],
    catalog: Catalog,
    config: Config,
    base: Path | None = None,
    context_options: dict[str, Any] | None = None,
    targets: list[Target] | None = None,
    jobs: int = 1,
    cache_dir: Path | None = None,
    shard: tuple[int, int] | None = None,
    limits: Limits | None = None,
    report_only_given: bool = False,
    service_scope: list[str] | None = None,
) -> ScanResult:
    """Scan `paths` (or exactly the given `targets`, each with its kind already decided).

    With `jobs` > 1 the groups are scanned in worker processes; with a
    `cache_dir`, groups whose files, rules, config and version are unchanged
    are not scanned again; with `shard` (K, N) only the groups of shard K of N
    are scanned. The result is the same either way. With `report_only_given`, only findings located in (or
    related to) the `paths` are reported, though more may be judged (a whole chart for one template). With a
    `service_scope`, the service map also holds the files found there (their facts only: they are not judged), so
    a file list sees the other end of each link.
    """
    base = (base or Path.cwd()).resolve()
    rules = select_rules(catalog, config)
    for rule in rules:
        rule_options(rule, config)  # a bad rule option is a usage error before any work
    settings = ScanSettings(rules, catalog, config, base, dict(context_options or {}), limits or Limits())
    result = _scan(paths, targets, settings, jobs, cache_dir, shard, service_scope or [])
    if report_only_given:
        keep_given_paths(result, paths, base)
    return result


def _scan(paths: list[str], targets: list[Target] | None, settings: ScanSettings, jobs: int, cache_dir: Path | None,
          shard: tuple[int, int] | None, scope: list[str]) -> ScanResult:
    """The scan answered from the run index, or group by group (each from the cache or scanned)."""
    base = settings.base
    if cache_dir is None:
        return _scan_groups(paths, targets, settings, jobs, None, shard, None, scope)
    from readycheck.cache import Cache
    from readycheck.runindex import RunIndex

    cache = Cache(cache_dir, settings)
    # only a walk is worth indexing: files named one by one (pre-commit) are found at once, and each new list
    # of them would leave another index entry behind
    walks = targets is None and any(os.path.isdir(p) for p in paths)
    index = RunIndex(cache_dir, cache.settings_digest, [*paths, *(f"--service-scope={p}" for p in scope)], base,
                     shard) if walks else None
    if index is not None and (stored := index.load(settings)) is not None:
        return stored
    started_ns = time.time_ns()
    reads: list[str] = []
    result = _scan_groups(paths, targets, settings, jobs, cache, shard, reads, scope)
    if index is not None:
        index.save(result, reads, started_ns)
    return result


def secrets_only(rules: list[Rule]) -> bool:
    """Every rule in force is of the no-baked-secrets checklist (`--select no-baked-secrets`, the
    readycheck-secrets hook): then files of no other kind are searched as text."""
    return bool(rules) and all(rule.checklist == "no-baked-secrets" for rule in rules)


def _scan_groups(paths: list[str], targets: list[Target] | None, settings: ScanSettings, jobs: int,
                 cache: Cache | None, shard: tuple[int, int] | None, reads: list[str] | None,
                 scope: list[str] | None = None) -> ScanResult:
    """Discover (unless the targets are given), group, keep the shard's groups and scan them."""
    from readycheck.pool import run_groups

    skipped: list[Skipped] = []
    refused: list[ScanError] = []  # ignore files the reader would not read: errors of the scan, found once
    if targets is None:
        with recording_reads() as discovery_reads:
            targets = discover(paths, exclude=settings.config.exclude, base=settings.base, errors=refused,
                               max_bytes=settings.limits.max_file_size, skipped=skipped,
                               text_files=secrets_only(settings.rules))
        if reads is not None:
            reads.extend(discovery_reads)
    groups = group_targets(targets)
    others: list[list[Target]] = []
    if shard is not None:
        from readycheck.shard import in_shard

        others = [g for g in groups if not in_shard(g, shard, settings.base)]
        groups = [g for g in groups if in_shard(g, shard, settings.base)]
    parts = run_groups(groups, settings, jobs=jobs, cache=cache, reads=reads)
    result = merge_results([*parts, ScanResult([], refused, 0)], settings.rules)
    result.skipped = skipped
    if settings.wants_facts:
        from readycheck.service_pass import judge_services

        if scope:
            others += _scope_groups(scope, settings, targets, reads)
        judge_services(result, settings, targets, others, shard, cache, reads)
    return result


def _scope_groups(scope: list[str], settings: ScanSettings, scanned: list[Target],
                  reads: list[str] | None) -> list[list[Target]]:
    """The groups of the service scope that the scan itself does not judge (by path: a file given by name is
    judged, its directory's other files are context)."""
    with recording_reads() as scope_reads:
        found = discover(scope, exclude=settings.config.exclude, base=settings.base, errors=[],
                         max_bytes=settings.limits.max_file_size, skipped=[])
    if reads is not None:
        reads.extend(scope_reads)
    judged = {(t.path.resolve(), t.kind) for t in scanned}
    return group_targets([t for t in found if (t.path.resolve(), t.kind) not in judged])


def _reported_path(argument: str, base: Path) -> str:
    path = Path(argument)
    try:
        return path.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def given_paths_filter(paths: list[str], base: Path) -> Callable[[str], bool] | None:
    """Whether a reported path lies in one of `paths` (a file, or under a directory); None when every path does.

    Each path is looked up with its parent directories in the set of given paths: linear in the paths asked
    about, however many files are given.
    """
    scopes = {_reported_path(p, base) for p in paths}
    if "." in scopes:
        return None  # everything lies under the directory readycheck runs in
    verdicts: dict[str, bool] = {}

    def within(path: str) -> bool:
        if path not in verdicts:
            place = path
            found = False
            while place and not found:
                found = place in scopes
                parent = posixpath.dirname(place.rstrip("/"))
                place = parent if parent != place else ""
            verdicts[path] = found
        return verdicts[path]

    return within


def keep_given_paths(result: ScanResult, paths: list[str], base: Path) -> None:
    """Report only what lies in the paths given (a file, or under a directory).

    A tool such as pre-commit passes single files; readycheck may judge more
    (a whole chart for one template), but reports only findings located in, or
    related to, the files it was given.
    """
    within = given_paths_filter(paths, base)
    if within is None:
        return

    def relevant(finding: Finding) -> bool:
        return within(finding.path) or any(within(r.path) for r in finding.related)

    result.findings = [f for f in result.findings if relevant(f)]
    result.suppressed = [(f, why) for f, why in result.suppressed if relevant(f)]
