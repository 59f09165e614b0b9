"""The Kubernetes document: the objects of one manifest file (or one rendered chart) and their subjects.

`build_kubernetes_documents` takes already-parsed YAML documents, each with a location map and,
optionally, a display path per pointer (a rendered chart maps lines back into several files).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from readycheck.k8s.shape import shape_problems
from readycheck.k8s.workloads import containers, get_in, is_long_running, pod_spec_path
from readycheck.model import Document, Finding, Pointer, Span, Subject, nearest

IGNORE_ANNOTATION = "readycheck.io/ignore"
"""`readycheck.io/ignore: "K8S101,probes"` on an object; `readycheck.io/ignore.<container>: ...` for one container."""


class ParsedYaml(Protocol):
    data: Any
    locations: dict[Pointer, Span]


@dataclass
class ManifestSource:
    """One parsed YAML document from elsewhere (e.g. a Helm render) with where each part came from.

    `display_paths` maps a pointer (inside `data`) to the file its location belongs to; the nearest
    ancestor with an entry decides, and pointers with none belong to the document's own path.
    """

    data: Any
    locations: dict[Pointer, Span]
    display_paths: dict[Pointer, str] = field(default_factory=dict)


@dataclass
class ObjectInfo:
    """Identity of one object of the document, for keys and suppressions."""

    index: int
    kind: str
    name: str
    namespace: str

    @property
    def key(self) -> str:
        return f"{self.kind}/{self.namespace}/{self.name}"


class KubernetesDocument(Document):
    """Kubernetes objects; `data` is the list of objects, pointers start with the object's index."""

    kind = "kubernetes"
    rule_kinds: tuple[str, ...] = ("kubernetes",)

    def __init__(
        self,
        path: str,
        text: str,
        objects: list[dict[str, Any]],
        locations: dict[Pointer, Span],
        display_paths: dict[Pointer, str] | None = None,
        config: Any = None,
        broken: set[int] | None = None,
    ) -> None:
        super().__init__(path, text, objects, locations)
        self.objects = objects
        self.display_paths = display_paths or {}
        self.config = config
        self.broken = broken or set()
        """Objects with a known field of the wrong shape: reported as errors, never judged by a rule."""
        self.infos = [
            ObjectInfo(
                i,
                str(obj.get("kind") or ""),
                str(get_in(obj, ("metadata", "name")) or ""),
                str(get_in(obj, ("metadata", "namespace")) or ""),
            )
            for i, obj in enumerate(objects)
        ]

    def display_path_for(self, pointer: Pointer) -> str:
        found = nearest(self.display_paths, pointer)
        return found[1] if found is not None else self.path

    def object_owner(self, index: int) -> Pointer:
        """Where a finding about something an object lacks points: its metadata name, else its kind."""
        for candidate in ((index, "metadata", "name"), (index, "kind")):
            if candidate in self.locations:
                return candidate
        return (index,)

    def build_subjects(self, target: str) -> Iterator[Subject]:
        subject_kind = target.split(".", 1)[1] if "." in target else ""
        for info, obj in zip(self.infos, self.objects, strict=True):
            if info.index in self.broken:
                continue
            if subject_kind == "object":
                yield Subject(self, obj, (info.index,), self.object_owner(info.index), info.key,
                              {"info": info})
                continue
            spec_path = pod_spec_path(obj)
            if spec_path is None:
                continue
            pod_pointer = (info.index,) + spec_path
            context = {"info": info, "object": obj, "pod": get_in(obj, spec_path), "pod_pointer": pod_pointer,
                       "long_running": is_long_running(obj)}
            if subject_kind == "workload":
                yield Subject(self, obj, (info.index,), self.object_owner(info.index), info.key, context)
            elif subject_kind == "container":
                for container in containers(obj, (info.index,)):
                    owner = container.pointer + ("name",)
                    yield Subject(self, container.data, container.pointer,
                                  owner if owner in self.locations else container.pointer,
                                  f"{info.key}/{container.name}", {**context, "container": container})

    def suppression_reason(self, finding: Finding) -> str | None:
        subject_key = finding.key.split("|", 1)[0]
        parts = subject_key.split("/")
        if len(parts) < 3:
            return None
        kind, namespace, name = parts[:3]
        container = parts[3] if len(parts) > 3 else None
        wanted = {finding.rule, finding.name, finding.checklist, "*", "all"}
        for info in self.infos:
            if (info.kind, info.namespace, info.name) != (kind, namespace, name):
                continue
            reason = self._annotation_reason(self.objects[info.index], container, wanted)
            if reason:
                return reason
        return _config_reason(self.config, kind, namespace, name, container, wanted)

    def _annotation_reason(self, obj: dict[str, Any], container: str | None, wanted: set[str]) -> str | None:
        if self.config is not None and getattr(self.config, "strict", False):
            return None
        keys = [IGNORE_ANNOTATION] + ([f"{IGNORE_ANNOTATION}.{container}"] if container else [])
        for source in _annotation_sources(obj):
            annotations = get_in(obj, source)
            if not isinstance(annotations, dict):
                continue
            for key in keys:
                listed = {s.strip() for s in str(annotations.get(key) or "").split(",") if s.strip()}
                if listed & wanted:
                    return f"annotation {key}"
        return None

    def carried_selectors(self) -> Iterator[tuple[str, int | None, str, str]]:
        """Every selector of a `readycheck.io/ignore` annotation, to be checked like a comment's (not in strict mode)."""
        if self.config is not None and getattr(self.config, "strict", False):
            return
        for info, obj in zip(self.infos, self.objects, strict=True):
            for source in _annotation_sources(obj):
                annotations = get_in(obj, source)
                if not isinstance(annotations, dict):
                    continue
                for key, value in annotations.items():
                    if key != IGNORE_ANNOTATION and not str(key).startswith(IGNORE_ANNOTATION + "."):
                        continue
                    pointer = (info.index, *source, key)
                    span = self.locations.get(pointer)
                    for selector in str(value or "").split(","):
                        if selector.strip():
                            yield (self.display_path_for(pointer), span.line if span else None, selector.strip(),
                                   f"{key} annotation")


