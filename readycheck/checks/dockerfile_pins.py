"""Pinned versions inside a Dockerfile: base image tags, downloads, OS and language packages."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from readycheck.judge.commands import (
    command_words,
    latest_release_message,
    latest_release_url,
    lockfile_bypassed,
    unpinned_install,
)
from readycheck.judge.images import ImageRef, major_only
from readycheck.model import Hit, Subject

if TYPE_CHECKING:
    from readycheck.targets import Command, Instruction, Stage


def base_image_unresolved(subject: Subject[Stage], options: dict[str, Any]) -> Iterator[Hit]:
    """A FROM whose image depends on an ARG with no default: neither DF101 nor DF102 can judge it, so say so."""
    base = subject.data["base"]
    if base["resolved"] or base["is_stage_ref"]:
        return
    yield Hit(f"base image '{base['raw']}' could not be judged: an ARG it names has no default here, "
              "so whether it is pinned depends on the build command", at=("base",))


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
    if base["is_stage_ref"] or base["is_scratch"] or not base["resolved"]:
        return
    what = major_only(ImageRef(base["registry"], base["repository"], base["tag"], base["digest"]))
    if what:
        yield Hit(f"base image '{base['image']}' {what}: pin a minor or patch version")


def add_url_without_checksum(subject: Subject[Instruction], options: dict[str, Any]) -> Iterator[Hit]:
    instruction = subject.data
    if instruction["cmd"] != "ADD" or instruction["flags"].get("checksum"):
        return
    for source in instruction.get("sources", []):
        if source.startswith(("http://", "https://")):
            yield Hit(f"ADD downloads {source[:80]} without --checksum: its content is not verified")
            return


def install_unpinned(subject: Subject[Command], options: dict[str, Any]) -> Iterator[Hit]:
    """The shared judgement of a RUN command's package install, for the managers of the rule's `families` param
    (os, python, go, ruby, rust: one check for DF104, DF105, DF107 and DF109)."""
    found = unpinned_install(command_words(subject.data))
    if found is not None and found.family in options["families"]:
        yield Hit(found.message)


def node_install_without_lockfile(subject: Subject[Command], options: dict[str, Any]) -> Iterator[Hit]:
    words = command_words(subject.data)
    verdict = lockfile_bypassed(words)
    if verdict is not None:
        yield Hit(verdict.message)
    found = unpinned_install(words)
    if found is not None and found.family == "node":
        yield Hit(found.message)


def _latest_release_urls(instruction: Mapping[str, Any]) -> Iterator[tuple[str, int | None]]:
    if instruction["cmd"] == "ADD":
        for source in instruction.get("sources", []):
            yield source, None
    for index, command in enumerate(instruction.get("commands") or []):
        for word in command["argv"]:
            yield word, index


def download_latest_release(subject: Subject[Instruction], options: dict[str, Any]) -> Iterator[Hit]:
    for url, index in _latest_release_urls(subject.data):
        if latest_release_url([url]):
            at = ("commands", index) if index is not None else None
            yield Hit(latest_release_message(url), at=at)
            return
