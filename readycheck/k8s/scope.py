"""Objects judged together: the Kubernetes objects of one scan scope (a directory, a rendered chart).

Checks that relate objects (a PDB to its workload, an HPA to its target, a Service to its pods) ask here.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from readycheck.k8s.workloads import POD_SPEC_PATHS, get_in, selector_matches, template_labels, workload_kind
from readycheck.model import Document, Scope


@dataclass
class ScopedObject:
    doc: Document
    index: int
    obj: dict[str, Any]

    @property
    def kind(self) -> str:
        return str(self.obj.get("kind") or "")

    @property
    def name(self) -> str:
        return str(get_in(self.obj, ("metadata", "name")) or "")

    @property
    def namespace(self) -> str:
        return str(get_in(self.obj, ("metadata", "namespace")) or "")


class _Index:
    """The objects of one scope, indexed for the lookups checks repeat per subject.

    Checks relate each object to others (a PDB to the workloads it selects, a workload to its autoscalers):
    scanning every object per subject made a directory of N manifests cost N squared (N cubed through
    pdb_blocks_disruption). Built once per scope; each lookup returns what the plain scan returned, in the
    same (document) order.
    """

    def __init__(self, documents: list[Document]) -> None:
        self.by_kind: dict[str, list[ScopedObject]] = {}
        for other in documents:
            objects = getattr(other, "objects", None)
            if "kubernetes" not in (other.rule_kinds or (other.kind,)) or not isinstance(objects, list):
                continue
            for index, obj in enumerate(objects):
                if isinstance(obj, dict):
                    scoped = ScopedObject(other, index, obj)
                    self.by_kind.setdefault(scoped.kind, []).append(scoped)
        self.workloads = [o for kind in POD_SPEC_PATHS for o in self.by_kind.get(kind, []) if workload_kind(o.obj)]
        self._workloads_in: dict[Any, list[ScopedObject]] = {}
        self._workloads_by_label: dict[tuple[Any, Any, str], list[ScopedObject]] = {}
        self._workloads_named: dict[tuple[Any, str], list[ScopedObject]] = {}
        self._workloads_by_label_shown: dict[tuple[str, Any, str], list[ScopedObject]] = {}
        for workload in self.workloads:
            for key, value in template_labels(workload.obj).items():
                self._workloads_by_label_shown.setdefault((workload.namespace, key, str(value)), []).append(workload)
            namespace = _namespace(workload.obj)
            if not _hashable(namespace):
                continue
            self._workloads_in.setdefault(namespace, []).append(workload)
            self._workloads_named.setdefault((namespace, workload.name), []).append(workload)
            for key, value in template_labels(workload.obj).items():
                self._workloads_by_label.setdefault((namespace, key, str(value)), []).append(workload)
        self._selectors: dict[str, _SelectorIndex] = {}
        self._scalers: dict[tuple[Any, Any], list[ScopedObject]] | None = None
        self.derived: dict[str, Any] = {}
        """What a check derives from the whole scope (`indexed`), once."""

    def workloads_in(self, namespace: Any) -> list[ScopedObject]:
        if not _hashable(namespace):
            return [w for w in self.workloads if _namespace(w.obj) == namespace]
        return self._workloads_in.get(namespace, [])

    def workloads_named(self, namespace: Any, name: Any) -> list[ScopedObject]:
        if not _hashable(namespace):
            return [w for w in self.workloads_in(namespace) if w.name == name]
        return self._workloads_named.get((namespace, name), []) if _hashable(name) else []

    def workloads_selected(self, selector: Any, namespace: Any) -> list[ScopedObject]:
        """The workloads of the namespace that `selector` may select: a superset, to be checked by
        selector_matches (every workload that the selector matches is in it)."""
        anchor = _anchor(selector)
        if anchor is None or not _hashable(namespace):
            return [] if anchor is None else self.workloads_in(namespace)
        if isinstance(anchor, _AnyLabel):
            return self.workloads_in(namespace)
        return self._workloads_by_label.get((namespace, anchor[0], anchor[1]), [])

    def workloads_selected_shown(self, selector: Any, namespace: str) -> list[ScopedObject]:
        """As workloads_selected, for a namespace compared as text (ScopedObject.namespace)."""
        anchor = _anchor(selector)
        if anchor is None:
            return []
        if isinstance(anchor, _AnyLabel):
            return [w for w in self.workloads if w.namespace == namespace]
        return self._workloads_by_label_shown.get((namespace, anchor[0], anchor[1]), [])

    def selectors(self, kind: str) -> _SelectorIndex:
        if kind not in self._selectors:
            self._selectors[kind] = _SelectorIndex(self.by_kind.get(kind, []))
        return self._selectors[kind]

    def scalers(self, namespace: Any, name: Any) -> list[ScopedObject]:
        """HorizontalPodAutoscalers and ScaledObjects whose scaleTargetRef names `name` in `namespace`."""
        if self._scalers is None:
            self._scalers = {}
            for kind in ("HorizontalPodAutoscaler", "ScaledObject"):
                for scaler in self.by_kind.get(kind, []):
                    ref = get_in(scaler.obj, ("spec", "scaleTargetRef")) or {}
                    key = (_namespace(scaler.obj), ref.get("name")) if isinstance(ref, dict) else None
                    if key is not None and _hashable(key):
                        self._scalers.setdefault(key, []).append(scaler)
        if not _hashable((namespace, name)):  # a mapping as a name or namespace: compare as the plain scan did
            return [s for kind in ("HorizontalPodAutoscaler", "ScaledObject") for s in self.by_kind.get(kind, [])
                    if _namespace(s.obj) == namespace and isinstance(ref := get_in(s.obj, ("spec", "scaleTargetRef")) or {}, dict)
                    and ref.get("name") == name]
        return self._scalers.get((namespace, name), [])


class _AnyLabel:
    """The anchor of a selector that names no label to look up (only matchExpressions)."""


_ANY = _AnyLabel()


def _anchor(selector: Any) -> tuple[Any, str] | _AnyLabel | None:
    """One (label key, value) pair every object the selector matches must carry; _ANY when the selector names
    none; None when it matches nothing (selector_matches' rules)."""
    if not isinstance(selector, dict) or not selector:
        return None
    if "matchLabels" in selector or "matchExpressions" in selector:
        match_labels = selector.get("matchLabels") or {}
        if not match_labels and not (selector.get("matchExpressions") or []):
            return None
    else:
        match_labels = selector
    if not isinstance(match_labels, dict):
        return None
    for key, value in match_labels.items():
        return key, str(value)
    return _ANY


class _SelectorIndex:
    """Objects of one kind with a selector (spec.selector), by namespace and by one label their selector needs."""

    def __init__(self, objects: list[ScopedObject]) -> None:
        self.objects = objects
        self._order = {id(o): i for i, o in enumerate(objects)}
        self._by_label: dict[tuple[Any, Any, str], list[ScopedObject]] = {}
        self._any: dict[Any, list[ScopedObject]] = {}
        self._odd: list[ScopedObject] = []
        for other in objects:
            namespace = _namespace(other.obj)
            anchor = _anchor(get_in(other.obj, ("spec", "selector")))
            if anchor is None:
                continue
            if not _hashable(namespace):
                self._odd.append(other)
            elif isinstance(anchor, _AnyLabel):
                self._any.setdefault(namespace, []).append(other)
            else:
                self._by_label.setdefault((namespace, anchor[0], anchor[1]), []).append(other)

    def candidates(self, labels: dict[str, Any], namespace: Any) -> list[ScopedObject]:
        """The objects whose selector may match `labels` in `namespace` (a superset), in document order."""
        if not _hashable(namespace):
            return [o for o in self._odd if _namespace(o.obj) == namespace]
        found = list(self._any.get(namespace, []))
        for key, value in labels.items():
            found.extend(self._by_label.get((namespace, key, str(value)), []))
        found.sort(key=lambda o: self._order[id(o)])
        return found


def _namespace(obj: Mapping[str, Any]) -> Any:
    """What same_namespace compares: objects without a namespace share one."""
    return get_in(obj, ("metadata", "namespace")) or ""


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


_indexes: weakref.WeakKeyDictionary[Scope, _Index] = weakref.WeakKeyDictionary()


def _index(doc: Document) -> _Index:
    """The scope's index, built once per scope (a document without a scope is its own)."""
    if doc.scope is None:
        return _Index([doc])
    index = _indexes.get(doc.scope)
    if index is None:
        index = _indexes[doc.scope] = _Index(doc.scope.documents)
    return index


def objects_by_kind(doc: Document) -> dict[str, list[ScopedObject]]:
    """The Kubernetes objects of the document's scope by kind, indexed once per scope."""
    return _index(doc).by_kind


def of_kind(doc: Document, *kinds: str) -> list[ScopedObject]:
    index = objects_by_kind(doc)
    return [o for kind in kinds for o in index.get(kind, [])]


def same_namespace(a: dict[str, Any], b: Mapping[str, Any]) -> bool:
    """Objects without a namespace are applied to the same (default or chosen) namespace."""
    return bool(_namespace(a) == _namespace(b))


def selecting(doc: Document, workload: Mapping[str, Any], kind: str) -> list[ScopedObject]:
    """Objects of `kind` (PodDisruptionBudget, Service...) whose selector matches the workload's pods."""
    labels = template_labels(workload)
    if not labels:
        return []
    candidates = _index(doc).selectors(kind).candidates(labels, _namespace(workload))
    return [other for other in candidates if selector_matches(get_in(other.obj, ("spec", "selector")), labels)]


def selected_workloads(doc: Document, selector: Any, namespace_of: Mapping[str, Any]) -> Iterator[ScopedObject]:
    """The workloads in the namespace of `namespace_of` whose pod template labels `selector` matches, in order."""
    for workload in _index(doc).workloads_selected(selector, _namespace(namespace_of)):
        if selector_matches(selector, template_labels(workload.obj)):
            yield workload


def workloads_selected_in(doc: Document, selector: Any, namespace: str) -> list[ScopedObject]:
    """The workloads in `namespace` (compared as text, as ScopedObject.namespace) whose pod template labels
    `selector` matches, in order: what filtering workloads_by_namespace(doc)[namespace] with selector_matches gives."""
    return [w for w in _index(doc).workloads_selected_shown(selector, namespace)
            if selector_matches(selector, template_labels(w.obj))]


def workloads_named(doc: Document, namespace_of: Mapping[str, Any], name: Any) -> list[ScopedObject]:
    """The workloads in scope called `name` in the namespace of `namespace_of`."""
    return _index(doc).workloads_named(_namespace(namespace_of), name)


T = TypeVar("T")


def indexed(doc: Document, name: str, build: Callable[[Document], T]) -> T:
    """An index of the scope's objects (by namespace, by name...) or another value derived from the whole scope,
    built once per scope and `name`, so that checks relating objects stay linear in the number of objects."""
    derived = _index(doc).derived
    if name not in derived:
        derived[name] = build(doc)
    value: T = derived[name]
    return value


def workloads_by_namespace(doc: Document) -> dict[str, list[ScopedObject]]:
    def build(d: Document) -> dict[str, list[ScopedObject]]:
        found: dict[str, list[ScopedObject]] = {}
        for workload in workloads(d):
            found.setdefault(workload.namespace, []).append(workload)
        return found

    return indexed(doc, "workloads-by-namespace", build)


def by_name(doc: Document, kind: str) -> dict[tuple[str, str], ScopedObject]:
    """Objects of `kind` by (namespace, name)."""
    def build(d: Document) -> dict[tuple[str, str], ScopedObject]:
        return {(o.namespace, o.name): o for o in of_kind(d, kind)}

    return indexed(doc, f"by-name:{kind}", build)


def names_in_namespace(doc: Document, kind: str, namespace_of: Mapping[str, Any]) -> set[str]:
    """The names of the objects of `kind` in scope in the namespace of `namespace_of`."""
    index, namespace = _index(doc), _namespace(namespace_of)
    if not _hashable(namespace):
        return {o.name for o in index.by_kind.get(kind, []) if _namespace(o.obj) == namespace}
    table: dict[Any, set[str]] | None = index.derived.get(f"names of {kind}")
    if table is None:
        table = index.derived[f"names of {kind}"] = {}
        for other in index.by_kind.get(kind, []):
            if _hashable(other_namespace := _namespace(other.obj)):
                table.setdefault(other_namespace, set()).add(other.name)
    return table.get(namespace, set())


def workloads_in_namespace(doc: Document, namespace_of: Mapping[str, Any]) -> list[ScopedObject]:
    """The workloads in scope in the same namespace as `namespace_of`."""
    return _index(doc).workloads_in(_namespace(namespace_of))


def autoscalers_of(doc: Document, workload: Mapping[str, Any]) -> list[ScopedObject]:
    """HorizontalPodAutoscalers (and KEDA ScaledObjects) whose target is this workload."""
    name = get_in(workload, ("metadata", "name"))
    found = []
    for hpa in _index(doc).scalers(_namespace(workload), name):
        ref = get_in(hpa.obj, ("spec", "scaleTargetRef")) or {}
        if isinstance(ref, dict) and ref.get("kind", "Deployment") == workload.get("kind"):
            found.append(hpa)
    return found


def workloads(doc: Document) -> list[ScopedObject]:
    """The workloads of the scope, an excerpt without a pod spec too (it still has pods that Services select);
    listed once per scope."""
    return _index(doc).workloads
