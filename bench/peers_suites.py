"""readycheck beside a peer on the peer's own test inputs: which findings both make, and which only one does.

A peer's test suite is the best list of what the peer means to catch, so each peer input is run
through the peer and through readycheck, and every peer finding is matched against readycheck's
findings of the rules that bench/peer_map.yaml maps its check to. Per check the report counts:

- both: the peer finding has a readycheck finding of a mapped rule near it (same file, within
  `tolerance` lines, or anywhere in the file for checks mapped with `match: file`);
- peer only: no such readycheck finding;
- readycheck only: a readycheck finding of a mapped rule that no peer finding of the check explains.

Disagreements that were read and judged are recorded in the map (`judged:`) with a verdict, so
recall is counted where the peer is right: `peer-wrong` peer-only findings leave the denominator,
`readycheck-right` readycheck-only findings are not counted as false positives.

The peer's repository is a local checkout given on the command line (never committed):

    python bench/peers_suites.py zizmor /work/ext/zizmor            # table on stdout
    python bench/peers_suites.py zizmor /work/ext/zizmor --details  # every disagreement, for judging
    python bench/peers_suites.py zizmor /work/ext/zizmor --json out.json

Each peer is a section of the map, independent of the others; a peer needs an adapter below (how to
list its inputs, how to run it and read its output) and its section in the map.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

BENCH = Path(__file__).resolve().parent
MAP = BENCH / "peer_map.yaml"


@dataclass(frozen=True)
class Input:
    """One peer test input: its path inside the suite and the readycheck kind it is staged as."""

    rel: str
    kind: str


@dataclass(frozen=True)
class Finding:
    tool: str
    check: str
    file: str
    line: int


@dataclass
class CheckResult:
    check: str
    rules: list[str]
    both: list[Finding] = field(default_factory=list)
    peer_only: list[Finding] = field(default_factory=list)
    readycheck_only: list[Finding] = field(default_factory=list)
    peer_wrong: list[Finding] = field(default_factory=list)
    readycheck_right: list[Finding] = field(default_factory=list)

    @property
    def recall(self) -> float | None:
        """Share of the peer's right findings that readycheck also makes."""
        right = len(self.both) + len(self.peer_only)
        return len(self.both) / right if right else None


# ---------------------------------------------------------------- staging for readycheck

def stage(suite: Path, inputs: list[Input], into: Path) -> dict[str, str]:
    """Copy each input under its own folder with the name readycheck knows its kind by.

    Peer suites keep inputs under names of their own (`template-injection.yml`); readycheck, like
    GitHub, finds a workflow by its place (`.github/workflows/`). Returns staged path -> suite path.
    """
    placed: dict[str, str] = {}
    for number, item in enumerate(inputs):
        folder = into / f"{number:05d}"
        name = Path(item.rel).name
        if item.kind == "workflow":
            target = folder / ".github" / "workflows" / name
        elif item.kind == "action":
            target = folder / ("action.yaml" if name.endswith(".yaml") else "action.yml")
        elif item.kind == "dockerfile":
            target = folder / "Dockerfile"
        else:
            target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(suite / item.rel, target)
        placed[target.relative_to(into).as_posix()] = item.rel
    return placed


def run_readycheck(suite: Path, inputs: list[Input], readycheck: str,
                   config: dict[str, Any] | None = None) -> tuple[list[Finding], list[dict[str, Any]]]:
    """readycheck's findings (rule id as the check) and load errors, keyed by suite paths.

    `config` (the section's `readycheck_config`) sets rule options that match the peer's policy
    where readycheck's default differs on purpose (e.g. which action owners may use tags).
    """
    with tempfile.TemporaryDirectory(prefix="peers-suites-") as tmp:
        root = Path(tmp) / "inputs"
        root.mkdir()
        placed = stage(suite, inputs, root)
        command = [readycheck, "check", "--format", "json", "--no-cache", "--fail-on", "never"]
        if config:
            config_path = Path(tmp) / "readycheck.yaml"
            config_path.write_text(yaml.safe_dump(config))
            command += ["--config", str(config_path)]
        proc = subprocess.run([*command, "."], cwd=root, capture_output=True, text=True, check=False)
        if proc.returncode not in (0, 1, 2):
            raise SystemExit(f"readycheck failed ({proc.returncode}): {proc.stderr[-2000:]}")
        report = json.loads(proc.stdout)
    findings = [Finding("readycheck", f["rule"], placed.get(f["path"], f["path"]), int(f["line"]))
                for f in report["findings"]]
    errors = [{**e, "path": placed.get(e["path"], e["path"])} for e in report.get("errors", [])]
    return findings, errors


