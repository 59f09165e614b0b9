"""A one-file run imports only what its kind needs.

A cold `readycheck check` on one file (the pre-commit case) is mostly import
time, so the modules below are imported where they are used. These tests
guard that structure by what a fresh process has imported, never by time.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.clirun import write

RUN_AND_LIST_MODULES = """\
import json, sys
from readycheck.cli import main
out = sys.argv.pop(1)
try:
    main()
except SystemExit:
    pass
with open(out, "w") as fh:
    json.dump(sorted(sys.modules), fh)
"""

NEVER_ON_ONE_FILE = {
    "jsonschema",  # env schemas, values schemas and user rule directories only
    "multiprocessing",  # the process pool, for many groups only
    "concurrent.futures",
    "importlib.resources",  # tree-sitter-bash's __init__, which the shell parser skips
    "tempfile",  # writing caches and reports
    "readycheck.helm",
    "readycheck.loaders.kubernetes",
    "readycheck.loaders.compose",
    "readycheck.loaders.env",
}
ONLY_WITH_A_CACHE = {"hashlib", "pickle"}


def modules_after(args: list[str], cwd: Path, cache: Path) -> set[str]:
    """The modules a fresh `readycheck ARGS` process has imported when it ends."""
    listing = cwd / "modules.json"
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    subprocess.run([sys.executable, "-c", RUN_AND_LIST_MODULES, str(listing), *args], cwd=cwd, env=env,
                   capture_output=True, check=False)
    return set(json.loads(listing.read_text()))


def warm_catalog_cache(cwd: Path, cache: Path) -> None:
    """The first run parses the rule files (and imports YAML and tempfile to do it); later runs read the cache."""
    modules_after(["rules", "--format", "json"], cwd, cache)


def test_importing_the_command_line_imports_no_scanning_machinery() -> None:
    code = "import json, sys; import readycheck.cli; print(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    imported = set(json.loads(done.stdout))
    assert sorted(imported & (NEVER_ON_ONE_FILE | ONLY_WITH_A_CACHE | {"readycheck.evaluate", "readycheck.orchestrate", "readycheck.cache", "readycheck.pool", "yaml"})) == []


def test_one_dockerfile_imports_neither_other_kinds_nor_yaml(tmp_path: Path) -> None:
    write(tmp_path, "Dockerfile", "FROM python:3.12-slim\nRUN pip install flask\nUSER 1000\nCMD [\"python\", \"app.py\"]\n")
    cache = tmp_path / "cache"
    warm_catalog_cache(tmp_path, cache)
    imported = modules_after(["check", "--no-cache", "--format", "json", "Dockerfile"], tmp_path, cache)
    assert "readycheck.loaders.dockerfile" in imported, "the run did not reach the Dockerfile loader"
    assert sorted(imported & (NEVER_ON_ONE_FILE | ONLY_WITH_A_CACHE)) == []
    assert sorted(imported & {"yaml", "readycheck.yamlsource", "readycheck.loaders.workflow"}) == []


def test_one_workflow_imports_no_dockerfile_parser(tmp_path: Path) -> None:
    write(tmp_path, ".github/workflows/ci.yml",
          "on: push\njobs:\n  test:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: make test\n")
    cache = tmp_path / "cache"
    warm_catalog_cache(tmp_path, cache)
    imported = modules_after(["check", "--no-cache", "--format", "json", ".github/workflows/ci.yml"], tmp_path, cache)
    assert "readycheck.loaders.workflow" in imported, "the run did not reach the workflow loader"
    assert sorted(imported & (NEVER_ON_ONE_FILE | ONLY_WITH_A_CACHE)) == []
    assert sorted(imported & {"dockerfile_parse", "readycheck.loaders.dockerfile"}) == []


def test_a_chart_without_a_values_schema_imports_no_jsonschema(tmp_path: Path) -> None:
    """jsonschema (55-100 ms) is imported when a schema is evaluated, not for every chart."""
    write(tmp_path, "chart/Chart.yaml", "apiVersion: v2\nname: web\nversion: 1.0.0\n")
    write(tmp_path, "chart/values.yaml", "replicaCount: 2\n")
    write(tmp_path, "chart/templates/deployment.yaml",
          "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: {{ .Values.replicaCount }}\n"
          "  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n"
          "      containers:\n        - name: web\n          image: nginx:1.27\n")
    cache = tmp_path / "cache"
    warm_catalog_cache(tmp_path, cache)
    imported = modules_after(["check", "--no-cache", "--format", "json", "chart"], tmp_path, cache)
    assert "readycheck.helm" in imported, "the run did not render the chart"
    assert sorted(imported & {"jsonschema", "multiprocessing", "concurrent.futures", "tempfile"}) == []

    write(tmp_path, "chart/values.schema.json", '{"type": "object"}')
    imported = modules_after(["check", "--no-cache", "--format", "json", "chart"], tmp_path, cache)
    assert "jsonschema" in imported, "the schema was not evaluated"


def test_workers_are_forked_without_the_executor_machinery(tmp_path: Path) -> None:
    """The pool forks its workers itself (pool._fork_workers): a parallel scan imports neither multiprocessing nor
    concurrent.futures (33 ms and a manager thread), which only a dead worker's rescan needs."""
    from readycheck.pool import MIN_GROUPS_FOR_WORKERS

    assert MIN_GROUPS_FOR_WORKERS < 12  # one group is scanned before forking (the warm-up)
    for index in range(12):
        write(tmp_path, f"svc{index:02d}/Dockerfile", "FROM python:3.12-slim\nUSER 1000\nCMD [\"python\"]\n")
    cache = tmp_path / "cache"
    warm_catalog_cache(tmp_path, cache)
    imported = modules_after(["check", "--no-cache", "--format", "json", "--jobs", "2", "."], tmp_path, cache)
    assert "readycheck.pool" in imported and "select" in imported, "the run did not fork workers"
    assert sorted(imported & {"multiprocessing", "concurrent.futures"}) == []
