"""Dockerfile checks that need code: shell commands, stage relations, files beside the Dockerfile."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from readycheck.model import Hit, Subject


def commands(instruction: dict[str, Any], name: str | None = None) -> list[dict[str, Any]]:
    """The shell commands of a RUN instruction, optionally only those called `name`."""
    found = instruction.get("commands") or []
    return [c for c in found if name is None or c["name"] == name]


def healthcheck_missing(subject: Subject, options: dict[str, Any]) -> Iterator[Hit]:
    stage = subject.data
    if options.get("kubernetes_only"):
        return
    if stage["healthchecks"] or stage["inherits_healthcheck"]:
        return
    yield Hit("the final stage has no HEALTHCHECK: nothing tells the runtime whether the service is healthy")


def _cleans_apt_lists(instruction: dict[str, Any]) -> bool:
    for cmd in commands(instruction):
        if cmd["name"] == "rm" and any("/var/lib/apt/lists" in a for a in cmd["argv"][1:]):
            return True
    for mount in instruction["flags"].get("mount", []):
        if mount.get("type") == "cache" and "/var/lib/apt" in mount.get("target", mount.get("dst", "")):
            return True
    return False


def apt_lists_not_removed(subject: Subject, options: dict[str, Any]) -> Iterator[Hit]:
    instruction = subject.data
    if instruction["cmd"] != "RUN":
        return
    apt = [c for c in commands(instruction) if c["name"] in ("apt-get", "apt") and len(c["argv"]) > 1]
    if not any(c["argv"][1] in ("update", "install") for c in apt):
        return
    if _cleans_apt_lists(instruction):
        return
    yield Hit("apt package lists are left in the layer: add `&& rm -rf /var/lib/apt/lists/*` to this RUN")
