"""The readiness model: a verdict, scores per checklist, artifacts against checklists.

The report formats (text, Markdown, HTML) all render this one model, so they
agree on every number. The score formula is documented in the README:

    penalty P = 10 x errors + 3 x warnings + 1 x notes
    half    H = 20 x artifacts judged (by the checklist; overall: all artifacts)
    score     = 100 x H / (H + P), times 0.79 when blocked, rounded

"Blocked" is a checklist with a finding at or above --fail-on, or (overall) a
verdict of "not ready". Every finding lowers the score and an error lowers it
more than a warning, so 589 blocking findings never score like 9; the factor
keeps anything blocked below 80 (grade C or worse).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from readycheck.compare import Comparison, PreviousFinding, compare
from readycheck.model import CHECKLISTS, SEVERITY_RANK, Finding, ScanError, ScanResult

WEIGHTS = {"error": 10, "warning": 3, "note": 1}
HALF_PER_ARTIFACT = 20
"""The penalty per artifact judged that halves a score: two errors on each artifact give 50."""
BLOCKED_FACTOR = 0.79
"""A blocked score is scaled into 0-79, so it stays below grade B and still falls with every finding."""
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


def score(findings: list[Finding], artifacts: int, blocked: bool) -> int:
    """The documented formula: more findings and worse ones always mean a lower (or equal, once rounded) score."""
    penalty = sum(WEIGHTS[f.severity] for f in findings)
    half = HALF_PER_ARTIFACT * max(artifacts, 1)
    value = 100 * half / (half + penalty)
    return round(value * BLOCKED_FACTOR if blocked else value)


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
class FixGroup:
    """One rule's findings (within one service, when the scan has a service map): its fix said once."""

    rule: str
    name: str
    checklist: str
    severity: str
    fix: str
    blocking: bool
    findings: list[Finding]
    service: str = ""
    """The service the findings belong to; "" when the scan has no service map."""

    @property
    def key(self) -> tuple[str, str]:
        return (self.service, self.rule)

    @property
    def anchor(self) -> str:
        """An HTML id: rule ids and service names are reduced to letters, digits and dashes."""
        raw = f"fix-{self.service}-{self.rule}" if self.service else f"fix-{self.rule}"
        return "".join(c if c.isascii() and (c.isalnum() or c == "-") else "-" for c in raw)


def fix_groups(findings: list[Finding], fail_on: str, service_of: Callable[[str], str] | None = None) -> list[FixGroup]:
    """What to fix first: findings grouped by (service, rule), blocking first, then worse severity, then more findings.

    `service_of` maps a finding's path to its service; without it every group has service "".
    """
    groups: dict[tuple[str, str], FixGroup] = {}
    for f in findings:
        service = service_of(f.path) if service_of else ""
        group = groups.get((service, f.rule))
        if group is None:
            group = groups[(service, f.rule)] = FixGroup(
                f.rule, f.name, f.checklist, f.severity, f.fix, is_blocking(f, fail_on), [], service
            )
        group.findings.append(f)
        if SEVERITY_RANK[f.severity] > SEVERITY_RANK[group.severity]:  # a rule whose severity was raised by config
            group.severity = f.severity
            group.blocking = group.blocking or is_blocking(f, fail_on)
        if not group.fix and f.fix:
            group.fix = f.fix
    return sorted(
        groups.values(),
        key=lambda g: (not g.blocking, -SEVERITY_RANK[g.severity], -len(g.findings), g.rule, g.service),
    )


_STATUS_ORDER = {FAIL: 0, WARN: 1, PASS: 2, NOT_APPLICABLE: 3}


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
    groups: list[FixGroup] = field(default_factory=list)
    comparison: Comparison | None = None

    @property
    def artifacts_failing_first(self) -> list[Artifact]:
        """Failing artifacts, then those with warnings only, then passing ones; by path within each."""
        def worst(a: Artifact) -> int:
            return min((_STATUS_ORDER[a.status(c, self.fail_on)] for c in a.checklists), default=3)

        return sorted(self.artifacts, key=lambda a: (worst(a), a.path))

    def artifact_status(self, artifact: Artifact) -> str:
        """The artifact's worst status over its checklists."""
        statuses = {artifact.status(c, self.fail_on) for c in artifact.checklists}
        return next((s for s in (FAIL, WARN, PASS) if s in statuses), NOT_APPLICABLE)

    @property
    def severity_totals(self) -> Counter[str]:
        total: Counter[str] = Counter()
        for c in self.checklists:
            total.update(c.counts)
        return total

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


def build(
    result: ScanResult,
    fail_on: str,
    command: str,
    link_base: str = "",
    previous: list[PreviousFinding] | None = None,
    service_of: Callable[[str], str] | None = None,
    previous_source: str = "",
) -> Readiness:
    """The model every readiness format renders; `previous` (from --compare) adds new / fixed / unchanged."""
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
        blocked = any(is_blocking(f, fail_on) for f in found)
        scores.append(ChecklistScore(checklist, score(found, applies, blocked), applies, Counter(f.severity for f in found)))
    blocking = [f for f in result.findings if is_blocking(f, fail_on)]
    other = [f for f in result.findings if not is_blocking(f, fail_on)]
    ready = not blocking and not result.errors
    overall = score(result.findings, len(artifacts), not ready) if scores else None
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
        groups=fix_groups(result.findings, fail_on, service_of),
        comparison=compare(result.findings, previous, previous_source) if previous is not None else None,
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
