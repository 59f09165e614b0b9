"""Pinned versions inside a Dockerfile: base image tags, downloads, OS and language packages."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from readycheck.checks.dockerfile import command_words, operands
from readycheck.model import Hit, Subject

if TYPE_CHECKING:
    from readycheck.targets import Command, Instruction, Stage

_PURE_VERSION = re.compile(r"^v?\d+(\.\d+)+$")
_DATE = re.compile(r"^\d{6,}$")
_MAJOR = re.compile(r"^v?\d+$")


def is_major_only_tag(tag: str) -> bool:
    """`3`, `20-alpine`, `21-jre`: a major version with nothing finer (`alpine-1.45.2`, `bookworm-20240722` are versions)."""
    parts = re.split(r"[-_]", tag)
    if any(_PURE_VERSION.match(p) or _DATE.match(p) for p in parts):
        return False
    return any(_MAJOR.match(p) for p in parts)


def base_image_pinned(subject: Subject[Stage], options: dict[str, Any]) -> Iterator[Hit]:
    """A tag other than `latest`, or a digest; a stage, `scratch` or an ARG with no known value is not judged."""
    base = subject.data["base"]
    if base["is_stage_ref"] or base["is_scratch"] or not base["resolved"]:
        return
    if isinstance(base["digest"], str) or (isinstance(base["tag"], str) and base["tag"] != "latest"):
        return
    yield Hit(f"base image '{base['image']}' is not pinned to a version or digest", at=("base",))


def base_image_major_only(subject: Subject[Stage], options: dict[str, Any]) -> Iterator[Hit]:
    base = subject.data["base"]
    if base["is_stage_ref"] or base["is_scratch"] or not base["resolved"] or base["digest"] or not base["tag"]:
        return
    if is_major_only_tag(base["tag"]):
        yield Hit(f"base image '{base['image']}' floats on major version '{base['tag']}': pin a minor or patch version")


def add_url_without_checksum(subject: Subject[Instruction], options: dict[str, Any]) -> Iterator[Hit]:
    instruction = subject.data
    if instruction["cmd"] != "ADD" or instruction["flags"].get("checksum"):
        return
    for source in instruction.get("sources", []):
        if source.startswith(("http://", "https://")):
            yield Hit(f"ADD downloads {source[:80]} without --checksum: its content is not verified")
            return


# OS package managers: the subcommand that installs, flags that take a value, and the pin test.
_APT_VALUE_FLAGS = {"-o", "-t", "--target-release", "-c", "--config-file"}
_RPM_VALUE_FLAGS = {"--setopt", "--enablerepo", "--disablerepo", "--repo", "--repofrompath", "--releasever",
                    "--installroot", "-c", "--config", "--exclude", "-x"}
_APK_VALUE_FLAGS = {"-X", "--repository", "-t", "--virtual", "-p", "--root", "--arch", "--keys-dir"}


def _apt_pinned(package: str) -> bool:
    return "=" in package or package.endswith(".deb")


def _apk_pinned(package: str) -> bool:
    return any(op in package for op in ("=", "~", "<", ">")) or package.endswith(".apk")


def _rpm_pinned(package: str) -> bool:
    return bool(re.search(r"-\d", package)) or package.endswith(".rpm") or "/" in package


def os_package_install(command: Mapping[str, Any]) -> tuple[list[str], Any] | None:
    """The package operands of an apt/apk/yum/dnf install and its pin test, or None."""
    words = command_words(command)
    if not words:
        return None
    name = words[0].rsplit("/", 1)[-1]
    if name in ("apt-get", "apt"):
        rest = operands(words[1:], _APT_VALUE_FLAGS)
        if rest[:1] == ["install"]:
            return rest[1:], _apt_pinned
    elif name == "apk":
        rest = operands(words[1:], _APK_VALUE_FLAGS)
        if rest[:1] == ["add"]:
            return rest[1:], _apk_pinned
    elif name in ("yum", "dnf", "microdnf", "tdnf"):
        rest = operands(words[1:], _RPM_VALUE_FLAGS)
        if rest[:1] == ["install"]:
            return rest[1:], _rpm_pinned
    return None


def os_packages_unpinned(subject: Subject[Command], options: dict[str, Any]) -> Iterator[Hit]:
    found = os_package_install(subject.data)
    if found is None:
        return
    packages, pinned = found
    loose = [p for p in packages if "$" not in p and not pinned(p)]
    if loose:
        shown = ", ".join(loose[:4]) + (", ..." if len(loose) > 4 else "")
        yield Hit(f"{subject.data['name']} installs {shown} without a version: the next build may get another one")


_PIP_VALUE_FLAGS = {"-i", "--index-url", "--extra-index-url", "-t", "--target", "--prefix", "--root", "-f",
                    "--find-links", "--trusted-host", "--platform", "--python-version", "--implementation",
                    "--abi", "--src", "--upgrade-strategy", "--progress-bar", "--cache-dir", "--log", "--proxy",
                    "--timeout", "--retries", "--cert", "--client-cert", "--exists-action", "-C",
                    "--config-settings", "--global-option", "--python", "-p", "--only-binary", "--no-binary"}
_LOCKED_PIP_FLAGS = ("-r", "--requirement", "-c", "--constraint", "--require-hashes")
_TOOLING = {"pip", "setuptools", "wheel"}


def python_install(command: Mapping[str, Any]) -> tuple[str, list[str]] | None:
    """(tool, words after the install verb) for pip/pipenv/poetry/uv/pipx installs by name."""
    words = command_words(command)
    if not words:
        return None
    name = words[0].rsplit("/", 1)[-1]
    if re.fullmatch(r"python[0-9.]*", name) and words[1:3] == ["-m", "pip"]:
        words, name = words[2:], "pip"
    verbs = {"pip": ("install",), "pipenv": ("install",), "poetry": ("add",), "pipx": ("install",), "uv": ("add",)}
    if re.fullmatch(r"pip[0-9.]*", name):
        name = "pip"
    if name == "uv" and words[1:3] == ["pip", "install"]:
        return "uv pip", words[3:]
    if name == "uv" and words[1:3] == ["tool", "install"]:
        return "uv tool", words[3:]
    if name in verbs and len(words) > 1 and words[1] in verbs[name]:
        return name, words[2:]
    return None


def _pip_pinned(requirement: str) -> bool:
    return "==" in requirement or "@" in requirement or requirement.startswith((".", "/", "git+", "http")) \
        or requirement.endswith((".whl", ".tar.gz", ".zip")) or "$" in requirement


def python_packages_unpinned(subject: Subject[Command], options: dict[str, Any]) -> Iterator[Hit]:
    found = python_install(subject.data)
    if found is None:
        return
    tool, words = found
    if any(w in _LOCKED_PIP_FLAGS or w.startswith(tuple(f + "=" for f in _LOCKED_PIP_FLAGS)) for w in words):
        return
    upgrade = any(w in ("-U", "--upgrade") for w in words)
    names = operands(words, _PIP_VALUE_FLAGS)
    loose = [n for n in names if not _pip_pinned(n) and not (upgrade and n.lower() in _TOOLING)]
    if loose:
        shown = ", ".join(loose[:4]) + (", ..." if len(loose) > 4 else "")
        yield Hit(f"{tool} installs {shown} without a pinned version (use `pkg==1.2.3`, or -r with a lock or constraints file)")


_NODE_LOCKED = {"--frozen-lockfile", "--immutable", "--ci"}


def _node_spec_pinned(spec: str) -> bool:
    at = spec.rfind("@")
    return at > 0 and bool(re.match(r"\d", spec[at + 1 :])) or spec.startswith((".", "/", "file:")) or "$" in spec


def _is_install(tool: str, args: list[str]) -> bool:
    """`npm install`, `yarn`, `yarn install`, `pnpm install`, `bun install` (with or without package names)."""
    if tool == "npm":
        return args[:1] in (["install"], ["i"])
    if not args:
        return tool == "yarn"
    return args[0] in ("install", "i") or (tool == "yarn" and args[0].startswith("-"))


def node_install_without_lockfile(subject: Subject[Command], options: dict[str, Any]) -> Iterator[Hit]:
    words = command_words(subject.data)
    if not words:
        return
    tool = words[0].rsplit("/", 1)[-1]
    if tool not in ("npm", "yarn", "pnpm", "bun"):
        return
    args = words[1:]
    flags = {a.split("=", 1)[0] for a in args if a.startswith("-")}
    names = [a for a in args[1:] if not a.startswith("-")]
    if args[:1] == ["add"] or args[:2] == ["global", "add"]:
        names = [n for n in names if n != "add"]
    elif not _is_install(tool, args):
        return
    elif tool != "npm" and not names:
        if not flags & _NODE_LOCKED:
            yield Hit(f"`{tool} install` without --frozen-lockfile (or --immutable) may change the lockfile during the build")
        return
    elif not names:
        yield Hit("`npm install` resolves versions afresh: use `npm ci`, which installs exactly the lockfile")
        return
    loose = [n for n in names if not _node_spec_pinned(n)]
    if loose:
        yield Hit(f"{tool} installs {', '.join(loose[:4])} without an exact version (use name@1.2.3)")


def go_install_latest(subject: Subject[Command], options: dict[str, Any]) -> Iterator[Hit]:
    words = command_words(subject.data)
    if len(words) < 3 or words[0].rsplit("/", 1)[-1] != "go" or words[1] not in ("install", "get"):
        return
    for word in words[2:]:
        if word.endswith(("@latest", "@master", "@main", "@HEAD")):
            yield Hit(f"`go {words[1]} {word}` takes whatever is newest: pin a version such as @v1.2.3")
            return


def _latest_release_urls(instruction: Mapping[str, Any]) -> Iterator[tuple[str, int | None]]:
    if instruction["cmd"] == "ADD":
        for source in instruction.get("sources", []):
            yield source, None
    for index, command in enumerate(instruction.get("commands") or []):
        for word in command["argv"]:
            yield word, index


def download_latest_release(subject: Subject[Instruction], options: dict[str, Any]) -> Iterator[Hit]:
    for url, index in _latest_release_urls(subject.data):
        if "://" in url and "/releases/latest" in url:
            at = ("commands", index) if index is not None else None
            yield Hit(f"download from a moving 'latest' release: {url[:90]}", at=at)
            return
