"""How the final image runs: its user, its main process and signals, its health check, where it logs."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from readycheck.model import Edit, Fix, Hit, Span, Subject
from readycheck.shell import parse_script

if TYPE_CHECKING:
    from readycheck.targets import Command, Instruction, Stage

INITS = {"tini", "tini-static", "dumb-init", "catatonit", "s6-svscan", "init", "runsvdir", "supervisord"}
_SHELLS = {"sh", "bash", "dash", "ash", "zsh"}
NONROOT_BY_DESIGN = ["gcr.io/distroless/*:nonroot", "gcr.io/distroless/*:nonroot-*", "gcr.io/distroless/*:debug-nonroot*",
                     "cgr.dev/chainguard/*"]


def _image_name(base: Mapping[str, Any]) -> str:
    name = base["repository"] if not base["registry"] else f"{base['registry']}/{base['repository']}"
    return name + (f":{base['tag']}" if base["tag"] else "")


def nonroot_by_design(base: Mapping[str, Any], allowed: list[str]) -> bool:
    """Images whose default user is not root: distroless :nonroot, Chainguard, and the configured ones."""
    name = _image_name(base)
    return any(fnmatch.fnmatchcase(name, p) or fnmatch.fnmatchcase(base["image"], p) for p in [*NONROOT_BY_DESIGN, *allowed])


def is_root(user: str) -> bool:
    return user.split(":", 1)[0].strip().strip("'\"") in ("root", "0")


def runs_as_root(subject: Subject[Stage], options: dict[str, Any]) -> Iterator[Hit]:
    stage = subject.data
    user = stage["effective_user"]
    if user is None:
        if nonroot_by_design(stage["root_base"], list(options.get("nonroot_images", []))):
            return
        yield Hit("the final stage sets no USER: the container runs as root")
        return
    if "$" in user or not is_root(user):
        return
    if stage["user_line"] is not None:
        written = stage.get("user_written") or user
        shown = user if written == user else f"{written} (= {user})"
        yield Hit(f"the final stage switches to USER {shown}: the container runs as root", span=Span(stage["user_line"]))
    else:
        yield Hit(f"the final stage inherits USER {user}: the container runs as root")


def sudo_in_run(subject: Subject[Command], options: dict[str, Any]) -> Iterator[Hit]:
    if subject.data["name"] == "sudo":
        yield Hit("sudo in RUN: the build already runs as root where it needs to; switch with USER instead")


def multiple_healthchecks(subject: Subject[Stage], options: dict[str, Any]) -> Iterator[Hit]:
    checks = [i for i, ins in enumerate(subject.data["instructions"]) if ins["cmd"] == "HEALTHCHECK"]
    last_line = subject.data["instructions"][checks[-1]]["line"] if checks else 0
    for index in checks[:-1]:
        yield Hit(f"HEALTHCHECK overridden by the one on line {last_line}: only the last one applies",
                  at=("instructions", index))


def _span(instruction: Mapping[str, Any]) -> Span:
    return Span(instruction["line"], 1, instruction["end_line"])


def _process(stage: Stage) -> list[tuple[str, Instruction]]:
    found: list[tuple[str, Instruction]] = []
    for kind in ("entrypoint", "cmd"):
        instruction = stage["effective_entrypoint"] if kind == "entrypoint" else stage["effective_cmd"]
        if instruction is not None:
            found.append((kind.upper(), instruction))
    return found


def shell_form_process(subject: Subject[Stage], options: dict[str, Any]) -> Iterator[Hit]:
    for kind, instruction in _process(subject.data):
        value = instruction["value"].strip()
        if instruction["json_form"] or not value or value.startswith("exec ") or value == "exec":
            continue
        if kind == "CMD" and subject.data["effective_entrypoint"] is not None and not subject.data["effective_entrypoint"]["json_form"]:
            continue  # ignored anyway: shell-entrypoint-ignores-cmd reports it
        yield Hit(f"shell-form {kind}: /bin/sh is PID 1 and does not pass SIGTERM on; use the exec form "
                  f'{kind} ["..."]', span=_span(instruction), fix=_exec_form_fix(subject, kind, instruction))


_PLAIN_WORD = re.compile(r"[A-Za-z0-9_./:,=@%+-]+")
_NOT_ONE_COMMAND = re.compile(r"[;&|<>\n`#]|\$\(|^\s*[A-Za-z_][A-Za-z0-9_]*=")


def _exec_form_fix(subject: Subject[Stage], kind: str, instruction: Mapping[str, Any]) -> Fix:
    """A one-line shell-form CMD or ENTRYPOINT rewritten in the exec form when it has no shell syntax at all (safe
    unless it changes what the other instruction receives); otherwise one simple command gets `exec` in front
    (unsafe: the shell still parses it, and a reviewer should look)."""
    line = instruction["line"]
    if instruction["end_line"] != line or line > len(subject.doc.lines):
        return Fix.refused(f"the {kind} is written over several lines")
    written = subject.doc.lines[line - 1]
    keyword = re.match(r"\s*(?:CMD|ENTRYPOINT)[ \t]+", written, re.IGNORECASE)
    value = instruction["value"].strip()
    if keyword is None or written[keyword.end():].rstrip() != value:
        return Fix.refused(f"the {kind} line does not map back onto the file")
    start, end = keyword.end() + 1, keyword.end() + 1 + len(value)
    words = value.split()
    if all(_PLAIN_WORD.fullmatch(w) for w in words) and not words[0].count("="):
        stage = subject.data
        other = stage["effective_cmd"] if kind == "ENTRYPOINT" else stage["effective_entrypoint"]
        exec_form = "[" + ", ".join(f'"{w}"' for w in words) + "]"
        return Fix(f"{kind} in the exec form", (Edit(line, start, line, end, value, exec_form),),
                   "safe" if other is None else "unsafe")
    if _NOT_ONE_COMMAND.search(value):
        return Fix.refused(f"the {kind} is more than one simple command: `exec` in front would change it")
    return Fix(f"`exec` in front of the {kind} command", (Edit.insert(line, start, "exec "),), "unsafe")


def _stage_of_line(stages: list[dict[str, Any]], line: int) -> int:
    return max(s["index"] for s in stages if s["line"] <= line)


def shell_entrypoint_ignores_cmd(subject: Subject[Stage], options: dict[str, Any]) -> Iterator[Hit]:
    stage = subject.data
    entrypoint, cmd = stage["effective_entrypoint"], stage["effective_cmd"]
    if entrypoint is None or cmd is None or entrypoint["json_form"]:
        return
    stages = subject.doc.data["stages"]
    if _stage_of_line(stages, cmd["line"]) < _stage_of_line(stages, entrypoint["line"]):
        return  # a later ENTRYPOINT resets an inherited CMD
    yield Hit(f"CMD is ignored: the shell-form ENTRYPOINT on line {entrypoint['line']} never receives it",
              span=_span(cmd))


def process_argv(stage: Mapping[str, Any]) -> tuple[list[str], dict[str, Any]] | None:
    """The main process's argv (ENTRYPOINT + CMD), and the instruction that decides it."""
    entrypoint, cmd = stage["effective_entrypoint"], stage["effective_cmd"]
    if entrypoint is not None:
        if not entrypoint["json_form"]:
            return _shell_words(entrypoint["value"]), entrypoint
        argv = list(entrypoint["args"] or [])
        if cmd is not None and cmd["json_form"]:
            argv += list(cmd["args"] or [])
        return argv, entrypoint if cmd is None else cmd
    if cmd is None:
        return None
    return (list(cmd["args"] or []) if cmd["json_form"] else _shell_words(cmd["value"])), cmd


