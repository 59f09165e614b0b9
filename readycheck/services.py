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
import shlex
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from readycheck.judge.commands import HealthCommand, health_command, option_values, program_changes
from readycheck.judge.durations import duration_seconds
from readycheck.judge.images import HEALTH_PROGRAMS, base_programs, copy_changes, image_ships, parse_image
from readycheck.k8s.workloads import containers, get_in, pod_spec_path
from readycheck.model import Document, Pointer, Span, Subject
from readycheck.secrets import is_secret_name, mask_secrets, scan_value

Fact = dict[str, Any]
"""One document's facts: JSON-able, small, with the places (path, line) a finding may point at."""

SERVICE_KIND = "service"
DEV_CONTAINER_DIR = ".devcontainer"


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
    """The facts the service map needs from one loaded document; [] for kinds it does not use, and for a dev
    container's files (`.devcontainer/`): an editor's environment, not what the service ships or runs."""
    if DEV_CONTAINER_DIR in doc.path.split("/")[:-1]:
        return []
    data = doc.data
    if doc.kind == "dockerfile" and isinstance(data, dict) and "stages" in data:
        return [_dockerfile_facts(doc)]
    if doc.kind == "workflow" and isinstance(data, dict) and not data.get("is_action"):
        return [{**_workflow_facts(doc), "hidden_builds": _hidden_builds(doc)}]
    if doc.kind == "compose" and isinstance(data, dict):
        return [_compose_facts(doc)]
    if doc.kind == "kubernetes" and isinstance(data, list):
        return [_kubernetes_facts(doc)]
    if doc.kind == "helm" and isinstance(data, dict) and "chart" in data:
        return [_chart_facts(doc)]
    if doc.kind == "env" and isinstance(data, dict) and "properties" in data and "keys" not in data:
        return [_schema_facts(doc)]
    if doc.kind == "bake" and isinstance(data, dict) and "targets" in data:
        return [_bake_facts(doc)]
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
            **_stage_ports_and_identity(stage),
            **_stage_process(stage),
        })
    return {"type": "dockerfile", "path": doc.path, "final": doc.data["final_stage"], "stages": stages}


# --- health facts (SVC007, SVC008): what an image ships, what a health check runs and asks ----------------------

