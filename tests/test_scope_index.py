"""The scope index answers exactly what comparing every object with every other answered.

k8s/scope.py indexes a scope's objects by namespace, label and target name so that relating N objects
costs N lookups, not N squared comparisons. Each lookup is checked here against the plain scan it
replaced, on generated scopes that include the odd shapes YAML allows (no namespace, a namespace that
is a mapping, numbers as label values, selectors with only matchExpressions, empty or malformed ones).
"""

from __future__ import annotations

from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from readycheck.k8s import scope
from readycheck.k8s.workloads import POD_SPEC_PATHS, get_in, selector_matches, template_labels, workload_kind
from readycheck.model import Document, Scope


class _Manifest(Document):
    kind = "kubernetes"


NAMESPACES = st.sampled_from([None, "", "a", "b", 1, True, {"odd": 1}, ["x"]])
LABEL_KEYS = st.sampled_from(["app", "tier", "1", 1])
LABEL_VALUES = st.sampled_from(["web", "api", "1", 1, True, None])
LABELS = st.dictionaries(LABEL_KEYS, LABEL_VALUES, max_size=3)
EXPRESSIONS = st.lists(st.fixed_dictionaries({
    "key": LABEL_KEYS, "operator": st.sampled_from(["In", "NotIn", "Exists", "DoesNotExist"]),
    "values": st.lists(LABEL_VALUES, max_size=2)}), max_size=2)
SELECTORS = st.one_of(
    LABELS,
    st.fixed_dictionaries({"matchLabels": LABELS}),
    st.fixed_dictionaries({"matchLabels": LABELS, "matchExpressions": EXPRESSIONS}),
    st.fixed_dictionaries({"matchExpressions": EXPRESSIONS}),
    st.sampled_from([None, "app=web", {"matchLabels": "app"}]),
)
NAMES = st.sampled_from(["web", "api", None, 7])


@st.composite
def objects(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(["Deployment", "StatefulSet", "Pod", "CronJob", "Service", "PodDisruptionBudget",
                                 "HorizontalPodAutoscaler", "ScaledObject", "ConfigMap"]))
    metadata: dict[str, Any] = {"name": draw(NAMES)}
    namespace = draw(NAMESPACES)
    if namespace is not None:
        metadata["namespace"] = namespace
    obj: dict[str, Any] = {"apiVersion": "v1", "kind": kind, "metadata": metadata}
    if kind in POD_SPEC_PATHS:
        pod: dict[str, Any] = {"containers": [{"name": "app"}]}
        labels = draw(LABELS)
        if kind == "Pod":
            metadata["labels"] = labels
            obj["spec"] = pod
        elif draw(st.booleans()) and draw(st.booleans()):  # an excerpt: no pod template, its selector stands in
            obj["spec"] = {"selector": draw(SELECTORS)}
        elif kind == "CronJob":
            obj["spec"] = {"jobTemplate": {"spec": {"template": {"metadata": {"labels": labels}, "spec": pod}}}}
        else:
            obj["spec"] = {"template": {"metadata": {"labels": labels}, "spec": pod}}
    elif kind in ("Service", "PodDisruptionBudget"):
        obj["spec"] = {"selector": draw(SELECTORS)}
    elif kind in ("HorizontalPodAutoscaler", "ScaledObject"):
        ref = draw(st.one_of(st.none(), st.fixed_dictionaries(
            {"name": NAMES}, optional={"kind": st.sampled_from(["Deployment", "StatefulSet", "Pod"])})))
        obj["spec"] = {"scaleTargetRef": ref}
    return obj


def _scope(groups: list[list[dict[str, Any]]]) -> Document:
    """Documents of one scope, each holding objects; returns the first."""
    shared = Scope("here")
    for group in groups:
        doc = _Manifest("m.yaml", "", None, {})
        doc.objects = group  # type: ignore[attr-defined]
        doc.scope = shared
        shared.documents.append(doc)
    return shared.documents[0]


def _all(doc: Document, *kinds: str) -> list[scope.ScopedObject]:
    return scope.of_kind(doc, *kinds)


def _plain_namespace(obj: dict[str, Any]) -> Any:
    return get_in(obj, ("metadata", "namespace")) or ""


def _pairs(found: list[scope.ScopedObject]) -> list[tuple[int, int]]:
    return [(id(o.doc), o.index) for o in found]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(objects(), max_size=8), min_size=1, max_size=3))
@example([[{"kind": "Deployment", "metadata": {"name": None},  # a null target: the plain scan read it as {}
            "spec": {"template": {"metadata": {"labels": {}}, "spec": {"containers": [{"name": "app"}]}}}},
           {"kind": "HorizontalPodAutoscaler", "metadata": {"name": "web"}, "spec": {"scaleTargetRef": None}}]])
def test_lookups_equal_the_plain_scan(groups: list[list[dict[str, Any]]]) -> None:
    doc = _scope(groups)
    everything = [o for found in scope.objects_by_kind(doc).values() for o in found]
    plain_workloads = [o for kind in POD_SPEC_PATHS for o in _all(doc, kind) if workload_kind(o.obj)]
    assert _pairs(scope.workloads(doc)) == _pairs(plain_workloads)
    for subject in everything:
        obj, namespace = subject.obj, _plain_namespace(subject.obj)
        same = [w for w in plain_workloads if _plain_namespace(w.obj) == namespace]
        assert _pairs(scope.workloads_in_namespace(doc, obj)) == _pairs(same)
        selector = get_in(obj, ("spec", "selector"))
        assert _pairs(list(scope.selected_workloads(doc, selector, obj))) == _pairs(
            [w for w in same if selector_matches(selector, template_labels(w.obj))])
        shown = [w for w in scope.workloads_by_namespace(doc).get(subject.namespace, [])
                 if selector_matches(selector, template_labels(w.obj))]
        assert _pairs(scope.workloads_selected_in(doc, selector, subject.namespace)) == _pairs(shown)
        for name in ("web", 7, None):
            assert _pairs(scope.workloads_named(doc, obj, name)) == _pairs([w for w in same if w.name == name])
        assert scope.names_in_namespace(doc, "Service", obj) == {
            s.name for s in _all(doc, "Service") if _plain_namespace(s.obj) == namespace}
        for kind in ("Service", "PodDisruptionBudget"):
            labels = template_labels(obj)
            expected = [o for o in _all(doc, kind) if _plain_namespace(o.obj) == namespace and labels
                        and selector_matches(get_in(o.obj, ("spec", "selector")), labels)]
            assert _pairs(scope.selecting(doc, obj, kind)) == _pairs(expected)
        name = get_in(obj, ("metadata", "name"))
        scalers = [s for s in _all(doc, "HorizontalPodAutoscaler", "ScaledObject")
                   if isinstance(ref := get_in(s.obj, ("spec", "scaleTargetRef")) or {}, dict)
                   and _plain_namespace(s.obj) == namespace and ref.get("name") == name
                   and ref.get("kind", "Deployment") == obj.get("kind")]
        assert _pairs(scope.autoscalers_of(doc, obj)) == _pairs(scalers)


def test_derived_values_are_computed_once_per_scope() -> None:
    doc = _scope([[{"kind": "Service", "metadata": {"name": "web"}}], [{"kind": "Service", "metadata": {"name": "api"}}]])
    calls: list[Document] = []

    def build(d: Document) -> int:
        calls.append(d)
        return len(scope.of_kind(d, "Service"))

    other = doc.scope.documents[1]  # type: ignore[union-attr]
    assert scope.indexed(doc, "count", build) == scope.indexed(other, "count", build) == 2
    assert len(calls) == 1
