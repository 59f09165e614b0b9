"""`--compare PREVIOUS`: which findings are new, fixed or unchanged since a previous run.

PREVIOUS is a JSON report (`check --format json`) or a baseline file. A baseline
entry, or a JSON finding that carries a `fingerprint`, is matched by the baseline
fingerprint (readycheck.fingerprint.stable_fingerprint), which survives lines
moving. A JSON report as CONTRACT.md fixes it carries no fingerprint, so its
findings are matched by rule, path and message (the message names what the
finding is about, never its line). Matching counts: two identical findings
before and one now is one unchanged and one fixed.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from readycheck.fingerprint import stable_fingerprint
from readycheck.model import SEVERITY_RANK, Finding


class CompareError(ValueError):
    pass


@dataclass(frozen=True)
class PreviousFinding:
    """A finding of the previous run, as much of it as its report kept."""

    rule: str
    path: str
    line: int
    message: str
    severity: str = ""
    fingerprint: str = ""


@dataclass
class Comparison:
    source: str
    new: list[Finding]
    fixed: list[PreviousFinding]
    unchanged: list[Finding]


def _text(item: dict[str, Any], key: str) -> str:
    value = item.get(key, "")
    return value if isinstance(value, str) else ""


def load_text(text: str, name: str = "previous report") -> list[PreviousFinding]:
    """The findings of a JSON report or the entries of a baseline; CompareError when it is neither."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        raise CompareError(f"{name}: not JSON") from None
    items = data.get("findings", data.get("entries")) if isinstance(data, dict) else data
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise CompareError(f"{name}: neither a readycheck JSON report nor a baseline (no list of findings)")
    previous = []
    for item in items:
        line = item.get("line")
        severity = _text(item, "severity")
        previous.append(PreviousFinding(
            _text(item, "rule"), _text(item, "path"), line if isinstance(line, int) and not isinstance(line, bool) else 0,
            _text(item, "message"), severity if severity in SEVERITY_RANK else "", _text(item, "fingerprint"),
        ))
    return previous


def load(path: str) -> list[PreviousFinding]:
    try:
        return load_text(Path(path).read_text(encoding="utf-8"), path)
    except UnicodeDecodeError:
        raise CompareError(f"{path}: not UTF-8 text") from None


def compare(findings: list[Finding], previous: list[PreviousFinding], source: str = "") -> Comparison:
    """Split today's findings into new and unchanged, and list the previous ones that no longer occur."""
    by_fingerprint: dict[str, list[PreviousFinding]] = defaultdict(list)
    by_text: dict[tuple[str, str, str], list[PreviousFinding]] = defaultdict(list)
    for p in previous:
        if p.fingerprint:
            by_fingerprint[p.fingerprint].append(p)
        else:
            by_text[(p.rule, p.path, p.message)].append(p)
    new: list[Finding] = []
    unchanged: list[Finding] = []
    for f in findings:
        matches = by_fingerprint.get(stable_fingerprint(f)) or by_text.get((f.rule, f.path, f.message))
        if matches:
            matches.pop(0)
            unchanged.append(f)
        else:
            new.append(f)
    fixed = [p for bucket in (*by_fingerprint.values(), *by_text.values()) for p in bucket]
    fixed.sort(key=lambda p: (p.path, p.line, p.rule, p.message))
    return Comparison(source, new, fixed, unchanged)
