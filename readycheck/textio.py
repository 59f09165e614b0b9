"""Reading files as text, refusing what is not text, with a clear reason."""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

DEFAULT_MAX_BYTES = 20 * 1024 * 1024


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


_reads: list[Path] | None = None


@contextmanager
def recording_reads() -> Iterator[list[Path]]:
    """Collect every path read through read_text (what a cached result depends on)."""
    global _reads
    previous, _reads = _reads, []
    try:
        yield _reads
    finally:
        _reads = previous


def note_read(path: Path) -> None:
    """Record a dependency on `path` read earlier and reused from memory (see recording_reads)."""
    if _reads is not None:
        _reads.append(path.absolute())  # absolute is enough to hash it again; resolve() costs syscalls


def read_text(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """Read a file as text, refusing files over `max_bytes`."""
    note_read(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise LoadError(f"file is {size} bytes, over the {max_bytes}-byte limit (--max-file-size)")
        with path.open("rb") as fh:
            raw = fh.read(max_bytes + 1)
    except OSError as exc:
        raise LoadError(f"cannot read: {exc.strerror or exc}") from None
    if len(raw) > max_bytes:
        raise LoadError(f"file is over the {max_bytes}-byte limit (--max-file-size)")
    return decode(raw)
