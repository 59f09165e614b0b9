"""The plain data that flows between the stages of a scan.

Loaders make Documents, the engine makes Findings, reporters read both.
Nothing here imports a parser or a third-party library, so the types stay cheap.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
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
            "fix": self.fix,
        }


class Document:
    """A loaded file: a JSON-like model plus where each part of it came from.

    `locations` maps a Pointer into `data` to the Span of that part in the file.
    Subclasses (one per kind) say which subjects each rule target sees.
    """

    kind: str = ""
    rule_kinds: tuple[str, ...] = ()
    """Which rules judge this document, by the first part of their target; default: (kind,)."""

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

    def suppression_reason(self, finding: Finding) -> str | None:
        """Suppressions the document itself carries (e.g. a Kubernetes annotation). None by default."""
        return None

    def carried_selectors(self) -> Iterator[tuple[str, int | None, str, str]]:
        """The rule selectors those suppressions name, as (path, line, selector, where), to check them."""
        return iter(())

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


class Scope:
    """Documents that are judged together (one directory, one rendered chart)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.documents: list[Document] = []

    def of_kind(self, kind: str) -> list[Document]:
        return [d for d in self.documents if d.kind == kind]
