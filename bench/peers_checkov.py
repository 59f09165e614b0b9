"""checkov's own Kubernetes and Dockerfile examples as a peer suite: checkov and readycheck side by side.

checkov's tests (a local checkout of bridgecrewio/checkov, never committed) keep example inputs for
each check: tests/kubernetes/checks/example_*, tests/kubernetes/graph/checks/resources/*,
tests/dockerfile/checks/example_* and tests/dockerfile/graph_builder/checks/resources/*. Every
example folder is staged as it is (its files keep their relations), checkov runs on the staged tree
offline (BC_SKIP_MAPPING, CKV_SKIP_PACKAGE_UPDATE_CHECK, --skip-download), readycheck runs on the same
tree, and each checkov failure is matched against readycheck's findings of the rules that
bench/peer_map_containers.yaml maps its check to: "both" when one lies in the failed resource's line
range (the object, or the instruction; the example folder for RBAC checks mapped with `match: folder`,
which checkov reports on the binding and readycheck on the role), "peer only" when none does,
"rejected object" when readycheck reports the object as one the API server rejects (an error entry:
checkov's finding is then built on a misread), and "readycheck only" for a mapped finding in the
check's own examples outside every failure of the check.

    python bench/peers_checkov.py /work/ext/checkov --checkov /path/to/checkov [--details]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

BENCH = Path(__file__).resolve().parent
MAP = BENCH / "peer_map_containers.yaml"
SUITES = {
    "kubernetes": ["tests/kubernetes/checks", "tests/kubernetes/graph/checks/resources"],
    "dockerfile": ["tests/dockerfile/checks", "tests/dockerfile/graph_builder/checks/resources"],
}


@dataclass(frozen=True)
class Failure:
    check: str
    file: str
    first: int
    last: int


def stage(checkout: Path, into: Path) -> None:
    """Copy every example folder (not the tests' Python) under `into`, keeping its own layout."""
    for framework, roots in SUITES.items():
        for root in roots:
            base = checkout / root
            for folder in sorted(p for p in base.iterdir() if p.is_dir()) if base.is_dir() else []:
                target = into / framework / folder.relative_to(checkout).as_posix().replace("/", "__")
                shutil.copytree(folder, target, ignore=shutil.ignore_patterns("*.py", "__pycache__", "expected.yaml"))


def run_checkov(checkov: str, root: Path) -> list[Failure]:
    env = {**os.environ, "BC_SKIP_MAPPING": "TRUE", "CKV_SKIP_PACKAGE_UPDATE_CHECK": "true", "LOG_LEVEL": "ERROR"}
    failures = []
    for framework in SUITES:
        proc = subprocess.run([checkov, "-d", str(root / framework), "--framework", framework, "--skip-download",
                               "-o", "json", "--quiet", "--compact"], capture_output=True, text=True, env=env,
                              check=False)
        reports = json.loads(proc.stdout or "[]")
        for report in reports if isinstance(reports, list) else [reports]:
            for item in report.get("results", {}).get("failed_checks", []):
                first, last = item.get("file_line_range") or [0, 0]
                path = (root / framework / item["file_path"].lstrip("/")).relative_to(root).as_posix()
                failures.append(Failure(item["check_id"], path, int(first), int(last)))
    return sorted(set(failures), key=lambda f: (f.file, f.first, f.check))


def run_readycheck(readycheck: str, root: Path, config: dict[str, Any]) -> tuple[list[tuple[str, str, int]],
                                                                                 list[tuple[str, int]]]:
    """readycheck's findings (rule, file, line) and its error entries (file, line)."""
    (root / ".readycheck.yaml").write_text(yaml.safe_dump(config))
    proc = subprocess.run([readycheck, "check", "--format", "json", "--no-cache", "--fail-on", "never", "."],
                          cwd=root, capture_output=True, text=True, check=False)
    (root / ".readycheck.yaml").unlink()
    report = json.loads(proc.stdout)
    return ([(f["rule"], f["path"], int(f["line"])) for f in report["findings"]],
            [(e["path"], int(e.get("line") or 0)) for e in report.get("errors", [])])


def _folder(path: str) -> str:
    """The staged example folder a file belongs to (`kubernetes/<example>/...`)."""
    return "/".join(path.split("/")[:2])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("checkout", type=Path)
    parser.add_argument("--checkov", default=shutil.which("checkov") or "checkov")
    parser.add_argument("--readycheck", default=shutil.which("readycheck") or "readycheck")
    parser.add_argument("--map", type=Path, default=MAP)
    parser.add_argument("--details", action="store_true")
    args = parser.parse_args(argv)
    section = yaml.safe_load(args.map.read_text())["checkov"]
    checks: dict[str, Any] = section["checks"]
    judged = {(j["check"], j["file"], int(j["line"]), j["tool"]): j["verdict"] for j in section.get("judged") or []}
    with tempfile.TemporaryDirectory(prefix="peers-checkov-") as tmp:
        root = Path(tmp)
        stage(args.checkout, root)
        peer = run_checkov(args.checkov, root)
        ours, errors = run_readycheck(args.readycheck, root, section.get("readycheck_config") or {})
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    details = []
    unmapped: Counter[str] = Counter()
    for failure in peer:
        rules = set((checks.get(failure.check) or {}).get("rules") or [])
        if not rules:
            unmapped[failure.check] += 1
            continue
        match = (checks.get(failure.check) or {}).get("match")
        if match == "folder":  # a grant judged on the role, not the binding
            hit = any(r in rules and _folder(f) == _folder(failure.file) for r, f, _ in ours)
        elif match == "file":  # the same fact reported at another line of the file
            hit = any(r in rules and f == failure.file for r, f, _ in ours)
        else:
            hit = any(r in rules and f == failure.file and failure.first <= ln <= failure.last for r, f, ln in ours)
        if hit:
            counts[failure.check]["both"] += 1
        elif any(f == failure.file and failure.first <= ln <= failure.last for f, ln in errors):
            counts[failure.check]["rejected"] += 1  # an object the API server rejects: readycheck's error entry
        elif judged.get((failure.check, failure.file, failure.first, "peer")) == "peer-wrong":
            counts[failure.check]["peer_wrong"] += 1
        else:
            counts[failure.check]["peer_only"] += 1
            details.append((failure.check, "peer only", failure.file, failure.first, failure.last))
    for check, spec in checks.items():
        rules = set((spec or {}).get("rules") or [])
        if not rules:
            continue
        mine = {(f, ln) for r, f, ln in ours if r in rules}
        theirs = [p for p in peer if p.check == check]
        by_folder = (spec or {}).get("match") == "folder"
        by_file = (spec or {}).get("match") == "file"
        for file, line in sorted(mine):
            if any(p.file == file and p.first <= line <= p.last for p in theirs):
                continue
            if by_folder and any(_folder(p.file) == _folder(file) for p in theirs):
                continue
            if by_file and any(p.file == file for p in theirs):
                continue
            framework = file.split("/", 1)[0]
            if not any(s in file for s in _example_names(check, section)) and framework:
                continue  # judged only on the check's own examples: elsewhere checkov may well agree in silence
            if judged.get((check, file, line, "readycheck")) == "readycheck-right":
                counts[check]["readycheck_right"] += 1
            else:
                counts[check]["readycheck_only"] += 1
                details.append((check, "readycheck only", file, line, line))
    print("| checkov check | readycheck rules | both | peer only | peer wrong | rejected object | readycheck only "
          "| readycheck right | recall |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    totals: Counter[str] = Counter()
    for check in sorted(counts, key=lambda c: (c.split("_")[0], c.split("_")[1], int(c.split("_")[-1]))):
        c = counts[check]
        totals.update(c)
        right = c["both"] + c["peer_only"]
        recall = f"{c['both'] / right:.0%}" if right else "n/a"
        rules = ", ".join(sorted((checks.get(check) or {}).get("rules") or []))
        print(f"| {check} | {rules} | {c['both']} | {c['peer_only']} | {c['peer_wrong']} | {c['rejected']} | "
              f"{c['readycheck_only']} | {c['readycheck_right']} | {recall} |")
    right = totals["both"] + totals["peer_only"]
    if right:
        print(f"| **all mapped** | | **{totals['both']}** | **{totals['peer_only']}** | **{totals['peer_wrong']}** | "
              f"**{totals['rejected']}** | **{totals['readycheck_only']}** | **{totals['readycheck_right']}** | "
              f"**{totals['both'] / right:.1%}** |")
    print("\ncheckov failures of checks with no readycheck rule: "
          + ", ".join(f"{k} {v}" for k, v in sorted(unmapped.items())))
    if args.details:
        for check, side, file, first, last in details:
            print(f"{check}\t{side}\t{file}:{first}-{last}")
    return 0


def _example_names(check: str, section: dict[str, Any]) -> list[str]:
    """The example folders of a check (by its class name, as checkov names them: example_<Name>, resources/<Name>)."""
    name = (section["checks"].get(check) or {}).get("example") or ""
    return [f"example_{name}", f"resources__{name}"] if name else ["__"]


if __name__ == "__main__":
    sys.exit(main())
