"""A small, exact JSON Schema evaluator for the keywords rule predicates use.

Importing jsonschema (with its format extras) costs more than a whole
pre-commit run on one file, so rule schemas built only from the keywords
below are evaluated here; `supports(schema)` says whether a schema is one of
them, and anything else (`$ref`, `unevaluatedProperties`, ...) goes to
jsonschema. The semantics follow jsonschema's Draft202012Validator without a
format checker, including where each error is reported (`error_paths` yields
the `absolute_path` of every error jsonschema would yield, in its order);
tests/test_schemalite.py checks that on random instances.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

Path = tuple[Any, ...]

_ANNOTATIONS = frozenset(
    {"title", "description", "$comment", "examples", "default", "deprecated", "readOnly", "writeOnly", "format"}
)
_SUBSCHEMA = frozenset({"not", "if", "then", "else", "items", "contains", "additionalProperties", "propertyNames"})
_SUBSCHEMA_LISTS = frozenset({"allOf", "anyOf", "oneOf", "prefixItems"})
_SUBSCHEMA_MAPS = frozenset({"properties", "patternProperties"})
_PLAIN = frozenset(
    {"type", "const", "enum", "required", "pattern", "minLength", "maxLength", "minItems", "maxItems",
     "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minProperties", "maxProperties",
     "dependentRequired"}
)
_TYPES = frozenset({"string", "integer", "number", "boolean", "null", "array", "object"})


def supports(schema: Any) -> bool:
    """True when every keyword of `schema` (at any depth) is one this module implements."""
    if isinstance(schema, bool):
        return True
    if not isinstance(schema, dict):
        return False
    for key, value in schema.items():
        if key in _ANNOTATIONS or key in _PLAIN:
            if key == "type" and not all(t in _TYPES for t in ([value] if isinstance(value, str) else value)):
                return False
            continue
        if key in _SUBSCHEMA:
            if not supports(value):
                return False
        elif key in _SUBSCHEMA_LISTS:
            if not all(supports(v) for v in value):
                return False
        elif key in _SUBSCHEMA_MAPS:
            if not all(supports(v) for v in value.values()):
                return False
        else:
            return False
    return True


def equal(one: Any, two: Any) -> bool:
    """JSON equality: true is not 1, false is not 0, 1 is 1.0; containers compared item by item."""
    if one is two:
        return True
    if isinstance(one, str) or isinstance(two, str):
        return bool(one == two)
    if isinstance(one, list) and isinstance(two, list):
        return len(one) == len(two) and all(equal(a, b) for a, b in zip(one, two, strict=True))
    if isinstance(one, dict) and isinstance(two, dict):
        return len(one) == len(two) and all(k in two and equal(v, two[k]) for k, v in one.items())
    if isinstance(one, bool) or isinstance(two, bool):
        return isinstance(one, bool) and isinstance(two, bool) and one == two
    return bool(one == two)


def is_type(instance: Any, name: str) -> bool:
    if name == "string":
        return isinstance(instance, str)
    if name == "object":
        return isinstance(instance, dict)
    if name == "array":
        return isinstance(instance, list)
    if name == "boolean":
        return isinstance(instance, bool)
    if name == "null":
        return instance is None
    if isinstance(instance, bool):
        return False
    if name == "integer":
        return isinstance(instance, int) or (isinstance(instance, float) and instance.is_integer())
    return isinstance(instance, (int, float))


def is_valid(schema: Any, instance: Any) -> bool:
    return next(error_paths(schema, instance), None) is None


def error_paths(schema: Any, instance: Any, path: Path = ()) -> Iterator[Path]:
    """The path of every error, in jsonschema's order (keywords in the schema's order)."""
    if schema is True:
        return
    if schema is False:
        yield path
        return
    for key, value in schema.items():
        yield from _keyword(key, value, schema, instance, path)


def _descend(schema: Any, instance: Any, parent: Path, child: Path) -> Iterator[Path]:
    """A subschema's errors; as in jsonschema, a `false` subschema's error stays at the parent's path."""
    if schema is False:
        yield parent
    else:
        yield from error_paths(schema, instance, child)


