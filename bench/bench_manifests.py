"""Time readycheck on generated Kubernetes manifests, side by side with checkov's kubernetes framework.

The manifests are built from the Kubernetes rule fixtures (fixtures/K8S*/): by default 200 files holding
700 objects in 20 directories. checkov is timed when it is installed (pass --checkov PATH or put it on
PATH; install it in its own virtualenv, it pins many packages).

    python bench/bench_manifests.py [--files 200] [--objects 700] [--runs 3] [--checkov /tmp/venv/bin/checkov]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent


def fixture_objects() -> list[dict[str, Any]]:
    """Every Kubernetes object of the K8S rule fixtures, in a stable order."""
    objects = []
    for path in sorted((REPO / "fixtures").glob("K8S*/*.yaml")):
        if path.name == "expect.yaml":
            continue
        for doc in yaml.safe_load_all(path.read_text()):
            if isinstance(doc, dict) and doc.get("apiVersion") and doc.get("kind"):
                objects.append(doc)
    return objects


def generate(root: Path, files: int, objects: int, directories: int = 20) -> None:
    """`files` manifests holding `objects` objects in total, names made unique per copy."""
    source = fixture_objects()
    per_file = [objects // files + (1 if i < objects % files else 0) for i in range(files)]
    n = 0
    for i, count in enumerate(per_file):
        docs = []
        for _ in range(count):
            obj = json.loads(json.dumps(source[n % len(source)]))
            meta = obj.setdefault("metadata", {})
            meta["name"] = f"{meta.get('name', 'obj')}-{n}"
            docs.append(obj)
            n += 1
        folder = root / f"team-{i % directories:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"manifest-{i:03d}.yaml").write_text(yaml.safe_dump_all(docs, sort_keys=False))


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(command: list[str], env: dict[str, str], runs: int) -> tuple[float, float, subprocess.CompletedProcess[str]]:
    """Best wall-clock and best CPU (user+sys) seconds over `runs`: CPU time is what a busy machine does not inflate."""
    walls, cpus = [], []
    result: subprocess.CompletedProcess[str] | None = None
    for _ in range(runs):
        start, cpu_start = time.perf_counter(), _children_cpu()
        result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
        walls.append(time.perf_counter() - start)
        cpus.append(_children_cpu() - cpu_start)
    assert result is not None
    return min(walls), min(cpus), result


def readycheck_findings(output: str) -> int:
    return len(json.loads(output)["findings"])


def checkov_findings(output: str) -> int:
    data = json.loads(output) if output.strip() else {}
    reports = data if isinstance(data, list) else [data]
    return sum(len(r.get("results", {}).get("failed_checks", [])) for r in reports if isinstance(r, dict))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--objects", type=int, default=700)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--checkov", default=shutil.which("checkov") or "/tmp/checkov-venv/bin/checkov")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "manifests"
        generate(root, args.files, args.objects)
        print(f"corpus: {args.files} manifests, {args.objects} objects (from {len(fixture_objects())} fixture objects)")
        readycheck = [sys.executable, "-m", "readycheck", "check", "--format", "json", "--fail-on", "never", str(root)]
        wall, cpu, result = timed(readycheck, dict(os.environ), args.runs)
        rows = [("readycheck", wall, cpu, readycheck_findings(result.stdout))]
        if args.checkov and Path(args.checkov).exists():
            env = dict(os.environ, BC_SKIP_MAPPING="TRUE", CKV_SKIP_PACKAGE_UPDATE_CHECK="true")
            command = [args.checkov, "--skip-download", "--framework", "kubernetes", "-d", str(root), "-o", "json",
                       "--quiet"]
            c_wall, c_cpu, c_result = timed(command, env, args.runs)
            rows.append(("checkov", c_wall, c_cpu, checkov_findings(c_result.stdout)))
        else:
            print("checkov not found: timing readycheck only (use --checkov PATH)")
        print(f"{'tool':<12} {'wall s':>8} {'cpu s':>8} {'findings':>9}")
        for name, wall, cpu, count in rows:
            print(f"{name:<12} {wall:>8.2f} {cpu:>8.2f} {count:>9}")
        if len(rows) == 2:
            print(f"speed-up: {rows[1][1] / rows[0][1]:.1f}x wall, {rows[1][2] / rows[0][2]:.1f}x cpu")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
