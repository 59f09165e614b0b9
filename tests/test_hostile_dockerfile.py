"""Hostile Dockerfiles, each scanned between two known-bad ones (see tests/fuzz/harness.py)."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from tests.fuzz.harness import HostileCase, check_case


def text(content: str) -> object:
    return lambda path: path.write_text(content, newline="")


def raw(content: bytes) -> object:
    return lambda path: path.write_bytes(content)


def sparse(size: int, head: bytes = b"") -> object:
    """A file of `size` bytes written in no time (a hole after `head`)."""

    def write(path: Path) -> None:
        with path.open("wb") as fh:
            fh.write(head)
            fh.truncate(size)

    return write


UNPINNED = "FROM node:latest\nUSER node\nCMD [\"node\", \"s.js\"]\n"

CASES = [
    HostileCase("binary content", "m/Dockerfile", raw(b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 8),
                "error", line=1, message="binary"),
    HostileCase("random bytes, no NUL, not UTF-8", "m/Dockerfile", raw(bytes(range(128, 256)) * 16),
                "error", line=1, message="UTF-8"),
    HostileCase("invalid UTF-8 on line 3", "m/Dockerfile", raw(b"FROM alpine:3.20\nUSER app\nRUN echo \xff\xfe\n"),
                "error", line=3, message="UTF-8"),
    HostileCase("NUL byte on line 2", "m/Dockerfile", raw(b"FROM alpine:3.20\nRUN echo \x00\n"),
                "error", line=2, message="NUL"),
    HostileCase("UTF-16 with a BOM is read", "m/Dockerfile", raw(codecs.BOM_UTF16_LE + UNPINNED.encode("utf-16-le")),
                "clean", findings=(("DF101", 1), ("DF201", 1))),
    HostileCase("CRLF line endings keep their lines", "m/Dockerfile", raw(UNPINNED.replace("\n", "\r\n").encode()),
                "clean", findings=(("DF101", 1), ("DF201", 1))),
    HostileCase("100,000 lines: over the time limit, an error", "m/Dockerfile",
                text("FROM alpine:3.20\n" + "RUN echo hello && apt-get install -y curl\n" * 100_000),
                "either", max_seconds=25.0),
    HostileCase("50 MB: over the size limit, refused unread", "m/Dockerfile", sparse(50 * 1024 * 1024, b"FROM a\n"),
                "error", message="over the", max_seconds=10.0),
    HostileCase("unterminated heredoc", "m/Dockerfile", text("FROM alpine:3.20\nRUN <<EOF\napt-get update\n"),
                "error", line=2, message="unterminated heredoc"),
    HostileCase("line continuation at end of file: the instruction still counts", "m/Dockerfile",
                text("FROM debian:12.6-slim\nUSER 1000\nCMD [\"/app\"]\nRUN apt-get update && apt-get install -y curl \\"),
                "clean", findings=(("DF201", 1), ("DF401", 4))),
    HostileCase("escape directive of backtick, Windows paths", "m/Dockerfile",
                text("# escape=`\nFROM mcr.microsoft.com/windows/servercore:latest\n"
                     "COPY .\\app C:\\app\\\nRUN dir C:\\app `\n    && echo done\nUSER ContainerUser\n"
                     "CMD [\"C:\\\\app\\\\run.exe\"]\n"),
                "clean", findings=(("DF101", 2), ("DF201", 2))),
    HostileCase("Windows paths with the default escape join lines, as Docker does", "m/Dockerfile",
                text("FROM mcr.microsoft.com/windows/nanoserver:ltsc2022\nUSER ContainerUser\n"
                     "HEALTHCHECK CMD [\"ping\"]\nCOPY .\\src C:\\app\\\nWORKDIR C:\\app\n"),
                "clean", findings=()),
    HostileCase("a RUN script tree-sitter crawls through (C code, cancelled by polling)", "m/Dockerfile",
                text("FROM alpine:3.20\nRUN [\"" + "\\u003c\\u003cEOF\\n" * 16_000 + "\"]\n"),
                "error", message="time limit", args=("--time-limit", "1"), max_seconds=15.0),
    HostileCase("no FROM at all", "m/Dockerfile", text("# only a comment\n\n"), "error", line=1, message="FROM"),
    HostileCase("empty file", "m/Dockerfile", text(""), "error", message="FROM"),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_dockerfile(case: HostileCase, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    check_case(case, tmp_path / "scan", tmp_path_factory.getbasetemp() / "baseline")


def test_hundred_thousand_lines_end_in_the_time_limit_error(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    """With a short limit the outcome is certain: an errors entry naming the limit, well before the work would end."""
    case = HostileCase("100,000 lines, 1 s limit", "m/Dockerfile",
                       text("FROM alpine:3.20\n" + "ENV A=b\n" * 100_000),
                       "error", message="time limit", args=("--time-limit", "1"), max_seconds=15.0)
    check_case(case, tmp_path / "scan", tmp_path_factory.getbasetemp() / "baseline")


def test_max_file_size_is_configurable(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    case = HostileCase("a small file over a 1k limit", "m/Dockerfile", text(UNPINNED + "# padding\n" * 200),
                       "error", message="1024-byte limit", args=("--max-file-size", "1k"))
    check_case(case, tmp_path / "scan", tmp_path_factory.getbasetemp() / "baseline")
