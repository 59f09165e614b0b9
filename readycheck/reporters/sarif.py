"""SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.

One run: the driver lists every rule that could fire (so an alert links to its
documentation), each result carries GitHub's line hash and our own
line-independent fingerprint, files that could not be read become tool
execution notifications. GitHub's ingestion limits are respected by
truncating, with a notification saying what was cut; every message is cut at
MAX_MESSAGE characters, so a huge value quoted from the tree cannot make a
huge file.
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path
from typing import Any

from readycheck import __version__, jsontext, ruledoc
from readycheck.catalog import Rule, builtin_rules_dir
from readycheck.fingerprint import line_hashes, stable_fingerprint
from readycheck.model import SEVERITY_RANK, Finding, Fix, Related, ScanError, ScanResult, Span
from readycheck.neutralise import json_text, url_path
from readycheck.secrets import mask_secrets
from readycheck.textio import LoadError, read_text

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/readycheck/readycheck"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "readycheck/v1"

MAX_RESULTS = 25_000
MAX_RULES = 25_000
MAX_DESCRIPTION = 1_024
MAX_TAGS = 20
MAX_MESSAGE = 4_096

SECURITY_CHECKLISTS = frozenset({"no-baked-secrets", "least-privilege", "supply-chain"})
DEFAULT_SECURITY_SEVERITY = {"error": 8.0, "warning": 5.5, "note": 3.0}
_LEVEL = {"error": "error", "warning": "warning", "note": "note"}
_PROBLEM_SEVERITY = {"error": "error", "warning": "warning", "note": "recommendation"}


def is_security_rule(rule: Rule) -> bool:
    return rule.security_severity is not None or rule.checklist in SECURITY_CHECKLISTS or "security" in rule.tags


def security_severity(rule: Rule) -> str | None:
    """GitHub's `security-severity`: a string from "0.1" to "10.0", only for security-relevant rules."""
    if not is_security_rule(rule):
        return None
    value = rule.security_severity if rule.security_severity is not None else DEFAULT_SECURITY_SEVERITY[rule.severity]
    return f"{min(max(float(value), 0.1), 10.0):.1f}"


def help_uri(rule: Rule) -> str | None:
    """The rule's section of the rule documentation of the installed version (docs/rules.md at its release tag),
    for built-in rules only (custom rules live elsewhere)."""
    try:
        rule.source.resolve().relative_to(builtin_rules_dir().resolve())
    except ValueError:
        return None
    anchor = re.sub(r"[^a-z0-9_ -]", "", f"{rule.id} {rule.name}".lower()).replace(" ", "-")
    return f"{INFORMATION_URI}/blob/v{__version__}/docs/rules.md#{anchor}"


def source_root(base: Path) -> tuple[Path, str]:
    """%SRCROOT%: the repository root holding `base` (the nearest folder with `.git`), else `base`; and the path
    from that root to `base`, which every artifact URI gets in front (so that URIs are the same from any
    working directory of one repository)."""
    for folder in (base, *base.parents):
        if (folder / ".git").exists():
            return folder, base.relative_to(folder).as_posix()
    return base, "."


def _rebase_uris(node: Any, prefix: str) -> None:
    """Every artifact location's URI (relative to where readycheck ran) made relative to %SRCROOT%."""
    if prefix == ".":
        return
    if isinstance(node, dict):
        location = node.get("artifactLocation")
        if isinstance(location, dict) and location.get("uriBaseId") == SRCROOT:
            location["uri"] = posixpath.normpath(f"{url_path(prefix)}/{location['uri']}")
        for value in node.values():
            _rebase_uris(value, prefix)
    elif isinstance(node, list):
        for value in node:
            _rebase_uris(value, prefix)


def automation_id(result: ScanResult, category: str | None) -> str:
    """`category/`: code scanning keeps one analysis per category, so each shard (and each upload the user names
    apart) gets its own instead of replacing the others'."""
    if category:
        return category.rstrip("/") + "/"
    if result.shard is not None:
        k, n, _ = result.shard
        return f"readycheck/shard-{k}-of-{n}/"
    return "readycheck/"