def _health_fact(judged: HealthCommand, place: list[Any]) -> dict[str, Any]:
    """A health command as facts: the programs it runs and the local ports it asks (no argument is kept, so no
    credential a command line quotes reaches the cache or `readycheck services`)."""
    return {"programs": list(judged.programs), "ports": None if judged.ports is None else list(judged.ports),
            # URL paths without their query, masked: a path may still carry a token (`/health/<token>`)
            "paths": None if judged.paths is None else [[port, mask_secrets(path)] for port, path in judged.paths],
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
    """What a stage's base ships of the health programs, what its instructions add or remove of them, and what its
    last HEALTHCHECK runs and asks (the numbers its instructions name are _stage_ports_and_identity's)."""
    base = stage["base"]
    known = _base_known(base)
    changes: list[list[str]] = []
    health: dict[str, Any] | None = None
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
    return {"base_programs": known[0] if known else None, "base_source": known[1] if known else None,
            "base_image": str(base.get("image") or ""), "program_changes": changes, "health": health}


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
    """The built image's programs (see _stage_ships) and the HEALTHCHECK it runs (judged)."""
    root = chain[-1]
    owner = next((s for s in chain if s["healthcheck"]), None)
    return {"ships": _stage_ships(stages, chain[0]["index"], frozenset()),
            "ships_source": root.get("base_source"), "base_line": root["line"], "base_image": root.get("base_image"),
            "health": owner.get("health") if owner else None}


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
    environment, command, entrypoint, ports and expose name (not its healthcheck: `numbers` counts that too)."""
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
            "numbers_besides_health": sorted(_numbers(w for w in written if w is not None))}
_NUMBER = re.compile(r"(?<![0-9])[0-9]{2,5}(?![0-9])")
"""A number that may be a port, written in a value, a command or an argument."""
_ACCOUNT_PROGRAMS = {"useradd": "uid", "adduser": "uid", "groupadd": "gid", "addgroup": "gid"}
_GROUP_WRITE_MODE = re.compile(r"(^|,)[ugoa]*[ga][ugoa]*[+=][rwxXst]*[wu]|^[0-7]?[0-7][2367][0-7]$")
"""A chmod mode that gives the group write access (`g+w`, `g=u`, `ug+rwX`, `775`): the image is prepared for an
arbitrary uid sharing the group, as OpenShift runs it."""


def _numbers(words: Iterable[Any]) -> set[int]:
    return {int(n) for w in words for n in _NUMBER.findall(str(w))}


def _account(argv: Sequence[str]) -> tuple[str, str] | None:
    """(name, id) of `useradd -u N NAME`, `adduser -D -u N NAME`, `groupadd -g N NAME`, `addgroup --gid N NAME`."""
    options = ("-u", "--uid") if _ACCOUNT_PROGRAMS[posixpath.basename(argv[0])] == "uid" else ("-g", "--gid")
    ids = _option_values(argv[1:], options)
    operands = [a for i, a in enumerate(argv[1:], 1) if not a.startswith("-") and argv[i - 1] not in _ACCOUNT_VALUE_OPTIONS]
    if not ids or not ids[-1].isdigit() or not operands:
        return None
    return operands[0], ids[-1]


_ACCOUNT_VALUE_OPTIONS = frozenset({"-u", "--uid", "-g", "--gid", "-G", "--groups", "-d", "--home", "--home-dir", "-h",
                                    "-s", "--shell", "-c", "--comment", "--gecos", "-k", "--skel", "-e", "--expiredate",
                                    "-f", "--inactive", "-K", "--key", "-p", "--password", "--ingroup", "-R", "--root",
                                    "-b", "--base-dir", "-Z", "--selinux-user", "--firstuid", "--lastuid"})


def _stage_ports_and_identity(stage: Mapping[str, Any]) -> dict[str, Any]:
    """What the port and identity rules need of a stage besides EXPOSE and USER: EXPOSE words that are no plain
    number (a range, a variable), VOLUME paths, the owners its files are given (`--chown`, `chown`), the accounts it
    creates with a fixed id, whether it makes files group-writable, and the numbers its ENV, ARG, CMD, ENTRYPOINT and
    HEALTHCHECK name (the port an application is told to listen on)."""
    expose_other: list[list[Any]] = []
    volumes: list[list[Any]] = []
    owners: dict[str, int] = {}
    accounts: dict[tuple[str, str, str], int] = {}
    group_writable = False
    numbers: set[int] = set()
    for instruction in stage["instructions"]:
        cmd, line = instruction["cmd"], instruction["line"]
        if cmd == "EXPOSE":
            expose_other += [[word, line] for word in str(instruction["value"]).split()
                             if not word.split("/", 1)[0].isdigit()]
        elif cmd == "VOLUME":
            words = instruction["args"] if instruction["json_form"] else str(instruction["value"]).split()
            volumes += [[str(w), line] for w in words or [] if str(w).strip()]
        elif cmd in ("COPY", "ADD") and isinstance(instruction["flags"].get("chown"), str):
            owners.setdefault(instruction["flags"]["chown"], line)
        elif cmd in ("ENV", "ARG"):
            numbers |= _numbers(p["value"] for p in instruction.get("pairs") or [] if p.get("value") is not None)
        elif cmd in ("CMD", "ENTRYPOINT", "HEALTHCHECK"):
            numbers |= _numbers([instruction["value"]])
        for command in instruction.get("commands") or []:
            argv = [str(a) for a in command["argv"]]
            name = posixpath.basename(argv[0]) if argv else ""
            operands = [a for a in argv[1:] if not a.startswith("-")]
            if name == "chown" and len(operands) > 1:
                owners.setdefault(operands[0], line)
            elif name == "chgrp" and len(operands) > 1:
                owners.setdefault(":" + operands[0], line)
            elif name == "chmod" and operands:
                group_writable = group_writable or bool(_GROUP_WRITE_MODE.search(operands[0]))
            elif name in _ACCOUNT_PROGRAMS and (account := _account(argv)) is not None:
                accounts.setdefault((_ACCOUNT_PROGRAMS[name], *account), line)
    return {"expose_other": expose_other, "volumes": volumes,
            "owners": [[owner, line] for owner, line in owners.items()],
            "accounts": [[kind, name, number, line] for (kind, name, number), line in accounts.items()],
            "group_writable": group_writable, "numbers": sorted(numbers)}


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
    return [value for _, value in option_values(args, names)]


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
    bakes: list[dict[str, Any]] = []
    for job in data["jobs"]:
        meta = _metadata_images(job, {**(data.get("env") or {}), **(job.get("env") or {})})
        for step in job["steps"]:
            pointer = ("jobs", job["id"], "steps", step["index"])
            env = {**(data.get("env") or {}), **(job.get("env") or {}), **(step.get("env") or {})}
            where = {"path": doc.path, "line": _line(doc, pointer), "job": job["id"], "root": root}
            uses = step.get("uses") or {}
            name = str(uses.get("name") or "").lower() if uses.get("kind") == "remote" else ""
            if name == "docker/build-push-action":
                with_ = step.get("with") or {}
                builds.append({**where, "file": _opt(with_.get("file"), env), "context": _opt(with_.get("context"), env),
                               "tags": _build_push_tags(with_.get("tags"), env, meta),
                               "target": _opt(with_.get("target"), env),
                               "push": str(with_.get("push", "")).lower() == "true"})
            if name == "docker/bake-action":
                bake_step = _bake_action(step.get("with") or {}, env)
                bake_step["files"], bake_step["meta"] = _meta_bake_files(bake_step["files"], meta)
                bakes.append({**where, **bake_step, "env": sorted(map(str, env)), "env_values": _image_env(env)})
            for command in step["commands"]:
                argv = [_resolve(str(a), env) for a in command["argv"]]
                line = command.get("file_line") or where["line"]
                if command["name"] == "docker" and (bake := _bake_command(argv[1:])) is not None:
                    bake["files"], bake["meta"] = _meta_bake_files(bake["files"], meta)
                    bakes.append({**where, "line": line, **bake, "env": sorted(map(str, env)),
                                  "env_values": _image_env(env)})
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
                elif command["name"] == "kubectl" and argv[1:2] == ["apply"]:
                    applied = [p for p in _option_values(argv[2:], ("-f", "--filename", "-k", "--kustomize"))
                               if p != "-" and "://" not in p and "$" not in p]
                    if applied:
                        deploys.append({**where, "line": line, "type": "kubectl-apply", "paths": applied})
    if any(_remote_base(s) in REWRITING_ACTIONS for job in data["jobs"] for s in job["steps"]):
        rewrites = True
    return {"type": "workflow", "path": doc.path, "builds": builds, "deploys": deploys, "rewrites": rewrites,
            "bakes": bakes}


_META_OUTPUT = re.compile(r"^\$\{\{\s*steps\.([A-Za-z_][A-Za-z0-9_-]*)\.outputs\.tags\s*\}\}$")


def _metadata_images(job: Mapping[str, Any], env: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The literal image names of each `docker/metadata-action` step of a job (`images`), and the bake target its
    bake-file defines (`bake_target`), by step id.

    `images:` is a list (lines or commas) of names, each maybe written `name=NAME,enable=...`; an entry holding an
    expression that the workflow's literal env does not resolve (`ghcr.io/${{ github.repository }}`) is left out,
    as is one disabled with a literal `enable=false`."""
    found: dict[str, dict[str, Any]] = {}
    for step in job["steps"]:
        uses = step.get("uses") or {}
        if uses.get("kind") != "remote" or str(uses.get("name") or "").lower() != "docker/metadata-action" \
                or not isinstance(step.get("id"), str):
            continue
        step_env = {**env, **(step.get("env") or {})}
        names: list[str] = []
        for entry in re.split(r"\n", str((step.get("with") or {}).get("images") or "")):
            fields = [f.strip() for f in entry.split(",") if f.strip()]
            if not fields:
                continue
            if any("=" in f for f in fields):
                attributes = dict(f.split("=", 1) for f in fields if "=" in f)
                if str(attributes.get("enable", "true")).strip().lower() == "false":
                    continue
                fields = [attributes["name"]] if attributes.get("name") else []
            for name in fields:
                resolved = _resolve(name, step_env)
                if image_name(resolved) is not None:
                    names.append(resolved)
        target = (step.get("with") or {}).get("bake-target")
        found[step["id"]] = {"images": names,
                             "bake_target": target if isinstance(target, str) and target else "docker-metadata-action"}
    return found


def _build_push_tags(tags: Any, env: Mapping[str, Any], meta: Mapping[str, dict[str, Any]]) -> list[str]:
    """`docker/build-push-action`'s tags, with `${{ steps.ID.outputs.tags }}` of a metadata-action step given as
    that step's image names with an unknown tag (kept as the expression it is): the image is known, the tag is
    decided when the workflow runs, so no rule may compare it with a deployed tag."""
    resolved: list[str] = []
    for tag in _split_list(tags):
        match = _META_OUTPUT.match(tag.strip())
        if match is not None and match.group(1) in meta:
            resolved += _meta_tags(match.group(1), meta)
        else:
            resolved.append(_resolve(tag, env))
    return resolved


def _meta_tags(step_id: str, meta: Mapping[str, dict[str, Any]]) -> list[str]:
    """A metadata-action step's image names, each with a tag known only when the workflow runs (the expression)."""
    unknown = "${{ steps." + step_id + ".outputs.version }}"
    return [f"{name}:{unknown}" for name in meta[step_id]["images"]]


_META_BAKE_FILE = re.compile(r"^\$\{\{\s*steps\.([A-Za-z_][A-Za-z0-9_-]*)\.outputs\.bake-file(?:-tags)?\s*\}\}$")


def _meta_bake_files(files: list[str], meta: Mapping[str, dict[str, Any]]) -> tuple[list[str], list[dict[str, Any]]]:
    """The files of a bake run without the bake-files of metadata-action steps, and what each of those defines: its
    bake target (`docker-metadata-action`) tagged with the step's image names, the tag unknown before the run."""
    kept: list[str] = []
    defined: list[dict[str, Any]] = []
    for file in files:
        match = _META_BAKE_FILE.match(file.strip())
        if match is not None and match.group(1) in meta:
            defined.append({"target": meta[match.group(1)]["bake_target"], "tags": _meta_tags(match.group(1), meta)})
        else:
            kept.append(file)
    return kept, defined


_BAKE_VALUE_FLAGS = frozenset({"-f", "--file", "--set", "--progress", "--builder", "--metadata-file", "--provenance",
                               "--sbom", "--call", "--allow", "--list", "--var"})


def _bake_command(args: list[str]) -> dict[str, Any] | None:
    """`docker buildx bake` / `docker bake` arguments (after `docker`): files, targets, push, tag overrides; None
    for another command, or a bake that builds nothing (`--print`, `--list`)."""
    if args[:2] == ["buildx", "bake"]:
        rest = args[2:]
    elif args[:1] == ["bake"]:
        rest = args[1:]
    else:
        return None
    if "--print" in rest or any(a == "--list" or a.startswith("--list=") for a in rest):
        return None
    targets: list[str] = []
    i = 0
    while i < len(rest):
        if rest[i] in _BAKE_VALUE_FLAGS:
            i += 2
            continue
        if not rest[i].startswith("-"):
            targets.append(rest[i])
        i += 1
    sets = _option_values(rest, ("--set",))
    return {"files": _option_values(rest, ("-f", "--file")), "targets": targets,
            "push": "--push" in rest or any(s.split("=", 1)[0].endswith(".push") for s in sets),
            "overrides": any("tags" in s.split("=", 1)[0] for s in sets)}


def _bake_action(with_: Mapping[str, Any], env: Mapping[str, Any]) -> dict[str, Any]:
    """`docker/bake-action` inputs: its files (relative to the repository root, as its Git context reads them),
    targets, push, and whether `set:` overrides tags."""
    workdir = _opt(with_.get("workdir"), env) or "."
    files = [_resolve(f, env) for f in _split_list(with_.get("files"))]
    sets = _split_list(with_.get("set"))
    return {"files": [f[len("cwd://"):] if f.startswith("cwd://") else f for f in files], "workdir": workdir,
            "targets": [_resolve(t, env) for t in _split_list(with_.get("targets"))],
            "push": str(with_.get("push", "")).lower() == "true",
            "overrides": any("tags" in s.split("=", 1)[0] for s in sets)}


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
        if service.get("build") is None and service.get("image") is None or service.get("extends") is not None:
            # a fragment (an override file's `api: {environment: ...}`, or a service that `extends:` another): it
            # runs only merged with a definition elsewhere, so what it alone sets is no evidence of what runs
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
            **_compose_port_facts(doc, name, service, doc.data.get("services") or {}),
            **_compose_process(doc, name, service),
        })
    return {"type": "compose", "path": doc.path, "services": services}


