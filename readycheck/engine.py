"""The scan: discover, load, evaluate every rule on its subjects, suppress, sort.

Nothing in here knows an artifact kind: loaders turn files into Documents,
Documents offer Subjects for rule targets, rules judge Subjects.
"""

from __future__ import annotations

import fnmatch
import functools
import importlib
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from readycheck.catalog import Catalog, Rule
from readycheck.config import Config, ConfigError
from readycheck.discover import Skipped, Target, discover
from readycheck.limits import Limits, TimeBudgetExceeded, cpu_seconds, time_budget
from readycheck.loaders import LoadContext, loader_for
from readycheck.model import CHECKLISTS, Document, Finding, Hit, ScanError, Scope, Subject
from readycheck.predicate import Predicate, format_message
from readycheck.suppress import ALL, FileSuppressions, parse_suppressions
from readycheck.textio import LoadError, never_cached, read_text, recording_reads, within

if TYPE_CHECKING:
    from readycheck.runner import Cache

CheckFunction = Callable[[Subject, dict[str, Any]], Iterable[Hit]]
T = TypeVar("T")


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
        )


def _build_scopes(documents: list[Document]) -> None:
    """Documents with no scope of their own are judged together with their directory."""
    scopes: dict[str, Scope] = {}
    for doc in documents:
        if doc.scope is None:
            directory = str(Path(doc.path).parent)
            doc.scope = scopes.setdefault(directory, Scope(directory))
        if doc not in doc.scope.documents:
            doc.scope.documents.append(doc)


class Suppressor:
    """Applies inline comments and per-path config ignores; reports unknown selectors.

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
        """A selector a document carries (a Kubernetes ignore annotation) that names no rule is an error, as in a comment."""
        for path, line, selector, where in doc.carried_selectors():
            if selector not in (ALL, "all") and self.catalog.resolve(selector) is None:
                error = ScanError(path, line, f"unknown rule '{selector}' in {where}")
                if error not in self.errors:
                    self.errors.append(error)

    def reason(self, finding: Finding) -> str | None:
        rule = self.catalog.by_id.get(finding.rule)
        keys = {finding.rule, finding.name, finding.checklist, ALL} | ({rule.kind} if rule else set())
        for pattern, selectors in self.config.per_path_ignores.items():
            if fnmatch.fnmatch(finding.path, pattern) and keys & set(selectors):
                return f"config per-path-ignores {pattern}"
        sup = self.for_file(finding.path)
        if sup.file_all:
            return "readycheck: ignore-file"
        if keys & set(sup.selectors_for(finding.span.line)):
            return "readycheck: ignore comment"
        return None


def load_target(target: Target, context: LoadContext) -> tuple[list[Document], list[ScanError]]:
    loader = loader_for(target.kind)
    if loader is None:
        return [], []
    try:
        return loader(target, context), []
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


SELF_CONTAINED_KINDS = frozenset({"dockerfile", "workflow", "action"})
"""Kinds whose files are judged alone: nothing of one file's result depends on the files beside it."""
SELF_CONTAINED_CHUNK = 16


def group_targets(targets: list[Target]) -> list[list[Target]]:
    """Targets judged together: one directory's files (the default scope), each chart alone.

    Groups are the unit of parallel work and of caching, so a cross-file check
    (a PDB and its Deployment in one folder) always sees its whole scope. The
    files of a self-contained kind beyond the first few of a directory are
    split into chunks, so that a directory of 200 workflows is shared among the
    workers instead of going to one.
    """
    groups: dict[tuple[str, str, int], list[Target]] = {}
    counts: dict[tuple[str, str], int] = {}
    for target in targets:
        if target.kind == "helm":
            place = ("chart", str(target.path))
        else:
            place = ("dir", str(target.path.parent))
        chunk = 0  # the first chunk stays with the rest of its directory
        if target.kind in SELF_CONTAINED_KINDS:
            counts[place] = counts.get(place, 0) + 1
            chunk = (counts[place] - 1) // SELF_CONTAINED_CHUNK
        groups.setdefault((*place, chunk), []).append(target)
    return [groups[k] for k in sorted(groups)]


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
            why = doc.suppression_reason(finding) or suppressor.reason(finding)
            if why:
                suppressed.append((finding, why))
            else:
                findings.append(finding)
    errors.extend(suppressor.errors)
    errors = redact_errors(errors)
    artifacts = [Artifact(context.relpath(t.path), t.kind) for t in group]
    for doc in documents:
        doc.scope = None  # break the document-scope cycle: freed now, not by a later full collection
    return ScanResult(findings, errors, len(group), suppressed, settings.rules, artifacts)


