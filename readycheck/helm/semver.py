"""Semantic versions and constraints with Masterminds/semver v3 rules (what
Sprig's ``semver`` and ``semverCompare`` use), including its prerelease rule:
a prerelease version only satisfies constraints that mention a prerelease."""

from __future__ import annotations

import re
from dataclasses import dataclass

_VERSION = re.compile(
    r"^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z\-]+(?:\.[0-9A-Za-z\-]+)*))?(?:\+([0-9A-Za-z\-]+(?:\.[0-9A-Za-z\-]+)*))?$"
)
_CONSTRAINT = re.compile(r"^\s*(=|!=|>=|=>|<=|=<|>|<|~>|~|\^)?\s*(v?[0-9xX*]+(?:\.[0-9xX*]+){0,2}(?:-[0-9A-Za-z\-.]+)?(?:\+[0-9A-Za-z\-.]+)?)\s*$")


class SemverError(ValueError):
    pass


@dataclass(frozen=True)
class Version:
    major: int
    minor: int
    patch: int
    prerelease: str = ""
    metadata: str = ""
    original: str = ""

    def __str__(self) -> str:
        text = f"{self.major}.{self.minor}.{self.patch}"
        if self.prerelease:
            text += "-" + self.prerelease
        if self.metadata:
            text += "+" + self.metadata
        return text

    def compare(self, other: Version) -> int:
        for a, b in ((self.major, other.major), (self.minor, other.minor), (self.patch, other.patch)):
            if a != b:
                return -1 if a < b else 1
        return _compare_prerelease(self.prerelease, other.prerelease)


def _compare_prerelease(a: str, b: str) -> int:
    if a == b:
        return 0
    if not a:
        return 1
    if not b:
        return -1
    pa, pb = a.split("."), b.split(".")
    for x, y in zip(pa, pb, strict=False):
        if x == y:
            continue
        xd, yd = x.isdigit(), y.isdigit()
        if xd and yd:
            return -1 if int(x) < int(y) else 1
        if xd != yd:
            return -1 if xd else 1
        return -1 if x < y else 1
    return (len(pa) > len(pb)) - (len(pa) < len(pb))


def parse_version(text: str) -> Version:
    match = _VERSION.match(text.strip())
    if not match:
        raise SemverError(f"Invalid Semantic Version: {text}")
    major, minor, patch, pre, meta = match.groups()
    return Version(int(major), int(minor or 0), int(patch or 0), pre or "", meta or "", text)


@dataclass(frozen=True)
class _Term:
    op: str
    version: Version
    wild: int  # index of the first wildcard part (0 major, 1 minor, 2 patch) or 3 for none
    has_pre: bool

    def check(self, v: Version) -> bool:
        if v.prerelease and not self.has_pre:
            return False
        c, op = self.version, self.op
        if op in ("", "="):
            return _in_wild_range(v, c, self.wild) if self.wild < 3 else v.compare(c) == 0
        if op == "!=":
            return not (_in_wild_range(v, c, self.wild) if self.wild < 3 else v.compare(c) == 0)
        if op == ">":
            if self.wild < 3:
                upper = _wild_upper(c, self.wild)
                return upper is not None and v.compare(upper) >= 0
            return v.compare(c) > 0
        if op == ">=":
            return v.compare(c) >= 0
        if op == "<":
            return v.compare(c) < 0
        if op == "<=":
            if self.wild < 3:
                upper = _wild_upper(c, self.wild)
                return upper is None or v.compare(upper) < 0
            return v.compare(c) <= 0
        if op in ("~", "~>"):
            if v.compare(c) < 0:
                return False
            if self.wild == 0 or (self.wild == 3 and (c.major, c.minor, c.patch) == (0, 0, 0)):
                return True
            if self.wild == 1:
                return v.major == c.major
            return v.major == c.major and v.minor == c.minor
        if op == "^":
            if v.compare(c) < 0:
                return False
            if c.major > 0 or self.wild <= 1:
                return v.major == c.major
            if c.minor > 0 or self.wild == 2:
                return v.major == 0 and v.minor == c.minor
            return v.major == 0 and v.minor == 0 and v.patch == c.patch
        raise SemverError(f"unknown operator {op}")


def _in_wild_range(v: Version, c: Version, wild: int) -> bool:
    if wild == 0:
        return True
    if wild == 1:
        return v.major == c.major
    return v.major == c.major and v.minor == c.minor


def _wild_upper(c: Version, wild: int) -> Version | None:
    if wild == 0:
        return None
    if wild == 1:
        return Version(c.major + 1, 0, 0)
    return Version(c.major, c.minor + 1, 0)


def _parse_term(text: str) -> _Term:
    match = _CONSTRAINT.match(text)
    if not match:
        raise SemverError(f"improper constraint: {text}")
    op, ver = match.groups()
    op = {"=>": ">=", "=<": "<="}.get(op or "", op or "")
    core, _, rest = ver.lstrip("v").partition("-")
    parts = core.split("+")[0].split(".")
    wild = next((i for i, p in enumerate(parts) if p in ("x", "X", "*")), 3 if len(parts) == 3 else len(parts))
    if op in ("~", "~>", "^", ">=", "<") and wild < 3:
        wild = wild if op in ("~", "~>", "^") else 3
    nums = [int(p) if p.isdigit() else 0 for p in parts] + [0] * (3 - len(parts))
    pre = rest.split("+")[0] if rest else ""
    version = Version(nums[0], nums[1], nums[2], pre, "", ver)
    return _Term(op, version, wild, bool(pre))


def _split_terms(text: str) -> list[str]:
    """``>= 1.2, < 1.5`` and ``>=1.2 <1.5`` both mean AND; glue lone operators to their version."""
    pieces: list[str] = []
    pending = ""
    for word in text.replace(",", " ").split():
        if re.fullmatch(r"!=|>=|=>|<=|=<|=|>|<|~>|~|\^", word):
            pending += word
            continue
        pieces.append(pending + word)
        pending = ""
    if pending:
        raise SemverError(f"improper constraint: {text}")
    return pieces


def constraint_matches(constraint: str, version: str) -> bool:
    v = parse_version(version)
    for alternative in constraint.split("||"):
        alternative = alternative.strip()
        hyphen = re.match(r"^\s*(\S+)\s+-\s+(\S+)\s*$", alternative)
        if hyphen:
            terms = [_parse_term(">=" + hyphen.group(1)), _parse_term("<=" + hyphen.group(2))]
        else:
            pieces = _split_terms(alternative)
            if not pieces:
                raise SemverError(f"improper constraint: {constraint}")
            terms = [_parse_term(p) for p in pieces]
        if all(t.check(v) for t in terms):
            return True
    return False
