"""The JSON report of CONTRACT.md."""

from __future__ import annotations

from typing import Any

from readycheck import __version__, jsontext
from readycheck.model import ScanResult
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
        report["shard"] = {"k": k, "n": n, "scan": scan}
    return report


def render(result: ScanResult) -> str:
    return json_text(jsontext.dumps(as_dict(result))) + "\n"
