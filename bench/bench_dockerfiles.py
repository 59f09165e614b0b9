"""Benchmark: `readycheck check` over 200 generated Dockerfiles; prints seconds per hundred files.

The Dockerfiles are built deterministically (fixed seed) from the rule fixtures in fixtures/DF*:
each generated file is one fixture with its base image tags, package versions and ports varied,
sometimes with extra RUN/ENV lines or a second fixture's stages appended. Each lands in its own
directory (a few with a .dockerignore), as in a monorepo. The command runs as a user runs it
(a fresh process, JSON output); the time of an empty scan is shown apart as start-up cost.
Run: python bench/bench_dockerfiles.py [--files N] [--runs R]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EXTRA_LINES = [
    "RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*",
    "ENV LOG_LEVEL=info PORT={port}",
    "RUN set -eux; mkdir -p /srv/data; chown 10001 /srv/data",
    "EXPOSE {port}",
    "RUN pip install --no-cache-dir gunicorn==22.0.{minor}",
    "LABEL org.opencontainers.image.version=1.{minor}.0",
    "RUN curl -fsSL https://example.com/install.sh | sh",
    "WORKDIR /srv/app{minor}",
]


def fixture_dockerfiles() -> list[str]:
    """The text of every Dockerfile fixture (single files and those inside directory fixtures)."""
    texts = []
    for path in sorted((REPO / "fixtures").glob("DF*/**/*")):
        if path.is_file() and (path.suffix == ".Dockerfile" or path.name == "Dockerfile"):
            texts.append(path.read_text())
    if not texts:
        sys.exit("no Dockerfile fixtures found under fixtures/DF*")
    return texts


def vary(text: str, rng: random.Random, others: list[str]) -> str:
    """One fixture with its versions and ports changed, extra lines added, sometimes a second fixture's stages."""
    text = re.sub(r"(\d+)\.(\d+)\.(\d+)", lambda m: f"{m.group(1)}.{m.group(2)}.{rng.randint(0, 30)}", text)
    lines = text.rstrip("\n").split("\n")
    # only between instructions, never inside a continuation or a heredoc
    first_from = next(i for i, line in enumerate(lines) if line.startswith("FROM "))
    boundaries = [i for i in range(first_from + 1, len(lines) + 1) if re.match(r"[A-Z]+ ", lines[i - 1])
                  and not lines[i - 1].rstrip().endswith("\\") and "<<" not in lines[i - 1]]
    for position in sorted((rng.choice(boundaries) for _ in range(rng.randint(0, 4))), reverse=True):
        line = rng.choice(EXTRA_LINES).format(port=rng.randint(1024, 9999), minor=rng.randint(0, 9))
        lines.insert(position, line)
    if rng.random() < 0.3:
        lines = rng.choice(others).rstrip("\n").split("\n") + [""] + lines
    return "\n".join(lines) + "\n"


def generate(root: Path, count: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    texts = fixture_dockerfiles()
    for index in range(count):
        folder = root / f"svc{index:03d}"
        folder.mkdir()
        (folder / "Dockerfile").write_text(vary(texts[index % len(texts)], rng, texts))
        if rng.random() < 0.5:
            (folder / ".dockerignore").write_text(".git\n.env*\nnode_modules/\n")


def timed_check(directory: Path) -> tuple[float, float]:
    """Wall-clock and CPU seconds of one `readycheck check` process (CPU time is steadier on a busy machine)."""
    command = [sys.executable, "-m", "readycheck", "check", "--format", "json", "--fail-on", "error", str(directory)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, cwd=directory, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode not in (0, 1):
        errors = json.loads(done.stdout)["errors"] if done.stdout.startswith("{") else done.stderr
        sys.exit(f"readycheck exited {done.returncode}: {str(errors)[:800]}")
    return elapsed, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        empty = root / "empty"
        empty.mkdir()
        files = root / "dockerfiles"
        files.mkdir()
        generate(files, args.files)
        startup = min((timed_check(empty) for _ in range(args.runs)), key=lambda t: t[0])
        total = min((timed_check(files) for _ in range(args.runs)), key=lambda t: t[0])
    for label, index in (("wall-clock", 0), ("CPU", 1)):
        per_hundred = total[index] / args.files * 100
        without = (total[index] - startup[index]) / args.files * 100
        print(f"{label}: {args.files} Dockerfiles in {total[index]:.3f} s (best of {args.runs}), start-up {startup[index]:.3f} s;"
              f" seconds per hundred files: {per_hundred:.3f} ({without:.3f} without start-up)")


if __name__ == "__main__":
    main()
