"""Compose checks: one subject per service (`compose.service`), merged with the override file.

Values may hold compose interpolation: `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?error}`,
`${VAR:+alt}`, `$VAR`, and `$$` for a literal dollar. `resolve` gives the value a default-only
environment would produce, or None when it depends on a variable without a default.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from readycheck.judge.commands import argv_judgements
from readycheck.judge.durations import duration_seconds
from readycheck.judge.edits import make_fix, sequence_to_mapping, set_entry
from readycheck.judge.images import floating, parse_image
from readycheck.judge.locate import hit_at
from readycheck.model import Fix, Hit, Pointer, Subject
from readycheck.secrets import is_placeholder, is_secret_name, redact, scan_value

if TYPE_CHECKING:
    from readycheck.targets import ComposeService

_REFERENCE = re.compile(r"\$\$|\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?+])(?P<arg>[^}]*))?\}"
                        r"|\$(?P<bare>[A-Za-z_][A-Za-z0-9_]*)")
_SHELLS = ("sh", "bash", "ash", "dash", "zsh")
_SHELL_SYNTAX = re.compile(r"&&|\|\||[|;<>`]|\$\(")


def resolve(value: str) -> str | None:
    """The value with every reference replaced by its default; None when a variable has no default."""
    unknown = False

    def replace(match: re.Match[str]) -> str:
        nonlocal unknown
        if match.group(0) == "$$":
            return "$"
        op = match.group("op")
        if op in (":-", "-"):
            return match.group("arg")
        unknown = True
        return ""

    resolved = _REFERENCE.sub(replace, value)
    return None if unknown else resolved


def unescape(value: str) -> str:
    """The literal text compose passes on for a value with no references (`$$` is `$`)."""
    return value.replace("$$", "$")


def _hit(subject: Subject, message: str, at: Pointer | None = None, severity: str | None = None) -> Hit:
    """A hit at the nearest located part of `at` (relative to the service), or at the service."""
    if not at:
        return Hit(message, severity=severity)
    return hit_at(subject, subject.pointer + at, message, severity=severity)


def _name(subject: Subject) -> str:
    return str(subject.context["name"])


def _healthcheck_enabled(service: dict[str, Any]) -> bool:
    check = service.get("healthcheck")
    if not isinstance(check, dict) or check.get("disable") is True:
        return False
    test = check.get("test")
    return not (isinstance(test, list) and test[:1] == ["NONE"])


# healthcheck ----------------------------------------------------------------------------------------


def healthcheck_missing(subject: Subject[ComposeService], options: dict[str, Any]) -> Iterator[Hit]:
    service = subject.data
    if not subject.context["long_running"] or "healthcheck" in service:
        return
    if subject.context["dockerfile_healthcheck"]:
        return  # the image built here declares HEALTHCHECK
    yield _hit(subject, f"service '{_name(subject)}' has no healthcheck: compose and dependants cannot tell when "
               "it is ready or hung")


def healthcheck_disabled(subject: Subject[ComposeService], options: dict[str, Any]) -> Iterator[Hit]:
    check = subject.data.get("healthcheck")
    if not isinstance(check, dict):
        return
    if check.get("disable") is True:
        yield _hit(subject, f"service '{_name(subject)}' disables its healthcheck", ("healthcheck", "disable"))
    elif isinstance(check.get("test"), list) and check["test"][:1] == ["NONE"]:
        yield _hit(subject, f"service '{_name(subject)}' disables its healthcheck (test: NONE)", ("healthcheck", "test"))


def depends_on_not_healthy(subject: Subject[ComposeService], options: dict[str, Any]) -> Iterator[Hit]:
    depends = subject.data.get("depends_on")
    services: dict[str, Any] = subject.context["services"]
    if isinstance(depends, list):
        entries = [(str(d), (i,), None) for i, d in enumerate(depends)]
    elif isinstance(depends, dict):
        entries = [(str(d), (d,), spec.get("condition") if isinstance(spec, dict) else None)
                   for d, spec in depends.items()]
    else:
        return
    for dependency, at, condition in entries:
        target = services.get(dependency)
        if isinstance(target, dict) and _healthcheck_enabled(target) and condition != "service_healthy":
            hit = _hit(subject, f"service '{_name(subject)}' starts as soon as '{dependency}' starts, not when it is "
                       "healthy: use condition: service_healthy", ("depends_on",) + at)
            hit.fix = _healthy_dependency_fix(subject, dependency, isinstance(depends, list))
            yield hit


def _healthy_dependency_fix(subject: Subject[ComposeService], dependency: str, short_form: bool) -> Fix:
    """The long form of depends_on, each dependency with a healthcheck waited for until healthy (the others
    keep `service_started`, which is what the short form means); in the long form, the condition set."""
    services: dict[str, Any] = subject.context["services"]
    description = "wait for the dependencies with a healthcheck to be healthy (condition: service_healthy)"
    if not short_form:
        edit = set_entry(subject.doc, subject.pointer + ("depends_on", dependency), ["condition"], "service_healthy")
        return make_fix(description, edit, "unsafe")

    def condition(name: str) -> list[str]:
        target = services.get(name)
        healthy = isinstance(target, dict) and _healthcheck_enabled(target)
        return [f"condition: {'service_healthy' if healthy else 'service_started'}"]

    return make_fix(description, sequence_to_mapping(subject.doc, subject.pointer + ("depends_on",), condition), "unsafe")


# resources ------------------------------------------------------------------------------------------


def resource_limits_missing(subject: Subject[ComposeService], options: dict[str, Any]) -> Iterator[Hit]:
    service = subject.data
    limits = (service.get("deploy") or {}).get("resources", {}) if isinstance(service.get("deploy"), dict) else {}
    if isinstance(limits, dict) and limits.get("limits"):
        return
    if any(service.get(key) is not None for key in ("mem_limit", "cpus", "memswap_limit")):
        return
    severity = None if subject.context["production"] else "note"  # production files: the rule's severity
    yield _hit(subject, f"service '{_name(subject)}' has no memory or CPU limit (deploy.resources.limits, "
               "mem_limit, cpus)", severity=severity)


# pinned versions ------------------------------------------------------------------------------------


def image_not_pinned(subject: Subject[ComposeService], options: dict[str, Any]) -> Iterator[Hit]:
    image = subject.data.get("image")
    if not isinstance(image, str) or "build" in subject.data:
        return
    resolved = resolve(image)
    if resolved is None or not resolved.strip():
        return
    what = floating(parse_image(resolved))
    if what:
        yield _hit(subject, f"service '{_name(subject)}': image '{image}' {what}", ("image",))


# non-root -------------------------------------------------------------------------------------------


def user_root(subject: Subject[ComposeService], options: dict[str, Any]) -> Iterator[Hit]:
    user = subject.data.get("user")
    if user is None:
        return
    resolved = resolve(str(user))
    if resolved is not None and resolved.split(":", 1)[0].strip() in ("root", "0"):
        yield _hit(subject, f"service '{_name(subject)}' runs as root (user: {user})", ("user",))


# least privilege ------------------------------------------------------------------------------------


def privileged(subject: Subject[ComposeService], options: dict[str, Any]) -> Iterator[Hit]:
    if subject.data.get("privileged") is True:
        yield _hit(subject, f"service '{_name(subject)}' runs privileged", ("privileged",))


def dangerous_cap_add(subject: Subject[ComposeService], options: dict[str, Any]) -> Iterator[Hit]:
    added = subject.data.get("cap_add")
    dangerous = {str(c).upper() for c in options.get("capabilities", [])}
    for i, cap in enumerate(added if isinstance(added, list) else []):
        name = str(cap).upper().removeprefix("CAP_")
        if name in dangerous:
            yield _hit(subject, f"service '{_name(subject)}' adds the {name} capability", ("cap_add", i))


def host_mode(subject: Subject[ComposeService], options: dict[str, Any]) -> Iterator[Hit]:
    """`params.field: host` shares the host's `params.what` (network_mode, pid, ipc)."""
    key, what = options["field"], options["what"]
    if str(subject.data.get(key) or "") == "host":
        yield _hit(subject, f"service '{_name(subject)}' shares the host's {what} ({key}: host)", (key,))


