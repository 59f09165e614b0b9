"""Kubernetes checks: containers (with their effective securityContext), workloads and objects in scope.

Subjects come from readycheck.k8s.document: `kubernetes.container` (context: container, object, pod,
pod_pointer, long_running), `kubernetes.workload` and `kubernetes.object`. Pointers are absolute in
the document, so a finding about a pod-level field lands on the pod's line even for a container subject.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from readycheck.judge.commands import argv_judgements
from readycheck.judge.edits import make_fix, set_entry
from readycheck.judge.images import floating, parse_image
from readycheck.judge.locate import hit_at
from readycheck.k8s.scope import (
    autoscalers_of,
    by_name,
    indexed,
    names_in_namespace,
    of_kind,
    selected_workloads,
    selecting,
    workloads,
    workloads_in_namespace,
    workloads_named,
    workloads_selected_in,
)
from readycheck.k8s.workloads import (
    REPLICATED_KINDS,
    Container,
    containers,
    get_in,
    parse_quantity,
    percent_or_int,
    replicas,
    selector_matches,
    template_labels,
    written_template_labels,
)
from readycheck.model import Document, Fix, Hit, Pointer, Subject
from readycheck.secrets import redact, scan_text, scan_value

if TYPE_CHECKING:
    from readycheck.targets import KubernetesContainer, KubernetesObject


def _hit(subject: Subject, message: str, pointer: Pointer | None = None, key: str = "",
         severity: str | None = None) -> Hit:
    """A hit at an absolute pointer (its nearest located ancestor), or at the subject's owner."""
    if pointer is None:
        return Hit(message, key=key, severity=severity)
    return hit_at(subject, pointer, message, key=key, severity=severity)


def _security_fix(subject: Subject, keys: list[str], value: str, description: str, safety: str = "safe") -> Fix:
    """The fix setting a field of the container's own securityContext (a pod-level value is never changed:
    other containers share it)."""
    container = _container(subject)
    at = container.security_at.get(keys[0])
    if at is not None and at[: len(container.pointer)] != container.pointer:
        return Fix.refused("the value is set in the pod's securityContext, which other containers share")
    return make_fix(description, set_entry(subject.doc, container.pointer, ["securityContext", *keys], value), safety)


def _container(subject: Subject) -> Container:
    container: Container = subject.context["container"]
    return container


def _serving(subject: Subject) -> bool:
    """An app container of a long-running workload: what probes and drain rules are about."""
    return _container(subject).role == "app" and bool(subject.context["long_running"])


def _label(subject: Subject) -> str:
    container = _container(subject)
    role = {"init": "init container", "ephemeral": "ephemeral container"}.get(container.role, "container")
    return f"{role} '{container.name}'"


# probes ---------------------------------------------------------------------------------------------


def readiness_probe_missing(subject: Subject[KubernetesContainer], options: dict[str, Any]) -> Iterator[Hit]:
    if _serving(subject) and not subject.data.get("readinessProbe"):
        yield _hit(subject, f"{_label(subject)} has no readinessProbe: it receives traffic before it is ready")


def liveness_probe_missing(subject: Subject[KubernetesContainer], options: dict[str, Any]) -> Iterator[Hit]:
    if _serving(subject) and not subject.data.get("livenessProbe"):
        yield _hit(subject, f"{_label(subject)} has no livenessProbe: a hung process is never restarted")


def liveness_same_as_readiness(subject: Subject[KubernetesContainer], options: dict[str, Any]) -> Iterator[Hit]:
    liveness, readiness = subject.data.get("livenessProbe"), subject.data.get("readinessProbe")
    if _serving(subject) and liveness and liveness == readiness:
        yield _hit(subject, f"{_label(subject)}: livenessProbe is identical to readinessProbe; a dependency "
                   "outage then restarts every pod", subject.pointer + ("livenessProbe",))


PROBES = ("readinessProbe", "livenessProbe", "startupProbe")
HANDLERS = ("httpGet", "tcpSocket", "grpc")


def probe_port_undeclared(subject: Subject[KubernetesContainer], options: dict[str, Any]) -> Iterator[Hit]:
    ports = ports if isinstance(ports := subject.data.get("ports"), list) else []
    names = {p.get("name") for p in ports if isinstance(p, dict)}
    numbers = {p.get("containerPort") for p in ports if isinstance(p, dict)}
    for probe in PROBES:
        for handler in HANDLERS:
            port = get_in(subject.data, (probe, handler, "port"))
            if port is None:
                continue
            if isinstance(port, str) and not port.isdigit():
                if port not in names:
                    yield _hit(subject, f"{_label(subject)}: {probe} uses port '{port}', which no container port "
                               "is named: the probe can never succeed", subject.pointer + (probe, handler, "port"))
            elif numbers and int(port) not in numbers:
                yield _hit(subject, f"{_label(subject)}: {probe} checks port {port}, which the container does not "
                           f"declare (declared: {', '.join(str(n) for n in sorted(numbers, key=str))})",
                           subject.pointer + (probe, handler, "port"))


def startup_probe_missing(subject: Subject[KubernetesContainer], options: dict[str, Any]) -> Iterator[Hit]:
    delay = get_in(subject.data, ("livenessProbe", "initialDelaySeconds"))
    threshold = int(options.get("initial_delay_seconds", 60))
    if not _serving(subject) or subject.data.get("startupProbe") or not isinstance(delay, int):
        return
    if delay >= threshold:
        yield _hit(subject, f"{_label(subject)}: livenessProbe waits {delay}s before its first check; a "
                   "startupProbe covers slow starts without delaying failure detection later",
                   subject.pointer + ("livenessProbe", "initialDelaySeconds"))


# resources ------------------------------------------------------------------------------------------


def _resources(subject: Subject, group: str, resource: str) -> Any:
    return get_in(subject.data, ("resources", group, resource))


def _resources_at(subject: Subject) -> Pointer | None:
    """Where a missing request or limit is fixed: the `resources:` key when written (even `{}`), else the owner."""
    return subject.pointer + ("resources",) if "resources" in subject.data else None


def _needs_resources(subject: Subject) -> bool:
    return _container(subject).role != "ephemeral"  # ephemeral containers cannot have resources


def request_missing(subject: Subject[KubernetesContainer], options: dict[str, Any]) -> Iterator[Hit]:
    """No request (nor a limit, which sets it) for `params.resource`."""
    resource = options["resource"]
    if not _needs_resources(subject):
        return
    if _resources(subject, "requests", resource) is None and _resources(subject, "limits", resource) is None:
        yield _hit(subject, f"{_label(subject)} has no {resource} request: the scheduler cannot place it "
                   "by what it needs", _resources_at(subject))


def memory_limit_missing(subject: Subject[KubernetesContainer], options: dict[str, Any]) -> Iterator[Hit]:
    if _needs_resources(subject) and _resources(subject, "limits", "memory") is None:
        yield _hit(subject, f"{_label(subject)} has no memory limit: a leak can take the node's memory",
                   _resources_at(subject))


def cpu_limit_missing(subject: Subject[KubernetesContainer], options: dict[str, Any]) -> Iterator[Hit]:
    if options.get("enabled") and _needs_resources(subject) and _resources(subject, "limits", "cpu") is None:
        yield _hit(subject, f"{_label(subject)} has no CPU limit", _resources_at(subject))


