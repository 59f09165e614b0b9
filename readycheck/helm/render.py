"""``render_chart``: load, coalesce values, parse and execute every template,
and map each output line back to its template line and values origin.

One failing template yields a RenderError and the others still render; no
input can make this raise (resource bounds become errors too).
"""

from __future__ import annotations

import dataclasses
import functools
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .ast import Tree
from .chart import Chart, ChartLoadError, Dependency, load_chart
from .errors import TemplateError
from .executor import Executor, Limits, map_lines
from .functions import FUNCS
from .objects import capabilities_object, chart_object, default_api_versions, files_object, release_object
from .parser import parse_template
from .provenance import TrackedDict
from .semver import SemverError, constraint_matches
from .values import (
    SetValueError,
    coalesce_chart_values,
    coalesce_globals,
    coalesce_tables,
    merge_values,
    parse_set,
)
from .values_yaml import ValuesError, ValuesText, load_values_with_lines, parse_values_text


@dataclass
class RenderError:
    path: str  # relative to the chart directory, e.g. "templates/daemonset.yaml"
    line: int | None
    message: str
    kind: str = "render"  # "load", "values", "parse", "exec" or "limit"
    rendering: str | None = None  # the template being rendered when the error happened, if different


@dataclass
class LineOrigin:
    template: str
    line: int
    values_file: str | None = None
    values_line: int | None = None


@dataclass
class RenderedManifest:
    template: str  # e.g. "templates/deployment.yaml" or "charts/redis/templates/x.yaml"
    text: str
    origins: list[LineOrigin]  # one per line of text.split("\n"); a final newline does not start a line
    chart: str = ""  # name (or alias) of the chart instance that rendered it
    helm_name: str = ""  # Helm's own name for the template, e.g. "parent/charts/<alias>/templates/x.yaml"


@dataclass
class RenderResult:
    chart: Chart
    manifests: list[RenderedManifest]
    errors: list[RenderError]
    values: dict[str, Any] = field(default_factory=dict)  # the coalesced values the root chart saw


@dataclass
class _Instance:
    """A chart as rendered: aliased, enabled or not, with its final values."""

    chart: Chart
    name: str
    helm_path: str  # Helm's template-name prefix, e.g. "parent/charts/redis"
    dependency: Dependency | None
    children: list[_Instance] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)
    missing: RenderError | None = None  # the one error for dependencies absent from charts/


def _compatible(constraint: str, version: str) -> bool:
    """Helm's IsCompatibleRange: a bad (or empty) range or version never matches."""
    try:
        return constraint_matches(constraint, version)
    except SemverError:
        return False


def _build_instances(chart: Chart, name: str, helm_path: str, dep: Dependency | None, errors: list[RenderError]) -> _Instance:
    """Helm's processDependencyEnabled, structure part: a vendored chart is the dependency it is
    listed as only when its version satisfies that dependency's range; otherwise it renders as a
    chart of its own under its own name, and the dependency (or alias) renders nothing."""
    inst = _Instance(chart, name, helm_path, dep)
    for sub in chart.subcharts:
        if not any(d.name == sub.name and _compatible(d.version, sub.version) for d in chart.dependencies):
            inst.children.append(_build_instances(sub, sub.name, f"{helm_path}/charts/{sub.name}", None, errors))
    missing = [d.name for d in chart.dependencies if not any(s.name == d.name for s in chart.subcharts)]
    if missing:
        inst.missing = RenderError(chart.display("Chart.yaml"), None, _missing_message(missing), "dependency")
        errors.append(inst.missing)
    for dependency in chart.dependencies:
        sub_match = next((s for s in chart.subcharts
                          if s.name == dependency.name and _compatible(dependency.version, s.version)), None)
        if sub_match is None:
            continue
        alias = dependency.alias or dependency.name
        inst.children.append(_build_instances(sub_match, alias, f"{helm_path}/charts/{alias}", dependency, errors))
    return inst


def _missing_message(missing: list[str], unrendered: int = 0) -> str:
    names = ", ".join(dict.fromkeys(missing))
    text = f"found in Chart.yaml, but missing in charts/ directory: {names}; run `helm dependency build` to fetch them"
    if unrendered:
        text += (f" ({unrendered} template{'s' if unrendered != 1 else ''} could not be rendered without them and "
                 f"{'were' if unrendered != 1 else 'was'} not judged)")
    return text


def _incomplete(root: _Instance) -> dict[int, _Instance]:
    """Each instance's nearest self-or-ancestor whose dependencies are missing, by id."""
    out: dict[int, _Instance] = {}

    def visit(inst: _Instance, holder: _Instance | None) -> None:
        holder = inst if inst.missing is not None else holder
        if holder is not None:
            out[id(inst)] = holder
        for child in inst.children:
            visit(child, holder)

    visit(root, None)
    return out


