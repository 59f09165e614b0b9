"""Encoding functions: JSON/YAML/TOML in and out, base64/32, hashes, regexes.

JSON follows Go's encoding/json (sorted keys, HTML escaping, float format);
YAML/JSON input yields float64 numbers as in Helm.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import hashlib
import json
import math
import re
import zlib
from typing import Any

import yaml

from .funcs_base import FuncError, FuncSpec, spec, want_int, want_str
from .govalues import GoStruct, repr_fixed
from .values_yaml import ValuesError, yaml_key_text, yaml_scalar

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


# -- JSON -------------------------------------------------------------------
def _json_float(value: float) -> str:
    if not math.isfinite(value):
        raise FuncError(f"json: unsupported value: {value}")
    if value == int(value) and abs(value) < 1e21:
        return repr_fixed(value)  # shortest digits, as Go: 1.2345678901234567e19 is 12345678901234567000
    magnitude = abs(value)
    if magnitude < 1e-6 or magnitude >= 1e21:
        text = repr(value)
        mantissa, _, exp = text.partition("e")
        return f"{mantissa}e{'-' if exp.startswith('-') else '+'}{int(exp.lstrip('+-'))}"
    return repr_fixed(value)


def _json_str(text: str, escape_html: bool) -> str:
    out = ['"']
    for ch in text:
        code = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif code < 0x20 or (escape_html and ch in "<>&") or ch in "\u2028\u2029":
            out.append(f"\\u{code:04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def go_json(value: Any, escape_html: bool = True, indent: str | None = None, level: int = 0) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        return _json_float(value)
    if isinstance(value, str):
        return _json_str(value, escape_html)
    if isinstance(value, bytes):
        return '"' + base64.b64encode(value).decode() + '"'
    if isinstance(value, GoStruct):
        if value.json is not None:
            value = value.json
        elif value.entries is not None:
            value = value.entries
        else:
            value = value.fields if value.fields or value.string is None else value.string
        return go_json(value, escape_html, indent, level)
    if isinstance(value, dict):
        items = [(_json_str(str(k), escape_html), value[k]) for k in sorted(value, key=str)]
        if not items:
            return "{}"
        if indent is None:
            return "{" + ",".join(f"{k}:{go_json(v, escape_html)}" for k, v in items) + "}"
        inner = indent * (level + 1)
        body = ",\n".join(f"{inner}{k}: {go_json(v, escape_html, indent, level + 1)}" for k, v in items)
        return "{\n" + body + "\n" + indent * level + "}"
    if isinstance(value, (list, tuple)):
        if not value:
            return "[]"
        if indent is None:
            return "[" + ",".join(go_json(v, escape_html) for v in value) + "]"
        inner = indent * (level + 1)
        body = ",\n".join(inner + go_json(v, escape_html, indent, level + 1) for v in value)
        return "[\n" + body + "\n" + indent * level + "]"
    raise FuncError(f"json: unsupported type: {type(value).__name__}")


def to_json(value: Any) -> str:
    return go_json(value)


def to_pretty_json(value: Any) -> str:
    return go_json(value, indent="  ")


def to_raw_json(value: Any) -> str:
    return go_json(value, escape_html=False)


MAX_DECODED_NODES = 200_000


def json_numbers_as_float(value: Any, budget: list[int] | None = None) -> Any:
    """What a round trip through Go's ``interface{}`` leaves: float64 numbers, string keys.
    ``budget`` bounds the work when YAML aliases make a short text expand exponentially."""
    budget = budget if budget is not None else [MAX_DECODED_NODES]
    budget[0] -= 1
    if budget[0] < 0:
        raise FuncError("decoded document too large (YAML alias bomb?)")
    if isinstance(value, bool) or value is None or isinstance(value, (str, float)):
        return value
    if isinstance(value, int):
        return float(value)
    if isinstance(value, dict):
        return {_key_str(k): json_numbers_as_float(v, budget) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_numbers_as_float(v, budget) for v in value]
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    return str(value)


def _key_str(key: Any) -> str:
    if isinstance(key, bool):
        return "true" if key else "false"
    if key is None:
        return "null"
    return str(key)


def from_json(text: Any) -> Any:
    try:
        value = json.loads(want_str(text))
    except ValueError as exc:
        return {"Error": str(exc)}
    return json_numbers_as_float(value)


def must_from_json(text: Any) -> Any:
    try:
        return json_numbers_as_float(json.loads(want_str(text)))
    except ValueError as exc:
        raise FuncError(str(exc)) from None


def from_json_array(text: Any) -> list[Any]:
    try:
        value = json.loads(want_str(text))
    except ValueError as exc:
        return [str(exc)]
    return json_numbers_as_float(value) if isinstance(value, list) else ["json: cannot unmarshal into []interface {}"]


# -- YAML / TOML --------------------------------------------------------------
def parse_yaml(text: str) -> Any:
    """The first YAML document as Helm's fromYaml decodes it (go-yaml v2 scalars, then JSON: float64
    numbers, string keys); later documents are ignored, as sigs.k8s.io/yaml ignores them."""
    source = str.__str__(text)  # libyaml wants an exact str
    node = next(iter(yaml.compose_all(source, Loader=_Loader)), None)
    if node is None:
        return None
    budget = [MAX_DECODED_NODES]

    def convert(item: yaml.Node) -> Any:
        budget[0] -= 1
        if budget[0] < 0:
            raise FuncError("decoded document too large (YAML alias bomb?)")
        if isinstance(item, yaml.MappingNode):
            out: dict[str, Any] = {}
            for key_node, value_node in item.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    merged = convert(value_node)
                    for table in merged if isinstance(merged, list) else [merged]:
                        if isinstance(table, dict):
                            for key, value in table.items():
                                out.setdefault(key, value)
                    continue
                out[yaml_key_text(key_node, source)] = convert(value_node)
            return out
        if isinstance(item, yaml.SequenceNode):
            return [convert(child) for child in item.value]
        assert isinstance(item, yaml.ScalarNode)
        return json_numbers_as_float(yaml_scalar(item, source))

    return convert(node)


def _json_kind(value: Any) -> str:
    """How encoding/json names a JSON value's kind in an unmarshal error."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def from_yaml(text: Any) -> dict[str, Any]:
    try:
        value = parse_yaml(want_str(text))
    except (yaml.YAMLError, ValuesError) as exc:
        return {"Error": f"error converting YAML to JSON: {exc}"}
    if value is None:
        return {}
    if not isinstance(value, dict):
        return {"Error": "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal "
                         f"{_json_kind(value)} into Go value of type map[string]interface {{}}"}
    return value


