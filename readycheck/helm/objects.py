"""The built-in objects templates see: ``.Release``, ``.Chart``, ``.Capabilities``,
``.Files`` (``.Values``, ``.Template`` and ``.Subcharts`` are assembled in render)."""

from __future__ import annotations

import base64
import posixpath
import re
from collections.abc import Callable
from typing import Any

from .funcs_base import want_str
from .funcs_helm import to_yaml
from .govalues import GoStruct

_API_GROUPS: dict[str, list[str]] = {
    "v1": ["Binding", "ConfigMap", "Endpoints", "Event", "LimitRange", "Namespace", "Node", "PersistentVolume",
           "PersistentVolumeClaim", "Pod", "PodTemplate", "ReplicationController", "ResourceQuota", "Secret",
           "Service", "ServiceAccount"],
    "apps/v1": ["ControllerRevision", "DaemonSet", "Deployment", "ReplicaSet", "StatefulSet"],
    "batch/v1": ["CronJob", "Job"],
    "autoscaling/v1": ["HorizontalPodAutoscaler"],
    "autoscaling/v2": ["HorizontalPodAutoscaler"],
    "networking.k8s.io/v1": ["Ingress", "IngressClass", "NetworkPolicy"],
    "policy/v1": ["PodDisruptionBudget", "Eviction"],
    "rbac.authorization.k8s.io/v1": ["ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"],
    "storage.k8s.io/v1": ["CSIDriver", "CSINode", "CSIStorageCapacity", "StorageClass", "VolumeAttachment"],
    "apiextensions.k8s.io/v1": ["CustomResourceDefinition"],
    "admissionregistration.k8s.io/v1": ["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration",
                                        "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding"],
    "apiregistration.k8s.io/v1": ["APIService"],
    "scheduling.k8s.io/v1": ["PriorityClass"],
    "coordination.k8s.io/v1": ["Lease"],
    "discovery.k8s.io/v1": ["EndpointSlice"],
    "certificates.k8s.io/v1": ["CertificateSigningRequest"],
    "node.k8s.io/v1": ["RuntimeClass"],
    "events.k8s.io/v1": ["Event"],
    "flowcontrol.apiserver.k8s.io/v1": ["FlowSchema", "PriorityLevelConfiguration"],
    "authentication.k8s.io/v1": ["TokenReview", "SelfSubjectReview"],
    "authorization.k8s.io/v1": ["LocalSubjectAccessReview", "SelfSubjectAccessReview", "SelfSubjectRulesReview",
                                "SubjectAccessReview"],
}


def default_api_versions() -> list[str]:
    """Group/versions and group/version/Kind entries of a stock Kubernetes 1.30 API server."""
    out: list[str] = []
    for group_version, kinds in _API_GROUPS.items():
        out.append(group_version)
        out.extend(f"{group_version}/{kind}" for kind in kinds)
    return out


def release_object(name: str, namespace: str) -> dict[str, Any]:
    return {"Name": name, "Namespace": namespace, "Service": "Helm", "Revision": 1, "IsInstall": True,
            "IsUpgrade": False}


def capabilities_object(kube_version: str, api_versions: list[str]) -> GoStruct:
    version = kube_version if kube_version.startswith("v") else "v" + kube_version
    match = re.match(r"v(\d+)\.(\d+)", version)
    major, minor = (match.group(1), match.group(2)) if match else ("1", "30")
    kube = GoStruct("*chartutil.KubeVersion", {"Version": version, "Major": major, "Minor": minor,
                                               "GitVersion": version}, string=version)
    known = frozenset(api_versions)
    apis = GoStruct("chartutil.VersionSet", {}, {"Has": lambda apiver: want_str(apiver) in known},
                    string="[" + " ".join(api_versions) + "]")
    helm = GoStruct("chartutil.HelmVersion", {"Version": "v3.14.0", "GitCommit": "", "GitTreeState": "clean",
                                              "GoVersion": "go1.21"}, string="v3.14.0")
    return GoStruct("*chartutil.Capabilities", {"KubeVersion": kube, "APIVersions": apis, "HelmVersion": helm})


