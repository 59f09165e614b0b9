"""The per-file time limit counts CPU time: a busy machine changes how long a scan takes, never its answer.

The loaded runs pin the scan and a few busy-looping processes to one CPU, so the
scan gets a fraction of it: its wall-clock time is several times its CPU time,
whatever else the machine is doing, and a wall-clock limit would cut it short.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from readycheck.catalog import load_catalog
from readycheck.config import Config
from readycheck.limits import Limits
from readycheck.orchestrate import scan

pytestmark = pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="pins processes to one CPU (Linux)")

HOGS = 8  # the scan gets about a ninth of its CPU: its wall time is well past a limit sized for its CPU time

_LOADED_SCAN = """
import json, os, subprocess, sys, time
from pathlib import Path
from readycheck.catalog import load_catalog
from readycheck.config import Config
from readycheck.orchestrate import scan
from readycheck.limits import Limits

root, warm, limit, hogs = Path(sys.argv[1]), Path(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
cpu = min(os.sched_getaffinity(0))
os.sched_setaffinity(0, {cpu})
catalog = load_catalog([])
scan([str(warm)], catalog, Config(), base=warm, limits=Limits(time_limit=0))  # imports, grammar, caches
children = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(hogs)]
try:
    for child in children:
        os.sched_setaffinity(child.pid, {cpu})
    started_cpu, started = time.process_time(), time.perf_counter()
    result = scan([str(root)], catalog, Config(), base=root, limits=Limits(time_limit=limit))
    cpu_seconds, wall_seconds = time.process_time() - started_cpu, time.perf_counter() - started
finally:
    for child in children:
        child.kill()
        child.wait()
print(json.dumps({
    "findings": sorted([f.path, f.rule, f.span.line] for f in result.findings),
    "errors": [[e.path, e.message] for e in result.errors],
    "cpu": cpu_seconds, "wall": wall_seconds,
}))
"""


def loaded_scan(root: Path, limit: float) -> dict[str, Any]:
    """Scan `root` with `limit`, pinned to one CPU beside HOGS busy loops, in a fresh interpreter."""
    warm = root.parent / "warm-up"
    warm.mkdir(exist_ok=True)
    (warm / "Dockerfile").write_text("FROM alpine:3.20\nRUN apk add curl\nUSER 1000\n")
    (warm / "deploy.yaml").write_text(DEPLOYMENT.format(n=0))
    done = subprocess.run([sys.executable, "-c", _LOADED_SCAN, str(root), str(warm), str(limit), str(HOGS)],
                          capture_output=True, text=True, timeout=300, cwd=Path(__file__).resolve().parent.parent)
    assert done.returncode == 0, done.stderr[-2000:]
    return dict(json.loads(done.stdout))


def idle_scan(root: Path) -> tuple[list[list[Any]], float]:
    """Findings and CPU seconds of an unlimited scan of `root` in this process (warmed up first)."""
    catalog = load_catalog([])
    scan([str(root)], catalog, Config(), base=root, limits=Limits(time_limit=0))
    started = time.process_time()
    result = scan([str(root)], catalog, Config(), base=root, limits=Limits(time_limit=0))
    assert result.errors == []
    return sorted([f.path, f.rule, f.span.line] for f in result.findings), time.process_time() - started


DEPLOYMENT = """\
---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: web{n}}}
spec:
  replicas: 1
  selector: {{matchLabels: {{app: web{n}}}}}
  template:
    metadata: {{labels: {{app: web{n}}}}}
    spec:
      containers:
        - name: web
          image: nginx:latest
          env: [{{name: MODE, value: production}}, {{name: PORT, value: "80{n}"}}]
          ports: [{{containerPort: 80}}]
"""


def test_an_honest_file_gets_the_same_answer_on_a_loaded_machine(tmp_path: Path) -> None:
    root = tmp_path / "scan"
    root.mkdir()
    (root / "deploy.yaml").write_text("".join(DEPLOYMENT.format(n=n) for n in range(150)))
    findings, cpu = idle_scan(root)
    assert findings, "the manifest should have findings to compare"
    limit = 3 * cpu + 0.3  # room for the honest work, and far under what it takes in wall-clock time under load
    loaded = loaded_scan(root, limit)
    assert loaded["errors"] == [], (loaded["errors"], cpu, loaded["wall"])
    assert loaded["findings"] == findings
    assert loaded["wall"] > limit, f"the load did not stretch the scan past the limit: {loaded['wall']:.2f}s wall"


def test_a_hostile_file_is_still_cut_off_at_its_cpu_budget_on_a_loaded_machine(tmp_path: Path) -> None:
    root = tmp_path / "scan"
    root.mkdir()
    (root / "Dockerfile").write_text("FROM alpine:3.20\n" + "ENV A=b\n" * 100_000)
    loaded = loaded_scan(root, 0.5)
    assert [path for path, _ in loaded["errors"]] == ["Dockerfile"]
    assert "time limit" in loaded["errors"][0][1]
    assert loaded["cpu"] < 5, loaded  # the half second of the file, and the scan around it


def test_a_hostile_file_costs_at_most_its_cpu_budget(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM alpine:3.20\n" + "ENV A=b\n" * 100_000)
    catalog = load_catalog([])
    started = time.process_time()
    result = scan([str(tmp_path)], catalog, Config(), base=tmp_path, limits=Limits(time_limit=0.5))
    spent = time.process_time() - started
    assert [e.path for e in result.errors] == ["Dockerfile"] and "time limit" in result.errors[0].message
    assert spent < 3, spent
