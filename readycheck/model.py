"""The plain data that flows between the stages of a scan.

The catalog makes Rules, loaders make Documents, evaluation makes Findings, a scan
makes a ScanResult, reporters read it. Nothing here imports a parser, another
readycheck module or a third-party library, so every stage can depend on it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

SEVERITIES = ("error", "warning", "note")
SEVERITY_RANK = {"note": 1, "warning": 2, "error": 3}

CHECKLISTS = (
    "pinned-versions",
    "non-root",
    "healthcheck",
    "probes",
    "resource-limits",
    "graceful-shutdown",
    "no-baked-secrets",
    "least-privilege",
    "supply-chain",
    "config",
    "availability",
    "delivery",
    "image-hygiene",
    "observability",
)

Pointer = tuple[Any, ...]
"""A path into a document's data: keys and list indexes, e.g. ("stages", 0, "base")."""

V = TypeVar("V")


def nearest(mapping: Mapping[Pointer, V], pointer: Pointer) -> tuple[Pointer, V] | None:
    """The nearest of `pointer` and its ancestors that `mapping` holds (a location, a file, a related place), with its value.

    The one walk up a pointer: findings, display paths and related places all land on the
    deepest part of a document that has an entry. A value of None counts as no entry.
    """
    p = tuple(pointer)
    while True:
        value = mapping.get(p)
        if value is not None:
            return p, value
        if not p:
            return None
        p = p[:-1]


@dataclass(frozen=True)
class Span:
    """1-based lines and columns in a file."""

    line: int
    column: int = 1
    end_line: int | None = None

    @property
    def last_line(self) -> int:
        return self.end_line if self.end_line is not None else self.line


@dataclass(frozen=True)
class Related:
    """A second place that explains a finding (a template line behind a values line)."""

    path: str
    span: Span
    message: str = ""


@dataclass
class ScanError:
    """A file that could not be read, parsed or rendered. The scan goes on."""

    path: str
    line: int | None
    message: str
    transient: bool = False
    """Caused by this run (a time limit on a busy machine), not by the file: never cached."""

    def as_dict(self) -> dict[str, Any]:
        return {"path": self.path, "line": self.line, "message": self.message}


FIX_SAFETIES = ("safe", "unsafe")
"""A safe fix keeps what the file means and is applied by `check --fix`; an unsafe one changes behaviour (it
needs review) and is applied only with `--unsafe-fixes`."""


@dataclass(frozen=True)
class Edit:
    """Replace `old` at 1-based (line, column) up to (end_line, end_column), end exclusive, with `new`.

    Positions are in the file's text as loaders see it (lines split at any newline, columns in characters);
    `old` is what must be there, so an edit never lands on text it was not made for.
    """

    line: int
    column: int
    end_line: int
    end_column: int
    old: str
    new: str

    @classmethod
    def insert(cls, line: int, column: int, new: str) -> Edit:
        return cls(line, column, line, column, "", new)

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "column": self.column, "end_line": self.end_line, "end_column": self.end_column,
                "old": self.old, "new": self.new}


@dataclass(frozen=True)
class Fix:
    """The edits that make one finding go away, and whether applying them unreviewed is safe.

    `digest` (set by evaluation) fingerprints the text the edits were made against: a file that changed since
    it was scanned is never edited.
    """

    description: str
    edits: tuple[Edit, ...]
    safety: str = "safe"
    digest: str = ""

    @classmethod
    def refused(cls, why: str) -> Fix:
        """No fix here, and why (a check says so; `check --show-fixes` shows it): a Fix without edits."""
        return cls(why, (), "unsafe")

    def as_dict(self) -> dict[str, Any]:
        return {"safety": self.safety, "description": self.description, "edits": [e.as_dict() for e in self.edits]}


@dataclass
class Finding:
    """One rule violated at one place."""

    rule: str
    name: str
    checklist: str
    severity: str
    path: str
    span: Span
    message: str
    fix: str = ""
    related: tuple[Related, ...] = ()
    key: str = ""
    """What the finding is about, independent of its line (for fingerprints and baselines)."""
    extra: dict[str, Any] = field(default_factory=dict)
    autofix: Fix | None = None
    """The edits that fix it, when the rule has a fix and this file allows one (edits apply to `path`)."""

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.path, self.span.line, self.span.column, self.rule, self.message)

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "name": self.name,
            "checklist": self.checklist,
            "severity": self.severity,
            "path": self.path,
            "line": self.span.line,
            "column": self.span.column,
            "end_line": self.span.last_line,
            "message": self.message,
            "fix": self.autofix.as_dict() | {"text": self.fix} if self.autofix else self.fix,
        }