def limit_below_request(subject: Subject[KubernetesContainer], options: dict[str, Any]) -> Iterator[Hit]:
    for resource in ("cpu", "memory"):
        request = parse_quantity(_resources(subject, "requests", resource))
        limit = parse_quantity(_resources(subject, "limits", resource))
        if request is not None and limit is not None and limit < request:
            yield _hit(subject, f"{_label(subject)}: {resource} limit {_resources(subject, 'limits', resource)} is "
                       f"below its request {_resources(subject, 'requests', resource)}: the API server rejects it",
                       subject.pointer + ("resources", "limits", resource))


# non-root -------------------------------------------------------------------------------------------


def run_as_non_root_missing(subject: Subject[KubernetesContainer], options: dict[str, Any]) -> Iterator[Hit]:
    container = _container(subject)
    security = container.security
    user = security.get("runAsUser")
    if user == 0 or security.get("runAsNonRoot") is True:
        return
    if isinstance(user, int) and not isinstance(user, bool) and user > 0:
        return
    pointer = container.security_at.get("runAsNonRoot") if security.get("runAsNonRoot") is False else None
    yield _hit(subject, f"{_label(subject)} may run as root: neither runAsNonRoot: true nor a non-zero runAsUser "
               "is set (pod or container securityContext)", pointer)


def run_as_user_root(subject: Subject[KubernetesContainer], options: dict[str, Any]) -> Iterator[Hit]:
    container = _container(subject)
    if container.security.get("runAsUser") == 0:
        yield _hit(subject, f"{_label(subject)} runs as root (runAsUser: 0)", container.security_at["runAsUser"])


def run_as_group_root(subject: Subject[KubernetesContainer], options: dict[str, Any]) -> Iterator[Hit]:
    container = _container(subject)
    if container.security.get("runAsGroup") == 0:
        yield _hit(subject, f"{_label(subject)} runs with the root group (runAsGroup: 0)",
                   container.security_at["runAsGroup"])


# least privilege: containers ------------------------------------------------------------------------


def privileged_container(subject: Subject[KubernetesContainer], options: dict[str, Any]) -> Iterator[Hit]:
    container = _container(subject)
    if container.security.get("privileged") is True:
        yield _hit(subject, f"{_label(subject)} is privileged: it has every capability and the host's devices",
                   container.security_at["privileged"])


def privilege_escalation_allowed(subject: Subject[KubernetesContainer], options: dict[str, Any]) -> Iterator[Hit]:
    container = _container(subject)
    value = container.security.get("allowPrivilegeEscalation")
    if value is False:
        return
    hit = _hit(subject, f"{_label(subject)} does not set allowPrivilegeEscalation: false; setuid binaries can "
               "gain privileges", container.security_at.get("allowPrivilegeEscalation"))
    hit.fix = _security_fix(subject, ["allowPrivilegeEscalation"], "false", "set allowPrivilegeEscalation: false")
    yield hit


def _capabilities(container: Container) -> dict[str, Any]:
    caps = container.security.get("capabilities")
    return caps if isinstance(caps, dict) else {}


def capabilities_not_dropped(subject: Subject[KubernetesContainer], options: dict[str, Any]) -> Iterator[Hit]:
    container = _container(subject)
    drop = _capabilities(container).get("drop")
    if isinstance(drop, list) and any(str(c).upper() in ("ALL", "CAP_ALL") for c in drop):
        return
    hit = _hit(subject, f"{_label(subject)} keeps the default capabilities: add capabilities.drop: [ALL]",
               container.security_at.get("capabilities"))
    hit.fix = (_security_fix(subject, ["capabilities", "drop"], "[ALL]", "drop all capabilities", "unsafe") if drop is None
               else Fix.refused("a capabilities.drop list without ALL is written: it is not rewritten"))
    yield hit


def dangerous_capability(subject: Subject[KubernetesContainer], options: dict[str, Any]) -> Iterator[Hit]:
    container = _container(subject)
    added = _capabilities(container).get("add")
    dangerous = {str(c).upper() for c in options.get("capabilities", [])}
    if not isinstance(added, list):
        return
    for i, cap in enumerate(added):
        name = str(cap).upper().removeprefix("CAP_")
        if name in dangerous:
            yield _hit(subject, f"{_label(subject)} adds the {name} capability",
                       container.security_at["capabilities"] + ("add", i))


def root_filesystem_writable(subject: Subject[KubernetesContainer], options: dict[str, Any]) -> Iterator[Hit]:
    container = _container(subject)
    if container.role == "ephemeral" or container.security.get("readOnlyRootFilesystem") is True:
        return
    hit = _hit(subject, f"{_label(subject)} has a writable root filesystem: set readOnlyRootFilesystem: true "
               "and mount emptyDir volumes where it writes", container.security_at.get("readOnlyRootFilesystem"))
    hit.fix = _security_fix(subject, ["readOnlyRootFilesystem"], "true", "set readOnlyRootFilesystem: true", "unsafe")
    yield hit


def _pod_annotations(subject: Subject) -> dict[str, Any]:
    obj = subject.context["object"]
    pod_pointer: Pointer = subject.context["pod_pointer"]
    path = ("metadata", "annotations") if obj.get("kind") == "Pod" else pod_pointer[1:-1] + ("metadata", "annotations")
    annotations = get_in(obj, path)
    return annotations if isinstance(annotations, dict) else {}


def seccomp_profile_missing(subject: Subject[KubernetesContainer], options: dict[str, Any]) -> Iterator[Hit]:
    container = _container(subject)
    profile = container.security.get("seccompProfile")
    kind = profile.get("type") if isinstance(profile, dict) else None
    if kind == "Unconfined":
        yield _hit(subject, f"{_label(subject)} runs without seccomp (Unconfined)",
                   container.security_at["seccompProfile"])
        return
    annotations = _pod_annotations(subject)
    legacy = annotations.get(f"container.seccomp.security.alpha.kubernetes.io/{container.name}") or annotations.get(
        "seccomp.security.alpha.kubernetes.io/pod")
    if kind is None and legacy in (None, "unconfined"):
        hit = _hit(subject, f"{_label(subject)} has no seccomp profile: set seccompProfile.type: RuntimeDefault "
                   "on the pod or container")
        hit.fix = (_security_fix(subject, ["seccompProfile", "type"], "RuntimeDefault",
                                 "set seccompProfile.type: RuntimeDefault on the container")
                   if profile is None and legacy is None
                   else Fix.refused("a seccomp profile or annotation is written: it is not rewritten"))
        yield hit


def host_port(subject: Subject[KubernetesContainer], options: dict[str, Any]) -> Iterator[Hit]:
    ports = subject.data.get("ports")
    for i, port in enumerate(ports if isinstance(ports, list) else []):
        if isinstance(port, dict) and port.get("hostPort"):
            yield _hit(subject, f"{_label(subject)} binds hostPort {port['hostPort']} on the node",
                       subject.pointer + ("ports", i, "hostPort"))


# least privilege: pods and RBAC ---------------------------------------------------------------------


def _pod(subject: Subject) -> dict[str, Any]:
    pod: dict[str, Any] = subject.context["pod"]
    return pod


def host_namespace(subject: Subject[KubernetesObject], options: dict[str, Any]) -> Iterator[Hit]:
    """`params.field: true` shares the node's `params.what` (hostNetwork, hostPID, hostIPC)."""
    field_name, what = options["field"], options["what"]
    if _pod(subject).get(field_name) is True:
        yield _hit(subject, f"the pod shares the node's {what} ({field_name}: true)",
                   subject.context["pod_pointer"] + (field_name,))


