"""The shape of known Kubernetes fields: a pod `spec` that is a list, `resources` given as a list.

The API server rejects such an object, so no rule may judge it: a rule reading
`resources` as a mapping would otherwise report "no memory limit" about limits
that are written, only in the wrong shape. `shape_problems` names each field
whose value has the wrong JSON type; the object is then an error entry with
that field's line, and its rules are not run. Null is accepted everywhere (the
API server reads it as "not set").
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from readycheck.k8s.workloads import POD_SPEC_PATHS, api_group
from readycheck.model import Pointer

MAP, LIST, STR, SCALAR = "mapping", "list", "string", "scalar"

# Fields by the shape they must have; "*" is every item of a list, or every value of a mapping.
_CONTAINER: dict[str, Any] = {
    "resources": (MAP, {"requests": (MAP, None), "limits": (MAP, None)}),
    "ports": (LIST, {"*": (MAP, None)}),
    "env": (LIST, {"*": (MAP, {"valueFrom": (MAP, None)})}),
    "envFrom": (LIST, {"*": (MAP, None)}),
    "securityContext": (MAP, {"capabilities": (MAP, {"add": (LIST, None), "drop": (LIST, None)}),
                              "seccompProfile": (MAP, None)}),
    "livenessProbe": (MAP, None),
    "readinessProbe": (MAP, None),
    "startupProbe": (MAP, None),
    "lifecycle": (MAP, {"preStop": (MAP, None), "postStart": (MAP, None)}),
    "command": (LIST, None),
    "args": (LIST, None),
    "volumeMounts": (LIST, {"*": (MAP, None)}),
    "image": (SCALAR, None),
    "name": (SCALAR, None),
}
_POD: dict[str, Any] = {
    "containers": (LIST, {"*": (MAP, _CONTAINER)}),
    "initContainers": (LIST, {"*": (MAP, _CONTAINER)}),
    "ephemeralContainers": (LIST, {"*": (MAP, _CONTAINER)}),
    "volumes": (LIST, {"*": (MAP, {"hostPath": (MAP, None)})}),
    "securityContext": (MAP, {"sysctls": (LIST, {"*": (MAP, None)}), "seccompProfile": (MAP, None)}),
    "affinity": (MAP, None),
    "tolerations": (LIST, None),
    "topologySpreadConstraints": (LIST, {"*": (MAP, None)}),
    "nodeSelector": (MAP, None),
    "imagePullSecrets": (LIST, None),
}
_META: dict[str, Any] = {"labels": (MAP, None), "annotations": (MAP, None), "name": (SCALAR, None),
                         "namespace": (SCALAR, None)}
_TEMPLATE: dict[str, Any] = {"metadata": (MAP, _META), "spec": (MAP, _POD)}
_WORKLOAD_SPEC: dict[str, Any] = {"template": (MAP, _TEMPLATE), "selector": (MAP, None)}
_RULES: dict[str, Any] = {"rules": (LIST, {"*": (MAP, {"verbs": (LIST, None), "resources": (LIST, None),
                                                         "apiGroups": (LIST, None)})})}

_SPECS: dict[str, dict[str, Any]] = {
    "Pod": {"spec": (MAP, _POD)},
    "CronJob": {"spec": (MAP, {"jobTemplate": (MAP, {"metadata": (MAP, _META),
                                                       "spec": (MAP, _WORKLOAD_SPEC)})})},
    "Service": {"spec": (MAP, {"ports": (LIST, {"*": (MAP, None)}), "selector": (MAP, None)})},
    "Ingress": {"spec": (MAP, {"rules": (LIST, {"*": (MAP, {"http": (MAP, {"paths": (LIST, {"*": (MAP, None)})})})}),
                               "tls": (LIST, {"*": (MAP, None)})})},
    "HorizontalPodAutoscaler": {"spec": (MAP, {"scaleTargetRef": (MAP, None), "metrics": (LIST, None)})},
    "PodDisruptionBudget": {"spec": (MAP, {"selector": (MAP, None)})},
    "NetworkPolicy": {"spec": (MAP, {"podSelector": (MAP, None), "policyTypes": (LIST, None),
                                     "ingress": (LIST, None), "egress": (LIST, None)})},
    "Role": _RULES,
    "ClusterRole": _RULES,
    "RoleBinding": {"subjects": (LIST, {"*": (MAP, None)}), "roleRef": (MAP, None)},
    "ClusterRoleBinding": {"subjects": (LIST, {"*": (MAP, None)}), "roleRef": (MAP, None)},
    "ServiceAccount": {},
    "ConfigMap": {"data": (MAP, None)},
    "Secret": {"data": (MAP, None), "stringData": (MAP, None)},
}
for _kind in (*POD_SPEC_PATHS, "DeploymentConfig"):  # an OpenShift DeploymentConfig's template is a pod template
    if _kind not in _SPECS:
        _SPECS[_kind] = {"spec": (MAP, _WORKLOAD_SPEC)}

CORE_GROUPS = ("", "apps", "batch", "networking.k8s.io", "autoscaling", "policy", "rbac.authorization.k8s.io",
               "extensions", "apps.openshift.io", "argoproj.io")
"""API groups whose kinds above are the built-in ones (a CRD of another group may reuse a kind name)."""


def _shape_of(value: Any) -> str:
    if isinstance(value, dict):
        return MAP
    if isinstance(value, list):
        return LIST
    return STR if isinstance(value, str) else SCALAR


def _fits(value: Any, shape: str) -> bool:
    if shape == MAP:
        return isinstance(value, dict)
    if shape == LIST:
        return isinstance(value, list)
    return not isinstance(value, (dict, list))


def _walk(value: Any, fields: dict[str, Any], at: Pointer) -> Iterator[tuple[Pointer, str]]:
    if isinstance(value, dict):
        items: list[tuple[Any, Any]] = [(k, v) for k, v in value.items() if k in fields]
        if "*" in fields:
            items = list(value.items())
    elif isinstance(value, list):
        items = list(enumerate(value)) if "*" in fields else []
    else:
        return
    for key, child in items:
        shape, inner = fields["*" if "*" in fields else key]
        if child is None:
            continue
        if not _fits(child, shape):
            yield at + (key,), f"must be a {shape}, not a {_shape_of(child)}"
            continue
        if inner:
            yield from _walk(child, inner, at + (key,))


def shown(pointer: Pointer) -> str:
    """`spec.template.spec.containers[0].resources`: a pointer as Kubernetes documentation writes it."""
    text = ""
    for part in pointer:
        text += f"[{part}]" if isinstance(part, int) else (("." if text else "") + str(part))
    return text


def shape_problems(obj: dict[str, Any]) -> list[tuple[Pointer, str]]:
    """(pointer inside the object, what is wrong) for each known field whose value has the wrong shape."""
    kind = str(obj.get("kind") or "")
    if api_group(obj) not in CORE_GROUPS or kind not in _SPECS:
        return []  # a custom resource (or a template of one) has a shape of its own
    fields: dict[str, Any] = {"metadata": (MAP, _META), **_SPECS[kind]}
    return [(pointer, f"{kind or 'object'} field {shown(pointer)} {problem}")
            for pointer, problem in _walk(obj, fields, ())]