def from_yaml_array(text: Any) -> list[Any]:
    try:
        value = parse_yaml(want_str(text))
    except (yaml.YAMLError, ValuesError) as exc:
        return [f"error converting YAML to JSON: {exc}"]
    if value is None:
        return []
    if not isinstance(value, list):
        return ["error unmarshaling JSON: while decoding JSON: json: cannot unmarshal "
                f"{_json_kind(value)} into Go value of type []interface {{}}"]
    return value


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value == int(value):
        return str(int(value))
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return _json_str(str(value), False)


def _toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else _json_str(key, False)


def to_toml(value: Any) -> str:
    """Scalars of a table first, then sub-tables, keys sorted (BurntSushi's layout)."""
    if not isinstance(value, dict):
        raise FuncError("toml: top-level value must be a map")
    lines: list[str] = []

    def table(mapping: dict[str, Any], path: list[str]) -> None:
        scalars = [k for k in sorted(mapping) if not isinstance(mapping[k], dict) and mapping[k] is not None]
        tables = [k for k in sorted(mapping) if isinstance(mapping[k], dict)]
        if path and (scalars or not tables):
            if lines:
                lines.append("")
            lines.append("  " * (len(path) - 1) + "[" + ".".join(map(_toml_key, path)) + "]")
        indent = "  " * len(path)
        lines.extend(f"{indent}{_toml_key(k)} = {_toml_value(mapping[k])}" for k in scalars)
        for k in tables:
            table(mapping[k], [*path, k])

    table(value, [])
    return "\n".join(lines) + ("\n" if lines else "")


