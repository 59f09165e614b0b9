"""A parsed env schema: the variables it declares, and how their values are validated.

The loader builds it (readycheck.loaders.env); the env checks read it from their subjects' context.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from readycheck.model import Pointer, Span

_BOOLEANS = {"true": True, "false": False, "1": True, "0": False, "yes": True, "no": False}
_INTEGER = re.compile(r"[-+]?[0-9]+\Z")
_NUMBER = re.compile(r"[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?\Z")


def coerce_value(value: str, prop: dict[str, Any]) -> Any:
    """An env value as the application reads it, by the declared type (env values are always text)."""
    declared = prop.get("type")
    types = declared if isinstance(declared, list) else [declared]
    if "integer" in types and _INTEGER.match(value):
        return int(value)
    if "number" in types and _NUMBER.match(value):
        return float(value)
    if "boolean" in types and value.lower() in _BOOLEANS:
        return _BOOLEANS[value.lower()]
    return value


@dataclass
class EnvSchema:
    """A parsed env schema: the variables it declares and how to validate their values."""

    path: str
    data: dict[str, Any]
    locations: dict[Pointer, Span]
    problems: list[tuple[Pointer, str]] = field(default_factory=list)
    """Why the schema is not a valid JSON Schema: (pointer into the schema, message)."""
    external_refs: list[tuple[Pointer, str]] = field(default_factory=list)
    checked_values: dict[tuple[str, str, bool, bool], list[Any]] = field(default_factory=dict, repr=False,
                                                                         compare=False)
    """Validation errors by (variable, value, interpolated, in an example file): six value rules ask alike."""

    @cached_property
    def variables(self) -> dict[str, Any]:
        props = self.data.get("properties")
        return {str(k): v for k, v in props.items()} if isinstance(props, dict) else {}

    @property
    def required(self) -> list[str]:
        req = self.data.get("required")
        return [str(r) for r in req] if isinstance(req, list) else []

    @property
    def allows_additional(self) -> bool:
        extra = self.data.get("additionalProperties", True)
        return extra is not False and not self.data.get("patternProperties")

    def is_secret(self, name: str) -> bool:
        prop = self.variables.get(name)
        return isinstance(prop, dict) and (prop.get("x-secret") is True or prop.get("writeOnly") is True)

    def validator_class(self) -> Any:
        from readycheck.boundedregex import bounded_validator_class
        from readycheck.schemaref import class_for

        return bounded_validator_class(class_for(self.data))

    @cached_property
    def value_validator(self) -> Any:
        """A validator of the whole schema that checks formats and fetches no remote reference."""
        from readycheck.schemaref import validator

        cls = self.validator_class()
        return validator(self.data, cls, format_checker=cls.FORMAT_CHECKER)

    def value_errors(self, name: str, value: str) -> list[Any]:
        """The schema's validation errors for one variable's value, after the string-to-type coercion.

        The one judgement of a value against its property: env files (ENV0xx) and the values a manifest, chart or
        compose service sets (SVC013) both ask it. [] when the schema cannot judge (no such property, a broken
        schema or reference)."""
        prop = self.variables.get(name)
        if not isinstance(prop, dict) or self.problems or self.external_refs:
            return []
        try:
            return list(self.value_validator.evolve(schema=prop).iter_errors(coerce_value(value, prop)))
        except Exception:  # an unresolvable reference or a broken keyword: the schema rules report it
            return []

