"""Cross-artifact harness: the service map and the service rules on local checkouts of public repositories.

For each DIR it runs `readycheck services --format json` and `readycheck check --select service --format json`
in a child process started in DIR (paths relative to the repository) and prints the table of bench/REALWORLD.md's
"Cross-artifact findings" section: files checked, services, services whose Dockerfile is linked to what runs it
(a manifest, a rendered chart or a compose service), links, SVC findings; then the links by how they were made
and the findings per rule. Precision needs a human: `--sample N --seed S` prints a seeded sample of the findings
(and `--links N` of the build links) with the lines around each, for judging by reading the files.

    python bench/services_realworld.py /work/ext/h18-* /work/ext/h22-*
    python bench/services_realworld.py --save runs.json DIR...      # keep the raw results
    python bench/services_realworld.py --load runs.json --sample 20 --links 20 --seed 18
    python bench/services_realworld.py --readycheck "python -m readycheck" DIR...   # another build (PYTHONPATH)
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import random
import shlex
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

BUILD_LINKS = frozenset({"pipeline build", "bake target", "compose build", "skaffold build"})
"""Links that tie a Dockerfile to an image (the rest join runners to an image name)."""
RUNNER_KEYS = ("manifests", "chart_workloads", "compose")


@dataclass
class ServiceRun:
    """One repository: its service map and the service rules' findings."""

    name: str
    directory: str
    commit: str
    files: int
    services: list[dict[str, Any]]
    findings: list[dict[str, Any]]
    errors: list[dict[str, Any]] = field(default_factory=list)


