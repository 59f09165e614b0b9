"""Load values YAML keeping line numbers, with Helm's number semantics.

Helm reads values through YAML->JSON->Go, so every number becomes a float64;
we mirror that (``TrackedFloat``) so ``kindOf``, ``eq`` and printing behave as in
Helm (``1000000`` prints as ``1e+06``).
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any, NamedTuple

import yaml

from .provenance import Origin, TrackedDict, TrackedList, with_origin

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_BINARY = "tag:yaml.org,2002:binary"
_MERGE = "tag:yaml.org,2002:merge"


class ValuesError(ValueError):
    """A values file that is not valid YAML or not a map; carries file and line."""

    def __init__(self, file: str, line: int | None, message: str) -> None:
        super().__init__(message)
        self.file = file
        self.line = line
        self.message = message


_scalar_constructor = yaml.SafeLoader("")
MAX_VALUE_NODES = 100_000  # YAML aliases can make a small file expand exponentially


def _scalar(node: yaml.ScalarNode) -> Any:
    tag = node.tag
    if tag == _STR:
        return node.value
    if tag == _NULL:
        return None
    if tag == _BOOL:
        return _scalar_constructor.construct_yaml_bool(node)
    if tag == _INT:
        return float(_scalar_constructor.construct_yaml_int(node))
    if tag == _FLOAT:
        return float(_scalar_constructor.construct_yaml_float(node))
    if tag == _BINARY:
        return base64.b64encode(_scalar_constructor.construct_yaml_binary(node)).decode()
    return node.value  # timestamps and custom tags stay the text they were written as


def _key_text(node: yaml.Node) -> str:
    if isinstance(node, yaml.ScalarNode):
        if node.tag == _NULL:
            return "null"
        if node.tag == _BOOL:
            return "true" if _scalar_constructor.construct_yaml_bool(node) else "false"
        return str(node.value)
    raise ValuesError("", node.start_mark.line + 1, "map keys must be scalars")


def build(node: yaml.Node, file: str, origin: Origin, lines: dict[tuple[Any, ...], int], path: tuple[Any, ...]) -> Any:
    """Turn a composed node into tracked Python values, recording key lines in ``lines``."""
    if len(lines) > MAX_VALUE_NODES:
        raise ValuesError(file, node.start_mark.line + 1, "values expand to too many nodes (YAML alias bomb?)")
    if isinstance(node, yaml.MappingNode):
        out = TrackedDict()
        out.origin = origin
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                merged = build(value_node, file, origin, lines, path)
                for source in merged if isinstance(merged, list) else [merged]:
                    if isinstance(source, TrackedDict):
                        for k, v in source.items():
                            if k not in out:
                                out[k] = v
                                out.key_origins[k] = source.key_origins.get(k, origin)
                continue
            key = _key_text(key_node)
            key_origin = Origin(file, key_node.start_mark.line + 1)
            lines[path + (key,)] = key_origin.line
            out[key] = build(value_node, file, key_origin, lines, path + (key,))
            out.key_origins[key] = key_origin
        return out
    if isinstance(node, yaml.SequenceNode):
        seq = TrackedList()
        seq.origin = origin
        for index, item in enumerate(node.value):
            item_origin = Origin(file, item.start_mark.line + 1)
            lines[path + (index,)] = item_origin.line
            seq.append(build(item, file, item_origin, lines, path + (index,)))
            seq.item_origins.append(item_origin)
        return seq
    assert isinstance(node, yaml.ScalarNode)
    return with_origin(_scalar(node), origin)


def parse_values_text(text: str, file: str) -> tuple[dict[str, Any], dict[tuple[Any, ...], int]]:
    """Parse values YAML; an empty document is an empty map, a non-map is an error."""
    lines: dict[tuple[Any, ...], int] = {}
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ValuesError(file, mark.line + 1 if mark else None, f"invalid YAML: {exc}") from None
    if node is None:
        empty = TrackedDict()
        empty.origin = Origin(file, 1)
        return empty, lines
    try:
        values = build(node, file, Origin(file, node.start_mark.line + 1), lines, ())
    except ValuesError as exc:
        raise ValuesError(file, exc.line, exc.message) from None
    except RecursionError:
        raise ValuesError(file, None, "values nested too deeply") from None
    if values is None:
        values = TrackedDict()
        values.origin = Origin(file, 1)
    if not isinstance(values, dict):
        raise ValuesError(file, node.start_mark.line + 1, "values must be a YAML map")
    return values, lines


class ValuesText(NamedTuple):
    """A values file already read (through the scanned tree's reader): `name` is how its lines are reported."""

    name: str
    text: str


def load_values_with_lines(path: str | Path, display_name: str | None = None) -> tuple[dict[str, Any], dict[tuple[Any, ...], int]]:
    """Public helper: values of a file and a map from key path (keys and list indexes) to line.

    Read through textio.read_text: a regular file within the size limit, and recorded as a dependency
    of the cached result (a changed values file is never answered from the cache).
    """
    from readycheck.textio import LoadError, read_text

    file = Path(path)
    name = display_name or file.name
    try:
        text = read_text(file)
    except LoadError as exc:
        raise ValuesError(name, exc.line, f"cannot read values file: {exc.message}") from None
    return parse_values_text(text, name)
