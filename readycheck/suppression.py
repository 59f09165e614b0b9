"""Suppression, in one place: what silences a finding, and why.

In order: what a document carries in its own data (a Kubernetes `readycheck.io/ignore` annotation, the
exemptions of a Docker container action's image), the config's `kubernetes.ignore` entries, the config's
`per-path-ignores`, and comments: `# readycheck: ignore=DF101,base-image-pinned` and
`# readycheck: ignore-file`. A comment alone on its line silences a finding on the line below it; a comment at
the end of a line of content silences that line only (never the next one). A baseline hides findings recorded
earlier. An unknown rule in a comment or an annotation is reported rather than silently dropped.
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from readycheck.model import CarriedSuppression, Document, Finding, ScanError, ScanResult
from readycheck.textio import LoadError, read_text, within

if TYPE_CHECKING:
    from readycheck.baseline import BaselineEntry
    from readycheck.catalog import Catalog
    from readycheck.config import Config

_DIRECTIVE = re.compile(r"#\s*readycheck:\s*(ignore-file|ignore)\b(?:\s*=\s*([A-Za-z0-9_,\- ]+))?")


@dataclass
class FileSuppressions:
    """What one file's comments silence: line -> selectors, and whole-file selectors."""

    by_line: dict[int, list[tuple[str, int]]] = field(default_factory=dict)
    whole_file: list[tuple[str, int]] = field(default_factory=list)
    file_all: bool = False
    trailing: set[int] = field(default_factory=set)
    """Lines whose comment follows content on the same line: it covers that line only."""

    def selectors_for(self, line: int) -> list[str]:
        chosen = [s for s, _ in self.by_line.get(line, [])]
        if line - 1 not in self.trailing:
            chosen += [s for s, _ in self.by_line.get(line - 1, [])]
        return chosen + [s for s, _ in self.whole_file]

    def all_selectors(self) -> list[tuple[str, int]]:
        found = [item for items in self.by_line.values() for item in items]
        return found + self.whole_file


ALL = "*"


def parse_suppressions(text: str) -> FileSuppressions:
    result = FileSuppressions()
    if "readycheck:" not in text:
        return result
    for number, line in enumerate(text.splitlines(), 1):
        if "readycheck:" not in line:
            continue
        match = _DIRECTIVE.search(line)
        if not match:
            continue
        directive, listed = match.groups()
        selectors = [s.strip() for s in (listed or "").split(",") if s.strip()]
        if directive == "ignore-file":
            if selectors:
                result.whole_file.extend((s, number) for s in selectors)
            else:
                result.file_all = True
        else:
            result.by_line.setdefault(number, []).extend((s, number) for s in selectors or [ALL])
            if line[:match.start()].strip():
                result.trailing.add(number)
    return result