def _annotation_sources(obj: dict[str, Any]) -> list[Pointer]:
    """Where an object's ignore annotations may sit: its own metadata, and its pod template's."""
    spec_path = pod_spec_path(obj)
    sources: list[Pointer] = [("metadata", "annotations")]
    if spec_path is not None and len(spec_path) > 1:
        sources.append(spec_path[:-1] + ("metadata", "annotations"))
    return sources


def _config_reason(config: Any, kind: str, namespace: str, name: str, container: str | None,
                   wanted: set[str]) -> str | None:
    """Config `kubernetes: {ignore: [{kind, name, namespace, container, rules}]}`: absent fields match all."""
    entries = (getattr(config, "kubernetes", None) or {}).get("ignore") or []
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict):
            continue
        if entry.get("kind") not in (None, kind) or entry.get("name") not in (None, name):
            continue
        if entry.get("namespace") not in (None, namespace):
            continue
        if entry.get("container") is not None and entry.get("container") != container:
            continue
        rules = entry.get("rules")
        listed = {str(r) for r in rules} if isinstance(rules, list) else {s.strip() for s in str(rules or "*").split(",")}
        if listed & wanted:
            return "config kubernetes.ignore"
    return None


def _rebased(mapping: dict[Pointer, Any], prefix: Pointer, new_prefix: Pointer) -> dict[Pointer, Any]:
    n = len(prefix)
    return {new_prefix + p[n:]: v for p, v in mapping.items() if p[:n] == prefix}


def _is_object(data: Any) -> bool:
    return isinstance(data, dict) and bool(data.get("apiVersion")) and bool(data.get("kind"))


ShapeError = Callable[[str, "int | None", str], None]
"""Told (display path, line, message) of each object the API server would reject for a field's shape."""


def build_kubernetes_documents(
    path: str,
    text: str,
    yaml_docs: Sequence[ParsedYaml],
    config: Any = None,
    on_shape_error: ShapeError | None = None,
) -> list[KubernetesDocument]:
    """The Kubernetes objects of parsed YAML documents, as one document (none when there are no objects).

    `yaml_docs` are YamlDocuments of a manifest, or ManifestSources of objects parsed elsewhere (a
    rendered chart) whose `locations` point into the source files and whose `display_paths` name them
    (`{(): "templates/deployment.yaml"}` for a whole object). `List` objects are flattened into their
    items; documents without apiVersion/kind are skipped. `config` supplies `kubernetes.ignore` and
    `strict` for suppressions. An object with a known field of the wrong shape (a pod `spec` that is
    a list) goes to `on_shape_error` with that field's place and is kept out of every rule's subjects.
    """
    objects: list[dict[str, Any]] = []
    locations: dict[Pointer, Span] = {}
    display_paths: dict[Pointer, str] = {}
    for source in yaml_docs:
        data = source.data
        source_paths: dict[Pointer, str] = dict(getattr(source, "display_paths", None) or {})
        if not _is_object(data):
            continue
        items: list[Pointer] = [()]
        if str(data.get("kind")).endswith("List") and isinstance(data.get("items"), list):
            items = [("items", j) for j, item in enumerate(data["items"]) if _is_object(item)]
        for prefix in items:
            index = len(objects)
            objects.append(get_in(data, prefix))
            locations.update(_rebased(source.locations, prefix, (index,)))
            if prefix not in source.locations and () in source.locations:
                locations.setdefault((index,), source.locations[()])
            paths = _rebased(source_paths, prefix, (index,))
            if prefix and () in source_paths:
                paths.setdefault((index,), source_paths[()])
            display_paths.update(paths)
    if not objects:
        return []
    broken: set[int] = set()
    for index, obj in enumerate(objects):
        problems = shape_problems(obj)
        if not problems:
            continue
        broken.add(index)
        if on_shape_error is None:
            continue
        for pointer, message in problems:
            at = (index,) + pointer
            located = nearest(locations, at)
            shown_in = nearest(display_paths, located[0] if located else at)
            on_shape_error(shown_in[1] if shown_in else path, located[1].line if located else None,
                           f"{message}: the API server rejects this object, so no rule judges it")
    return [KubernetesDocument(path, text, objects, locations, display_paths, config, broken)]
