"""`readycheck merge`: the JSON reports of several shards as one report.

Findings and errors are deduplicated and put back in the contract's order, so
merging the shards of a scan gives exactly the report of the unsharded scan.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from readycheck import __version__


class MergeError(ValueError):
    pass


def _finding_order(f: dict[str, Any]) -> tuple[Any, ...]:
    return (f.get("path", ""), f.get("line", 0), f.get("column", 0), f.get("rule", ""), f.get("message", ""))


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
    """(name, JSON text) of each shard's report, merged."""
    findings: dict[str, dict[str, Any]] = {}
    errors: dict[str, dict[str, Any]] = {}
    files = 0
    for name, text in texts:
        try:
            report = json.loads(text)
            shard_findings = report["findings"]
            shard_errors = report.get("errors", [])
            files += int(report.get("summary", {}).get("files", 0))
        except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
            raise MergeError(f"{name}: not a readycheck JSON report") from None
        problem = _malformed(shard_findings, shard_errors)
        if problem:
            raise MergeError(f"{name}: not a readycheck JSON report ({problem})")
        for f in shard_findings:
            findings.setdefault(json.dumps(f, sort_keys=True), f)
        for e in shard_errors:
            errors.setdefault(json.dumps(e, sort_keys=True), e)
    ordered = sorted(findings.values(), key=_finding_order)
    ordered_errors = sorted(errors.values(), key=lambda e: (e.get("path", ""), e.get("line") or 0, e.get("message", "")))
    return {
        "tool": {"name": "readycheck", "version": __version__},
        "findings": ordered,
        "errors": ordered_errors,
        "summary": {"files": files, "findings": len(ordered), "errors": len(ordered_errors)},
    }
