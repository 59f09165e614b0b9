"""The readiness model: a verdict, scores per checklist, artifacts against checklists.

The report formats (text, Markdown, HTML) all render this one model, so they
agree on every number. The score formula is documented in the README:

    per checklist: 100 - (sum of finding weights) / (artifacts it applies to),
    weights error 20, warning 5, note 1, floored at 0, rounded; a checklist
    with a blocking finding (at or above --fail-on) scores at most 79 (grade C);
    overall: the mean of the scores of the checklists that apply, at most 79
    when the verdict is "not ready".
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from readycheck.model import CHECKLISTS, SEVERITY_RANK, Finding, ScanError, ScanResult

WEIGHTS = {"error": 20, "warning": 5, "note": 1}
BLOCKED_CAP = 79
GRADES = ((90, "A"), (80, "B"), (70, "C"), (60, "D"), (0, "F"))
PASS, WARN, FAIL, NOT_APPLICABLE = "pass", "warn", "fail", "n/a"
"""An artifact against a checklist: no finding; findings below --fail-on only; one at or above it; not judged."""

KIND_LABELS = {
    "dockerfile": "Dockerfile",
    "workflow": "GitHub workflow",
    "action": "composite action",
    "helm": "Helm chart",
    "kubernetes": "Kubernetes manifest",
    "compose": "compose file",
    "env-schema": "env schema",
    "env-file": "env file",
    "secret-file": "secret file",
}


def grade(score: int) -> str:
    return next(letter for floor, letter in GRADES if score >= floor)


def is_blocking(finding: Finding, fail_on: str) -> bool:
    return fail_on != "never" and SEVERITY_RANK[finding.severity] >= SEVERITY_RANK[fail_on]


@dataclass
class Artifact:
    """One file (or chart) the scan judged, and which checklists apply to it."""

    path: str
    kind: str
    checklists: set[str] = field(default_factory=set)
    findings: list[Finding] = field(default_factory=list)

    @property
    def label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    def status(self, checklist: str, fail_on: str) -> str:
        """PASS only when the checklist holds: a warning (a missing HEALTHCHECK) is WARN, not a pass."""
        if checklist not in self.checklists:
            return NOT_APPLICABLE
        found = [f for f in self.findings if f.checklist == checklist]
        if any(is_blocking(f, fail_on) for f in found):
            return FAIL
        return WARN if found else PASS


@dataclass
class ChecklistScore:
    name: str
    score: int
    artifacts: int
    counts: Counter[str]

    @property
    def grade(self) -> str:
        return grade(self.score)

    @property
    def clean(self) -> bool:
        return not sum(self.counts.values())


@dataclass
class Readiness:
    ready: bool
    fail_on: str
    score: int | None
    checklists: list[ChecklistScore]
    artifacts: list[Artifact]
    blocking: list[Finding]
    other: list[Finding]
    suppressed: list[tuple[Finding, str]]
    errors: list[ScanError]
    files: int
    command: str
    link_base: str = ""
    service_map: dict[str, Any] | None = None
    """The service map (readycheck.services) when the tree links artifacts; None otherwise (no section shown)."""

    @property
    def grade(self) -> str | None:
        return grade(self.score) if self.score is not None else None

    @property
    def applicable_checklists(self) -> list[str]:
        return [c.name for c in self.checklists]

    @property
    def ready_checklists(self) -> list[ChecklistScore]:
        return [c for c in self.checklists if c.clean]

    def link(self, path: str, line: int | None) -> str:
        """The file's URL: its path percent-encoded after a relative or http(s) base (see readycheck.neutralise)."""
        from readycheck.neutralise import file_url

        return file_url(self.link_base, path, line)


def _owner(path: str, artifacts: dict[str, Artifact]) -> Artifact | None:
    """The artifact a finding belongs to: its own file, else the nearest enclosing artifact directory."""
    if path in artifacts:
        return artifacts[path]
    for parent in PurePosixPath(path).parents:
        if str(parent) in artifacts:
            return artifacts[str(parent)]
    return None


RULE_KIND_ALIASES = {"action": ("workflow",), "helm": ("kubernetes",)}
"""Rule kinds that usually judge an artifact kind besides its own, for when no loaded document says so."""


def _rule_kinds_by_name(kind: str, rule_kinds: set[str]) -> set[str]:
    """Which rule kinds judge an artifact kind, from names alone: `env` judges `env-file` and `env-schema`."""
    return {k for k in rule_kinds if k == kind or kind.startswith(k + "-") or k in RULE_KIND_ALIASES.get(kind, ())}


def _artifacts(result: ScanResult) -> dict[str, Artifact]:
    """Every artifact checked, with the checklists of the rules that judge it (rule kinds matched by name)."""
    checklists_of: dict[str, set[str]] = {}
    for rule in result.rules:
        checklists_of.setdefault(rule.kind, set()).add(rule.checklist)
    artifacts: dict[str, Artifact] = {}
    for item in result.artifacts:
        artifacts.setdefault(item.path, Artifact(item.path, item.kind))
    for artifact in artifacts.values():
        for kind in _rule_kinds_by_name(artifact.kind, set(checklists_of)):
            artifact.checklists |= checklists_of.get(kind, set())
    return artifacts


def build(result: ScanResult, fail_on: str, command: str, link_base: str = "") -> Readiness:
    artifacts = _artifacts(result)
    rule_kind = {rule.id: rule.kind for rule in result.rules}
    for finding in result.findings:
        owner = _owner(finding.path, artifacts)
        if owner is None:
            owner = artifacts.setdefault(finding.path, Artifact(finding.path, rule_kind.get(finding.rule, "")))
        owner.checklists.add(finding.checklist)
        owner.findings.append(finding)

    scores: list[ChecklistScore] = []
    for checklist in CHECKLISTS:
        applies = sum(1 for a in artifacts.values() if checklist in a.checklists)
        if not applies:
            continue
        found = [f for f in result.findings if f.checklist == checklist]
        penalty = sum(WEIGHTS[f.severity] for f in found)
        score = max(0, round(100 - penalty / applies))
        if any(is_blocking(f, fail_on) for f in found):
            score = min(score, BLOCKED_CAP)
        scores.append(ChecklistScore(checklist, score, applies, Counter(f.severity for f in found)))
    overall = round(sum(c.score for c in scores) / len(scores)) if scores else None
    blocking = [f for f in result.findings if is_blocking(f, fail_on)]
    other = [f for f in result.findings if not is_blocking(f, fail_on)]
    ready = not blocking and not result.errors
    if overall is not None and not ready:
        overall = min(overall, BLOCKED_CAP)
    return Readiness(
        ready=ready,
        fail_on=fail_on,
        score=overall,
        checklists=scores,
        artifacts=sorted(artifacts.values(), key=lambda a: a.path),
        blocking=blocking,
        other=other,
        suppressed=list(result.suppressed),
        errors=list(result.errors),
        files=result.files,
        command=command,
        link_base=link_base,
    )


def verdict_sentence(model: Readiness) -> str:
    if model.ready:
        return f"Ready: nothing at or above the `{model.fail_on}` level." if model.fail_on != "never" else "Ready: failing is turned off (`--fail-on never`)."
    parts = []
    if model.blocking:
        n = len(model.blocking)
        parts.append(f"{n} finding{'s' if n != 1 else ''} at or above `{model.fail_on}`")
    if model.errors:
        n = len(model.errors)
        parts.append(f"{n} file{'s' if n != 1 else ''} could not be checked")
    return "Not ready: " + " and ".join(parts) + "."
