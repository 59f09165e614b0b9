"""kube-linter's end-to-end expectations as a peer suite: the reports its bats tests require, through readycheck.

kube-linter's e2e tests (e2etests/bats-tests.sh in a local checkout of stackrox/kube-linter, never
committed) run one check on one file of tests/checks/ and list the reports they expect, each as
"Kind: message", with their count. That list is kube-linter's own verdict on the file. readycheck runs
on every such file with the rules bench/peer_map_containers.yaml maps the check to, and per check and
object kind:

- both: min(expected reports, readycheck findings on objects of that kind);
- peer only: expected reports readycheck has no finding for (recall lost, unless judged peer-wrong);
- readycheck only: readycheck findings beyond the expected reports (judged one by one).

kube-linter reports per container where readycheck may report per pod, so counts are compared per kind;
`--details` lists both sides for judging. No kube-linter binary is needed (none is packaged for pip):
the expectations are the peer's output, pinned by its own tests.

    python bench/peers_kube_linter.py /work/ext/kube-linter [--details]
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

BENCH = Path(__file__).resolve().parent
MAP = BENCH / "peer_map_containers.yaml"


@dataclass
class Expectation:
    check: str
    file: str
    reports: list[tuple[str, str]]
    """(kind, message) of each expected report."""


def expectations(checkout: Path) -> list[Expectation]:
    """Every `--include CHECK` test of the bats file with the reports it requires."""
    source = (checkout / "e2etests" / "bats-tests.sh").read_text()
    found = []
    for block in re.split(r"\n@test ", source)[1:]:
        include = re.search(r"--include ([a-z0-9-]+)", block)
        target = re.search(r'tmp="([^"]+)"', block)
        if not include or not target:
            continue
        reports = []
        for message in re.findall(r'^\s*\[\[ "\$\{message\d+\}" == "(.*)" \]\]\s*$', block, re.M):
            text = message.replace('\\"', '"')
            kind, _, rest = text.partition(": ")
            reports.append((kind.split()[0] if kind else kind, rest))  # "Job bad-job: ..." names the object too
        found.append(Expectation(include.group(1), target.group(1), reports))
    return found


def object_kinds(text: str) -> list[tuple[int, str]]:
    """(first line, kind) of each YAML document of a manifest file."""
    starts, line = [(1, "")], 0
    chunks: list[list[str]] = [[]]
    for line, raw in enumerate(text.splitlines(), 1):
        if raw.startswith("---"):
            starts.append((line + 1, ""))
            chunks.append([])
        else:
            chunks[-1].append(raw)
    kinds = []
    for (first, _), chunk in zip(starts, chunks, strict=True):
        try:
            data = yaml.safe_load("\n".join(chunk))
        except yaml.YAMLError:
            data = None
        kinds.append((first, str(data.get("kind")) if isinstance(data, dict) else ""))
    return kinds


RBAC = {"Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"}


def kind_at(kinds: list[tuple[int, str]], line: int) -> str:
    kind = next((kind for first, kind in reversed(kinds) if first <= line), "")
    return "RBAC" if kind in RBAC else kind


def _kind(kind: str) -> str:
    """kube-linter reports a grant on the binding, readycheck on the role: one object pair, one kind here."""
    return "RBAC" if kind in RBAC else kind


def run_readycheck(checkout: Path, files: list[str], readycheck: str, config: dict[str, Any]) -> dict[str, list[Any]]:
    """File -> readycheck findings (rule, line, message), each file scanned on its own (its own scope)."""
    out: dict[str, list[Any]] = {}
    with tempfile.TemporaryDirectory(prefix="peers-kube-linter-") as tmp:
        root = Path(tmp)
        (root / ".readycheck.yaml").write_text(yaml.safe_dump(config))
        for number, rel in enumerate(files):
            folder = root / f"{number:03d}"
            folder.mkdir()
            shutil.copyfile(checkout / rel, folder / "manifest.yaml")
        proc = subprocess.run([readycheck, "check", "--format", "json", "--no-cache", "--fail-on", "never", "."],
                              cwd=root, capture_output=True, text=True, check=False)
        report = json.loads(proc.stdout)
    for finding in report["findings"]:
        rel = files[int(finding["path"].split("/")[0])]
        out.setdefault(rel, []).append((finding["rule"], finding["line"], finding["message"]))
    for error in report.get("errors", []):
        rel = files[int(error["path"].split("/")[0])]
        out.setdefault(rel, []).append(("error", error.get("line") or 0, error["message"]))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("checkout", type=Path)
    parser.add_argument("--readycheck", default=shutil.which("readycheck") or "readycheck")
    parser.add_argument("--map", type=Path, default=MAP)
    parser.add_argument("--details", action="store_true")
    args = parser.parse_args(argv)
    section = yaml.safe_load(args.map.read_text())["kube-linter"]
    checks: dict[str, Any] = section["checks"]
    judged = {(j["check"], j["kind"], j["tool"]): (int(j.get("count", 1)), j["verdict"])
              for j in section.get("judged") or []}
    tests = expectations(args.checkout)
    fired = run_readycheck(args.checkout, sorted({t.file for t in tests}), args.readycheck,
                           section.get("readycheck_config") or {})
    totals: Counter[str] = Counter()
    rows, details, unmapped = [], [], Counter()
    for test in tests:
        rules = set((checks.get(test.check) or {}).get("rules") or [])
        if not rules:
            unmapped[test.check] += len(test.reports)
            continue
        kinds = object_kinds((args.checkout / test.file).read_text())
        lines = {line for rule, line, _ in fired.get(test.file, []) if rule in rules}  # one per place, as the peer
        ours = Counter(kind_at(kinds, line) for line in lines)
        theirs = Counter(_kind(kind) for kind, _ in test.reports)
        counts: Counter[str] = Counter()
        for kind in sorted(set(ours) | set(theirs)):
            both = min(ours[kind], theirs[kind])
            counts["both"] += both
            for side, extra in (("peer", theirs[kind] - both), ("readycheck", ours[kind] - both)):
                if not extra:
                    continue
                allowed, verdict = judged.get((test.check, kind, side), (0, ""))
                excused = min(extra, allowed)
                label = {"peer": "peer_only", "readycheck": "readycheck_only"}[side]
                counts[label] += extra - excused
                counts["peer_wrong" if side == "peer" else "readycheck_right"] += excused
                details.append((test.check, side, kind, extra, verdict,
                                [m for k, m in test.reports if _kind(k) == kind] if side == "peer" else
                                [f"{r}:{ln} {m[:110]}" for r, ln, m in fired.get(test.file, [])
                                 if r in rules and kind_at(kinds, ln) == kind]))
        totals.update(counts)
        right = counts["both"] + counts["peer_only"]
        recall = f"{counts['both'] / right:.0%}" if right else "n/a"
        rows.append(f"| {test.check} | {', '.join(sorted(rules))} | {counts['both']} | {counts['peer_only']} | "
                    f"{counts['peer_wrong']} | {counts['readycheck_only']} | {counts['readycheck_right']} | {recall} |")
    right = totals["both"] + totals["peer_only"]
    print(f"{len(tests)} kube-linter e2e tests; {sum(len(t.reports) for t in tests)} expected reports\n")
    print("| kube-linter check | readycheck rules | both | peer only | peer wrong | readycheck only | readycheck right "
          "| recall |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    print("\n".join(rows))
    print(f"| **all mapped** | | **{totals['both']}** | **{totals['peer_only']}** | **{totals['peer_wrong']}** | "
          f"**{totals['readycheck_only']}** | **{totals['readycheck_right']}** | "
          f"**{totals['both'] / right:.1%}** |" if right else "")
    print("\nExpected reports of checks with no readycheck rule: "
          + ", ".join(f"{k} {v}" for k, v in sorted(unmapped.items())))
    if args.details:
        for check, side, kind, extra, verdict, items in details:
            print(f"\n{check}\t{side} only\t{kind} x{extra}\t{verdict or 'unjudged'}")
            for item in items:
                print(f"    {item}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
