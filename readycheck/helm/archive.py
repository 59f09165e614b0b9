"""Reading chart archives (``charts/*.tgz``) defensively.

A chart archive is untrusted input: members with absolute paths, ``..``,
links or device files are rejected, and the number of members, the size of
each member and the total decompressed size are capped, so a hostile archive
(path traversal or decompression bomb) becomes an error rather than a write
outside the tree, a hang or memory exhaustion.  Nothing is extracted to disk.
"""

from __future__ import annotations

import gzip
import io
import tarfile
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO


class ArchiveError(ValueError):
    pass


@dataclass(frozen=True)
class ArchiveLimits:
    max_compressed_bytes: int = 20_000_000
    max_total_bytes: int = 50_000_000
    max_member_bytes: int = 10_000_000
    max_members: int = 5_000


class ArchiveBudget:
    """Decompressed bytes every archive of one chart may still expand to, together.

    A cap per archive is not enough: two hundred small bombs in `charts/`,
    each under it, still add up to gigabytes. One budget is shared by every
    archive a chart load opens, nested subchart archives included.
    """

    def __init__(self, total: int) -> None:
        self.total = total
        self.left = total

    def spend(self, count: int) -> None:
        self.left -= count
        if self.left < 0:
            raise ArchiveError(f"the chart's archives expand beyond {self.total} bytes together (decompression bombs?)")

    @property
    def exhausted(self) -> bool:
        return self.left <= 0


class _CappedReader(io.RawIOBase):
    """Counts decompressed bytes and stops the stream once over the cap or the chart's budget."""

    def __init__(self, inner: IO[bytes] | gzip.GzipFile, cap: int, budget: ArchiveBudget | None = None) -> None:
        self.inner = inner
        self.cap = cap
        self.total = 0
        self.budget = budget

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self.inner.read(len(buffer))
        self.total += len(data)
        if self.total > self.cap:
            raise ArchiveError(f"archive expands beyond {self.cap} bytes (decompression bomb?)")
        if self.budget is not None:
            self.budget.spend(len(data))
        buffer[: len(data)] = data
        return len(data)


def _safe_name(name: str) -> str:
    if not name or name.startswith(("/", "\\")) or "\\" in name or (len(name) > 1 and name[1] == ":"):
        raise ArchiveError(f"archive member has an absolute or unsafe path: {name!r}")
    parts = [p for p in PurePosixPath(name).parts if p not in ("", ".")]
    if any(p == ".." for p in parts):
        raise ArchiveError(f"archive member escapes the archive: {name!r}")
    return "/".join(parts)


def read_chart_archive(data: bytes, limits: ArchiveLimits | None = None,
                       budget: ArchiveBudget | None = None) -> tuple[str, dict[str, bytes]]:
    """The top directory of a ``.tgz`` chart and its files keyed by path below it (spending `budget`)."""
    limits = limits or ArchiveLimits()
    if budget is not None and budget.exhausted:
        raise ArchiveError(f"not read: the chart's archives already expand beyond {budget.total} bytes together")
    if len(data) > limits.max_compressed_bytes:
        raise ArchiveError(f"archive is larger than {limits.max_compressed_bytes} bytes")
    files: dict[str, bytes] = {}
    top: str | None = None
    count = 0
    stream = _CappedReader(gzip.GzipFile(fileobj=io.BytesIO(data)), limits.max_total_bytes, budget)
    try:
        with tarfile.open(fileobj=io.BufferedReader(stream), mode="r|") as tar:
            for member in tar:
                count += 1
                if count > limits.max_members:
                    raise ArchiveError(f"archive has more than {limits.max_members} members")
                name = _safe_name(member.name)
                if member.isdir():
                    continue
                if not member.isfile():
                    raise ArchiveError(f"archive member is not a regular file: {member.name!r}")
                if member.size > limits.max_member_bytes:
                    raise ArchiveError(f"archive member {member.name!r} is larger than {limits.max_member_bytes} bytes")
                head, _, rest = name.partition("/")
                if not rest:
                    raise ArchiveError(f"archive member outside a chart directory: {member.name!r}")
                if top is None:
                    top = head
                elif head != top:
                    raise ArchiveError(f"archive holds more than one top-level directory ({top!r}, {head!r})")
                extracted = tar.extractfile(member)
                assert extracted is not None
                files[rest] = extracted.read()
    except (tarfile.TarError, OSError, EOFError, gzip.BadGzipFile) as exc:
        raise ArchiveError(f"unreadable chart archive: {exc}") from None
    if top is None or not files:
        raise ArchiveError("empty chart archive")
    return top, files