def _compose_container_ports(value: Any) -> tuple[int, int] | None:
    """The container side of a compose `ports:` entry as a range (one port is (p, p)): short syntax `80`,
    `8080:80`, `127.0.0.1:8080:80/tcp`, `[::1]:8080:80`, `8000-8010:8000-8010`, with `${VAR:-default}` given its
    default; long syntax `{target: 80}`. None when it is not known (a variable without default)."""
    if isinstance(value, dict):
        value = value.get("target")
    if isinstance(value, bool):
        return None
    text = _compose_text(value) if isinstance(value, str) else str(value) if isinstance(value, int) else None
    if text is None or "$" in text:
        return None
    container = text.split("/", 1)[0].rsplit(":", 1)[-1].strip()
    low, sep, high = container.partition("-")
    if not low.isdigit() or (sep and not high.isdigit()):
        return None
    return int(low), int(high) if sep else int(low)


NODE_INSPECTOR = 9229
"""The port `node --inspect` (or NODE_OPTIONS=--inspect) listens on when the flag names none."""


def _compose_port_facts(doc: Document, name: Any, service: Mapping[str, Any], services: Any) -> dict[str, Any]:
    """What the port rules need of a compose service: the container side of each published port (with its place),
    the ports it declares with `expose:`, the numbers its environment values, command, entrypoint and healthcheck
    name (the port an application may be told to listen on: values are reduced to those numbers, never kept), and
    whether it shares the host's network (where `ports:` is ignored) or another service joins its network
    (`network_mode: service:NAME`: a sidecar may serve the published port)."""
    published = []
    for i, entry in enumerate(_items(service.get("ports"))):
        container = _compose_container_ports(entry)
        published.append({"ports": list(container) if container else None,
                          "place": _place(doc, ("services", name, "ports", i))})
    exposed = [list(p) for e in _items(service.get("expose")) if (p := _compose_container_ports(e)) is not None]
    environment = service.get("environment")
    values = list(environment.values()) if isinstance(environment, dict) else [
        str(e).split("=", 1)[1] for e in _items(environment) if isinstance(e, str) and "=" in e]
    words: list[Any] = [_compose_text(v) if isinstance(v, str) else v for v in values if isinstance(v, (str, int))]
    for key in ("command", "entrypoint"):
        value = service.get(key)
        words += [_compose_text(value)] if isinstance(value, str) else _items(value)
    test = _mapping(service.get("healthcheck")).get("test")
    words += [test] if isinstance(test, str) else _items(test)
    numbers = _numbers(w for w in words if w is not None)
    if any("--inspect" in str(w) for w in words):
        numbers.add(NODE_INSPECTOR)
    joined = any(isinstance(other, dict) and str(other.get("network_mode") or "") in (f"service:{name}", f"container:{name}")
                 for other in _mapping(services).values())
    return {"published": published, "exposed": exposed, "numbers": sorted(numbers),
            "host_network": str(service.get("network_mode") or "") == "host", "network_joined": joined}


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
            for key in ("runAsNonRoot", "runAsUser", "runAsGroup", "readOnlyRootFilesystem"):
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
                "numbers": sorted(_numbers(words)),
                "exec_probes": _exec_probe_facts(doc, container.pointer, data),
                "mounts": sorted({str(m["mountPath"]) for m in _items(data.get("volumeMounts"))
                                  if isinstance(m, dict) and isinstance(m.get("mountPath"), str)}),
                **_container_process(doc, (index, *spec_path), container.pointer, data),
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
        **_schema_values(doc),
    }


