"""The reader asks for a file's size + 1 bytes, not the whole limit: what it returns must not change.

A file is returned whole up to the limit and refused one byte over it, and a file whose size says nothing
(0 for /proc files) or that grows while read is read on to its end, as one read of the limit did.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from readycheck.textio import ReadRefused, read_bytes


@pytest.mark.parametrize("size", [0, 1, 4095, 4096, 4097, 100_000])
def test_a_file_at_or_under_the_limit_is_read_whole(tmp_path: Path, size: int) -> None:
    path = tmp_path / "f"
    path.write_bytes(bytes(i % 251 for i in range(size)))
    assert read_bytes(path, max_bytes=100_000) == path.read_bytes()


def test_one_byte_over_the_limit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"x" * 1001)
    with pytest.raises(ReadRefused, match="over the 1000-byte limit"):
        read_bytes(path, max_bytes=1000)


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc (Linux)")
def test_a_file_whose_size_says_nothing_is_read_to_its_end() -> None:
    assert Path("/proc/self/status").stat().st_size == 0
    text = read_bytes("/proc/self/status")
    assert text.startswith(b"Name:") and b"\nPid:" in text and text.endswith(b"\n")
    with pytest.raises(ReadRefused):
        read_bytes("/proc/self/status", max_bytes=10)
