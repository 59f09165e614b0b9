"""Baselines: adopt readycheck in an old repository without fixing everything first.

`readycheck baseline` records today's findings by their line-independent
fingerprint; `readycheck check --baseline FILE` hides those and reports only
new ones. Entries that no longer occur are listed so the file can be pruned.
Matching counts occurrences: two identical findings need two entries.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from readycheck import __version__, jsontext
from readycheck.fingerprint import stable_fingerprint
from readycheck.model import Finding

BASELINE_VERSION = 1


class BaselineError(Exception):
    """The baseline file is missing or not one readycheck wrote."""


@dataclass
class BaselineEntry:
    fingerprint: str
    rule: str
    path: str
    line: int
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"fingerprint": self.fingerprint, "rule": self.rule, "path": self.path, "line": self.line, "message": self.message}


@dataclass
class BaselineOutcome:
    kept: list[Finding] = field(default_factory=list)
    hidden: list[Finding] = field(default_factory=list)
    stale: list[BaselineEntry] = field(default_factory=list)


def render(findings: list[Finding]) -> str:
    entries = [
        BaselineEntry(stable_fingerprint(f), f.rule, f.path, f.span.line, f.message).as_dict()
        for f in sorted(findings, key=Finding.sort_key)
    ]
    document = {"version": BASELINE_VERSION, "tool": {"name": "readycheck", "version": __version__}, "findings": entries}
    from readycheck.neutralise import json_text  # a committed file people cat: the reports' JSON escaping

    return json_text(jsontext.dumps(document)) + "\n"


def load(path: str | Path) -> list[BaselineEntry]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BaselineError(f"{path}: baseline file not found") from None
    except (OSError, ValueError) as exc:
        raise BaselineError(f"{path}: cannot read the baseline ({exc})") from None
    return load_text(text, str(path))


def load_text(text: str, path: str = "baseline") -> list[BaselineEntry]:
    """The entries of a baseline file; BaselineError (never another exception) when it is not one readycheck wrote."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise BaselineError(f"{path}: not a readable JSON baseline ({exc})") from None
    except RecursionError:
        raise BaselineError(f"{path}: not a readable JSON baseline (nested too deeply)") from None
    if not isinstance(data, dict) or data.get("version") != BASELINE_VERSION or not isinstance(data.get("findings"), list):
        raise BaselineError(f"{path}: not a readycheck baseline (version {BASELINE_VERSION})")
    entries: list[BaselineEntry] = []
    for number, item in enumerate(data["findings"], start=1):
        if not isinstance(item, dict) or not isinstance(item.get("fingerprint"), str):
            raise BaselineError(f"{path}: every entry needs a fingerprint (entry {number} has none)")
        line = item.get("line") or 0
        texts = [item.get(key, "") for key in ("rule", "path", "message")]
        if not isinstance(line, int) or isinstance(line, bool) or not all(isinstance(t, str) for t in texts):
            raise BaselineError(f"{path}: entry {number} is malformed (rule, path and message are text, line a number)")
        entries.append(BaselineEntry(item["fingerprint"], texts[0], texts[1], line, texts[2]))
    return entries


def apply(findings: list[Finding], entries: list[BaselineEntry]) -> BaselineOutcome:
    """Split findings into new ones and baselined ones; entries left over are stale."""
    available = Counter(e.fingerprint for e in entries)
    outcome = BaselineOutcome()
    for finding in findings:
        fingerprint = stable_fingerprint(finding)
        if available[fingerprint] > 0:
            available[fingerprint] -= 1
            outcome.hidden.append(finding)
        else:
            outcome.kept.append(finding)
    for entry in entries:
        if available[entry.fingerprint] > 0:
            available[entry.fingerprint] -= 1
            outcome.stale.append(entry)
    return outcome
