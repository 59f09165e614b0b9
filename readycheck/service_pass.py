"""The second pass of a scan: the service map built from every group's facts, and the service rules run on it.

Groups stay the unit of work, caching and sharding: each returns its documents' facts with its result (cached
with it), and this pass, which reads no scanned file but for suppression comments, runs after them all. So a
change to one artifact re-judges its service (its group's facts change; this pass always runs), and a shard
builds the same map as every other shard (the facts of the groups it does not scan come from the cache or from
loading them, without judging them) and reports the findings of the services that hash to it: a service is
never split, and `merge` of the shards equals the unsharded scan.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from readycheck.discover import Target, named_file_root
from readycheck.evaluate import ScanSettings, evaluator_for, group_facts
from readycheck.model import Finding, ScanError, ScanResult
from readycheck.services import SERVICE_KIND, ServiceDocument, build_map, service_shard
from readycheck.suppression import Suppressor
from readycheck.textio import recording_reads

if TYPE_CHECKING:
    from readycheck.cache import Cache


def other_facts(groups: list[list[Target]], settings: ScanSettings, cache: Cache | None,
                reads: list[str] | None) -> list[dict[str, Any]]:
    """The facts of groups this run does not judge: from their cached result when there is one, else loaded."""
    facts: list[dict[str, Any]] = []
    facts_cache = cache.facts_only() if cache is not None else None
    for group in groups:
        cached = (cache.get(group) or facts_cache.get(group)) if cache is not None and facts_cache is not None else None
        if cached is not None:
            facts.extend(cached[0].facts)
            if reads is not None:
                reads.extend(cached[1])
            continue
        with recording_reads() as group_reads:
            found, complete = group_facts(group, settings)
        facts.extend(found)
        if reads is not None:
            reads.extend(group_reads)
        if facts_cache is not None and complete:
            facts_cache.put(group, ScanResult([], [], len(group), facts=found), list(group_reads))
    return facts


def service_map(facts: list[dict[str, Any]], settings: ScanSettings) -> dict[str, Any]:
    return build_map(facts, settings.config.services)


def judge_services(result: ScanResult, settings: ScanSettings, targets: list[Target], others: list[list[Target]],
                   shard: tuple[int, int] | None, cache: Cache | None, reads: list[str] | None) -> None:
    """Add the service rules' findings (and the facts of the groups judged elsewhere) to `result`."""
    if others:
        result.facts.extend(other_facts(others, settings, cache, reads))
        result.facts.sort(key=lambda f: (str(f.get("type")), str(f.get("path"))))
    rules = [r for r in settings.rules if r.kind == SERVICE_KIND]
    if not rules:
        return
    try:
        services = service_map(result.facts, settings)["services"]
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:  # facts of a tampered cache entry
        result.errors.append(ScanError(".", None, f"the service map could not be built: {type(exc).__name__}: {exc}"))
        return
    evaluator = evaluator_for(settings)
    base = settings.base.resolve()
    roots = {t.root or named_file_root(t.path, base) for t in targets} or {Path(base)}
    with recording_reads() as comment_reads:
        suppressor = Suppressor(settings.catalog, settings.config, settings.base, roots)
        found: list[Finding] = []
        for service in services:
            if shard is not None and service_shard(service, shard[1]) != shard[0]:
                continue
            findings, errors = evaluator.evaluate(ServiceDocument(service))
            for finding in findings:
                finding.extra["across"] = True  # reports show its other end (`related`)
            found.extend(findings)
            result.errors.extend(errors)
        seen: set[tuple[str, str, int, str]] = set()
        for finding in found:
            marker = (finding.rule, finding.path, finding.span.line, finding.message)
            if marker in seen:
                continue
            seen.add(marker)
            why = suppressor.reason(finding)
            if why:
                result.suppressed.append((finding, why))
            else:
                result.findings.append(finding)
    if reads is not None:
        reads.extend(comment_reads)
    result.findings.sort(key=Finding.sort_key)
    result.suppressed.sort(key=lambda item: item[0].sort_key())
    result.errors.sort(key=lambda e: (e.path, e.line or 0, e.message))
