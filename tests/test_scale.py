"""Parallel, cached and sharded scans give the same report as one plain serial scan."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from readycheck.cli import main

DOCKERFILE = """\
FROM python:{tag}
RUN apt-get update && apt-get install -y curl
COPY . .
CMD ["python", "app.py"]
"""


@pytest.fixture()
def estate(tmp_path: Path) -> Path:
    for i in range(12):
        service = tmp_path / f"svc{i:02d}"
        service.mkdir()
        (service / "Dockerfile").write_text(DOCKERFILE.format(tag="latest" if i % 3 == 0 else "3.12-slim"))
    (tmp_path / "svc05" / "Dockerfile").write_text("FROM alpine:3.20\nHEALTHCHEK CMD true\n")
    return tmp_path


def run(args: list[str], cwd: Path) -> tuple[int, str]:
    old = os.getcwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(main, args, catch_exceptions=False)
    finally:
        os.chdir(old)
    return result.exit_code, result.output


def test_jobs_do_not_change_the_output(estate: Path) -> None:
    serial = run(["check", "--no-cache", "--jobs", "1", "--format", "json", "."], estate)
    parallel = run(["check", "--no-cache", "--jobs", "4", "--format", "json", "."], estate)
    assert serial == parallel
    assert serial[0] == 2 and json.loads(serial[1])["summary"]["files"] == 12


def test_cached_run_equals_cold_run_and_sees_changes(estate: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    cache = str(tmp_path_factory.mktemp("cache"))
    cold = run(["check", "--cache-dir", cache, "--format", "json", "."], estate)
    warm = run(["check", "--cache-dir", cache, "--format", "json", "."], estate)
    assert cold == warm
    assert any(Path(cache).rglob("*.json")), "the cold run wrote no cache entry"
    (estate / "svc01" / "Dockerfile").write_text(DOCKERFILE.format(tag="latest"))
    changed = run(["check", "--cache-dir", cache, "--format", "json", "."], estate)
    uncached = run(["check", "--no-cache", "--format", "json", "."], estate)
    assert changed == uncached != cold


def test_merged_shards_equal_the_unsharded_run(estate: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    out = tmp_path_factory.mktemp("shards")
    _, whole = run(["check", "--no-cache", "--format", "json", "."], estate)
    names = []
    for k in (1, 2, 3):
        _, text = run(["check", "--no-cache", "--format", "json", "--shard", f"{k}/3", "."], estate)
        (out / f"{k}.json").write_text(text)
        names.append(str(out / f"{k}.json"))
    sizes = [json.loads(Path(n).read_text())["summary"]["files"] for n in names]
    assert sum(sizes) == 12 and max(sizes) < 12, "shards should split the estate"
    code, merged = run(["merge", *names], estate)
    assert code == 0
    assert json.loads(merged) == json.loads(whole)


def test_bad_shard_is_a_usage_error(estate: Path) -> None:
    assert run(["check", "--shard", "4/3", "."], estate)[0] == 2
    assert run(["check", "--shard", "x", "."], estate)[0] == 2


SAMPLE_REPO = Path(__file__).resolve().parent.parent / "fixtures" / "sample-repo"
PRIVATE_KEY = Path(__file__).resolve().parent.parent / "fixtures" / "SEC001" / "bad" / "deploy" / "id_ed25519"
KINDS_IN_ESTATE = {"dockerfile", "workflow", "action", "helm", "kubernetes", "compose", "env-schema", "env-file",
                   "secret-file"}


@pytest.fixture()
def every_kind(tmp_path: Path) -> Path:
    """Three copies of the sample repository (every kind of file, enough groups for worker processes)."""
    import shutil

    root = tmp_path / "estate"
    for name in ("billing", "search", "web"):
        shutil.copytree(SAMPLE_REPO, root / name)
        action = root / name / ".github" / "actions" / "setup" / "action.yml"
        action.parent.mkdir(parents=True)
        action.write_text("name: setup\nruns:\n  using: composite\n  steps:\n    - run: npm ci\n      shell: bash\n")
        shutil.copyfile(PRIVATE_KEY, root / name / "deploy" / "id_ed25519")
    return root


def test_every_kind_is_in_the_estate(every_kind: Path) -> None:
    from readycheck.discover import discover

    assert {t.kind for t in discover([every_kind])} == KINDS_IN_ESTATE


@pytest.mark.parametrize("fmt", ["json", "sarif", "text"])
def test_jobs_do_not_change_the_output_for_any_kind(every_kind: Path, fmt: str) -> None:
    from readycheck.discover import discover
    from readycheck.orchestrate import group_targets
    from readycheck.pool import MIN_GROUPS_FOR_WORKERS

    assert len(group_targets(discover([every_kind]))) >= MIN_GROUPS_FOR_WORKERS, "too few groups to use workers"
    serial = run(["check", "--no-cache", "--jobs", "1", "--format", fmt, "."], every_kind)
    parallel = run(["check", "--no-cache", "--jobs", "4", "--format", fmt, "."], every_kind)
    assert serial == parallel
    assert serial[1].strip()


def test_cached_run_equals_cold_run_for_any_kind(every_kind: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    cache = str(tmp_path_factory.mktemp("cache"))
    cold = run(["check", "--cache-dir", cache, "--jobs", "1", "--format", "json", "."], every_kind)
    warm = run(["check", "--cache-dir", cache, "--jobs", "1", "--format", "json", "."], every_kind)
    warm_parallel = run(["check", "--cache-dir", cache, "--jobs", "4", "--format", "json", "."], every_kind)
    assert cold == warm == warm_parallel
    report = json.loads(cold[1])
    assert report["summary"]["files"] >= 3 * len(KINDS_IN_ESTATE)
    assert {f["rule"][:2] for f in report["findings"]} >= {"DF", "GH", "K8", "DC", "EN", "SE"}


def test_readiness_report_is_the_same_with_workers_and_cache(every_kind: Path,
                                                             tmp_path_factory: pytest.TempPathFactory) -> None:
    out = tmp_path_factory.mktemp("reports")
    cache = str(tmp_path_factory.mktemp("cache"))
    texts = []
    for name, args in (("serial", ["--no-cache", "--jobs", "1"]), ("parallel", ["--no-cache", "--jobs", "4"]),
                       ("cold", ["--cache-dir", cache]), ("warm", ["--cache-dir", cache])):
        run(["check", *args, "--report-output", str(out / f"{name}.md"), "."], every_kind)
        texts.append((out / f"{name}.md").read_text())
    assert texts[0]
    assert all(text == texts[0] for text in texts), "the readiness report depends on how the scan ran"


def test_a_same_size_change_right_after_a_cached_run_is_seen(estate: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    """A file rewritten within the mtime granularity keeps its size and may keep its mtime: it is hashed again."""
    cache = str(tmp_path_factory.mktemp("cache"))
    dockerfile = estate / "svc01" / "Dockerfile"
    dockerfile.write_text(DOCKERFILE.format(tag="3.12-slim"))
    run(["check", "--cache-dir", cache, "--format", "json", "."], estate)
    stat = dockerfile.stat()
    dockerfile.write_text(DOCKERFILE.format(tag="latest-aa"))  # same length as 3.12-slim
    os.utime(dockerfile, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    changed = run(["check", "--cache-dir", cache, "--format", "json", "."], estate)
    uncached = run(["check", "--no-cache", "--format", "json", "."], estate)
    assert changed == uncached


def test_a_directory_of_many_workflows_is_shared_among_workers(tmp_path: Path) -> None:
    from readycheck.discover import discover
    from readycheck.orchestrate import SELF_CONTAINED_CHUNK, group_targets

    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    text = "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n"
    for i in range(3 * SELF_CONTAINED_CHUNK + 1):
        (workflows / f"wf{i:03d}.yml").write_text(text.replace("build", f"build{i}"))
    (tmp_path / "deploy.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n")
    groups = group_targets(discover([tmp_path]))
    assert [len(g) for g in groups] == [1, SELF_CONTAINED_CHUNK, SELF_CONTAINED_CHUNK, SELF_CONTAINED_CHUNK, 1]
    serial = run(["check", "--no-cache", "--jobs", "1", "--format", "json", "."], tmp_path)
    parallel = run(["check", "--no-cache", "--jobs", "4", "--format", "json", "."], tmp_path)
    assert serial == parallel
    assert len(json.loads(serial[1])["findings"]) >= 3 * SELF_CONTAINED_CHUNK + 1
