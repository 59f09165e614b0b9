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
    return ShardReport(name, k, n, scan, findings, errors, files)


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
