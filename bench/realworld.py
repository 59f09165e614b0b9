"""Real-world precision harness: scan local checkouts of public repositories and summarise what readycheck says.

The repositories are fetched by whoever runs this (never committed). For each DIR the harness runs
`readycheck check --format json` in a child process started in DIR (so paths are relative to the
repository), measures its wall time and peak memory (ru_maxrss of the process tree, from wait4), and
writes a Markdown summary: files per kind, findings per kind and per rule, the most frequent rules
with one example location each, and the error entries grouped by cause. A precision figure needs a
human: `--sample N --seed S` prints a seeded random sample of findings with the lines around each,
for judging by reading the file (`--per-kind` draws N from every kind instead of N overall).

    python bench/realworld.py /work/ext/*                       # summary on stdout
    python bench/realworld.py --save runs.json /work/ext/*      # also keep the raw results
    python bench/realworld.py --load runs.json --sample 10 --per-kind --seed 16
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import random
import re
import subprocess
import sys
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

# A finding is judged per kind of file it is about; these are the kinds of the contract's table, with
# composite actions apart from workflows and charts apart from plain manifests.
KINDS = ("dockerfile", "workflow", "action", "kubernetes", "compose", "helm", "env", "secret-file", "other")
_PREFIX_KIND = {"DF": "dockerfile", "DC": "compose", "ENV": "env", "HELM": "helm", "SEC": "secret-file",
                "K8S": "kubernetes", "GH": "workflow"}
_DISCOVER_KIND = {"env-file": "env", "env-schema": "env"}

# Error causes, tried in order: the first pattern found in the message names the group.
ERROR_CAUSES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("missing chart dependency", re.compile(r"dependenc|helm dependency build|not found in charts/", re.I)),
    ("undefined template (a missing dependency's helpers)", re.compile(r'no template ".*" associated', re.I)),
    ("required/fail in a template", re.compile(r"\brequired\b|\bfail\b|execution error", re.I)),
    ("time limit", re.compile(r"time limit|timed out", re.I)),
    ("template error", re.compile(r"template|function \"|undefined variable|wrong type|can't evaluate", re.I)),
    ("unknown instruction", re.compile(r"unknown instruction", re.I)),
    ("YAML", re.compile(r"yaml|mapping values|could not find expected|did not find expected|found character|scanner|parser"
                        r"|while parsing|block|indentation|duplicate key", re.I)),
    ("JSON", re.compile(r"json|expecting value|expecting property", re.I)),
    ("too large", re.compile(r"larger than|too large|over the .* limit|--max-file-size", re.I)),
    ("encoding", re.compile(r"utf-?8|decode|binary|encoding", re.I)),
    ("rule crashed", re.compile(r"^rule \S+ failed", re.I)),
    ("unreadable", re.compile(r"permission|link|not a regular file|refused|outside", re.I)),
)


@dataclass
class Run:
    """One repository's scan: what readycheck reported and what it cost."""

    name: str
    directory: str
    commit: str
    files: dict[str, int]
    findings: list[dict[str, Any]]
    errors: list[dict[str, Any]]
    seconds: float
    peak_mb: float
    exit_code: int
    stderr_tail: str = ""
    kinds: dict[str, str] = field(default_factory=dict)  # finding path -> kind


def error_cause(message: str) -> str:
    """The group an error entry belongs to, decided by the first cause whose pattern its message shows."""
    for cause, pattern in ERROR_CAUSES:
        if pattern.search(message):
            return cause
    return "other"


