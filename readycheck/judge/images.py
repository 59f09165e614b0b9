"""Container image references, parsed and judged once for every kind.

A Dockerfile `FROM`, a workflow `container:`/`services:`/`docker://` step,
a compose `image:`, a Kubernetes container `image` and a Helm values image
all name images the same way; each kind resolves its own templating (ARGs,
`${VAR}`, `${{ }}`) and then asks here.
"""

from __future__ import annotations

import re
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
