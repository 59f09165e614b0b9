"""Applying fixes: the edits findings carry, written so that nothing else in a file changes.

A finding's Fix holds edits at exact spans of the text its document was loaded from (lines split at any newline,
as every loader sees them). Here they are mapped back onto the file as it is on disk: a byte-order mark, CRLF or
lone CR line ends, and every byte outside an edit stay as they were; a newline an edit adds is written in the
file's own style. Several fixes in one file compose when their edits do not overlap; a fix that overlaps one
already taken waits for the next round (after a re-scan), as ruff does.

The scanned tree is untrusted, so a write happens only when: the file lies inside a scanned root once its links
are resolved, is itself a regular file and not a link, still has the text the fix was made against (the digest),
and has not changed between this module reading it and replacing it.
"""

from __future__ import annotations

import difflib
import os
import re
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from readycheck.atomic import write_atomic
from readycheck.model import Edit, Finding, Fix
from readycheck.textio import LoadError, decode, digest_of, read_bytes, within

_NEWLINE = re.compile(r"\r\n|\r|\n")
_BOM = "\ufeff"
OVERLAP = "overlaps another fix in this file; applied on a later round"


@dataclass
class FilePlan:
    """What fixing one file would do: its text before and after, which findings' fixes are in, which are not."""

    path: str
    before: str = ""
    after: str = ""
    applied: list[Finding] = field(default_factory=list)
    skipped: list[tuple[Finding, str]] = field(default_factory=list)
    real: str = ""
    signature: tuple[int, int, int] | None = None
    bom: bool = False

    @property
    def changed(self) -> bool:
        return self.after != self.before

    def diff(self) -> str:
        """The unified diff of the fix, as `git apply` and reviewers read it."""
        lines = difflib.unified_diff(self.before.splitlines(keepends=True), self.after.splitlines(keepends=True),
                                     f"a/{self.path}", f"b/{self.path}")
        out = []
        for line in lines:
            out.append(line if line.endswith(("\n", "\r")) else line + "\n\\ No newline at end of file\n")
        return "".join(out)


def wanted(findings: Iterable[Finding], unsafe: bool, rules: set[str] | None = None) -> list[Finding]:
    """The findings whose fixes a run applies: safe ones, unsafe ones too with `unsafe`, only `rules` if given."""
    return [f for f in findings if f.autofix is not None
            and (unsafe or f.autofix.safety == "safe")
            and (rules is None or f.rule in rules or f.name in rules)]


def fix_roots(paths: Iterable[str], base: Path) -> list[str]:
    """The resolved roots a fix may write under: each scanned folder, and for a named file the root it was read
    under (see discover.named_file_root)."""
    from readycheck.discover import named_file_root

    roots = []
    for path in paths:
        if os.path.isdir(path):
            roots.append(os.path.realpath(path))
        else:
            roots.append(str(named_file_root(path, base.resolve())))
    return roots


def _lines(raw: str) -> tuple[list[int], list[str]]:
    """Where each line of `raw` starts, and the newline that ends it ("" for the last)."""
    starts, ends = [0], []
    for match in _NEWLINE.finditer(raw):
        starts.append(match.end())
        ends.append(match.group())
    ends.append("")
    return starts, ends


def _offset(starts: list[int], raw: str, line: int, column: int) -> int | None:
    """The offset in `raw` of a 1-based line and column, or None when the text has no such place."""
    if line < 1 or line > len(starts) or column < 1:
        return None
    start = starts[line - 1]
    end = starts[line] if line < len(starts) else len(raw)
    content_end = len(raw[start:end].rstrip("\r\n")) + start
    offset = start + column - 1
    return offset if offset <= content_end else None


def apply_fixes(raw: str, fixes: list[Fix]) -> tuple[str, list[int], list[tuple[int, str]]]:
    """`raw` (newlines as in the file) with the fixes applied; the indexes of those applied and of those left
    out, with why. Pure: the property tests call it directly."""
    starts, ends = _lines(raw)
    newline = next((e for e in ends if e), "\n")
    taken: list[tuple[int, int]] = []
    replacements: list[tuple[int, int, str]] = []
    applied: list[int] = []
    left: list[tuple[int, str]] = []
    order = sorted(range(len(fixes)), key=lambda i: min(((e.line, e.column) for e in fixes[i].edits), default=(0, 0)))
    for index in order:
        spans, why = _spans(raw, starts, fixes[index].edits, newline)
        if why:
            left.append((index, why))
            continue
        if any(_overlaps((a, b), c) for a, b, _ in spans for c in taken):
            left.append((index, OVERLAP))
            continue
        taken.extend((a, b) for a, b, _ in spans)
        replacements.extend(spans)
        applied.append(index)
    text = raw
    for start, end, new in sorted(replacements, reverse=True):
        text = text[:start] + new + text[end:]
    return text, sorted(applied), sorted(left)