def host_path_volume(subject: Subject[KubernetesObject], options: dict[str, Any]) -> Iterator[Hit]:
    volumes = _pod(subject).get("volumes")
    for i, volume in enumerate(volumes if isinstance(volumes, list) else []):
        if isinstance(volume, dict) and isinstance(volume.get("hostPath"), dict):
            path = volume["hostPath"].get("path", "")
            yield _hit(subject, f"volume '{volume.get('name', '')}' mounts the node's {path or 'filesystem'} "
                       "(hostPath)", subject.context["pod_pointer"] + ("volumes", i, "hostPath"))


def _bound_service_accounts(subject: Subject) -> set[tuple[str, str]]:
    return indexed(subject.doc, "bound service accounts", _bindings_subjects)


def _bindings_subjects(doc: Document) -> set[tuple[str, str]]:
    bound = set()
    for binding in of_kind(doc, "RoleBinding", "ClusterRoleBinding"):
        for item in get_in(binding.obj, ("subjects",)) or []:
            if isinstance(item, dict) and item.get("kind") == "ServiceAccount":
                bound.add((str(item.get("namespace") or binding.namespace), str(item.get("name"))))
    return bound


def service_account_token_mounted(subject: Subject[KubernetesObject], options: dict[str, Any]) -> Iterator[Hit]:
    pod = _pod(subject)
    setting = pod.get("automountServiceAccountToken")
    if setting is False:
        return
    account = str(pod.get("serviceAccountName") or pod.get("serviceAccount") or "default")
    namespace = str(get_in(subject.data, ("metadata", "namespace")) or "")
    if (namespace, account) in _bound_service_accounts(subject):
        return  # the pod talks to the API server: it needs the token
    if setting is None and (account, namespace) in indexed(subject.doc, "opted-out accounts", _opted_out_accounts):
        return
    pointer = subject.context["pod_pointer"] + ("automountServiceAccountToken",) if setting is True else None
    hit = _hit(subject, f"the service account token of '{account}' is mounted into the pod although nothing in "
               "scope grants it a role: set automountServiceAccountToken: false", pointer)
    # unsafe: a binding outside the files scanned may still give the account a role the app uses
    hit.fix = make_fix("set automountServiceAccountToken: false on the pod",
                       set_entry(subject.doc, subject.context["pod_pointer"], ["automountServiceAccountToken"], "false"),
                       "unsafe")
    yield hit


def _opted_out_accounts(doc: Document) -> set[tuple[str, str]]:
    """ServiceAccounts in scope that turn off token mounting for their pods."""
    return {(sa.name, sa.namespace) for sa in of_kind(doc, "ServiceAccount")
            if sa.obj.get("automountServiceAccountToken") is False}


def _rbac_rules(subject: Subject) -> Iterator[tuple[int, dict[str, Any]]]:
    if subject.data.get("kind") not in ("Role", "ClusterRole"):
        return
    rules = subject.data.get("rules")
    for i, rule in enumerate(rules if isinstance(rules, list) else []):
        if isinstance(rule, dict):
            yield i, rule


def _words(value: Any) -> list[str]:
    """A list of strings from an RBAC field; anything else counts as empty."""
    return [str(v) for v in value] if isinstance(value, list) else []


def rbac_wildcard_verbs(subject: Subject[KubernetesObject], options: dict[str, Any]) -> Iterator[Hit]:
    for i, rule in _rbac_rules(subject):
        if "*" in _words(rule.get("verbs")):
            yield _hit(subject, f"{subject.data['kind']} '{subject.context['info'].name}' grants every verb ('*')",
                       subject.pointer + ("rules", i, "verbs"))


def rbac_wildcard_resources(subject: Subject[KubernetesObject], options: dict[str, Any]) -> Iterator[Hit]:
    for i, rule in _rbac_rules(subject):
        if "*" in _words(rule.get("resources")):
            yield _hit(subject, f"{subject.data['kind']} '{subject.context['info'].name}' grants access to every "
                       "resource ('*')", subject.pointer + ("rules", i, "resources"))
        elif "*" in _words(rule.get("apiGroups")):
            yield _hit(subject, f"{subject.data['kind']} '{subject.context['info'].name}' grants its resources in "
                       "every API group ('*'), custom resources of the same name included",
                       subject.pointer + ("rules", i, "apiGroups"))


def rbac_cluster_secrets_read(subject: Subject[KubernetesObject], options: dict[str, Any]) -> Iterator[Hit]:
    if subject.data.get("kind") != "ClusterRole":
        return
    for i, rule in _rbac_rules(subject):
        groups = _words(rule.get("apiGroups"))
        verbs = set(_words(rule.get("verbs")))
        if "secrets" in _words(rule.get("resources")) and ("" in groups or "*" in groups) and verbs & {
                "get", "list", "watch", "*"}:
            yield _hit(subject, f"ClusterRole '{subject.context['info'].name}' can read Secrets in every namespace",
                       subject.pointer + ("rules", i, "resources"))


def cluster_admin_binding(subject: Subject[KubernetesObject], options: dict[str, Any]) -> Iterator[Hit]:
    if subject.data.get("kind") not in ("RoleBinding", "ClusterRoleBinding"):
        return
    ref = subject.data.get("roleRef")
    if isinstance(ref, dict) and ref.get("kind") == "ClusterRole" and ref.get("name") == "cluster-admin":
        yield _hit(subject, f"{subject.data['kind']} '{subject.context['info'].name}' grants cluster-admin",
                   subject.pointer + ("roleRef", "name"))


# pinned versions ------------------------------------------------------------------------------------


def image_not_pinned(subject: Subject[KubernetesContainer], options: dict[str, Any]) -> Iterator[Hit]:
    image = subject.data.get("image")
    if not isinstance(image, str) or not image.strip() or "$" in image or "{{" in image:
        return
    what = floating(parse_image(image))
    if what:
        yield _hit(subject, f"{_label(subject)}: image '{image}' {what}", subject.pointer + ("image",))


# graceful shutdown ----------------------------------------------------------------------------------


def termination_grace_short(subject: Subject[KubernetesObject], options: dict[str, Any]) -> Iterator[Hit]:
    grace = _pod(subject).get("terminationGracePeriodSeconds")
    minimum = int(options.get("minimum_seconds", 5))
    if subject.context["long_running"] and isinstance(grace, int) and grace < minimum:
        yield _hit(subject, f"terminationGracePeriodSeconds is {grace}: the process is killed before it can drain",
                   subject.context["pod_pointer"] + ("terminationGracePeriodSeconds",))


def _sleep_seconds(argv: list[str]) -> float | None:
    if not argv or argv[0].rsplit("/", 1)[-1] != "sleep" or len(argv) < 2:
        return None
    try:
        return float(argv[1].rstrip("s"))
    except ValueError:
        return None


