"""How a Dockerfile builds: prompts that hang the build, pipes that hide a failure, caches left in layers,
instructions Docker ignores or no longer supports."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from readycheck.checks.dockerfile import add_option, mounted
from readycheck.judge.commands import DOWNLOADERS, command_words, package_action, python_install, tool_of
from readycheck.model import Edit, Fix, Hit, Subject

if TYPE_CHECKING:
    from readycheck.targets import Command, Instruction, Stage

_PROMPTING = {"install", "upgrade", "remove"}
_APT_YES = {"-y", "--yes", "--assume-yes", "-qq", "--quiet=2", "-q=2"}
_RPM_YES = {"-y", "--assumeyes"}
_ZYPPER_YES = {"-n", "--non-interactive", "-y", "--no-confirm"}


def _says_yes(family: str, words: list[str]) -> bool:
    flags = [w for w in words[1:] if w.startswith("-")]
    if family == "apt":
        short = "".join(w[1:] for w in flags if not w.startswith("--"))
        return bool(_APT_YES & set(flags)) or "y" in short or short.count("q") >= 2 or flags.count("--quiet") >= 2 \
            or any(re.search(r"assume-yes[= ](true|1|yes)", w, re.I) for w in words)
    if family == "rpm":
        return bool(_RPM_YES & set(flags)) or any(not w.startswith("--") and "y" in w[1:] for w in flags)
    if family == "zypper":
        return bool(_ZYPPER_YES & set(flags))
    return True  # apk never asks


def install_prompts(subject: Subject[Command], options: dict[str, Any]) -> Iterator[Hit]:
    """apt-get/yum/dnf/zypper installs, upgrades and removals ask for confirmation unless told not to."""
    words = command_words(subject.data)
    found = package_action(words)
    if found is None or found.action not in _PROMPTING or found.family == "apk":
        return
    if not _says_yes(found.family, words):
        flag = {"apt": "-y", "rpm": "-y", "zypper": "--non-interactive"}[found.family]
        yield Hit(f"`{found.tool} {found.verb}` without {flag} waits for a confirmation no one can give: the build "
                  "aborts or hangs")


_UPGRADES = {"apt": {"upgrade", "dist-upgrade", "full-upgrade"}, "rpm": {"upgrade", "update", "up", "distro-sync",
             "dsync", "upgrade-minimal", "up-min", "dist-upgrade"}, "zypper": {"dist-upgrade", "dup", "update", "up",
             "patch"}, "apk": {"upgrade"}}


def system_upgrade(subject: Subject[Command], options: dict[str, Any]) -> Iterator[Hit]:
    words = command_words(subject.data)
    found = package_action(words)
    if found is None or found.verb not in _UPGRADES.get(found.family, set()):
        return
    if found.operands and found.family != "zypper":
        return  # `yum update curl` upgrades named packages: an install by another name
    yield Hit(f"`{found.tool} {found.verb}` upgrades every package of the base image to whatever is newest at build "
              "time: two builds of the same commit differ; rebuild on a newer base image tag instead")


_PIP_CACHE_OFF = {"1", "on", "yes", "true", "0", "off", "no", "false"}  # pip reads any of these as "no cache"


def _no_cache_env(subject: Subject) -> bool:
    stage: Any = subject.context.get("stage", {})
    stages = subject.doc.data["stages"]
    while stage:  # ENV is inherited through FROM <stage>
        if str(stage.get("env", {}).get("PIP_NO_CACHE_DIR", "")).strip("'\"").lower() in _PIP_CACHE_OFF:
            return True
        parent = stage.get("parent_stage")
        stage = stages[parent] if parent is not None else None
    for command in subject.context.get("instruction", {}).get("commands") or []:
        pairs = dict(command.get("assignments") or {})
        if command["name"] in ("export", "env"):
            pairs.update(w.split("=", 1) for w in command["argv"][1:] if "=" in w)
        if str(pairs.get("PIP_NO_CACHE_DIR", "")).strip("'\"").lower() in _PIP_CACHE_OFF:
            return True
    return False


def pip_cache_kept(subject: Subject[Command], options: dict[str, Any]) -> Iterator[Hit]:
    words = command_words(subject.data)
    found = python_install(words)
    if found is None or found[0] != "pip" or "--no-cache-dir" in words or "--no-cache" in words:
        return
    instruction = subject.context.get("instruction", {})
    if any(mounted(instruction, p) for p in ("/root/.cache/pip", "/root/.cache")) or any(
            m.get("type") in ("cache", "tmpfs") and "pip" in str(m.get("target", m.get("dst", "")))
            for m in instruction.get("flags", {}).get("mount", [])):
        return
    if _no_cache_env(subject):
        return
    yield Hit("pip install keeps its download cache in the layer: add --no-cache-dir, or mount the cache "
              "(RUN --mount=type=cache,target=/root/.cache/pip)", fix=add_option(subject, "install", "--no-cache-dir"))


def maintainer(subject: Subject[Instruction], options: dict[str, Any]) -> Iterator[Hit]:
    if subject.data["cmd"] == "MAINTAINER":
        yield Hit("MAINTAINER is deprecated: use LABEL org.opencontainers.image.authors=\"...\"",
                  fix=_maintainer_label(subject))


def _maintainer_label(subject: Subject[Instruction]) -> Fix:
    """MAINTAINER rewritten as the OCI authors label, its text kept as written (in double quotes)."""
    instruction = subject.data
    line = instruction["line"]
    value = instruction["value"].strip()
    written = subject.doc.lines[line - 1] if line <= len(subject.doc.lines) else ""
    if instruction["end_line"] != line or not value or any(c in value for c in '"\\$`'):
        return Fix.refused("the MAINTAINER text spans lines or holds a quote, a backslash or a `$`")
    start = len(written) - len(written.lstrip())
    if written[start:].rstrip() != instruction["original"] or not written[start:].upper().startswith("MAINTAINER"):
        return Fix.refused("the MAINTAINER line does not map back onto the file")
    old = written[start:].rstrip()
    keyword = "LABEL" if old[:10].isupper() else "label"
    return Fix("MAINTAINER becomes LABEL org.opencontainers.image.authors",
               (Edit(line, start + 1, line, start + 1 + len(old), old, f'{keyword} org.opencontainers.image.authors="{value}"'),))


def repeated_process(subject: Subject[Stage], options: dict[str, Any]) -> Iterator[Hit]:
    for cmd in ("CMD", "ENTRYPOINT"):
        found = [i for i, ins in enumerate(subject.data["instructions"]) if ins["cmd"] == cmd]
        last = subject.data["instructions"][found[-1]]["line"] if found else 0
        for index in found[:-1]:
            yield Hit(f"{cmd} overridden by the one on line {last}: only the last {cmd} of a stage applies",
                      at=("instructions", index))


_CANNOT_FAIL = {"echo", "printf", "yes", "true", "seq"}
"""Commands at the head of a pipe whose failure is not worth a pipefail: they only print what they are given."""
_PIPEFAIL_SHELLS = {"bash", "zsh", "ash", "ksh", "mksh", "sh", "dash", "busybox"}


def _shell_before(stage: Mapping[str, Any], line: int) -> list[str] | None:
    """The SHELL in force at `line` ([] for the default /bin/sh -c)."""
    shell: list[str] = []
    for instruction in stage["instructions"]:
        if instruction["line"] >= line:
            break
        if instruction["cmd"] == "SHELL" and instruction["json_form"]:
            shell = list(instruction["args"] or [])
    return shell


def _sets_pipefail(words: list[str]) -> bool:
    text = " ".join(words)
    return bool(re.search(r"(^|\s)-[a-zA-Z]*o\s+pipefail\b|-o\s*pipefail|pipefail", text))


def pipe_without_pipefail(subject: Subject[Instruction], options: dict[str, Any]) -> Iterator[Hit]:
    instruction = subject.data
    if instruction["cmd"] != "RUN" or instruction["json_form"]:
        return
    commands = instruction.get("commands") or []
    piped = [c for c in commands if c["pipeline_length"] > 1 and not c["nested"]]
    by_pipeline: dict[int, list[Any]] = {}
    for command in piped:
        by_pipeline.setdefault(command["pipeline"], []).append(command)
    piped = [c for group in by_pipeline.values() if not all(
        c["name"] in _CANNOT_FAIL for c in group if c["position"] < c["pipeline_length"] - 1) for c in group]
    if not piped:
        return
    stage = subject.doc.data["stages"][subject.pointer[1]]
    shell = _shell_before(stage, instruction["line"])
    if shell and (tool_of(shell) not in _PIPEFAIL_SHELLS or _sets_pipefail(shell)):
        return  # PowerShell, cmd: no pipefail; or the SHELL already sets it
    first = min(c["pipeline"] for c in piped)
    for command in commands:
        if command["pipeline"] >= first:
            break
        if command["name"] == "set" and _sets_pipefail(command["argv"]):
            return
    heads = [c for c in piped if c["position"] < c["pipeline_length"] - 1]
    download = next((c for c in heads if c["name"] in DOWNLOADERS), None)
    head = download or (heads[0] if heads else piped[0])
    yield Hit(f"a pipe (`{head['name']} | ...`) without `set -o pipefail`: if `{head['name']}` fails, the RUN still "
              "succeeds and the image is built without what it should have made; use SHELL [\"/bin/bash\", \"-o\", "
              "\"pipefail\", \"-c\"] or start the RUN with `set -o pipefail &&`",
              severity=None if download else "note",  # a failed download is what ships a broken image
              fix=_pipefail_fix(subject, shell or []))


_RUN_HEAD = re.compile(r"[ \t]*RUN[ \t]+(?:--[^\s\\]+[ \t]+)*", re.IGNORECASE)


def _pipefail_fix(subject: Subject[Instruction], shell: list[str]) -> Fix:
    """Under a bash SHELL: `set -o pipefail && ` in front of the RUN's script. Under the default /bin/sh (dash on
    Debian, which has no pipefail): SHELL ["/bin/bash", "-o", "pipefail", "-c"] on the line before, which needs
    bash in the image and changes every later RUN of the stage. Both unsafe: a pipe that failed quietly now
    fails the build (which is the point, and a reviewer should see it)."""
    instruction = subject.data
    line = instruction["line"]
    if instruction["heredocs"] or line > len(subject.doc.lines):
        return Fix.refused("a RUN with a heredoc is not edited")
    if not shell:
        above = line
        while above > 1 and subject.doc.lines[above - 2].lstrip().startswith("#"):
            above -= 1  # before the comments over the RUN: a suppression comment there stays on the RUN
        return Fix("SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"] before the RUN (the image needs bash)",
                   (Edit.insert(above, 1, 'SHELL ["/bin/bash", "-o", "pipefail", "-c"]\n'),), "unsafe")
    if tool_of(shell) != "bash":
        return Fix.refused("the stage's SHELL is not bash: `set -o pipefail` may not exist in it")
    written = subject.doc.lines[line - 1]
    head = _RUN_HEAD.match(written)
    if head is None or not written[head.end():].strip() or written[head.end():].strip() == "\\":
        return Fix.refused("the RUN's script does not start on its first line")
    return Fix("`set -o pipefail && ` in front of the RUN's script", (Edit.insert(line, head.end() + 1, "set -o pipefail && "),),
               "unsafe")


_HANDLED_SIGNALS = {"TERM", "INT", "QUIT", "HUP", "WINCH", "USR1", "USR2", "PWR", "RTMIN+3"}
_NUMBERS = {"1": "HUP", "2": "INT", "3": "QUIT", "9": "KILL", "10": "USR1", "12": "USR2", "15": "TERM", "19": "STOP",
            "17": "STOP", "23": "STOP", "28": "WINCH", "30": "PWR"}


def stopsignal_unhandled(subject: Subject[Stage], options: dict[str, Any]) -> Iterator[Hit]:
    handled = _HANDLED_SIGNALS | {str(s).upper().removeprefix("SIG") for s in options.get("handled", [])}
    for index, instruction in enumerate(subject.data["instructions"]):
        if instruction["cmd"] != "STOPSIGNAL":
            continue
        raw = instruction["value"].strip().strip("'\"")
        if not raw or "$" in raw:
            continue
        name = _NUMBERS.get(raw, raw.upper().removeprefix("SIG"))
        if name in ("KILL", "STOP"):
            yield Hit(f"STOPSIGNAL {raw}: SIG{name} cannot be caught, so the process never gets to shut down "
                      "cleanly", at=("instructions", index), severity="error")
        elif name not in handled:
            yield Hit(f"STOPSIGNAL {raw}: few programs handle SIG{name} as a request to stop; unless this one "
                      "documents it, it dies mid-request or ignores the signal until the kill timeout",
                      at=("instructions", index))
