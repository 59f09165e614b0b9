"""Identity checks across a service's artifacts: the user a Kubernetes container runs as and the filesystem it may
write, versus what the image built from a Dockerfile of the scan declares (USER, the owners it gives its files,
VOLUME). SVC001 (runAsNonRoot with a USER that is a name) lives in readycheck.checks.services.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from typing import Any

from readycheck.checks.services import KUBERNETES_RUNS, _at, _what
from readycheck.model import Hit, Subject
from readycheck.targets import BuiltImage, Service, ServiceRun

IDS = (("runAsUser", "uid", 0), ("runAsGroup", "gid", 1))
"""The securityContext field, the kind of id, and the part of `USER user[:group]` it overrides."""


def _security_int(run: ServiceRun, key: str) -> tuple[int, list[Any]] | None:
    field = (run.get("security") or {}).get(key)
    if not field:
        return None
    value = field.get("value")
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    return (value, field["place"]) if isinstance(value, int) and not isinstance(value, bool) else None


def _image_id(built: BuiltImage, kind: str, part: int) -> tuple[int, str | None] | None:
    """The uid (or gid) the image's USER runs as, when it is a number, or a name the Dockerfile creates with a
    fixed id (`useradd -u 10001 app` then `USER app`); with that name. None when not known."""
    user = built["user"]
    if not user or "$" in user:
        return None
    pieces = user.split(":", 1)
    word = pieces[part].strip() if part < len(pieces) else ""
    if word.isdigit():
        return int(word), None
    if not word:
        return None
    ids = {str(number) for k, name, number, _ in built.get("accounts") or [] if k == kind and name == word}
    return (int(ids.pop()), word) if len(ids) == 1 else None


def _given_to(built: BuiltImage, kind: str, part: int, number: int, name: str | None) -> tuple[int, str] | None:
    """Where the Dockerfile gives files to the id (`--chown`, `chown`, `chgrp`) or creates the account with it."""
    wanted = {str(number), *([name] if name else [])}
    for owner, line in built.get("owners") or []:
        pieces = str(owner).split(":", 1)
        if part < len(pieces) and pieces[part].strip() in wanted:
            return int(line), f"gives files to {owner}"
    for account_kind, account, account_id, line in built.get("accounts") or []:
        if account_kind == kind and str(account_id) == str(number):
            return int(line), f"creates {account} with {kind} {number}"
    return None


def run_as_user_not_image_user(subject: Subject[Service], options: dict[str, Any]) -> Iterator[Hit]:
    """runAsUser (runAsGroup) differs from the image's numeric USER (group): what the image gives to its own user
    is not the container's. A warning where the Dockerfile gives files to that id or creates the account with it
    (and does not make them group-writable for an arbitrary uid), else a note."""
    for run in subject.data["runs"]:
        built = run.get("built_from")
        if run["type"] not in KUBERNETES_RUNS or not built:
            continue
        for key, kind, part in IDS:
            wanted = _security_int(run, key)
            image = _image_id(built, kind, part)
            if wanted is None or image is None:
                continue
            (value, place), (number, name) = wanted, image
            if value == number or 0 in (value, number):
                continue  # root against non-root is judged by the non-root rules
            shown = f"{number} ({name})" if name else str(number)
            related = [(built["path"], built["user_line"], f"USER {built['user']}")]
            evidence = _given_to(built, kind, part, number, name)
            message = (f"{_what(run)} runs with {key} {value}, but its image (built from {built['path']}) runs as "
                       f"{kind} {shown}")
            if evidence is not None and not built.get("group_writable"):
                related.append((built["path"], evidence[0], evidence[1]))
                message += (f", and the Dockerfile {evidence[1]}: files it prepared for {kind} {number} are not "
                            f"writable by {kind} {value}")
                severity = None
            else:
                message += f": files the image gives to {kind} {number} are not writable by {kind} {value}"
                severity = "note"
            hit = _at(place, message, related, f"{run['path']}|{_what(run)}|{key}|{value}|{number}")
            hit.severity = severity
            yield hit


def _covered(path: str, mounts: list[str]) -> bool:
    """A volumeMount at the path, at a parent of it, or below it (the deployer has thought about that path)."""
    for mount in mounts:
        mount = posixpath.normpath(mount)
        if path == mount or path.startswith(mount.rstrip("/") + "/") or mount.startswith(path.rstrip("/") + "/"):
            return True
    return False


def read_only_root_volume_unmounted(subject: Subject[Service], options: dict[str, Any]) -> Iterator[Hit]:
    """readOnlyRootFilesystem: true, and the image declares a VOLUME that no volumeMount of the container covers:
    Kubernetes ignores VOLUME, so writes there go to the read-only root filesystem and fail."""
    for run in subject.data["runs"]:
        built = run.get("built_from")
        field = (run.get("security") or {}).get("readOnlyRootFilesystem")
        if run["type"] not in KUBERNETES_RUNS or not built or not field or field.get("value") is not True:
            continue
        uncovered: dict[str, int] = {}
        for written, line in built.get("volumes") or []:
            path = str(written).strip().strip("'\"")
            if not path.startswith("/") or "$" in path:
                continue
            path = posixpath.normpath(path)
            if path != "/" and not _covered(path, run.get("mounts") or []):
                uncovered.setdefault(path, int(line))
        if not uncovered:
            continue
        paths = ", ".join(uncovered)
        yield _at(field["place"],
                  f"{_what(run)} has a read-only root filesystem, but its image (built from {built['path']}) declares "
                  f"VOLUME {paths}, which no volumeMount covers: Kubernetes ignores VOLUME, so writes there fail",
                  [(built["path"], line, f"VOLUME {path}") for path, line in list(uncovered.items())[:3]],
                  f"{run['path']}|{_what(run)}|{paths}")