def _volume_source(volume: Any) -> str:
    if isinstance(volume, dict):
        return str(volume.get("source") or "")
    parts = str(volume).split(":")
    return parts[0] if len(parts) > 1 else ""


def docker_socket(subject: Subject[ComposeService], options: dict[str, Any]) -> Iterator[Hit]:
    volumes = subject.data.get("volumes")
    for i, volume in enumerate(volumes if isinstance(volumes, list) else []):
        source = resolve(_volume_source(volume)) or ""
        if source.rstrip("/").endswith(("/docker.sock", "/podman.sock", "/containerd.sock")):
            yield _hit(subject, f"service '{_name(subject)}' mounts the container runtime socket {source}: "
                       "that is root on the host", ("volumes", i))


# secrets --------------------------------------------------------------------------------------------


def _environment(service: Mapping[str, Any]) -> Iterator[tuple[str, str, Pointer]]:
    """(name, raw value, pointer relative to the service) of each literal environment entry."""
    env = service.get("environment")
    if isinstance(env, dict):
        for key, value in env.items():
            if value is not None and not isinstance(value, (dict, list)):
                yield str(key), str(value) if not isinstance(value, bool) else str(value).lower(), ("environment", key)
    elif isinstance(env, list):
        for i, item in enumerate(env):
            if isinstance(item, str) and "=" in item:
                key, _, value = item.partition("=")
                yield key.strip(), value, ("environment", i)


