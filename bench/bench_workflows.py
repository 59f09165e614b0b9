"""Time readycheck on 200 generated GitHub workflows, side by side with zizmor and checkov.

    python bench/bench_workflows.py [--files 200] [--runs 3]
        [--zizmor /tmp/venv-zizmor/bin/zizmor] [--checkov /tmp/venv-checkov/bin/checkov]

Peers are optional: install them into their own virtual environments (they
pin dependencies readycheck does not) and pass their paths, or have them on
PATH. Each tool runs as a fresh process over the same directory, as a user
or CI would run it, and the best of --runs wall-clock times is reported.
zizmor runs with --offline, checkov with its github_actions framework and no
downloads, so none of them reaches the network.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TEMPLATE = """\
name: service-{n}

on:
  push:
    branches: [main]
  pull_request:
{extra_trigger}
permissions:
  contents: read

concurrency:
  group: service-{n}-${{{{ github.ref }}}}
  cancel-in-progress: false

env:
  SERVICE: service-{n}

jobs:
  test:
    runs-on: ubuntu-24.04
    timeout-minutes: {timeout}
    services:
      db:
        image: postgres:{pg}
    steps:
      - uses: actions/checkout@cd424c18a41156b6c9c70681a7537d10b1c19825 # v4.1.7
      - uses: actions/setup-node@{setup_ref}
        with:
          node-version: {node}
      - run: npm ci
      - name: Test
        run: |
          npm run lint
          npm test -- --coverage
{injection}
  image:
    needs: test
    runs-on: ubuntu-24.04
    timeout-minutes: 20
    permissions:
      contents: read
      packages: write
    steps:
      - uses: actions/checkout@cd424c18a41156b6c9c70681a7537d10b1c19825 # v4.1.7
      - uses: docker/login-action@{login_ref}
        with:
          registry: ghcr.io
          username: ${{{{ github.actor }}}}
          password: ${{{{ github.token }}}}
      - uses: docker/build-push-action@67b612755d6b38806f2013cc71e65fc3f0d34dad # v6.5.0
        with:
          push: true
          tags: ghcr.io/acme/service-{n}:${{{{ github.sha }}}}
          sbom: true

  deploy:
    needs: image
    if: github.ref == 'refs/heads/main'
    runs-on: ubuntu-24.04
{deploy_timeout}    environment: {environment}
    steps:
      - uses: azure/setup-helm@{helm_ref}
      - run: |
          curl -fsSL https://example.com/install.sh | bash
          helm upgrade --install service-{n} ./chart --set image.tag=${{{{ github.sha }}}} {helm_flags}
          kubectl rollout status deploy/service-{n} --timeout 300s
        env:
          KUBECONFIG_DATA: ${{{{ secrets.KUBECONFIG }}}}
"""


def generate(directory: Path, count: int, seed: int = 7) -> None:
    """Write `count` realistic, varied workflows (some clean, some with typical problems)."""
    rng = random.Random(seed)
    workflows = directory / ".github" / "workflows"
    workflows.mkdir(parents=True)
    for n in range(count):
        text = TEMPLATE.format(
            n=n,
            extra_trigger=rng.choice(["", "  issues:\n    types: [opened]\n"]),
            timeout=rng.choice([10, 15, 20]),
            pg=rng.choice(["16.4-alpine", "latest"]),
            setup_ref=rng.choice(["v4", "1e60f620b9541d16bece96c5465dc8ee9832be0b # v4.0.3"]),
            node=rng.choice(["20.15", "22.11", "latest"]),
            injection=rng.choice(["", '      - run: echo "${{ github.event.issue.title }}"\n']),
            login_ref=rng.choice(["v3", "9780b0c442fbb1117ed29e0efdff1e18412f7567 # v3.3.0", "master"]),
            deploy_timeout=rng.choice(["", "    timeout-minutes: 15\n"]),
            environment=rng.choice(["production", "staging"]),
            helm_ref=rng.choice(["v4", "fe7b79cd5ee1e45176fcad797de68ecaf3ca4814 # v4.2.0"]),
            helm_flags=rng.choice(["", "--atomic --timeout 5m"]),
        )
        (workflows / f"service-{n:03d}.yml").write_text(text)


def best_time(command: list[str], runs: int, env: dict[str, str] | None = None) -> tuple[float, float, int]:
    """Best wall-clock and best CPU (user+sys) seconds over `runs` runs, and the last exit code.

    CPU time is reported too because wall time on a shared machine measures the neighbours as well.
    """
    best_wall = best_cpu = float("inf")
    code = 0
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        proc = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              env={**os.environ, **(env or {})}, check=False)
        best_wall = min(best_wall, time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        best_cpu = min(best_cpu, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        code = proc.returncode
    return best_wall, best_cpu, code


def find_tool(explicit: str | None, name: str) -> str | None:
    if explicit:
        return explicit if Path(explicit).exists() else None
    return shutil.which(name)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--zizmor", help="path to the zizmor executable")
    parser.add_argument("--checkov", help="path to the checkov executable")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="readycheck-bench-") as tmp:
        root = Path(tmp)
        generate(root, args.files)
        workflows = root / ".github" / "workflows"
        commands: dict[str, tuple[list[str], dict[str, str] | None]] = {
            "readycheck": ([sys.executable, "-m", "readycheck", "check", "--format", "json", str(root)], None),
        }
        zizmor = find_tool(args.zizmor, "zizmor")
        if zizmor:
            commands["zizmor"] = ([zizmor, "--offline", "--no-progress", str(workflows)], None)
        checkov = find_tool(args.checkov, "checkov")
        if checkov:
            commands["checkov"] = (
                [checkov, "--skip-download", "--quiet", "--compact", "--framework", "github_actions", "-d", str(root)],
                {"BC_SKIP_MAPPING": "TRUE", "CKV_SKIP_PACKAGE_UPDATE_CHECK": "true"},
            )
        wall: dict[str, float] = {}
        cpu: dict[str, float] = {}
        print(f"{args.files} workflows, best of {args.runs} runs")
        for name, (command, env) in commands.items():
            wall[name], cpu[name], code = best_time(command, args.runs, env)
            print(f"{name:<11} {wall[name]:7.2f} s wall  {cpu[name]:7.2f} s cpu  (exit {code})")
        for name, option in (("zizmor", "--zizmor"), ("checkov", "--checkov")):
            if name not in commands:
                print(f"{name:<11} not installed (pass {option} PATH)")
        if "zizmor" in wall:
            print(f"readycheck / zizmor: {wall['readycheck'] / wall['zizmor']:.2f}x wall, "
                  f"{cpu['readycheck'] / cpu['zizmor']:.2f}x cpu (target <= 2x)")
        if "checkov" in wall:
            print(f"checkov / readycheck: {wall['checkov'] / wall['readycheck']:.1f}x wall, "
                  f"{cpu['checkov'] / cpu['readycheck']:.1f}x cpu (target >= 10x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
