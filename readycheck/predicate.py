"""Schema rules: a subject passes when it validates against the rule's JSON Schema.

Schemas made of the common keywords run on readycheck.schemalite (no
jsonschema import on the hot path); any other schema runs on jsonschema's
Draft202012Validator, compiled once per rule. A failing subject is located at the
deepest part of the failing path that has a location (so `image: nginx:latest`
points at the `image:` line), unless the rule names a place with `at`.
"""

from __future__ import annotations

import re
from typing import Any

from readycheck import schemalite
from readycheck.model import Pointer

_FIELD = re.compile(r"\{([A-Za-z_][A-Za-z0-9_.\-]*)\}")


class Predicate:
    def __init__(self, schema: dict[str, Any], match: dict[str, Any] | None) -> None:
        self.schema = schema
        self.match = match
        self.lite = schemalite.supports(schema) and (match is None or schemalite.supports(match))
        if not self.lite:
            from readycheck.schemaref import validator

            self.validator = validator(schema)  # never retrieves a reference (see readycheck.schemaref)
            self.matcher = validator(match) if match else None

    def applies(self, data: Any) -> bool:
        if self.match is None:
            return True
        if self.lite:
            return schemalite.is_valid(self.match, data)
        assert self.matcher is not None
        return bool(self.matcher.is_valid(data))

    def failure(self, data: Any) -> Pointer | None:
        """None when the subject passes; else the pointer (relative to it) of what failed."""
        paths = (
            schemalite.error_paths(self.schema, data) if self.lite
            else (tuple(error.absolute_path) for error in self.validator.iter_errors(data))
        )
        best: Pointer | None = None
        for path in paths:
            if best is None or len(path) > len(best):
                best = path
        return best


def lookup(data: Any, dotted: str) -> Any:
    current = data
    for part in dotted.split("."):
        if isinstance(current, dict) and part in current:
            current = current[part]
        elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        else:
            return None
    return current


def format_message(template: str, data: Any, extra: dict[str, Any] | None = None) -> str:
    """Fill `{field.sub}` placeholders from the subject's data (missing fields print as '?')."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if extra and name in extra:
            return str(extra[name])
        found = lookup(data, name)
        return "?" if found is None else str(found)

    return _FIELD.sub(value, template)
