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

# Helm's DefaultVersionSet: the group/versions client-go's scheme knows (plus apiextensions), in
# its priority order, as Helm 4.2 offers them offline. Group/versions only: an offline
# ``.Capabilities.APIVersions.Has "apps/v1/Deployment"`` is false in Helm too.
_DEFAULT_API_VERSIONS = (
    "v1", "admissionregistration.k8s.io/v1", "admissionregistration.k8s.io/v1alpha1",
    "admissionregistration.k8s.io/v1beta1", "internal.apiserver.k8s.io/v1alpha1", "apps/v1", "apps/v1beta1",
    "apps/v1beta2", "authentication.k8s.io/v1", "authentication.k8s.io/v1alpha1", "authentication.k8s.io/v1beta1",
    "authorization.k8s.io/v1", "authorization.k8s.io/v1beta1", "autoscaling/v1", "autoscaling/v2", "batch/v1",
    "batch/v1beta1", "certificates.k8s.io/v1", "certificates.k8s.io/v1beta1", "certificates.k8s.io/v1alpha1",
    "coordination.k8s.io/v1alpha2", "coordination.k8s.io/v1beta1", "coordination.k8s.io/v1", "discovery.k8s.io/v1",
    "discovery.k8s.io/v1beta1", "events.k8s.io/v1", "events.k8s.io/v1beta1", "extensions/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1", "flowcontrol.apiserver.k8s.io/v1beta1", "flowcontrol.apiserver.k8s.io/v1beta2",
    "flowcontrol.apiserver.k8s.io/v1beta3", "networking.k8s.io/v1", "networking.k8s.io/v1beta1", "node.k8s.io/v1",
    "node.k8s.io/v1alpha1", "node.k8s.io/v1beta1", "policy/v1", "policy/v1beta1", "rbac.authorization.k8s.io/v1",
    "rbac.authorization.k8s.io/v1beta1", "rbac.authorization.k8s.io/v1alpha1", "resource.k8s.io/v1",
    "resource.k8s.io/v1beta2", "resource.k8s.io/v1beta1", "resource.k8s.io/v1alpha3", "scheduling.k8s.io/v1alpha2",
    "scheduling.k8s.io/v1beta1", "scheduling.k8s.io/v1", "storage.k8s.io/v1beta1", "storage.k8s.io/v1",
    "storage.k8s.io/v1alpha1", "storagemigration.k8s.io/v1beta1", "apiextensions.k8s.io/v1beta1",
    "apiextensions.k8s.io/v1",
)

# What Helm's SDK reports as its own build (``.Capabilities.HelmVersion``): the Helm 4.2 family.
HELM_VERSION = "v4.2"
_HELM_GO_VERSION = "go1.26.6"
_HELM_KUBE_CLIENT_VERSION = "v1.36"


def default_api_versions() -> list[str]:
    """The API group/versions ``helm template`` assumes when no cluster is asked."""
    return list(_DEFAULT_API_VERSIONS)


def release_object(name: str, namespace: str) -> dict[str, Any]:
    return {"Name": name, "Namespace": namespace, "Service": "Helm", "Revision": 1, "IsInstall": True,
            "IsUpgrade": False}


def capabilities_object(kube_version: str, api_versions: list[str]) -> GoStruct:
    version = kube_version if kube_version.startswith("v") else "v" + kube_version
    match = re.match(r"v(\d+)\.(\d+)", version)
    major, minor = (str(int(match.group(1))), str(int(match.group(2)))) if match else ("1", "30")
    kube = GoStruct("common.KubeVersion", {"Version": version, "Major": major, "Minor": minor},
                    {"GitVersion": lambda: version}, string=version)
    known = frozenset(api_versions)
    apis = GoStruct("common.VersionSet", {}, {"Has": lambda apiver: want_str(apiver) in known},
                    string="[" + " ".join(api_versions) + "]", entries=list(api_versions))
    helm = GoStruct("version.BuildInfo", {"Version": HELM_VERSION, "GitCommit": "", "GitTreeState": "",
                                          "GoVersion": _HELM_GO_VERSION,
                                          "KubeClientVersion": _HELM_KUBE_CLIENT_VERSION},
                    json={"version": HELM_VERSION, "go_version": _HELM_GO_VERSION,
                          "kube_client_version": _HELM_KUBE_CLIENT_VERSION})
    return GoStruct("*common.Capabilities", {"KubeVersion": kube, "APIVersions": apis, "HelmVersion": helm})


def _maintainer(item: Any) -> Any:
    if not isinstance(item, dict):
        return item
    return GoStruct("*chart.Maintainer", {"Name": str(item.get("name") or ""), "Email": str(item.get("email") or ""),
                                          "URL": str(item.get("url") or "")})


def chart_object(metadata: dict[str, Any], name: str, is_root: bool = True) -> dict[str, Any]:
    """``.Chart``: Chart.yaml as Helm 4 hands it to templates, a map of the Metadata struct's fields
    (capitalised, zero values) plus ``IsRoot``."""
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
        "Annotations": dict(metadata["annotations"]) if isinstance(metadata.get("annotations"), dict) else None,
        "KubeVersion": text("kubeVersion"), "Dependencies": deps, "Type": text("type"), "IsRoot": is_root,
    }
    return fields


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
        # Go strings are bytes: a binary file survives `.Files.Get | b64enc` (kube-prometheus-stack's crds.bz2)
        return "" if data is None else data.decode("utf-8", "surrogateescape")

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
    return GoStruct("engine.files", {}, methods, entries=files)
