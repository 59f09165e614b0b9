"""YAML to plain data plus a location for every key and item.

Parsing uses the node composer only (libyaml's through PyYAML when it is
compiled in, ruamel.yaml's otherwise): nothing is ever constructed from a tag,
so `!!python/object` is just a mapping or a string here. Scalars are resolved
with YAML 1.2 core rules (`on`, `yes` stay strings, as GitHub and most modern
tools read them). Aliases are expanded under a budget, so an alias bomb is an
error, not a hang; nesting is measured on the event stream (which libyaml
parses without recursion) before composing, so a `[[[[...` bomb is an error,
not a stack overflow in the C composer. Budgets: readycheck/limits.py.

Duplicate keys: the last value wins (as in PyYAML, ruamel and kubectl) and
each repeated key is recorded in `duplicate_keys` with its line, for a
loader or rule to report.
"""

from __future__ import annotations

import functools
import gc
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from readycheck import limits
from readycheck.model import Pointer, Span
from readycheck.textio import LoadError

_INT = re.compile(r"[-+]?[0-9]+$")
_OCT = re.compile(r"0o[0-7]+$")
_HEX = re.compile(r"0x[0-9a-fA-F]+$")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
_STANDARD_TAGS = {
    "tag:yaml.org,2002:" + t for t in ("str", "int", "float", "bool", "null", "timestamp", "value", "merge")
}


@dataclass
class YamlDocument:
    """One YAML document: its data, where each part is (key line), and where each value starts."""

    data: Any
    locations: dict[Pointer, Span] = field(default_factory=dict)
    value_locations: dict[Pointer, Span] = field(default_factory=dict)
    start_line: int = 1
    duplicate_keys: list[tuple[str, int]] = field(default_factory=list)


_NAMED_SCALARS: dict[str, Any] = {
    **dict.fromkeys(("", "~", "null", "Null", "NULL")),
    **dict.fromkeys(("true", "True", "TRUE"), True),
    **dict.fromkeys(("false", "False", "FALSE"), False),
    **dict.fromkeys((".inf", ".Inf", ".INF", "+.inf"), float("inf")),
    **dict.fromkeys(("-.inf", "-.Inf", "-.INF"), float("-inf")),
    **dict.fromkeys((".nan", ".NaN", ".NAN"), float("nan")),
}
_NUMBER_STARTS = frozenset("0123456789+-.")


def resolve_plain(value: str) -> Any:
    """YAML 1.2 core schema resolution of a plain scalar."""
    if value in _NAMED_SCALARS:
        return _NAMED_SCALARS[value]
    if value[0] not in _NUMBER_STARTS:
        return value
    if _INT.match(value):
        return int(value)
    if _OCT.match(value):
        return int(value[2:], 8)
    if _HEX.match(value):
        return int(value[2:], 16)
    if _FLOAT.match(value) and any(c.isdigit() for c in value):
        return float(value)
    return value


_STR_TAG = "tag:yaml.org,2002:str"
_MERGE_TAG = "tag:yaml.org,2002:merge"


@functools.cache
def _composer() -> Any:
    try:
        import yaml
    except ImportError:  # pragma: no cover - PyYAML is a dependency; ruamel is the fallback
        from ruamel.yaml import YAML
        from ruamel.yaml.error import YAMLError

        y = YAML(typ="safe", pure=True)
        return y.compose_all, YAMLError
    try:
        from yaml.cyaml import CParser  # type: ignore[attr-defined]  # not in its __all__
    except ImportError:  # pragma: no cover - PyYAML without libyaml
        return functools.partial(yaml.compose_all, Loader=yaml.SafeLoader), yaml.YAMLError
    return functools.partial(yaml.compose_all, Loader=_tag_loader(CParser)), yaml.YAMLError


@functools.cache
def _tag_loader(c_parser: Any) -> Any:
    """libyaml's composer with the cheapest tag resolver that keeps what the walk reads.

    The walk resolves plain scalars itself (YAML 1.2) and only asks whether a
    plain scalar's tag is a standard one and whether a key is the merge key
    `<<`; PyYAML's YAML 1.1 resolver (a regex match per scalar, in Python)
    would answer the same questions at a far higher price.
    """

    class TagLoader(c_parser):
        def resolve(self, kind: Any, value: Any, implicit: tuple[bool, bool]) -> str:
            if kind.id == "scalar":
                return _MERGE_TAG if implicit[0] and value == "<<" else _STR_TAG
            return "tag:yaml.org,2002:seq" if kind.id == "sequence" else "tag:yaml.org,2002:map"

        def descend_resolver(self, parent: Any, index: Any) -> None:
            """No path resolvers: nothing to track."""

        def ascend_resolver(self) -> None:
            """No path resolvers: nothing to track."""

    return TagLoader


def _error_line(exc: Exception) -> int | None:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    return mark.line + 1 if mark is not None else None


def _error_message(exc: Exception) -> str:
    problem = getattr(exc, "problem", None)
    context = getattr(exc, "context", None)
    if problem:
        return f"{context}: {problem}" if context else str(problem)
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def _span(node: Any) -> Span:
    """Where a node sits: its first line and column, and the last line it reaches into."""
    start = node.start_mark
    end = node.end_mark
    line = start.line + 1
    end_line = end.line + 1 if end.column > 0 else end.line
    return Span(line, start.column + 1, end_line if end_line > line else line)