def prestop_sleep(container: Mapping[str, Any]) -> tuple[float | None, Pointer]:
    """Seconds a preStop hook sleeps (exec `sleep N`, through `sh -c` too, or the sleep action)."""
    pre_stop = get_in(container, ("lifecycle", "preStop"))
    if not isinstance(pre_stop, dict):
        return None, ()
    seconds = get_in(pre_stop, ("sleep", "seconds"))
    if isinstance(seconds, (int, float)) and not isinstance(seconds, bool):
        return float(seconds), ("lifecycle", "preStop", "sleep", "seconds")
    command = get_in(pre_stop, ("exec", "command"))
    if not isinstance(command, list):
        return None, ()
    argv = [str(a) for a in command]
    pointer = ("lifecycle", "preStop", "exec", "command")
    direct = _sleep_seconds(argv)
    if direct is not None:
        return direct, pointer
    if len(argv) >= 3 and argv[1] == "-c":
        from readycheck.shell import parse_script

        for cmd in parse_script(argv[2]).commands:
            found = _sleep_seconds(cmd.argv)
            if found is not None:
                return found, pointer
    return None, ()


def prestop_exceeds_grace(subject: Subject[KubernetesContainer], options: dict[str, Any]) -> Iterator[Hit]:
    seconds, at = prestop_sleep(subject.data)
    if seconds is None:
        return
    grace = _pod(subject).get("terminationGracePeriodSeconds")
    grace = grace if isinstance(grace, int) else 30
    if seconds >= grace:
        yield _hit(subject, f"{_label(subject)}: the preStop hook sleeps {seconds:g}s, not less than the "
                   f"{grace}s grace period: the app is killed before it gets SIGTERM", subject.pointer + at)


def prestop_delay_missing(subject: Subject[KubernetesContainer], options: dict[str, Any]) -> Iterator[Hit]:
    if not _serving(subject) or get_in(subject.data, ("lifecycle", "preStop")):
        return
    services = selecting(subject.doc, subject.context["object"], "Service")
    if services:
        yield _hit(subject, f"{_label(subject)} is behind Service '{services[0].name}' but has no preStop delay: "
                   "it stops before endpoints are updated and requests fail during rollouts")


# availability ---------------------------------------------------------------------------------------

SCALED_KINDS = ("Deployment", "StatefulSet", "Rollout", "DeploymentConfig")


def _desired_replicas(subject: Subject) -> int | None:
    """spec.replicas, else the HPA's minReplicas, else 1 (the API default)."""
    count = replicas(subject.data)
    if count is not None:
        return count
    if get_in(subject.data, ("spec", "replicas")) is not None:
        return None  # templated or odd: unknown
    for hpa in autoscalers_of(subject.doc, subject.data):
        low = get_in(hpa.obj, ("spec", "minReplicas"))
        return low if isinstance(low, int) else 1
    return 1


def single_replica(subject: Subject[KubernetesObject], options: dict[str, Any]) -> Iterator[Hit]:
    if subject.data.get("kind") not in SCALED_KINDS or autoscalers_of(subject.doc, subject.data):
        return
    count = replicas(subject.data)
    explicit = get_in(subject.data, ("spec", "replicas")) is not None
    if explicit and count is None or count == 0:
        return
    if (count or 1) < 2:
        pointer = subject.pointer + ("spec", "replicas") if explicit else None
        yield _hit(subject, f"{subject.data['kind']} '{subject.context['info'].name}' runs a single replica: any "
                   "node drain or crash is an outage", pointer)


def pdb_missing(subject: Subject[KubernetesObject], options: dict[str, Any]) -> Iterator[Hit]:
    if subject.data.get("kind") not in SCALED_KINDS:
        return
    count = _desired_replicas(subject)
    if count is None or count < 2 or selecting(subject.doc, subject.data, "PodDisruptionBudget"):
        return
    yield _hit(subject, f"{subject.data['kind']} '{subject.context['info'].name}' has {count} replicas but no "
               "PodDisruptionBudget: a node drain may evict them all at once")


def pdb_blocks_disruption(subject: Subject[KubernetesObject], options: dict[str, Any]) -> Iterator[Hit]:
    if subject.data.get("kind") != "PodDisruptionBudget":
        return
    spec = spec if isinstance(spec := subject.data.get("spec"), dict) else {}
    name = subject.context["info"].name
    if "maxUnavailable" in spec and str(spec["maxUnavailable"]) in ("0", "0%"):
        yield _hit(subject, f"PodDisruptionBudget '{name}' allows no disruption (maxUnavailable: 0): node drains "
                   "block forever", subject.pointer + ("spec", "maxUnavailable"))
        return
    min_available = spec.get("minAvailable")
    if min_available is None:
        return
    if str(min_available) == "100%":
        yield _hit(subject, f"PodDisruptionBudget '{name}' requires every pod (minAvailable: 100%): node drains "
                   "block forever", subject.pointer + ("spec", "minAvailable"))
        return
    if not isinstance(min_available, int):
        return
    for workload in selected_workloads(subject.doc, spec.get("selector"), subject.data):
        count, scaler = _fewest_replicas(subject.doc, workload.obj)
        if count is not None and min_available >= count:
            held = (f"{workload.kind} '{workload.name}' at its fewest ({scaler}): no pod can be evicted then"
                    if scaler else f"{workload.kind} '{workload.name}': no pod can ever be evicted")
            yield _hit(subject, f"PodDisruptionBudget '{name}' requires {min_available} of the {count} pods of {held}",
                       subject.pointer + ("spec", "minAvailable"))
            return


def _fewest_replicas(doc: Document, workload: Mapping[str, Any]) -> tuple[int | None, str]:
    """The fewest pods a workload runs, and what says so ("" for its own spec.replicas; None when unknown).

    An autoscaler owns the count: its minReplicas (HPA, default 1) or
    minReplicaCount (KEDA ScaledObject, default 0), whatever spec.replicas says.
    """
    for scaler in autoscalers_of(doc, workload):
        key, default = ("minReplicaCount", 0) if scaler.obj.get("kind") == "ScaledObject" else ("minReplicas", 1)
        low = get_in(scaler.obj, ("spec", key))
        low = default if low is None else low
        if not isinstance(low, int) or isinstance(low, bool):
            return None, ""  # templated: unknown
        return low, f"{key}: {low} of {scaler.obj.get('kind')} '{scaler.name}'"
    return replicas(workload), ""


def hpa_min_replicas_low(subject: Subject[KubernetesObject], options: dict[str, Any]) -> Iterator[Hit]:
    if subject.data.get("kind") != "HorizontalPodAutoscaler":
        return
    low = get_in(subject.data, ("spec", "minReplicas"))
    if low is None or isinstance(low, int) and low < 2:
        pointer = subject.pointer + ("spec", "minReplicas") if low is not None else None
        yield _hit(subject, f"HorizontalPodAutoscaler '{subject.context['info'].name}' may scale down to "
                   f"{low if low is not None else 1} replica", pointer)


def _cpu_metric(hpa: Mapping[str, Any]) -> Pointer | None:
    if get_in(hpa, ("spec", "targetCPUUtilizationPercentage")) is not None:
        return ("spec", "targetCPUUtilizationPercentage")
    metrics = get_in(hpa, ("spec", "metrics"))
    for i, metric in enumerate(metrics if isinstance(metrics, list) else []):
        if not isinstance(metric, dict):
            continue
        for kind_key in ("resource", "containerResource"):
            if get_in(metric, (kind_key, "name")) == "cpu":
                return ("spec", "metrics", i, kind_key, "name")
    return None


