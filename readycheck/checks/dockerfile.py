"""Dockerfile checks that need code: shell commands, stage relations, files beside the Dockerfile."""

from __future__ import annotations

import fnmatch
import posixpath
import re
import weakref
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from readycheck.judge.commands import command_words, os_packages, package_action
from readycheck.judge.edits import COMMAND_NOT_FOUND, insert_after_word, make_fix
from readycheck.model import Document, Edit, Fix, Hit, Subject

if TYPE_CHECKING:
    from readycheck.targets import Command, Dockerfile, Instruction, Stage


def commands(instruction: Mapping[str, Any], name: str | None = None) -> list[dict[str, Any]]:
    """The shell commands of a RUN instruction, optionally only those called `name`."""
    found = instruction.get("commands") or []
    return [c for c in found if name is None or c["name"] == name]


def healthcheck_missing(subject: Subject[Stage], options: dict[str, Any]) -> Iterator[Hit]:
    stage = subject.data
    if options.get("kubernetes_only"):
        return
    if stage["healthchecks"] or stage["inherits_healthcheck"]:
        return
    yield Hit("the final stage has no HEALTHCHECK: nothing tells the runtime whether the service is healthy")


def mounted(instruction: Mapping[str, Any], path: str) -> bool:
    """Whether a RUN has a BuildKit cache or tmpfs mount over `path` (or a folder of it, or inside it): what
    is written there never reaches the layer, so nothing there needs cleaning up."""
    for mount in instruction.get("flags", {}).get("mount", []):
        target = str(mount.get("target", mount.get("dst", mount.get("destination", "")))).rstrip("/")
        if mount.get("type") in ("cache", "tmpfs") and target and (
                path.startswith(target + "/") or path == target or target.startswith(path.rstrip("/") + "/")):
            return True
    return False


APT_TOOLS = ("apt-get", "apt", "aptitude")


def _removes(instruction: Mapping[str, Any], path: str) -> bool:
    return any(c["name"] == "rm" and any(path in a for a in c["argv"][1:]) for c in commands(instruction))


def _keeps_apt_archives(subject: Subject) -> bool:
    """Whether a RUN of the stage deleted Docker's apt clean-up hook, so downloaded .deb files stay.

    Asked for every RUN that installs: answered once per stage (a stage of N such RUNs cost N squared)."""
    known = _hook_removed.setdefault(subject.doc, {})
    index = subject.pointer[1]
    if index not in known:
        stage = subject.doc.data["stages"][index]
        known[index] = any(i["cmd"] == "RUN" and _removes(i, "/etc/apt/apt.conf.d/docker-clean")
                           for i in stage["instructions"])
    return known[index]


_hook_removed: weakref.WeakKeyDictionary[Document, dict[int, bool]] = weakref.WeakKeyDictionary()


def apt_lists_not_removed(subject: Subject[Instruction], options: dict[str, Any]) -> Iterator[Hit]:
    instruction = subject.data
    if instruction["cmd"] != "RUN":
        return
    apt = [c for c in commands(instruction) if c["name"] in APT_TOOLS and len(c["argv"]) > 1]
    if not any(c["argv"][1] in ("update", "install") for c in apt):
        return
    if not (_removes(instruction, "/var/lib/apt/lists") or mounted(instruction, "/var/lib/apt/lists")):
        yield Hit("apt package lists are left in the layer: add `&& rm -rf /var/lib/apt/lists/*` to this RUN",
                  fix=_remove_apt_lists_fix(subject))
        return
    cleaned = any(len(c["argv"]) > 1 and c["argv"][1] in ("clean", "autoclean") for c in apt)
    if (_keeps_apt_archives(subject) and any(c["argv"][1] == "install" for c in apt) and not cleaned
            and not (_removes(instruction, "/var/cache/apt") or mounted(instruction, "/var/cache/apt"))):
        yield Hit("downloaded .deb files stay in the layer (Docker's docker-clean hook was removed): add "
                  "`apt-get clean` or mount /var/cache/apt as a cache")


_OPEN_END = re.compile(r"(\\|&&|\|\||[;&|(]|\b(?:then|do|else|in))\s*$")


def _last_apt_install_without_update(subject: Subject[Instruction]) -> int:
    """The line of the last RUN that installs with apt without updating its lists first (0 if none): computed
    once per Dockerfile, not once per RUN."""
    doc = subject.doc
    found: int | None = getattr(doc, "_last_apt_install_without_update", None)
    if found is None:
        found = 0
        for stage in doc.data["stages"]:
            for i in stage["instructions"]:
                apt = [c["argv"][1:2] for c in commands(i) if c["name"] in APT_TOOLS]
                if ["install"] in apt and ["update"] not in apt:
                    found = max(found, int(i["line"]))
        doc._last_apt_install_without_update = found  # type: ignore[attr-defined]
    return found