def _keyword(key: str, value: Any, schema: dict[str, Any], instance: Any, path: Path) -> Iterator[Path]:
    if key == "properties":
        if isinstance(instance, dict):
            for name, sub in value.items():
                if name in instance:
                    yield from _descend(sub, instance[name], path, path + (name,))
    elif key == "required":
        if isinstance(instance, dict):
            for name in value:
                if name not in instance:
                    yield path
    elif key == "type":
        names = [value] if isinstance(value, str) else value
        if not any(is_type(instance, n) for n in names):
            yield path
    elif key == "const":
        if not equal(instance, value):
            yield path
    elif key == "enum":
        if all(not equal(each, instance) for each in value):
            yield path
    elif key == "pattern":
        if isinstance(instance, str) and not re.search(value, instance):
            yield path
    elif key in ("minLength", "maxLength"):
        if isinstance(instance, str) and _out_of_bounds(key, len(instance), value):
            yield path
    elif key in ("minItems", "maxItems"):
        if isinstance(instance, list) and _out_of_bounds(key, len(instance), value):
            yield path
    elif key in ("minProperties", "maxProperties"):
        if isinstance(instance, dict) and _out_of_bounds(key, len(instance), value):
            yield path
    elif key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        if is_type(instance, "number") and _out_of_bounds(key, instance, value):
            yield path
    elif key == "dependentRequired":
        if isinstance(instance, dict):
            for name, needed in value.items():
                if name in instance:
                    yield from (path for each in needed if each not in instance)
    else:
        yield from _applicator(key, value, schema, instance, path)


def _out_of_bounds(key: str, size: Any, bound: Any) -> bool:
    if key.startswith("exclusiveMin"):
        return bool(size <= bound)
    if key.startswith("exclusiveMax"):
        return bool(size >= bound)
    return bool(size < bound) if key.startswith("min") else bool(size > bound)


def _applicator(key: str, value: Any, schema: dict[str, Any], instance: Any, path: Path) -> Iterator[Path]:
    if key == "allOf":
        for sub in value:
            yield from error_paths(sub, instance, path)
    elif key == "anyOf":
        if not any(is_valid(sub, instance) for sub in value):
            yield path
    elif key == "oneOf":
        if sum(1 for sub in value if is_valid(sub, instance)) != 1:
            yield path
    elif key == "not":
        if is_valid(value, instance):
            yield path
    elif key == "if":
        branch = "then" if is_valid(value, instance) else "else"
        if branch in schema:
            yield from error_paths(schema[branch], instance, path)
    elif key == "items":
        if isinstance(instance, list):
            prefix = len(schema.get("prefixItems", []))
            if value is False and len(instance) > prefix:
                yield path
            elif value is not False:
                for index in range(prefix, len(instance)):
                    yield from _descend(value, instance[index], path, path + (index,))
    elif key == "prefixItems":
        if isinstance(instance, list):
            for index, (sub, item) in enumerate(zip(value, instance, strict=False)):
                yield from _descend(sub, item, path, path + (index,))
    elif key == "contains":
        if isinstance(instance, list) and not any(is_valid(value, item) for item in instance):
            yield path
    elif key == "patternProperties":
        if isinstance(instance, dict):
            for pattern, sub in value.items():
                for name, item in instance.items():
                    if re.search(pattern, name):
                        yield from _descend(sub, item, path, path + (name,))
    elif key == "additionalProperties":
        if isinstance(instance, dict):
            yield from _additional(value, schema, instance, path)
    elif key == "propertyNames" and isinstance(instance, dict):
        for name in instance:
            yield from error_paths(value, name, path)
    # then/else are read by `if`; annotations assert nothing


def _additional(value: Any, schema: dict[str, Any], instance: dict[str, Any], path: Path) -> Iterator[Path]:
    known = schema.get("properties", {})
    patterns = "|".join(schema.get("patternProperties", {}))
    extras = [k for k in instance if k not in known and not (patterns and re.search(patterns, k))]
    if isinstance(value, dict):
        for name in extras:
            yield from _descend(value, instance[name], path, path + (name,))
    elif value is False and extras:
        yield path
