"""The service map: which Dockerfile builds which image, which pipeline ships it, what runs it, what configures it.

Rules of one artifact cannot see the failures that sit between artifacts (a probe on a port the image does not
serve, a pod the kubelet refuses to start because the image's USER is a name). The scan groups files by
directory, so this is built in a second pass: each group returns compact *facts* about its documents (plain
JSON, cached with the group's result), and the map is built from the facts of the whole scan. Links are made only
on evidence (a build command naming the Dockerfile and the tag, an image reference naming the repository, a
`services:` entry of the config); each link records how it was made, so a rule can stay silent on a guess.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from readycheck.judge.commands import HealthCommand, health_command, program_changes
from readycheck.judge.images import HEALTH_PROGRAMS, base_programs, copy_changes, image_ships, parse_image
from readycheck.k8s.workloads import containers, get_in, pod_spec_path
from readycheck.model import Document, Pointer, Span, Subject
from readycheck.secrets import mask_secrets

Fact = dict[str, Any]
"""One document's facts: JSON-able, small, with the places (path, line) a finding may point at."""

SERVICE_KIND = "service"


# --- facts of one document ------------------------------------------------------------------------------------


def _mapping(value: Any) -> dict[Any, Any]:
    """The scanned file's value when it is a mapping, else an empty one (the tree is untrusted)."""
    return value if isinstance(value, dict) else {}