_INTERPOLATION = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def _bake_text(value: Any, variables: Mapping[str, Any], depth: int = 0) -> str | None:
    """A bake string with each `${NAME}` replaced by the default of `variable "NAME"` (defaults only: bake would
    take an environment variable of that name first, which the scan cannot see); other `${...}` are kept."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None
    if depth > 8:
        return str(value)

    def default(match: re.Match[str]) -> str:
        found = variables.get(match.group(1))
        text = _bake_text(found, variables, depth + 1) if found is not None else None
        return text if text is not None else match.group(0)

    return _INTERPOLATION.sub(default, str(value))


def _bake_tag(reference: Any, variables: Mapping[str, Any]) -> str | None:
    """An image reference of `tags`: its name resolved from variable defaults, its tag kept as written when a
    variable makes it (the pipeline that runs bake usually sets that variable, so the default says nothing)."""
    if not isinstance(reference, str):
        return None
    slash = reference.rfind("/")
    colon = reference.rfind(":")
    if colon > slash and "${" in reference[colon:] and "}" not in reference[slash + 1:colon]:
        name = _bake_text(reference[:colon], variables)
        return f"{name}:{reference[colon + 1:]}" if name is not None else None
    return _bake_text(reference, variables)


def _bake_facts(doc: Document) -> Fact:
    """Per target of a bake file: context, dockerfile, target and tags as resolved from its variables' defaults
    (None where an attribute is there but not known), inherits; and its groups. No variable's value is kept."""
    data = doc.data
    variables = {str(k): v.get("default") for k, v in _mapping(data.get("variables")).items() if isinstance(v, dict)}
    targets: list[dict[str, Any]] = []
    for name, body in sorted(_mapping(data.get("targets")).items()):
        if not isinstance(body, dict):
            continue
        entry: dict[str, Any] = {"name": str(name), "line": _line(doc, ("targets", name))}
        for key in ("context", "dockerfile", "target"):
            if key in body:
                text = _bake_text(body[key], variables)
                entry[key] = text if text is not None and "${" not in text else None
        if "tags" in body:
            tags = body["tags"]
            entry["tags"] = [t for t in (_bake_tag(t, variables) for t in tags) if t] if isinstance(tags, list) else None
            # the names of the variables the tags use (never their values): a step whose env sets one of them
            # builds other names than the defaults give
            entry["tag_variables"] = sorted({v for t in _items(tags) if isinstance(t, str)
                                             for v in _INTERPOLATION.findall(t) if v in variables})
            if entry["tag_variables"]:
                # to make the tags again with a step's env: the templates, and the defaults they use (which the
                # resolved tags show already)
                entry["tag_templates"] = [t for t in _items(tags) if isinstance(t, str)]
                entry["tag_defaults"] = {v: text for v in entry["tag_variables"]
                                         if (text := _bake_text(variables[v], variables)) is not None
                                         and mask_secrets(text) == text}
        if "inherits" in body:
            entry["inherits"] = [str(t) for t in _items(body["inherits"]) if isinstance(t, str)]
        targets.append(entry)
    groups = {str(k): [str(t) for t in _items(v.get("targets")) if isinstance(t, str)]
              for k, v in sorted(_mapping(data.get("groups")).items()) if isinstance(v, dict)}
    return {"type": "bake", "path": doc.path, "targets": targets, "groups": groups}


BAKE_DEFAULT_FILES = ("docker-bake.json", "docker-bake.hcl", "docker-bake.override.json", "docker-bake.override.hcl")
"""The files `docker buildx bake` reads when no `-f` is given, in the order it merges them (compose files too,
which the map reads as compose)."""