class _Notes:
    """Notifications about what had to be cut to fit GitHub's limits."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []
        self.messages_cut = 0

    def add(self, text: str) -> None:
        self.items.append({"level": "warning", "message": {"text": text}, "descriptor": {"id": "readycheck/truncated"}})

    def message(self, text: str) -> dict[str, str]:
        """A message object, its text cut at MAX_MESSAGE characters (counted for one notification)."""
        if len(text) > MAX_MESSAGE:
            self.messages_cut += 1
            text = text[: MAX_MESSAGE - 1] + "…"
        return {"text": text}

    def finish(self) -> list[dict[str, Any]]:
        if self.messages_cut:
            self.add(f"{self.messages_cut} message{'s were' if self.messages_cut != 1 else ' was'} cut to {MAX_MESSAGE:,} characters")
        return self.items


def _truncate(text: str, limit: int, what: str, notes: _Notes) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    notes.add(f"{what} was cut to {limit} characters")
    return text[: limit - 1].rstrip() + "…"


def _tags(rule: Rule, notes: _Notes) -> list[str]:
    tags = [rule.checklist, rule.kind]
    if is_security_rule(rule):
        tags.append("security")
    for tag in rule.tags:
        if tag not in tags:
            tags.append(tag)
    if len(tags) > MAX_TAGS:
        notes.add(f"rule {rule.id} has {len(tags)} tags; only the first {MAX_TAGS} are kept")
        tags = tags[:MAX_TAGS]
    return tags


def rule_descriptor(rule: Rule, notes: _Notes) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "tags": _tags(rule, notes),
        "precision": rule.precision,
        "problem.severity": _PROBLEM_SEVERITY[rule.severity],
    }
    level = security_severity(rule)
    if level is not None:
        properties["security-severity"] = level
    descriptor: dict[str, Any] = {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": _truncate(rule.summary, MAX_DESCRIPTION, f"{rule.id} short description", notes)},
        "fullDescription": {"text": _truncate(rule.why, MAX_DESCRIPTION, f"{rule.id} full description", notes)},
        # A rule's bad example may hold a realistic credential; the SARIF file travels further than the rule file.
        "help": {
            "text": mask_secrets(ruledoc.explain_text(rule)),
            "markdown": mask_secrets(ruledoc.rule_markdown(rule, heading="###")),
        },
        "defaultConfiguration": {"level": _LEVEL[rule.severity]},
        "properties": properties,
    }
    uri = help_uri(rule)
    if uri:
        descriptor["helpUri"] = uri
    return descriptor


def _uri(path: str) -> str:
    return url_path(path)


def _region(span: Span) -> dict[str, int]:
    return {"startLine": span.line, "startColumn": span.column, "endLine": max(span.last_line, span.line)}


def _physical(path: str, span: Span) -> dict[str, Any]:
    return {"artifactLocation": {"uri": _uri(path), "uriBaseId": SRCROOT}, "region": _region(span)}


class _LineHashes:
    """GitHub line hashes per file, read from disk as the loaders read it (a scan keeps no file text)."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.cache: dict[str, dict[int, str]] = {}

    def get(self, path: str, line: int) -> str | None:
        if path not in self.cache:
            try:
                text = read_text(self.base / path)
            except (LoadError, OSError, ValueError):  # ValueError: a path no file can have (a NUL in it)
                text = ""
            self.cache[path] = line_hashes(text) if text else {}
        return self.cache[path].get(line)


def _related(related: tuple[Related, ...], notes: _Notes) -> list[dict[str, Any]]:
    out = []
    for number, item in enumerate(related, 1):
        location: dict[str, Any] = {"id": number, "physicalLocation": _physical(item.path, item.span)}
        if item.message:
            location["message"] = notes.message(item.message)
        out.append(location)
    return out