def _remove_apt_lists_fix(subject: Subject[Instruction]) -> Fix:
    """`&& rm -rf /var/lib/apt/lists/*` at the end of the RUN, when its script ends plainly on its last line.
    Unsafe when a later RUN installs with apt without updating first (it relied on the lists)."""
    instruction = subject.data
    if instruction["json_form"] or instruction["heredocs"] or not commands(instruction):
        return Fix.refused("a RUN in the exec form or with a heredoc is not edited")
    last = instruction["end_line"]
    written = subject.doc.lines[last - 1] if last <= len(subject.doc.lines) else ""
    if not written.strip() or "#" in written or _OPEN_END.search(written):
        return Fix.refused("the RUN's last line does not end plainly (a comment, an operator, a continuation)")
    if subject.doc.data.get("escape", "\\") != "\\" or commands(instruction)[-1].get("nested"):
        return Fix.refused("the RUN ends inside a nested command or uses another escape character")
    relies = _last_apt_install_without_update(subject) > last
    return Fix("remove the apt lists at the end of the RUN",
               (Edit.insert(last, len(written.rstrip()) + 1, " && rm -rf /var/lib/apt/lists/*"),),
               "unsafe" if relies else "safe")


def _same_run(subject: Subject) -> list[dict[str, Any]]:
    return list(subject.context.get("instruction", {}).get("commands") or [])


def _cache_mounted(subject: Subject, path: str) -> bool:
    return mounted(subject.context.get("instruction", {}), path)


def _command_line(subject: Subject[Command]) -> int | None:
    """The Dockerfile line a RUN command starts on; None inside a heredoc or the exec form (not edited)."""
    instruction = subject.context.get("instruction", {})
    if instruction.get("heredocs") or instruction.get("json_form") or "line" not in instruction:
        return None
    return int(instruction["line"]) + int(subject.data["line"])


def add_option(subject: Subject[Command], word: str, option: str) -> Fix:
    """The fix adding `option` right after the subcommand `word` of a RUN command (apt-get install, apk add,
    pip install...)."""
    line = _command_line(subject)
    edit = insert_after_word(subject.doc, line, subject.data["text"], word, " " + option) if line else COMMAND_NOT_FOUND
    return make_fix(f"add {option} after `{word}`", edit)


def apt_install_recommends(subject: Subject[Command], options: dict[str, Any]) -> Iterator[Hit]:
    words = command_words(subject.data)
    if len(words) < 2 or words[0].rsplit("/", 1)[-1] not in ("apt-get", "apt") or "install" not in words[1:]:
        return
    text = " ".join(words)
    if "--no-install-recommends" in words or "Install-Recommends=false" in text or "Install-Recommends=0" in text:
        return
    yield Hit("apt-get install without --no-install-recommends pulls in recommended packages the image does not need",
              fix=add_option(subject, "install", "--no-install-recommends"))


def apk_add_without_no_cache(subject: Subject[Command], options: dict[str, Any]) -> Iterator[Hit]:
    words = command_words(subject.data)
    if len(words) < 2 or words[0].rsplit("/", 1)[-1] != "apk" or "add" not in words[1:]:
        return
    if "--no-cache" in words or _cache_mounted(subject, "/var/cache/apk"):
        return
    if any(c["name"] == "rm" and any("/var/cache/apk" in a for a in c["argv"]) for c in _same_run(subject)):
        return
    yield Hit("apk add without --no-cache leaves the package index in the layer",
              fix=add_option(subject, "add", "--no-cache"))


_RPM_CACHES = {"rpm": ("/var/cache/yum", "/var/cache/dnf", "/var/cache/libdnf5"), "zypper": ("/var/cache/zypp",)}


def _cleans_rpm_cache(command: dict[str, Any], family: str) -> bool:
    words = command_words(command)
    found = package_action(words)
    if found is not None and found.family == family and found.action == "clean":
        return True
    return bool(words) and words[0] == "rm" and any(p in a for a in words for p in _RPM_CACHES[family])


