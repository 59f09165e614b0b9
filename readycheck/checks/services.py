"""Checks across the artifacts of one service (readycheck.services): each end of a link must agree with the other.

Each finding is located at the artifact to change and names the other end as a related location. A check judges
only links made on evidence (a build naming the Dockerfile and the tag, an image reference, a compose `build:`, a
declared service); where one side is not known (an `envFrom` Secret, a tag a pipeline rewrites) it stays silent.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from readycheck.k8s.workloads import LONG_RUNNING_KINDS
from readycheck.model import Hit, Related, Span, Subject
from readycheck.services import image_name, image_tag
from readycheck.targets import BuiltImage, Service, ServiceRun

KUBERNETES_RUNS = ("kubernetes", "chart")
SHELLS_AND_SLEEP = frozenset({"sleep", "sh", "bash", "ash", "dash", "zsh", "busybox"})
IMMUTABLE_EXPRESSIONS = ("github.sha", "GITHUB_SHA", "github.run_id", "github.run_number", "GITHUB_RUN_ID",
                         "GITHUB_RUN_NUMBER")
"""A pushed tag holding one of these is a fresh, immutable tag per run (a literal tag is compared as written)."""


def _span(place: Sequence[Any]) -> Span:
    line = place[1] if len(place) > 1 and isinstance(place[1], int) and place[1] > 0 else 1
    column = place[2] if len(place) > 2 and isinstance(place[2], int) and place[2] > 0 else 1
    return Span(line, column)


def _at(place: Sequence[Any], message: str, related: Sequence[tuple[str, int | None, str]], key: str) -> Hit:
    return Hit(message, span=_span(place), path=str(place[0]),
               related=tuple(Related(path, Span(line or 1), why) for path, line, why in related), key=key)


def _run_place(run: ServiceRun) -> list[Any]:
    return run["place"] if "place" in run else [run["path"], run.get("line", 1)]


def _what(run: ServiceRun) -> str:
    if run["type"] == "compose":
        return f"compose service '{run.get('name')}'"
    return f"container '{run.get('container')}' of {run.get('workload')}"


def run_as_non_root_named_user(subject: Subject[Service], options: dict[str, Any]) -> Iterator[Hit]:
    """runAsNonRoot: true, no runAsUser, and an image whose USER is a name: the kubelet refuses to start it."""
    for run in subject.data["runs"]:
        built = run.get("built_from")
        security = run.get("security") or {}
        non_root = security.get("runAsNonRoot")
        if run["type"] not in KUBERNETES_RUNS or not built or not non_root or non_root.get("value") is not True:
            continue
        if "runAsUser" in security or not built["user"]:
            continue
        user = built["user"].split(":", 1)[0]
        if not user or user.isdigit() or "$" in user:
            continue
        yield _at(non_root["place"],
                  f"{_what(run)} sets runAsNonRoot: true without runAsUser, and its image (built from {built['path']}) "
                  f"runs as USER '{user}', a name: the kubelet cannot verify that it is not root and refuses to start "
                  "the container",
                  [(built["path"], built["user_line"], f"USER {user}")], f"{run['path']}|{_what(run)}|{user}")


def _provided(run: ServiceRun) -> set[str] | None:
    """The variables a runner sets (with its image's ENV); None when it takes some from a source not in the scan."""
    provided = set(run.get("env") or [])
    built = run.get("built_from")
    if built:
        provided |= set(built["env"])
    if run["type"] == "compose":
        return None if run.get("env_file") else provided
    configmaps = {(c["namespace"], c["name"]): c["keys"] for c in run.get("configmaps") or []}
    for source in run.get("env_from") or []:
        keys = configmaps.get((run.get("namespace", ""), source["name"])) if source["type"] == "configmap" else None
        if keys is None:
            return None  # a Secret, or a ConfigMap made elsewhere: what it holds is not known
        provided |= set(keys)
    return provided


def env_required_missing(subject: Subject[Service], options: dict[str, Any]) -> Iterator[Hit]:
    """Each manifest container and compose service running the image sets every variable its env schema requires."""
    schema = subject.data["env_schema"]
    if schema is None or not schema["required"]:
        return
    for run in subject.data["runs"]:
        if run["type"] not in ("kubernetes", "compose"):
            continue  # a chart's env comes from values a deploy may set: what it renders with defaults is no evidence
        provided = _provided(run)
        if provided is None:
            continue
        missing = [(name, line) for name, line in schema["required"] if name not in provided]
        if not missing:
            continue
        names = ", ".join(name for name, _ in missing)
        yield _at(_run_place(run),
                  f"{_what(run)} does not set {names}, required by the env schema {schema['path']} "
                  f"(linked by {schema['how']})",
                  [(schema["path"], line, f"{name} is required here") for name, line in missing[:3]],
                  f"{run['path']}|{_what(run)}|{names}")


def _port_number(port: Any, run: ServiceRun) -> int | None:
    if isinstance(port, int) and not isinstance(port, bool):
        return port
    if isinstance(port, str):
        if port.isdigit():
            return int(port)
        for declared in run.get("ports") or []:
            if declared.get("name") == port and isinstance(declared.get("number"), int):
                return int(declared["number"])
    return None


def exposed_ranges(built: BuiltImage) -> list[tuple[int, int]] | None:
    """Every port range the image EXPOSEs ((p, p) for one port), inherited stages included; None when an EXPOSE
    word is not known (`EXPOSE $PORT`): then any port may be the one served, and no port check can judge."""
    ranges = [(port, port) for port, _ in built["expose"]]
    for word, _ in built.get("expose_other") or []:
        low, sep, high = str(word).split("/", 1)[0].partition("-")
        if not (low.isdigit() and sep and high.isdigit()):
            return None
        ranges.append((int(low), int(high)))
    return ranges


def _overlaps(low: int, high: int, ranges: Iterable[tuple[int, int]]) -> bool:
    return any(low <= other_high and other_low <= high for other_low, other_high in ranges)


def _served(port: int, built: BuiltImage, ranges: Iterable[tuple[int, int]], run: ServiceRun) -> bool:
    """The port is EXPOSEd, or a number the container (env, command, args) or the image (ENV, ARG, CMD,
    ENTRYPOINT, HEALTHCHECK) names: the application may be told to listen there."""
    return (_overlaps(port, port, ranges) or port in (run.get("numbers") or [])
            or port in (built.get("numbers") or []))


def probe_port_not_exposed(subject: Subject[Service], options: dict[str, Any]) -> Iterator[Hit]:
    """A probe asks a port the image does not EXPOSE (and no env value or argument of the container names)."""
    for run in subject.data["runs"]:
        built = run.get("built_from")
        if run["type"] not in KUBERNETES_RUNS or not built or not built["expose"]:
            continue
        ranges = exposed_ranges(built)
        if ranges is None:
            continue
        exposed = sorted({port for port, _ in built["expose"]})
        for kind, probe in sorted((run.get("probes") or {}).items()):
            port = _port_number(probe.get("port"), run)
            if port is None or _served(port, built, ranges, run):
                continue
            shown = ", ".join(str(p) for p in exposed)
            yield _at((run.get("probe_places") or {}).get(kind) or _run_place(run),
                      f"{kind} of {_what(run)} checks port {port}, but its image (built from {built['path']}) "
                      f"EXPOSEs {shown}: the probe fails and the pod never becomes ready (or is restarted)",
                      [(built["path"], built["expose"][0][1], f"EXPOSE {shown}")], f"{run['path']}|{_what(run)}|{kind}|{port}")


def pre_stop_without_shell(subject: Subject[Service], options: dict[str, Any]) -> Iterator[Hit]:
    """A preStop exec of `sleep` or a shell in an image built on scratch or distroless, which has neither."""
    for run in subject.data["runs"]:
        built = run.get("built_from")
        pre_stop = run.get("pre_stop")
        if run["type"] not in KUBERNETES_RUNS or not built or not built["no_shell"] or not pre_stop or not pre_stop["argv"]:
            continue
        program = posixpath.basename(pre_stop["argv"][0])
        if program not in SHELLS_AND_SLEEP:
            continue
        yield _at(pre_stop["place"],
                  f"the preStop hook of {_what(run)} runs '{program}', but its image (built from {built['path']}) is "
                  f"built on scratch or distroless and has no '{program}': the hook fails and the pod gets no drain time",
                  [(built["path"], built["line"], "the final stage's base image has no shell")],
                  f"{run['path']}|{_what(run)}|{program}")


def _immutable(tag: str) -> bool:
    return any(name in tag for name in IMMUTABLE_EXPRESSIONS)


def _pushed_tags(service: Service, image: str) -> tuple[list[str], dict[str, Any]] | None:
    """The tags the pipelines push for `image` (None unless each is a literal or a per-run immutable expression)."""
    pushes = [p for p in service["pipelines"] if p["push"] and p["image"] == image]
    if not pushes:
        return None
    tags = [p["tag"] or "latest" for p in pushes]
    if not all(("$" not in t and "{{" not in t) or _immutable(t) for t in tags):
        return None
    return tags, pushes[0]


def _push_ends(push: dict[str, Any], pushed: str) -> list[tuple[str, int | None, str]]:
    """The other ends of a deployed-tag finding: the pushing step, and the bake file's target where the tag is
    written (a change there must show the finding too)."""
    ends: list[tuple[str, int | None, str]] = [(push["path"], push["line"], f"pushes {pushed}")]
    if push.get("tag_at"):
        ends.append((str(push["tag_at"][0]), int(push["tag_at"][1]), "the tag is written here"))
    return ends


def deploys_unpushed_tag(subject: Subject[Service], options: dict[str, Any]) -> Iterator[Hit]:
    """The tag a manifest (or a `helm --set image.tag=`) deploys is one the pipeline pushes."""
    service = subject.data
    set_at_deploy = any(d["type"] == "kubectl-set-image" for d in service["deploys"])
    for run in service["runs"]:
        reference = run.get("image")
        if run["type"] != "kubernetes" or run.get("rewritten") or set_at_deploy or not reference or "@" in reference:
            continue
        name = image_name(reference)
        tag = image_tag(reference) or "latest"
        if name is None or "$" in tag or "{{" in tag:
            continue
        pushed = _pushed_tags(service, name)
        if pushed is None or tag in pushed[0]:
            continue
        tags, where = pushed
        shown = ", ".join(sorted(set(tags)))
        yield _at(run.get("image_place") or _run_place(run),
                  f"{_what(run)} deploys {name}:{tag}, a tag no pipeline pushes (the pipeline pushes {shown}): "
                  "what runs is not what was built",
                  _push_ends(where, f"{name}:{shown}"), f"{run['path']}|{_what(run)}|{tag}")
    for deploy in service["deploys"]:
        tag = str((deploy.get("sets") or {}).get("image.tag") or "")
        if deploy["type"] != "helm" or not tag or "$" in tag or "{{" in tag:
            continue
        for image in service["images"]:
            pushed = _pushed_tags(service, image)
            if pushed is None or tag in pushed[0]:
                continue
            tags, where = pushed
            shown = ", ".join(sorted(set(tags)))
            yield _at([deploy["path"], deploy["line"]],
                      f"this step deploys the chart with image.tag={tag}, a tag no pipeline pushes for {image} (the "
                      f"pipeline pushes {shown}): what runs is not what was built",
                      _push_ends(where, f"{image}:{shown}"), f"{deploy['path']}|{image}|{tag}")


def _selects(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def service_target_port_not_exposed(subject: Subject[Service], options: dict[str, Any]) -> Iterator[Hit]:
    """A Service's targetPort (a number, or a container port's name resolved to its containerPort) that the image of
    every long-running workload it selects does not EXPOSE and names nowhere: EXPOSE, containerPort and targetPort
    are three statements of one port, and traffic goes where the last two say."""
    pods: dict[tuple[str, str], list[ServiceRun]] = {}
    for run in subject.data["runs"]:
        if run["type"] in KUBERNETES_RUNS and run.get("workload", "").split("/", 1)[0] in LONG_RUNNING_KINDS:
            pods.setdefault((run["path"], run.get("workload", "")), []).append(run)
    seen: set[tuple[str, str, int]] = set()
    for (path, _), runs in sorted(pods.items()):
        for service in runs[0].get("k8s_services") or []:
            selected = [rs for k, rs in sorted(pods.items()) if k[0] == path and rs[0].get("namespace", "") ==
                        service["namespace"] and _selects(service["selector"], rs[0].get("labels") or {})]
            selected_runs = [r for rs in selected for r in rs]
            built = [b for r in selected_runs if (b := r.get("built_from")) is not None]
            if not selected or len(built) < len(selected_runs):
                continue  # an image not linked to its Dockerfile
            image_ranges = [exposed_ranges(b) for b in built]
            if any(r is None for r in image_ranges):
                continue  # an EXPOSE of a variable: the port served is not known
            exposed = {port for b in built for port, _ in b["expose"]}
            named = {n for r in selected_runs for n in r.get("numbers") or []} | {n for b in built for n in b.get("numbers") or []}
            for port in service["ports"]:
                marker = (path, service["name"], port["place"][1])
                if not exposed or marker in seen:
                    continue
                seen.add(marker)
                number, declared = _target_number(port["target"], selected_runs)
                if number is None or number in named or any(_overlaps(number, number, r or []) for r in image_ranges):
                    continue
                shown = ", ".join(str(p) for p in sorted(exposed))
                b = built[0]
                through = f" (container port '{port['target']}')" if declared and not str(port["target"]).isdigit() else ""
                said = "the containers declare it as containerPort" if declared else "the containers declare no port"
                yield _at(port["place"], f"Service '{service['name']}' sends traffic to port {number}{through}, but the "
                          f"image of the pods it selects (built from {b['path']}) EXPOSEs {shown}, and {said}: every "
                          "request fails unless the application listens on another port than its Dockerfile says",
                          [(b["path"], b["expose"][0][1], f"EXPOSE {shown}")], f"{path}|{service['name']}|{number}")


def _target_number(target: Any, runs: Sequence[ServiceRun]) -> tuple[int | None, bool]:
    """The port number a targetPort means for the selected containers, and whether a container declares it; None
    for a name no container declares (K8S905 reports that) or a value not known."""
    declared = {int(p["number"]): p.get("name") for r in runs for p in r.get("ports") or []
                if isinstance(p.get("number"), int) and not isinstance(p.get("number"), bool)}
    if isinstance(target, int) and not isinstance(target, bool):
        return target, target in declared
    if isinstance(target, str) and target.isdigit():
        return int(target), int(target) in declared
    numbers = sorted({n for n, name in declared.items() if name == target})
    return (numbers[0], True) if len(numbers) == 1 else (None, False)