def environment_secret(subject: Subject[ComposeService], options: dict[str, Any]) -> Iterator[Hit]:
    for key, value, at in _environment(subject.data):
        if _REFERENCE.fullmatch(value.strip()) and value.strip() != "$$":
            continue  # the whole value comes from the environment
        for match in scan_value(unescape(value), key=key, context="compose"):
            if match.confidence == "low":
                continue  # a weak guess, such as a short password in a local connection string
            yield _hit(subject, f"service '{_name(subject)}': {key} holds a literal secret ({match.description}: "
                       f"{redact(match.value)}); use compose secrets or an env file kept out of git", at,
                       severity=None if match.severity == "error" else str(match.severity))
            break


def _strings(node: Any, pointer: Pointer) -> Iterator[tuple[str, Pointer]]:
    if isinstance(node, str):
        yield node, pointer
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _strings(value, pointer + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _strings(value, pointer + (i,))


def interpolation_secret_default(subject: Subject[ComposeService], options: dict[str, Any]) -> Iterator[Hit]:
    for text, at in _strings(subject.data, ()):
        for match in _REFERENCE.finditer(text):
            name, op, default = match.group("name"), match.group("op"), match.group("arg")
            if not name or op not in (":-", "-") or not default or is_placeholder(default):
                continue
            env_key = str(at[1]) if len(at) > 1 and at[0] == "environment" and isinstance(at[1], str) else ""
            if is_secret_name(name) or (env_key and is_secret_name(env_key)):
                yield _hit(subject, f"service '{_name(subject)}': ${{{name}}} falls back to a literal secret "
                           f"({redact(default)}) when the variable is unset; use ${{{name}:?}} to require it", at)


# graceful shutdown ----------------------------------------------------------------------------------

def stop_grace_short(subject: Subject[ComposeService], options: dict[str, Any]) -> Iterator[Hit]:
    seconds = duration_seconds(subject.data.get("stop_grace_period"))
    minimum = float(options.get("minimum_seconds", 5))
    if seconds is not None and seconds < minimum:
        yield _hit(subject, f"service '{_name(subject)}': stop_grace_period {subject.data['stop_grace_period']} "
                   "leaves no time to drain before SIGKILL", ("stop_grace_period",))


def _shell_wrapped(command: Any) -> bool:
    """A command whose PID 1 is a shell: `sh -c ...`, or a string that only works through a shell."""
    if isinstance(command, list):
        argv = [str(a) for a in command]
    elif isinstance(command, str):
        try:
            argv = shlex.split(command)
        except ValueError:
            return True
        if _SHELL_SYNTAX.search(command) and not (argv and argv[0].rsplit("/", 1)[-1] in _SHELLS):
            return True
    else:
        return False
    return len(argv) >= 2 and argv[0].rsplit("/", 1)[-1] in _SHELLS and argv[1].startswith("-") and "c" in argv[1]


def shell_command_without_init(subject: Subject[ComposeService], options: dict[str, Any]) -> Iterator[Hit]:
    if subject.data.get("init") is True:
        return
    for key in ("entrypoint", "command"):
        if _shell_wrapped(subject.data.get(key)):
            yield _hit(subject, f"service '{_name(subject)}': {key} runs through a shell that does not forward "
                       "SIGTERM; set init: true or exec the process", (key,))
            return


# availability ---------------------------------------------------------------------------------------


def restart_policy_missing(subject: Subject[ComposeService], options: dict[str, Any]) -> Iterator[Hit]:
    service = subject.data
    if not subject.context["production"] or not subject.context["long_running"]:
        return
    deploy = deploy if isinstance(deploy := service.get("deploy"), dict) else {}
    if service.get("restart") or deploy.get("restart_policy"):
        return
    yield _hit(subject, f"service '{_name(subject)}' has no restart policy: a crash leaves it down")


# commands the service runs --------------------------------------------------------------------------


def _argv_parts(value: Any, key: str) -> list[tuple[Pointer, str]]:
    """The words of a compose `command`/`entrypoint` with their pointers (a string is split as compose splits it)."""
    if isinstance(value, list):
        return [((key, i), unescape(str(w))) for i, w in enumerate(value)]
    if isinstance(value, str):
        try:
            return [((key,), unescape(w)) for w in shlex.split(value)]
        except ValueError:
            return []
    return []


def command_judgement(subject: Subject[ComposeService], options: dict[str, Any]) -> Iterator[Hit]:
    """The shared command judgement named by the rule's `idea` param (install, pipe, tls), on what the service runs
    (`entrypoint` + `command`, and a `sh -c` script in them)."""
    parts = _argv_parts(subject.data.get("entrypoint"), "entrypoint") + _argv_parts(subject.data.get("command"), "command")
    for element, message in argv_judgements([w for _, w in parts], options["idea"]):
        yield _hit(subject, f"service '{_name(subject)}': {message}", parts[element][0])