def commit_of(directory: Path) -> str:
    """The checkout's commit: a `.commit` (or `.h22-commit`) file in it, else git, else '-'."""
    for marker in (directory / ".commit", directory / ".h22-commit"):
        if marker.is_file():
            return marker.read_text(encoding="utf-8", errors="replace").strip()[:40] or "-"
    try:
        done = subprocess.run(["git", "-C", str(directory), "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return "-"
    return done.stdout.strip() if done.returncode == 0 and done.stdout.strip() else "-"


def _json(command: list[str], directory: Path) -> tuple[dict[str, Any], str]:
    with open(os.devnull, "rb") as stdin:
        done = subprocess.run(command, cwd=directory, stdin=stdin, capture_output=True, check=False)
    try:
        return json.loads(done.stdout.decode("utf-8")), ""
    except ValueError:
        return {}, done.stderr.decode("utf-8", "replace")[-300:]


def scan(directory: Path, readycheck: list[str]) -> ServiceRun:
    directory = directory.resolve()
    mapped, why = _json([*readycheck, "services", "--format", "json", "--no-cache", "."], directory)
    checked, why_check = _json([*readycheck, "check", "--select", "service", "--format", "json", "--no-cache",
                                "--fail-on", "never", "."], directory)
    errors = list(checked.get("errors", []))
    errors += [{"path": ".", "line": None, "message": f"no JSON output: {w}"} for w in (why, why_check) if w]
    return ServiceRun(name=directory.name, directory=str(directory), commit=commit_of(directory),
                      files=int(checked.get("summary", {}).get("files", 0)), services=mapped.get("services", []),
                      findings=checked.get("findings", []), errors=errors)


def linked_to_runner(service: dict[str, Any]) -> bool:
    """A service whose Dockerfile is joined to something that runs the image it builds."""
    return bool(service.get("dockerfiles")) and any(service.get(k) for k in RUNNER_KEYS)


def row(run: ServiceRun) -> dict[str, Any]:
    return {"files": run.files, "services": len(run.services),
            "linked": sum(1 for s in run.services if linked_to_runner(s)),
            "links": sum(len(s.get("links", [])) for s in run.services), "findings": len(run.findings)}


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def summary(runs: list[ServiceRun]) -> str:
    """The Markdown table of the section, the links by how they were made, the findings per rule."""
    lines = ["| repository (commit) | files | services | Dockerfile linked to a runner | links | SVC findings |",
             "| --- | ---: | ---: | ---: | ---: | ---: |"]
    total: collections.Counter[str] = collections.Counter()
    for run in runs:
        counts = row(run)
        total.update(counts)
        lines.append(f"| {_cell(run.name)} ({_cell(run.commit[:9])}) | {counts['files']} | {counts['services']} | "
                     f"{counts['linked']} | {counts['links']} | {counts['findings']} |")
    lines.append(f"| **total** | {total['files']} | {total['services']} | {total['linked']} | {total['links']} | "
                 f"**{total['findings']}** |")
    how = collections.Counter(link["how"] for run in runs for s in run.services for link in s.get("links", []))
    rules = collections.Counter(f["rule"] for run in runs for f in run.findings)
    lines += ["", "Links by how they were made: " + (", ".join(f"{n} {h}" for h, n in sorted(how.items(),
                                                                                           key=lambda x: (-x[1], x[0])))
                                                     or "none") + ".",
              "SVC findings per rule: " + (", ".join(f"{r} {n}" for r, n in sorted(rules.items())) or "none") + "."]
    errors = sum(len(run.errors) for run in runs)
    if errors:
        lines.append(f"Error entries: {errors}.")
    return "\n".join(lines) + "\n"


def _context(directory: str, path: str, line: int | None, around: int) -> str:
    file = Path(directory) / path
    try:
        text = file.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return "    (not readable)"
    at = max(int(line or 1), 1)
    shown = range(max(at - around, 1), min(at + around, len(text)) + 1)
    return "\n".join(f"  {'>' if n == at else ' '} {n:5} {text[n - 1][:160]}" for n in shown)


def sample_findings(runs: list[ServiceRun], n: int, seed: int) -> list[tuple[ServiceRun, dict[str, Any]]]:
    found = [(run, f) for run in runs for f in run.findings]
    return random.Random(seed).sample(found, min(n, len(found)))


def sample_links(runs: list[ServiceRun], n: int, seed: int) -> list[tuple[ServiceRun, dict[str, Any]]]:
    found = [(run, link) for run in runs for s in run.services for link in s.get("links", [])
             if link["how"] in BUILD_LINKS]
    return random.Random(seed).sample(found, min(n, len(found)))


def print_sample(runs: list[ServiceRun], findings: int, links: int, seed: int, around: int = 3) -> str:
    out: list[str] = []
    for i, (run, f) in enumerate(sample_findings(runs, findings, seed), 1):
        out.append(f"## finding {i}: {run.name} {f['path']}:{f['line']} {f['rule']}\n{f['message']}")
        out.append(_context(run.directory, f["path"], f["line"], around))
        for related in f.get("related", []):
            out.append(f"  related {related['path']}:{related['line']} {related.get('message', '')}")
            out.append(_context(run.directory, related["path"], related["line"], around))
    for i, (run, link) in enumerate(sample_links(runs, links, seed), 1):
        out.append(f"## link {i}: {run.name} {link['from']} -> {link['to']} ({link['how']}) at {link['path']}:{link['line']}")
        out.append(_context(run.directory, link["path"], link["line"], around))
    return "\n".join(out) + ("\n" if out else "")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("directories", nargs="*", type=Path)
    parser.add_argument("--readycheck", default=f"{shlex.quote(sys.executable)} -m readycheck",
                        help="the command that runs readycheck (default: this Python's readycheck)")
    parser.add_argument("--save", type=Path, help="write the raw results (JSON) here")
    parser.add_argument("--load", type=Path, help="read raw results saved before instead of scanning")
    parser.add_argument("--sample", type=int, default=0, help="print a seeded sample of N findings")
    parser.add_argument("--links", type=int, default=0, help="print a seeded sample of N build links")
    parser.add_argument("--seed", type=int, default=18)
    args = parser.parse_args(argv)
    if args.load:
        runs = [ServiceRun(**r) for r in json.loads(args.load.read_text(encoding="utf-8"))]
    else:
        runs = [scan(d, shlex.split(args.readycheck)) for d in args.directories]
    if args.save:
        args.save.write_text(json.dumps([asdict(r) for r in runs], indent=1), encoding="utf-8")
    sys.stdout.write(summary(runs))
    if args.sample or args.links:
        sys.stdout.write("\n" + print_sample(runs, args.sample, args.links, args.seed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