def _items(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _line(doc: Document, pointer: Pointer) -> int:
    span = doc.span_of(pointer)
    return span.line if span is not None else 1


def _place(doc: Document, pointer: Pointer) -> list[Any]:
    """[path, line, column] of a pointer (a chart's rendered object points into its template or values file)."""
    span = doc.span_of(pointer) or Span(1)
    return [doc.display_path_for(pointer), span.line, span.column]


def document_facts(doc: Document) -> list[Fact]:
    """The facts the service map needs from one loaded document; [] for kinds it does not use."""
    data = doc.data
    if doc.kind == "dockerfile" and isinstance(data, dict) and "stages" in data:
        return [_dockerfile_facts(doc)]
    if doc.kind == "workflow" and isinstance(data, dict) and not data.get("is_action"):
        return [_workflow_facts(doc)]
    if doc.kind == "compose" and isinstance(data, dict):
        return [_compose_facts(doc)]
    if doc.kind == "kubernetes" and isinstance(data, list):
        return [_kubernetes_facts(doc)]
    if doc.kind == "helm" and isinstance(data, dict) and "chart" in data:
        return [_chart_facts(doc)]
    if doc.kind == "env" and isinstance(data, dict) and "properties" in data and "keys" not in data:
        return [_schema_facts(doc)]
    return []


def _no_shell(base: Mapping[str, Any]) -> bool:
    """A base image that ships no shell and no coreutils: scratch, or a distroless image other than :debug (the rows
    of judge.images.BASE_PROGRAMS that ship no `sh`)."""
    known = _base_known(base)
    return known is not None and known[0].get("sh") is False


def _base_known(base: Mapping[str, Any]) -> tuple[dict[str, bool], str] | None:
    """What a FROM's image ships of the health programs, when judge.images.BASE_PROGRAMS knows it."""
    if base.get("is_stage_ref"):
        return None
    image = str(base.get("image") or "")
    repository = "scratch" if base.get("is_scratch") else image_name(image) or ""
    return base_programs(repository, image_tag(image))


def _dockerfile_facts(doc: Document) -> Fact:
    stages: list[dict[str, Any]] = []
    for stage in doc.data["stages"]:
        index = stage["index"]
        expose: list[list[Any]] = []
        healthcheck = None
        for instruction in stage["instructions"]:
            if instruction["cmd"] == "EXPOSE":
                for word in str(instruction["value"]).split():
                    number = word.split("/", 1)[0]
                    if number.isdigit():
                        expose.append([int(number), instruction["line"]])
            elif instruction["cmd"] == "HEALTHCHECK":
                healthcheck = {"value": str(instruction["value"]), "line": instruction["line"]}
        parent = stage.get("parent_stage")
        stages.append({
            "index": index, "name": stage.get("name"), "line": stage["line"], "parent": parent,
            "user": stage.get("user"), "user_line": stage.get("user_line"), "expose": expose,
            "healthcheck": healthcheck, "no_shell": _no_shell(stage.get("root_base") or stage["base"]),
            "env": sorted(str(k) for k in (stage.get("env") or {})),
            **_stage_health_facts(stage),
        })
    return {"type": "dockerfile", "path": doc.path, "final": doc.data["final_stage"], "stages": stages}


# --- health facts (SVC007, SVC008): what an image ships, what a health check runs and asks ----------------------

_NUMBER = re.compile(r"(?<![0-9])[0-9]{2,5}(?![0-9])")


def _numbers(words: Iterable[Any]) -> set[int]:
    """The numbers written in some words (a port set in an ENV value, a command's `--port 9000`)."""
    return {int(n) for w in words if isinstance(w, (str, int)) and not isinstance(w, bool) for n in _NUMBER.findall(str(w))}


def _health_fact(judged: HealthCommand, place: list[Any]) -> dict[str, Any]:
    """A health command as facts: the programs it runs and the local ports it asks (no argument is kept, so no
    credential a command line quotes reaches the cache or `readycheck services`)."""
    return {"programs": list(judged.programs), "ports": None if judged.ports is None else list(judged.ports),
            "place": place}


def _healthcheck_command(value: str) -> HealthCommand | None:
    """A Dockerfile HEALTHCHECK's value (flags removed): `CMD ["curl", ...]` or `CMD curl ...`; None for NONE."""
    word, _, rest = value.strip().partition(" ")
    if word.upper() != "CMD" or not rest.strip():
        return None
    rest = rest.strip()
    if rest.startswith("["):
        try:
            argv = json.loads(rest)
        except ValueError:
            argv = None
        if isinstance(argv, list) and all(isinstance(w, str) for w in argv):
            return health_command(argv=argv)
    return health_command(script=rest)


def _stage_health_facts(stage: Mapping[str, Any]) -> Fact:
    """What a stage's base ships of the health programs, what its instructions add or remove of them, what its
    last HEALTHCHECK runs and asks, and the numbers its ENV, CMD and ENTRYPOINT name."""
    base = stage["base"]
    known = _base_known(base)
    changes: list[list[str]] = []
    health: dict[str, Any] | None = None
    numbers: set[int] = set()
    for instruction in stage["instructions"]:
        cmd = instruction["cmd"]
        if cmd == "RUN":
            changes += program_changes(instruction.get("commands") or [])
        elif cmd in ("COPY", "ADD"):
            from_ = instruction["flags"].get("from")
            changes += copy_changes(list(instruction.get("sources") or []), str(instruction.get("dest") or ""),
                                    str(from_) if from_ is not None else None)
        elif cmd == "HEALTHCHECK":
            judged = _healthcheck_command(str(instruction["value"]))
            health = None if judged is None else _health_fact(judged, [instruction["line"]])
        elif cmd in ("ENV", "CMD", "ENTRYPOINT"):
            numbers |= _numbers(instruction["args"] or [instruction["value"]])
    return {"base_programs": known[0] if known else None, "base_source": known[1] if known else None,
            "base_image": str(base.get("image") or ""),
            "program_changes": changes, "health": health, "numbers": sorted(numbers)}


def _stage_ships(stages: Sequence[Mapping[str, Any]], index: int, seen: frozenset[int]) -> dict[str, bool | None]:
    """What the image of stage `index` ships of the health programs: its root base, then every change of its chain
    in build order, a bin directory copied from an earlier stage judged by what that stage ships."""
    chain = [stages[index]]
    while chain[-1]["parent"] is not None and chain[-1]["parent"] not in seen | {s["index"] for s in chain}:
        chain.append(stages[chain[-1]["parent"]])
    changes = [c for s in reversed(chain) for c in s.get("program_changes") or []]
    sources: dict[str, dict[str, bool | None]] = {}
    for change, name in changes:
        source = next((s for s in stages if s["index"] < index and name.lower() in
                       (str(s["name"] or "").lower(), str(s["index"]))), None) if change == "from" else None
        if source is not None and source["index"] not in seen:
            sources[name.lower()] = _stage_ships(stages, source["index"], seen | {index})
    return {p: image_ships(p, chain[-1].get("base_programs"), changes, sources) for p in HEALTH_PROGRAMS}


def _image_health_facts(chain: Sequence[Mapping[str, Any]], stages: Sequence[Mapping[str, Any]]) -> Fact:
    """The built image's programs (see _stage_ships), the HEALTHCHECK it runs (judged), and the numbers its ENV,
    CMD and ENTRYPOINT name."""
    root = chain[-1]
    owner = next((s for s in chain if s["healthcheck"]), None)
    return {"ships": _stage_ships(stages, chain[0]["index"], frozenset()),
            "ships_source": root.get("base_source"), "base_line": root["line"], "base_image": root.get("base_image"),
            "health": owner.get("health") if owner else None,
            "numbers": sorted({n for s in chain for n in s.get("numbers") or []})}


def _exec_probe_facts(doc: Document, pointer: Pointer, container: Mapping[str, Any]) -> dict[str, Any]:
    """Each exec probe of a container (readiness, liveness, startup): what it runs and which local port it asks."""
    found: dict[str, Any] = {}
    for kind in ("readinessProbe", "livenessProbe", "startupProbe"):
        command = get_in(container, (kind, "exec", "command"))
        if isinstance(command, list) and command:
            judged = health_command(argv=[str(w) for w in command])
            found[kind] = _health_fact(judged, _place(doc, pointer + (kind, "exec", "command")))
    return found


def _compose_health_facts(doc: Document, name: Any, service: Mapping[str, Any]) -> Fact:
    """A compose service's `healthcheck.test` (judged; None when absent or disabled) and the numbers its
    environment, command, entrypoint, ports and expose name."""
    check = _mapping(service.get("healthcheck"))
    test = check.get("test")
    judged = None
    if not check.get("disable"):
        if isinstance(test, str) and test.strip():
            judged = health_command(script=str(_compose_text(test)))
        elif isinstance(test, list) and test and all(isinstance(w, str) for w in test):
            argv = [str(_compose_text(w)) for w in test]
            if argv[0] == "CMD" and len(argv) > 1:
                judged = health_command(argv=argv[1:])
            elif argv[0] == "CMD-SHELL" and len(argv) > 1:
                judged = health_command(script=" ".join(argv[1:]))
    environment = service.get("environment")
    values = list(environment.values()) if isinstance(environment, dict) else _items(environment)
    written: list[Any] = []
    for key in ("command", "entrypoint", "ports", "expose"):
        value = service.get(key)
        written += value if isinstance(value, list) else [value]
    written = [_compose_text(w) if isinstance(w, str) else w for w in [*values, *written]]
    written += [p.get(k) for p in _items(service.get("ports")) if isinstance(p, dict) for k in ("target", "published")]
    return {"health": None if judged is None else _health_fact(judged, _place(doc, ("services", name, "healthcheck", "test"))),
            "numbers": sorted(_numbers(written))}


_EXPRESSION = re.compile(r"\$\{\{\s*(env|vars)\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
_SHELL_VAR = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?")


def _resolve(text: str, env: Mapping[str, Any]) -> str:
    """`${{ env.X }}` and `$X` replaced by the workflow's own env values where it sets them literally."""
    def expression(match: re.Match[str]) -> str:
        value = env.get(match.group(2)) if match.group(1) == "env" else None
        return str(value) if isinstance(value, (str, int)) and "${{" not in str(value) else match.group(0)

    def shell(match: re.Match[str]) -> str:
        value = env.get(match.group(1))
        return str(value) if isinstance(value, (str, int)) and "$" not in str(value) else match.group(0)

    return _SHELL_VAR.sub(shell, _EXPRESSION.sub(expression, text))


def _option_values(args: Sequence[str], names: Iterable[str]) -> list[str]:
    """The values of an option given as `-t X`, `--tag X` or `--tag=X`."""
    wanted = set(names)
    values: list[str] = []
    for i, arg in enumerate(args):
        if arg in wanted and i + 1 < len(args):
            values.append(args[i + 1])
        elif "=" in arg and arg.split("=", 1)[0] in wanted:
            values.append(arg.split("=", 1)[1])
    return values


_BUILD_VALUE_FLAGS = frozenset({"-f", "--file", "-t", "--tag", "--target", "--build-arg", "--platform", "--label",
                                "--cache-from", "--cache-to", "--secret", "--ssh", "--output", "-o", "--progress",
                                "--network", "--iidfile", "--metadata-file", "--builder", "--build-context",
                                "--provenance", "--sbom", "--attest", "--annotation", "--shm-size", "--ulimit"})


def _docker_build(args: list[str]) -> dict[str, Any] | None:
    """`docker build`/`docker buildx build` arguments (after the program name): file, context, tags, target, push."""
    if args[:1] == ["build"]:
        rest = args[1:]
    elif args[:2] in (["buildx", "build"], ["image", "build"]):
        rest = args[2:]
    else:
        return None
    operands: list[str] = []
    i = 0
    while i < len(rest):
        arg = rest[i]
        if arg in _BUILD_VALUE_FLAGS:
            i += 2
            continue
        if not arg.startswith("-"):
            operands.append(arg)
        i += 1
    files = _option_values(rest, ("-f", "--file"))
    targets = _option_values(rest, ("--target",))
    return {"file": files[-1] if files else None, "context": operands[-1] if operands else None,
            "tags": _option_values(rest, ("-t", "--tag")), "target": targets[-1] if targets else None,
            "push": "--push" in rest}


def _split_list(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return [t.strip() for t in re.split(r"[\n,]", "" if value is None else str(value)) if t.strip()]


def _helm_deploy(args: list[str]) -> dict[str, Any] | None:
    """`helm upgrade [--install] RELEASE CHART` / `helm install RELEASE CHART`: the chart and the `--set` values."""
    if args[:1] not in (["upgrade"], ["install"]):
        return None
    value_flags = {"--set", "--set-string", "-f", "--values", "--namespace", "-n", "--version", "--timeout",
                   "--kube-context", "--repo", "--post-renderer", "--description", "--history-max"}
    operands: list[str] = []
    i = 1
    while i < len(args):
        if args[i] in value_flags:
            i += 2
            continue
        if not args[i].startswith("-"):
            operands.append(args[i])
        i += 1
    if len(operands) < 2:
        return None
    sets: dict[str, str] = {}
    for assignment in _option_values(args, ("--set", "--set-string")):
        for part in assignment.split(","):
            key, sep, value = part.partition("=")
            # only what names an image: other values (a password given with --set) never reach the facts, which
            # the cache stores and `readycheck services` prints
            if sep and key.strip().rsplit(".", 1)[-1] in IMAGE_SET_KEYS:
                sets[key.strip()] = value.strip()
    return {"chart": operands[1], "sets": sets}


IMAGE_SET_KEYS = frozenset({"tag", "repository", "image", "registry", "digest"})


def _workflow_facts(doc: Document) -> Fact:
    """The images each step builds and pushes, and the charts and manifests each step deploys."""
    data = doc.data
    root = posixpath.dirname(posixpath.dirname(posixpath.dirname(doc.path)))  # the repository holding .github/
    builds: list[dict[str, Any]] = []
    deploys: list[dict[str, Any]] = []
    rewrites = False
    for job in data["jobs"]:
        for step in job["steps"]:
            pointer = ("jobs", job["id"], "steps", step["index"])
            env = {**(data.get("env") or {}), **(job.get("env") or {}), **(step.get("env") or {})}
            where = {"path": doc.path, "line": _line(doc, pointer), "job": job["id"], "root": root}
            uses = step.get("uses") or {}
            name = str(uses.get("name") or "").lower() if uses.get("kind") == "remote" else ""
            if name == "docker/build-push-action":
                with_ = step.get("with") or {}
                builds.append({**where, "file": _opt(with_.get("file"), env), "context": _opt(with_.get("context"), env),
                               "tags": [_resolve(t, env) for t in _split_list(with_.get("tags"))],
                               "target": _opt(with_.get("target"), env),
                               "push": str(with_.get("push", "")).lower() == "true"})
            for command in step["commands"]:
                argv = [_resolve(str(a), env) for a in command["argv"]]
                line = command.get("file_line") or where["line"]
                rewrites = rewrites or command["name"] in MANIFEST_REWRITERS or argv[1:3] == ["edit", "set"]
                if command["name"] in ("docker", "podman", "buildah") and len(argv) > 1:
                    build = _docker_build(argv[1:])
                    if build is not None:
                        builds.append({**where, "line": line, **build})
                    elif argv[1] == "push":
                        pushed = [a for a in argv[2:] if not a.startswith("-")][:1]
                        builds.append({**where, "line": line, "file": None, "context": None, "tags": pushed,
                                       "target": None, "push": True, "push_only": True})
                elif command["name"] == "helm":
                    deploy = _helm_deploy(argv[1:])
                    if deploy is not None:
                        deploys.append({**where, "line": line, "type": "helm", **deploy})
                elif command["name"] == "kubectl" and argv[1:3] == ["set", "image"]:
                    images = [a.split("=", 1)[1] for a in argv[3:] if "=" in a and not a.startswith("-")]
                    deploys.append({**where, "line": line, "type": "kubectl-set-image", "images": images})
    if any(_remote_base(s) in REWRITING_ACTIONS for job in data["jobs"] for s in job["steps"]):
        rewrites = True
    return {"type": "workflow", "path": doc.path, "builds": builds, "deploys": deploys, "rewrites": rewrites}


MANIFEST_REWRITERS = frozenset({"sed", "envsubst", "yq", "kustomize", "kpt", "jq", "perl", "awk", "ytt", "kapp"})
"""Programs a pipeline may rewrite a manifest's image tag with before it applies it: after one of them, the tag
written in the manifest says nothing about the tag deployed."""
REWRITING_ACTIONS = frozenset({"azure/k8s-deploy", "azure/k8s-bake", "imranismail/setup-kustomize", "mikefarah/yq",
                               "fjogeleit/yaml-update-action", "stefanprodan/kube-tools", "argoproj-labs/argocd-image-updater"})


def _remote_base(step: Mapping[str, Any]) -> str:
    uses = step.get("uses") or {}
    name = str(uses.get("name") or "").lower() if uses.get("kind") == "remote" else ""
    return "/".join(name.split("/")[:2])


def _opt(value: Any, env: Mapping[str, Any]) -> str | None:
    return None if value is None or value == "" else _resolve(str(value), env)


def _env_names(environment: Any) -> list[str]:
    """Variable names of a compose `environment:` (mapping, or list of NAME=value)."""
    if isinstance(environment, dict):
        return sorted(str(k) for k in environment)
    if isinstance(environment, list):
        return sorted(str(e).split("=", 1)[0] for e in environment if isinstance(e, (str, int)))
    return []


_COMPOSE_DEFAULT = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*:?-([^}$]*)\}")


def _compose_text(value: Any) -> str | None:
    """A compose string with each `${VAR:-default}` given its default (what compose uses when VAR is unset)."""
    return _COMPOSE_DEFAULT.sub(lambda m: m.group(1), value) if isinstance(value, str) else None


def _compose_facts(doc: Document) -> Fact:
    services: list[dict[str, Any]] = []
    for name, service in sorted((doc.data.get("services") or {}).items(), key=lambda kv: str(kv[0])):
        if not isinstance(service, dict):
            continue
        build = service.get("build")
        build_fact = None
        if isinstance(build, str):
            build_fact = {"context": _compose_text(build), "dockerfile": None, "target": None}
        elif isinstance(build, dict):
            build_fact = {k: _compose_text(build.get(k)) for k in ("context", "dockerfile", "target")}
            build_fact["context"] = build_fact["context"] or "."
        image = _compose_text(service.get("image"))
        services.append({
            "name": str(name), "line": _line(doc, ("services", name)), "build": build_fact,
            "image": str(image) if isinstance(image, str) else None,
            "env": _env_names(service.get("environment")), "env_file": service.get("env_file") is not None,
            "env_line": _line(doc, ("services", name, "environment")),
            **_compose_health_facts(doc, name, service),
        })
    return {"type": "compose", "path": doc.path, "services": services}


def _probe_fact(probe: Any) -> dict[str, Any] | None:
    if not isinstance(probe, dict):
        return None
    for handler in ("httpGet", "tcpSocket", "grpc"):
        spec = probe.get(handler)
        if isinstance(spec, dict):
            port = spec.get("port")
            return {"handler": handler, "port": port if isinstance(port, (int, str)) else None,
                    "path": spec.get("path") if isinstance(spec.get("path"), str) else None}
    return None


def _kubernetes_facts(doc: Document) -> Fact:
    """Containers of workloads (image, env, ports, probes, identity, preStop), Services, ConfigMaps."""
    chart = "helm" in doc.rule_kinds  # a rendered chart's objects, located in its templates and values
    runs: list[dict[str, Any]] = []
    services: list[dict[str, Any]] = []
    configmaps: list[dict[str, Any]] = []
    builds: list[dict[str, Any]] = []
    for index, obj in enumerate(doc.data):
        if not isinstance(obj, dict):
            continue
        kind = str(obj.get("kind") or "")
        if str(obj.get("apiVersion") or "").startswith("skaffold/"):
            builds += _skaffold_builds(doc, index, obj)
            continue
        name = str(get_in(obj, ("metadata", "name")) or "")
        namespace = str(get_in(obj, ("metadata", "namespace")) or "")
        if kind == "ConfigMap":
            keys = _mapping(obj.get("data"))
            configmaps.append({"name": name, "namespace": namespace, "keys": sorted(str(k) for k in keys)})
            continue
        if kind == "Service":
            ports = get_in(obj, ("spec", "ports"))
            targets = []
            for i, port in enumerate(ports if isinstance(ports, list) else []):
                if isinstance(port, dict):
                    target = port.get("targetPort", port.get("port"))
                    targets.append({"target": target if isinstance(target, (int, str)) else None,
                                    "place": _place(doc, (index, "spec", "ports", i, "targetPort"))})
            selector = get_in(obj, ("spec", "selector"))
            services.append({"name": name, "namespace": namespace, "ports": targets,
                             "selector": {str(k): str(v) for k, v in selector.items()} if isinstance(selector, dict) else {}})
            continue
        spec_path = pod_spec_path(obj)
        if spec_path is None:
            continue
        labels = get_in(obj, (*spec_path[:-1], "metadata", "labels")) if len(spec_path) > 1 else get_in(obj, ("metadata", "labels"))
        for container in containers(obj, (index,)):
            if container.role != "app":
                continue
            data = container.data
            env = _items(data.get("env"))
            env_from = []
            for source in _items(data.get("envFrom")):
                if isinstance(source, dict):
                    for key, kind_name in (("configMapRef", "configmap"), ("secretRef", "secret")):
                        ref = source.get(key)
                        if isinstance(ref, dict):
                            env_from.append({"type": kind_name, "name": str(ref.get("name") or "")})
            ports = [{"name": p.get("name"), "number": p.get("containerPort")}
                     for p in (_items(data.get("ports"))) if isinstance(p, dict)]
            security = {}
            for key in ("runAsNonRoot", "runAsUser"):
                if key in container.security:
                    security[key] = {"value": container.security[key],
                                     "place": _place(doc, container.security_at[key])}
            pre_stop = get_in(data, ("lifecycle", "preStop", "exec", "command"))
            image = data.get("image")
            words = [str(e.get("value")) for e in env if isinstance(e, dict) and isinstance(e.get("value"), (str, int))]
            for key in ("command", "args"):
                words += [str(w) for w in data.get(key) or [] if isinstance(w, (str, int))] if isinstance(data.get(key), list) else []
            runs.append({
                "workload": f"{kind}/{name}", "namespace": namespace, "container": container.name,
                "image": image if isinstance(image, str) else None,
                "place": _place(doc, container.pointer + ("name",) if (container.pointer + ("name",)) in doc.locations else container.pointer),
                "image_place": _place(doc, container.pointer + ("image",)),
                "env": sorted(str(e.get("name")) for e in env if isinstance(e, dict) and e.get("name")),
                "env_from": env_from, "ports": ports,
                "probes": {k: p for k in ("readinessProbe", "livenessProbe", "startupProbe")
                           if (p := _probe_fact(data.get(k))) is not None},
                "probe_places": {k: _place(doc, container.pointer + (k,)) for k in ("readinessProbe", "livenessProbe",
                                                                                     "startupProbe") if k in data},
                "security": security,
                # masked: a command may quote a credential, and facts are cached and printed
                "pre_stop": {"argv": [mask_secrets(str(a)) for a in pre_stop],
                             "place": _place(doc, container.pointer + ("lifecycle",))}
                if isinstance(pre_stop, list) else None,
                "labels": {str(k): str(v) for k, v in labels.items()} if isinstance(labels, dict) else {},
                "numbers": sorted({int(n) for w in words for n in re.findall(r"(?<![0-9])[0-9]{2,5}(?![0-9])", w)}),
                "exec_probes": _exec_probe_facts(doc, container.pointer, data),
            })
    kustomize = any(isinstance(o, dict) and o.get("kind") == "Kustomization" for o in doc.data)
    return {"type": "chart-objects" if chart else "kubernetes", "path": doc.path, "runs": runs, "services": services,
            "configmaps": configmaps, "kustomization": kustomize, "builds": builds}


def _skaffold_builds(doc: Document, index: int, config: dict[str, Any]) -> list[dict[str, Any]]:
    """The artifacts a skaffold.yaml builds (its own and its profiles'): image, context, Dockerfile, target."""
    sources = [config, *[p for p in _items(config.get("profiles")) if isinstance(p, dict)]]
    builds: list[dict[str, Any]] = []
    for source in sources:
        for i, artifact in enumerate(_items(_mapping(source.get("build")).get("artifacts"))):
            if not isinstance(artifact, dict) or not isinstance(artifact.get("image"), str):
                continue
            docker = _mapping(artifact.get("docker"))
            context = artifact.get("context") if isinstance(artifact.get("context"), str) else "."
            builds.append({"image": artifact["image"], "context": context,
                           "dockerfile": docker.get("dockerfile") if isinstance(docker.get("dockerfile"), str) else None,
                           "target": docker.get("target") if isinstance(docker.get("target"), str) else None,
                           "place": _place(doc, (index, "build", "artifacts", i)) if source is config
                           else _place(doc, (index,))})
    return builds


def _chart_facts(doc: Document) -> Fact:
    values = _mapping(doc.data.get("values"))
    image = _mapping(values.get("image"))
    repository = image.get("repository")
    registry = image.get("registry")
    name = f"{registry}/{repository}" if isinstance(registry, str) and registry and isinstance(repository, str) else repository
    chart_dir = posixpath.dirname(doc.path)
    return {"type": "chart", "path": chart_dir, "name": str((doc.data.get("chart") or {}).get("name") or ""),
            "repository": name if isinstance(name, str) and name else None,
            "repository_place": _place(doc, ("values", "image", "repository")),
            "tag": str(image.get("tag")) if image.get("tag") not in (None, "") else None}


def _schema_facts(doc: Document) -> Fact:
    required = _items(doc.data.get("required"))
    properties = _mapping(doc.data.get("properties"))
    return {
        "type": "env-schema", "path": doc.path,
        "required": [[str(name), _line(doc, ("required", i)) if ("required", i) in doc.locations
                      else _line(doc, ("properties", name))] for i, name in enumerate(required) if isinstance(name, str)],
        "properties": sorted(str(k) for k in properties),
        "closed": doc.data.get("additionalProperties") is False,
    }


# --- the map --------------------------------------------------------------------------------------------------


def image_name(reference: str) -> str | None:
    """The repository an image reference names, normalised as Docker does (`nginx` is `docker.io/library/nginx`);
    None when a part of it is not known (an unresolved `${{ }}` or `$VAR`)."""
    reference = reference.strip().strip("'\"")
    if not reference:
        return None
    image = parse_image(reference)
    registry = (image.registry or "docker.io").lower()
    repository = image.repository.lower()
    if not repository or any(c in registry + repository for c in "${} "):
        return None
    if registry == "docker.io" and "/" not in repository:
        repository = f"library/{repository}"
    return f"{registry}/{repository}"


def image_tag(reference: str) -> str | None:
    image = parse_image(reference.strip().strip("'\""))
    return image.tag


def _join(root: str, path: str) -> str:
    joined = posixpath.normpath(posixpath.join(root, path)) if root else posixpath.normpath(path)
    return "" if joined == "." else joined


class _Links:
    """Union-find over artifact nodes: nodes joined by evidence form one service."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def add(self, node: str) -> None:
        self.parent.setdefault(node, node)

    def find(self, node: str) -> str:
        self.add(node)
        while self.parent[node] != node:
            self.parent[node] = self.parent[self.parent[node]]
            node = self.parent[node]
        return node

    def join(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            low, high = sorted((ra, rb))
            self.parent[high] = low


def _stage_by_target(dockerfile: Fact, target: str | None) -> dict[str, Any] | None:
    stages = dockerfile["stages"]
    if target:
        for stage in stages:
            if stage["name"] == target or str(stage["index"]) == target:
                return dict(stage)
        return None
    final = dockerfile["final"]
    return dict(stages[final]) if 0 <= final < len(stages) else None


def image_facts(dockerfile: Fact, target: str | None) -> dict[str, Any] | None:
    """What the built image declares: the built stage's USER, EXPOSE and HEALTHCHECK, with what it inherits from
    earlier stages of the same file (`FROM build AS final`)."""
    stage = _stage_by_target(dockerfile, target)
    if stage is None:
        return None
    chain = [stage]
    seen = {stage["index"]}
    while chain[-1]["parent"] is not None and chain[-1]["parent"] not in seen:
        parent = dockerfile["stages"][chain[-1]["parent"]]
        seen.add(parent["index"])
        chain.append(parent)
    user = next(((s["user"], s["user_line"]) for s in chain if s["user_line"] is not None), (None, None))
    health = next((s["healthcheck"] for s in chain if s["healthcheck"]), None)
    return {"path": dockerfile["path"], "stage": stage["name"] if stage["name"] is not None else stage["index"],
            "line": stage["line"], "user": user[0], "user_line": user[1],
            "expose": [e for s in reversed(chain) for e in s["expose"]], "healthcheck": health,
            "no_shell": chain[-1]["no_shell"], "env": sorted({v for s in chain for v in s["env"]}),
            **_image_health_facts(chain, dockerfile["stages"])}


def build_map(facts: Iterable[Fact], declared: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The services of a scan, deterministically, from the facts of all its documents.

    Nodes are artifacts (a Dockerfile and its build target, an image repository, a container of a workload, a
    compose service, a chart); evidence joins them (a build names the Dockerfile and the tag; a runner names the
    image; a compose service builds a directory); each connected set is one service. Pipelines and env schemas
    attach to the services they name, without joining services together.
    """
    facts = sorted(facts, key=lambda f: (f["type"], f["path"]))
    by_type: dict[str, list[Fact]] = {}
    for fact in facts:
        by_type.setdefault(fact["type"], []).append(fact)
    dockerfiles = {f["path"]: f for f in by_type.get("dockerfile", [])}
    links = _Links()
    edges: list[dict[str, Any]] = []
    builds: list[dict[str, Any]] = []  # (dockerfile node or None, image, build)
    artifacts: dict[str, dict[str, Any]] = {}
    built_as: dict[str, set[tuple[str, str | None, str]]] = {}
    """image node -> the (Dockerfile, target, how) it is built from"""

    def dockerfile_node(path: str, target: str | None) -> str | None:
        if path not in dockerfiles:
            return None
        node = f"dockerfile:{path}"
        links.add(node)
        artifacts[node] = {"type": "dockerfile", "path": path, "target": target}
        return node

    def image_node(reference: str) -> str | None:
        name = image_name(reference)
        if name is None:
            return None
        node = f"image:{name}"
        links.add(node)
        artifacts.setdefault(node, {"type": "image", "name": name})
        return node

    # pipelines: a build names a Dockerfile (by -f, or the context's Dockerfile) and tags
    for workflow in by_type.get("workflow", []):
        for build in workflow["builds"]:
            root = build["root"]
            node = None
            if not build.get("push_only"):
                context = _join(root, build["context"] or ".")
                file = _join(root, build["file"]) if build["file"] else posixpath.join(context, "Dockerfile").lstrip("./")
                if file.startswith("/"):
                    file = ""
                node = dockerfile_node(posixpath.normpath(file) if file else "", build["target"])
            for tag in build["tags"]:
                image = image_node(tag)
                if image is None:
                    continue
                if node is not None:
                    links.join(node, image)
                    built_as.setdefault(image, set()).add((node.split(":", 1)[1], build["target"], "pipeline build"))
                    edges.append({"from": node, "to": image, "how": "pipeline build", "at": [build["path"], build["line"]]})
                builds.append({"image": image, "tag": image_tag(tag), "push": bool(build["push"]),
                               "path": build["path"], "line": build["line"], "job": build["job"],
                               "dockerfile": node, "target": build["target"]})
    # skaffold: an artifact builds a Dockerfile (context, docker.dockerfile, docker.target) as an image
    for manifest in by_type.get("kubernetes", []):
        directory = posixpath.dirname(manifest["path"])
        for build in manifest.get("builds", []):
            context = _join(directory, build["context"])
            file = _join(context, build["dockerfile"] or "Dockerfile")
            node = dockerfile_node(file, build["target"])
            image = image_node(build["image"])
            if node is not None and image is not None:
                links.join(node, image)
                built_as.setdefault(image, set()).add((file, build["target"], "skaffold build"))
                edges.append({"from": node, "to": image, "how": "skaffold build", "at": build["place"]})
    # compose: a service builds a directory and may name the image it tags
    runs: list[dict[str, Any]] = []
    for compose in by_type.get("compose", []):
        directory = posixpath.dirname(compose["path"])
        for service in compose["services"]:
            node = f"compose:{compose['path']}#{service['name']}"
            links.add(node)
            artifacts[node] = {"type": "compose", "path": compose["path"], "name": service["name"], "line": service["line"]}
            runs.append({"node": node, "type": "compose", "path": compose["path"], "fact": service})
            if service["build"] is not None and service["build"]["context"] is not None:
                context = _join(directory, service["build"]["context"])
                file = _join(context, service["build"]["dockerfile"] or "Dockerfile")
                built = dockerfile_node(file, service["build"]["target"])
                if built is not None:
                    runs[-1]["built"] = (file, service["build"]["target"], "compose build")
                    links.join(node, built)
                    edges.append({"from": built, "to": node, "how": "compose build", "at": [compose["path"], service["line"]]})
                    if service["image"] and (image := image_node(service["image"])) is not None:
                        links.join(built, image)
                        built_as.setdefault(image, set()).add((file, service["build"]["target"], "compose build"))
            elif service["image"] and (image := image_node(service["image"])) is not None:
                links.join(node, image)
                edges.append({"from": image, "to": node, "how": "image", "at": [compose["path"], service["line"]]})
    # charts: the chart's image repository; rendered containers run it
    charts = {c["path"]: c for c in by_type.get("chart", [])}
    for chart in charts.values():
        node = f"chart:{chart['path']}"
        links.add(node)
        artifacts[node] = {"type": "chart", "path": chart["path"], "name": chart["name"]}
        if chart["repository"] and (image := image_node(chart["repository"])) is not None:
            links.join(node, image)
            edges.append({"from": image, "to": node, "how": "chart image.repository", "at": chart["repository_place"]})
    for manifest in [*by_type.get("kubernetes", []), *by_type.get("chart-objects", [])]:
        in_chart = manifest["type"] == "chart-objects"
        for run in manifest["runs"]:
            node = f"{'chart' if in_chart else 'k8s'}:{manifest['path']}#{run['workload']}/{run['container']}"
            if node in artifacts:
                continue  # the same chart rendered with another value set
            links.add(node)
            artifacts[node] = {"type": "chart-container" if in_chart else "kubernetes", "path": manifest["path"],
                               "name": f"{run['workload']}/{run['container']}", "line": run["place"][1],
                               "file": run["place"][0]}
            runs.append({"node": node, "type": "chart" if in_chart else "kubernetes", "path": manifest["path"],
                         "fact": run, "manifest": manifest})
            # a rendered container is linked by its image, not by its chart: an umbrella chart running several
            # images does not make them one service (the chart belongs to the service of its image.repository)
            if run["image"] and (image := image_node(run["image"])) is not None:
                links.join(node, image)
                edges.append({"from": image, "to": node, "how": "image", "at": run["image_place"]})
    # deploying steps: a chart deployed with --set image.tag=..., a kubectl set image
    deploys: list[dict[str, Any]] = []
    for workflow in by_type.get("workflow", []):
        for deploy in workflow["deploys"]:
            if deploy["type"] == "helm":
                chart_path = _join(deploy["root"], deploy["chart"])
                if chart_path in charts:
                    deploys.append({**deploy, "node": f"chart:{chart_path}"})
            elif deploy["type"] == "kubectl-set-image":
                for reference in deploy["images"]:
                    if (image := image_node(reference)) is not None:
                        deploys.append({**deploy, "node": image, "tag": image_tag(reference)})
    # the config's services: join whatever each names
    for name, entry in sorted((declared or {}).items()):
        anchor = f"declared:{name}"
        links.add(anchor)
        nodes: list[str] = []
        if entry.get("dockerfile") and (node := dockerfile_node(posixpath.normpath(entry["dockerfile"]), entry.get("target"))):
            nodes.append(node)
        nodes += [n for ref in entry.get("images", []) if (n := image_node(ref)) is not None]
        nodes += [f"chart:{posixpath.normpath(c)}" for c in entry.get("charts", []) if posixpath.normpath(c) in charts]
        for run in runs:
            if run["type"] == "kubernetes" and run["path"] in {posixpath.normpath(m) for m in entry.get("manifests", [])}:
                nodes.append(run["node"])
            if run["type"] == "compose" and (f"{run['path']}#{run['fact']['name']}" in entry.get("compose", [])
                                             or run["fact"]["name"] in entry.get("compose", [])):
                nodes.append(run["node"])
        for node in nodes:
            links.join(anchor, node)
    # a Dockerfile no build names is still a service of its own
    for path in dockerfiles:
        if f"dockerfile:{path}" not in artifacts:
            dockerfile_node(path, None)
    for run in runs:
        if "built" not in run and run["fact"]["image"] and (image := image_name(run["fact"]["image"])) is not None:
            sources = built_as.get(f"image:{image}", set())
            if len(sources) == 1:  # two Dockerfiles building one image: which one runs is not known
                run["built"] = next(iter(sources))
        built = run.get("built")
        run["built_from"] = None
        if built is not None and (facts_of_image := image_facts(dockerfiles[built[0]], built[1])) is not None:
            run["built_from"] = {**facts_of_image, "how": built[2]}
    # a pipeline that edits manifests (sed, yq, kustomize edit) or a kustomization (its `images:` overlay) may
    # change the tag written in a manifest before it is applied: the tag in the file is then no evidence
    rewritten = any(w.get("rewrites") for w in by_type.get("workflow", [])) or any(
        k.get("kustomization") for k in by_type.get("kubernetes", []))
    for run in runs:
        run["rewritten"] = run["type"] == "kubernetes" and rewritten
    return _services(links, artifacts, edges, builds, runs, deploys, by_type, dockerfiles, declared or {})


def _services(links: _Links, artifacts: dict[str, dict[str, Any]], edges: list[dict[str, Any]],
              builds: list[dict[str, Any]], runs: list[dict[str, Any]], deploys: list[dict[str, Any]],
              by_type: dict[str, list[Fact]], dockerfiles: dict[str, Fact], declared: Mapping[str, Any]) -> dict[str, Any]:
    members: dict[str, list[str]] = {}
    for node in sorted(links.parent):
        members.setdefault(links.find(node), []).append(node)
    services: list[dict[str, Any]] = []
    for nodes in members.values():
        declared_names = [n.split(":", 1)[1] for n in nodes if n.startswith("declared:")]
        node_set = set(nodes)
        images = sorted(artifacts[n]["name"] for n in nodes if n.startswith("image:"))
        service_dockerfiles = [artifacts[n] for n in nodes if n.startswith("dockerfile:")]
        service_runs = [r for r in runs if r["node"] in node_set]
        charts = sorted(artifacts[n]["path"] for n in nodes if n.startswith("chart:") and "#" not in n)
        if not (service_dockerfiles or service_runs or charts):
            continue  # an image nothing in the tree builds or runs (a pipeline pushing it only) is no service
        name = declared_names[0] if declared_names else _service_name(images, service_dockerfiles, service_runs, charts)
        built_by = [b for b in builds if b["image"] in node_set]
        service = {
            "name": name,
            "declared": bool(declared_names),
            "dockerfiles": [{"path": d["path"], "target": d["target"],
                             "image": image_facts(dockerfiles[d["path"]], d["target"])} for d in service_dockerfiles],
            "images": images,
            "pipelines": [{k: b[k] for k in ("path", "line", "job", "tag", "push", "target")}
                          | {"image": b["image"].split(":", 1)[1],
                             "dockerfile": b["dockerfile"].split(":", 1)[1] if b["dockerfile"] else None}
                          for b in built_by],
            "deploys": [{k: d[k] for k in ("path", "line", "job", "type")} | {"sets": d.get("sets", {}), "tag": d.get("tag")}
                        for d in deploys if d["node"] in node_set],
            "charts": charts,
            "runs": [{"type": r["type"], "path": r["path"], **r["fact"], "built_from": r["built_from"],
                      "rewritten": r["rewritten"],
                      "configmaps": r.get("manifest", {}).get("configmaps", []),
                      "k8s_services": r.get("manifest", {}).get("services", [])} for r in service_runs],
            "links": [e for e in edges if e["from"] in node_set or e["to"] in node_set],
            "env_schema": None,
        }
        services.append(service)
    services.sort(key=lambda s: (s["name"], _first_path(s)))
    _name_apart(services)
    unlinked = _attach_schemas(services, by_type.get("env-schema", []), declared)
    return {"services": services, "unlinked": unlinked}


def _first_path(service: Mapping[str, Any]) -> str:
    paths = [d["path"] for d in service["dockerfiles"]] + [r["path"] for r in service["runs"]] + list(service["charts"])
    return min(paths) if paths else ""


def _name_apart(services: list[dict[str, Any]]) -> None:
    """Two services of one name (two unrelated `api` Dockerfiles) are told apart by their first artifact's path."""
    counts: dict[str, int] = {}
    for service in services:
        counts[service["name"]] = counts.get(service["name"], 0) + 1
    for service in services:
        if counts[service["name"]] > 1 and not service["declared"]:
            service["name"] = f"{service['name']} ({_first_path(service)})"


def _service_name(images: list[str], dockerfiles: list[dict[str, Any]], runs: list[dict[str, Any]], charts: list[str]) -> str:
    if images:
        return images[0].rsplit("/", 1)[-1]
    for run in sorted(runs, key=lambda r: (r["path"], r["node"])):
        if run["type"] == "compose":
            return str(run["fact"]["name"])
    if charts:
        return posixpath.basename(charts[0])
    if dockerfiles:
        directory = posixpath.dirname(dockerfiles[0]["path"])
        return posixpath.basename(directory) or dockerfiles[0]["path"]
    return str(runs[0]["fact"].get("container") or runs[0]["fact"].get("name"))


def _within(path: str, directory: str) -> bool:
    return directory == "" or path == directory or path.startswith(directory.rstrip("/") + "/")


def _attach_schemas(services: list[dict[str, Any]], schemas: list[Fact], declared: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Each env schema to the one service it configures: declared, or the only service with a Dockerfile in the
    schema's directory tree (else the only one with an artifact there). A schema two services could claim is left
    unlinked: a guess would make findings without evidence."""
    unlinked: list[dict[str, Any]] = []
    by_declared = {posixpath.normpath(str(e["env-schema"])): n for n, e in declared.items() if e.get("env-schema")}
    for schema in schemas:
        directory = posixpath.dirname(schema["path"])
        owner: dict[str, Any] | None = None
        how = ""
        if schema["path"] in by_declared:
            owner = next((s for s in services if s["name"] == by_declared[schema["path"]]), None)
            how = "declared"
        if owner is None:
            built = [s for s in services if any(_within(d["path"], directory) for d in s["dockerfiles"])]
            near = [s for s in services if any(_within(p, directory) for p in
                                               [r["path"] for r in s["runs"]] + list(s["charts"]))]
            if len(built) == 1:
                owner, how = built[0], "directory tree (the only Dockerfile under it)"
            elif not built and len(near) == 1:
                owner, how = near[0], "directory tree (the only service under it)"
        if owner is None or owner["env_schema"] is not None:
            unlinked.append({"type": "env-schema", "path": schema["path"]})
            continue
        owner["env_schema"] = {**schema, "how": how}
    return unlinked


def service_of_paths(service_map: Mapping[str, Any]) -> Callable[[str], str]:
    """For the readiness report's "what to fix first": the service a finding's file belongs to, or "" when no
    service or several claim it (a workflow building two images, a compose file running three services)."""
    owners: dict[str, set[str]] = {}
    chart_dirs: list[tuple[str, str]] = []
    for service in service_map.get("services", []):
        name = str(service["name"])
        paths = [d["path"] for d in service["dockerfiles"]] + [r["path"] for r in service["runs"]]
        paths += [str(r["place"][0]) for r in service["runs"] if r.get("place")]
        paths += [p["path"] for p in service["pipelines"]] + [d["path"] for d in service["deploys"]]
        if service.get("env_schema"):
            paths.append(service["env_schema"]["path"])
        for path in paths:
            owners.setdefault(str(path), set()).add(name)
        chart_dirs += [(str(chart), name) for chart in service["charts"]]

    def service_of(path: str) -> str:
        names = set(owners.get(path, set()))
        if not names:
            names = {name for chart, name in chart_dirs if _within(path, chart)}
        return next(iter(names)) if len(names) == 1 else ""

    return service_of


# --- the second pass: service rules judge services ------------------------------------------------------------


class ServiceDocument(Document):
    """One service of the map, judged by the rules whose target is `service.service`."""

    kind = SERVICE_KIND

    def __init__(self, service: dict[str, Any]) -> None:
        super().__init__(f"service:{service['name']}", "", service, {})

    def build_subjects(self, target: str) -> Iterator[Subject[Any]]:
        if target == "service.service":
            # not the name: it can change when another service of the same name appears (a baseline would break);
            # each hit's key names the files it is about
            yield Subject(self, self.data, (), key="service")


def service_shard(service: Mapping[str, Any], count: int) -> int:
    """The shard (1-based) that reports a service's findings: a hash of its name and first artifact, the same in
    every shard, so a service is never split and its findings are reported once."""
    import hashlib  # here: a run without --shard does not import it (docs/performance.md)

    identity = f"{service['name']}|{_first_path(service)}"
    return int.from_bytes(hashlib.sha256(identity.encode()).digest()[:8], "big") % count + 1


def span_at(place: Sequence[Any]) -> tuple[str, Span]:
    return str(place[0]), Span(int(place[1]) if isinstance(place[1], int) and place[1] > 0 else 1)
