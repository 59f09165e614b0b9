"""Evaluation: one group of targets loaded, every selected rule run on its subjects, findings suppressed.

Nothing in here knows an artifact kind: loaders turn files into Documents,
Documents offer Subjects for rule targets, rules judge Subjects. This is what
a worker process runs; readycheck.orchestrate decides which groups it gets.
"""

from __future__ import annotations

import functools
import importlib
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

from readycheck.catalog import Catalog
from readycheck.config import Config, ConfigError
from readycheck.discover import MAP_INPUT_KINDS, Target
from readycheck.limits import Limits, TimeBudgetExceeded, cpu_seconds, shared_alarm, time_budget
from readycheck.loaders import LoadContext, loader_for
from readycheck.model import (
    CHECKLISTS,
    Artifact,
    Document,
    Finding,
    Fix,
    Hit,
    Rule,
    ScanError,
    ScanResult,
    Scope,
    Subject,
)
from readycheck.predicate import Predicate, format_message
from readycheck.services import SERVICE_KIND, document_facts
from readycheck.suppression import ALL, Suppressor
from readycheck.textio import LoadError, digest_of, never_cached


def text_digest(doc: Document) -> str:
    """The digest (textio.digest_of) of the text a document was loaded from, once per document that has a fix."""
    digest: str | None = getattr(doc, "_fix_digest", None)
    if digest is None:
        digest = doc._fix_digest = digest_of(doc.text)  # type: ignore[attr-defined]
    return digest


CheckFunction = Callable[[Subject, dict[str, Any]], Iterable[Hit]]
T = TypeVar("T")


def _matches(rule: Rule, selectors: Iterable[str]) -> bool:
    return any(sel in (rule.id, rule.name, rule.checklist, rule.kind, ALL) for sel in selectors)


def select_rules(catalog: Catalog, config: Config) -> list[Rule]:
    """The rules in force: --select narrows, --ignore removes; unknown selectors are errors."""
    for sel in [*config.select, *config.ignore, *config.severity, *config.rule_options,
                *(s for sels in config.per_path_ignores.values() for s in sels)]:
        if catalog.resolve(sel) is None and sel not in CHECKLISTS:  # a checklist may have no rules yet
            raise ConfigError(f"unknown rule, checklist or kind '{sel}'")
    rules = [r for r in catalog.rules if r.enabled or r.id in config.select or r.name in config.select]
    if config.select:
        rules = [r for r in rules if _matches(r, config.select)]
    return [r for r in rules if not _matches(r, config.ignore)]


def rule_options(rule: Rule, config: Config) -> dict[str, Any]:
    options = dict(rule.options)
    for key in (rule.id, rule.name):
        for name, value in config.rule_options.get(key, {}).items():
            if name == "severity":
                continue
            if name not in options:
                raise ConfigError(f"rule {rule.id} has no option '{name}' (options: {', '.join(options) or 'none'})")
            options[name] = value
    return options


def rule_severity(rule: Rule, config: Config) -> str:
    for key in (rule.id, rule.name, rule.checklist):
        if key in config.severity:
            return config.severity[key]
    for key in (rule.id, rule.name):
        level = config.rule_options.get(key, {}).get("severity")
        if level:
            return str(level)
    return rule.severity


_checks: dict[str, CheckFunction] = {}


def check_function(name: str) -> CheckFunction:
    """`module.function` resolved inside readycheck.checks."""
    if name not in _checks:
        module_name, _, function_name = name.partition(".")
        module = importlib.import_module(f"readycheck.checks.{module_name}")
        function = getattr(module, function_name, None)
        if function is None:
            raise LookupError(f"check function {name} not found")
        _checks[name] = function
    return _checks[name]