def _toml_plain(value: Any) -> Any:
    """BurntSushi/toml into interface{}: int64 stays an integer, dates become time.Time (JSON: RFC 3339)."""
    if isinstance(value, dict):
        return {str(k): _toml_plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_toml_plain(v) for v in value]
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat().replace("+00:00", "Z")
    return value


def from_toml(text: Any) -> dict[str, Any]:
    """Helm's fromToml: a map, with the parse error under "Error" rather than a failure."""
    try:
        import tomllib as toml_reader  # type: ignore[import-not-found,unused-ignore]
    except ModuleNotFoundError:  # Python 3.10
        import tomli as toml_reader  # type: ignore[import-not-found,no-redef,unused-ignore]
    try:
        parsed = toml_reader.loads(want_str(text))
    except ValueError as exc:
        return {"Error": f"toml: {exc}"}
    out = _toml_plain(parsed)
    return out if isinstance(out, dict) else {}


# -- base64 / hashes -------------------------------------------------------------
def b64enc(text: Any) -> str:
    return base64.b64encode(want_str(text).encode("utf-8", "surrogateescape")).decode()


def b64dec(text: Any) -> str:
    try:
        return base64.b64decode(want_str(text), validate=True).decode("utf-8", "replace")
    except (binascii.Error, ValueError) as exc:
        return f"illegal base64 data: {exc}"


def b32enc(text: Any) -> str:
    return base64.b32encode(want_str(text).encode("utf-8", "surrogateescape")).decode()


def b32dec(text: Any) -> str:
    try:
        return base64.b32decode(want_str(text)).decode("utf-8", "replace")
    except (binascii.Error, ValueError) as exc:
        return f"illegal base32 data: {exc}"


def sha1sum(text: Any) -> str:
    return hashlib.sha1(want_str(text).encode("utf-8", "surrogateescape")).hexdigest()


def sha256sum(text: Any) -> str:
    return hashlib.sha256(want_str(text).encode("utf-8", "surrogateescape")).hexdigest()


def sha512sum(text: Any) -> str:
    return hashlib.sha512(want_str(text).encode("utf-8", "surrogateescape")).hexdigest()


def adler32sum(text: Any) -> str:
    return str(zlib.adler32(want_str(text).encode("utf-8", "surrogateescape")))


# -- regular expressions (RE2 syntax mapped onto Python's) -------------------------------
_POSIX_CLASSES = {"alpha": "a-zA-Z", "digit": "0-9", "alnum": "a-zA-Z0-9", "upper": "A-Z", "lower": "a-z",
                  "space": r" \t\n\r\f\v", "xdigit": "0-9A-Fa-f", "punct": r"!-/:-@\[-`{-~", "word": r"\w"}


def go_regex(pattern: Any) -> re.Pattern[str]:
    text = want_str(pattern)
    text = re.sub(r"\(\?<(?![=!])", "(?P<", text)
    text = text.replace(r"\z", r"\Z")
    text = re.sub(r"\[:(\w+):\]", lambda m: _POSIX_CLASSES.get(m.group(1), m.group(0)), text)
    # RE2 takes a '-' right after a class escape (`[\w-.]`) as a literal; Python calls it a bad range
    text = re.sub(r"(?<!\\)(\\[wdsWDS])-", r"\1\\-", text)
    try:
        return re.compile(text)
    except re.error as exc:
        raise FuncError(f"error parsing regexp: {exc}: `{pattern}`") from None