def _coalesce(inst: _Instance, given: dict[str, Any], imported: dict[int, dict[str, Any]]) -> dict[str, Any]:
    defaults = inst.chart.values
    if id(inst) in imported:
        defaults = coalesce_tables(defaults, imported[id(inst)])
    out = coalesce_chart_values(given, defaults, frozenset(child.name for child in inst.children))
    for child in inst.children:
        sub = out.get(child.name)
        sub_table = sub if isinstance(sub, dict) else TrackedDict()
        out[child.name] = _coalesce(child, coalesce_globals(sub_table, out), imported)
    inst.values = out
    return out


def _path_value(values: dict[str, Any], dotted: str) -> tuple[bool, Any]:
    current: Any = values
    for part in dotted.split("."):
        if not isinstance(current, dict) or part not in current:
            return False, None
        current = current[part]
    return True, current


def _prune_disabled(inst: _Instance, top_values: dict[str, Any], prefix: str) -> None:
    """Tags first, then conditions (first condition path holding a bool wins), as Helm does."""
    tags = top_values.get("tags") if isinstance(top_values.get("tags"), dict) else {}
    disabled: set[str] = set()
    for dep in inst.chart.dependencies:
        enabled = True
        flags = [tags[t] for t in dep.tags if isinstance(tags, dict) and isinstance(tags.get(t), bool)]
        if flags and not any(flags):
            enabled = False
        for condition in (c.strip() for c in dep.condition.split(",") if c.strip()):
            found, value = _path_value(top_values, prefix + condition)
            if found and isinstance(value, bool):
                enabled = value
                break
        if not enabled:
            disabled.add(dep.alias or dep.name)
    # Helm removes every chart of a disabled dependency's name, a vendored one of another version too
    inst.children = [child for child in inst.children if child.name not in disabled]
    for child in inst.children:
        _prune_disabled(child, top_values, f"{prefix}{child.name}.")


def _collect_imports(inst: _Instance, imported: dict[int, dict[str, Any]]) -> None:
    """``import-values``: copy child values into the parent's defaults (parent values still win)."""
    for child in inst.children:
        _collect_imports(child, imported)
        if child.dependency is None:
            continue
        for entry in child.dependency.import_values:
            if isinstance(entry, str):
                child_path, parent_path = f"exports.{entry}", ""
            elif isinstance(entry, dict) and "child" in entry:
                child_path, parent_path = str(entry["child"]), str(entry.get("parent") or "")
            else:
                continue
            found, value = _path_value(child.values, child_path)
            if not found or not isinstance(value, dict):
                continue
            for part in reversed([p for p in parent_path.split(".") if p]):
                value = {part: value}
            imported[id(inst)] = coalesce_tables(imported.get(id(inst), TrackedDict()), value)


def _walk(inst: _Instance) -> list[_Instance]:
    out = [inst]
    for child in inst.children:
        out.extend(_walk(child))
    return out


def _helm_parse_order(names: list[str]) -> list[str]:
    """Helm parses deepest paths first so parent-chart defines override subchart ones."""
    return sorted(names, key=lambda n: (-n.count("/"), tuple(-ord(c) for c in n)))


_UNNAMED = "\x00unnamed"  # no template can be called this


@functools.lru_cache(maxsize=4096)
def _parse_cached(source: str) -> dict[str, Tree]:
    """Parsed trees are never mutated, so identical text (re-renders, a library chart vendored
    into many charts) is parsed once and only relabelled per file."""
    return parse_template(_UNNAMED, source, FUNCS)


def _parse(name: str, source: str) -> dict[str, Tree]:
    try:
        cached = _parse_cached(source)
    except TemplateError:
        return parse_template(name, source, FUNCS)  # parse again so the error names the file
    return {name if tree_name == _UNNAMED else tree_name: Tree(name if tree_name == _UNNAMED else tree_name,
                                                                   tree.body, name)
            for tree_name, tree in cached.items()}


def _template_data(inst: _Instance, release: dict[str, Any], caps: Any) -> dict[str, Any]:
    data = {"Values": inst.values, "Release": release, "Chart": chart_object(inst.chart.metadata, inst.name, inst.dependency is None and "/" not in inst.helm_path),
            "Capabilities": caps, "Files": files_object(inst.chart.files)}
    data["Subcharts"] = {child.name: _template_data(child, release, caps) for child in inst.children}
    return data