def hpa_cpu_without_requests(subject: Subject[KubernetesObject], options: dict[str, Any]) -> Iterator[Hit]:
    if subject.data.get("kind") != "HorizontalPodAutoscaler":
        return
    metric = _cpu_metric(subject.data)
    ref = get_in(subject.data, ("spec", "scaleTargetRef"))
    if metric is None or not isinstance(ref, dict):
        return
    for workload in workloads_named(subject.doc, subject.data, ref.get("name")):
        if workload.kind != ref.get("kind"):
            continue
        for container in containers(workload.obj):
            resources = container.data.get("resources") or {}
            if container.role != "app" or not isinstance(resources, dict):
                continue
            if get_in(resources, ("requests", "cpu")) is None and get_in(resources, ("limits", "cpu")) is None:
                yield _hit(subject, f"HorizontalPodAutoscaler '{subject.context['info'].name}' scales on CPU "
                           f"utilisation but container '{container.name}' of {workload.kind} '{workload.name}' has "
                           "no CPU request: the autoscaler cannot compute it", subject.pointer + metric)
                return


def rolling_update_all_unavailable(subject: Subject[KubernetesObject], options: dict[str, Any]) -> Iterator[Hit]:
    if subject.data.get("kind") not in ("Deployment", "Rollout"):
        return
    value = get_in(subject.data, ("spec", "strategy", "rollingUpdate", "maxUnavailable"))
    count = _desired_replicas(subject)
    if value is None or count is None or count < 1:
        return
    unavailable = percent_or_int(value, count)
    if unavailable is not None and int(unavailable) >= count:
        replicas_down = "its only replica" if count == 1 else f"all {count} replicas"
        yield _hit(subject, f"rolling update maxUnavailable {value} takes down {replicas_down} at once",
                   subject.pointer + ("spec", "strategy", "rollingUpdate", "maxUnavailable"))


def topology_spread_missing(subject: Subject[KubernetesObject], options: dict[str, Any]) -> Iterator[Hit]:
    if not options.get("enabled") or subject.data.get("kind") not in SCALED_KINDS:
        return
    count = _desired_replicas(subject)
    pod = _pod(subject)
    if count is None or count < 2 or pod.get("topologySpreadConstraints"):
        return
    if _spreading_anti_affinity(pod, subject.context["info"].namespace):
        return
    yield _hit(subject, f"{subject.data['kind']} '{subject.context['info'].name}' has {count} replicas but no "
               "topologySpreadConstraints or podAntiAffinity: they may all land on one node")


def _spreading_anti_affinity(pod: Mapping[str, Any], namespace: str) -> bool:
    """A podAntiAffinity term that can apply to the pod's own replicas: one limited to other namespaces cannot."""
    anti = get_in(pod, ("affinity", "podAntiAffinity"))
    if not isinstance(anti, dict) or not anti:
        return False
    terms = list(anti.get("requiredDuringSchedulingIgnoredDuringExecution") or [])
    terms += [t.get("podAffinityTerm") for t in anti.get("preferredDuringSchedulingIgnoredDuringExecution") or []
              if isinstance(t, dict)]
    for term in terms:
        if not isinstance(term, dict):
            return True  # odd: not judged
        namespaces = term.get("namespaces")
        if term.get("namespaceSelector") is not None or not isinstance(namespaces, list) or not namespaces \
                or (namespace or "default") in namespaces:
            return True
    return not terms


# secrets --------------------------------------------------------------------------------------------


def _first(matches: list[Any]) -> Any:
    """The first match worth reporting: low-confidence guesses (a weak URL password) are left out."""
    return next((m for m in matches if m.confidence != "low"), None)


def _severity(match: Any) -> str | None:
    """The detector's milder verdict (a well-known default password is a warning); else the rule's severity."""
    return None if match.severity == "error" else str(match.severity)


def env_secret_literal(subject: Subject[KubernetesContainer], options: dict[str, Any]) -> Iterator[Hit]:
    env = subject.data.get("env")
    for i, item in enumerate(env if isinstance(env, list) else []):
        if not isinstance(item, dict) or not isinstance(item.get("value"), str):
            continue
        match = _first(scan_value(item["value"], key=str(item.get("name") or ""), context="kubernetes"))
        if match is not None:
            yield _hit(subject, f"{_label(subject)}: env {item.get('name')} holds a literal secret "
                       f"({match.description}: {redact(match.value)}); use valueFrom.secretKeyRef",
                       subject.pointer + ("env", i, "value"), key=str(item.get("name")), severity=_severity(match))
        elif _named_like_a_secret(str(item.get("name") or ""), item["value"]):
            yield _hit(subject, f"{_label(subject)}: env {item.get('name')} is named like a credential and holds a "
                       f"literal value ({redact(item['value'])}); use valueFrom.secretKeyRef",
                       subject.pointer + ("env", i, "value"), key=str(item.get("name")), severity="note")


def _named_like_a_secret(name: str, value: str) -> bool:
    """A value under a credential's name (`SECRET_KEY: squirrels`) that is no flag, number, path, URL or reference."""
    from readycheck.checks.dockerfile_security import secret_name

    text = value.strip()
    if not secret_name(name) or len(text) < 6 or any(c.isspace() for c in text) or "$" in text or "{{" in text:
        return False
    if text.lower() in ("true", "false", "enabled", "disabled", "changeme", "required", "optional") or \
            re.fullmatch(r"[\d.,:/]+", text):
        return False  # a flag, a number, or a list of addresses
    return not text.startswith(("/", "./", "~")) and "://" not in text


def secret_object_literal(subject: Subject[KubernetesObject], options: dict[str, Any]) -> Iterator[Hit]:
    if subject.data.get("kind") != "Secret" or "/" in str(subject.data.get("apiVersion")):
        return
    for section in ("data", "stringData"):
        values = subject.data.get(section)
        for key, value in (values.items() if isinstance(values, dict) else []):
            if not isinstance(value, str) or not value.strip():
                continue
            if scan_value(value, key=str(key), context="kubernetes-secret"):
                yield _hit(subject, f"Secret '{subject.context['info'].name}' stores '{key}' in plain manifest "
                           f"{section}: commit a SealedSecret or an ExternalSecret reference instead",
                           subject.pointer + (section, key), key=str(key))


def configmap_secret(subject: Subject[KubernetesObject], options: dict[str, Any]) -> Iterator[Hit]:
    if subject.data.get("kind") != "ConfigMap":
        return
    values = subject.data.get("data")
    for key, value in (values.items() if isinstance(values, dict) else []):
        if not isinstance(value, str):
            continue
        match = _first(scan_value(value, key=str(key), context="kubernetes"))
        if match is not None:
            yield _hit(subject, f"ConfigMap '{subject.context['info'].name}' entry '{key}' holds a secret "
                       f"({match.description}: {redact(match.value)}); ConfigMaps are readable by many",
                       subject.pointer + ("data", key), key=str(key), severity=_severity(match))


def command_credential(subject: Subject[KubernetesContainer], options: dict[str, Any]) -> Iterator[Hit]:
    for field_name in ("command", "args"):
        argv = subject.data.get(field_name)
        if not isinstance(argv, list):
            continue
        words = [str(a) for a in argv]
        joined = " ".join(shlex.quote(w) if " " not in w else w for w in words)
        offsets, position = [], 0
        for word in words:
            start = joined.find(word, position)
            offsets.append(start)
            position = start + len(word) if start >= 0 else position
        for match in scan_text(joined, context="kubernetes"):
            if match.confidence == "low":
                continue
            index = max((i for i, o in enumerate(offsets) if 0 <= o <= match.start), default=0)
            yield _hit(subject, f"{_label(subject)}: {field_name} carries a credential ({match.description}: "
                       f"{redact(match.value)}); pass it from a Secret as an environment variable",
                       subject.pointer + (field_name, index), severity=_severity(match))