def _commit(directory: Path) -> str:
    """The checkout's commit when it is a git work tree, else a `.commit` file beside it, else '-'."""
    marker = directory / ".commit"
    if marker.is_file():
        return marker.read_text(encoding="utf-8", errors="replace").strip()[:40] or "-"
    try:
        done = subprocess.run(["git", "-C", str(directory), "rev-parse", "HEAD"], capture_output=True,
                              text=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return "-"
    return done.stdout.strip() if done.returncode == 0 and done.stdout.strip() else "-"


def _targets(directory: Path) -> list[tuple[str, str]]:
    """(path relative to the checkout, readycheck kind) of every file the scan will look at."""
    from readycheck.discover import discover

    found = discover([directory], base=directory)
    return [(Path(os.path.relpath(t.path, directory)).as_posix(), t.kind) for t in found]


def kind_of(path: str, rule: str, targets: dict[str, str], charts: list[str]) -> str:
    """The kind of file a finding is about: the target it names, else the chart it sits in, else its rule's prefix."""
    kind = targets.get(path)
    if kind is not None:
        return _DISCOVER_KIND.get(kind, kind)
    if any(path == chart or path.startswith(chart.rstrip("/") + "/") for chart in charts):
        return "helm"
    prefix = re.match(r"[A-Z]+", rule)
    found = _PREFIX_KIND.get(prefix.group(0) if prefix else "", "other")
    if found == "workflow" and "/.github/workflows/" not in "/" + path:
        return "action"
    return found


def scan(directory: Path, readycheck: list[str], extra: list[str]) -> Run:
    """Run readycheck on one checkout in a child process, timing it and taking its peak memory."""
    directory = directory.resolve()
    targets = _targets(directory)
    files = collections.Counter(_DISCOVER_KIND.get(kind, kind) for _, kind in targets)
    command = [*readycheck, "check", "--format", "json", "--no-cache", "--fail-on", "never", *extra, "."]
    start = time.perf_counter()
    with open(os.devnull, "rb") as stdin:
        process = subprocess.Popen(command, cwd=directory, stdin=stdin, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE)
        out, err = process.communicate()
    seconds = time.perf_counter() - start
    # communicate() reaped the child; its resource use (and its workers') is in RUSAGE_CHILDREN. The peak
    # is the largest of any reaped descendant of this process so far, so each repository gets a fresh child.
    peak_mb = _peak_mb()
    try:
        report = json.loads(out.decode("utf-8"))
    except ValueError:
        report = {"findings": [], "errors": [{"path": ".", "line": None,
                                              "message": "no JSON report: " + err.decode("utf-8", "replace")[-300:]}]}
    target_kinds = dict(targets)
    charts = [path.rstrip("/") for path, kind in targets if kind == "helm"]
    kinds = {f["path"]: kind_of(f["path"], f["rule"], target_kinds, charts) for f in report["findings"]}
    return Run(name=directory.name, directory=str(directory), commit=_commit(directory), files=dict(files),
               findings=report["findings"], errors=report["errors"], seconds=round(seconds, 2),
               peak_mb=round(peak_mb, 1), exit_code=process.returncode,
               stderr_tail=err.decode("utf-8", "replace")[-500:], kinds=kinds)


def _peak_mb() -> float:
    """Peak RSS in MB of the reaped children of this process (Linux reports KB, macOS bytes)."""
    import resource

    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def _scan_isolated(directory: Path, readycheck: list[str], extra: list[str]) -> Run:
    """`scan` in a forked child, so RUSAGE_CHILDREN's peak is this repository's alone."""
    if not hasattr(os, "fork"):
        return scan(directory, readycheck, extra)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child process
        os.close(read)
        try:
            payload = json.dumps(asdict(scan(directory, readycheck, extra))).encode("utf-8")
        except BaseException as exc:  # noqa: BLE001 - reported to the parent as an error entry
            payload = json.dumps({"error": repr(exc)}).encode("utf-8")
        with os.fdopen(write, "wb") as pipe:
            pipe.write(payload)
        os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        data = pipe.read()
    os.waitpid(pid, 0)
    loaded = json.loads(data.decode("utf-8")) if data else {"error": "the scan process died"}
    if "error" in loaded:
        raise RuntimeError(f"{directory}: {loaded['error']}")
    return Run(**loaded)


# ---------------------------------------------------------------- summary

def _cell(text: object) -> str:
    """Text safe in one Markdown table cell (no pipes, no newlines, no control characters)."""
    return _printable(str(text)).replace("|", "\\|").replace("\n", " ")


def _printable(text: str) -> str:
    """`text` without control characters other than newline and tab (the scanned files are untrusted)."""
    return "".join(ch if ch in "\n\t" or (ch.isprintable() and ch != "\x1b") else "?" for ch in text)


def _location(run: Run, item: dict[str, Any]) -> str:
    line = item.get("line")
    return f"{run.name}/{item['path']}" + (f":{line}" if line else "")


def summary(runs: list[Run]) -> str:
    """The Markdown summary of a set of runs (deterministic for the same runs)."""
    out: list[str] = []
    total_files: collections.Counter[str] = collections.Counter()
    for run in runs:
        total_files.update(run.files)
    by_kind: collections.Counter[str] = collections.Counter()
    by_rule: collections.Counter[str] = collections.Counter()
    rule_kinds: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    severity: dict[str, str] = {}
    example: dict[str, str] = {}
    causes: collections.Counter[str] = collections.Counter()
    cause_example: dict[str, str] = {}
    for run in runs:
        for f in run.findings:
            kind = run.kinds.get(f["path"], "other")
            by_kind[kind] += 1
            by_rule[f["rule"]] += 1
            rule_kinds[f["rule"]][kind] += 1
            severity.setdefault(f["rule"], f.get("severity", "?"))
            example.setdefault(f["rule"], f"{_location(run, f)}: {f.get('message', '')}")
        for e in run.errors:
            cause = error_cause(str(e.get("message", "")))
            causes[cause] += 1
            cause_example.setdefault(cause, f"{_location(run, e)}: {e.get('message', '')}")

    out.append("## Repositories\n")
    out.append("| repository | commit | files | findings | errors | seconds | peak MB |")
    out.append("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for run in runs:
        out.append(f"| {_cell(run.name)} | {_cell(run.commit[:12])} | {sum(run.files.values())} | "
                   f"{len(run.findings)} | {len(run.errors)} | {run.seconds:.2f} | {run.peak_mb:.0f} |")
    out.append(f"| **total** | | {sum(total_files.values())} | {sum(len(r.findings) for r in runs)} | "
               f"{sum(len(r.errors) for r in runs)} | {sum(r.seconds for r in runs):.2f} | "
               f"{max((r.peak_mb for r in runs), default=0):.0f} (max) |")

    out.append("\n## Files and findings per kind\n")
    out.append("| kind | files | findings |")
    out.append("| --- | ---: | ---: |")
    for kind in sorted(set(total_files) | set(by_kind), key=lambda k: (KINDS.index(k) if k in KINDS else 99, k)):
        out.append(f"| {kind} | {total_files.get(kind, 0)} | {by_kind.get(kind, 0)} |")

    out.append("\n## Findings per rule (most frequent first, one example each)\n")
    out.append("| rule | severity | count | kinds | example |")
    out.append("| --- | --- | ---: | --- | --- |")
    for rule, count in sorted(by_rule.items(), key=lambda item: (-item[1], item[0])):
        kinds = ", ".join(f"{k} {n}" for k, n in sorted(rule_kinds[rule].items()))
        out.append(f"| {rule} | {severity[rule]} | {count} | {kinds} | {_cell(example[rule])[:200]} |")

    out.append("\n## Errors by cause\n")
    if not causes:
        out.append("No error entries.")
    else:
        out.append("| cause | count | example |")
        out.append("| --- | ---: | --- |")
        for cause, count in sorted(causes.items(), key=lambda item: (-item[1], item[0])):
            out.append(f"| {cause} | {count} | {_cell(cause_example[cause])[:200]} |")
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------- sampling

def _all_findings(runs: list[Run], only: set[str]) -> list[tuple[Run, dict[str, Any], str]]:
    items = [(run, f, run.kinds.get(f["path"], "other")) for run in runs for f in run.findings
             if not only or f["rule"] in only]
    items.sort(key=lambda t: (t[0].name, t[1]["path"], t[1].get("line") or 0, t[1]["rule"], t[1].get("message", "")))
    return items


def sample(runs: list[Run], n: int, seed: int, per_kind: bool = False, only: Iterable[str] = ()) -> list[
        tuple[Run, dict[str, Any], str]]:
    """A seeded random sample of findings: `n` overall, or `n` from every kind with `per_kind`."""
    items = _all_findings(runs, set(only))
    rng = random.Random(seed)
    if not per_kind:
        return rng.sample(items, min(n, len(items)))
    chosen: list[tuple[Run, dict[str, Any], str]] = []
    grouped: dict[str, list[tuple[Run, dict[str, Any], str]]] = collections.defaultdict(list)
    for item in items:
        grouped[item[2]].append(item)
    for kind in sorted(grouped, key=lambda k: (KINDS.index(k) if k in KINDS else 99, k)):
        chosen.extend(rng.sample(grouped[kind], min(n, len(grouped[kind]))))
    return chosen


def context(run: Run, finding: dict[str, Any], lines: int) -> str:
    """The lines around a finding, numbered, with the finding's line marked (control characters replaced)."""
    line = finding.get("line")
    path = Path(run.directory) / finding["path"]
    if path.is_dir() or not path.is_file():
        return f"    ({finding['path']}: no file to show)"
    try:
        text = path.read_bytes()[:2_000_000].decode("utf-8", "replace").splitlines()
    except OSError as exc:
        return f"    (unreadable: {exc.strerror})"
    if not line:
        line = 1
    end = min(finding.get("end_line") or line, line + 6)  # a long span (a whole job) shows only its head
    first, last = max(1, line - lines), min(len(text), end + lines)
    shown = []
    for number in range(first, last + 1):
        mark = ">" if number == line else " "
        shown.append(f"  {mark}{number:5d}  {_printable(text[number - 1])[:160]}")
    return "\n".join(shown)


def print_sample(chosen: list[tuple[Run, dict[str, Any], str]], lines: int) -> str:
    """The sample as text, one numbered block per finding, for judging by hand."""
    out = []
    for number, (run, f, kind) in enumerate(chosen, 1):
        out.append(f"#{number} [{kind}] {f['rule']} {f.get('severity', '?')} {_location(run, f)}")
        out.append(f"    {_printable(f.get('message', ''))}")
        for related in f.get("related") or []:
            out.append(f"    related: {related.get('path')}:{related.get('line')} {_printable(related.get('message', ''))}")
        out.append(context(run, f, lines))
        out.append("")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dirs", nargs="*", type=Path, help="checkouts to scan (each one repository)")
    parser.add_argument("--load", type=Path, help="read saved runs (from --save) instead of scanning")
    parser.add_argument("--save", type=Path, help="write the raw runs as JSON, for --load")
    parser.add_argument("-o", "--output", type=Path, help="write the summary here instead of stdout")
    parser.add_argument("--sample", type=int, default=0, metavar="N", help="print a random sample of N findings")
    parser.add_argument("--seed", type=int, default=0, help="seed of the sample")
    parser.add_argument("--per-kind", action="store_true", help="sample N findings from every kind")
    parser.add_argument("--rule", action="append", default=[], help="sample only these rules (repeatable)")
    parser.add_argument("--lines", type=int, default=4, help="lines of context around each sampled finding")
    parser.add_argument("--readycheck", default=f"{sys.executable} -m readycheck",
                        help="the command that runs readycheck [default: this Python's -m readycheck]")
    parser.add_argument("--arg", action="append", default=[], dest="extra",
                        help="an extra argument for `readycheck check` (repeatable), e.g. --arg=-j1")
    args = parser.parse_args(argv)
    if args.load:
        runs = [Run(**item) for item in json.loads(args.load.read_text(encoding="utf-8"))]
    else:
        if not args.dirs:
            parser.error("give checkouts to scan, or --load FILE")
        missing = [str(d) for d in args.dirs if not d.is_dir()]
        if missing:
            parser.error("not a directory: " + ", ".join(missing))
        runs = []
        for directory in args.dirs:
            run = _scan_isolated(directory, args.readycheck.split(), args.extra)
            print(f"{run.name}: {len(run.findings)} findings, {len(run.errors)} errors, {run.seconds:.1f}s",
                  file=sys.stderr)
            runs.append(run)
    if args.save:
        args.save.write_text(json.dumps([asdict(r) for r in runs], indent=1), encoding="utf-8")
    text = summary(runs)
    if args.sample:
        chosen = sample(runs, args.sample, args.seed, args.per_kind, args.rule)
        text += f"\n## Sample (seed {args.seed}, {'per kind' if args.per_kind else 'overall'})\n\n```\n"
        text += print_sample(chosen, args.lines) + "```\n"
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
