"""Reading files as text, refusing what is not text, with a clear reason."""

from __future__ import annotations

import codecs
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from readycheck.limits import DEFAULT_MAX_FILE_SIZE

DEFAULT_MAX_BYTES = DEFAULT_MAX_FILE_SIZE


class LoadError(Exception):
    """A file cannot be read or parsed. Carries the line where there is one."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def decode(raw: bytes) -> str:
    """Bytes to text: UTF-8 (with or without BOM) or UTF-16 with a BOM; never binary."""
    if raw.startswith(codecs.BOM_UTF16_LE) or raw.startswith(codecs.BOM_UTF16_BE):
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise LoadError(f"invalid UTF-16 text: {exc.reason}") from None
    else:
        if b"\x00" in raw:
            line = raw.count(b"\n", 0, raw.index(b"\x00")) + 1
            raise LoadError("binary content (NUL byte): not a text file", line)
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = raw.count(b"\n", 0, exc.start) + 1
            raise LoadError(f"not valid UTF-8 (byte offset {exc.start})", line) from None
    if "\x00" in text:
        raise LoadError("binary content (NUL character): not a text file")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def digest_of(text: str) -> str:
    """A fingerprint of loaded text, which a fix compares with the file before editing it. CRC-32 and the length,
    not a cryptographic hash: it guards against an edit made meanwhile (an editor saving), and whoever could forge
    a collision controls the file anyway; zlib, unlike hashlib, costs a one-file run nothing to import."""
    import zlib

    data = text.encode("utf-8", "surrogatepass")
    return f"{zlib.crc32(data):08x}-{len(data)}"


_reads: list[str] | None = None


@contextmanager
def recording_reads() -> Iterator[list[str]]:
    """Collect every path read through read_text, as absolute paths (what a cached result depends on)."""
    global _reads
    previous, _reads = _reads, []
    try:
        yield _reads
    finally:
        _reads = previous


def note_read(path: Path | str) -> None:
    """Record a dependency on `path` read earlier and reused from memory (see recording_reads)."""
    if _reads is not None:
        text = os.fspath(path)
        # joined, not resolved: enough to stat or hash it again, and no system call
        _reads.append(text if os.path.isabs(text) else os.path.join(os.getcwd(), text))


def note_listing(directory: Path | str) -> None:
    """Record a dependency on which names `directory` holds (a file added beside the ones read changes the result)."""
    note_read(directory)


class ReadRefused(LoadError):
    """The reader would not open a file: outside the scanned root, not a regular file, or too large.

    Always at line 1: the file was never read, so no line of it is known.
    `reason` is one of OUTSIDE, NOT_REGULAR, TOO_LARGE.
    """

    OUTSIDE = "outside"
    NOT_REGULAR = "not-regular"
    TOO_LARGE = "too-large"
    OUTSIDE_MESSAGE = "outside the scanned root (a link or path leaving it): not read"

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message, 1)
        self.reason = reason


def never_cached(message: str) -> bool:
    """Whether an error entry says a file was refused as outside the root: such an entry depends on where a link
    leads, which the cache does not watch (nor may it open the file to hash it), so it is never cached."""
    return message == ReadRefused.OUTSIDE_MESSAGE


def within(path: str, root: str) -> bool:
    """Whether the symlink-free `path` is `root` or lies under it (both absolute, resolved)."""
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def read_bytes(path: Path | str, max_bytes: int = DEFAULT_MAX_BYTES, root: Path | str | None = None,
               head: int | None = None) -> bytes:
    """The one reader for the scanned tree: a regular file's bytes, or ReadRefused / LoadError saying why not.

    With `root` (the scanned root, already resolved) the path's symlinks are
    resolved first and anything outside the root is refused unopened. Then
    the file is stat-ed: a FIFO, socket, device or directory is refused
    unopened too (opening some devices has effects), and so is a file over
    `max_bytes`. Only then is it opened (non-blocking, not following a link
    swapped in since) and checked again with fstat, and at most
    `max_bytes` + 1 bytes are read; with `head`, only the first `head` bytes
    are read and the size does not matter (discovery peeking at a file).
    Without `root` the caller vouches for the path: a file the operator named
    (--config, --values, --rules).
    """
    if head is not None:
        max_bytes = 1 << 62
    where = os.fspath(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    if root is not None:
        where = os.path.realpath(where)
        if not within(where, os.fspath(root)):
            # not a cache dependency either: the cache would hash it; the refusal is never cached instead
            raise ReadRefused(ReadRefused.OUTSIDE, ReadRefused.OUTSIDE_MESSAGE)
        flags |= getattr(os, "O_NOFOLLOW", 0)
    note_read(path)
    try:
        info = os.stat(where)
    except OSError as exc:
        raise LoadError(f"cannot read: {exc.strerror or exc}") from None
    _check_regular(info, max_bytes)
    try:
        fd = os.open(where, flags)
    except OSError as exc:
        raise LoadError(f"cannot read: {exc.strerror or exc}") from None
    with os.fdopen(fd, "rb") as fh:
        try:
            opened = os.fstat(fh.fileno())
            _check_regular(opened, max_bytes)
            raw = _read_up_to(fh, max_bytes + 1 if head is None else head, opened.st_size)
        except OSError as exc:
            raise LoadError(f"cannot read: {exc.strerror or exc}") from None
    if len(raw) > max_bytes:
        raise ReadRefused(ReadRefused.TOO_LARGE, f"file is over the {max_bytes}-byte limit (--max-file-size)")
    return raw


def _read_up_to(fh: BinaryIO, limit: int, size: int) -> bytes:
    """At most `limit` bytes, asking for the file's size + 1 first: a read of `limit` (20 MiB + 1 by default)
    allocates that much for every file. A file that grew, or one whose size says nothing (0 in /proc), is read on
    in chunks up to the limit, as one big read would have."""
    raw = fh.read(min(limit, size + 1))
    if len(raw) < size + 1 or len(raw) >= limit:
        return raw
    chunks = [raw]
    total = len(raw)
    while total < limit:
        chunk = fh.read(min(limit - total, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


def _check_regular(info: os.stat_result, max_bytes: int) -> None:
    if not stat.S_ISREG(info.st_mode):
        raise ReadRefused(ReadRefused.NOT_REGULAR, "not a regular file (FIFO, socket, device or directory): not read")
    if info.st_size > max_bytes:
        raise ReadRefused(ReadRefused.TOO_LARGE,
                          f"file is {info.st_size} bytes, over the {max_bytes}-byte limit (--max-file-size)")


def read_text(path: Path | str, max_bytes: int = DEFAULT_MAX_BYTES, root: Path | str | None = None) -> str:
    """`read_bytes` decoded as text (UTF-8, or UTF-16 with a BOM); binary content is a LoadError."""
    return decode(read_bytes(path, max_bytes, root))