# correctness ----------------------------------------------------------------------------------------


def service_selects_nothing(subject: Subject[KubernetesObject], options: dict[str, Any]) -> Iterator[Hit]:
    if subject.data.get("kind") != "Service":
        return
    selector = get_in(subject.data, ("spec", "selector"))
    if not isinstance(selector, dict) or not selector or not workloads_in_namespace(subject.doc, subject.data):
        return
    if next(selected_workloads(subject.doc, selector, subject.data), None) is None:
        yield _hit(subject, f"Service '{subject.context['info'].name}' selects no pods of the workloads in scope",
                   subject.pointer + ("spec", "selector"))


def _ingress_backends(ingress: Mapping[str, Any]) -> Iterator[tuple[str, Pointer]]:
    spec = ingress.get("spec")
    if not isinstance(spec, dict):
        return
    default_key = "defaultBackend" if "defaultBackend" in spec else "backend"
    backends: list[tuple[Any, Pointer]] = [(spec.get(default_key), ("spec", default_key))]
    for i, rule in enumerate(spec.get("rules") or []):
        for j, path in enumerate(get_in(rule, ("http", "paths")) or []):
            if isinstance(path, dict):
                backends.append((path.get("backend"), ("spec", "rules", i, "http", "paths", j, "backend")))
    for backend, pointer in backends:
        if not isinstance(backend, dict):
            continue
        if isinstance(backend.get("service"), dict) and backend["service"].get("name"):
            yield str(backend["service"]["name"]), pointer + ("service", "name")
        elif backend.get("serviceName"):
            yield str(backend["serviceName"]), pointer + ("serviceName",)


def ingress_backend_missing(subject: Subject[KubernetesObject], options: dict[str, Any]) -> Iterator[Hit]:
    if subject.data.get("kind") != "Ingress":
        return
    services = names_in_namespace(subject.doc, "Service", subject.data)
    if not services:
        return
    for name, pointer in _ingress_backends(subject.data):
        if name not in services:
            yield _hit(subject, f"Ingress '{subject.context['info'].name}' routes to Service '{name}', which is not "
                       "defined in scope", subject.pointer + pointer)


def selector_template_mismatch(subject: Subject[KubernetesObject], options: dict[str, Any]) -> Iterator[Hit]:
    if subject.data.get("kind") not in (*REPLICATED_KINDS, "DaemonSet"):
        return
    selector = get_in(subject.data, ("spec", "selector"))
    labels = written_template_labels(subject.data)
    if isinstance(selector, dict) and selector and not selector_matches(selector, labels):
        yield _hit(subject, f"{subject.data['kind']} '{subject.context['info'].name}': spec.selector does not "
                   "match the pod template labels: the API server rejects it", subject.pointer + ("spec", "selector"))


# commands the container runs ------------------------------------------------------------------------


def command_judgement(subject: Subject[KubernetesContainer], options: dict[str, Any]) -> Iterator[Hit]:
    """The shared command judgement named by the rule's `idea` param (install, pipe, tls), on `command` + `args`
    (and a `sh -c` script in them). Without `command`, `args` is judged as the whole command line (the common
    `args: ["sh", "-c", ...]` on an image with no entrypoint)."""
    parts: list[Pointer] = []
    words: list[str] = []
    command, args = subject.data.get("command"), subject.data.get("args")
    for name, value in (("command", command), ("args", args)):
        if isinstance(value, list) and (name == "command" or isinstance(command, list) or not command):
            parts.extend(subject.pointer + (name, i) for i in range(len(value)))
            words.extend(str(w) for w in value)
    for element, message in argv_judgements(words, options["idea"]):
        yield _hit(subject, f"{_label(subject)}: {message}", parts[element])


# issue 17: what kube-linter, checkov, kube-score and Polaris catch ----------------------------------


def ingress_tls_missing(subject: Subject[KubernetesObject], options: dict[str, Any]) -> Iterator[Hit]:
    if subject.data.get("kind") != "Ingress":
        return
    tls = get_in(subject.data, ("spec", "tls"))
    if isinstance(tls, list) and tls:
        return
    yield _hit(subject, f"Ingress '{subject.context['info'].name}' has no tls section: its hosts are served over plain "
               "HTTP unless something in front terminates TLS", subject.pointer + ("spec",))


_ESCALATING_VERBS = {"escalate": "raise its own permissions by editing roles (escalate)",
                     "bind": "grant any role it can name (bind)",
                     "impersonate": "act as other users, groups or service accounts (impersonate)"}
_ESCALATION_TARGETS = {"escalate": {"roles", "clusterroles"}, "bind": {"roles", "clusterroles"},
                       "impersonate": {"users", "groups", "serviceaccounts", "uids", "userextras/scopes"}}
_POD_CREATORS = {"pods", "deployments", "daemonsets", "statefulsets", "replicasets", "jobs", "cronjobs",
                 "replicationcontrollers"}


def rbac_dangerous_grants(subject: Subject[KubernetesObject], options: dict[str, Any]) -> Iterator[Hit]:
    """Grants that lead to more: escalate/bind/impersonate, creating pods (run as any service account of the
    namespace, mount its secrets), exec into pods, and reading Secrets in a namespaced Role."""
    kind = subject.data.get("kind")
    name = subject.context["info"].name
    for i, rule in _rbac_rules(subject):
        verbs = set(_words(rule.get("verbs")))
        resources = set(_words(rule.get("resources")))
        at = subject.pointer + ("rules", i, "verbs")
        for verb, what in _ESCALATING_VERBS.items():
            # `verbs: ['*']` includes these verbs where they mean something: on roles, or on identities
            if verb in verbs or ("*" in verbs and resources & {"*", *_ESCALATION_TARGETS[verb]}):
                yield _hit(subject, f"{kind} '{name}' can {what}", at, key=verb)
        if verbs & {"create", "*"} and resources & (_POD_CREATORS | {"*"}):
            made = sorted(resources & _POD_CREATORS)[0] if resources & _POD_CREATORS else "pods"
            yield _hit(subject, f"{kind} '{name}' can create {made}: a pod can run as any service account of the "
                       "namespace and mount its Secrets", at, key="create-pods",
                       severity="note")  # what every controller and CI deployer needs: worth knowing, rarely wrong
        if resources & {"pods/exec", "pods/attach", "nodes/proxy"} and verbs & {"create", "get", "*"}:
            yield _hit(subject, f"{kind} '{name}' can exec into pods (pods/exec, or the kubelet API through "
                       "nodes/proxy): a shell in any of them, with their credentials", at, key="exec")
        if kind == "Role" and "secrets" in resources and verbs & {"get", "list", "watch"}:
            yield _hit(subject, f"Role '{name}' can read the Secrets of its namespace",
                       subject.pointer + ("rules", i, "resources"), key="secrets")