def rpm_cache_not_cleaned(subject: Subject[Command], options: dict[str, Any]) -> Iterator[Hit]:
    """yum/dnf/microdnf/zypper installs and upgrades (aliases such as `dnf in` too) without a clean-up after them."""
    found = package_action(command_words(subject.data))
    if found is None or found.family not in _RPM_CACHES or found.action not in ("install", "upgrade"):
        return
    later = _same_run(subject)[subject.pointer[-1] + 1:]
    if any(_cleans_rpm_cache(c, found.family) for c in later):
        return
    if any(_cache_mounted(subject, path) for path in _RPM_CACHES[found.family]):
        return
    clean = "zypper clean --all" if found.family == "zypper" else f"{found.tool} clean all"
    yield Hit(f"{found.tool} {found.verb} without `{clean}` after it in the same RUN leaves its cache in the layer")


BUILD_TOOLS = {"gcc", "g++", "gcc-c++", "make", "cmake", "build-essential", "build-base", "clang", "golang",
               "golang-go", "go", "rustc", "cargo", "rust", "autoconf", "automake", "libtool", "musl-dev",
               "Development Tools", "@development-tools"}


def build_tools_single_stage(subject: Subject[Command], options: dict[str, Any]) -> Iterator[Hit]:
    stage = subject.context.get("stage", {})
    if stage.get("index") != 0 or stage.get("parent_stage") is not None or not stage.get("is_final"):
        return
    if subject.doc.data["stage_count"] != 1:
        return
    packages = os_packages(command_words(subject.data))
    if packages is None:
        return
    tools = [p for p in packages if p.split("=")[0].split("~")[0] in BUILD_TOOLS]
    if tools:
        yield Hit(f"the only stage installs build tools ({', '.join(tools[:4])}): build in a separate stage "
                  "and copy just the result into a small runtime image")


def is_whole_context(instruction: Mapping[str, Any]) -> bool:
    """COPY . or ADD . from the build context (not from another stage)."""
    if instruction["cmd"] not in ("COPY", "ADD") or instruction["flags"].get("from"):
        return False
    return any(s.rstrip("/") in (".", "") or s in ("./", "*") for s in instruction.get("sources", []))


DEPENDENCY_INSTALLS = {
    ("npm", "ci"), ("npm", "install"), ("npm", "i"), ("yarn", "install"), ("pnpm", "install"), ("bun", "install"),
    ("pipenv", "install"), ("poetry", "install"), ("bundle", "install"), ("composer", "install"),
    ("go", "mod"), ("cargo", "fetch"), ("mix", "deps.get"), ("uv", "sync"),
}


def _installs_dependencies(command: Mapping[str, Any]) -> bool:
    words = command_words(command)
    if not words:
        return False
    tool = words[0].rsplit("/", 1)[-1]
    if tool == "yarn" and len(words) == 1:
        return True
    if tool.startswith("pip") and "install" in words[1:2] and any(w in ("-r", "--requirement") or w.startswith("-r") for w in words):
        return True
    return len(words) > 1 and (tool, words[1]) in DEPENDENCY_INSTALLS


def context_copied_before_dependencies(subject: Subject[Stage], options: dict[str, Any]) -> Iterator[Hit]:
    copy_index = None
    for index, instruction in enumerate(subject.data["instructions"]):
        if copy_index is None:
            if is_whole_context(instruction):
                copy_index = index
        elif instruction["cmd"] == "RUN" and any(_installs_dependencies(c) for c in instruction.get("commands") or []):
            yield Hit(f"the whole context is copied before dependencies are installed (line {instruction['line']}): "
                      "every source edit re-runs the install", at=("instructions", copy_index))
            return


def _excluded(patterns: list[str], name: str) -> bool:
    """Whether .dockerignore patterns exclude the top-level entry `name` (last matching pattern wins)."""
    excluded = False
    for raw in patterns:
        negated = raw.startswith("!")
        pattern = raw[1:] if negated else raw
        pattern = pattern.strip().lstrip("/").rstrip("/")
        while pattern.startswith("**/"):
            pattern = pattern[3:]
        if pattern and fnmatch.fnmatchcase(name, pattern):
            excluded = not negated
    return excluded


def _whole_context_copies(subject: Subject) -> Iterator[Hit]:
    for si, stage in enumerate(subject.data["stages"]):
        for ii, instruction in enumerate(stage["instructions"]):
            if is_whole_context(instruction):
                yield Hit("", at=("stages", si, "instructions", ii))


def dockerignore_missing(subject: Subject[Dockerfile], options: dict[str, Any]) -> Iterator[Hit]:
    if subject.data["dockerignore"] is not None:
        return
    for hit in _whole_context_copies(subject):
        yield Hit("the whole build context is copied but there is no .dockerignore: .git, .env and local "
                  "build output end up in the image", at=hit.at)
        return