def _maintainer(item: Any) -> Any:
    if not isinstance(item, dict):
        return item
    return GoStruct("*chart.Maintainer", {"Name": str(item.get("name") or ""), "Email": str(item.get("email") or ""),
                                          "URL": str(item.get("url") or "")})


def chart_object(metadata: dict[str, Any], name: str) -> GoStruct:
    """``.Chart``: Chart.yaml as Helm's Metadata struct (capitalised fields, zero values)."""
    def text(key: str) -> str:
        value = metadata.get(key)
        return "" if value is None else str(value)

    deps = []
    for dep in metadata.get("dependencies") or []:
        if isinstance(dep, dict):
            deps.append(GoStruct("*chart.Dependency", {
                "Name": str(dep.get("name") or ""), "Version": str(dep.get("version") or ""),
                "Repository": str(dep.get("repository") or ""), "Condition": str(dep.get("condition") or ""),
                "Tags": list(dep.get("tags") or []), "Enabled": True, "ImportValues": list(dep.get("import-values") or []),
                "Alias": str(dep.get("alias") or ""),
            }))
    fields: dict[str, Any] = {
        "Name": name, "Home": text("home"), "Sources": list(metadata.get("sources") or []), "Version": text("version"),
        "Description": text("description"), "Keywords": list(metadata.get("keywords") or []),
        "Maintainers": [_maintainer(m) for m in metadata.get("maintainers") or []], "Icon": text("icon"),
        "APIVersion": text("apiVersion") or "v1", "Condition": text("condition"), "Tags": text("tags"),
        "AppVersion": text("appVersion"), "Deprecated": bool(metadata.get("deprecated")),
        "Annotations": dict(metadata.get("annotations") or {}), "KubeVersion": text("kubeVersion"),
        "Dependencies": deps, "Type": text("type"),
    }
    return GoStruct("*chart.Metadata", fields)


def _glob_regex(pattern: str) -> re.Pattern[str]:
    """gobwas/glob with '/' as separator: ``**`` crosses directories, ``*`` does not."""
    out, i = [], 0
    while i < len(pattern):
        ch = pattern[i]
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if ch == "*":
            out.append("[^/]*")
        elif ch == "?":
            out.append("[^/]")
        elif ch == "[":
            close = pattern.find("]", i)
            if close < 0:
                out.append(re.escape(ch))
            else:
                body = pattern[i + 1 : close].replace("\\", "\\\\")
                out.append("[" + ("^" + body[1:] if body.startswith("!") else body) + "]")
                i = close
        elif ch == "{":
            close = pattern.find("}", i)
            if close < 0:
                out.append(re.escape(ch))
            else:
                out.append("(?:" + "|".join(re.escape(a) for a in pattern[i + 1 : close].split(",")) + ")")
                i = close
        else:
            out.append(re.escape(ch))
        i += 1
    return re.compile("".join(out) + r"\Z")


def files_object(files: dict[str, bytes]) -> GoStruct:
    """``.Files`` with Helm's methods; Glob returns another Files."""
    def get(name: Any) -> str:
        data = files.get(want_str(name))
        return "" if data is None else data.decode("utf-8", "replace")

    def get_bytes(name: Any) -> bytes:
        return files.get(want_str(name), b"")

    def glob(pattern: Any) -> GoStruct:
        regex = _glob_regex(want_str(pattern))
        return files_object({p: d for p, d in files.items() if regex.match(p)})

    def lines(name: Any) -> list[str]:
        text = get(name)
        if not text:
            return []
        return text[:-1].split("\n") if text.endswith("\n") else text.split("\n")

    def as_config() -> str:
        if not files:
            return ""
        return to_yaml({posixpath.basename(p): d.decode("utf-8", "replace") for p, d in files.items()})

    def as_secrets() -> str:
        if not files:
            return ""
        return to_yaml({posixpath.basename(p): base64.b64encode(d).decode() for p, d in files.items()})

    methods: dict[str, Callable[..., Any]] = {"Get": get, "GetBytes": get_bytes, "Glob": glob, "Lines": lines, "AsConfig": as_config,
               "AsSecrets": as_secrets}
    return GoStruct("chart.Files", {}, methods, entries=files)
