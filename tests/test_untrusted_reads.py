"""The scanned tree is untrusted: one reader, and nothing outside the scanned root is ever opened.

Each case plants a secret outside the scanned root and reaches for it from the
tree (a link, a `../` path); the scan runs in this process with `open`,
`io.open` and `os.open` trapped, so the test sees every file opened by its
resolved path. The contract: the outside file is never opened, its secret is
in no output of any format, the refusal is an error entry (path, line 1, why)
and not a traceback, the rest of the scan goes on, and the exit code is 2.
"""

from __future__ import annotations

import builtins
import io
import json
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from readycheck.cli import main
from readycheck.textio import ReadRefused, read_bytes

pytestmark = pytest.mark.skipif(not hasattr(os, "symlink") or os.name == "nt", reason="needs POSIX symlinks")

SECRET = "ghp_Pl4nt3dOutsideTheRootT0kenXyZ0123456789"
OUTSIDE_YAML = f"token: {SECRET}\nimage: {SECRET}\n"
OUTSIDE_DOCKERFILE = f"{SECRET} FROM node:latest\nRUN echo {SECRET}\n"
GOOD_DOCKERFILE = "FROM debian:bookworm-slim\nUSER 10001\nCMD [\"/app\"]\n"
BAD_DOCKERFILE = "FROM node:latest\nUSER node\nCMD [\"node\", \"s.js\"]\n"
FORMATS = (["check", "--format", "json"], ["check", "--format", "text"], ["check", "--format", "sarif"],
           ["check", "--format", "github"], ["report", "--format", "markdown"], ["report", "--format", "html"])


@dataclass
class Scan:
    code: int
    stdout: str
    stderr: str
    opened: list[str]

    @property
    def report(self) -> dict[str, Any]:
        return dict(json.loads(self.stdout))

    @property
    def errors(self) -> list[dict[str, Any]]:
        return list(self.report["errors"])


