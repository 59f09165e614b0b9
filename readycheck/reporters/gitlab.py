"""GitLab Code Quality: the JSON array GitLab reads from a `codequality` report artifact.

Each finding is one issue with a description, the rule as `check_name`, a stable fingerprint (the baseline's,
so an issue keeps it when lines move) and the location's path and first line. Files that could not be
checked are issues of their own (`readycheck-error`), so the merge request shows them too.
"""

from __future__ import annotations

import hashlib
from typing import Any

from readycheck import jsontext
from readycheck.fingerprint import stable_fingerprint
from readycheck.model import ScanResult
from readycheck.neutralise import json_text

SEVERITY = {"error": "critical", "warning": "major", "note": "minor"}


def as_list(result: ScanResult) -> list[dict[str, Any]]:
    issues: list[dict[str, Any]] = [
        {
            "type": "issue",
            "description": f"{f.rule} {f.name}: {f.message}",
            "check_name": f.rule,
            "categories": [f.checklist],
            "fingerprint": stable_fingerprint(f),
            "severity": SEVERITY[f.severity],
            "location": {"path": f.path, "lines": {"begin": f.span.line, "end": f.span.last_line}},
        }
        for f in result.findings
    ]
    for error in result.errors:
        digest = hashlib.sha256(f"error\0{error.path}\0{error.message}".encode(errors="surrogatepass")).hexdigest()
        issues.append({
            "type": "issue",
            "description": f"could not be checked: {error.message}",
            "check_name": "readycheck-error",
            "categories": ["Bug Risk"],
            "fingerprint": digest[:32],
            "severity": "critical",
            "location": {"path": error.path, "lines": {"begin": error.line or 1}},
        })
    return issues


def render(result: ScanResult) -> str:
    return json_text(jsontext.dumps(as_list(result))) + "\n"