def dockerignore_incomplete(subject: Subject[Dockerfile], options: dict[str, Any]) -> Iterator[Hit]:
    patterns = subject.data["dockerignore"]
    if patterns is None:
        return
    missing = [name for name in options.get("must_exclude", [".git", ".env"]) if not _excluded(patterns, name)]
    if not missing:
        return
    for hit in _whole_context_copies(subject):
        yield Hit(f"the whole build context is copied and .dockerignore does not exclude {', '.join(missing)}", at=hit.at)
        return


_DEV_PYTHON = {"pytest", "black", "flake8", "mypy", "ruff", "pylint", "ipython", "ipdb", "coverage", "tox",
               "pre-commit", "isort", "pytest-cov", "pytest-django", "bandit", "nox", "debugpy", "pdbpp"}


_DEV_REQUIREMENTS = re.compile(r"(^|[-_.])(dev|test|tests|testing|lint|ci)([-_.]|$)")


def _node_production(stage: dict[str, Any]) -> bool:
    return str(stage.get("env", {}).get("NODE_ENV", "")).strip("'\"") == "production"


def dev_dependencies_in_final_stage(subject: Subject[Command], options: dict[str, Any]) -> Iterator[Hit]:
    words = command_words(subject.data)
    if len(words) < 2:
        return
    tool = words[0].rsplit("/", 1)[-1]
    flags = set(words[2:])
    text = " ".join(words)
    stage = subject.context.get("stage", {})
    if tool == "npm" and words[1] in ("ci", "install", "i") and len([w for w in words[2:] if not w.startswith("-")]) == 0:
        if not ({"--production", "--omit=dev", "--only=prod", "--only=production"} & flags or "--omit dev" in text
                or _node_production(stage)):
            yield Hit(f"`npm {words[1]}` in the final stage installs devDependencies: add --omit=dev")
    elif tool in ("yarn", "pnpm", "bun") and words[1] == "install":
        if not ({"--production", "--prod", "-P"} & flags or _node_production(stage)):
            yield Hit(f"`{tool} install` in the final stage installs devDependencies: add --production")
    elif tool == "poetry" and words[1] == "install":
        if not ("--only main" in text or "--only=main" in text or "--without dev" in text
                or "--without=dev" in text or "--no-dev" in flags):
            yield Hit("`poetry install` in the final stage installs the dev group: add --only main")
    elif tool == "pipenv" and words[1] == "install" and ("--dev" in flags or "-d" in flags):
        yield Hit("`pipenv install --dev` in the final stage installs development packages")
    elif tool.startswith("pip") and words[1] == "install":
        dev = [w for w in words[2:] if re.split(r"[=<>~!\[]", w)[0].lower() in _DEV_PYTHON]
        dev += [w for w in words[2:] if w.endswith(".txt") and _DEV_REQUIREMENTS.search(w.rsplit("/", 1)[-1])]
        if dev:
            yield Hit(f"the final stage installs development tools ({', '.join(dev[:4])}): keep them in a build or test stage")


_ARCHIVES = (".tar", ".tgz", ".tbz", ".tbz2", ".txz", ".tzst", ".gz", ".bz2", ".xz", ".zst")
"""What ADD may unpack: Docker decides by content, so a compressed file may well be a tar archive."""


def add_for_local_files(subject: Subject[Instruction], options: dict[str, Any]) -> Iterator[Hit]:
    instruction = subject.data
    if instruction["cmd"] != "ADD" or instruction["heredocs"]:
        return
    sources = instruction.get("sources", [])
    local = [s for s in sources if "://" not in s and not s.startswith("git@") and not s.endswith(_ARCHIVES)]
    if local and len(local) == len(sources):
        yield Hit("ADD of local files: use COPY, which does only that (ADD also fetches URLs and unpacks archives)",
                  fix=_add_to_copy(subject))


_ADD_ONLY_FLAGS = ("checksum", "keep-git-dir", "unpack")


def _add_to_copy(subject: Subject[Instruction]) -> Fix:
    """ADD becomes COPY, in the keyword's own letter case; not when a flag only ADD takes is there."""
    instruction = subject.data
    if any(flag in instruction["flags"] for flag in _ADD_ONLY_FLAGS):
        return Fix.refused("ADD has a flag COPY does not take")
    line = instruction["line"]
    written = subject.doc.lines[line - 1] if line <= len(subject.doc.lines) else ""
    column = len(written) - len(written.lstrip())
    old = written[column: column + 3]
    if old.upper() != "ADD" or written[column + 3: column + 4] not in (" ", "\t"):
        return Fix.refused("the ADD keyword is not where the instruction starts")
    new = "COPY" if old.isupper() else "copy" if old.islower() else "Copy"
    return Fix("ADD becomes COPY", (Edit(line, column + 1, line, column + 4, old, new),))