def _bake_targets(files: Sequence[Fact]) -> dict[str, dict[str, Any]]:
    """The targets of bake files merged in order (a later file's attribute wins), each with what it inherits."""
    merged: dict[str, dict[str, Any]] = {}
    for fact in files:
        for target in fact["targets"]:
            entry = merged.setdefault(target["name"], {"at": [fact["path"], target["line"]]})
            entry.update({k: v for k, v in target.items() if k not in ("name", "line")})
            if "tags" in target:  # where the tags in force are written (an override file's win)
                entry["tags_at"] = [fact["path"], target["line"]]

    def effective(name: str, seen: frozenset[str]) -> dict[str, Any]:
        own = merged.get(name, {})
        result: dict[str, Any] = {}
        for parent in own.get("inherits") or []:
            if parent not in seen and parent in merged:
                result.update({k: v for k, v in effective(parent, seen | {parent}).items()
                               if k not in ("at", "made_by_step")})
        result.update({k: v for k, v in own.items() if k != "inherits"})
        if "tags" in own:
            result["tags_from_step"] = bool(own.get("tags_from_step"))  # its own tags, not a step's
        return result

    return {name: effective(name, frozenset({name})) for name in sorted(merged)}


def _bake_selected(files: Sequence[Fact], targets: Sequence[str], known: Mapping[str, Any]) -> list[str]:
    """The targets a bake run builds: those named (groups expanded), else the `default` group or target, else
    the only target."""
    groups: dict[str, list[str]] = {}
    for fact in files:
        for name, members in fact["groups"].items():
            groups.setdefault(name, [])
            groups[name] += [m for m in members if m not in groups[name]]
    own = [name for name, target in known.items() if not target.get("made_by_step")]
    wanted = list(targets) or (["default"] if "default" in groups or "default" in known else own[:1]
                               if len(own) == 1 else [])
    selected: list[str] = []
    stack = list(reversed(wanted))
    seen: set[str] = set()
    while stack:
        name = stack.pop()
        if name in seen:
            continue
        seen.add(name)
        if name in groups:
            stack += reversed(groups[name])
        elif name in known and name not in selected:
            selected.append(name)
    return selected


def _bake_build(target: Mapping[str, Any], cwd: str) -> tuple[str, str | None] | None:
    """The Dockerfile (repository path) and stage a resolved bake target builds: `context` is relative to where
    bake runs, `dockerfile` to the context (`cwd://` to where bake runs); None for a remote or unknown one."""
    context, dockerfile = target.get("context", "."), target.get("dockerfile", "Dockerfile")
    if context is None or dockerfile is None or "dockerfile-inline" in target:
        return None
    if "://" in context or context.startswith(("git@", "target:", "docker-image:")) or "://" in dockerfile.replace("cwd://", ""):
        return None
    if dockerfile.startswith("cwd://"):
        path = _join(cwd, dockerfile[len("cwd://"):])
    else:
        path = _join(_join(cwd, context), dockerfile)
    if path.startswith("../") or path.startswith("/"):
        return None
    return path, target.get("target")


def _step_tags(target: Mapping[str, Any], step: Mapping[str, Any]) -> list[str]:
    """The tags a workflow step's bake run gives a target: bake takes a variable from the environment before its
    default, so where the step's env sets a variable the tags use, they are made again with the step's literal
    value; none when that value is not literal (an expression, a secret-like name)."""
    tags = list(target.get("tags") or [])
    overridden = set(target.get("tag_variables") or ()) & set(step.get("env") or ())
    if not overridden:
        return tags
    values = step.get("env_values") or {}
    if not overridden <= set(values):
        return []
    variables = {**(target.get("tag_defaults") or {}), **{k: values[k] for k in overridden}}
    return [t for t in (_bake_tag(raw, variables) for raw in target.get("tag_templates") or []) if t]


_SAFE_VALUE = re.compile(r"^[A-Za-z0-9._/:@-]{1,200}$")


def _image_env(env: Mapping[str, Any]) -> dict[str, str]:
    """The literal values of a step's env that could be part of an image name (a registry, a namespace, a tag):
    what a bake run takes for its variables. A value with an expression, a secret-like name or a value the secret
    detector flags is left out: facts are cached and printed."""
    kept: dict[str, str] = {}
    for key, value in env.items():
        if isinstance(value, bool) or not isinstance(value, (str, int)) or is_secret_name(str(key)):
            continue
        text = str(value)
        if _SAFE_VALUE.match(text) and mask_secrets(text) == text:
            kept[str(key)] = text
    return kept


def bake_runs(by_type: Mapping[str, list[Fact]]) -> list[dict[str, Any]]:
    """Each bake definition with where it runs: every workflow step that runs bake (its `-f` files, or the default
    files of the directory it runs in), and each directory's default files (or a file of another name) that no
    step runs, as run in its own directory. A run a step makes carries the step's place, push and targets."""
    bakes = {f["path"]: f for f in by_type.get("bake", [])}
    runs: list[dict[str, Any]] = []
    used: set[str] = set()
    for workflow in by_type.get("workflow", []):
        for step in workflow.get("bakes", []):
            cwd = _join(step["root"], step.get("workdir") or ".")
            if any("$" in f for f in step["files"]):
                continue  # a file made by an earlier step (metadata-action's bake-file): the targets are not known
            names = [_join(cwd, f) for f in step["files"]] or [_join(cwd, n) for n in BAKE_DEFAULT_FILES]
            files = [bakes[n] for n in names if n in bakes]
            if not files:
                continue
            used.update(f["path"] for f in files)
            # a metadata-action bake-file, read last: its target's tags reach the targets that inherit it
            made = [{"type": "bake", "path": step["path"], "groups": {},
                     "targets": [{"name": m["target"], "line": step["line"], "tags": m["tags"], "tag_variables": [],
                                  "tags_from_step": True, "made_by_step": True}]} for m in step.get("meta") or []]
            runs.append({"files": [*files, *made], "cwd": cwd, "step": step})
    directories: dict[str, list[Fact]] = {}
    for path, fact in sorted(bakes.items()):
        if path in used:
            continue
        directory, name = posixpath.split(path)
        if name in BAKE_DEFAULT_FILES:
            directories.setdefault(directory, []).append(fact)
        else:
            runs.append({"files": [fact], "cwd": directory, "step": None})
    for directory, files in sorted(directories.items()):
        files.sort(key=lambda f: BAKE_DEFAULT_FILES.index(posixpath.basename(f["path"])))
        runs.append({"files": files, "cwd": directory, "step": None})
    return runs


