"""readycheck.schemalite agrees with jsonschema's Draft202012Validator, error paths included.

A differential property test: for every built-in rule schema it implements, and for schemas
that use each keyword it implements, random instances (built from the schema's own property
names and constants, so that deep branches are reached) get the same verdict and the same
error paths, in the same order, from both.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from readycheck import schemalite
from readycheck.catalog import load_catalog
from readycheck.predicate import Predicate

KEYWORD_SCHEMAS: list[dict[str, Any]] = [
    {"type": ["string", "null"], "minLength": 2, "maxLength": 5, "pattern": "^a"},
    {"type": "integer", "minimum": 0, "maximum": 10, "exclusiveMaximum": 8},
    {"type": "number", "exclusiveMinimum": -1.5},
    {"enum": [1, True, "x", None, [1, 2], {"a": 1}]},
    {"const": {"a": [1, False]}},
    {"const": 0},
    {"type": "object", "required": ["a", "b"], "properties": {"a": {"const": True}, "b": {"type": "array"}},
     "minProperties": 1, "maxProperties": 3, "dependentRequired": {"c": ["a", "d"]}},
    {"properties": {"a": {"items": {"type": "integer"}, "minItems": 1, "maxItems": 3}},
     "patternProperties": {"^b": {"type": "string"}}, "additionalProperties": False},
    {"properties": {"a": {"type": "string"}}, "additionalProperties": {"type": "integer"}},
    {"prefixItems": [{"type": "string"}, {"const": 1}], "items": False},
    {"prefixItems": [{"type": "string"}], "items": {"type": "object"}, "contains": {"const": "a"}},
    {"allOf": [{"required": ["a"]}, {"properties": {"a": {"not": {"const": 1}}}}]},
    {"anyOf": [{"required": ["a"]}, {"properties": {"b": {"type": "string"}}, "required": ["b"]}]},
    {"oneOf": [{"properties": {"a": {"type": "integer"}}}, {"properties": {"a": {"const": 1}}}]},
    {"if": {"properties": {"kind": {"const": "a"}}, "required": ["kind"]},
     "then": {"required": ["b"], "properties": {"b": {"minLength": 1}}},
     "else": {"properties": {"c": {"type": "boolean"}}}},
    {"propertyNames": {"pattern": "^[a-c]$"}, "title": "names", "description": "only a to c", "format": "email"},
    {"properties": {"a": True, "b": False, "c": {"properties": {"d": {"items": {"properties": {"e": False}}}}}}},
]


def builtin_schemas() -> list[tuple[str, dict[str, Any]]]:
    found = []
    for rule in load_catalog().rules:
        for key in ("schema", "match"):
            schema = getattr(rule, key)
            if schema is not None:
                found.append((f"{rule.id}-{key}", schema))
    return found


def schema_words(schema: Any, names: set[str], values: list[Any]) -> None:
    """Property names and constants mentioned anywhere in a schema: the raw material of instances."""
    if isinstance(schema, dict):
        for key, value in schema.items():
            if key in ("properties", "patternProperties", "dependentRequired"):
                names.update(value)
            if key in ("required",):
                names.update(value)
            if key == "const":
                values.append(value)
            if key == "enum":
                values.extend(value)
            schema_words(value, names, values)
    elif isinstance(schema, list):
        for item in schema:
            schema_words(item, names, values)


def instances(schema: Any) -> st.SearchStrategy[Any]:
    names: set[str] = set()
    values: list[Any] = []
    schema_words(schema, names, values)
    strings = st.sampled_from(sorted(names) + ["", "a", "b", "latest", "x"]) | st.text(max_size=6)
    leaves = (
        st.none() | st.booleans() | st.integers(-3, 12) | st.floats(-3, 12, allow_nan=False)
        | st.sampled_from([0.0, 1.0, 8.0]) | strings
    )
    if values:
        leaves = leaves | st.sampled_from([json.loads(json.dumps(v)) for v in values])
    return st.recursive(
        leaves,
        lambda children: st.lists(children, max_size=4) | st.dictionaries(strings, children, max_size=5),
        max_leaves=20,
    )


def jsonschema_paths(validator: Draft202012Validator, instance: Any) -> list[tuple[Any, ...]]:
    return [tuple(error.absolute_path) for error in validator.iter_errors(instance)]


def has_additional_schema(schema: Any) -> bool:
    """jsonschema visits additionalProperties' extras in set order, so only the multiset of paths is fixed."""
    text = json.dumps(schema)
    return '"additionalProperties": {' in text


CASES = [(f"keywords-{i}", s) for i, s in enumerate(KEYWORD_SCHEMAS)] + builtin_schemas()


@pytest.mark.parametrize("name,schema", CASES, ids=[name for name, _ in CASES])
def test_schemalite_agrees_with_jsonschema(name: str, schema: dict[str, Any]) -> None:
    assert schemalite.supports(schema), f"{name} uses a keyword schemalite lacks: extend it or drop the case"

    validator = Draft202012Validator(schema)

    @settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(instances(schema))
    def agrees(instance: Any) -> None:
        expected = jsonschema_paths(validator, instance)
        got = list(schemalite.error_paths(schema, instance))
        if has_additional_schema(schema):
            assert Counter(got) == Counter(expected)
        else:
            assert got == expected
        assert schemalite.is_valid(schema, instance) == (not expected)

    agrees()


def test_unsupported_keywords_fall_back_to_jsonschema() -> None:
    schema = {"$defs": {"tag": {"type": "string"}}, "properties": {"tag": {"$ref": "#/$defs/tag"}}}
    assert not schemalite.supports(schema)
    assert not schemalite.supports({"type": "decimal"})
    assert not schemalite.supports({"unevaluatedProperties": False})
    predicate = Predicate(schema, None)
    assert not predicate.lite
    assert predicate.failure({"tag": 3}) == ("tag",)
    assert predicate.failure({"tag": "v1"}) is None


def test_predicate_picks_the_deepest_failing_path() -> None:
    predicate = Predicate({"required": ["a"], "properties": {"b": {"properties": {"c": {"const": 1}}}}}, None)
    assert predicate.lite
    assert predicate.failure({"b": {"c": 2}}) == ("b", "c")
    assert predicate.failure({"a": 1, "b": {"c": 1}}) is None