def relative_workdir(subject: Subject[Instruction], options: dict[str, Any]) -> Iterator[Hit]:
    instruction = subject.data
    path = instruction["value"].strip().strip("'\"")
    if instruction["cmd"] != "WORKDIR" or not path or path.startswith(("/", "$", "\\")) or re.match(r"^[A-Za-z]:", path):
        return
    yield Hit(f"WORKDIR '{path}' is relative: it depends on every WORKDIR before it; use an absolute path",
              fix=_absolute_workdir_fix(subject, path))


def _known_workdir(doc_data: Mapping[str, Any], stage_index: int, before: int) -> str | None:
    """The working directory in force before instruction `before` of a stage, when this file says it: the
    stage's own WORKDIRs, then (through `FROM <earlier stage>`) its parent's. None when it comes from an image."""
    import posixpath

    stage = doc_data["stages"][stage_index]
    relative: list[str] = []
    for instruction in reversed(stage["instructions"][:before]):
        if instruction["cmd"] != "WORKDIR":
            continue
        value = instruction["value"].strip()
        if not re.fullmatch(r"[A-Za-z0-9_./@+-]+", value):
            return None
        if value.startswith("/"):
            return posixpath.normpath(posixpath.join(value, *reversed(relative)))
        relative.append(value)
    parent = stage.get("parent_stage")
    if parent is None:
        return None
    base = _known_workdir(doc_data, parent, len(doc_data["stages"][parent]["instructions"]))
    return posixpath.normpath(posixpath.join(base, *reversed(relative))) if base else None


def _absolute_workdir_fix(subject: Subject[Instruction], path: str) -> Fix:
    """The relative WORKDIR written as the absolute path it means, when the WORKDIRs before it in this file say
    which (the base image's own WORKDIR is not known here)."""
    pointer = subject.pointer
    instruction = subject.data
    if len(pointer) != 4 or instruction["line"] != instruction["end_line"] or not re.fullmatch(r"[A-Za-z0-9_./@+-]+", path):
        return Fix.refused("the path is quoted, uses variables or spans lines")
    base = _known_workdir(subject.doc.data, pointer[1], pointer[3])
    if base is None:
        return Fix.refused("the directory it is relative to comes from the base image, which this file does not show")
    absolute = posixpath.normpath(posixpath.join(base, path))
    line = instruction["line"]
    written = subject.doc.lines[line - 1] if line <= len(subject.doc.lines) else ""
    column = written.rfind(path)
    if column < 0 or written[column:].rstrip() != path:
        return Fix.refused("the WORKDIR line does not map back onto the file")
    return Fix(f"WORKDIR {absolute}", (Edit(line, column + 1, line, column + 1 + len(path), path, absolute),))


def cd_in_run(subject: Subject[Command], options: dict[str, Any]) -> Iterator[Hit]:
    command = subject.data
    if command["name"] != "cd" or command["nested"]:
        return
    yield Hit("`cd` in RUN only lasts for this RUN: use WORKDIR to change directory")


def copy_from_unknown_stage(subject: Subject[Stage], options: dict[str, Any]) -> Iterator[Hit]:
    stage = subject.data
    stages = subject.doc.data["stages"]
    earlier = {(s["name"] or "").lower() for s in stages[: stage["index"]] if s["name"]}
    for ii, instruction in enumerate(stage["instructions"]):
        source = instruction["flags"].get("from") if instruction["cmd"] in ("COPY", "ADD") else None
        if not isinstance(source, str) or "$" in source or ":" in source or "/" in source:
            continue
        if source.lower() in earlier or (source.isdigit() and int(source) < stage["index"]):
            continue
        yield Hit(f"COPY --from={source} names no earlier stage", at=("instructions", ii))


def duplicate_stage_name(subject: Subject[Stage], options: dict[str, Any]) -> Iterator[Hit]:
    stage = subject.data
    if not stage["name"]:
        return
    earlier = [s for s in subject.doc.data["stages"][: stage["index"]] if (s["name"] or "").lower() == stage["name"].lower()]
    if earlier:
        yield Hit(f"stage name '{stage['name']}' is already used on line {earlier[0]['line']}")