def _shell_words(script: str) -> list[str]:
    commands = [c for c in parse_script(script).commands if not c.nested]
    for command in commands:
        if command.name != "exec" or len(command.argv) > 1:
            return command.argv[1:] if command.name == "exec" else command.argv
    return []


def _strip_init(argv: list[str]) -> tuple[list[str], bool]:
    has_init = False
    while argv and argv[0].rsplit("/", 1)[-1] in INITS:
        has_init = True
        argv = argv[1:]
        while argv and argv[0].startswith("-"):
            argv = argv[1:]
    return argv, has_init


def package_manager_as_process(subject: Subject[Stage], options: dict[str, Any]) -> Iterator[Hit]:
    found = process_argv(subject.data)
    if found is None:
        return
    argv, instruction = found
    argv, _ = _strip_init(argv)
    if len(argv) < 2:
        return
    tool = argv[0].rsplit("/", 1)[-1]
    if (tool in ("npm", "pnpm") and argv[1] in ("start", "run", "run-script", "test")) or (
            tool == "yarn" and argv[1] in ("start", "run")):
        yield Hit(f"`{tool} {argv[1]}` is the main process: {tool} does not forward SIGTERM to the app; "
                  'run it directly, e.g. CMD ["node", "server.js"]', span=_span(instruction))


