"""Objects judged together: the Kubernetes objects of one scan scope (a directory, a rendered chart).

Checks that relate objects (a PDB to its workload, an HPA to its target, a Service to its pods) ask here.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

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


_by_kind: weakref.WeakKeyDictionary[Scope, dict[str, list[ScopedObject]]] = weakref.WeakKeyDictionary()
_indexes: weakref.WeakKeyDictionary[Scope, dict[str, Any]] = weakref.WeakKeyDictionary()


def _collect(documents: list[Document]) -> dict[str, list[ScopedObject]]:
    by_kind: dict[str, list[ScopedObject]] = {}
    for other in documents:
        objects = getattr(other, "objects", None)
        if "kubernetes" not in (other.rule_kinds or (other.kind,)) or not isinstance(objects, list):
            continue
        for index, obj in enumerate(objects):
            if isinstance(obj, dict):
                scoped = ScopedObject(other, index, obj)
                by_kind.setdefault(scoped.kind, []).append(scoped)
    return by_kind


def objects_by_kind(doc: Document) -> dict[str, list[ScopedObject]]:
    """The Kubernetes objects of the document's scope by kind, indexed once per scope."""
    if doc.scope is None:
        return _collect([doc])
    if doc.scope not in _by_kind:
        _by_kind[doc.scope] = _collect(doc.scope.documents)
    return _by_kind[doc.scope]


def of_kind(doc: Document, *kinds: str) -> list[ScopedObject]:
    index = objects_by_kind(doc)
    return [o for kind in kinds for o in index.get(kind, [])]


def same_namespace(a: dict[str, Any], b: Mapping[str, Any]) -> bool:
    """Objects without a namespace are applied to the same (default or chosen) namespace."""
    return (get_in(a, ("metadata", "namespace")) or "") == (get_in(b, ("metadata", "namespace")) or "")


def selecting(doc: Document, workload: Mapping[str, Any], kind: str) -> list[ScopedObject]:
    """Objects of `kind` (PodDisruptionBudget, Service...) whose selector matches the workload's pods."""
    labels = template_labels(workload)
    found = []
    for other in of_kind(doc, kind):
        selector = get_in(other.obj, ("spec", "selector"))
        if same_namespace(other.obj, workload) and labels and selector_matches(selector, labels):
            found.append(other)
    return found


def autoscalers_of(doc: Document, workload: Mapping[str, Any]) -> list[ScopedObject]:
    """HorizontalPodAutoscalers (and KEDA ScaledObjects) whose target is this workload."""
    name = get_in(workload, ("metadata", "name"))
    found = []
    for hpa in of_kind(doc, "HorizontalPodAutoscaler", "ScaledObject"):
        ref = get_in(hpa.obj, ("spec", "scaleTargetRef")) or {}
        if not isinstance(ref, dict) or not same_namespace(hpa.obj, workload):
            continue
        if ref.get("name") == name and ref.get("kind", "Deployment") == workload.get("kind"):
            found.append(hpa)
    return found


def workloads(doc: Document) -> list[ScopedObject]:
    """The workloads of the scope, an excerpt without a pod spec too (it still has pods that Services select)."""
    return [o for kind in POD_SPEC_PATHS for o in of_kind(doc, kind) if workload_kind(o.obj)]


def indexed(doc: Document, name: str, build: Callable[[Document], Any]) -> Any:
    """An index of the scope's objects built once per scope (by namespace, by name...), so that checks relating
    objects stay linear in the number of objects (a directory of 800 manifests)."""
    if doc.scope is None:
        return build(doc)
    cache = _indexes.setdefault(doc.scope, {})
    if name not in cache:
        cache[name] = build(doc)
    return cache[name]


def workloads_by_namespace(doc: Document) -> dict[str, list[ScopedObject]]:
    def build(d: Document) -> dict[str, list[ScopedObject]]:
        found: dict[str, list[ScopedObject]] = {}
        for workload in workloads(d):
            found.setdefault(workload.namespace, []).append(workload)
        return found

    index: dict[str, list[ScopedObject]] = indexed(doc, "workloads-by-namespace", build)
    return index


def by_name(doc: Document, kind: str) -> dict[tuple[str, str], ScopedObject]:
    """Objects of `kind` by (namespace, name)."""
    def build(d: Document) -> dict[tuple[str, str], ScopedObject]:
        return {(o.namespace, o.name): o for o in of_kind(d, kind)}

    index: dict[tuple[str, str], ScopedObject] = indexed(doc, f"by-name:{kind}", build)
    return index
