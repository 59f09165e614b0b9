"""Helm's own template functions: include, tpl, required, fail, toYaml, lookup."""

from __future__ import annotations

from typing import Any

from .errors import TemplateError
from .executor import CallContext, segments_to_str
from .funcs_base import FuncError, FuncSpec, spec, want_str
from .parser import parse_template
from .provenance import TrackedStr, origin_of, tracked_str
from .yamlout import to_yaml_lines


class UserFailure(FuncError):
    """``fail``/``required``: the chart author's message is the whole error."""


def to_yaml(value: Any) -> str:
    """Helm's toYaml: block YAML without the final newline, mapped line by line."""
    lines = to_yaml_lines(value)
    text = "\n".join(line for line, _ in lines)
    origins = tuple(origin for _, origin in lines)
    return tracked_str(text, origin_of(value), origins if any(origins) else None)


def to_yaml_pretty(value: Any) -> str:
    """Helm's toYamlPretty (yaml.v3, indent 2): sequences sit indented under their key."""
    return "\n".join(line for line, _ in to_yaml_lines(value, pretty=True))


def include(ctx: CallContext, name: Any, data: Any) -> str:
    return ctx.executor.execute_to_string(want_str(name), data, ctx.frame.source, ctx.line)


def tpl(ctx: CallContext, text: Any, data: Any) -> str:
    """Render ``text`` as a template named after the caller, with the caller's defines visible."""
    executor, source = ctx.executor, ctx.frame.source
    body = want_str(text)
    try:
        trees = parse_template(source, body, executor.funcs)
    except TemplateError as exc:
        raise TemplateError(source, ctx.line, f"error calling tpl: parse error in tpl text at line {exc.line}: {exc.message}") from None
    saved = executor.trees
    executor.trees = {**saved, **trees}
    try:
        out = executor.execute(source, data, source, ctx.line)
    except TemplateError as exc:
        if exc.kind == "limit":
            raise
        raise TemplateError(source, ctx.line, f"error during tpl function execution for {body[:60]!r}: {exc.message}") from None
    finally:
        executor.trees = saved
    result = segments_to_str(out)
    cleaned = result.replace("<no value>", "")
    if isinstance(result, TrackedStr) and any(result.line_origins or ()):
        return tracked_str(cleaned, result.origin, result.line_origins)
    if isinstance(body, TrackedStr) and cleaned.count("\n") == body.count("\n"):
        # values text that came through unchanged in shape (the usual ``tpl (toYaml .Values.x) $``)
        return tracked_str(cleaned, body.origin, body.line_origins)
    return cleaned


def required(message: Any, value: Any) -> Any:
    if value is None or (isinstance(value, str) and value == ""):
        raise UserFailure(want_str(message))
    return value


def fail(message: Any) -> str:
    raise UserFailure(want_str(message))


def lookup(api_version: Any, kind: Any, namespace: Any, name: Any) -> dict[str, Any]:
    """Offline there is no cluster: Helm's template-mode answer is an empty map."""
    for arg in (api_version, kind, namespace, name):
        want_str(arg)
    return {}


HELM_FUNCS: dict[str, FuncSpec] = {
    "toYaml": spec(to_yaml, keeps_origin=False), "mustToYaml": spec(to_yaml, keeps_origin=False),
    "toYamlPretty": spec(to_yaml_pretty, keeps_origin=False),
    "include": spec(include, needs_state=True, keeps_origin=False),
    "tpl": spec(tpl, needs_state=True, keeps_origin=False), "required": spec(required, keeps_origin=False), "fail": spec(fail),
    "lookup": spec(lookup, keeps_origin=False),
}
