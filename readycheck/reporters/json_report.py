"""The JSON report of CONTRACT.md."""

from __future__ import annotations

from typing import Any

from readycheck import __version__, jsontext
from readycheck.model import Finding, ScanResult
from readycheck.neutralise import json_text


def as_dict(result: ScanResult) -> dict[str, Any]:
    report: dict[str, Any] = {
        "tool": {"name": "readycheck", "version": __version__},
        "findings": [f.as_dict() for f in result.findings],
        "errors": [e.as_dict() for e in result.errors],
        "summary": {"files": result.files, "findings": len(result.findings), "errors": len(result.errors)},
    }
    if result.shard is not None:
        k, n, scan = result.shard
        report["shard"] = {"k": k, "n": n, "scan": scan, **shard_details(result)}
    return report


def _related(finding: Finding) -> list[dict[str, Any]]:
    return [{"path": r.path, "line": r.span.line, "column": r.span.column, "end_line": r.span.last_line,
             "message": r.message} for r in finding.related]


def shard_details(result: ScanResult) -> dict[str, Any]:
    """What `readycheck merge` needs beyond the findings to write the whole scan's SARIF and readiness report.

    Kept inside `shard`, so a report without --shard keeps exactly CONTRACT.md's shape: the rules in force,
    the artifacts judged, each finding's fingerprint and related locations (in the order of `findings`), the
    suppressed findings, and the whole scan's fail-on level and command. A fingerprint is a digest, never
    the finding's key (which may quote a secret).
    """
    from readycheck.fingerprint import stable_fingerprint  # hashlib: only shard reports pay for it

    return {
        **result.replay,
        "rules": [rule.id for rule in result.rules],
        "artifacts": [{"path": a.path, "kind": a.kind} for a in result.artifacts],
        "finding_details": [{"fingerprint": stable_fingerprint(f), "related": _related(f)} for f in result.findings],
        "suppressed": [{**f.as_dict(), "fingerprint": stable_fingerprint(f), "related": _related(f), "reason": reason}
                       for f, reason in result.suppressed],
        "facts": result.facts,  # the service map's facts: the merged report draws the same map
    }


def render(result: ScanResult) -> str:
    return json_text(jsontext.dumps(as_dict(result))) + "\n"
