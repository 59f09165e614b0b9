"""Reproducer: tree-sitter-bash segfaulted on `{` followed by a 4-byte UTF-8 character.

Found by bench/fuzz_campaign.py (shell target); upstream tree-sitter/tree-sitter-bash#337.
The crash depends on memory layout, so each input runs several times, each in a
fresh interpreter (a segfault would otherwise take pytest down with it).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from readycheck.shell import parse_script

HERE = Path(__file__).resolve().parent
PARSE = "import sys; from readycheck.shell import parse_script; parse_script(sys.stdin.buffer.read().decode('utf-8', 'surrogatepass'))"
INPUTS = {
    "campaign crasher": (HERE / "shell-brace-astral-segfault.txt").read_bytes(),
    "minimal: { U+C9604": "{\U000c9604".encode(),
    "upstream: { U+31860": "{\U00031860".encode(),
    "in a word: echo {a,\U0001F600}": "echo {a,\U0001F600}".encode(),
}


@pytest.mark.parametrize("name", list(INPUTS))
def test_brace_then_astral_character_does_not_crash(name: str) -> None:
    for _ in range(5):
        done = subprocess.run([sys.executable, "-c", PARSE], input=INPUTS[name], capture_output=True)
        assert done.returncode == 0, done.stderr.decode(errors="replace")[-500:]


def test_astral_characters_keep_lines_and_read_as_a_stand_in() -> None:
    script = parse_script("echo \U0001F600\n{ echo \U00031860; }\n")
    assert [(c.line, c.argv) for c in script.commands] == [(0, ["echo", "\ufffd"]), (1, ["echo", "\ufffd"])]
