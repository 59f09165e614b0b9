"""Env schemas and env files as documents of kind "env".

An env schema (`env.schema.json`, `.env.schema.json`, `env.schema.y[a]ml`) is a
JSON Schema whose `properties` are the environment variables; it governs the
env files in its directory. Each env file is loaded together with the schema
beside it, so that a file checked on its own (a pre-commit run) is still
judged against its schema.

Targets: env.schema (the schema), env.variable (each declared variable),
env.file (each env file), env.entry (each assignment in an env file).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from readycheck.boundedregex import compiled
from readycheck.discover import ENV_SCHEMA, ENV_SCHEMA_NAMES, Target
from readycheck.envfile import EnvFile, parse_env
from readycheck.envschema import EnvSchema
from readycheck.loaders import LoadContext
from readycheck.model import Document, Pointer, Span, Subject
from readycheck.textio import LoadError, note_read, read_text, within
from readycheck.yamlsource import load_yaml_documents

EXAMPLE_MARKERS = {"example", "sample", "template", "dist", "defaults", "tmpl", "tpl"}
SCHEMA_ORDER = (".env.schema.json", "env.schema.json", "env.schema.yaml", "env.schema.yml")


def _external_refs(node: Any, pointer: Pointer) -> Iterator[tuple[Pointer, str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("$ref", "$dynamicRef") and isinstance(value, str) and not value.startswith("#"):
                yield pointer + (key,), value
            else:
                yield from _external_refs(value, pointer + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _external_refs(value, pointer + (i,))


@cache
def _meta_validator(cls: Any) -> Any:
    """One meta-schema validator per draft: its reference lookups are remembered between schemas."""
    from readycheck.schemaref import meta_validator

    return meta_validator(cls)


def _schema_problems(data: dict[str, Any]) -> list[tuple[Pointer, str]]:
    """Meta-schema errors and bad patterns; schemas copied between services are judged once per run."""
    try:
        key = json.dumps(data)
    except (TypeError, ValueError):
        return _judge_schema(data)
    return list(_judge_schema_text(key))


@lru_cache(maxsize=1024)
def _judge_schema_text(text: str) -> tuple[tuple[Pointer, str], ...]:
    return tuple(_judge_schema(json.loads(text)))


def _judge_schema(data: dict[str, Any]) -> list[tuple[Pointer, str]]:
    from readycheck.schemaref import class_for

    cls = class_for(data)
    try:
        meta = _meta_validator(cls)
        errors = [] if meta.is_valid(data) else sorted(meta.iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    except Exception as exc:  # an unusable meta-schema: report it on the schema itself
        return [((), f"cannot check the schema: {exc}")]
    problems = [(tuple(e.absolute_path), e.message) for e in errors]
    for pointer, pattern in _patterns(data, ()):
        if compiled(pattern) is None:
            problems.append((pointer, f"{pattern!r} is not a valid regular expression"))
    return problems


def _patterns(node: Any, pointer: Pointer) -> Iterator[tuple[Pointer, str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "pattern" and isinstance(value, str):
                yield pointer + (key,), value
            else:
                yield from _patterns(value, pointer + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _patterns(value, pointer + (i,))


def parse_schema(path: Path, display: str, max_bytes: int, root: Path | None) -> EnvSchema:
    """Read (under `root`) and parse an env schema; LoadError when it is not JSON/YAML or not an object."""
    text = read_text(path, max_bytes, root)
    if path.suffix == ".json":
        try:
            json.loads(text)
        except json.JSONDecodeError as exc:
            raise LoadError(f"invalid JSON: {exc.msg}", exc.lineno) from None
    try:
        docs = load_yaml_documents(text)
    except LoadError:
        if path.suffix != ".json":
            raise
        docs = []  # valid JSON that YAML cannot read (tabs): keep the data, lose the lines
    if docs:
        data, locations = docs[0].data, docs[0].locations
        if len(docs) > 1:
            raise LoadError("an env schema holds exactly one document", docs[1].start_line)
    else:
        data, locations = (json.loads(text) if path.suffix == ".json" else None), {(): Span(1)}
    if not isinstance(data, dict):
        raise LoadError("an env schema must be a JSON Schema object")
    data = {str(k): v for k, v in data.items()}
    return EnvSchema(display, data, locations, _schema_problems(data), list(_external_refs(data, ())))


@lru_cache(maxsize=256)
def _parse_schema_once(path: Path, display: str, max_bytes: int, root: Path, stamp: tuple[int, int]) -> EnvSchema:
    return parse_schema(path, display, max_bytes, root)


def cached_schema(path: Path, display: str, max_bytes: int, root: Path) -> EnvSchema:
    """parse_schema, once per file version: the schema's document and the env files beside it share it."""
    try:
        stat = path.stat()
    except OSError:
        return parse_schema(path, display, max_bytes, root)  # reports why it cannot be read
    if not within(os.path.realpath(path), str(root)):
        return parse_schema(path, display, max_bytes, root)  # refused unread, and no dependency of the cache
    note_read(path)
    return _parse_schema_once(path.resolve(), display, max_bytes, root, (stat.st_size, stat.st_mtime_ns))


