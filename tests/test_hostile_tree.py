"""Hostile trees: links that loop or leave the root, unreadable files, FIFOs, devices, many files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.fuzz.harness import HostileCase, check_case

BAD = "FROM node:latest\nUSER node\nCMD [\"node\", \"s.js\"]\n"
needs_symlinks = pytest.mark.skipif(not hasattr(os, "symlink") or os.name == "nt", reason="needs POSIX symlinks")
needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs os.mkfifo (POSIX)")


def run_case(case: HostileCase, tmp_path: Path, factory: pytest.TempPathFactory) -> None:
    check_case(case, tmp_path / "scan", factory.getbasetemp() / "baseline")


def file_loop(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(path.name, path)  # m/Dockerfile -> m/Dockerfile


def directory_loop(path: Path) -> None:
    path.mkdir(parents=True)
    os.symlink("..", path / "up")
    os.symlink(".", path / "self")


@needs_symlinks
@pytest.mark.parametrize("case", [
    HostileCase("a file link to itself", "m/Dockerfile", file_loop, "skipped"),
    HostileCase("directory links back up and to itself", "m", directory_loop, "skipped"),
], ids=lambda c: c.name)
def test_symlink_loops_end(case: HostileCase, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    run_case(case, tmp_path, tmp_path_factory)


@needs_symlinks
def test_links_out_of_the_root_are_never_followed(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    outside = tmp_path / "outside"
    (outside / "svc").mkdir(parents=True)
    (outside / "Dockerfile").write_text(BAD)
    (outside / "svc" / "Dockerfile").write_text(BAD)

    def links(path: Path) -> None:
        path.mkdir(parents=True)
        os.symlink(outside / "Dockerfile", path / "Dockerfile")
        os.symlink(outside / "svc", path / "svc")

    run_case(HostileCase("links leaving the root", "m", links, "skipped"), tmp_path, tmp_path_factory)


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0,
                    reason="root reads a chmod-000 file anyway; test_unreadable_file_simulated covers it")
def test_unreadable_file(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    def unreadable(path: Path) -> None:
        path.write_text(BAD)
        path.chmod(0)

    case = HostileCase("chmod 000", "m/Dockerfile", unreadable, "error", message="cannot read")
    try:
        run_case(case, tmp_path, tmp_path_factory)
    finally:
        (tmp_path / "scan" / "m" / "Dockerfile").chmod(0o644)


def test_unreadable_file_simulated(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """As root nothing is unreadable, so the refusal is simulated where the file is opened."""
    real_open = os.open

    def refusing_open(path: object, flags: int, *args: object, **kwargs: object) -> int:
        if str(path).endswith(os.path.join("m", "Dockerfile")):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", refusing_open)
    case = HostileCase("permission denied", "m/Dockerfile", lambda p: p.write_text(BAD), "error", line=None,
                       message="cannot read: Permission denied")
    run_case(case, tmp_path, tmp_path_factory)


@needs_fifo
def test_a_fifo_in_the_tree_is_skipped_without_blocking(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    case = HostileCase("FIFO named Dockerfile", "m/Dockerfile", lambda p: os.mkfifo(p), "skipped", max_seconds=10)
    run_case(case, tmp_path, tmp_path_factory)
    manifest = HostileCase("FIFO named like a manifest", "m/deploy.yaml", lambda p: os.mkfifo(p), "skipped",
                           max_seconds=10)
    run_case(manifest, tmp_path / "second", tmp_path_factory)


@needs_fifo
def test_a_fifo_named_on_the_command_line_is_an_error_not_a_hang(tmp_path: Path,
                                                                 tmp_path_factory: pytest.TempPathFactory) -> None:
    case = HostileCase("FIFO named explicitly", "m/Dockerfile", lambda p: os.mkfifo(p), "error",
                       message="not a regular file", scan_paths=("a", "m/Dockerfile", "zz"), max_seconds=10)
    run_case(case, tmp_path, tmp_path_factory)
    manifest = HostileCase("FIFO manifest named explicitly", "m/deploy.yaml", lambda p: os.mkfifo(p), "error",
                           message="not a regular file", loader="kubernetes", quiet_without_loader=True,
                           scan_paths=("a", "m/deploy.yaml", "zz"), max_seconds=10)
    run_case(manifest, tmp_path / "second", tmp_path_factory)


@needs_symlinks
@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_a_device_named_on_the_command_line_is_refused_unread(tmp_path: Path,
                                                              tmp_path_factory: pytest.TempPathFactory) -> None:
    case = HostileCase("Dockerfile -> /dev/zero", "m/Dockerfile", lambda p: os.symlink("/dev/zero", p), "error",
                       message="outside the scanned root", scan_paths=("a", "m/Dockerfile", "zz"), max_seconds=10)
    run_case(case, tmp_path, tmp_path_factory)


def many_empty_files(count: int) -> object:
    def write(path: Path) -> None:
        for index in range(count):
            directory = path / f"d{index // 1000:03d}"
            if index % 1000 == 0:
                directory.mkdir(parents=True)
            (directory / (f"f{index}.yaml" if index % 2 else f"f{index}.txt")).touch()

    return write


def test_many_empty_files(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    """10,000 in CI to stay fast; READYCHECK_HOSTILE_FILES=100000 runs the full count."""
    count = int(os.environ.get("READYCHECK_HOSTILE_FILES", "10000"))
    case = HostileCase(f"{count} empty files", "m", many_empty_files(count), "skipped", max_seconds=60)
    run_case(case, tmp_path, tmp_path_factory)


@needs_fifo
def test_a_fifo_dockerignore_does_not_block_the_dockerfile_beside_it(tmp_path: Path,
                                                                    tmp_path_factory: pytest.TempPathFactory) -> None:
    def dockerfile_and_fifo(path: Path) -> None:
        path.mkdir(parents=True)
        (path / "Dockerfile").write_text(BAD)
        os.mkfifo(path / ".dockerignore")

    case = HostileCase("FIFO .dockerignore", "m", dockerfile_and_fifo, "error", message="not a regular file",
                       max_seconds=10)
    outcome = check_case(case, tmp_path / "scan", tmp_path_factory.getbasetemp() / "baseline")
    assert [e["path"] for e in outcome.errors] == ["m/.dockerignore"]
    assert {("DF101", 1), ("DF201", 1)} <= {(rule, line) for _, rule, line in outcome.findings_under("m/")}