def result_object(finding: Finding, rule_index: int | None, hashes: _LineHashes, notes: _Notes) -> dict[str, Any]:
    fingerprints = {FINGERPRINT_KEY: stable_fingerprint(finding)}
    line_hash = hashes.get(finding.path, finding.span.line)
    if line_hash:
        fingerprints["primaryLocationLineHash"] = line_hash
    text = finding.message + (f"\nFix: {finding.fix}" if finding.fix else "")
    result: dict[str, Any] = {
        "ruleId": finding.rule,
        "level": _LEVEL[finding.severity],
        "message": notes.message(text),
        "locations": [{"physicalLocation": _physical(finding.path, finding.span)}],
        "partialFingerprints": fingerprints,
        "properties": {"checklist": finding.checklist},
    }
    if rule_index is not None:
        result["ruleIndex"] = rule_index
    if finding.related:
        result["relatedLocations"] = _related(finding.related[:1000], notes)
    if finding.autofix is not None:
        result["fixes"] = [_fix(finding, finding.autofix, notes)]
    return result


def _fix(finding: Finding, fix: Fix, notes: _Notes) -> dict[str, Any]:
    """SARIF's fix object: the replacements an editor or code scanning applies (regions end before endColumn,
    an insertion is an empty region), with readycheck's safety as a property."""
    label = fix.description if fix.safety == "safe" else f"{fix.description} (unsafe: it changes behaviour, review it)"
    return {
        "description": notes.message(label),
        "artifactChanges": [{
            "artifactLocation": {"uri": _uri(finding.path), "uriBaseId": SRCROOT},
            "replacements": [{
                "deletedRegion": {"startLine": e.line, "startColumn": e.column, "endLine": e.end_line,
                                  "endColumn": e.end_column},
                "insertedContent": {"text": e.new},
            } for e in fix.edits],
        }],
        "properties": {"safety": fix.safety},
    }


def _error_notification(error: ScanError, notes: _Notes) -> dict[str, Any]:
    location: dict[str, Any] = {"artifactLocation": {"uri": _uri(error.path), "uriBaseId": SRCROOT}}
    if error.line:
        location["region"] = {"startLine": error.line}
    return {
        "level": "error",
        "message": notes.message(f"{error.path}{':' + str(error.line) if error.line else ''}: {error.message}"),
        "locations": [{"physicalLocation": location}],
        "descriptor": {"id": "readycheck/unreadable-file"},
    }


def as_dict(result: ScanResult, base: Path | None = None, category: str | None = None) -> dict[str, Any]:
    base = (base or Path.cwd()).resolve()
    root, prefix = source_root(base)
    notes = _Notes()
    rules = list(result.rules)
    if len(rules) > MAX_RULES:
        notes.add(f"{len(rules)} rules; only the first {MAX_RULES} are listed")
        rules = rules[:MAX_RULES]
    index = {rule.id: number for number, rule in enumerate(rules)}
    findings = list(result.findings)
    if len(findings) > MAX_RESULTS:
        notes.add(f"{len(findings)} results; only the {MAX_RESULTS} most severe are included")
        findings = sorted(findings, key=lambda f: (-SEVERITY_RANK[f.severity], f.sort_key()))[:MAX_RESULTS]
        findings.sort(key=Finding.sort_key)
    hashes = _LineHashes(base)
    descriptors = [rule_descriptor(rule, notes) for rule in rules]
    results = [result_object(f, index.get(f.rule), hashes, notes) for f in findings]
    errors = [_error_notification(e, notes) for e in result.errors]
    invocation = {
        "executionSuccessful": not result.errors,
        "toolExecutionNotifications": errors + notes.finish(),
    }
    run = {
        "tool": {
            "driver": {
                "name": "readycheck",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": INFORMATION_URI,
                "rules": descriptors,
            }
        },
        "automationDetails": {"id": automation_id(result, category)},
        "invocations": [invocation],
        "originalUriBaseIds": {SRCROOT: {"uri": root.as_uri() + "/"}},
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    _rebase_uris(run["results"], prefix)
    _rebase_uris(run["invocations"], prefix)
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def render(result: ScanResult, base: Path | None = None, category: str | None = None) -> str:
    return json_text(jsontext.dumps(as_dict(result, base, category))) + "\n"