class Evaluator:
    """Runs the selected rules over documents."""

    def __init__(self, rules: list[Rule], config: Config) -> None:
        self.config = config
        self.rules = rules
        self.options = {r.id: {**r.params, **rule_options(r, config)} for r in rules}  # what a check is called with
        self.severity = {r.id: rule_severity(r, config) for r in rules}
        self.predicates: dict[str, Predicate] = {}
        self.by_kinds: dict[tuple[str, ...], list[Rule]] = {}

    def rules_for(self, kinds: tuple[str, ...]) -> list[Rule]:
        """The rules judging documents of these kinds, in catalog order (looked up once per kinds)."""
        if kinds not in self.by_kinds:
            self.by_kinds[kinds] = [r for r in self.rules if r.kind in kinds]
        return self.by_kinds[kinds]

    def predicate(self, rule: Rule) -> Predicate:
        if rule.id not in self.predicates:
            assert rule.schema is not None
            self.predicates[rule.id] = Predicate(rule.schema, rule.match)
        return self.predicates[rule.id]

    def hits(self, rule: Rule, subject: Subject) -> Iterable[Hit]:
        """The rule's hits on one subject (no generator of its own: this runs some 50 times per file)."""
        if rule.check:
            return check_function(rule.check)(subject, self.options[rule.id])
        return self.schema_hits(rule, subject)

    def schema_hits(self, rule: Rule, subject: Subject) -> list[Hit]:
        predicate = self.predicate(rule)
        if not predicate.applies(subject.data):
            return []
        failed = predicate.failure(subject.data)
        if failed is None:
            return []
        at: tuple[Any, ...] | None
        if rule.at is not None:
            at = tuple(rule.at)
        else:
            at = failed if failed and subject.doc.locations.get(subject.pointer + failed) else None
            while at and subject.doc.locations.get(subject.pointer + at) is None:
                at = at[:-1]
            at = at or None
        return [Hit(format_message(rule.message, subject.data), at=at)]

    def evaluate(self, doc: Document) -> tuple[list[Finding], list[ScanError]]:
        findings: list[Finding] = []
        errors: list[ScanError] = []
        for rule in self.rules_for(tuple(doc.rule_kinds or (doc.kind,))):
            try:
                for subject in doc.subjects(rule.target):
                    for hit in self.hits(rule, subject):
                        findings.append(self.finding(rule, subject, hit))
            except (RecursionError, MemoryError, Exception) as exc:  # a rule bug must not stop the scan
                errors.append(ScanError(doc.path, None, f"rule {rule.id} failed: {type(exc).__name__}: {exc}"))
        return findings, errors

    def finding(self, rule: Rule, subject: Subject, hit: Hit) -> Finding:
        span = hit.span or subject.span(hit.at)
        pointer = subject.pointer + tuple(hit.at) if hit.at is not None else (subject.owner or subject.pointer)
        path = hit.path or subject.doc.display_path_for(pointer)
        provenance = "" if hit.path else subject.doc.provenance_for(pointer)
        autofix, refused = self.fix_for(rule, subject.doc, path, hit)
        return Finding(
            rule=rule.id,
            name=rule.name,
            checklist=rule.checklist,
            severity=hit.severity or self.severity[rule.id],
            path=path,
            span=span,
            message=f"{hit.message} ({provenance})" if provenance else hit.message,
            fix=rule.fix.strip(),
            related=hit.related or subject.doc.related_for(pointer),
            key=f"{subject.key}|{hit.key or hit.message}",
            autofix=autofix,
            extra={"fix_refused": refused} if refused else {},
        )

    def fix_for(self, rule: Rule, doc: Document, path: str, hit: Hit) -> tuple[Fix | None, str]:
        """The hit's fix as the finding carries it, or why there is none: only for a rule that declares
        fix_safety, only where the document's text is the file the finding names (never a chart's rendering),
        never safer than the rule says, and with the digest of the text its edits were made against."""
        if hit.fix is None or rule.fix_safety is None:
            return None, ""
        if not doc.text_is_file:
            return None, "the finding is in rendered output (a Helm chart): a fix never lands there"
        if path != doc.path:
            return None, "the finding is located in another file than the one its document was read from"
        if not hit.fix.edits:
            return None, hit.fix.description
        safety = "unsafe" if "unsafe" in (rule.fix_safety, hit.fix.safety) else "safe"
        return replace(hit.fix, safety=safety, digest=text_digest(doc)), ""


