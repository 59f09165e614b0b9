"""`readycheck merge`: the JSON reports of the shards of one scan as one report.

Findings and errors are deduplicated and put back in the contract's order, so
merging the shards of a scan gives exactly the report of the unsharded scan.
Each shard report says which shard it is (K of N) and of which scan; a merge
that would not be that whole scan (a shard given twice, a shard of another
scan, a shard missing) is refused, never quietly smaller or doubled.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from readycheck import __version__
from readycheck.catalog import Catalog
from readycheck.fingerprint import STORED_KEY
from readycheck.model import (
    SEVERITY_RANK,
    Artifact,
    Edit,
    Finding,
    Fix,
    Related,
    Rule,
    ScanError,
    ScanResult,
    Span,
)


class MergeError(ValueError):
    pass


_SCAN_ID = re.compile(r"[0-9A-Za-z_-]{1,64}")


@dataclass
class ShardReport:
    """One shard's report, checked for the shape merge relies on."""

    name: str
    k: int
    n: int
    scan: str
    findings: list[dict[str, Any]]
    errors: list[dict[str, Any]]
    files: int
    details: dict[str, Any]
    """The shard object as written: its extras (rules, artifacts, fingerprints...) feed SARIF and the report."""


def _finding_order(f: dict[str, Any]) -> tuple[Any, ...]:
    return (str(f.get("path", "")), _number(f.get("line")), _number(f.get("column")), str(f.get("rule", "")),
            str(f.get("message", "")))