def _overlaps(one: tuple[int, int], other: tuple[int, int]) -> bool:
    """Two replaced ranges touch: they share a character, or both insert at one place (their order is unknown)."""
    (a, b), (c, d) = one, other
    if a == b == c == d:
        return True
    return a < d and c < b or (a == b and c < a < d) or (c == d and a < c < b)


def _spans(raw: str, starts: list[int], edits: tuple[Edit, ...], newline: str) -> tuple[list[tuple[int, int, str]], str]:
    """Each edit as (start, end, replacement) offsets in `raw`, or why the fix cannot be applied here."""
    spans = []
    for edit in edits:
        start = _offset(starts, raw, edit.line, edit.column)
        end = _offset(starts, raw, edit.end_line, edit.end_column)
        if start is None or end is None or end < start:
            return [], "its edit is outside the file's text"
        if _NEWLINE.sub("\n", raw[start:end]) != edit.old:
            return [], "the text it edits is not what the fix expects"
        spans.append((start, end, edit.new.replace("\n", newline)))
    spans.sort()
    for (_, end, _), (start, _, _) in zip(spans, spans[1:], strict=False):
        if start < end:
            return [], "its own edits overlap"
    return spans, ""


def plan_file(path: str, findings: list[Finding], roots: list[str], base: Path) -> FilePlan:
    """Read `path` (relative to `base`) under the rules above and compute its fixed text; nothing is written."""
    plan = FilePlan(path)
    absolute = os.path.join(str(base), path)
    real = os.path.realpath(absolute)
    root = next((r for r in roots if within(real, r)), None)

    def skip_all(why: str) -> FilePlan:
        plan.skipped.extend((f, why) for f in findings)
        return plan

    if root is None:
        return skip_all("the file is outside the scanned root: not edited")
    try:
        info = os.lstat(absolute)
    except OSError as exc:
        return skip_all(f"cannot read: {exc.strerror or exc}")
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISREG(info.st_mode):
        return skip_all("not a regular file (a symbolic link is never edited)")
    try:
        raw_bytes = read_bytes(real, root=root)
        normal = decode(raw_bytes)
    except LoadError as exc:
        return skip_all(exc.message)
    if raw_bytes.startswith((b"\xff\xfe", b"\xfe\xff")):
        return skip_all("a UTF-16 file: not edited")
    digest = digest_of(normal)
    raw = raw_bytes.decode("utf-8-sig")
    plan.bom = raw_bytes.startswith(b"\xef\xbb\xbf")
    plan.before = plan.after = raw
    plan.real = real
    plan.signature = (info.st_ino, info.st_size, info.st_mtime_ns)
    current = []
    for finding in findings:
        assert finding.autofix is not None
        if finding.autofix.digest != digest:
            plan.skipped.append((finding, "the file changed since it was scanned"))
        else:
            current.append(finding)
    text, applied, left = apply_fixes(raw, [f.autofix for f in current if f.autofix is not None])
    plan.after = text
    plan.applied = [current[i] for i in applied]
    plan.skipped.extend((current[i], why) for i, why in left)
    return plan


def plan_fixes(findings: list[Finding], roots: list[str], base: Path) -> list[FilePlan]:
    """One plan per file that has a fix, in path order."""
    by_path: dict[str, list[Finding]] = {}
    for finding in findings:
        by_path.setdefault(finding.path, []).append(finding)
    return [plan_file(path, by_path[path], roots, base) for path in sorted(by_path)]


def write_plan(plan: FilePlan) -> str | None:
    """Write a changed plan's text, atomically; why not, if it was not written (the file changed meanwhile)."""
    if not plan.changed or plan.signature is None:
        return None
    try:
        info = os.lstat(plan.real)
    except OSError as exc:
        return f"cannot write: {exc.strerror or exc}"
    if stat.S_ISLNK(info.st_mode) or (info.st_ino, info.st_size, info.st_mtime_ns) != plan.signature:
        return "the file changed while it was being fixed: not written"
    try:
        write_atomic(plan.real, (_BOM if plan.bom else "") + plan.after)
    except OSError as exc:
        return f"cannot write: {exc.strerror or exc}"
    return None


def restore(plan: FilePlan) -> None:
    """Put a fixed file back as it was (a fix that broke its parse is undone)."""
    write_atomic(plan.real, (_BOM if plan.bom else "") + plan.before)