def _build_scopes(documents: list[Document]) -> None:
    """Documents with no scope of their own are judged together with their directory."""
    scopes: dict[str, Scope] = {}
    for doc in documents:
        if doc.scope is None:
            directory = str(Path(doc.path).parent)
            doc.scope = scopes.setdefault(directory, Scope(directory))
        if doc not in doc.scope.documents:
            doc.scope.documents.append(doc)


def load_target(target: Target, context: LoadContext) -> tuple[list[Document], list[ScanError]]:
    try:
        return loader_for(target.kind)(target, context), []
    except LoadError as exc:
        return [], [ScanError(context.relpath(target.path), exc.line, exc.message, never_cached(exc.message))]
    except RecursionError:
        return [], [ScanError(context.relpath(target.path), None, "input nested too deeply to load")]
    except Exception as exc:  # a loader bug must not stop the scan; report it as this file's error
        return [], [ScanError(context.relpath(target.path), None, f"internal error while loading: {type(exc).__name__}: {exc}")]


class FileClock:
    """Each file's share of the time limit, spent across its load and the evaluation of its documents."""

    def __init__(self, limit: float) -> None:
        self.limit = limit
        self.spent: dict[str, float] = {}

    def run(self, path: str, work: Callable[[], T], phase: str) -> T | ScanError:
        """`work()` within what is left of `path`'s budget, or the error saying it ran out."""
        left = self.limit - self.spent.get(path, 0.0) if self.limit > 0 else 0.0
        started = cpu_seconds()
        try:
            with time_budget(max(left, 0.001) if self.limit > 0 else 0):
                result = work()
        except TimeBudgetExceeded:
            return ScanError(path, None, f"gave up {phase} after the {self.limit:g}-second CPU time limit per file (--time-limit)",
                             transient=True)
        finally:
            self.spent[path] = self.spent.get(path, 0.0) + cpu_seconds() - started
        return result


@dataclass
class ScanSettings:
    """Everything a scan of one group of targets needs; picklable, so worker processes get it whole."""

    rules: list[Rule]
    catalog: Catalog
    config: Config
    base: Path
    context_options: dict[str, Any] = field(default_factory=dict)
    limits: Limits = field(default_factory=Limits)

    @property
    def wants_facts(self) -> bool:
        """A service rule is in force, or the service map is asked for: groups return their documents' facts."""
        return bool(self.context_options.get("service_map")) or any(r.kind == SERVICE_KIND for r in self.rules)


_evaluators: dict[int, tuple[ScanSettings, Evaluator]] = {}


def evaluator_for(settings: ScanSettings) -> Evaluator:
    """One Evaluator per scan, shared by its groups (its options and compiled predicates do not change)."""
    kept = _evaluators.get(id(settings))
    if kept is None or kept[0] is not settings:
        _evaluators.clear()
        kept = _evaluators[id(settings)] = (settings, Evaluator(settings.rules, settings.config))
    return kept[1]


def scan_group(group: list[Target], settings: ScanSettings) -> ScanResult:
    """Load, evaluate and suppress one group of targets, each file within its time limit."""
    with shared_alarm(settings.limits.time_limit > 0):  # the alarm's handler installed once, not per file
        return _scan_group(group, settings)