_SENSITIVE_HOST_PATHS = {
    "/": "the node's whole filesystem",
    "/var/run/docker.sock": "the Docker socket (root on the node)",
    "/run/docker.sock": "the Docker socket (root on the node)",
    "/var/run/containerd/containerd.sock": "the containerd socket (root on the node)",
    "/run/containerd/containerd.sock": "the containerd socket (root on the node)",
    "/var/run/crio/crio.sock": "the CRI-O socket (root on the node)",
    "/run/crio/crio.sock": "the CRI-O socket (root on the node)",
    "/var/run/cri-dockerd.sock": "the cri-dockerd socket (root on the node)",
    "/run/podman/podman.sock": "the Podman socket (root on the node)",
    "/var/run": "the node's runtime sockets (/var/run)",
    "/run": "the node's runtime sockets (/run)",
    "/var/run/docker": "the Docker runtime directory",
    "/run/containerd": "the containerd runtime directory",
    "/var/lib/kubelet": "the kubelet's credentials and every pod's volumes",
    "/etc": "the node's configuration (/etc)",
    "/proc": "the node's processes (/proc)",
    "/root": "root's home directory on the node",
    "/var/lib/docker": "every container's filesystem",
    "/var/lib/containerd": "every container's filesystem",
    "/etc/kubernetes": "the node's Kubernetes credentials",
}


def host_path_sensitive(subject: Subject[KubernetesObject], options: dict[str, Any]) -> Iterator[Hit]:
    volumes = _pod(subject).get("volumes")
    for i, volume in enumerate(volumes if isinstance(volumes, list) else []):
        path = get_in(volume, ("hostPath", "path"))
        if not isinstance(path, str):
            continue
        normal = "/" + path.strip().strip("/") if path.strip() not in ("", "/") else "/"
        what = _SENSITIVE_HOST_PATHS.get(normal)
        if what:
            yield _hit(subject, f"volume '{volume.get('name', '')}' mounts {what} from the node: whoever runs in "
                       "the pod controls the node", subject.context["pod_pointer"] + ("volumes", i, "hostPath", "path"))


SAFE_SYSCTLS = {"kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start",
                "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports",
                "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl",
                "net.ipv4.tcp_keepalive_probes"}
"""The sysctls Kubernetes calls safe (namespaced, isolated per pod): the Pod Security Standards' baseline list."""


def unsafe_sysctls(subject: Subject[KubernetesObject], options: dict[str, Any]) -> Iterator[Hit]:
    sysctls = get_in(_pod(subject), ("securityContext", "sysctls"))
    allowed = SAFE_SYSCTLS | {str(s) for s in options.get("allowed", [])}
    for i, item in enumerate(sysctls if isinstance(sysctls, list) else []):
        name = item.get("name") if isinstance(item, dict) else None
        if isinstance(name, str) and name.replace("/", ".") not in allowed:
            yield _hit(subject, f"the pod sets the unsafe sysctl {name}: it is not isolated per pod and can affect "
                       "every workload on the node", subject.context["pod_pointer"] + ("securityContext", "sysctls", i))


def default_service_account(subject: Subject[KubernetesObject], options: dict[str, Any]) -> Iterator[Hit]:
    pod = _pod(subject)
    account = pod.get("serviceAccountName") or pod.get("serviceAccount")
    if account not in (None, "", "default") or pod.get("automountServiceAccountToken") is False:
        return  # a pod that mounts no token holds none of the account's grants
    namespace = subject.context["info"].namespace
    default = by_name(subject.doc, "ServiceAccount").get((namespace, "default"))
    if default is not None and default.obj.get("automountServiceAccountToken") is False and \
            pod.get("automountServiceAccountToken") is not True:
        return
    pointer = subject.context["pod_pointer"] + (("serviceAccountName",) if "serviceAccountName" in pod else ())
    yield _hit(subject, "the pod runs as the namespace's default service account: whatever is granted to it for "
               "one workload is granted to every pod that omits serviceAccountName", pointer if account else None)


def job_limits_missing(subject: Subject[KubernetesObject], options: dict[str, Any]) -> Iterator[Hit]:
    if not options.get("enabled") or subject.data.get("kind") != "Job":
        return
    spec = spec if isinstance(spec := subject.data.get("spec"), dict) else {}
    name = subject.context["info"].name
    if "backoffLimit" not in spec:
        yield _hit(subject, f"Job '{name}' sets no backoffLimit: a failing pod is retried 6 times by default, each "
                   "retry with its side effects", subject.pointer + ("spec",), key="backoffLimit")
    if "ttlSecondsAfterFinished" not in spec:
        yield _hit(subject, f"Job '{name}' sets no ttlSecondsAfterFinished: the finished Job and its pods stay in the "
                   "cluster until someone deletes them", subject.pointer + ("spec",), key="ttl")


def replicas_with_autoscaler(subject: Subject[KubernetesObject], options: dict[str, Any]) -> Iterator[Hit]:
    count = replicas(subject.data)
    if subject.data.get("kind") not in SCALED_KINDS or count is None:
        return
    for hpa in autoscalers_of(subject.doc, subject.data):
        key, default = ("minReplicaCount", 0) if hpa.kind == "ScaledObject" else ("minReplicas", 1)
        floor = get_in(hpa.obj, ("spec", key))
        floor = default if floor is None else floor
        if floor == count:
            return  # a reset lands on the autoscaler's own floor, which it raises again within a cycle
        yield _hit(subject, f"{subject.data['kind']} '{subject.context['info'].name}' sets spec.replicas: {count} "
                   f"while {hpa.kind} '{hpa.name}' scales it (floor {floor}): a sync or an apply that changes the "
                   "manifest resets the scale to this number", subject.pointer + ("spec", "replicas"))
        return


def _workload_index(doc: Document) -> dict[tuple[str, str, str], Any]:
    index: dict[tuple[str, str, str], Any] = indexed(
        doc, "workloads-by-key", lambda d: {(w.kind, w.namespace, w.name): w for w in workloads(d)})
    return index


def hpa_target_missing(subject: Subject[KubernetesObject], options: dict[str, Any]) -> Iterator[Hit]:
    if subject.data.get("kind") != "HorizontalPodAutoscaler":
        return
    ref = get_in(subject.data, ("spec", "scaleTargetRef"))
    if not isinstance(ref, dict) or not isinstance(ref.get("name"), str) or "{{" in ref["name"]:
        return
    namespace = subject.context["info"].namespace
    index = _workload_index(subject.doc)
    if not any(ns == namespace for _, ns, _ in index):
        return  # no workload of this namespace in scope: the target is applied from elsewhere
    if (str(ref.get("kind") or "Deployment"), namespace, ref["name"]) not in index:
        yield _hit(subject, f"HorizontalPodAutoscaler '{subject.context['info'].name}' scales "
                   f"{ref.get('kind') or 'Deployment'} '{ref['name']}', which is not defined in scope",
                   subject.pointer + ("spec", "scaleTargetRef", "name"))


def _declared_ports(workload: Mapping[str, Any]) -> tuple[set[int], set[str], dict[Any, str]]:
    numbers: set[int] = set()
    names: set[str] = set()
    protocols: dict[Any, str] = {}
    for container in containers(dict(workload)):
        ports = container.data.get("ports")
        for port in ports if isinstance(ports, list) else []:
            if not isinstance(port, dict):
                continue
            if isinstance(port.get("containerPort"), int):
                numbers.add(port["containerPort"])
                protocols[port["containerPort"]] = str(port.get("protocol") or "TCP")
            if isinstance(port.get("name"), str):
                names.add(port["name"])
                protocols[port["name"]] = str(port.get("protocol") or "TCP")
    return numbers, names, protocols