def _all_problems(chart: Chart) -> list[ChartLoadError]:
    out = list(chart.problems)
    for sub in chart.subcharts:
        out.extend(_all_problems(sub))
    return out


def _user_values(values_files: Sequence[str | Path | ValuesText], set_values: Sequence[str],
                 errors: list[RenderError]) -> tuple[dict[str, Any], list[str]]:
    user: dict[str, Any] = TrackedDict()
    used: list[str] = []
    for values_file in values_files:
        try:
            if isinstance(values_file, ValuesText):
                loaded, _lines = parse_values_text(values_file.text, values_file.name)
                values_file = values_file.name
            else:
                loaded, _lines = load_values_with_lines(values_file, display_name=str(values_file))
        except ValuesError as exc:
            errors.append(RenderError(exc.file, exc.line, exc.message, "values"))
            continue
        except OSError as exc:
            errors.append(RenderError(str(values_file), None, f"cannot read values file: {exc}", "values"))
            continue
        user = merge_values(user, loaded)
        used.append(str(values_file))
    if set_values:
        try:
            user = merge_values(user, parse_set(list(set_values)))
        except SetValueError as exc:
            errors.append(RenderError("--set", None, str(exc), "values"))
    return user, used


def _check_kube_version(chart: Chart, kube_version: str, errors: list[RenderError]) -> None:
    """Helm refuses to install a chart whose ``kubeVersion`` excludes the target cluster."""
    required = chart.metadata.get("kubeVersion")
    if not required:
        return
    try:
        compatible = constraint_matches(str(required), kube_version)
    except SemverError:
        compatible = False
    if not compatible:
        errors.append(RenderError("Chart.yaml", None, f"chart requires kubeVersion: {required} which is incompatible "
                                  f"with Kubernetes v{kube_version.lstrip('v')}", "load"))


def _stub_chart(chart_dir: str | Path) -> Chart:
    return Chart(name=Path(chart_dir).name, version="", app_version=None, api_version="", type="", path=str(chart_dir),
                 location="",
                 metadata={}, values={}, values_lines={}, values_schema=None, values_files=[], templates={},
                 files={}, dependencies=[], subcharts=[])


def render_chart(chart_dir: str | Path | Chart, *, values_files: Sequence[str | Path | ValuesText] = (),
                 set_values: Sequence[str] = (),
                 release_name: str = "release-name", namespace: str = "default", kube_version: str = "1.30.0",
                 max_output_bytes: int = 20_000_000, timeout_s: float = 10.0,
                 api_versions: Sequence[str] | None = None) -> RenderResult:
    """Render a chart offline like ``helm template``, with line-level source mapping.

    ``chart_dir`` may be a chart already loaded with ``load_chart``, to render it with several
    value sets without reading it again (rendering never changes the loaded chart).
    Never raises: whatever goes wrong ends up in ``RenderResult.errors``.
    """
    deadline = time.process_time() + timeout_s  # CPU time, as readycheck's limits: the same answer on a busy machine
    errors: list[RenderError] = []
    if isinstance(chart_dir, Chart):
        chart = chart_dir
    else:
        try:
            chart = load_chart(chart_dir)
        except ChartLoadError as exc:
            return RenderResult(_stub_chart(chart_dir), [], [RenderError(exc.path, exc.line, exc.message, "load")])
        except (OSError, RecursionError, ValueError) as exc:
            return RenderResult(_stub_chart(chart_dir), [], [RenderError("", None, f"cannot load chart: {exc}", "load")])
    try:
        result = _render_loaded(chart, values_files, set_values, release_name, namespace, kube_version,
                                api_versions, Limits(max_output_bytes=max_output_bytes, deadline=deadline), errors)
        for error in result.errors:
            error.message = _valid_text(error.message)
        return result
    except Exception as exc:  # the promise is a result, not a crash: report a bug as an error
        errors.append(RenderError("", None, f"internal error: {type(exc).__name__}: {exc}", "internal"))
        return RenderResult(chart, [], errors)


def _render_loaded(chart: Chart, values_files: Sequence[str | Path | ValuesText], set_values: Sequence[str], release_name: str,
                   namespace: str, kube_version: str, api_versions: Sequence[str] | None, limits: Limits,
                   errors: list[RenderError]) -> RenderResult:
    errors.extend(RenderError(p.path, p.line, p.message, "load") for p in _all_problems(chart))
    _check_kube_version(chart, kube_version, errors)
    user, used_files = _user_values(values_files, set_values, errors)
    chart = dataclasses.replace(chart, values_files=chart.values_files + used_files)

    root = _build_instances(chart, chart.name, chart.name, None, errors)
    _coalesce(root, user, {})
    _prune_disabled(root, root.values, "")
    imported: dict[int, dict[str, Any]] = {}
    _collect_imports(root, imported)
    _coalesce(root, user, imported)

    saved_limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(saved_limit, 20_000))
    try:
        manifests = _render_instances(root, release_name, namespace, kube_version,
                                      list(api_versions or default_api_versions()), limits, errors)
    finally:
        sys.setrecursionlimit(saved_limit)
    return RenderResult(chart, manifests, errors, root.values)