def _scan_group(group: list[Target], settings: ScanSettings) -> ScanResult:
    config = settings.config
    evaluator = evaluator_for(settings)
    context = LoadContext(
        base=settings.base,
        max_bytes=settings.limits.max_file_size,
        dockerfile_target=config.dockerfile_target,
        options=dict(settings.context_options),
    )
    context.options.setdefault("config", config)
    clock = FileClock(settings.limits.time_limit)
    for kind in sorted({t.kind for t in group}):
        loader_for(kind)  # import loaders before any clock runs: an import is nobody's file's time
    documents: list[Document] = []
    errors: list[ScanError] = []
    for target in group:
        if target.kind in MAP_INPUT_KINDS and not settings.wants_facts:
            continue  # read for the service map only: no rule judges it
        if not target.path.exists():
            errors.append(ScanError(context.relpath(target.path), None, "no such file or directory"))
            continue
        loaded = clock.run(context.relpath(target.path), functools.partial(load_target, target, context), "loading")
        if isinstance(loaded, ScanError):
            errors.append(loaded)
            continue
        docs, errs = loaded
        documents.extend(docs)
        errors.extend(errs)
    errors.extend(context.extra_errors)
    _build_scopes(documents)

    operator_values = (settings.context_options.get("helm") or {}).get("values") or []
    suppressor = Suppressor(settings.catalog, config, settings.base, {context.root_of(t) for t in group},
                            {os.path.realpath(v) for v in operator_values})
    for doc in documents:
        suppressor.for_file(doc.path, doc.text)
        suppressor.check_carried(doc)
    findings: list[Finding] = []
    suppressed: list[tuple[Finding, str]] = []
    seen: set[tuple[str, str, int, str]] = set()
    for doc in documents:
        evaluated = clock.run(doc.path, functools.partial(evaluator.evaluate, doc), "checking rules")
        if isinstance(evaluated, ScanError):
            errors.append(evaluated)
            continue
        found, errs = evaluated
        errors.extend(errs)
        for finding in found:
            marker = (finding.rule, finding.path, finding.span.line, finding.message)
            if marker in seen:
                continue
            seen.add(marker)
            why = suppressor.reason(finding, doc)
            if why:
                suppressed.append((finding, why))
            else:
                findings.append(finding)
    errors.extend(suppressor.errors)
    errors = redact_errors(errors)
    checked = [t for t in group if t.kind not in MAP_INPUT_KINDS]  # a bake file is map input, not a checked file
    artifacts = [Artifact(context.relpath(t.path), t.kind) for t in checked]
    facts = [fact for doc in documents for fact in document_facts(doc)] if settings.wants_facts else []
    for doc in documents:
        doc.scope = None  # break the document-scope cycle: freed now, not by a later full collection
    return ScanResult(findings, errors, len(checked), suppressed, settings.rules, artifacts, facts=facts)


def group_facts(group: list[Target], settings: ScanSettings) -> tuple[list[dict[str, Any]], bool]:
    """Only the facts of a group's documents (no rule runs), and whether every file loaded: the service map of a
    shard needs the groups of the other shards too, and a file list given by pre-commit needs the files beside
    it. A file that does not load is reported by the scan that judges it, not here."""
    context = LoadContext(base=settings.base, max_bytes=settings.limits.max_file_size,
                          dockerfile_target=settings.config.dockerfile_target, options=dict(settings.context_options))
    context.options.setdefault("config", settings.config)
    clock = FileClock(settings.limits.time_limit)
    facts: list[dict[str, Any]] = []
    complete = True
    for target in group:
        if not target.path.exists():
            continue
        loaded = clock.run(context.relpath(target.path), functools.partial(load_target, target, context), "loading")
        if isinstance(loaded, ScanError):
            complete = False
            continue
        complete = complete and not loaded[1]
        facts.extend(fact for doc in loaded[0] for fact in document_facts(doc))
    return facts, complete and not context.extra_errors


def redact_errors(errors: list[ScanError]) -> list[ScanError]:
    """Error messages quote the tree (a Dockerfile line, a YAML value): they get the findings' secret redaction
    here, before a result reaches a report, the cache or the run index."""
    if not errors:
        return errors
    from readycheck.secrets import mask_secrets

    return [replace(e, message=masked) if (masked := mask_secrets(e.message)) != e.message else e
            for e in errors]