def sh_c_without_exec(subject: Subject[Stage], options: dict[str, Any]) -> Iterator[Hit]:
    for kind, instruction in _process(subject.data):
        if not instruction["json_form"]:
            continue
        argv, _ = _strip_init(list(instruction["args"] or []))
        if len(argv) < 3 or argv[0].rsplit("/", 1)[-1] not in _SHELLS or argv[1] != "-c":
            continue
        commands = [c for c in parse_script(argv[2]).commands if not c.nested]
        if any(c.name == "exec" for c in commands):
            continue
        yield Hit(f'{kind} runs `{argv[0]} -c` without `exec`: the shell stays PID 1 and swallows SIGTERM; '
                  "end the script with `exec <server>`", span=_span(instruction))


def script_entrypoint_without_init(subject: Subject[Stage], options: dict[str, Any]) -> Iterator[Hit]:
    found = process_argv(subject.data)
    if found is None:
        return
    argv, instruction = found
    stage = subject.data
    decider = stage["effective_entrypoint"] or instruction
    argv, has_init = _strip_init(argv)
    if has_init or not argv:
        return
    if argv[0].rsplit("/", 1)[-1] in _SHELLS and len(argv) > 1 and not argv[1].startswith("-"):
        argv = argv[1:]
    if argv[0].endswith(".sh"):
        yield Hit(f"{argv[0]} runs as PID 1 with no init: signals and zombie processes go unhandled unless the "
                  "script ends with `exec`; add tini or dumb-init", span=_span(decider))


_LOG_FLAG = re.compile(r"^--?(access[-_]?log(file)?|error[-_]?log(file)?|log[-_]?file|logfile|log[-_]?path|logpath)$",
                       re.IGNORECASE)
_STREAMS = {"-", "/dev/stdout", "/dev/stderr", "stdout", "stderr", "/proc/self/fd/1", "/proc/self/fd/2", "/dev/null"}


def _log_files(argv: list[str]) -> Iterator[str]:
    for index, word in enumerate(argv):
        flag, eq, value = word.partition("=")
        if not _LOG_FLAG.match(flag):
            continue
        if not eq:
            value = argv[index + 1] if index + 1 < len(argv) else ""
        if value and value not in _STREAMS and not value.startswith("$"):
            yield f"{flag} {value}"


def logs_to_file(subject: Subject[Stage], options: dict[str, Any]) -> Iterator[Hit]:
    for kind, instruction in _process(subject.data):
        targets: list[str] = []
        if instruction["json_form"]:
            args = list(instruction["args"] or [])
            targets += list(_log_files(args))
            if len(args) >= 3 and args[0].rsplit("/", 1)[-1] in _SHELLS and args[1] == "-c":
                targets += _script_log_files(args[2])
        else:
            targets += _script_log_files(instruction["value"])
        if targets:
            yield Hit(f"{kind} writes logs to a file ({targets[0]}): log to stdout/stderr so the runtime collects them",
                      span=_span(instruction))
    for index, instruction in enumerate(subject.data["instructions"]):
        for ci, command in enumerate(instruction.get("commands") or []):
            log_file = _prepared_log_file(command)
            if log_file:
                yield Hit(f"RUN prepares the log file {log_file}: the app will log into the container's filesystem "
                          "instead of stdout/stderr", at=("instructions", index, "commands", ci))


def _prepared_log_file(command: Mapping[str, Any]) -> str | None:
    """`ln -s /data/app.log /var/log/app.log` or `touch /var/log/app.log`: a log set up as a file."""
    words = [w for w in command["argv"][1:] if not w.startswith("-")]
    if command["name"] == "ln" and len(words) == 2:
        target, link = words
        if link.endswith(".log") and target not in _STREAMS and not target.startswith(("/proc/", "/dev/")):
            return link
    if command["name"] == "touch":
        return next((w for w in words if w.endswith(".log")), None)
    return None


def _script_log_files(script: str) -> list[str]:
    found: list[str] = []
    for command in parse_script(script).commands:
        found += list(_log_files(command.argv))
        for op, target in command.redirects:
            if op in (">", ">>", "&>", "&>>", ">|") and target.startswith("/") and target not in _STREAMS:
                found.append(f"{op} {target}")
    return found
