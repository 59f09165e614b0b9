"""Load values YAML keeping line numbers, with Helm's number semantics.

Helm reads values through YAML->JSON->Go, so every number becomes a float64;
we mirror that (``TrackedFloat``) so ``kindOf``, ``eq`` and printing behave as in
Helm (``1000000`` prints as ``1e+06``).
"""

from __future__ import annotations

import base64
import math
import re
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

# Helm reads YAML with go-yaml v2's resolution, which is not PyYAML's YAML 1.1: ``y``/``n`` are
# booleans, ``6e+06`` and ``1e3`` are floats, ``0o17`` is octal, ``1:20`` and dates stay strings.
_GO_TRUE = frozenset(["y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "true", "True", "TRUE"])
_GO_FALSE = frozenset(["n", "N", "no", "No", "NO", "off", "Off", "OFF", "false", "False", "FALSE"])
_GO_NULL = frozenset(["", "~", "null", "Null", "NULL"])
_GO_SPECIAL_FLOAT = {".inf": math.inf, ".Inf": math.inf, ".INF": math.inf, "+.inf": math.inf, "+.Inf": math.inf,
                     "+.INF": math.inf, "-.inf": -math.inf, "-.Inf": -math.inf, "-.INF": -math.inf,
                     ".nan": math.nan, ".NaN": math.nan, ".NAN": math.nan}
_GO_INT = re.compile(r"([+-]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)\Z")
_GO_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\Z")
_IMPLICIT = frozenset([_STR, _INT, _FLOAT, _BOOL, _NULL, "tag:yaml.org,2002:timestamp"])


def go_int(text: str) -> int | None:
    """strconv.ParseInt(text, 0, 64), falling back to ParseUint, as go-yaml v2 tries them."""
    match = _GO_INT.match(text)
    if match is None:
        return None
    sign, body = match.groups()
    prefix = body[:2].lower()
    if prefix in ("0x", "0o", "0b"):
        value = int(body[2:], {"0x": 16, "0o": 8, "0b": 2}[prefix])
    elif len(body) > 1 and body[0] == "0":
        value = int(body[1:], 8)
    else:
        value = int(body)
    value = -value if sign == "-" else value
    if -(2**63) <= value < 2**63 or (not sign and value < 2**64):
        return value
    return None


def go_plain_scalar(text: str) -> Any:
    """What go-yaml v2 makes of an unquoted scalar, numbers as Helm sees them after JSON (float64)."""
    if text in _GO_NULL:
        return None
    if text in _GO_TRUE:
        return True
    if text in _GO_FALSE:
        return False
    if text in _GO_SPECIAL_FLOAT:
        return _GO_SPECIAL_FLOAT[text]
    if text[:1] in "+-.0123456789":
        plain = text.replace("_", "")
        number = go_int(plain)
        if number is not None:
            return float(number)
        if _GO_FLOAT.match(plain):
            return float(plain)
    return text


def _is_plain(node: yaml.ScalarNode, source: str) -> bool:
    """Unquoted and without an explicit tag (a tagged scalar's span in ``source`` starts with ``!``)."""
    if node.style not in (None, "") or node.tag not in _IMPLICIT:
        return False
    return source[node.start_mark.index : node.start_mark.index + 1] != "!"


def yaml_scalar(node: yaml.ScalarNode, source: str) -> Any:
    tag = node.tag
    if _is_plain(node, source):
        return go_plain_scalar(node.value)
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


def yaml_key_text(node: yaml.Node, source: str) -> str:
    if isinstance(node, yaml.ScalarNode):
        if _is_plain(node, source):
            value = go_plain_scalar(node.value)
            if value is None:
                return "null"
            if isinstance(value, bool):
                return "true" if value else "false"
            return str(node.value)
        if node.tag == _NULL:
            return "null"
        if node.tag == _BOOL:
            return "true" if _scalar_constructor.construct_yaml_bool(node) else "false"
        return str(node.value)
    raise ValuesError("", node.start_mark.line + 1, "map keys must be scalars")


def build(node: yaml.Node, file: str, origin: Origin, lines: dict[tuple[Any, ...], int], path: tuple[Any, ...],
          source: str = "") -> Any:
    """Turn a composed node into tracked Python values, recording key lines in ``lines``."""
    if len(lines) > MAX_VALUE_NODES:
        raise ValuesError(file, node.start_mark.line + 1, "values expand to too many nodes (YAML alias bomb?)")
    if isinstance(node, yaml.MappingNode):
        out = TrackedDict()
        out.origin = origin
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                merged = build(value_node, file, origin, lines, path, source)
                for source in merged if isinstance(merged, list) else [merged]:
                    if isinstance(source, TrackedDict):
                        for k, v in source.items():
                            if k not in out:
                                out[k] = v
                                out.key_origins[k] = source.key_origins.get(k, origin)
                continue
            key = yaml_key_text(key_node, source)
            key_origin = Origin(file, key_node.start_mark.line + 1)
            lines[path + (key,)] = key_origin.line
            out[key] = build(value_node, file, key_origin, lines, path + (key,), source)
            out.key_origins[key] = key_origin
        return out
    if isinstance(node, yaml.SequenceNode):
        seq = TrackedList()
        seq.origin = origin
        for index, item in enumerate(node.value):
            item_origin = Origin(file, item.start_mark.line + 1)
            lines[path + (index,)] = item_origin.line
            seq.append(build(item, file, item_origin, lines, path + (index,), source))
            seq.item_origins.append(item_origin)
        return seq
    assert isinstance(node, yaml.ScalarNode)
    return with_origin(yaml_scalar(node, source), origin)


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
        values = build(node, file, Origin(file, node.start_mark.line + 1), lines, (), text)
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