def service_target_port_undeclared(subject: Subject[KubernetesObject], options: dict[str, Any]) -> Iterator[Hit]:
    if subject.data.get("kind") != "Service":
        return
    selector = get_in(subject.data, ("spec", "selector"))
    if not isinstance(selector, dict) or not selector or get_in(subject.data, ("spec", "clusterIP")) == "None":
        return  # a headless Service is for DNS: its ports are informational
    namespace = subject.context["info"].namespace
    selected = workloads_selected_in(subject.doc, selector, namespace)
    if not selected:
        return
    declared = [_declared_ports(w.obj) for w in selected]
    if not any(numbers or names for numbers, names, _ in declared):
        return  # no container declares ports at all: containerPort is informational there
    ports = get_in(subject.data, ("spec", "ports"))
    for i, port in enumerate(ports if isinstance(ports, list) else []):
        if not isinstance(port, dict):
            continue
        target = port.get("targetPort", port.get("port"))
        if isinstance(target, str) and target.isdigit():
            target = int(target)
        if isinstance(target, bool) or not isinstance(target, (int, str)) or (isinstance(target, str) and "{{" in target):
            continue
        if any(target in (names if isinstance(target, str) else numbers) for numbers, names, _ in declared):
            continue
        if isinstance(target, int) and not any(names or numbers for numbers, names, _ in declared):
            continue
        where = "targetPort" if "targetPort" in port else "port"
        if isinstance(target, str):
            yield _hit(subject, f"Service '{subject.context['info'].name}' sends port {port.get('port')} to the port "
                       f"named {target}, which no container of {selected[0].kind} '{selected[0].name}' declares: the "
                       "port has no endpoint", subject.pointer + ("spec", "ports", i, where))
        else:  # containerPort is informational: the application may listen on an undeclared port
            yield _hit(subject, f"Service '{subject.context['info'].name}' sends port {port.get('port')} to port "
                       f"{target}, which no container of {selected[0].kind} '{selected[0].name}' declares",
                       subject.pointer + ("spec", "ports", i, where), severity="note")


def _backend_ports(ingress: Mapping[str, Any]) -> Iterator[tuple[str, Any, Pointer]]:
    for name, pointer in _ingress_backends(ingress):
        backend = get_in(ingress, pointer[:-2] if pointer[-2] == "service" else pointer[:-1])
        if not isinstance(backend, dict):
            continue
        if isinstance(backend.get("service"), dict):
            port = backend["service"].get("port")
            value = port.get("number", port.get("name")) if isinstance(port, dict) else None
            at = pointer[:-1] + ("port",)
        else:
            value, at = backend.get("servicePort"), pointer[:-1] + ("servicePort",)
        if value is not None:
            yield name, value, at


def ingress_backend_port_missing(subject: Subject[KubernetesObject], options: dict[str, Any]) -> Iterator[Hit]:
    if subject.data.get("kind") != "Ingress":
        return
    services = by_name(subject.doc, "Service")
    namespace = subject.context["info"].namespace
    for name, value, at in _backend_ports(subject.data):
        service = services.get((namespace, name))
        ports = get_in(service.obj, ("spec", "ports")) if service else None
        if not isinstance(ports, list) or (isinstance(value, str) and "{{" in value):
            continue
        numbers = {p.get("port") for p in ports if isinstance(p, dict)}
        names = {p.get("name") for p in ports if isinstance(p, dict)}
        wanted = int(value) if isinstance(value, str) and value.isdigit() else value
        if wanted not in (names if isinstance(wanted, str) else numbers):
            yield _hit(subject, f"Ingress '{subject.context['info'].name}' routes to port {value} of Service "
                       f"'{name}', which has no such port", subject.pointer + at)


def probe_on_udp_port(subject: Subject[KubernetesContainer], options: dict[str, Any]) -> Iterator[Hit]:
    ports = ports if isinstance(ports := subject.data.get("ports"), list) else []
    udp = {key for p in ports if isinstance(p, dict) and str(p.get("protocol") or "TCP").upper() == "UDP"
           for key in (p.get("containerPort"), p.get("name")) if isinstance(key, (int, str))}
    tcp = {key for p in ports if isinstance(p, dict) and str(p.get("protocol") or "TCP").upper() != "UDP"
           for key in (p.get("containerPort"), p.get("name")) if isinstance(key, (int, str))}
    for probe in PROBES:
        for handler in HANDLERS:
            port = get_in(subject.data, (probe, handler, "port"))
            port = int(port) if isinstance(port, str) and port.isdigit() else port
            if isinstance(port, (int, str)) and port in udp and port not in tcp:
                yield _hit(subject, f"{_label(subject)}: {probe} checks port {port} over TCP, but the container "
                           "declares it as UDP: the probe can never succeed", subject.pointer + (probe, handler, "port"))


NGINX_SNIPPETS = ("configuration-snippet", "server-snippet", "auth-snippet", "stream-snippet", "modsecurity-snippet",
                  "location-snippet", "http-snippet", "main-snippet")


def nginx_snippet_annotation(subject: Subject[KubernetesObject], options: dict[str, Any]) -> Iterator[Hit]:
    if subject.data.get("kind") != "Ingress":
        return
    annotations = get_in(subject.data, ("metadata", "annotations"))
    for key in annotations if isinstance(annotations, dict) else {}:
        prefix, _, name = str(key).partition("/")
        if prefix.endswith("ingress.kubernetes.io") and name in NGINX_SNIPPETS:
            yield _hit(subject, f"Ingress '{subject.context['info'].name}' injects raw nginx configuration ({key}): "
                       "whoever can write Ingresses can read the controller's secrets (CVE-2021-25742)",
                       subject.pointer + ("metadata", "annotations", key))


def _policies_by_namespace(doc: Document) -> dict[str, list[Any]]:
    def build(d: Document) -> dict[str, list[Any]]:
        found: dict[str, list[Any]] = {}
        for policy in of_kind(d, "NetworkPolicy"):
            found.setdefault(policy.namespace or "default", []).append(policy)  # no namespace: most often default
        return found

    index: dict[str, list[Any]] = indexed(doc, "policies-by-namespace", build)
    return index


def network_policy_missing(subject: Subject[KubernetesObject], options: dict[str, Any]) -> Iterator[Hit]:
    """Pods no NetworkPolicy selects, when the scope holds NetworkPolicies (or the option says the cluster relies on
    them): such pods accept traffic from anywhere. `podSelector: {}` selects every pod of its namespace."""
    if not subject.context["long_running"]:
        return  # a Job or a run-to-completion Pod serves no traffic
    policies = _policies_by_namespace(subject.doc)
    if not policies and not options.get("required"):
        return
    labels = template_labels(subject.data)
    for policy in policies.get(subject.context["info"].namespace or "default", []):
        selector = get_in(policy.obj, ("spec", "podSelector"))
        if selector == {} or (isinstance(selector, dict) and not selector.get("matchLabels")
                              and not selector.get("matchExpressions")):
            return
        if selector_matches(selector, labels):
            return
    yield _hit(subject, f"{subject.data['kind']} '{subject.context['info'].name}': no NetworkPolicy selects its pods, "
               "so they accept traffic from every pod of the cluster")
