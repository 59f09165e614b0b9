"""Container image references, parsed and judged once for every kind.

A Dockerfile `FROM`, a workflow `container:`/`services:`/`docker://` step,
a compose `image:`, a Kubernetes container `image` and a Helm values image
all name images the same way; each kind resolves its own templating (ARGs,
`${VAR}`, `${{ }}`) and then asks here.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

_PURE_VERSION = re.compile(r"^v?\d+(\.\d+)+$")
_DATE = re.compile(r"^\d{6,}$")
_MAJOR = re.compile(r"^v?\d+$")
_REVISION = re.compile(r"^r\d+$")
_DASHED_DATE = re.compile(r"(?:19|20)\d\d-[01]\d-[0-3]\d")
FLOATING_TAG = "latest"


@dataclass(frozen=True)
class ImageRef:
    """`registry/repository:tag@digest`, split (Docker's reference grammar, simplified)."""

    registry: str | None
    repository: str
    tag: str | None
    digest: str | None

    def as_dict(self) -> dict[str, Any]:
        return {"registry": self.registry, "repository": self.repository, "tag": self.tag, "digest": self.digest}


def parse_image(ref: str) -> ImageRef:
    """The parts of an image reference; the registry is the first part only when it looks like a host."""
    digest = None
    if "@" in ref:
        ref, digest = ref.split("@", 1)
    registry = None
    first, sep, rest = ref.partition("/")
    if sep and ("." in first or ":" in first or first == "localhost"):
        registry, ref = first, rest
    tag = None
    colon = ref.rfind(":")
    if colon > ref.rfind("/"):
        ref, tag = ref[:colon], ref[colon + 1 :]
    return ImageRef(registry, ref, tag, digest)


def is_digest_pinned(image: ImageRef) -> bool:
    """A digest pins the image, with or without a tag."""
    return bool(image.digest)


def floating(image: ImageRef) -> str | None:
    """Why an image moves under you (no tag, or `latest`) in the words every kind reports; None when it does not."""
    if is_digest_pinned(image):
        return None
    if image.tag is None:
        return "has no tag"
    if image.tag == FLOATING_TAG:
        return f"uses the '{FLOATING_TAG}' tag"
    return None


def is_major_only_tag(tag: str) -> bool:
    """`3`, `20-alpine`, `21-jre`: a major version with nothing finer (`alpine-1.45.2`, `bookworm-20240722` are versions)."""
    parts = re.split(r"[-_]", tag)
    if any(_PURE_VERSION.match(p) or _DATE.match(p) for p in parts):
        return False
    if _REVISION.match(parts[-1]) and len(parts) > 1 or _DASHED_DATE.search(tag):
        return False  # `12-debian-12-r50` (Bitnami's immutable revision tags), `RELEASE.2024-07-10T01-42-11Z`
    return any(_MAJOR.match(p) for p in parts)


def major_only(image: ImageRef) -> str | None:
    """Why a tag floats on a major version (`node:20`, `python:3-slim`); None with a digest or a finer tag."""
    if is_digest_pinned(image) or not image.tag or not is_major_only_tag(image.tag):
        return None
    return f"floats on major version '{image.tag}'"


# ---------------------------------------------------------------- programs a base image ships

HEALTH_PROGRAMS = ("curl", "wget", "sh")
"""The programs a health check or probe commonly runs that some base images lack."""

_NOTHING = {"sh": False, "curl": False, "wget": False}
_DEBIAN = {"sh": True, "curl": False, "wget": False}
_BUSYBOX = {"sh": True, "curl": False, "wget": True}
BASE_PROGRAMS: tuple[tuple[str, str, dict[str, bool] | None, str], ...] = (
    # (repository as `image_name` normalises it, tag pattern, what it ships (None: not known), where it is said).
    # The first row that matches wins; an image no row names is not known (a rule stays silent on it).
    ("scratch", "*", _NOTHING, "scratch is the empty image (Docker docs: 'Create a minimal base image using scratch')"),
    ("*distroless*", "*debug*", None, "distroless :debug images add a busybox shell"),
    ("*distroless*", "*", _NOTHING, "distroless images hold the application's runtime only: no shell, no package "
     "manager, no other program (GoogleContainerTools/distroless README)"),
    ("cgr.dev/chainguard/static", "*", _NOTHING, "Chainguard's static image holds CA certificates, tzdata and "
     "passwd files only: no shell, no package manager (Chainguard Images docs)"),
    ("docker.io/library/python", "*slim*", _DEBIAN, "the official python:*-slim images are debian:*-slim plus Python; "
     "the tools that build Python (wget among them) are purged (docker-library/python Dockerfiles)"),
    ("docker.io/library/node", "*slim*", _DEBIAN, "the official node:*-slim images purge curl and wget after "
     "installing Node (nodejs/docker-node issues #1185, #1970)"),
    ("docker.io/library/ruby", "*slim*", _DEBIAN, "the official ruby:*-slim images are debian:*-slim plus Ruby's "
     "runtime libraries; wget, used to build Ruby, is purged (docker-library/ruby Dockerfiles and repo-info history)"),
    ("docker.io/library/python", "*alpine*", _BUSYBOX, "the official python:*-alpine images are alpine plus Python: "
     "busybox gives sh and wget, no curl (docker-library/python Dockerfiles)"),
    ("docker.io/library/node", "*alpine*", _BUSYBOX, "the official node:*-alpine images are alpine plus Node: busybox "
     "gives sh and wget, no curl (nodejs/docker-node Dockerfiles)"),
    ("docker.io/library/alpine", "*", _BUSYBOX, "alpine is musl plus busybox (sh, wget) and apk: no curl"),
    ("docker.io/library/debian", "*", _DEBIAN, "the official debian images are a minbase debootstrap: no curl, no "
     "wget (docker-library/official-images, debuerreotype)"),
    ("docker.io/library/ubuntu", "*", _DEBIAN, "the official ubuntu images are a minimal root filesystem: no curl, "
     "no wget"),
)
"""What official and minimal base images ship of HEALTH_PROGRAMS, each row with where the fact comes from."""


def base_programs(repository: str, tag: str | None) -> tuple[dict[str, bool], str] | None:
    """What a base image (`docker.io/library/python`, or `scratch`) ships of HEALTH_PROGRAMS, and why it is known;
    None when no row of BASE_PROGRAMS knows it."""
    for pattern, tags, programs, source in BASE_PROGRAMS:
        if fnmatch.fnmatchcase(repository, pattern) and fnmatch.fnmatchcase(tag or "latest", tags):
            return (dict(programs), source) if programs is not None else None
    return None


def image_ships(program: str, base: Mapping[str, bool] | None, changes: list[list[str]],
                sources: Mapping[str, Mapping[str, bool | None]] | None = None) -> bool | None:
    """Whether an image ships `program`: what its base ships, then each change its instructions make, in order
    (["add", p] installs or copies it, ["remove", p] uninstalls it, ["unknown", "*"] may do either: a script;
    ["from", X] copies a bin directory from stage or image X, which adds `program` when X ships it, nothing when X
    is known not to, and may add it when `sources` does not know X). None when it is not known."""
    shipped = None if base is None else base.get(program)
    for change, name in changes:
        if change == "from":
            copied = (sources or {}).get(name.lower(), {}).get(program)
            if copied is not False:
                shipped = True if copied else None
            continue
        if name not in (program, "*"):
            continue
        shipped = True if change == "add" else False if change == "remove" else None
    return shipped


_SHELL_FILES = frozenset({"sh", "bash", "ash", "dash", "busybox"})
_BIN_DIRECTORIES = frozenset({"", "bin", "sbin", "usr", "local"})


def _copied_name(source: str) -> str:
    """The name a COPY source is known by: its last part, or its directory's for a pattern (`/usr/local/bin/*`)."""
    parts = source.rstrip("/").split("/")
    while len(parts) > 1 and any(c in parts[-1] for c in "*?["):
        parts.pop()
    return parts[-1]


def copy_changes(sources: list[str], dest: str, from_: str | None) -> list[list[str]]:
    """What a COPY/ADD does to the programs of HEALTH_PROGRAMS (see image_ships): a file named `curl` copied in
    adds curl; a whole bin directory (or root filesystem) copied from another stage or image adds what that one
    ships (["from", stage or image])."""
    changes: list[list[str]] = []
    names = [_copied_name(s) for s in sources]
    target = dest.rstrip("/").rsplit("/", 1)[-1]
    for program in HEALTH_PROGRAMS:
        wanted = _SHELL_FILES if program == "sh" else {program}
        if wanted & {*names, target}:
            changes.append(["add", program])
    if from_ is not None and any(n in _BIN_DIRECTORIES for n in names):
        changes.append(["from", from_])
    return changes
