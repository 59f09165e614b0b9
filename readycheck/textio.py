"""Reading files as text, refusing what is not text, with a clear reason."""

from __future__ import annotations

import codecs
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

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


def read_text(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """Read a regular file as text, refusing files over `max_bytes`.

    The file is opened non-blocking and checked with fstat before any read,
    so a FIFO, a socket or a device named like a Dockerfile is refused at
    once instead of blocking or streaming forever.
    """
    note_read(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        raise LoadError(f"cannot read: {exc.strerror or exc}") from None
    with os.fdopen(fd, "rb") as fh:
        try:
            info = os.fstat(fh.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise LoadError("not a regular file (FIFO, socket, device or directory): not read")
            if info.st_size > max_bytes:
                raise LoadError(f"file is {info.st_size} bytes, over the {max_bytes}-byte limit (--max-file-size)")
            raw = fh.read(max_bytes + 1)
        except OSError as exc:
            raise LoadError(f"cannot read: {exc.strerror or exc}") from None
    if len(raw) > max_bytes:
        raise LoadError(f"file is over the {max_bytes}-byte limit (--max-file-size)")
    return decode(raw)