# ---------------------------------------------------------------- peer adapters

class Adapter:
    """How one peer's suite is read: its inputs and its findings."""

    def __init__(self, section: dict[str, Any], checkout: Path) -> None:
        self.section = section
        self.checkout = checkout
        self.suite = checkout / section["suite"]

    def inputs(self) -> list[Input]:
        raise NotImplementedError

    def run(self, inputs: list[Input]) -> list[Finding]:
        raise NotImplementedError

    def ignored(self, finding: Finding, check: str) -> bool:
        """Whether the input tells the peer to ignore this check on that line (the test knows it is there)."""
        return False


class Zizmor(Adapter):
    """zizmor's integration test data: workflows and actions, run offline with no config."""

    def inputs(self) -> list[Input]:
        skip = [str(s) for s in self.section.get("skip_paths", [])]
        globs = [str(g) for g in self.section.get("skip_globs", [])]
        found = []
        for path in sorted(self.suite.rglob("*")):
            rel = path.relative_to(self.suite).as_posix()
            if not path.is_file() or path.suffix not in (".yml", ".yaml") or any(rel.startswith(s) for s in skip) \
                    or any(fnmatch.fnmatch(rel, g) for g in globs):
                continue
            if path.name in ("dependabot.yml", "dependabot.yaml") or path.name.startswith("zizmor."):
                continue
            kind = "action" if path.name in ("action.yml", "action.yaml") else "workflow"
            found.append(Input(rel, kind))
        return found

    def run(self, inputs: list[Input]) -> list[Finding]:
        command = [*self.section.get("command", ["zizmor"]), "--offline", "--no-config", "--format", "json"]
        findings: list[Finding] = []
        for item in inputs:  # one at a time: an input zizmor rejects must not hide the others
            proc = subprocess.run([*command, item.rel], cwd=self.suite, capture_output=True, text=True, check=False)
            if not proc.stdout.strip().startswith("["):
                continue
            for raw in json.loads(proc.stdout):
                line = _zizmor_line(raw)
                if line is not None:
                    findings.append(Finding("peer", str(raw["ident"]), item.rel, line))
        return findings


    def ignored(self, finding: Finding, check: str) -> bool:
        lines = (self.suite / finding.file).read_text(errors="replace").splitlines()
        # two lines before, the finding's line or the next (readycheck points at `container:`, the comment
        # sits on `image:`; at a `run:` line, the comment sits on the step's `name:`)
        text = "\n".join(lines[max(finding.line - 3, 0):finding.line + 1])
        return any(check in [c.strip() for c in m.group(1).split(",")]
                   for m in re.finditer(r"zizmor:\s*ignore\[([^\]]*)\]", text))


def _zizmor_line(raw: dict[str, Any]) -> int | None:
    """The 1-based line of a zizmor finding's primary location."""
    for location in raw.get("locations", []):
        if location.get("symbolic", {}).get("kind") == "Primary":
            return int(location["concrete"]["location"]["start_point"]["row"]) + 1
    return None


ADAPTERS: dict[str, Callable[[dict[str, Any], Path], Adapter]] = {"zizmor": Zizmor}


# ---------------------------------------------------------------- comparison

def _near(a: Finding, b: Finding, tolerance: int, by_file: bool) -> bool:
    return a.file == b.file and (by_file or abs(a.line - b.line) <= tolerance)


def _judged(section: dict[str, Any]) -> dict[tuple[str, str, int, str], str]:
    verdicts = {}
    for item in section.get("judged") or []:
        verdicts[(str(item["check"]), str(item["file"]), int(item["line"]), str(item["tool"]))] = str(item["verdict"])
    return verdicts


def compare(section: dict[str, Any], peer: list[Finding], ours: list[Finding],
            ignored: Callable[[Finding, str], bool] = lambda f, c: False) -> list[CheckResult]:
    """Per mapped peer check: both, peer only, readycheck only (with the judged verdicts applied).

    A readycheck-only finding on a line where the input tells the peer to ignore that check is
    counted as right: the test's author marked the problem as present.
    """
    verdicts = _judged(section)
    results = []
    for check, spec in (section.get("checks") or {}).items():
        spec = spec or {}
        rules = [str(r) for r in spec.get("rules") or []]
        if not rules:
            continue
        by_file = spec.get("match") == "file"
        tolerance = int(spec.get("tolerance", section.get("tolerance", 3)))
        result = CheckResult(str(check), rules)
        mine = [f for f in ours if f.check in rules]
        theirs = [f for f in peer if f.check == check]
        for finding in theirs:
            if any(_near(finding, o, tolerance, by_file) for o in mine):
                result.both.append(finding)
            elif verdicts.get((finding.check, finding.file, finding.line, "peer")) == "peer-wrong":
                result.peer_wrong.append(finding)
            else:
                result.peer_only.append(finding)
        for finding in mine:
            if any(_near(t, finding, tolerance, by_file) for t in theirs):
                continue
            if verdicts.get((str(check), finding.file, finding.line, "readycheck")) == "readycheck-right" \
                    or ignored(finding, str(check)):
                result.readycheck_right.append(finding)
            else:
                result.readycheck_only.append(finding)
        results.append(result)
    return results