def _expand(template: str, match: re.Match[str]) -> str:
    """Go's Regexp.Expand: ``$1``, ``${1}``, ``$name``, ``${name}``, ``$$``."""
    out: list[str] = []
    i = 0
    while i < len(template):
        ch = template[i]
        if ch != "$" or i + 1 >= len(template):
            out.append(ch)
            i += 1
            continue
        if template[i + 1] == "$":
            out.append("$")
            i += 2
            continue
        braced = re.match(r"\{(\w+)\}", template[i + 1 :])
        plain = re.match(r"\w+", template[i + 1 :])
        found = braced or plain
        if not found:
            out.append("$")
            i += 1
            continue
        name = braced.group(1) if braced else found.group(0)
        i += 1 + len(found.group(0))
        try:
            group = match.group(int(name) if name.isdigit() else name)
        except IndexError:
            group = None
        out.append(group or "")
    return "".join(out)



def regex_match(pattern: Any, text: Any) -> bool:
    return go_regex(pattern).search(want_str(text)) is not None


def regex_find(pattern: Any, text: Any) -> str:
    found = go_regex(pattern).search(want_str(text))
    return found.group(0) if found else ""


def regex_find_all(pattern: Any, text: Any, count: Any) -> list[str]:
    count = want_int(count)
    matches = [m.group(0) for m in go_regex(pattern).finditer(want_str(text))]
    return matches if count < 0 else matches[:count]


def regex_replace_all(pattern: Any, text: Any, repl: Any) -> str:
    template = want_str(repl)
    return go_regex(pattern).sub(lambda m: _expand(template, m), want_str(text))


def regex_replace_all_literal(pattern: Any, text: Any, repl: Any) -> str:
    literal = want_str(repl)
    return go_regex(pattern).sub(lambda _m: literal, want_str(text))


def regex_split(pattern: Any, text: Any, count: Any) -> list[str]:
    count = want_int(count)
    if count == 0:
        return []
    parts = go_regex(pattern).split(want_str(text), maxsplit=0 if count < 0 else count - 1)
    return parts


def regex_quote_meta(text: Any) -> str:
    return re.sub(r"([\\.+*?()|\[\]{}^$])", r"\\\1", want_str(text))


ENCODING_FUNCS: dict[str, FuncSpec] = {
    "toJson": spec(to_json), "mustToJson": spec(to_json), "toPrettyJson": spec(to_pretty_json),
    "mustToPrettyJson": spec(to_pretty_json), "toRawJson": spec(to_raw_json), "mustToRawJson": spec(to_raw_json),
    "fromJson": spec(from_json, keeps_origin=False), "mustFromJson": spec(must_from_json, keeps_origin=False),
    "fromJsonArray": spec(from_json_array, keeps_origin=False),
    "fromYaml": spec(from_yaml, keeps_origin=False), "fromYamlArray": spec(from_yaml_array, keeps_origin=False),
    "toToml": spec(to_toml), "mustToToml": spec(to_toml), "fromToml": spec(from_toml, keeps_origin=False),
    "b64enc": spec(b64enc), "b64dec": spec(b64dec), "b32enc": spec(b32enc),
    "b32dec": spec(b32dec), "sha1sum": spec(sha1sum), "sha256sum": spec(sha256sum), "sha512sum": spec(sha512sum),
    "adler32sum": spec(adler32sum), "regexMatch": spec(regex_match, keeps_origin=False),
    "mustRegexMatch": spec(regex_match, keeps_origin=False), "regexFind": spec(regex_find),
    "mustRegexFind": spec(regex_find), "regexFindAll": spec(regex_find_all), "mustRegexFindAll": spec(regex_find_all),
    "regexReplaceAll": spec(regex_replace_all), "mustRegexReplaceAll": spec(regex_replace_all),
    "regexReplaceAllLiteral": spec(regex_replace_all_literal),
    "mustRegexReplaceAllLiteral": spec(regex_replace_all_literal), "regexSplit": spec(regex_split),
    "mustRegexSplit": spec(regex_split), "regexQuoteMeta": spec(regex_quote_meta),
}