# --- configuration, shutdown and delivery facts (SVC013-SVC016) ------------------------------------------------

ENV_VALUE_LIMIT = 256
"""Longer env values are not carried (a certificate, a JSON blob): facts stay small."""
ENV_ENTRY_LIMIT = 200
ARGV_LIMIT = 64
DRAIN_ENV = ("GUNICORN_CMD_ARGS", "UVICORN_TIMEOUT_GRACEFUL_SHUTDOWN")
"""Variables the servers themselves read for their drain time (gunicorn's documented GUNICORN_CMD_ARGS; uvicorn's
CLI options are read from UVICORN_<OPTION>): their values are carried for the shutdown arithmetic."""
_SCHEMA_VALUE_KEYWORDS = frozenset({
    "type", "enum", "const", "pattern", "format", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
    "multipleOf", "minLength", "maxLength", "anyOf", "oneOf", "allOf", "not", "contentEncoding"})
_SCHEMA_VALUE_LIMIT = 2000


def literal_env_value(name: str, value: Any, *, compose: bool = False) -> str | None:
    """The text a variable is set to, when a rule may compare it with the env schema: literal (no `$VAR`, `$(VAR)`,
    template), short, and neither named nor shaped like a credential. Facts are cached and printed by `readycheck
    services`: a credential's value never enters them, only what a configuration value like `info` or `8080` is."""
    if isinstance(value, bool):
        if not compose:
            return None  # Kubernetes refuses a non-string env value: K8S rules report the manifest
        text = "true" if value else "false"
    elif isinstance(value, (int, float)):
        text = str(value)
    elif isinstance(value, str):
        text = value
    else:
        return None
    if compose:
        text = _COMPOSE_DEFAULT.sub(lambda m: m.group(1), text.replace("$$", "\0"))
        if "$" in text:
            return None  # `${VAR}` without a default: set where compose runs
        text = text.replace("\0", "$")
    elif "$" in text:
        return None  # `$(VAR)`: Kubernetes substitutes another variable
    if "{{" in text or len(text) > ENV_VALUE_LIMIT or is_secret_name(name) or scan_value(text, key=name):
        return None
    return text


def _env_entry(name: str, value: str | None, place: list[Any], value_line: int | None = None) -> dict[str, Any]:
    """One variable a runner sets: where (its name), and the line of its value when that is elsewhere."""
    return {"name": name, "value": value, "place": place, "value_line": value_line or place[1]}


def _at_or(doc: Document, pointer: Pointer, fallback: Pointer) -> list[Any]:
    return _place(doc, pointer if pointer in doc.locations else fallback)


def _masked_argv(value: Any) -> list[str] | None:
    """A command line as facts keep it: each word with credentials masked, cut to a bounded length."""
    if isinstance(value, str):
        try:
            value = shlex.split(value)
        except ValueError:
            return None
    if not isinstance(value, list):
        return None
    return [mask_secrets(str(w))[:200] for w in value[:ARGV_LIMIT] if isinstance(w, (str, int, float))]


def _container_process(doc: Document, pod: Pointer, pointer: Pointer, data: Mapping[str, Any]) -> dict[str, Any]:
    """What a container sets for its process (each env variable, with the literal values a rule may compare with
    the schema), its command line, the preStop delay and the pod's grace period."""
    from readycheck.checks.kubernetes import prestop_sleep

    entries = []
    for i, entry in enumerate(_items(data.get("env"))[:ENV_ENTRY_LIMIT]):
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or not entry["name"]:
            continue
        value = literal_env_value(entry["name"], entry.get("value")) if "valueFrom" not in entry else None
        entries.append(_env_entry(entry["name"], value, _place(doc, (*pointer, "env", i)),
                                  _line(doc, (*pointer, "env", i, "value")) if "value" in entry else None))
    seconds, _ = prestop_sleep(data)
    grace = get_in(doc.data[pod[0]], (*pod[1:], "terminationGracePeriodSeconds"))
    grace_pointer = (*pod, "terminationGracePeriodSeconds")
    return {
        "env_entries": entries,
        "command": _masked_argv(data.get("command")) if "command" in data else None,
        "args": _masked_argv(data.get("args")) if "args" in data else None,
        "pre_stop_seconds": seconds,
        "grace": {"seconds": grace if isinstance(grace, int) and not isinstance(grace, bool) else None,
                  "set": grace is not None,
                  "place": _place(doc, grace_pointer) if grace_pointer in doc.locations else None},
    }


def _compose_process(doc: Document, name: Any, service: Mapping[str, Any]) -> dict[str, Any]:
    """A compose service's variables (literal values where a rule may compare them), command line and stop grace."""
    environment = service.get("environment")
    entries = []
    base = ("services", name, "environment")
    if isinstance(environment, dict):
        for key, value in list(environment.items())[:ENV_ENTRY_LIMIT]:
            entries.append(_env_entry(str(key), literal_env_value(str(key), value, compose=True)
                                      if value is not None else None, _at_or(doc, (*base, key), base)))
    elif isinstance(environment, list):
        for i, item in enumerate(environment[:ENV_ENTRY_LIMIT]):
            if isinstance(item, str) and item.split("=", 1)[0]:
                key, sep, value = item.partition("=")
                entries.append(_env_entry(key, literal_env_value(key, value, compose=True) if sep else None,
                                          _at_or(doc, (*base, i), base)))
    grace = service.get("stop_grace_period")
    signal = service.get("stop_signal")
    return {
        "stop_signal": str(signal)[:40] if isinstance(signal, (str, int)) else None,
        "env_entries": entries,
        "command": _masked_argv(service.get("command")) if service.get("command") is not None else None,
        "entrypoint": _masked_argv(service.get("entrypoint")) if service.get("entrypoint") is not None else None,
        "grace": {"seconds": duration_seconds(grace), "set": grace is not None,
                  "place": _at_or(doc, ("services", name, "stop_grace_period"), ("services", name))
                  if grace is not None else None},
    }