def _render_instances(root: _Instance, release_name: str, namespace: str, kube_version: str, api_versions: list[str],
                      limits: Limits, errors: list[RenderError]) -> list[RenderedManifest]:
    release = release_object(release_name, namespace)
    caps = capabilities_object(kube_version, api_versions)
    display: dict[str, str] = {}
    owner: dict[str, _Instance] = {}
    sources: dict[str, str] = {}
    for inst in _walk(root):
        for relative, text in inst.chart.templates.items():
            helm_name = f"{inst.helm_path}/{relative}"
            display[helm_name] = inst.chart.display(relative)
            owner[helm_name] = inst
            sources[helm_name] = text

    trees: dict[str, Tree] = {}
    broken: set[str] = set()
    for helm_name in _helm_parse_order(list(sources)):
        try:
            parsed = _parse(helm_name, sources[helm_name])
        except TemplateError as exc:
            errors.append(RenderError(display[helm_name], exc.line, exc.message, "parse"))
            broken.add(helm_name)
            continue
        except RecursionError:
            errors.append(RenderError(display[helm_name], None, "template nested too deeply to parse", "limit"))
            broken.add(helm_name)
            continue
        for name, tree in parsed.items():
            if name not in trees or not tree.is_empty():
                trees[name] = tree

    executor = Executor(trees, FUNCS, limits)
    incomplete = _incomplete(root)
    unrendered: dict[int, int] = {}
    data_by_instance = {id(inst): _template_data(inst, release, caps) for inst in _walk(root)}
    manifests: list[RenderedManifest] = []
    for helm_name in sorted(sources, key=lambda n: display[n]):
        inst = owner[helm_name]
        relative = helm_name[len(inst.helm_path) + 1 :]
        base = relative.rsplit("/", 1)[-1]
        if helm_name in broken or base.startswith("_") or inst.chart.is_library:
            continue
        data = dict(data_by_instance[id(inst)])
        data["Template"] = {"Name": helm_name, "BasePath": f"{inst.helm_path}/templates"}
        try:
            if time.process_time() > limits.deadline:
                raise TemplateError(helm_name, None, "render time budget exceeded", "limit")
            segments = executor.execute(helm_name, data)
        except TemplateError as exc:
            holder = incomplete.get(id(inst))
            if holder is not None and exc.kind != "limit":
                # with a dependency missing, a failing template is most likely failing for want of it
                # (`no template "common.names.fullname"`): one error for the chart, not one per template
                unrendered[id(holder)] = unrendered.get(id(holder), 0) + 1
                continue
            where = display.get(exc.template, exc.template)
            errors.append(RenderError(where, exc.line, exc.message, exc.kind,
                                      None if where == display[helm_name] else display[helm_name]))
            continue
        except Exception as exc:  # an engine bug must not take the other templates down
            errors.append(RenderError(display[helm_name], None, f"internal error: {type(exc).__name__}: {exc}",
                                      "internal"))
            continue
        if base == "NOTES.txt":
            continue
        manifests.append(_manifest(display[helm_name], inst.name, segments, display, helm_name))
    for holder in {id(h): h for h in incomplete.values()}.values():
        if holder.missing is not None and unrendered.get(id(holder)):
            names = [d.name for d in holder.chart.dependencies if not any(s.name == d.name for s in holder.chart.subcharts)]
            holder.missing.message = _missing_message(names, unrendered[id(holder)])
    return manifests


def _valid_text(text: str) -> str:
    """Raw bytes of a binary file (kept as surrogates so b64enc sees them) are never output as such."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return text


def _manifest(path: str, chart_name: str, segments: list[Any], display: dict[str, str],
              helm_name: str) -> RenderedManifest:
    text = _valid_text("".join(s.text for s in segments).replace("<no value>", ""))
    origins = []
    for (source, line), values_origin in map_lines(segments):
        origins.append(LineOrigin(display.get(source, source), line,
                                  values_origin.file if values_origin else None,
                                  values_origin.line if values_origin else None))
    if text.endswith("\n"):
        origins.pop()  # the empty "line" after a final newline is not a line
    if not segments:
        origins = []
    return RenderedManifest(path, text, origins, chart_name, helm_name)