def schema_beside(path: Path, context: LoadContext, root: Path) -> EnvSchema | None:
    """The env schema governing an env file: the one in the same directory (read under `root`)."""
    for name in SCHEMA_ORDER:
        candidate = path.parent / name
        if name in ENV_SCHEMA_NAMES and candidate.is_file():
            try:
                return cached_schema(candidate, context.relpath(candidate), context.max_bytes, root)
            except LoadError:
                return None  # the schema's own document reports why
    return None


def is_example_name(name: str) -> bool:
    """`.env.example`, `.env.sample`, `.env.template`, `.env.local.example`...: documentation, not configuration."""
    return bool(EXAMPLE_MARKERS & set(name.lower().split(".")[2:]))


class EnvSchemaDocument(Document):
    kind = "env"

    def __init__(self, schema: EnvSchema, text: str) -> None:
        super().__init__(schema.path, text, schema.data, schema.locations)
        self.schema = schema

    def build_subjects(self, target: str) -> Iterator[Subject]:
        if target == "env.schema":
            yield Subject(self, self.data, (), key=self.path, context={"schema": self.schema})
        elif target == "env.variable":
            required = set(self.schema.required)
            for name, prop in self.schema.variables.items():
                data = {
                    "name": name,
                    "schema": prop if isinstance(prop, dict) else {},
                    "required": name in required,
                    "secret": self.schema.is_secret(name),
                }
                yield Subject(self, data, ("properties", name), key=name, context={"schema": self.schema})


class EnvFileDocument(Document):
    kind = "env"
    text_is_file = True

    def __init__(self, path: str, text: str, env: EnvFile, schema: EnvSchema | None, directory: Path,
                 base: Path, root: Path | None = None) -> None:
        locations: dict[Pointer, Span] = {(): Span(1)}
        for i, entry in enumerate(env.entries):
            locations[("entries", i)] = Span(entry.line, entry.column)
            locations[("entries", i, "value")] = Span(entry.value_line, entry.value_column)
        name = Path(path).name
        data = {"name": name, "is_example": is_example_name(name), "keys": [e.key for e in env.entries]}
        super().__init__(path, text, data, locations)
        self.env = env
        self.schema = schema
        self.directory = directory
        self.base = base
        self.root = root  # the scanned root: the .gitignore files above the file are read under it

    def build_subjects(self, target: str) -> Iterator[Subject]:
        context = {"env": self.env, "schema": self.schema}
        if target == "env.file":
            yield Subject(self, self.data, (), key=self.path, context=context)
        elif target == "env.entry":
            for i, entry in enumerate(self.env.entries):
                data = {"key": entry.key, "is_example": self.data["is_example"]}
                yield Subject(self, data, ("entries", i), key=entry.key, context={**context, "entry": entry})


def load(target: Target, context: LoadContext) -> list[Document]:
    display = context.relpath(target.path)
    root = context.root_of(target)
    if target.kind == ENV_SCHEMA:
        schema = cached_schema(target.path, display, context.max_bytes, root)
        return [EnvSchemaDocument(schema, read_text(target.path, context.max_bytes, root))]
    text = read_text(target.path, context.max_bytes, root)
    return [EnvFileDocument(display, text, parse_env(text), schema_beside(target.path, context, root),
                            target.path.resolve().parent, context.base, root)]

