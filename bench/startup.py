"""Start-up cost of one `readycheck check` on one Dockerfile: where the import time goes, and the cold process.

Prints (1) the `-X importtime` breakdown of that run, summed by top-level package and the slowest
modules, and (2) the median wall-clock and CPU (user+sys) seconds of fresh processes. CPU time is
the steadier number on a shared machine. Bytecode is allowed to be written (PYTHONDONTWRITEBYTECODE
is removed), as an installed package has it.
Run: python bench/startup.py [--runs N] [FILE]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

DOCKERFILE = """\
FROM python:3.12-slim
WORKDIR /srv/app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
USER 10001
HEALTHCHECK CMD ["python", "-m", "app.health"]
CMD ["python", "-m", "app"]
"""


def environment() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def command(target: Path) -> list[str]:
    return [sys.executable, "-m", "readycheck", "check", "--no-cache", "--format", "json", str(target)]


def import_breakdown(target: Path, top: int) -> None:
    done = subprocess.run([sys.executable, "-X", "importtime", *command(target)[1:]], capture_output=True,
                          text=True, env=environment(), cwd=target.parent)
    by_package: dict[str, int] = defaultdict(int)
    modules: list[tuple[int, int, str]] = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_text, cumulative_text, name = line.removeprefix("import time:").split("|")
        self_time, cumulative, module = int(self_text), int(cumulative_text), name.strip()
        by_package[module.split(".")[0]] += self_time
        modules.append((cumulative, self_time, module))
    total = sum(by_package.values())
    print(f"import time, self, by top-level package (total {total / 1000:.1f} ms):")
    for package, micros in sorted(by_package.items(), key=lambda item: -item[1])[:top]:
        print(f"  {micros / 1000:7.1f} ms  {package}")
    print(f"slowest modules by cumulative import time (top {top}):")
    for cumulative, self_time, module in sorted(modules, reverse=True)[:top]:
        print(f"  {cumulative / 1000:7.1f} ms cumulative {self_time / 1000:6.1f} ms self  {module}")


def cold_runs(target: Path, runs: int) -> None:
    walls: list[float] = []
    cpus: list[float] = []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(command(target), capture_output=True, env=environment(), cwd=target.parent)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    print(f"cold process, {runs} runs: median wall {statistics.median(walls):.3f} s, "
          f"median CPU {statistics.median(cpus):.3f} s (min {min(cpus):.3f} s); load average {os.getloadavg()[0]:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", type=Path, help="Dockerfile to check [default: a small generated one]")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        target = args.file
        if target is None:
            target = Path(tmp) / "Dockerfile"
            target.write_text(DOCKERFILE)
        target = target.resolve()
        subprocess.run(command(target), capture_output=True, env=environment(), cwd=target.parent)  # bytecode, catalog cache
        import_breakdown(target, args.top)
        cold_runs(target, args.runs)


if __name__ == "__main__":
    main()