@pytest.fixture
def tree(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    """(scanned root, a folder outside it holding the planted secrets)."""
    root, outside = tmp_path / "repo", tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    (outside / "values.yaml").write_text(OUTSIDE_YAML)
    (outside / "Dockerfile").write_text(OUTSIDE_DOCKERFILE)
    (outside / "secret.txt").write_text(f"{SECRET}\n")
    (outside / "schema.json").write_text(json.dumps({"type": "object", "properties": {SECRET: {"type": "string"}}}))
    yield root, outside


def trapped(root: Path, forbidden: Path, args: list[str], monkeypatch: pytest.MonkeyPatch,
            cache: Path | None = None) -> Scan:
    """`readycheck ARGS` in `root`, in this process, recording every opened file that resolves under `forbidden`
    (with `cache`, a cached run using that folder; else --no-cache)."""
    opened: list[str] = []
    zone = os.path.realpath(forbidden)

    def note(path: Any) -> None:
        if isinstance(path, int):
            return
        real = os.path.realpath(os.fsdecode(path) if isinstance(path, bytes) else os.fspath(path))
        if real == zone or real.startswith(zone + os.sep):
            opened.append(real)

    def wrap(real_open: Callable[..., Any]) -> Callable[..., Any]:
        def trap(path: Any, *args: Any, **kwargs: Any) -> Any:
            note(path)
            return real_open(path, *args, **kwargs)
        return trap

    with monkeypatch.context() as patch:
        patch.setattr(builtins, "open", wrap(builtins.open))
        patch.setattr(io, "open", wrap(io.open))
        patch.setattr(os, "open", wrap(os.open))
        old = os.getcwd()
        os.chdir(root)
        try:
            caching = ["--cache-dir", str(cache)] if cache else ["--no-cache"]
            result = CliRunner().invoke(main, [*args[:1], *caching, "-j", "1", *args[1:]], catch_exceptions=False)
        finally:
            os.chdir(old)
    return Scan(result.exit_code, result.stdout, result.stderr, opened)


def assert_refused(root: Path, outside: Path, monkeypatch: pytest.MonkeyPatch, paths: list[str],
                   refused: str, why: str = "outside the scanned root", extra: tuple[str, ...] = ()) -> Scan:
    """Every format: no outside file opened, no secret, the refusal an error entry at `refused`, line 1, exit 2."""
    first: Scan | None = None
    for command in FORMATS:
        scan = trapped(root, outside, [*command, *extra, *paths], monkeypatch)
        assert scan.opened == [], f"{command}: opened outside the root: {scan.opened}"
        for text in (scan.stdout, scan.stderr):
            assert SECRET not in text and SECRET[4:12] not in text, f"{command}: the planted secret reached the output"
            assert "Traceback" not in text
        if command[0] == "check":  # `report` writes a report and exits 0 whatever it says
            assert scan.code == 2, (command, scan.stdout, scan.stderr)
        first = first or scan
    cache = root.parent / "cache"
    for _ in range(2):  # cached, writing then reading: no dependency the cache hashes lies outside either
        scan = trapped(root, outside, ["check", "--format", "json", *extra, *paths], monkeypatch, cache)
        assert scan.opened == [] and SECRET[4:12] not in scan.stdout + scan.stderr and scan.code == 2
    assert not any(SECRET[4:12].encode() in p.read_bytes() for p in cache.rglob("*") if p.is_file())
    assert first is not None
    mine = [e for e in first.errors if e["path"] == refused]
    assert mine, first.errors
    assert mine[0]["line"] == 1 and why in mine[0]["message"], mine
    return first


def write(root: Path, relative: str, text: str) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def link(root: Path, relative: str, target: Path | str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(target, path)


def chart(root: Path, folder: str = "chart") -> None:
    write(root, f"{folder}/Chart.yaml", "apiVersion: v2\nname: app\nversion: 0.1.0\nappVersion: \"1.0\"\n")
    write(root, f"{folder}/values.yaml", "image: nginx:1.25\n")
    write(root, f"{folder}/templates/cm.yaml",
          "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  image: {{ .Values.image | quote }}\n")


# -- the reader itself -------------------------------------------------------------------------


def test_the_reader_refuses_outside_the_root_unopened(tree: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    root, outside = tree
    link(root, "a.yaml", outside / "values.yaml")
    link(root, "up.yaml", "../outside/values.yaml")
    real_open = os.open
    opened: list[str] = []
    monkeypatch.setattr(os, "open", lambda p, *a, **k: opened.append(os.fspath(p)) or real_open(p, *a, **k))
    for name in ("a.yaml", "up.yaml"):
        with pytest.raises(ReadRefused) as refused:
            read_bytes(root / name, root=root.resolve())
        assert refused.value.reason == ReadRefused.OUTSIDE and refused.value.line == 1
    with pytest.raises(ReadRefused):
        read_bytes(root / "../outside/values.yaml", root=root.resolve())
    assert opened == []
    assert read_bytes(outside / "values.yaml") == OUTSIDE_YAML.encode()  # without a root: the operator's own file


def test_the_reader_checks_the_size_before_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    big = tmp_path / ".gitignore"
    with open(big, "wb") as fh:
        fh.truncate(3 * 1024**3)  # sparse: 3 GB that takes no disk, and would take 3 GB of memory to read
    real_open = os.open
    opened: list[str] = []
    monkeypatch.setattr(os, "open", lambda p, *a, **k: opened.append(os.fspath(p)) or real_open(p, *a, **k))
    with pytest.raises(ReadRefused) as refused:
        read_bytes(big, 1024 * 1024, tmp_path)
    assert refused.value.reason == ReadRefused.TOO_LARGE
    assert opened == []


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs os.mkfifo")
def test_the_reader_refuses_a_fifo_and_a_directory_unopened(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "folder").mkdir()
    real_open = os.open
    opened: list[str] = []
    monkeypatch.setattr(os, "open", lambda p, *a, **k: opened.append(os.fspath(p)) or real_open(p, *a, **k))
    for name in ("fifo", "folder"):
        with pytest.raises(ReadRefused) as refused:
            read_bytes(tmp_path / name, root=tmp_path)
        assert refused.value.reason == ReadRefused.NOT_REGULAR
    assert opened == []


# -- discovery ---------------------------------------------------------------------------------


def test_a_gitignore_linked_out_of_the_root(tree: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    root, outside = tree
    write(root, "svc/Dockerfile", BAD_DOCKERFILE)
    link(root, ".gitignore", outside / "secret.txt")
    scan = assert_refused(root, outside, monkeypatch, ["."], ".gitignore")
    assert any(f["path"] == "svc/Dockerfile" for f in scan.report["findings"]), "the rest of the scan goes on"


def test_a_gitignore_of_three_gigabytes_is_refused_before_reading(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "repo"
    write(root, "svc/Dockerfile", BAD_DOCKERFILE)
    with open(root / "svc" / ".gitignore", "wb") as fh:
        fh.truncate(3 * 1024**3)
    started = time.perf_counter()
    scan = trapped(root, tmp_path / "nothing", ["check", "--format", "json", "."], monkeypatch)
    assert time.perf_counter() - started < 30
    assert scan.code == 2
    assert [(e["path"], e["line"]) for e in scan.errors] == [("svc/.gitignore", 1)]
    assert "byte limit" in scan.errors[0]["message"]
    assert any(f["path"] == "svc/Dockerfile" for f in scan.report["findings"])


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs os.mkfifo")
def test_a_fifo_gitignore_is_an_error_not_a_hang(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "repo"
    write(root, "svc/Dockerfile", BAD_DOCKERFILE)
    os.mkfifo(root / ".gitignore")
    scan = trapped(root, tmp_path / "nothing", ["check", "--format", "json", "."], monkeypatch)
    assert scan.code == 2
    assert [(e["path"], e["line"]) for e in scan.errors] == [(".gitignore", 1)]
    assert "not a regular file" in scan.errors[0]["message"]


def test_a_named_dockerfile_linked_to_a_file_outside(tree: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    root, outside = tree
    link(root, "Dockerfile", outside / "Dockerfile")
    write(root, "svc/Dockerfile", BAD_DOCKERFILE)
    scan = assert_refused(root, outside, monkeypatch, ["Dockerfile", "svc/Dockerfile"], "Dockerfile")
    assert any(f["path"] == "svc/Dockerfile" for f in scan.report["findings"])


@pytest.mark.parametrize("name", ["deploy.yaml", ".env.schema.json", ".env", "compose.yaml",
                                  ".github/workflows/ci.yml", "id_rsa"])
def test_a_named_file_of_any_kind_linked_outside(name: str, tree: tuple[Path, Path],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    root, outside = tree
    link(root, name, outside / ("schema.json" if name.endswith(".json") else "values.yaml"))
    assert_refused(root, outside, monkeypatch, [name], name)


def test_a_named_file_reached_through_a_linked_folder(tree: tuple[Path, Path],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    root, outside = tree
    link(root, "vendor", outside)
    assert_refused(root, outside, monkeypatch, ["vendor/Dockerfile"], "vendor/Dockerfile")


# -- loaders: files read beside a target ----------------------------------------------------------


def test_a_linked_values_overlay_is_never_read(tree: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    root, outside = tree
    chart(root)
    link(root, "chart/values-prod.yaml", outside / "values.yaml")
    assert_refused(root, outside, monkeypatch, ["."], "chart/values-prod.yaml")


@pytest.mark.parametrize("name", ["Chart.yaml", "values.yaml", "values.schema.json", "templates/leak.yaml"])
def test_a_chart_file_linked_out_of_the_root(name: str, tree: tuple[Path, Path],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    root, outside = tree
    chart(root)
    (root / "chart" / name).unlink(missing_ok=True)
    link(root, f"chart/{name}", outside / ("schema.json" if name.endswith(".json") else "values.yaml"))
    args = ["chart/Chart.yaml"] if name == "Chart.yaml" else ["."]  # a linked Chart.yaml is no chart to a walk
    assert_refused(root, outside, monkeypatch, args, f"chart/{name}")


def test_a_linked_dockerignore(tree: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    root, outside = tree
    write(root, "svc/Dockerfile", "FROM debian:bookworm-slim\nCOPY . .\nUSER 10001\nCMD [\"/app\"]\n")
    link(root, "svc/.dockerignore", outside / "secret.txt")
    assert_refused(root, outside, monkeypatch, ["."], "svc/.dockerignore")


def test_a_compose_build_context_outside_the_root(tree: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    root, outside = tree
    write(root, "compose.yaml", "services:\n  web:\n    build: ../outside\n    image: web:1.0\n")
    assert_refused(root, outside, monkeypatch, ["."], "../outside/Dockerfile")


def test_a_compose_build_context_with_a_linked_dockerfile(tree: tuple[Path, Path],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    root, outside = tree
    write(root, "compose.yaml", "services:\n  web:\n    build: ./web\n    image: web:1.0\n")
    link(root, "web/Dockerfile", outside / "Dockerfile")
    assert_refused(root, outside, monkeypatch, ["compose.yaml"], "web/Dockerfile")


def test_an_env_schema_beside_an_env_file_linked_outside(tree: tuple[Path, Path],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    root, outside = tree
    write(root, "app/.env", "PORT=8080\n")
    link(root, "app/.env.schema.json", outside / "schema.json")
    for command in FORMATS:
        scan = trapped(root, outside, [*command, "app/.env"], monkeypatch)
        assert scan.opened == [] and SECRET not in scan.stdout + scan.stderr
    for _ in range(2):  # cached: the outside schema is no dependency the cache would hash
        scan = trapped(root, outside, ["check", "app/.env"], monkeypatch, root.parent / "cache")
        assert scan.opened == [] and SECRET not in scan.stdout + scan.stderr


def test_a_gitignore_above_an_env_file_linked_outside(tree: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    root, outside = tree
    write(root, "app/.env", "PORT=8080\n")
    link(root, ".gitignore", outside / "secret.txt")
    scan = trapped(root, outside, ["check", "--format", "json", "app/.env"], monkeypatch)
    assert scan.opened == [] and SECRET not in scan.stdout + scan.stderr
    assert scan.code in (0, 1)


# -- the operator's side: rule directories and the repository's config ---------------------------


def test_a_rule_file_linked_out_of_its_directory(tree: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    root, outside = tree
    write(root, "Dockerfile", GOOD_DOCKERFILE)
    rules = root.parent / "rules"
    rules.mkdir()
    os.symlink(outside / "values.yaml", rules / "X001-leak.yaml")
    scan = trapped(root, outside, ["check", "--format", "json", "--rules", str(rules), "."], monkeypatch)
    assert scan.opened == []
    assert scan.code == 2 and "Traceback" not in scan.stderr
    assert "X001-leak.yaml" in scan.stderr and "rules directory" in scan.stderr
    assert SECRET not in scan.stdout + scan.stderr


@pytest.mark.parametrize("name", [".readycheck.yaml", "pyproject.toml"])
def test_a_repository_config_linked_outside(name: str, tree: tuple[Path, Path],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    root, outside = tree
    write(root, "Dockerfile", GOOD_DOCKERFILE)
    link(root, name, outside / "values.yaml")
    scan = trapped(root, outside, ["check", "--format", "json", "."], monkeypatch)
    assert scan.opened == []
    assert scan.code == 2 and "Traceback" not in scan.stderr and "outside the scanned root" in scan.stderr
    assert SECRET not in scan.stdout + scan.stderr


# -- the root -----------------------------------------------------------------------------------


def test_files_named_one_by_one_are_read_under_the_current_directory(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Pre-commit names files from the top of the repository: a compose file in a folder may build `..`."""
    root = tmp_path / "repo"
    write(root, "Dockerfile", "FROM debian:bookworm-slim\nUSER 10001\nHEALTHCHECK CMD [\"/app\", \"ok\"]\n"
                              "CMD [\"/app\"]\n")
    write(root, "deploy/compose.yaml", "services:\n  web:\n    build: ..\n    image: web:1.0\n")
    scan = trapped(root, tmp_path / "nothing", ["check", "--format", "json", "deploy/compose.yaml"], monkeypatch)
    assert scan.errors == [] and scan.code in (0, 1)


def test_a_folder_given_is_the_root(tree: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """A folder scanned alone is its own root: a `../` build context leaving it is refused, not read."""
    root, _outside = tree
    write(root, "Dockerfile", GOOD_DOCKERFILE)
    write(root, "deploy/compose.yaml", "services:\n  web:\n    build: ..\n    image: web:1.0\n")
    scan = trapped(root, root / "Dockerfile", ["check", "--format", "json", "deploy"], monkeypatch)
    assert scan.opened == []
    assert [(e["path"], e["line"]) for e in scan.errors] == [("Dockerfile", 1)]


# -- the cache ----------------------------------------------------------------------------------


def test_a_cached_run_opens_nothing_outside_and_keeps_no_secret(tree: tuple[Path, Path], tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    root, outside = tree
    chart(root)
    link(root, "chart/values-prod.yaml", outside / "values.yaml")
    link(root, ".gitignore", outside / "secret.txt")
    cache = tmp_path / "cache"
    for _ in range(2):  # the first run writes the cache, the second reads it
        scan = trapped(root, outside, ["check", "--format", "json", "."], monkeypatch, cache)
        assert scan.opened == [] and SECRET not in scan.stdout + scan.stderr
        assert {e["path"] for e in scan.errors} == {"chart/values-prod.yaml", ".gitignore"}
    stored = b"".join(p.read_bytes() for p in cache.rglob("*") if p.is_file())
    assert SECRET[4:12].encode() not in stored


def test_a_refusal_is_not_cached_once_the_link_is_mended(tree: tuple[Path, Path], tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Where a link leads is not watched by the cache (it may not hash the file): a refusal is never stored."""
    root, outside = tree
    chart(root)
    write(root, "chart/prod.yaml", "image: nginx:1.27\n")
    link(root, "chart/values-prod.yaml", outside / "values.yaml")
    cache = tmp_path / "cache"
    assert trapped(root, outside, ["check", "--format", "json", "."], monkeypatch, cache).errors
    (root / "chart" / "values-prod.yaml").unlink()
    os.symlink("prod.yaml", root / "chart" / "values-prod.yaml")
    assert trapped(root, outside, ["check", "--format", "json", "."], monkeypatch, cache).errors == []


def test_a_three_gigabyte_file_is_never_opened_by_a_cached_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The reader refuses it by its size; the cache, which watches it, stamps it instead of hashing 3 GB."""
    root = tmp_path / "repo"
    write(root, "svc/Dockerfile", BAD_DOCKERFILE)
    (root / "big").mkdir()
    with open(root / "big" / "Dockerfile", "wb") as fh:
        fh.truncate(3 * 1024**3)
    for _ in range(2):
        scan = trapped(root, root / "big" / "Dockerfile", ["check", "--format", "json", "."], monkeypatch,
                       tmp_path / "cache")
        assert scan.opened == []
        assert scan.code == 2 and [e["path"] for e in scan.errors] == ["big/Dockerfile"]


def test_a_cached_result_is_not_served_to_a_narrower_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`check .` may read the `..` a compose file in deploy/ builds; a cached `check deploy` may not reuse that."""
    root = tmp_path / "repo"
    write(root, "Dockerfile", GOOD_DOCKERFILE)
    write(root, "deploy/compose.yaml", "services:\n  web:\n    build: ..\n    image: web:1.0\n")
    cache = tmp_path / "cache"
    assert trapped(root, tmp_path / "nothing", ["check", "--format", "json", "."], monkeypatch, cache).errors == []
    narrower = trapped(root, root / "Dockerfile", ["check", "--format", "json", "deploy"], monkeypatch, cache)
    assert narrower.opened == []
    assert [(e["path"], e["line"]) for e in narrower.errors] == [("Dockerfile", 1)]
