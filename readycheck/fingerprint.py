"""Fingerprints that let a finding be recognised again after its file changed.

Two kinds:

- `line_hashes`: GitHub's `primaryLocationLineHash`, as the upload-sarif action
  computes it (a rolling hash over the next 100 non-blank characters from each
  line). Putting the same value in our SARIF keeps the action from warning and
  lets code scanning track alerts across pushes.
- `stable_fingerprint`: ours, from the rule, the file and what the finding is
  about (Finding.key), with no line number in it, so that baselines survive
  lines moving.
"""

from __future__ import annotations

import hashlib

from readycheck.model import Finding

_BLOCK_SIZE = 100
_BASE = 37
_MASK = (1 << 64) - 1
_EOF = 65535
_SPACE, _TAB, _LF, _CR = ord(" "), ord("\t"), ord("\n"), ord("\r")
_FIRST_MOD = pow(_BASE, _BLOCK_SIZE, 1 << 64)


def _utf16_units(text: str) -> list[int]:
    """The text as JavaScript sees it (the action hashes UTF-16 code units)."""
    data = text.encode("utf-16-le", "surrogatepass")
    return [int.from_bytes(data[i : i + 2], "little") for i in range(0, len(data), 2)]


def line_hashes(text: str) -> dict[int, str]:
    """1-based line number -> "hex:n" for every line of `text` (plus the end-of-file line)."""
    result: dict[int, str] = {}
    counts: dict[str, int] = {}
    window = [0] * _BLOCK_SIZE
    line_numbers = [-1] * _BLOCK_SIZE
    state = {"index": 0, "hash": 0, "line": 0, "line_start": True, "prev_cr": False}

    def output() -> None:
        index = state["index"]
        value = format(state["hash"], "x")
        counts[value] = counts.get(value, 0) + 1
        result[line_numbers[index]] = f"{value}:{counts[value]}"
        line_numbers[index] = -1

    def update(current: int) -> None:
        index = state["index"]
        begin = window[index]
        window[index] = current
        state["hash"] = (_BASE * state["hash"] + current - _FIRST_MOD * begin) & _MASK
        state["index"] = (index + 1) % _BLOCK_SIZE

    def process(current: int) -> None:
        if current in (_SPACE, _TAB) or (state["prev_cr"] and current == _LF):
            state["prev_cr"] = False
            return
        if current == _CR:
            current = _LF
            state["prev_cr"] = True
        else:
            state["prev_cr"] = False
        if line_numbers[state["index"]] != -1:
            output()
        if state["line_start"]:
            state["line_start"] = False
            state["line"] += 1
            line_numbers[state["index"]] = state["line"]
        if current == _LF:
            state["line_start"] = True
        update(current)

    for unit in _utf16_units(text):
        process(unit)
    process(_EOF)
    for _ in range(_BLOCK_SIZE):
        if line_numbers[state["index"]] != -1:
            output()
        update(0)
    return result


STORED_KEY = "\0fingerprint:"
"""Prefix of the key a cached finding carries: its fingerprint, never the key itself."""


def stable_fingerprint(finding: Finding) -> str:
    """A hex digest of rule, path and key: the same finding keeps it when lines move."""
    if finding.key.startswith(STORED_KEY):
        return finding.key[len(STORED_KEY):]
    what = finding.key or finding.message
    # surrogatepass: a file name that is not UTF-8 reaches here with lone surrogates (same digest otherwise)
    return hashlib.sha256(f"{finding.rule}\0{finding.path}\0{what}".encode(errors="surrogatepass")).hexdigest()[:32]


def stored_key(finding: Finding) -> str:
    """What the cache and the run index keep of a finding's key.

    A key quotes what the finding is about (a whole Dockerfile instruction, a value), which may be a
    secret; the only use of a key is the fingerprint, so the fingerprint is what gets written.
    """
    return STORED_KEY + stable_fingerprint(finding)
