"""One atomic writer for reports and caches: it cleans up after itself and replaces only regular files."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest

from readycheck import atomic, cache, catalog
from readycheck.atomic import write_atomic
from tests.clirun import UNPINNED_DOCKERFILE, invoke, write

ROOT = os.geteuid() == 0


def _leftovers(directory: Path, keep: set[str]) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name not in keep)


def _failing_replace(source: str | os.PathLike[str], target: str | os.PathLike[str]) -> None:
    raise OSError(28, "No space left on device")


def test_a_regular_file_is_replaced_whole_and_keeps_its_mode(tmp_path: Path) -> None:
    target = write(tmp_path, "out.json", "old")
    target.chmod(0o640)
    write_atomic(target, "new ✓")
    assert target.read_text(encoding="utf-8") == "new ✓"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert _leftovers(tmp_path, {"out.json"}) == []


def test_a_failed_write_leaves_the_old_file_and_no_temporary_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = write(tmp_path, "out.json", "old")
    monkeypatch.setattr(atomic.os, "replace", _failing_replace)
    with pytest.raises(OSError):
        write_atomic(target, "new")
    assert target.read_text() == "old"
    assert _leftovers(tmp_path, {"out.json"}) == []


def test_the_caches_leave_no_temporary_file_when_the_rename_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(atomic.os, "replace", _failing_replace)
    cache.write_atomically(tmp_path / "entry.json", {"a": 1})  # a cache that cannot be written only costs time
    catalog._write_catalog_cache(tmp_path / "catalog.json", {"stamp": "x", "rules": []})
    assert _leftovers(tmp_path, set()) == []


def test_a_cache_entry_is_private(tmp_path: Path) -> None:
    cache.write_atomically(tmp_path / "entry.json", {"a": 1})
    assert stat.S_IMODE((tmp_path / "entry.json").stat().st_mode) == 0o600


def test_a_fifo_is_written_in_place_for_its_reader(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[str] = []

    def read() -> None:
        with open(fifo, encoding="utf-8") as handle:
            received.append(handle.read())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    write_atomic(fifo, "report text\n")
    reader.join(timeout=10)
    if reader.is_alive():  # the writer replaced the FIFO: release the reader before failing
        with open(fifo, "w") as handle:
            handle.write("")
        reader.join(timeout=10)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert received == ["report text\n"]
    assert _leftovers(tmp_path, {"pipe"}) == []


def _device_copy_of_dev_null(tmp_path: Path) -> Path:
    device = tmp_path / "null"
    os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # the numbers of /dev/null
    return device


@pytest.mark.skipif(not ROOT, reason="making a device node needs root")
def test_a_device_is_written_in_place_not_replaced(tmp_path: Path) -> None:
    device = _device_copy_of_dev_null(tmp_path)
    write_atomic(device, "discarded")
    assert stat.S_ISCHR(os.lstat(device).st_mode)
    assert _leftovers(tmp_path, {"null"}) == []


@pytest.mark.skipif(not ROOT, reason="only root can replace /dev/null, which is the hazard")
def test_output_to_dev_null_leaves_it_a_character_device(tmp_path: Path) -> None:
    # The same write on a private copy first: a regression must not get to replace the machine's /dev/null.
    copy = _device_copy_of_dev_null(tmp_path)
    write_atomic(copy, "x")
    assert stat.S_ISCHR(os.lstat(copy).st_mode), "a device was replaced; /dev/null itself not tried"
    write(tmp_path, "Dockerfile", UNPINNED_DOCKERFILE)
    run = invoke(["check", "--no-cache", "-o", "/dev/null", "--json-output", "/dev/null", "."], tmp_path)
    assert run.code == 1
    assert stat.S_ISCHR(os.lstat("/dev/null").st_mode)
    assert not [p for p in os.listdir("/dev") if p.startswith(".null.")]


def test_a_link_inside_the_tree_to_a_file_inside_is_followed_and_stays_a_link(tmp_path: Path) -> None:
    write(tmp_path, "Dockerfile", UNPINNED_DOCKERFILE)
    real = write(tmp_path, "reports/latest.json", "old")
    (tmp_path / "out.json").symlink_to("reports/latest.json")
    run = invoke(["check", "--no-cache", "--format", "json", "-o", "out.json", "."], tmp_path)
    assert run.code == 1
    assert (tmp_path / "out.json").is_symlink()
    assert real.read_text().startswith("{")


def test_a_link_inside_the_tree_that_leads_out_of_it_is_refused(tmp_path: Path) -> None:
    tree = tmp_path / "checkout"
    outside = write(tmp_path, "home/.bashrc", "precious")
    write(tree, "Dockerfile", UNPINNED_DOCKERFILE)
    (tree / "readycheck.sarif").symlink_to(outside)
    (tree / "reports").symlink_to(outside.parent)
    for output in ("readycheck.sarif", "reports/.bashrc", "reports/new.txt"):
        run = invoke(["check", "--no-cache", "--format", "sarif", "-o", output, "."], tree)
        assert run.code == 2, output
        assert f"cannot write {output}" in run.stderr
        assert "symbolic link out of the working directory" in run.stderr
    assert outside.read_text() == "precious"
    assert sorted(p.name for p in outside.parent.iterdir()) == [".bashrc"]
    assert (tree / "readycheck.sarif").is_symlink()


def test_a_path_named_outside_the_working_directory_is_the_users_choice(tmp_path: Path) -> None:
    tree = tmp_path / "checkout"
    write(tree, "Dockerfile", UNPINNED_DOCKERFILE)
    real = write(tmp_path, "elsewhere/report.txt", "old")
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    assert invoke(["check", "--no-cache", "-o", str(link), "."], tree).code == 1
    assert link.is_symlink() and real.read_text() != "old"


def test_a_directory_is_an_error_not_replaced(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    with pytest.raises(IsADirectoryError):
        write_atomic(tmp_path / "out", "x")
    assert (tmp_path / "out").is_dir()