class Suppressor:
    """Decides why a finding is silenced, if it is; reports selectors that name no rule.

    A finding's file that no document holds (a chart's values file) is read for its comments under the
    scanned `roots`, or as one of the `trusted` files the operator named (--values); never elsewhere.
    """

    def __init__(self, catalog: Catalog, config: Config, base: Path, roots: Iterable[Path] = (),
                 trusted: Iterable[str] = ()) -> None:
        self.catalog = catalog
        self.config = config
        self.base = base
        self.roots = sorted(set(roots))
        self.trusted = set(trusted)
        self.files: dict[str, FileSuppressions] = {}
        self.errors: list[ScanError] = []
        self.object_ignores = object_ignores(config)
        self.carried: dict[int, _CarriedIndex] = {}

    def _read(self, path: str) -> str:
        full = os.path.abspath(self.base / path)
        if os.path.realpath(full) in self.trusted:
            return read_text(full)
        for root in self.roots:
            if within(full, str(root)):
                return read_text(full, root=root)
        return ""

    def for_file(self, path: str, text: str | None = None) -> FileSuppressions:
        if path not in self.files:
            if text is None:
                try:
                    text = self._read(path)
                except LoadError:
                    text = ""
            parsed = parse_suppressions(text)
            for selector, line in parsed.all_selectors():
                if selector != ALL and self.catalog.resolve(selector) is None:
                    self.errors.append(ScanError(path, line, f"unknown rule '{selector}' in readycheck comment"))
            self.files[path] = parsed
        return self.files[path]

    def check_carried(self, doc: Document) -> None:
        """A selector a document's authors wrote (a Kubernetes ignore annotation) that names no rule is an error,
        as in a comment."""
        if self.config.strict:
            return
        for carried in doc.carried_suppressions():
            if carried.origin is None:
                continue
            path, line, where = carried.origin
            for selector in sorted(carried.selectors):
                if selector not in (ALL, "all") and self.catalog.resolve(selector) is None:
                    error = ScanError(path, line, f"unknown rule '{selector}' in {where}")
                    if error not in self.errors:
                        self.errors.append(error)

    def reason(self, finding: Finding, doc: Document | None = None) -> str | None:
        """Why `finding` is silenced (see the module's docstring for the order), or None."""
        rule = self.catalog.by_id.get(finding.rule)
        keys = {finding.rule, finding.name, finding.checklist, ALL} | ({rule.kind} if rule else set())
        if doc is not None:
            why = self._carried_reason(finding, doc, keys | {"all"})
            if why:
                return why
        for pattern, selectors in self.config.per_path_ignores.items():
            if fnmatch.fnmatch(finding.path, pattern) and keys & set(selectors):
                return f"config per-path-ignores {pattern}"
        sup = self.for_file(finding.path)
        if sup.file_all:
            return "readycheck: ignore-file"
        if keys & set(sup.selectors_for(finding.span.line)):
            return "readycheck: ignore comment"
        return None

    def _carried_reason(self, finding: Finding, doc: Document, keys: set[str]) -> str | None:
        carried = self.carried.get(id(doc))
        if carried is None:
            carried = self.carried[id(doc)] = _CarriedIndex(
                [c for c in [*doc.carried_suppressions(), *(self.object_ignores if doc.object_keys else [])]
                 if not (self.config.strict and c.origin is not None)])
        return carried.reason(finding.key.split("|", 1)[0].split("/"), keys)


class _CarriedIndex:
    """One document's carried suppressions, looked up by the object a finding is on (not scanned per finding)."""

    def __init__(self, carried: list[CarriedSuppression]) -> None:
        self.everywhere: list[tuple[int, CarriedSuppression]] = []
        self.by_object: dict[tuple[str, ...], list[tuple[int, CarriedSuppression]]] = {}
        for position, item in enumerate(carried):
            subject = item.subject
            if subject is not None and len(subject) >= 3 and None not in subject[:3]:
                self.by_object.setdefault(tuple(str(part) for part in subject[:3]), []).append((position, item))
            else:
                self.everywhere.append((position, item))

    def reason(self, parts: list[str], keys: set[str]) -> str | None:
        candidates = sorted([*self.by_object.get(tuple(parts[:3]), []), *self.everywhere], key=lambda pair: pair[0])
        for _, item in candidates:
            if item.selectors & keys and _on_subject(item.subject, parts):
                return item.reason
        return None


def _on_subject(subject: tuple[str | None, ...] | None, parts: list[str]) -> bool:
    """Whether a subject key's parts (kind/namespace/name[/container]) are those `subject` names; None matches all."""
    if subject is None:
        return True
    if len(parts) < 3:
        return False
    return all(want is None or (i < len(parts) and parts[i] == want) for i, want in enumerate(subject))


def object_ignores(config: Config) -> list[CarriedSuppression]:
    """Config `kubernetes: {ignore: [{kind, name, namespace, container, rules}]}`: absent fields match all."""
    entries = (config.kubernetes or {}).get("ignore") or []
    found: list[CarriedSuppression] = []
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict):
            continue
        rules = entry.get("rules")
        listed = {str(r) for r in rules} if isinstance(rules, list) else {s.strip() for s in str(rules or "*").split(",")}
        subject = tuple(None if entry.get(k) is None else str(entry.get(k)) for k in ("kind", "namespace", "name", "container"))
        found.append(CarriedSuppression(frozenset(listed), "config kubernetes.ignore", subject))
    return found


def apply_baseline(result: ScanResult, entries: list[BaselineEntry], name: str) -> list[BaselineEntry]:
    """Hide baselined findings (listed as suppressed, naming the baseline file); return the entries that no
    longer occur."""
    from readycheck import baseline

    outcome = baseline.apply(result.findings, entries)
    result.findings = outcome.kept
    result.suppressed = [*result.suppressed, *((f, f"baseline {name}") for f in outcome.hidden)]
    return outcome.stale
