"""`readycheck merge`: the JSON reports of several shards as one report.

Findings and errors are deduplicated and put back in the contract's order, so
merging the shards of a scan gives exactly the report of the unsharded scan.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from readycheck import __version__


class MergeError(ValueError):
    pass


def _finding_order(f: dict[str, Any]) -> tuple[Any, ...]:
    return (f.get("path", ""), f.get("line", 0), f.get("column", 0), f.get("rule", ""), f.get("message", ""))


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
        except (ValueError, KeyError, TypeError, AttributeError):
            raise MergeError(f"{name}: not a readycheck JSON report") from None
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