def _number(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _list_of_objects(report: dict[str, Any], key: str) -> list[dict[str, Any]] | None:
    value = report.get(key, [])
    if isinstance(value, list) and all(isinstance(item, dict) for item in value):
        return value
    return None


def read_shard(name: str, text: str) -> ShardReport:
    """A shard report from its JSON text; MergeError naming the file when it is not one."""
    try:
        report = json.loads(text)
    except (ValueError, RecursionError):
        raise MergeError(f"{name}: not a readycheck JSON report (not JSON, or nested too deeply)") from None
    if not isinstance(report, dict) or "findings" not in report:
        raise MergeError(f"{name}: not a readycheck JSON report")
    findings, errors = _list_of_objects(report, "findings"), _list_of_objects(report, "errors")
    summary = report.get("summary", {})
    files = summary.get("files", 0) if isinstance(summary, dict) else None
    if findings is None or errors is None or not isinstance(files, int) or isinstance(files, bool) or files < 0:
        raise MergeError(f"{name}: not a readycheck JSON report (malformed findings, errors or summary)")
    problem = _malformed(findings, errors)
    if problem:
        raise MergeError(f"{name}: not a readycheck JSON report ({problem})")
    shard = report.get("shard")
    if shard is None:
        raise MergeError(f"{name}: not a shard report (write each with `readycheck check --shard K/N --format json`)")
    k, n, scan = (shard.get(key) for key in ("k", "n", "scan")) if isinstance(shard, dict) else (None, None, None)
    if not (isinstance(k, int) and isinstance(n, int) and not isinstance(k, bool) and not isinstance(n, bool)
            and 1 <= k <= n and isinstance(scan, str) and _SCAN_ID.fullmatch(scan)):
        raise MergeError(f"{name}: malformed `shard` (expected K/N and a scan id)")
    return ShardReport(name, k, n, scan, findings, errors, files, shard)


def check_complete(shards: list[ShardReport]) -> None:
    """Exactly shards 1..N of one scan, each once; MergeError saying what is wrong otherwise."""
    first = shards[0]
    for other in shards[1:]:
        if (other.scan, other.n) != (first.scan, first.n):
            raise MergeError(
                f"{first.name} (shard {first.k}/{first.n} of scan {first.scan}) and {other.name} "
                f"(shard {other.k}/{other.n} of scan {other.scan}) are shards of different scans"
            )
    seen: dict[int, str] = {}
    for shard in shards:
        if shard.k in seen:
            raise MergeError(f"shard {shard.k}/{shard.n} given twice: {seen[shard.k]} and {shard.name}")
        seen[shard.k] = shard.name
    missing = [k for k in range(1, first.n + 1) if k not in seen]
    if missing:
        listed = ", ".join(f"{k}/{first.n}" for k in missing)
        raise MergeError(f"shard{'s' if len(missing) > 1 else ''} {listed} missing: the merged report would not be the whole scan")


def read_report(name: str) -> tuple[str, str]:
    """(name, text) of a shard's report file; MergeError when it is not UTF-8 text."""
    try:
        return name, Path(name).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise MergeError(f"{name}: not a readycheck JSON report (not UTF-8 text)") from None


_TEXT_FIELDS = ("path", "rule", "message")
_NUMBER_FIELDS = ("line", "column")


def _malformed(findings: Any, errors: Any) -> str | None:
    """What is wrong with a shard's findings and errors, as `check --format json` writes them; None if nothing.

    Only what merging relies on is checked: lists of objects whose path, rule and message are text and whose
    line and column are numbers (an error's line may be null), so they can be ordered.
    """
    if not isinstance(findings, list) or not isinstance(errors, list):
        return "findings and errors are lists"
    for number, finding in enumerate(findings, start=1):
        if not isinstance(finding, dict):
            return f"finding {number} is not an object"
        if not all(isinstance(finding.get(key, ""), str) for key in _TEXT_FIELDS) or not all(
                _is_number(finding.get(key, 0)) for key in _NUMBER_FIELDS):
            return f"finding {number} is malformed"
    for number, error in enumerate(errors, start=1):
        if not isinstance(error, dict):
            return f"error {number} is not an object"
        line = error.get("line")
        if not all(isinstance(error.get(key, ""), str) for key in ("path", "message")) or not (
                line is None or _is_number(line)):
            return f"error {number} is malformed"
    return None


def _is_number(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def merge_json_reports(texts: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """(name, JSON text) of each shard's report, merged into the report of the whole scan."""
    shards = [read_shard(name, text) for name, text in texts]
    if not shards:
        raise MergeError("no shard reports given")
    check_complete(shards)
    findings: dict[str, dict[str, Any]] = {}
    errors: dict[str, dict[str, Any]] = {}
    for shard in shards:
        for f in shard.findings:
            findings.setdefault(json.dumps(f, sort_keys=True), f)
        for e in shard.errors:
            errors.setdefault(json.dumps(e, sort_keys=True), e)
    ordered = sorted(findings.values(), key=_finding_order)
    ordered_errors = sorted(errors.values(),
                            key=lambda e: (str(e.get("path", "")), _number(e.get("line")), str(e.get("message", ""))))
    return {
        "tool": {"name": "readycheck", "version": __version__},
        "findings": ordered,
        "errors": ordered_errors,
        "summary": {"files": sum(s.files for s in shards), "findings": len(ordered), "errors": len(ordered_errors)},
    }


# -- the whole scan as a ScanResult, for SARIF and the readiness report ------------------------------------------


@dataclass
class MergedScan:
    result: ScanResult
    fail_on: str
    command: str


def _span(item: dict[str, Any]) -> Span:
    line, column, end = _number(item.get("line")) or 1, _number(item.get("column")) or 1, _number(item.get("end_line"))
    return Span(line, column, end if end > line else None)


def _text(item: dict[str, Any], key: str) -> str:
    value = item.get(key, "")
    return value if isinstance(value, str) else ""


def _finding(item: dict[str, Any], detail: dict[str, Any], rules: dict[str, Rule], name: str) -> Finding:
    """A finding rebuilt from its JSON and its shard details; its key is its stored fingerprint (never the key)."""
    fingerprint = detail.get("fingerprint")
    severity = _text(item, "severity")
    if not isinstance(fingerprint, str) or severity not in SEVERITY_RANK:
        raise MergeError(f"{name}: malformed finding details (fingerprint, severity)")
    related = detail.get("related", [])
    if not isinstance(related, list) or not all(isinstance(r, dict) for r in related):
        raise MergeError(f"{name}: malformed related locations")
    rule = rules.get(_text(item, "rule"))
    fix = item.get("fix")
    autofix = _autofix(fix, name) if isinstance(fix, dict) else None
    return Finding(
        _text(item, "rule"), _text(item, "name") or (rule.name if rule else ""), _text(item, "checklist"), severity,
        _text(item, "path"), _span(item), _text(item, "message"), _text(fix, "text") if isinstance(fix, dict) else
        _text(item, "fix"), tuple(Related(_text(r, "path"), _span(r), _text(r, "message")) for r in related),
        key=STORED_KEY + fingerprint, autofix=autofix,
    )


def _autofix(fix: dict[str, Any], name: str) -> Fix:
    """A finding's edits as the JSON report writes them (`fix: {safety, description, edits, text}`)."""
    edits = fix.get("edits", [])
    if not isinstance(edits, list) or not all(
            isinstance(e, dict) and all(_is_number(e.get(k)) for k in ("line", "column", "end_line", "end_column"))
            and isinstance(e.get("old"), str) and isinstance(e.get("new"), str) for e in edits):
        raise MergeError(f"{name}: malformed fix edits")
    return Fix(_text(fix, "description"),
               tuple(Edit(e["line"], e["column"], e["end_line"], e["end_column"], e["old"], e["new"]) for e in edits),
               _text(fix, "safety") or "safe")


def merge_scan(texts: Iterable[tuple[str, str]], catalog: Catalog) -> MergedScan:
    """The shards' reports as the ScanResult of the whole scan: what SARIF and the readiness report render.

    Needs the details a shard report keeps under `shard` (the rules in force, the artifacts, fingerprints);
    the rules are looked up in `catalog`, so it must hold the rules the shards ran (same --rules).
    """
    shards = [read_shard(name, text) for name, text in texts]
    if not shards:
        raise MergeError("no shard reports given")
    check_complete(shards)
    by_id = {rule.id: rule for rule in catalog.rules}
    findings: dict[str, Finding] = {}
    suppressed: dict[str, tuple[Finding, str]] = {}
    errors: dict[str, ScanError] = {}
    artifacts: dict[tuple[str, str], Artifact] = {}
    facts: dict[str, dict[str, Any]] = {}
    rule_ids: list[str] = []
    replay = {"fail_on": "", "command": ""}
    for shard in shards:
        d = shard.details
        details, rules, shard_artifacts, hidden = (d.get(key) for key in ("finding_details", "rules", "artifacts", "suppressed"))
        if not (isinstance(details, list) and len(details) == len(shard.findings) and isinstance(rules, list)
                and isinstance(shard_artifacts, list) and isinstance(hidden, list)
                and all(isinstance(x, dict) for x in [*details, *shard_artifacts, *hidden])):
            raise MergeError(f"{shard.name}: the shard report lacks what SARIF and the readiness report need "
                             "(written by an older readycheck? run the shards again)")
        for key in replay:
            value = d.get(key)
            if isinstance(value, str) and not replay[key]:
                replay[key] = value
        rule_ids += [r for r in rules if isinstance(r, str) and r not in rule_ids]
        for item, detail in zip(shard.findings, details, strict=True):
            findings.setdefault(json.dumps(item, sort_keys=True), _finding(item, detail, by_id, shard.name))
        for item in hidden:
            suppressed.setdefault(json.dumps(item, sort_keys=True),
                                  (_finding(item, item, by_id, shard.name), _text(item, "reason")))
        for e in shard.errors:
            line = e.get("line")
            errors.setdefault(json.dumps(e, sort_keys=True), ScanError(
                _text(e, "path"), line if _is_number(line) else None, _text(e, "message")))
        for a in shard_artifacts:
            artifacts.setdefault((_text(a, "path"), _text(a, "kind")), Artifact(_text(a, "path"), _text(a, "kind")))
        shard_facts = d.get("facts")
        for fact in shard_facts if isinstance(shard_facts, list) else []:
            if isinstance(fact, dict):
                facts.setdefault(json.dumps(fact, sort_keys=True), fact)
    unknown = [r for r in rule_ids if r not in by_id]
    if unknown:
        raise MergeError(f"rules {', '.join(unknown[:5])} are not in the catalog (give merge the shards' --rules)")
    catalog_order = {rule.id: n for n, rule in enumerate(catalog.rules)}
    result = ScanResult(
        findings=sorted(findings.values(), key=Finding.sort_key),
        errors=sorted(errors.values(), key=lambda e: (e.path, e.line or 0, e.message)),
        files=sum(s.files for s in shards),
        suppressed=sorted(suppressed.values(), key=lambda item: item[0].sort_key()),
        rules=sorted((by_id[r] for r in rule_ids), key=lambda rule: catalog_order[rule.id]),
        artifacts=sorted(artifacts.values(), key=lambda a: (a.path, a.kind)),
        facts=sorted(facts.values(), key=lambda f: (str(f.get("type")), str(f.get("path")))),
    )
    return MergedScan(result, replay["fail_on"] or "error", replay["command"] or "readycheck check .")