class Document:
    """A loaded file: a JSON-like model plus where each part of it came from.

    `locations` maps a Pointer into `data` to the Span of that part in the file.
    Subclasses (one per kind) say which subjects each rule target sees.
    """

    kind: str = ""
    text_is_file = False
    """`text` is the file at `path` as read (not a rendering of templates): edits at its spans may fix the file."""
    rule_kinds: tuple[str, ...] = ()
    """Which rules judge this document, by the first part of their target; default: (kind,)."""
    object_keys = False
    """Its subjects' keys are kind/namespace/name[/container] (Kubernetes objects): the config's
    `kubernetes.ignore` entries apply to it."""

    def __init__(self, path: str, text: str, data: Any, locations: dict[Pointer, Span]) -> None:
        self.path = path
        self.text = text
        self.data = data
        self.locations = locations
        self.scope: Scope | None = None
        self._lines: list[str] | None = None
        self._subjects: dict[str, list[Subject]] = {}

    @property
    def lines(self) -> list[str]:
        if self._lines is None:
            self._lines = self.text.splitlines()
        return self._lines

    def span_of(self, pointer: Pointer) -> Span | None:
        """The location of `pointer`, or of its nearest ancestor that has one."""
        found = nearest(self.locations, pointer)
        return found[1] if found is not None else None

    def subjects(self, target: str) -> Iterator[Subject]:
        """The things a rule with this target looks at, built once per target: dozens of rules share them."""
        if target not in self._subjects:
            self._subjects[target] = list(self.build_subjects(target))
        return iter(self._subjects[target])

    def build_subjects(self, target: str) -> Iterator[Subject]:
        """What each kind of document overrides: the subjects of a target. Unknown targets see nothing."""
        return iter(())

    def carried_suppressions(self) -> list[CarriedSuppression]:
        """Suppressions the document itself carries (a Kubernetes annotation, an exemption of its kind); none by
        default. readycheck.suppression decides what they silence."""
        return []

    def related_for(self, pointer: Pointer) -> tuple[Related, ...]:
        """Second places that explain a finding at `pointer` (a template line behind a values line)."""
        return ()

    def display_path_for(self, pointer: Pointer) -> str:
        """The file a pointer's location belongs to (a chart maps into several files)."""
        return self.path

    def provenance_for(self, pointer: Pointer) -> str:
        """Where a value at `pointer` came from when no file says it (a chart's `--set`); "" by default."""
        return ""


SubjectData = TypeVar("SubjectData")


@dataclass
class Subject(Generic[SubjectData]):
    """One thing a rule judges: a stage, an instruction, a job, a container...

    `data` is what a rule's JSON Schema validates, of the type readycheck.targets
    declares for the rule's target (`Subject[Stage]`); `pointer` says where it
    sits in the document so that findings get a location; `owner` is where a
    finding about something *missing* points (CONTRACT.md: the nearest owner).
    """

    doc: Document
    data: SubjectData
    pointer: Pointer
    owner: Pointer | None = None
    key: str = ""
    context: dict[str, Any] = field(default_factory=dict)

    def span(self, at: Pointer | None = None) -> Span:
        pointer = self.pointer + tuple(at) if at is not None else (self.owner if self.owner is not None else self.pointer)
        return self.doc.span_of(pointer) or Span(1)


@dataclass
class Hit:
    """What a check function reports: a message and, optionally, where (relative to the subject)."""

    message: str
    at: Pointer | None = None
    span: Span | None = None
    severity: str | None = None
    key: str = ""
    path: str | None = None
    related: tuple[Related, ...] = ()
    fix: Fix | None = None
    """Edits of the subject document's text that remove this hit (kept only when the rule declares fix_safety)."""


class Scope:
    """Documents that are judged together (one directory, one rendered chart)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.documents: list[Document] = []

    def of_kind(self, kind: str) -> list[Document]:
        return [d for d in self.documents if d.kind == kind]


@dataclass(frozen=True)
class CarriedSuppression:
    """A suppression held in a document's own data rather than in a comment.

    It silences findings with one of `selectors` (rule id, name, checklist, kind, `*` or `all`) on the subjects
    whose key (kind/namespace/name[/container]) has the parts `subject` names, None matching any (a `subject` of
    None: the whole document). `origin` (path, line, where) is set
    when its authors wrote the selectors, so an unknown one is an error and strict mode turns it off.
    """

    selectors: frozenset[str]
    reason: str
    subject: tuple[str | None, ...] | None = None
    origin: tuple[str, int | None, str] | None = None


@dataclass
class Rule:
    """One rule file, parsed: what it judges, how, and its documentation."""

    id: str
    name: str
    checklist: str
    severity: str
    target: str
    summary: str
    why: str
    fix: str
    examples: dict[str, str]
    source: Path
    message: str = ""
    match: dict[str, Any] | None = None
    schema: dict[str, Any] | None = None
    at: list[str | int] | None = None
    check: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    """Fixed arguments of the check function (one function serves several rules); users cannot change them."""
    options: dict[str, Any] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)
    precision: str = "high"
    security_severity: float | None = None
    references: list[str] = field(default_factory=list)
    enabled: bool = True
    """False: an opt-in rule, run only when selected by its id or name."""
    fix_safety: str | None = None
    """Whether the rule's findings carry edits that fix them: "safe", "unsafe" (the edits change behaviour), or None."""

    @property
    def kind(self) -> str:
        """The artifact kind this rule looks at: the first part of its target."""
        return self.target.split(".", 1)[0]

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "checklist": self.checklist,
            "severity": self.severity,
            "target": self.target,
            "summary": self.summary,
            "why": self.why,
            "fix": self.fix,
            "examples": dict(self.examples),
            "options": dict(self.options),
            "fix_safety": self.fix_safety,
        }


@dataclass(frozen=True)
class Skipped:
    """A file whose name looks like a kind but is not one (or, given by name, matches none), and why.

    `named` says it was given on the command line: that is always reported;
    files passed over in a walk are reported in verbose output only.
    """

    path: str
    reason: str
    named: bool = False


@dataclass(frozen=True)
class Artifact:
    """A file (or chart) that was checked, and its kind: what the readiness report lists."""

    path: str
    kind: str


@dataclass
class ScanResult:
    """What a scan found, what it could not check, and what it judged."""

    findings: list[Finding]
    errors: list[ScanError]
    files: int
    suppressed: list[tuple[Finding, str]] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    artifacts: list[Artifact] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    """Files discovery passed over, and why (said on stderr, not in the report formats)."""
    shard: tuple[int, int, str] | None = None
    """K, N and the scan id when this is one shard of a scan (`check --shard K/N`), for `merge` to check."""