def _dedupe(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(set(findings), key=lambda f: (f.file, f.line, f.check))


def table(peer_name: str, results: list[CheckResult], unmapped: dict[str, int]) -> str:
    """A Markdown table of the comparison, with the totals and the unmapped peer checks."""
    lines = [f"| {peer_name} check | readycheck rules | both | peer only | peer wrong | readycheck only "
             "| readycheck right | recall |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    totals = [0, 0, 0, 0, 0]
    for r in results:
        counts = [len(r.both), len(r.peer_only), len(r.peer_wrong), len(r.readycheck_only), len(r.readycheck_right)]
        totals = [a + b for a, b in zip(totals, counts, strict=True)]
        recall = "n/a" if r.recall is None else f"{r.recall:.0%}"
        lines.append(f"| {r.check} | {', '.join(r.rules)} | " + " | ".join(map(str, counts)) + f" | {recall} |")
    right = totals[0] + totals[1]
    recall = f"{totals[0] / right:.1%}" if right else "n/a"
    lines.append("| **all mapped** | | " + " | ".join(f"**{t}**" for t in totals) + f" | **{recall}** |")
    if unmapped:
        lines.append("")
        lines.append("Peer findings of checks with no readycheck rule (see the map for why): "
                     + ", ".join(f"{k} {v}" for k, v in sorted(unmapped.items())))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("peer", help="a section of bench/peer_map.yaml")
    parser.add_argument("checkout", type=Path, help="a local checkout of the peer's repository")
    parser.add_argument("--readycheck", default=shutil.which("readycheck") or "readycheck")
    parser.add_argument("--map", type=Path, default=MAP)
    parser.add_argument("--details", action="store_true", help="list every disagreement (to judge them)")
    parser.add_argument("--json", type=Path, help="also write every finding and the counts to this file")
    args = parser.parse_args(argv)

    mapping = yaml.safe_load(args.map.read_text())
    section = mapping.get(args.peer)
    if section is None or args.peer not in ADAPTERS:
        raise SystemExit(f"no section or adapter for {args.peer!r} (sections: {', '.join(sorted(mapping))})")
    adapter = ADAPTERS[args.peer](section, args.checkout)
    inputs = adapter.inputs()
    env_path = os.environ.get("PATH", "")
    os.environ["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env_path])
    peer = _dedupe(adapter.run(inputs))
    ours, errors = run_readycheck(adapter.suite, inputs, args.readycheck, section.get("readycheck_config"))
    ours = _dedupe(ours)
    results = compare(section, peer, ours, adapter.ignored)
    mapped = {c for c, s in (section.get("checks") or {}).items() if s and s.get("rules")}
    unmapped: dict[str, int] = defaultdict(int)
    for f in peer:
        if f.check not in mapped:
            unmapped[f.check] += 1
    print(f"{len(inputs)} inputs; {len(peer)} {args.peer} findings, {len(ours)} readycheck findings, "
          f"{len(errors)} readycheck load errors\n")
    print(table(args.peer, results, dict(unmapped)))
    if args.details:
        for r in results:
            for label, items in (("peer only", r.peer_only), ("readycheck only", r.readycheck_only)):
                for f in items:
                    print(f"{r.check}\t{label}\t{f.file}:{f.line}\t{f.check}")
        for e in errors:
            print(f"error\t{e['path']}:{e.get('line')}\t{e['message']}")
    if args.json:
        args.json.write_text(json.dumps({
            "peer": [f.__dict__ for f in peer], "readycheck": [f.__dict__ for f in ours], "errors": errors,
            "checks": [{"check": r.check, "rules": r.rules, **{k: [f.__dict__ for f in getattr(r, k)] for k in (
                "both", "peer_only", "peer_wrong", "readycheck_only", "readycheck_right")}} for r in results],
        }, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
