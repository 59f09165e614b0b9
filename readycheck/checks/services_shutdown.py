"""Shutdown across a service's artifacts: the time the platform gives the process to stop, against the drain time
its image declares.

The drain time is read only where it is precise: the web server the image runs (gunicorn, uvicorn, hypercorn,
found in the command line the container really runs: the image's ENTRYPOINT and CMD as the manifest or compose
file overrides them) and its documented drain option, on that command line or in the variable the server reads it
from (GUNICORN_CMD_ARGS, UVICORN_TIMEOUT_GRACEFUL_SHUTDOWN). A server's default drain time is not assumed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any

from readycheck.checks.services import _at, _run_place, _what
from readycheck.judge.commands import argv_commands, option_values, strip_wrappers, tool_of
from readycheck.k8s.workloads import LONG_RUNNING_KINDS
from readycheck.model import Hit, Subject
from readycheck.targets import BuiltImage, Service, ServiceRun

KUBERNETES_GRACE_DEFAULT = 30
COMPOSE_GRACE_DEFAULT = 10
DRAIN_OPTIONS = {
    "gunicorn": ("--graceful-timeout", "GUNICORN_CMD_ARGS"),
    "uvicorn": ("--timeout-graceful-shutdown", "UVICORN_TIMEOUT_GRACEFUL_SHUTDOWN"),
    "hypercorn": ("--graceful-timeout", None),
}
"""The server, its drain option (seconds), and the variable it also reads the option from."""
_RUNNERS = {"poetry": 1, "pipenv": 1, "uv": 1, "pdm": 1, "hatch": 1, "rye": 1, "ddtrace-run": 0, "exec": 0}
"""Programs that run the command after them (`poetry run gunicorn ...`): how many words of their own come first."""
_SECONDS = re.compile(r"[0-9]+(\.[0-9]+)?\Z")

Origin = tuple[str, int | None]
"""Where a word of the command line is written: ("image", Dockerfile line) or ("run", None)."""


def _server(words: Sequence[str]) -> tuple[str, list[str]] | None:
    """The drain-declaring server a command runs, and its arguments: `gunicorn ...`, `python -m uvicorn ...`."""
    words = strip_wrappers(words)
    for _ in range(4):
        tool = tool_of(words)
        if tool in _RUNNERS:
            skip = _RUNNERS[tool]
            words = strip_wrappers(words[1 + skip:] if tool != "uv" or words[1:2] == ["run"] else [])
            continue
        if re.fullmatch(r"python[0-9.]*", tool) and words[1:2] == ["-m"] and len(words) > 2:
            tool, words = words[2], words[2:]
        if tool in DRAIN_OPTIONS:
            return tool, list(words[1:])
        return None
    return None


def _option(args: Sequence[str], option: str) -> tuple[int, str] | None:
    """(index, value) of the last `--option N` / `--option=N` in args."""
    found = option_values(args, (option,))
    return found[-1] if found else None


def _seconds(text: str) -> float | None:
    return float(text) if _SECONDS.match(text.strip()) else None


def _run_env(run: ServiceRun) -> dict[str, str | None]:
    return {e["name"]: e["value"] for e in run.get("env_entries") or []}


def _command_line(run: ServiceRun, built: BuiltImage) -> list[tuple[str, Origin]]:
    """The words the container runs, each with where it is written: the image's ENTRYPOINT and CMD, replaced as
    Kubernetes (`command` replaces both, `args` the CMD) or compose (`entrypoint` replaces both, `command` the CMD)
    replace them."""
    def image(part: dict[str, Any] | None) -> list[tuple[str, Origin]]:
        return [(w, ("image", part["line"])) for w in part["argv"]] if part else []

    def own(words: list[str] | None) -> list[tuple[str, Origin]]:
        return [(w, ("run", None)) for w in words or []]

    if run["type"] == "compose":
        entry_override, cmd_override = run.get("entrypoint"), run.get("command")
    else:
        entry_override, cmd_override = run.get("command"), run.get("args")
    if entry_override is not None:
        return own(entry_override) + own(cmd_override)
    cmd = own(cmd_override) if cmd_override is not None else image(built.get("cmd"))
    return image(built.get("entrypoint")) + cmd


def declared_drain(run: ServiceRun, built: BuiltImage) -> tuple[float, str, int] | None:
    """(seconds, how, Dockerfile line) of the drain time the image declares for the server the container runs;
    None when the server is not one of DRAIN_OPTIONS, the option is not given, its value is not a literal number,
    or the manifest or compose file sets it itself (then it is no longer the image's)."""
    line = _command_line(run, built)
    words = [w for w, _ in line]
    for index, command in argv_commands(words):
        server = _server(command["argv"])
        if server is None:
            continue
        tool, args = server
        option, variable = DRAIN_OPTIONS[tool]
        given = _option(args, option)
        if given is not None:
            seconds = _seconds(given[1])
            origin = line[index][1] if index < len(line) else ("run", None)
            if command["pipeline"] == 0:  # the argv itself: the option's own word says where it is written
                origin = line[len(words) - len(args) + given[0]][1]
            if seconds is None or origin[0] != "image":
                return None
            return seconds, f"{tool} {option} {given[1]}", int(origin[1] or 1)
        if variable is None:
            return None
        run_env = _run_env(run)
        if variable in run_env:
            return None  # the manifest sets it: what it holds is the runner's, not the image's
        image_value = (built.get("drain_env") or {}).get(variable)
        if image_value is None:
            return None
        value, at = image_value
        if tool == "gunicorn":
            in_env = _option(str(value).split(), option)
            seconds = _seconds(in_env[1]) if in_env else None
        else:
            seconds = _seconds(str(value))
        return (seconds, f"ENV {variable}={value}", int(at)) if seconds is not None else None
    return None


_TERM = frozenset({"SIGTERM", "TERM", "15"})


def _stops_with_sigterm(run: ServiceRun, built: BuiltImage) -> bool:
    """Whether the process is stopped with SIGTERM, the signal whose handling is the drain: another STOPSIGNAL (or
    compose `stop_signal`) makes gunicorn quit at once (SIGINT, SIGQUIT), so its drain time does not apply."""
    signal = (run.get("stop_signal") if run["type"] == "compose" else None) or built.get("stop_signal")
    return signal is None or str(signal).upper() in _TERM


def grace_shorter_than_drain(subject: Subject[Service], options: dict[str, Any]) -> Iterator[Hit]:
    """terminationGracePeriodSeconds (default 30) is shorter than the preStop delay plus the drain time the image's
    server declares; or a compose stop_grace_period (default 10s) shorter than that drain time."""
    for run in subject.data["runs"]:
        built = run.get("built_from")
        if not built or not _stops_with_sigterm(run, built):
            continue
        if run["type"] != "compose" and str(run.get("workload", "")).split("/", 1)[0] not in LONG_RUNNING_KINDS:
            continue  # a Job's pod ends with its work: its stop is no rollout cutting requests
        grace = run.get("grace") or {}
        if grace.get("set") and grace.get("seconds") is None:
            continue  # a templated or odd value: not known
        drain = declared_drain(run, built)
        if drain is None:
            continue
        seconds, how, line = drain
        compose = run["type"] == "compose"
        given = float(grace["seconds"] if grace.get("set") else COMPOSE_GRACE_DEFAULT if compose else KUBERNETES_GRACE_DEFAULT)
        pre_stop = 0.0 if compose else float(run.get("pre_stop_seconds") or 0)
        if pre_stop >= given:
            continue  # the preStop hook alone outlasts the grace period: K8S602 reports it
        if given >= pre_stop + seconds:
            continue
        field = "stop_grace_period" if compose else "terminationGracePeriodSeconds"
        shown = f"{field} {given:g}s" if grace.get("set") else f"the default {field} of {given:g}s"
        waits = f"its preStop hook waits {pre_stop:g}s, then " if pre_stop else ""
        stopper = "docker" if compose else "the kubelet"
        yield _at(grace.get("place") or _run_place(run),
                  f"{_what(run)} is given {shown} to stop, but {waits}its image (built from {built['path']}) drains "
                  f"for up to {seconds:g}s ({how}): {stopper} kills the process "
                  f"{pre_stop + seconds - given:g}s before its drain may end, cutting the requests still in flight",
                  [(built["path"], line, how)], f"{run['path']}|{_what(run)}|{given:g}|{seconds:g}")
