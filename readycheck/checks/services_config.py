"""Configuration across a service's artifacts: the env values its runners set, judged by its env schema.

The values come from the runners' facts (Kubernetes `env[].value`, a rendered chart's container env, a compose
`environment` with `${VAR:-default}` given its default), carried only when literal and not shaped or named like a
credential; the schema's facts carry each property's value keywords. They meet here, in the second pass: the one
place that sees both ends, so neither end's facts need the other's content.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from typing import Any

from readycheck.checks.env import describe_error
from readycheck.checks.services import _at, _what
from readycheck.envschema import EnvSchema
from readycheck.model import Hit, Subject
from readycheck.secrets import is_placeholder, redact
from readycheck.targets import Service, ServiceEnvSchema

SHOWN_LIMIT = 60


def _schema_of(schema: ServiceEnvSchema) -> EnvSchema:
    """The linked schema rebuilt from its facts (the value keywords of each property), for EnvSchema.value_errors:
    the same validation, coercion and formats the env files get (ENV0xx)."""
    data: dict[str, Any] = {"type": "object", "properties": dict(schema.get("values") or {})}
    if schema.get("dialect"):
        data["$schema"] = schema["dialect"]
    return EnvSchema(schema["path"], data, {})


def _shown(name: str, value: str, schema: ServiceEnvSchema) -> str:
    if name in (schema.get("secret") or []):
        return redact(value)
    return value if len(value) <= SHOWN_LIMIT else value[: SHOWN_LIMIT - 3] + "..."


def env_value_invalid(subject: Subject[Service], options: dict[str, Any]) -> Iterator[Hit]:
    """A literal value a container, rendered chart container or compose service sets for a variable of the linked
    env schema breaks that variable's schema (type after coercion, enum, pattern, format, bounds)."""
    schema = subject.data["env_schema"]
    if schema is None or not schema.get("values"):
        return
    validator = _schema_of(schema)
    lines = schema.get("lines") or {}
    for run in subject.data["runs"]:
        for entry in run.get("env_entries") or []:
            name, value = entry["name"], entry["value"]
            if value is None or value == "" or is_placeholder(value) or name not in validator.variables:
                continue  # unknown; or empty or a placeholder, which commonly stands for "unset, fill in at deploy"
            errors = sorted(validator.value_errors(name, value), key=lambda e: (str(e.validator), str(e.message)))
            if not errors:
                continue
            shown = _shown(name, value, schema)
            yield _at([entry["place"][0], entry.get("value_line") or entry["place"][1]],
                      f"{_what(run)} sets {name}={shown}, which the env schema {schema['path']} rejects "
                      f"({describe_error(errors[0])}; linked by {schema['how']}): the application refuses to start "
                      "or misreads the setting",
                      [(schema["path"], lines.get(name), f"{name} is declared here")],
                      f"{run['path']}|{_what(run)}|{name}|{errors[0].validator}")


def env_unknown_to_closed_schema(subject: Subject[Service], options: dict[str, Any]) -> Iterator[Hit]:
    """A runner sets a variable that the linked env schema, closed by `additionalProperties: false`, does not
    declare: a misspelt name (the application never reads it) or a variable the schema should declare."""
    schema = subject.data["env_schema"]
    if schema is None or not schema["closed"] or schema.get("pattern_properties"):
        return
    known = set(schema["properties"])
    for run in subject.data["runs"]:
        for entry in run.get("env_entries") or []:
            name = entry["name"]
            if name in known:
                continue
            close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.75)
            hint = f"; did you mean {close[0]}?" if close else ""
            yield _at(entry["place"],
                      f"{_what(run)} sets {name}, which the env schema {schema['path']} does not declare while it "
                      f"allows no other variable (additionalProperties: false){hint}",
                      [(schema["path"], schema.get("closed_line"), "additionalProperties: false")], f"{run['path']}|{_what(run)}|{name}")
