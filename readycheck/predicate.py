"""Schema rules (user rules from `--rules DIR`): a subject passes when it validates against the rule's JSON Schema.

Only user rules are schema rules, and their directory's load already imported
jsonschema to validate them, so the schemas run on jsonschema through
readycheck.schemaref (draft 2020-12, never retrieving), compiled once per rule. A failing subject is located at
the deepest part of the failing path that has a location (so `image:
nginx:latest` points at the `image:` line), unless the rule names a place with `at`.
"""

from __future__ import annotations

import re
from typing import Any

from readycheck.model import Pointer

_FIELD = re.compile(r"\{([A-Za-z_][A-Za-z0-9_.\-]*)\}")


class Predicate:
    def __init__(self, schema: dict[str, Any], match: dict[str, Any] | None) -> None:
        from readycheck.schemaref import validator

        self.validator = validator(schema)  # never retrieves a reference (see readycheck.schemaref)
        self.matcher = validator(match) if match else None

    def applies(self, data: Any) -> bool:
        return self.matcher is None or bool(self.matcher.is_valid(data))

    def failure(self, data: Any) -> Pointer | None:
        """None when the subject passes; else the pointer (relative to it) of what failed."""
        best: Pointer | None = None
        for error in self.validator.iter_errors(data):
            path = tuple(error.absolute_path)
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