def _instruction_argv(instruction: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """A CMD or ENTRYPOINT as the argv the image runs: the exec form's words, or `/bin/sh -c TEXT`."""
    if instruction is None:
        return None
    words = instruction["args"] if instruction.get("json_form") else ["/bin/sh", "-c", str(instruction["value"])]
    return {"argv": _masked_argv(list(words)) or [], "line": instruction["line"]}


def _stage_process(stage: Mapping[str, Any]) -> dict[str, Any]:
    """The process a stage declares: its own ENTRYPOINT and CMD (masked), and the drain settings of its ENV."""
    drain_env: dict[str, list[Any]] = {}
    stop_signal = None
    for instruction in stage["instructions"]:
        if instruction["cmd"] == "STOPSIGNAL":
            stop_signal = str(instruction["value"]).strip()[:40]
        if instruction["cmd"] == "ENV":
            for pair in instruction.get("pairs") or []:
                if pair["key"] in DRAIN_ENV:
                    drain_env[pair["key"]] = [mask_secrets(str(pair["value"]))[:200], instruction["line"]]
    return {"entrypoint": _instruction_argv(stage.get("entrypoint")), "cmd": _instruction_argv(stage.get("cmd")),
            "drain_env": drain_env, "stop_signal": stop_signal}


def _image_process(chain: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The ENTRYPOINT and CMD the built image runs (the nearest of its stage chain; an ENTRYPOINT set after the CMD
    resets it, as Docker does), and the drain settings of its ENV. A CMD inherited from an outside base image is
    not known (None)."""
    entry_at = next((i for i, s in enumerate(chain) if s.get("entrypoint")), None)
    cmd_at = next((i for i, s in enumerate(chain) if s.get("cmd")), None)
    cmd = chain[cmd_at]["cmd"] if cmd_at is not None and (entry_at is None or cmd_at <= entry_at) else None
    drain_env: dict[str, list[Any]] = {}
    for stage in reversed(chain):
        drain_env.update(stage.get("drain_env") or {})
    stop_signal = next((s["stop_signal"] for s in chain if s.get("stop_signal")), None)
    return {"entrypoint": chain[entry_at]["entrypoint"] if entry_at is not None else None, "cmd": cmd,
            "drain_env": drain_env, "stop_signal": stop_signal}


def _schema_values(doc: Document) -> dict[str, Any]:
    """What SVC013/SVC014 need from an env schema: each property's value keywords (no default, example or
    description: a default may be a credential), the secret properties, whether it can judge at all."""
    import json  # here: only a scan with an env schema needs it

    schema = getattr(doc, "schema", None)
    sound = schema is not None and not schema.problems and not schema.external_refs
    values: dict[str, Any] = {}
    secret: list[str] = []
    for name, prop in sorted(_mapping(doc.data.get("properties")).items(), key=lambda kv: str(kv[0])):
        if not isinstance(prop, dict):
            continue
        if prop.get("x-secret") is True or prop.get("writeOnly") is True:
            secret.append(str(name))
        kept = {k: v for k, v in prop.items() if k in _SCHEMA_VALUE_KEYWORDS}
        text = json.dumps(kept, sort_keys=True, default=str)
        if kept and '"$ref"' not in text and len(text) <= _SCHEMA_VALUE_LIMIT:
            values[str(name)] = kept
    dialect = doc.data.get("$schema")
    lines = {name: _line(doc, ("properties", name)) for name in values}
    return {"values": values if sound else {}, "lines": lines if sound else {}, "secret": secret, "dialect": dialect if isinstance(dialect, str) else None,
            "pattern_properties": bool(doc.data.get("patternProperties")),
            "closed_line": _line(doc, ("additionalProperties",))}


_IMAGE_BUILDERS = frozenset({"skaffold", "ko", "pack", "earthly", "goreleaser", "kaniko", "executor", "bazel", "bazelisk",
                             "nix", "jib", "img", "kim", "nerdctl", "depot", "buildctl", "s2i", "werf", "tilt"})
_HIDDEN_WORDS = re.compile(r"docker|image|container|push|publish|release|deploy|oci", re.IGNORECASE)


def _hidden_build_action(base: str) -> bool:
    """An action that may build or push an image: not docker/build-push-action (its tags are read), not the
    set-up, login and metadata actions around it."""
    if not base or base == "docker/build-push-action" or base.startswith(("docker/setup-", "docker/login-action",
                                                                          "docker/metadata-action")):
        return False
    return "bake" in base or bool(re.search(r"build|push|image|docker|container", base.split("/", 1)[-1]))


def _hidden_builds(doc: Document) -> bool:
    """Whether a step of the workflow may build or push an image the facts cannot name: `docker buildx bake`,
    `docker compose build/push`, a builder such as ko or skaffold, an action that builds images other than
    docker/build-push-action, or a make target or script whose name speaks of images, pushing or releasing."""
    for job in doc.data["jobs"]:
        called = job.get("uses") or {}
        if called.get("kind") == "remote":
            return True  # a reusable workflow of another repository: what it builds is not in the scan
        for step in job["steps"]:
            base = _remote_base(step)
            if _hidden_build_action(base):
                return True
            uses = step.get("uses") or {}
            if uses.get("kind") == "local" and re.search(r"build|" + _HIDDEN_WORDS.pattern, str(uses.get("path")), re.I):
                return True  # a composite action of the repository (its steps are not in the workflow's facts)
            for command in step["commands"]:
                argv = [str(a) for a in command["argv"]]
                name = command["name"]
                if name in ("docker", "podman") and (argv[1:3] == ["buildx", "bake"] or argv[1:2] == ["compose"]
                                                     and any(a in ("build", "push", "up") for a in argv[2:])):
                    return True
                if name in ("docker-compose", "podman-compose") and any(a in ("build", "push", "up") for a in argv[1:]):
                    return True
                if name == "buildah" and argv[1:2] in (["bud"], ["push"], ["commit"]):
                    return True
                if name in _IMAGE_BUILDERS or (name in ("mvn", "mvnw", "./mvnw", "gradle", "gradlew", "./gradlew")
                                               and any("jib" in a or "bootBuildImage" in a or "spring-boot:build-image" in a
                                                       for a in argv)):
                    return True
                if name in ("make", "just", "task", "npm", "yarn", "pnpm") and any(_HIDDEN_WORDS.search(a) for a in argv[1:]):
                    return True
                if (name.endswith(".sh") or "/" in name) and _HIDDEN_WORDS.search(name):
                    return True
    return False


def _attach_scan_builds(services: list[dict[str, Any]], by_type: Mapping[str, list[Fact]],
                        built_as: Mapping[str, Any], runs: Sequence[Mapping[str, Any]]) -> None:
    """Each service that a workflow deploys (a chart, or manifests it applies with `kubectl apply -f`, recorded in
    `applies`) learns which image repositories the scan builds (a pipeline's tags, a skaffold artifact, a compose
    build with an image name) and whether some build's image is not known (a tag from a step output, a bake file, a
    script): SVC016 judges a deployed repository against the whole scan."""
    applied: dict[str, list[dict[str, Any]]] = {}
    for workflow in by_type.get("workflow", []):
        for deploy in workflow["deploys"]:
            if deploy["type"] != "kubectl-apply":
                continue
            targets = [_join(deploy["root"], p) for p in deploy["paths"]]
            for run in runs:
                if run["type"] == "kubernetes" and any(_within(run["path"], t) for t in targets):
                    applied.setdefault(run["node"], []).append(deploy)
    names: set[str] = {key.split(":", 1)[1] for key in built_as}
    hidden = False
    for workflow in by_type.get("workflow", []):
        hidden = hidden or bool(workflow.get("hidden_builds"))
        for build in workflow["builds"]:
            if not build["tags"] and not build.get("push_only"):
                hidden = True  # a build that tags nothing we can read (a --metadata-file, an `--iidfile`)
            for tag in build["tags"]:
                name = image_name(tag)
                if name is None:
                    hidden = True
                else:
                    names.add(name)
    for service in services:
        applies: dict[tuple[str, int], dict[str, Any]] = {}
        for run in service["runs"]:
            if run["type"] != "kubernetes":
                continue
            node = f"k8s:{run['path']}#{run['workload']}/{run['container']}"
            for deploy in applied.get(node, []):
                entry = applies.setdefault((deploy["path"], deploy["line"]), {k: deploy[k] for k in ("path", "line", "job")}
                                           | {"runs": []})
                entry["runs"].append(node)
        service["applies"] = [applies[k] for k in sorted(applies)]
        deployed = service["deploys"] or service["applies"]
        service["scan_builds"] = {"images": sorted(names), "hidden": hidden} if deployed else None


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
            **_image_health_facts(chain, dockerfile["stages"]),
            **_inherited_ports_and_identity(chain),
            **_image_process(chain)}


def _inherited_ports_and_identity(chain: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The stage facts of _stage_ports_and_identity over a stage and the stages it is built `FROM` (first the
    earliest): a VOLUME, an owner or an account of a parent stage is in the image too."""
    ordered = list(reversed(chain))
    return {key: [item for s in ordered for item in s.get(key, [])]
            for key in ("expose_other", "volumes", "owners", "accounts")} | {
        "group_writable": any(s.get("group_writable") for s in ordered),
        "numbers": sorted({n for s in ordered for n in s.get("numbers", [])})}


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
    # bake: each target builds a Dockerfile (context, dockerfile, target) as the images it tags; a workflow step
    # that runs bake is a pipeline build of the targets it selects
    for run in bake_runs(by_type):
        targets = _bake_targets(run["files"])
        step = run["step"]
        selected = set(_bake_selected(run["files"], step["targets"], targets)) if step is not None else set()
        for name, target in targets.items():
            made = _bake_build(target, run["cwd"])
            node = dockerfile_node(*made) if made is not None else None
            if made is None or node is None:
                continue
            # the file's own tags (variables at their defaults); a metadata-action step's only where it builds
            for tag in [] if target.get("tags_from_step") else target.get("tags") or []:
                if (image := image_node(tag)) is None:
                    continue
                links.join(node, image)
                built_as.setdefault(image, set()).add((made[0], made[1], "bake target"))
                edge = {"from": node, "to": image, "how": "bake target", "at": target["at"]}
                if edge not in edges:
                    edges.append(edge)
            for tag in _step_tags(target, step) if name in selected else []:
                if (image := image_node(tag)) is None:
                    continue
                links.join(node, image)
                built_as.setdefault(image, set()).add((made[0], made[1], "pipeline build"))
                # a tag the step overrides (`--set *.tags=`) is not the one in the file: kept unknown
                pushed = f"{image_name(tag)}:${{{{ bake --set }}}}" if step["overrides"] else tag
                edges.append({"from": node, "to": image, "how": "pipeline build", "at": [step["path"], step["line"]]})
                builds.append({"image": image, "tag": image_tag(pushed), "push": bool(step["push"]),
                               "path": step["path"], "line": step["line"], "job": step["job"],
                               "dockerfile": node, "target": made[1],
                               "tag_at": None if target.get("tags_from_step") else target.get("tags_at")})
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
    mapped = _services(links, artifacts, edges, builds, runs, deploys, by_type, dockerfiles, declared or {})
    _attach_scan_builds(mapped["services"], by_type, built_as, runs)
    return mapped


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
                          # a bake step's tags are written in the bake file's target: a third end of the link
                          | ({"tag_at": b["tag_at"]} if b.get("tag_at") else {})
                          for b in built_by],
            "deploys": [{k: d[k] for k in ("path", "line", "job", "type", "node")} | {"sets": d.get("sets", {}), "tag": d.get("tag")}
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
