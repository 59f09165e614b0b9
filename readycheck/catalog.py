"""The rule catalog: one YAML file per rule, validated by rules/rule.schema.json.

A rule keeps its id, name, checklist, severity, documentation and predicate
in one place. The predicate is either a JSON Schema that every subject must
satisfy (with an optional `match` schema choosing the subjects), or the name
of a check function in `readycheck/checks/`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from readycheck.textio import LoadError, read_text
from readycheck.yamlsource import load_yaml_documents


class CatalogError(Exception):
    """A rule file is broken. The message names the file and the problem."""


@dataclass
class Rule:
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
    options: dict[str, Any] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)
    precision: str = "high"
    security_severity: float | None = None
    references: list[str] = field(default_factory=list)
    enabled: bool = True
    """False: an opt-in rule, run only when selected by its id or name."""

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
        }


def builtin_rules_dir() -> Path:
    """The catalog shipped with readycheck: inside the wheel, or the checkout's rules/."""
    here = Path(__file__).resolve().parent
    packaged = here / "_catalog"
    return packaged if packaged.is_dir() else here.parent / "rules"


_META_VALIDATOR: Any = None


def _meta_validator() -> Any:
    global _META_VALIDATOR
    if _META_VALIDATOR is None:
        from jsonschema import Draft202012Validator

        meta = json.loads((builtin_rules_dir() / "rule.schema.json").read_text(encoding="utf-8"))
        _META_VALIDATOR = Draft202012Validator(meta)
    return _META_VALIDATOR


def _check_predicate_schema(path: Path, key: str, schema: dict[str, Any]) -> None:
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import SchemaError

    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        raise CatalogError(f"{path}: `{key}` is not a valid JSON Schema: {exc.message}") from None
    if "$ref" in json.dumps(schema) and any(
        isinstance(v, str) and "://" in v for v in _walk_refs(schema)
    ):
        raise CatalogError(f"{path}: `{key}` has a remote $ref; rules may not fetch anything")


def _walk_refs(node: Any) -> Iterable[Any]:
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref":
                yield v
            else:
                yield from _walk_refs(v)
    elif isinstance(node, list):
        for v in node:
            yield from _walk_refs(v)


def load_rule_file(path: Path, validate: bool = True) -> Rule:
    try:
        docs = load_yaml_documents(read_text(path))
    except LoadError as exc:
        where = f":{exc.line}" if exc.line else ""
        raise CatalogError(f"{path}{where}: {exc.message}") from None
    if len(docs) != 1 or not isinstance(docs[0].data, dict):
        raise CatalogError(f"{path}: a rule file holds exactly one YAML mapping")
    data = docs[0].data
    if validate:
        errors = sorted(_meta_validator().iter_errors(data), key=lambda e: list(e.absolute_path))
        if errors:
            problems = [
                f"{'/'.join(str(p) for p in err.absolute_path) or '(top level)'}: {err.message}" for err in errors[:20]
            ]
            raise CatalogError(f"{path}: " + "; ".join(problems))
        for key in ("schema", "match"):
            if key in data:
                _check_predicate_schema(path, key, data[key])
    expected_stem = f"{data['id']}-{data['name']}"
    if path.stem != expected_stem:
        raise CatalogError(f"{path}: file name must be {expected_stem}.yaml (id and name)")
    return Rule(source=path, **{k.replace("-", "_"): v for k, v in data.items()})


@dataclass
class Catalog:
    rules: list[Rule]

    def __post_init__(self) -> None:
        self.by_id = {r.id: r for r in self.rules}
        self.by_name = {r.name: r for r in self.rules}

    def resolve(self, selector: str) -> list[Rule] | None:
        """Rules named by an id, a name, a checklist, or a kind (`dockerfile`). None if unknown."""
        if selector in self.by_id:
            return [self.by_id[selector]]
        if selector in self.by_name:
            return [self.by_name[selector]]
        chosen = [r for r in self.rules if r.checklist == selector or r.kind == selector]
        return chosen or None


def load_catalog(extra_dirs: Iterable[Path] = (), validate: bool = True) -> Catalog:
    """The built-in rules plus any `--rules DIR`; duplicate ids are an error."""
    rules: list[Rule] = []
    seen: dict[str, Path] = {}
    names: dict[str, Path] = {}
    for directory in [builtin_rules_dir(), *extra_dirs]:
        if not directory.is_dir():
            raise CatalogError(f"{directory}: rules directory not found")
        for path in sorted(directory.rglob("*.yaml")):
            rule = load_rule_file(path, validate=validate)
            if rule.id in seen:
                raise CatalogError(f"{path}: rule id {rule.id} is already defined in {seen[rule.id]}")
            if rule.name in names:
                raise CatalogError(f"{path}: rule name {rule.name} is already used by {names[rule.name]}")
            seen[rule.id] = path
            names[rule.name] = path
            rules.append(rule)
    rules.sort(key=lambda r: r.id)
    return Catalog(rules)