def redact_errors(errors: list[ScanError]) -> list[ScanError]:
    """Error messages quote the tree (a Dockerfile line, a YAML value): they get the findings' secret redaction
    here, before a result reaches a report, the cache or the run index."""
    if not errors:
        return errors
    from readycheck.secrets import mask_secrets

    return [replace(e, message=masked) if (masked := mask_secrets(e.message)) != e.message else e
            for e in errors]


def merge_results(parts: Iterable[ScanResult], rules: list[Rule]) -> ScanResult:
    """One result from many groups, in the contract's order whatever order the groups finished in."""
    merged = ScanResult([], [], 0, [], rules, [])
    for part in parts:
        merged.findings.extend(part.findings)
        merged.errors.extend(part.errors)
        merged.files += part.files
        merged.suppressed.extend(part.suppressed)
        merged.artifacts.extend(part.artifacts)
    merged.findings.sort(key=Finding.sort_key)
    merged.errors.sort(key=lambda e: (e.path, e.line or 0, e.message))
    merged.suppressed.sort(key=lambda item: item[0].sort_key())
    merged.artifacts.sort(key=lambda a: (a.path, a.kind))
    return merged


def scan(
    paths: list[str],
    catalog: Catalog,
    config: Config,
    base: Path | None = None,
    context_options: dict[str, Any] | None = None,
    targets: list[Target] | None = None,
    jobs: int = 1,
    cache_dir: Path | None = None,
    shard: tuple[int, int] | None = None,
    limits: Limits | None = None,
) -> ScanResult:
    """Scan `paths` (or exactly the given `targets`, each with its kind already decided).

    With `jobs` > 1 the groups are scanned in worker processes; with a
    `cache_dir`, groups whose files, rules, config and version are unchanged
    are not scanned again; with `shard` (K, N) only the groups of shard K of N
    are scanned. The result is the same either way.
    """
    base = (base or Path.cwd()).resolve()
    rules = select_rules(catalog, config)
    for rule in rules:
        rule_options(rule, config)  # a bad rule option is a usage error before any work
    settings = ScanSettings(rules, catalog, config, base, dict(context_options or {}), limits or Limits())
    if cache_dir is None:
        return _scan_groups(paths, targets, settings, jobs, None, shard, None)
    from readycheck.runindex import RunIndex
    from readycheck.runner import Cache

    cache = Cache(cache_dir, settings)
    # only a walk is worth indexing: files named one by one (pre-commit) are found at once, and each new list
    # of them would leave another index entry behind
    walks = targets is None and any(os.path.isdir(p) for p in paths)
    index = RunIndex(cache_dir, cache.settings_digest, paths, base, shard) if walks else None
    if index is not None and (stored := index.load(settings)) is not None:
        return stored
    started_ns = time.time_ns()
    reads: list[str] = []
    result = _scan_groups(paths, targets, settings, jobs, cache, shard, reads)
    if index is not None:
        index.save(result, reads, started_ns)
    return result


def _scan_groups(paths: list[str], targets: list[Target] | None, settings: ScanSettings, jobs: int,
                 cache: Cache | None, shard: tuple[int, int] | None, reads: list[str] | None) -> ScanResult:
    """Discover (unless the targets are given), group, keep the shard's groups and scan them."""
    from readycheck.runner import run_groups

    skipped: list[Skipped] = []
    refused: list[ScanError] = []  # ignore files the reader would not read: errors of the scan, found once
    if targets is None:
        with recording_reads() as discovery_reads:
            targets = discover(paths, exclude=settings.config.exclude, base=settings.base, errors=refused,
                               max_bytes=settings.limits.max_file_size, skipped=skipped)
        if reads is not None:
            reads.extend(discovery_reads)
    groups = group_targets(targets)
    if shard is not None:
        from readycheck.shard import in_shard

        groups = [g for g in groups if in_shard(g, shard, settings.base)]
    parts = run_groups(groups, settings, jobs=jobs, cache=cache, reads=reads)
    result = merge_results([*parts, ScanResult([], refused, 0)], settings.rules)
    result.skipped = skipped
    return result
