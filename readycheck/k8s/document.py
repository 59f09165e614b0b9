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
from readycheck.model import CarriedSuppression, Document, Pointer, Span, Subject, nearest

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
    text_is_file = True
    rule_kinds: tuple[str, ...] = ("kubernetes",)
    object_keys = True

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
        self._carried: list[CarriedSuppression] | None = None
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

    def carried_suppressions(self) -> list[CarriedSuppression]:
        """Each `readycheck.io/ignore` annotation (on the object, or on its pod template), for the object; each
        `readycheck.io/ignore.<container>` one for that container."""
        if self._carried is None:
            self._carried = []
            for info, obj in zip(self.infos, self.objects, strict=True):
                identity = (info.kind, info.namespace, info.name)
                for source in _annotation_sources(obj):
                    annotations = get_in(obj, source)
                    if not isinstance(annotations, dict):
                        continue
                    keys = sorted((k for k in annotations if str(k).startswith(IGNORE_ANNOTATION + ".")), key=str)
                    for key in [IGNORE_ANNOTATION, *keys] if IGNORE_ANNOTATION in annotations else keys:
                        selectors = frozenset(s.strip() for s in str(annotations.get(key) or "").split(",") if s.strip())
                        if not selectors:
                            continue
                        container = str(key)[len(IGNORE_ANNOTATION) + 1:]
                        pointer = (info.index, *source, key)
                        span = self.locations.get(pointer)
                        self._carried.append(CarriedSuppression(
                            selectors, f"annotation {key}", identity + ((container,) if container else ()),
                            (self.display_path_for(pointer), span.line if span else None, f"{key} annotation")))
        return self._carried


def _annotation_sources(obj: dict[str, Any]) -> list[Pointer]:
    """Where an object's ignore annotations may sit: its own metadata, and its pod template's."""
    spec_path = pod_spec_path(obj)
    sources: list[Pointer] = [("metadata", "annotations")]
    if spec_path is not None and len(spec_path) > 1:
        sources.append(spec_path[:-1] + ("metadata", "annotations"))
    return sources


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
