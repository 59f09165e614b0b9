"""Writing a file so that a reader sees the old content or the new, never half of it.

One function for every file readycheck writes (reports, result cache entries,
the run index, the parsed catalog). The text goes to a temporary file in the
target's own directory (so the final rename stays on one filesystem and is
atomic), then replaces the target; on any error the temporary file is removed.

Replacing is only right for a regular file. Anything else that already exists
is written in place: `-o /dev/null` must leave the device a device (renaming
over it, as root, turned /dev/null into a regular file), and a FIFO's reader
must get the text. A symbolic link is followed, and the file it leads to is
written (the link stays a link), except that a path inside the working
directory that leads out of it through a link is refused: the scanned tree
is untrusted, and a committed `report.sarif -> ~/.bashrc` must not make a CI
run overwrite a file outside the checkout.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from pathlib import Path


def write_atomic(path: str | Path, text: str, *, durable: bool = True, private: bool = False) -> None:
    """Write `text` (UTF-8) to `path`; raises OSError (PermissionError for a link out of the working directory).

    `durable` syncs the data to disk before the rename (reports; a cache entry
    can do without). A new file gets the mode the umask allows, or 0600 when
    `private`; an existing regular file keeps its mode.
    """
    target = Path(path)
    real = _writable_target(target)
    try:
        status: os.stat_result | None = os.stat(real)
    except FileNotFoundError:
        status = None
    if status is not None and stat.S_ISDIR(status.st_mode):
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(target))
    if status is not None and not stat.S_ISREG(status.st_mode):
        with open(real, "w", encoding="utf-8", newline="") as handle:  # a device or a FIFO: in place
            handle.write(text)
        return
    _replace(real, text, status, durable=durable, private=private)


def _inside(path: str, directory: str) -> bool:
    return path == directory or path.startswith(directory.rstrip(os.sep) + os.sep)


def _writable_target(target: Path) -> Path:
    """The file a write to `target` reaches, after its links; refused when a link leads out of the working directory."""
    given = os.path.abspath(target)
    real = os.path.realpath(target)
    if given != real:
        try:
            here = os.getcwd()
        except OSError:
            here = ""
        if here and _inside(given, here) and not _inside(real, os.path.realpath(here)):
            raise PermissionError(errno.EACCES, f"refusing to follow a symbolic link out of the working directory "
                                                f"(it leads to {real})", str(target))
    return Path(real)


def _replace(real: Path, text: str, status: os.stat_result | None, *, durable: bool, private: bool) -> None:
    directory = real.parent
    directory.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(prefix=f".{real.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        if status is not None:
            with contextlib.suppress(OSError):
                os.chmod(temp_name, status.st_mode & 0o777)
        elif not private:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temp_name, 0o666 & ~umask)
        os.replace(temp_name, real)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise
