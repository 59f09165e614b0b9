"""Helm charts: rendered offline by readycheck.helm, then checked as Kubernetes objects.

Every rendered line knows the template line that wrote it and, where its text
came from values, the values-file line. A finding is placed where the fix
belongs: at the values line when the offending value came from values (with
the template line kept as a related location), else at the template line.
The chart is rendered with `values.yaml` and once more with each overlay
(`values-*.yaml`, `values.*.yaml`); a finding that occurs in several value
sets is reported once.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypeVar

from readycheck.discover import Target
from readycheck.k8s import build_kubernetes_documents
from readycheck.k8s.document import KubernetesDocument, ManifestSource
from readycheck.loaders import LoadContext
from readycheck.model import Document, Pointer, Related, ScanError, Scope, Span, Subject, nearest
from readycheck.textio import LoadError, never_cached, read_text
from readycheck.yamlsource import YamlDocument, load_yaml_documents

OVERLAY_GLOBS = ("values-*.yaml", "values-*.yml", "values.*.yaml", "values.*.yml")
SET_ORIGIN = "--set"
"""The values-file name the renderer gives a value from `--set` (its line is the argument's number)."""
T = TypeVar("T")


class ChartObjectsDocument(KubernetesDocument):
    """The rendered objects of one chart and one value set, located in the chart's own files."""

    text_is_file = False  # the rendered manifests, not a file: a fix never lands in a rendering
    rule_kinds: tuple[str, ...] = ("kubernetes", "helm")

    def __init__(self, base: KubernetesDocument, related: dict[Pointer, Related], value_set: str,
                 provenance: dict[Pointer, str] | None = None) -> None:
        super().__init__(base.path, base.text, base.objects, base.locations, base.display_paths, base.config,
                         base.broken)
        self.related = related
        self.value_set = value_set
        self.provenance = provenance or {}

    def related_for(self, pointer: Pointer) -> tuple[Related, ...]:
        found = nearest(self.related, pointer)
        return (found[1],) if found is not None else ()

    def provenance_for(self, pointer: Pointer) -> str:
        found = nearest(self.provenance, pointer)
        return found[1] if found is not None else ""


class ChartDocument(Document):
    """The chart itself (Chart.yaml, values files, values.schema.json) for the chart rules.

    Pointers under ("chart",) live in Chart.yaml, under ("values",) in values.yaml and
    under ("overlays", i) in the i-th overlay values file.
    """

    kind = "helm"
    rule_kinds: tuple[str, ...] = ("helm",)

    def __init__(self, path: str, text: str, data: dict[str, Any], locations: dict[Pointer, Span], files: dict[Pointer, str]) -> None:
        super().__init__(path, text, data, locations)
        self.files = files

    def display_path_for(self, pointer: Pointer) -> str:
        for length in range(len(pointer), -1, -1):
            if tuple(pointer[:length]) in self.files:
                return self.files[tuple(pointer[:length])]
        return self.path

    def build_subjects(self, target: str) -> Iterator[Subject]:
        if target == "helm.chart":
            yield Subject(self, self.data, (), owner=("chart",), key="chart")


class ChartFileError(LoadError):
    """A chart file that cannot be read; `name` says which one."""

    def __init__(self, name: str, error: LoadError) -> None:
        super().__init__(error.message, error.line)
        self.name = name


def _parse_yaml_file(name: str, text: str) -> YamlDocument:
    try:
        docs = load_yaml_documents(text)
    except LoadError as exc:
        raise ChartFileError(name, exc) from None
    return docs[0] if docs else YamlDocument(data=None)


def _load_yaml_file(path: Path, root: Path, max_bytes: int) -> YamlDocument:
    try:
        text = read_text(path, max_bytes, root)
    except LoadError as exc:
        raise ChartFileError(path.name, exc) from None
    return _parse_yaml_file(path.name, text)


def chart_document(chart_dir: Path, chart_rel: str, prefix: str, overlay_texts: list[tuple[Path, str]],
                   root: Path, max_bytes: int) -> ChartDocument:
    """Chart.yaml, values.yaml, overlays (already read) and schema with their locations, every file read under
    `root`. Unreadable parts are LoadErrors."""
    locations: dict[Pointer, Span] = {}
    files: dict[Pointer, str] = {}
    chart_yaml = _load_yaml_file(chart_dir / "Chart.yaml", root, max_bytes)
    values_path = chart_dir / "values.yaml"
    values = _load_yaml_file(values_path, root, max_bytes) if os.path.lexists(values_path) else YamlDocument(data={})
    overlay_docs = [(p, _parse_yaml_file(p.name, text)) for p, text in overlay_texts]
    for prefix_pointer, doc, name in [(("chart",), chart_yaml, "Chart.yaml"), (("values",), values, "values.yaml")] + [
        (("overlays", i, "values"), d, p.name) for i, (p, d) in enumerate(overlay_docs)
    ]:
        files[prefix_pointer] = prefix + name
        for pointer, span in doc.locations.items():
            locations[prefix_pointer + pointer] = span
        locations.setdefault(prefix_pointer, Span(1))
    schema_path = chart_dir / "values.schema.json"
    schema: Any = None
    if os.path.lexists(schema_path):
        import json

        try:
            schema = json.loads(read_text(schema_path, max_bytes, root))
        except LoadError as exc:
            raise ChartFileError("values.schema.json", exc) from None
        except ValueError as exc:
            raise ChartFileError("values.schema.json", LoadError(f"not valid JSON: {exc}")) from None
    templates = chart_dir / "templates"
    uses_app_version = any(
        ".Chart.AppVersion" in _template_text(t, root, max_bytes) for t in sorted(templates.rglob("*"))
        if t.suffix in (".yaml", ".yml", ".tpl") and t.is_file()
    ) if templates.is_dir() else False
    data = {
        "chart": chart_yaml.data if isinstance(chart_yaml.data, dict) else {},
        "values": values.data if isinstance(values.data, dict) else {},
        "overlays": [{"file": p.name, "values": d.data if isinstance(d.data, dict) else {}} for p, d in overlay_docs],
        "schema": schema,
        "templates_use_app_version": uses_app_version,
    }
    return ChartDocument(prefix + "Chart.yaml", "", data, locations, files)


def schema_problem(schema: Any) -> str | None:
    """Why a chart's values.schema.json is no JSON Schema (checked against its meta-schema, nothing retrieved), or None.

    Helm refuses such a chart; validating values against it would only fail on the way (an unknown type)."""
    if not isinstance(schema, dict):
        return None
    from readycheck.checks.helm import values_schema_class
    from readycheck.schemaref import schema_problem as problem_of

    problem = problem_of(schema, values_schema_class(schema))
    return None if problem is None else f"not a valid JSON Schema: {problem[:200]}"


def _template_text(path: Path, root: Path, max_bytes: int) -> str:
    """A template's text for a look at what it uses; one the reader refuses is reported by the chart's load."""
    try:
        return read_text(path, max_bytes, root)
    except LoadError:
        return ""


def overlays(chart_dir: Path) -> list[Path]:
    """Value-set overlays beside values.yaml, e.g. values-production.yaml (one listing, not a glob per pattern).

    Whatever carries such a name is listed, a link or a FIFO too: the reader decides what may be read."""
    try:
        names = os.listdir(chart_dir)
    except OSError:
        return []
    found = [chart_dir / name for name in names if any(fnmatch.fnmatchcase(name, pattern) for pattern in OVERLAY_GLOBS)]
    return sorted(p for p in found if not p.is_dir())


def read_overlays(chart_dir: Path, root: Path, context: LoadContext) -> list[tuple[Path, str]]:
    """Each overlay and its text, read under the scanned root; one the reader refuses is an error entry and no value set."""
    texts: list[tuple[Path, str]] = []
    for path in overlays(chart_dir):
        try:
            texts.append((path, read_text(path, context.max_bytes, root)))
        except LoadError as exc:
            context.unreadable(path, exc)
    return texts


def helm_options(context: LoadContext) -> dict[str, Any]:
    """`helm:` settings from the config file, overridden by the command line's --values/--set."""
    config = context.options.get("config")
    options: dict[str, Any] = dict(getattr(config, "helm", {}) or {})
    options.update({k: v for k, v in (context.options.get("helm") or {}).items() if v})
    return options


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else [str(v) for v in value]


def set_keys(expression: str) -> str:
    """`image.tag=latest,pullPolicy=Always` as `--set image.tag=…,pullPolicy=…`: which keys, never the values
    (a --set may carry a password)."""
    from readycheck.helm.values import _split_unescaped

    keys = [item.partition("=")[0] for item in _split_unescaped(expression, ",") if item]
    return f"{SET_ORIGIN} " + ",".join(f"{key}=…" for key in keys)


class _Translator:
    """Rendered-text locations to chart-file locations, for one rendered manifest."""

    def __init__(self, manifest: Any, chart_rel: str, context: LoadContext, set_values: list[str]) -> None:
        self.origins = manifest.origins
        self.prefix = f"{chart_rel}/" if chart_rel not in ("", ".") else ""
        self.context = context
        self.set_values = set_values

    def set_provenance(self, argument: int) -> str:
        """A value from the `argument`-th --set (1-based), named for the message: it has no file of its own."""
        if 1 <= argument <= len(self.set_values):
            return f"the value comes from {set_keys(self.set_values[argument - 1])}"
        return f"the value comes from {SET_ORIGIN}"

    def values_path(self, values_file: str) -> str:
        """A values file as reported: chart files under the chart, --values files as given."""
        if Path(values_file).is_absolute():
            return self.context.relpath(Path(values_file))
        return self.prefix + values_file

    def origin(self, line: int) -> Any:
        if 1 <= line <= len(self.origins):
            return self.origins[line - 1]
        return self.origins[-1] if self.origins else None

    def source(self, doc: YamlDocument) -> tuple[ManifestSource, dict[Pointer, Related], dict[Pointer, str]]:
        """Where each part of a rendered document belongs, the template line behind a values line, and
        which --set a value came from (located at its template line: a --set has no file)."""
        locations: dict[Pointer, Span] = {}
        paths: dict[Pointer, str] = {}
        related: dict[Pointer, Related] = {}
        provenance: dict[Pointer, str] = {}
        for pointer, span in doc.locations.items():
            key_origin = self.origin(span.line)
            value_span = doc.value_locations.get(pointer)
            value_origin = self.origin(value_span.line) if value_span is not None else None
            for origin in (value_origin, key_origin):
                if origin is not None and origin.values_file == SET_ORIGIN and origin.values_line:
                    template_line = key_origin or origin
                    locations[pointer] = Span(template_line.line)
                    paths[pointer] = self.prefix + template_line.template
                    provenance[pointer] = self.set_provenance(origin.values_line)
                    break
                if origin is not None and origin.values_file and origin.values_line:
                    locations[pointer] = Span(origin.values_line)
                    paths[pointer] = self.values_path(origin.values_file)
                    template_line = key_origin or origin
                    related[pointer] = Related(self.prefix + template_line.template, Span(template_line.line),
                                               "rendered by this template line")
                    break
            else:
                if key_origin is not None:
                    locations[pointer] = Span(key_origin.line)
                    paths[pointer] = self.prefix + key_origin.template
        return ManifestSource(doc.data, locations, paths), related, provenance


def load(target: Target, context: LoadContext) -> list[Document]:
    from readycheck.helm import render_chart
    from readycheck.helm.values_yaml import ValuesText

    chart_dir = target.path
    root = context.root_of(target)
    chart_rel = context.relpath(chart_dir)
    prefix = f"{chart_rel}/" if chart_rel not in ("", ".") else ""
    options = helm_options(context)
    user_values = _as_list(options.get("values"))
    set_values = _as_list(options.get("set"))
    overlay_texts = read_overlays(chart_dir, root, context)
    use_helm = options.get("renderer") == "helm"
    value_sets: list[tuple[str, list[Any]]] = [("values.yaml", [])]
    # an overlay is a chart file: named as one (not by the path it was read at, which would put the chart's
    # folder in front twice); `helm template` is given its absolute path
    value_sets += [(p.name, [os.path.abspath(p) if use_helm else ValuesText(p.name, text)]) for p, text in overlay_texts]
    documents: list[Document] = []
    first_error = len(context.extra_errors)
    reported: set[tuple[str, int | None, str]] = set()
    reported_files: set[tuple[str, int | None]] = set()

    def error(path: str, line: int | None, message: str) -> None:
        if (path, line) in reported_files:
            return  # the chart file's own error is already reported, in a clearer form
        if (path, line, message) not in reported:
            reported.add((path, line, message))
            context.extra_errors.append(ScanError(path, line, message, never_cached(message)))

    try:
        chart_doc = chart_document(chart_dir, chart_rel, prefix, overlay_texts, root, context.max_bytes)
        invalid = schema_problem(chart_doc.data["schema"])
        if invalid:
            error(prefix + "values.schema.json", 1, invalid)
            chart_doc.data["schema"] = None  # the other chart rules still judge the chart
        refused = _refused_schema_reference(chart_doc.data["schema"])
        if refused is not None:
            error(prefix + "values.schema.json", None, refused)
            chart_doc.data["schema"] = None
        documents.append(chart_doc)
    except ChartFileError as exc:
        error(prefix + exc.name, exc.line, exc.message)
        reported_files.add((prefix + exc.name, exc.line))

    loaded = chart_dir if use_helm else _load_once(chart_dir, root)
    if use_helm:
        from readycheck.helm.binary import render_with_helm  # and tempfile: only for --helm-renderer helm
    for label, extra_values in value_sets:
        result = (render_with_helm if use_helm else render_chart)(
            loaded,
            values_files=[*extra_values, *user_values],
            set_values=set_values,
            release_name=str(options.get("release-name", "release-name")),
            namespace=str(options.get("namespace", "default")),
            kube_version=str(options.get("kube-version", "1.30.0")),
        )
        for problem in result.errors:
            error(prefix + problem.path, problem.line, problem.message)
        sources: list[ManifestSource] = []
        related: list[dict[Pointer, Related]] = []  # per source
        provenance: list[dict[Pointer, str]] = []
        texts: list[str] = []
        for manifest in result.manifests:
            translator = _Translator(manifest, chart_rel, context, set_values)
            try:
                yaml_docs = load_yaml_documents(manifest.text)
            except LoadError as exc:
                origin = translator.origin(exc.line or 1)
                where = prefix + (origin.template if origin else manifest.template)
                error(where, origin.line if origin else None, f"rendered YAML is invalid: {exc.message}")
                continue
            texts.append(manifest.text)
            for yaml_doc in yaml_docs:
                source, source_related, source_provenance = translator.source(yaml_doc)
                sources.append(source)
                related.append(source_related)
                provenance.append(source_provenance)
        built = build_kubernetes_documents(chart_rel, "\n".join(texts), sources, config=context.options.get("config"),
                                           on_shape_error=error)
        scope = Scope(f"{chart_rel} ({label})")
        by_identity = {id(source.data): index for index, source in enumerate(sources)}
        for base in built:
            doc = ChartObjectsDocument(base, _rebase_related(related, by_identity, base), label,
                                       _rebase_related(provenance, by_identity, base))
            doc.scope = scope
            documents.append(doc)
    if len(context.extra_errors) > first_error:
        _mask_values_secrets(context.extra_errors[first_error:], documents, set_values)
    return documents


def _refused_schema_reference(schema: Any) -> str | None:
    """Why values.schema.json is not used: a reference that only a retrieval could resolve (none is ever made)."""
    from readycheck.schemaref import has_references, outside_references

    if not isinstance(schema, dict) or not has_references(schema):
        return None  # nothing to resolve: jsonschema is not even imported
    from readycheck.checks.helm import values_schema_class

    outside = outside_references(schema, values_schema_class(schema))
    if not outside:
        return None
    return (f"the schema refers outside itself ({outside[0][:200]!r}); readycheck never retrieves a reference, "
            "so the values were not validated against it")


def _mask_values_secrets(errors: list[ScanError], documents: list[Document], set_values: list[str]) -> None:
    """Render errors quote values verbatim (`no template "<value>"`): a value that is a secret by its key is
    redacted in them, as it is in findings (evaluation's redaction only sees the text)."""
    from readycheck.secrets import mask_secrets, secrets_in_data

    known: set[str] = set()
    chart = next((d for d in documents if isinstance(d, ChartDocument)), None)
    if chart is not None:
        known |= secrets_in_data(chart.data.get("values"), "helm-values")
        for overlay in chart.data.get("overlays", []):
            known |= secrets_in_data(overlay.get("values"), "helm-values")
    for assignment in set_values:
        name, _, value = assignment.partition("=")
        known |= secrets_in_data(value, "helm-values", key=name.rsplit(".", 1)[-1])
    if known:
        for error in errors:
            error.message = mask_secrets(error.message, known=known)


def _load_once(chart_dir: Path, root: Path) -> Any:
    """The chart read once (under the scanned root) for all its value sets; the path itself when it cannot be
    read, so that rendering reports why."""
    from readycheck.helm.chart import ChartLoadError, load_chart

    try:
        return load_chart(chart_dir, root)
    except (ChartLoadError, OSError, RecursionError, ValueError):
        return chart_dir


def _rebase_related(per_source: list[dict[Pointer, T]], by_identity: dict[int, int],
                    doc: KubernetesDocument) -> dict[Pointer, T]:
    """Related locations (or --set provenance) keyed by the document's object pointers (sources are flattened
    into objects). Looked up per object: a chart of N templates costs N, not N squared."""
    out: dict[Pointer, T] = {}
    for object_index, obj in enumerate(doc.objects):
        source_index = by_identity.get(id(obj))
        if source_index is None:
            continue
        for pointer, rel in per_source[source_index].items():
            out[(object_index,) + pointer] = rel
    return out