class _Walker:
    """Turns composed nodes into data; one per stream, so the node budgets hold for the whole file."""

    def __init__(self) -> None:
        self.budget = limits.YAML_MAX_NODES
        self.alias_budget = limits.YAML_MAX_ALIAS_NODES
        self.walked: set[int] = set()
        self.doc = YamlDocument(data=None)

    def document(self, node: Any) -> YamlDocument:
        self.doc = YamlDocument(data=None, start_line=node.start_mark.line + 1)
        self.walked = set()
        span = _span(node)
        self.doc.locations[()] = span
        self.doc.data = self.walk(node, (), 0, span)
        return self.doc

    def walk(self, node: Any, pointer: Pointer, depth: int, span: Span | None) -> Any:
        """Plain data of `node`; `span` is the node's span when the caller has computed it already."""
        self.budget -= 1
        if self.budget < 0:
            raise LoadError(f"YAML document has over {limits.YAML_MAX_NODES} nodes", node.start_mark.line + 1)
        if id(node) in self.walked:
            self.alias_budget -= 1
            if self.alias_budget < 0:
                raise LoadError(
                    f"YAML aliases expand to over {limits.YAML_MAX_ALIAS_NODES} nodes (alias bomb?)",
                    node.start_mark.line + 1,
                )
        else:
            self.walked.add(id(node))
        if depth > limits.YAML_MAX_DEPTH:
            raise LoadError(f"YAML nesting deeper than {limits.YAML_MAX_DEPTH} levels", node.start_mark.line + 1)
        value_locations = self.doc.value_locations
        if pointer not in value_locations:
            value_locations[pointer] = span or _span(node)
        node_id = node.id
        if node_id == "scalar":
            if not node.style and (node.tag in _STANDARD_TAGS or not node.tag.startswith("tag:yaml.org")):
                return resolve_plain(node.value)
            return node.value
        if node_id == "sequence":
            items = []
            locations = self.doc.locations
            for i, child in enumerate(node.value):
                child_pointer = pointer + (i,)
                child_span = _span(child)
                if child_pointer not in locations:
                    locations[child_pointer] = child_span
                items.append(self.walk(child, child_pointer, depth + 1, child_span))
            return items
        if node_id == "mapping":
            return self.walk_mapping(node, pointer, depth)
        return None

    def walk_mapping(self, node: Any, pointer: Pointer, depth: int) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        merged: list[dict[Any, Any]] = []
        key_pointer = pointer + ("<key>",)
        locations = self.doc.locations
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG and key_node.id == "scalar":
                value = self.walk(value_node, pointer, depth + 1, None)
                sources = value if isinstance(value, list) else [value]
                merged.extend(s for s in sources if isinstance(s, dict))
                continue
            key = self.walk(key_node, key_pointer, depth + 1, None)
            if isinstance(key, (list, dict)):
                key = str(key)
            if key in result:
                self.doc.duplicate_keys.append((str(key), key_node.start_mark.line + 1))
            child = pointer + (key,)
            value_span = _span(value_node)
            key_start = key_node.start_mark
            locations[child] = Span(key_start.line + 1, key_start.column + 1, value_span.last_line)
            result[key] = self.walk(value_node, child, depth + 1, value_span)
        for source in merged:
            for k, v in source.items():
                result.setdefault(k, v)
        return result


def _nesting_bound(text: str) -> int:
    """A cheap upper bound of the nesting depth: each flow level needs a bracket, each block level a column or two."""
    longest = max((len(line) for line in text.split("\n")), default=0)
    return text.count("[") + text.count("{") + 2 * longest + 1


def _check_nesting(text: str) -> None:
    """Refuse a stream nested deeper than the limit, reading events (no recursion) and stopping at the limit."""
    if _nesting_bound(text) <= limits.YAML_MAX_DEPTH:
        return
    import yaml

    loader = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader
    depth = 0
    for event in yaml.parse(text, Loader=loader):
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > limits.YAML_MAX_DEPTH:
                line = event.start_mark.line + 1 if event.start_mark is not None else None
                raise LoadError(f"YAML nesting deeper than {limits.YAML_MAX_DEPTH} levels", line)
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1


def load_yaml_documents(text: str) -> list[YamlDocument]:
    """Parse every document of a YAML stream. Raises LoadError with a line on bad YAML."""
    compose_all, yaml_error = _composer()
    docs: list[YamlDocument] = []
    try:
        _check_nesting(text)
        walker = _Walker()
        with _collector_paused():
            for node in compose_all(text):
                if node is not None:
                    docs.append(walker.document(node))
    except yaml_error as exc:
        raise LoadError(_error_message(exc), _error_line(exc)) from None
    except RecursionError:
        raise LoadError("YAML nesting too deep to parse") from None
    return docs


@contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while a stream is composed and walked.

    Every node, dict, list and span made here lives until the walk ends (most of
    it in the document), so a collection in between only traverses survivors.
    A cycle made meanwhile (a recursive alias) is collected after.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
