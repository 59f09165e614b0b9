"""The JSON report of CONTRACT.md."""

from __future__ import annotations

from typing import Any

from readycheck import __version__, jsontext
from readycheck.model import Finding, ScanResult
from readycheck.neutralise import json_text


def as_dict(result: ScanResult) -> dict[str, Any]:
    report: dict[str, Any] = {
        "tool": {"name": "readycheck", "version": __version__},
        "findings": [_finding(f) for f in result.findings],
        "errors": [e.as_dict() for e in result.errors],
        "summary": {"files": result.files, "findings": len(result.findings), "errors": len(result.errors)},
    }
    if result.shard is not None:
        k, n, scan = result.shard
        report["shard"] = {"k": k, "n": n, "scan": scan}
    return report


def _finding(finding: Finding) -> dict[str, Any]:
    """A finding; one across artifacts (a service rule's) names its other end as `related` (CONTRACT.md)."""
    data = finding.as_dict()
    if finding.extra.get("across"):
        data["related"] = [{"path": r.path, "line": r.span.line, "message": r.message} for r in finding.related]
    return data


def render(result: ScanResult) -> str:
    return json_text(jsontext.dumps(as_dict(result))) + "\n"
