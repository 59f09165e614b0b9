"""JSON Schema validators that never retrieve anything.

jsonschema's default registry fetches any `$ref` it cannot resolve:
`http(s)://` with urllib, `file://` from the disk (a schema in a scanned
repository naming `file:///dev/zero` or an internal URL would be read or
requested). Every validator readycheck builds comes from `validator` here,
with a registry whose retrieve function refuses every URI: a reference
resolves only to the schema itself, a resource embedded in it (`$id`), or a
meta-schema that jsonschema bundles. `outside_references` finds, before any
validation, the references that would have needed a retrieval, so that the
caller reports them as an error for the file instead of a failed rule.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import Any

REFERENCE_KEYWORDS = ("$ref", "$dynamicRef", "$recursiveRef")


class ReferenceRefused(LookupError):
    """A schema asked for a URI outside itself: readycheck never retrieves one."""


def refuse_retrieval(uri: str) -> Any:
    """The registry's retrieve function: nothing is fetched or opened, whatever the scheme."""
    raise ReferenceRefused(f"{uri[:200]!r} is outside the schema and is never retrieved")


@cache
def registry() -> Any:
    """An empty registry that refuses every retrieval (jsonschema adds its bundled meta-schemas)."""
    from referencing import Registry

    return Registry(retrieve=refuse_retrieval)  # type: ignore[call-arg]


def validator(schema: Any, cls: Any = None, format_checker: Any = None) -> Any:
    """A validator of `schema` (Draft 2020-12 unless `cls` says otherwise) that never retrieves a reference."""
    if cls is None:
        from jsonschema import Draft202012Validator

        cls = Draft202012Validator
    return cls(schema, registry=registry(), format_checker=format_checker)


def class_for(schema: Any, default: Any = None) -> Any:
    """The validator class `schema`'s `$schema` names (a `$schema` URI is only looked up, never retrieved)."""
    from jsonschema.validators import validator_for

    if isinstance(schema, dict) and not isinstance(schema.get("$schema", ""), str):
        schema = {}  # a malformed $schema names no draft (the meta-schema check reports it)
    return validator_for(schema, default=default) if default is not None else validator_for(schema)


def meta_validator(cls: Any, format_checker: Any = None) -> Any:
    """A validator of schemas written for `cls`'s draft (its meta-schema is bundled: nothing is retrieved)."""
    return validator(cls.META_SCHEMA, cls, format_checker)


def schema_problem(schema: Any, cls: Any = None) -> str | None:
    """Why `schema` is not a valid schema for `cls`'s draft (the best error's message), or None."""
    from jsonschema.exceptions import best_match

    if cls is None:
        from jsonschema import Draft202012Validator

        cls = Draft202012Validator
    error = best_match(meta_validator(cls, cls.FORMAT_CHECKER).iter_errors(schema))  # as cls.check_schema judges
    return None if error is None else str(error.message)


def has_references(node: Any) -> bool:
    """Whether any reference keyword appears in `node` (a schema without one needs no resolver at all)."""
    if isinstance(node, dict):
        return any(k in node for k in REFERENCE_KEYWORDS) or any(has_references(v) for v in node.values())
    if isinstance(node, list):
        return any(has_references(v) for v in node)
    return False


def outside_references(schema: Any, cls: Any = None) -> list[str]:
    """Every `$ref`, `$dynamicRef` and `$recursiveRef` of `schema` that does not resolve without a retrieval.

    Each is resolved against the base URI in force where it stands (`$id`s
    included), as jsonschema would resolve it, but with the refusing registry.
    """
    if cls is None:
        from jsonschema import Draft202012Validator

        cls = Draft202012Validator
    if not isinstance(schema, dict) or not has_references(schema):
        return []
    # the meta-schemas jsonschema bundles and adds to every registry (jsonschema >= 4.18 requires this package)
    from jsonschema_specifications import REGISTRY as SPECIFICATIONS
    from referencing.jsonschema import specification_with

    specification = specification_with(str(cls.META_SCHEMA.get("$schema", "")))
    resource = specification.create_resource(schema)
    found: list[str] = []
    resolver = SPECIFICATIONS.combine(registry()).resolver_with_root(resource)
    _walk(resolver, resource, specification, found, 0)
    return found


def _walk(resolver: Any, resource: Any, specification: Any, found: list[str], depth: int) -> None:
    if depth > 200:
        found.append("(nested too deeply to check)")
        return
    contents = resource.contents
    if isinstance(contents, dict):
        for keyword in REFERENCE_KEYWORDS:
            reference = contents.get(keyword)
            if isinstance(reference, str):
                try:
                    resolver.lookup(reference)
                except Exception:  # unresolvable, refused, or malformed: never followed
                    found.append(reference)
    for sub in _subresources(resource, specification):
        try:
            inner = resolver.in_subresource(sub)
        except Exception:
            inner = resolver
        _walk(inner, sub, specification, found, depth + 1)


def _subresources(resource: Any, specification: Any) -> Iterator[Any]:
    """The resource's subschemas. Where a keyword is malformed (the meta-schema check reports it), every
    mapping below is taken for one, so that no reference goes unchecked."""
    if isinstance(resource.contents, dict):
        try:
            subresources = list(resource.subresources())
        except Exception:
            pass
        else:
            yield from subresources
            # A JSON pointer can reach any mapping, also under a keyword the draft does not know (`$defs`
            # in a draft-7 schema): walk those too, or a reference there is only met while validating.
            known = {id(sub.contents) for sub in subresources}
            yield from (specification.create_resource(mapping) for mapping in _mappings_below(resource.contents)
                        if id(mapping) not in known and not _is_data(resource.contents, mapping)
                        and not any(id(v) in known for v in mapping.values()))  # `properties` itself
            return
    yield from (specification.create_resource(mapping) for mapping in _mappings_below(resource.contents))


_DATA_KEYWORDS = ("const", "enum", "default", "examples", "example")


def _is_data(parent: dict[str, Any], mapping: dict[str, Any]) -> bool:
    """Whether `mapping` is an instance value in `parent` (a `default` or `const`), not a schema."""
    return any(parent.get(k) is mapping or (isinstance(parent.get(k), list) and any(v is mapping for v in parent[k]))
               for k in _DATA_KEYWORDS)


def _mappings_below(node: Any) -> Iterator[dict[str, Any]]:
    """The nearest mappings inside `node`'s values, through any lists."""
    values = node.values() if isinstance(node, dict) else node if isinstance(node, list) else []
    for value in values:
        if isinstance(value, dict):
            yield value
        elif isinstance(value, list):
            yield from _mappings_below(value)
