"""The result cache: a group whose files, rules, config and version are unchanged is not scanned again.

The cache is keyed by what a group's result depends on: the readycheck code
and rule catalog, the configuration, and the content of every file the
loaders read for that group (recorded while it was scanned). A group whose
files are unchanged costs one hash per file. Entries are written atomically,
so concurrent runs sharing a cache directory never see half an entry. The
run index (readycheck.runindex) stores whole runs in the same format.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
from dataclasses import asdict
from pathlib import Path
from typing import Any

from readycheck import __version__
from readycheck.discover import Target
from readycheck.evaluate import ScanSettings
from readycheck.model import (
    FIX_SAFETIES,
    SEVERITIES,
    Artifact,
    Edit,
    Finding,
    Fix,
    Related,
    ScanError,
    ScanResult,
    Skipped,
    Span,
)

CACHE_FORMAT = 2
RACY_NS = 2_000_000_000
"""A file changed this recently when its entry was written is always hashed again (coarse mtimes)."""


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "readycheck"


def _code_digest(settings: ScanSettings) -> str:
    """The readycheck version, its source files and the rule files in force, by size and mtime (as the catalog's cache)."""
    import hashlib  # here and below: only a cached run hashes; --no-cache does not import it

    package = os.path.dirname(os.path.realpath(__file__))
    stamps = [f"{CACHE_FORMAT}|{__version__}"]
    for folder, subfolders, names in os.walk(package):
        subfolders.sort()
        for name in sorted(names):
            if name.endswith(".py"):
                path = os.path.join(folder, name)
                st = os.stat(path)
                stamps.append(f"{os.path.relpath(path, package)}|{st.st_size}|{st.st_mtime_ns}")
    for rule in settings.rules:
        st = os.stat(rule.source)
        stamps.append(f"{rule.source}|{st.st_size}|{st.st_mtime_ns}")
    return hashlib.sha256("\n".join(stamps).encode()).hexdigest()


def _settings_digest(settings: ScanSettings, code: str) -> str:
    import hashlib

    config = {k: v for k, v in asdict(settings.config).items() if k != "source"}
    payload = json.dumps([code, str(settings.base), config, repr(sorted(settings.context_options.items())), repr(settings.limits)],
                         sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


HASHED_BYTES = 64 * 1024 * 1024
"""A file larger than this (refused by the reader for its size, unless --max-file-size says more) is stamped by
size and mtime, not hashed: a 3 GB file in the tree costs no 3 GB read, nor 3 GB of memory."""


def _file_hash(path: str) -> str | None:
    """The content hash of a regular file, or of a directory's names; a FIFO or device is never opened (it could block)."""
    import hashlib

    try:
        info = os.stat(path)
        if stat.S_ISDIR(info.st_mode):
            return hashlib.sha256("\0".join(sorted(os.listdir(path))).encode(errors="surrogateescape")).hexdigest()
        if not stat.S_ISREG(info.st_mode):
            return "not-a-regular-file"
        if info.st_size > HASHED_BYTES:
            return f"large:{info.st_size}:{info.st_mtime_ns}"
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return None


def stamp_of(path: str) -> list[int] | None:
    """Size and mtime (following links), or None for a path that does not exist."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return [stat.st_size, stat.st_mtime_ns]


def _dependency(path: str, now_ns: int) -> list[Any]:
    """[content hash, size, mtime]: a later run trusts an unchanged size and mtime, and hashes otherwise."""
    stamp = stamp_of(path)
    if stamp is None or now_ns - stamp[1] < RACY_NS:
        return [_file_hash(path), None, None]
    return [_file_hash(path), *stamp]


def _unchanged(path: str, recorded: Any) -> bool:
    if not isinstance(recorded, list) or len(recorded) != 3:
        return False
    digest, *stamp = recorded
    if stamp[0] is not None and stamp_of(path) == stamp:
        return True
    return _file_hash(path) == digest


def _group_key(group: list[Target], settings_digest: str) -> str:
    """The group's targets, their roots, and the names in their directories (a file appearing beside them changes the key)."""
    import hashlib

    listing: list[str] = []
    listed: set[Path] = set()
    for target in group:
        listing.append(f"{target.kind}|{target.path}|{target.root}")  # the root bounds what its loader may read
        directory = target.path if target.kind == "helm" or target.path.is_dir() else target.path.parent
        if directory in listed:
            continue
        listed.add(directory)
        with contextlib.suppress(OSError):
            listing.append("|".join(sorted(os.listdir(directory))))
    return hashlib.sha256((settings_digest + "\n" + "\n".join(listing)).encode()).hexdigest()


# -- serialisation of a group's result (documents are not kept) -------------------------------

def _stored_key(f: Finding) -> str:
    from readycheck.fingerprint import stored_key  # here: a run without a cache does not import hashlib

    return stored_key(f)


def _finding_to_json(f: Finding) -> dict[str, Any]:
    """Field by field: dataclasses.asdict deep-copies, and cost more than the rest of a cached run's writing."""
    return {
        "rule": f.rule, "name": f.name, "checklist": f.checklist, "severity": f.severity, "path": f.path,
        "span": [f.span.line, f.span.column, f.span.end_line], "message": f.message, "fix": f.fix,
        "related": [[r.path, r.span.line, r.span.column, r.span.end_line, r.message] for r in f.related],
        "key": _stored_key(f), "extra": f.extra,
        "autofix": None if f.autofix is None else [f.autofix.description, f.autofix.safety, f.autofix.digest,
                                                   [[e.line, e.column, e.end_line, e.end_column, e.old, e.new]
                                                    for e in f.autofix.edits]],
    }


def _fix_from_json(data: Any) -> Fix | None:
    if data is None:
        return None
    description, safety, digest, edits = data
    return Fix(description, tuple(Edit(*e) for e in edits), safety, digest)


def _is_fix_json(data: Any) -> bool:
    if data is None:
        return True
    if not (isinstance(data, list) and len(data) == 4 and all(isinstance(x, str) for x in data[:3])
            and data[1] in FIX_SAFETIES and isinstance(data[3], list)):
        return False
    return all(isinstance(e, list) and len(e) == 6 and all(_is_int(n) for n in e[:4])
               and isinstance(e[4], str) and isinstance(e[5], str) for e in data[3])


def _finding_from_json(data: dict[str, Any]) -> Finding:
    line, column, end_line = data["span"]
    related = tuple(Related(p, Span(ln, col, end), msg) for p, ln, col, end, msg in data["related"]) if data["related"] else ()
    return Finding(data["rule"], data["name"], data["checklist"], data["severity"], data["path"],
                   Span(line, column, end_line), data["message"], data["fix"], related, data["key"], data["extra"],
                   _fix_from_json(data.get("autofix")))


def result_to_json(result: ScanResult) -> dict[str, Any]:
    """A result as the cache and the run index store it: a finding's key only as its fingerprint (it may quote a
    secret), error messages already redacted by evaluation."""
    return {
        "findings": [_finding_to_json(f) for f in result.findings],
        "errors": [e.as_dict() for e in result.errors],
        "files": result.files,
        "suppressed": [[_finding_to_json(f), why] for f, why in result.suppressed],
        "artifacts": [[a.path, a.kind] for a in result.artifacts],
        "skipped": [[s.path, s.reason, s.named] for s in result.skipped],
    }


def _is_int(value: Any, optional: bool = False) -> bool:
    return (optional and value is None) or (isinstance(value, int) and not isinstance(value, bool))


def _is_finding_json(data: Any) -> bool:
    if not isinstance(data, dict) or data.get("severity") not in SEVERITIES or not isinstance(data.get("extra"), dict):
        return False
    if not all(isinstance(data.get(k), str) for k in ("rule", "name", "checklist", "path", "message", "fix", "key")):
        return False
    if not _is_fix_json(data.get("autofix")):
        return False
    span, related = data.get("span"), data.get("related")
    if not (isinstance(span, list) and len(span) == 3 and _is_int(span[0]) and _is_int(span[1]) and _is_int(span[2], True)):
        return False
    return isinstance(related, list) and all(
        isinstance(r, list) and len(r) == 5 and isinstance(r[0], str) and _is_int(r[1]) and _is_int(r[2])
        and _is_int(r[3], True) and isinstance(r[4], str) for r in related)


def is_result_json(data: Any) -> bool:
    """Whether `data` has exactly the shape result_to_json writes: a cache or index entry that does not is discarded."""
    if not isinstance(data, dict) or not _is_int(data.get("files")):
        return False
    findings, errors, suppressed, artifacts = (data.get(k) for k in ("findings", "errors", "suppressed", "artifacts"))
    return (
        isinstance(findings, list) and all(_is_finding_json(f) for f in findings)
        and isinstance(errors, list) and all(
            isinstance(e, dict) and isinstance(e.get("path"), str) and _is_int(e.get("line"), True)
            and isinstance(e.get("message"), str) for e in errors)
        and isinstance(suppressed, list) and all(
            isinstance(s, list) and len(s) == 2 and _is_finding_json(s[0]) and isinstance(s[1], str) for s in suppressed)
        and isinstance(artifacts, list) and all(
            isinstance(a, list) and len(a) == 2 and isinstance(a[0], str) and isinstance(a[1], str) for a in artifacts)
    )


def result_from_json(data: Any, settings: ScanSettings) -> ScanResult:
    """The result stored by result_to_json; ValueError for anything else (a malformed entry is never trusted)."""
    if not is_result_json(data):
        raise ValueError("malformed cached result")
    return ScanResult(
        findings=[_finding_from_json(f) for f in data["findings"]],
        errors=[ScanError(e["path"], e["line"], e["message"]) for e in data["errors"]],
        files=data["files"],
        suppressed=[(_finding_from_json(f), why) for f, why in data["suppressed"]],
        rules=settings.rules,
        artifacts=[Artifact(p, k) for p, k in data["artifacts"]],
        skipped=[Skipped(p, why, bool(named)) for p, why, named in data.get("skipped", [])],
    )


class Cache:
    def __init__(self, directory: Path, settings: ScanSettings) -> None:
        self.directory = directory
        self.settings = settings
        self.settings_digest = _settings_digest(settings, _code_digest(settings))

    def _entry_path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.json"

    def get(self, group: list[Target]) -> tuple[ScanResult, list[str]] | None:
        """The stored result of `group` and the files it depended on, if none of them changed."""
        path = self._entry_path(_group_key(group, self.settings_digest))
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError):
            return None
        if not isinstance(entry, dict) or not isinstance(entry.get("deps"), dict):
            return None  # malformed: discarded, and rewritten after the scan
        deps: dict[str, Any] = entry["deps"]
        if not all(isinstance(dep, str) and os.path.isabs(dep) for dep in deps):
            return None
        for dep, recorded in deps.items():
            if not _unchanged(dep, recorded):
                return None
        try:
            return result_from_json(entry.get("result"), self.settings), list(deps)
        except (KeyError, TypeError, ValueError):
            return None

    def put(self, group: list[Target], result: ScanResult, deps: list[str]) -> None:
        import time

        now = time.time_ns()
        entry = {"deps": {d: _dependency(d, now) for d in sorted(set(deps))}, "result": result_to_json(result)}
        write_atomically(self._entry_path(_group_key(group, self.settings_digest)), entry)


def cache_dir_problem(directory: Path) -> str | None:
    """Why results cannot be stored in `directory` (read-only, not a directory, no permission), or None.

    Checked once before a cached scan, so that an unusable cache is one warning and an uncached scan,
    not a failed write per group.
    """
    import tempfile

    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=directory, prefix=".probe-")
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        return exc.strerror or str(exc)
    return None


def write_atomically(path: Path, data: Any) -> None:
    """Write JSON through a temporary file and a rename: a concurrent reader sees the old or the new, never half."""
    from readycheck.atomic import write_atomic

    try:
        write_atomic(path, json.dumps(data), durable=False, private=True)
    except OSError:
        return  # a cache that cannot be written only costs time
