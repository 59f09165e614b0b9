"""The run index: a re-run over an unchanged tree is answered from one file.

The per-group cache (readycheck.cache) makes an unchanged group cheap, but a run
still walks the tree, peeks into YAML files to tell manifests apart and looks
up every group. The run index remembers, for one command (its paths,
settings and shard), every directory discovery walked, every file it peeked
at, every file and directory a group's result depended on, and the merged
result. When each of those still has the size and mtime it had, the result
is returned as it was, after one stat per path; otherwise the run goes on as
usual and the per-group cache still serves the groups that did not change.

A stamp taken less than RACY_NS after the scan started is not trusted: the
file could have changed during the scan, or within a coarse mtime's
granularity, without its stamp showing it. Such a run writes no index.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from readycheck.cache import RACY_NS, result_from_json, result_to_json, stamp_of, write_atomically
from readycheck.evaluate import ScanSettings
from readycheck.model import ScanResult

INDEX_FORMAT = 1


def watched_paths(reads: Iterable[str]) -> list[str]:
    """The paths read, and the directory of each file (a file appearing beside a file read may change the result)."""
    paths = set(reads)
    paths.update(os.path.dirname(p) for p in list(paths) if not os.path.isdir(p))
    return sorted(paths)


def _is_watched(watched: Any) -> bool:
    """{absolute path: [size, mtime] or None}, as `save` writes it."""
    return isinstance(watched, dict) and all(
        isinstance(path, str) and os.path.isabs(path) and (stamp is None or (
            isinstance(stamp, list) and len(stamp) == 2 and all(type(n) is int for n in stamp)))
        for path, stamp in watched.items())


class RunIndex:
    """The index entry of one command: `load` before the scan, `save` after it."""

    def __init__(self, directory: Path, settings_digest: str, paths: list[str], base: Path,
                 shard: tuple[int, int] | None) -> None:
        command = json.dumps([INDEX_FORMAT, settings_digest, paths, str(base), shard])
        key = hashlib.sha256(command.encode()).hexdigest()
        self.path = directory / "runs" / f"{key}.json"

    def load(self, settings: ScanSettings) -> ScanResult | None:
        """The stored result, if nothing it depended on has changed since."""
        try:
            entry = json.loads(self.path.read_text(encoding="utf-8"))
            if not isinstance(entry, dict) or not _is_watched(entry.get("watched")):
                return None  # malformed: discarded, and rewritten after the scan
            watched: dict[str, Any] = entry["watched"]
            if any(stamp_of(path) != stamp for path, stamp in watched.items()):
                return None
            return result_from_json(entry.get("result"), settings)
        except (OSError, ValueError, KeyError, TypeError, RecursionError):
            return None

    def save(self, result: ScanResult, reads: Iterable[str], started_ns: int) -> None:
        """Store `result` with the stamps of what it depended on, unless one of them is too recent to trust."""
        if any(e.transient for e in result.errors):
            return
        watched: dict[str, list[int] | None] = {}
        for path in watched_paths(reads):
            stamp = stamp_of(path)
            if stamp is not None and stamp[1] > started_ns - RACY_NS:
                return
            watched[path] = stamp
        write_atomically(self.path, {"watched": watched, "result": result_to_json(result)})
