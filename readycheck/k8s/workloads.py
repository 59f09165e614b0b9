"""Plain facts about Kubernetes objects: where a pod spec lives, which containers it runs, label selectors.

Everything here works on the JSON-like data of one object, so it serves manifests and rendered charts alike.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from readycheck.model import Pointer

POD_SPEC_PATHS: dict[str, Pointer] = {
    "Pod": ("spec",),
    "Deployment": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "ReplicationController": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "Rollout": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
    "DeploymentConfig": ("spec", "template", "spec"),
}
"""Where each workload kind keeps its pod spec (CronJob through its jobTemplate, Argo Rollout like a Deployment)."""

REPLICATED_KINDS = ("Deployment", "StatefulSet", "Rollout", "ReplicaSet", "ReplicationController", "DeploymentConfig")
"""Workloads whose pod count is `spec.replicas` (DaemonSets run one pod per node)."""

LONG_RUNNING_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Rollout",
                      "DeploymentConfig")

CONTAINER_LISTS = (("initContainers", "init"), ("containers", "app"), ("ephemeralContainers", "ephemeral"))

POD_LEVEL_SECURITY_FIELDS = (
    "runAsUser", "runAsGroup", "runAsNonRoot", "seccompProfile", "seLinuxOptions", "appArmorProfile",
    "windowsOptions",
)
"""securityContext fields that exist both on the pod and on a container: the container's value wins."""


@dataclass
class Container:
    """One container of a pod spec, with its effective securityContext after merging the pod's."""

    data: dict[str, Any]
    pointer: Pointer
    role: str
    """'app' (containers), 'init' (initContainers) or 'ephemeral' (ephemeralContainers)."""
    security: dict[str, Any]
    security_at: dict[str, Pointer]
    """Where each effective securityContext field is written (the container's or the pod's)."""

    @property
    def name(self) -> str:
        return str(self.data.get("name") or "")


def api_group(obj: Mapping[str, Any]) -> str:
    api = str(obj.get("apiVersion") or "")
    return api.split("/", 1)[0] if "/" in api else ""


def workload_kind(obj: Mapping[str, Any]) -> bool:
    """Whether the object is of a workload kind (whether or not its pod template is written out)."""
    kind = obj.get("kind")
    if kind not in POD_SPEC_PATHS:
        return False
    if kind == "Rollout":
        return api_group(obj).startswith("argoproj.io")
    if kind == "DeploymentConfig":
        return api_group(obj) in ("apps.openshift.io", "")  # OpenShift's (apps.openshift.io/v1, or legacy v1)
    return True


def pod_spec_path(obj: Mapping[str, Any]) -> Pointer | None:
    """The pointer of a workload's pod spec inside the object, or None when it is no workload."""
    if not workload_kind(obj):
        return None
    path = POD_SPEC_PATHS[str(obj.get("kind"))]
    node: Any = obj
    for key in path:
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    return path if isinstance(node, dict) else None


def get_in(node: Any, pointer: Pointer) -> Any:
    for key in pointer:
        if isinstance(node, dict):
            node = node.get(key)
        elif isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node):
            node = node[key]
        else:
            return None
    return node


def is_long_running(obj: dict[str, Any]) -> bool:
    """Serving workloads; Jobs, CronJobs and run-to-completion Pods are not."""
    kind = obj.get("kind")
    if kind in LONG_RUNNING_KINDS:
        return True
    if kind == "Pod":
        return get_in(obj, ("spec", "restartPolicy")) in (None, "Always")
    return False


def written_template_labels(obj: Mapping[str, Any]) -> dict[str, Any]:
    """The labels the pod template writes (a Pod's own), with no fallback: what a selector must match."""
    if not workload_kind(obj):
        return {}
    spec_path = POD_SPEC_PATHS[str(obj.get("kind"))]
    labels = get_in(obj, ("metadata", "labels") if obj.get("kind") == "Pod" else spec_path[:-1] + ("metadata", "labels"))
    return labels if isinstance(labels, dict) else {}


def template_labels(obj: Mapping[str, Any]) -> dict[str, Any]:
    """The labels of a workload's pods: its pod template's (a Pod's own); a workload that writes no template labels
    (an excerpt) is taken at its selector's matchLabels, which the API server requires the pods to carry."""
    if not workload_kind(obj):
        return {}
    spec_path = POD_SPEC_PATHS[str(obj.get("kind"))]
    labels_path = ("metadata", "labels") if obj.get("kind") == "Pod" else spec_path[:-1] + ("metadata", "labels")
    labels = get_in(obj, labels_path)
    if isinstance(labels, dict) and labels:
        return labels
    selector = get_in(obj, ("spec", "selector"))
    if obj.get("kind") != "Pod" and isinstance(selector, dict):
        exact = selector.get("matchLabels") if "matchLabels" in selector or "matchExpressions" in selector else selector
        if isinstance(exact, dict):
            return exact
    return labels if isinstance(labels, dict) else {}


def replicas(obj: Mapping[str, Any]) -> int | None:
    """spec.replicas when it is a number; None when omitted or templated."""
    value = get_in(obj, ("spec", "replicas"))
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def containers(obj: dict[str, Any], base: Pointer = ()) -> Iterator[Container]:
    """Every container of a workload, with the pod-level securityContext merged under its own."""
    spec_path = pod_spec_path(obj)
    if spec_path is None:
        return
    pod = get_in(obj, spec_path)
    pod_pointer = base + spec_path
    pod_security = pod.get("securityContext") if isinstance(pod.get("securityContext"), dict) else {}
    for list_key, role in CONTAINER_LISTS:
        items = pod.get(list_key)
        if not isinstance(items, list):
            continue
        for i, item in enumerate(items):
            if not isinstance(item, dict):
                continue
            pointer = pod_pointer + (list_key, i)
            security: dict[str, Any] = {}
            security_at: dict[str, Pointer] = {}
            for field_name in POD_LEVEL_SECURITY_FIELDS:
                if field_name in pod_security and pod_security[field_name] is not None:
                    security[field_name] = pod_security[field_name]
                    security_at[field_name] = pod_pointer + ("securityContext", field_name)
            own = item.get("securityContext")
            if isinstance(own, dict):
                for field_name, value in own.items():
                    if value is not None:
                        security[field_name] = value
                        security_at[field_name] = pointer + ("securityContext", field_name)
            yield Container(item, pointer, role, security, security_at)


def selector_matches(selector: Any, labels: dict[str, Any]) -> bool:
    """A LabelSelector (matchLabels/matchExpressions) or a Service's plain map against labels."""
    if not isinstance(selector, dict) or not selector:
        return False
    if "matchLabels" in selector or "matchExpressions" in selector:
        match_labels = selector.get("matchLabels") or {}
        expressions = selector.get("matchExpressions") or []
        if not match_labels and not expressions:
            return False
    else:
        match_labels, expressions = selector, []
    if not isinstance(match_labels, dict):
        return False
    for key, value in match_labels.items():
        if key not in labels or str(labels[key]) != str(value):
            return False
    for expr in expressions if isinstance(expressions, list) else []:
        if not isinstance(expr, dict):
            return False
        key, operator = str(expr.get("key")), expr.get("operator")
        values = [str(v) for v in expr.get("values") or []]
        present = key in labels
        if operator == "In" and not (present and str(labels[key]) in values):
            return False
        if operator == "NotIn" and present and str(labels[key]) in values:
            return False
        if operator == "Exists" and not present:
            return False
        if operator == "DoesNotExist" and present:
            return False
    return True


def parse_quantity(value: Any) -> float | None:
    """A Kubernetes quantity (`250m`, `1`, `512Mi`, `1G`) as a number, or None when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    suffixes = {
        "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60,
        "n": 1e-9, "u": 1e-6, "m": 1e-3, "k": 1e3, "K": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "P": 1e15, "E": 1e18,
    }
    for suffix in sorted(suffixes, key=len, reverse=True):
        if text.endswith(suffix):
            number = text[: -len(suffix)]
            try:
                return float(number) * suffixes[suffix]
            except ValueError:
                return None
    try:
        return float(text)
    except ValueError:
        return None


def percent_or_int(value: Any, total: int) -> float | None:
    """An IntOrString such as maxUnavailable (`1`, `"25%"`) as a pod count out of `total`."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return float(value)
    if isinstance(value, str) and value.endswith("%"):
        try:
            return float(value[:-1]) * total / 100
        except ValueError:
            return None
    if isinstance(value, str) and value.isdigit():
        return float(value)
    return None
