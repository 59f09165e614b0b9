"""Hostile YAML: straight through `load_yaml_documents`, and as a manifest file in the middle of a scan.

Until the Kubernetes loader is merged a manifest is discovered and skipped
quietly, so the engine-level cases then check only that nothing else changes;
once it exists they demand the errors entry (see tests/fuzz/harness.py).
"""

from __future__ import annotations

import codecs
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from readycheck import limits
from readycheck.textio import LoadError, decode
from readycheck.yamlsource import load_yaml_documents
from tests.fuzz.harness import HostileCase, check_case

MANIFEST_HEAD = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: hostile\ndata:\n"
MEMORY_LIMIT = 200 * 1024 * 1024


def billion_laughs() -> str:
    lines = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for level in range(1, 10):
        name, prev = chr(ord("a") + level), chr(ord("a") + level - 1)
        lines.append(f"{name}: &{name} [{', '.join(['*' + prev] * 9)}]")
    return "\n".join(lines) + "\n"


def deep_block(levels: int) -> str:
    return "".join(" " * i + f"k{i}:\n" for i in range(levels)) + " " * levels + "leaf\n"


_MEASURE = """
import resource, sys, time
from readycheck.textio import LoadError
from readycheck.yamlsource import load_yaml_documents
source = sys.stdin.read()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
try:
    load_yaml_documents(source)
    outcome = "loaded"
except LoadError as exc:
    outcome = f"{exc.line}|{exc.message}"
seconds = time.perf_counter() - started
grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
print(f"{seconds}|{grown * 1024}|{outcome}")
"""


def measured(source: str) -> tuple[float, int, str]:
    """Seconds, peak memory growth in bytes, and `line|message` of the LoadError, in a fresh interpreter."""
    pytest.importorskip("resource", reason="peak memory is read with resource.getrusage (POSIX)")
    done = subprocess.run([sys.executable, "-c", _MEASURE], input=source, capture_output=True, text=True, check=True)
    seconds, grown, outcome = done.stdout.strip().split("|", 2)
    return float(seconds), int(grown), outcome


BOMBS = {
    "billion laughs": (billion_laughs(), None),
    "10,000-deep flow sequence": ("[" * 10_000 + "]" * 10_000, 1),
    "10,000-deep flow mapping": ("{a: " * 10_000 + "}" * 10_000, 1),
    "10,000-deep block sequence": ("- " * 10_000 + "x\n", 1),
    "2,000-deep block mapping": (deep_block(2_000), limits.YAML_MAX_DEPTH + 1),
    "100,000-deep flow (would crash libyaml's recursive composer)": ("[" * 100_000, 1),
}


@pytest.mark.parametrize("name", list(BOMBS))
def test_bombs_are_errors_in_bounded_time_and_memory(name: str) -> None:
    """The property, not the wording: which check stops a bomb first (ours or the YAML library's own
    limit, which newer libyaml has) is not ours to fix, only that it ends as a LoadError with its line."""
    source, line = BOMBS[name]
    seconds, peak, outcome = measured(source)
    assert outcome != "loaded", outcome
    error_line, _, error = outcome.partition("|")
    assert error, outcome
    assert line is None or error_line == str(line), outcome
    assert seconds < 10 and peak < MEMORY_LIMIT, (seconds, peak)


def test_our_nesting_limit_holds_below_the_yaml_librarys_own() -> None:
    """Just over our limit (far under any library's) the error is ours, at the line that crosses it."""
    depth = limits.YAML_MAX_DEPTH + 1
    with pytest.raises(LoadError, match="nesting deeper") as err:
        load_yaml_documents("a:\n  " + "[" * depth + "]" * depth + "\n")
    assert err.value.line == 2


def test_nesting_just_under_the_limit_is_read() -> None:
    depth = limits.YAML_MAX_DEPTH - 1
    docs = load_yaml_documents("[" * depth + "]" * depth)
    node = docs[0].data
    for _ in range(depth - 1):
        node = node[0]
    assert node == []


def test_real_anchors_and_merges_still_expand() -> None:
    docs = load_yaml_documents("base: &b {image: app, ports: [80, 443]}\nweb:\n  <<: *b\n  image: web\nother: *b\n")
    assert docs[0].data["web"] == {"image": "web", "ports": [80, 443]}
    assert docs[0].data["other"] == {"image": "app", "ports": [80, 443]}


def test_node_budget_holds_for_the_whole_file(monkeypatch: pytest.MonkeyPatch) -> None:
    """Many small documents cannot add up past the budget: it is per file, not per document."""
    monkeypatch.setattr(limits, "YAML_MAX_NODES", 1_000)
    with pytest.raises(LoadError, match="over 1000 nodes"):
        load_yaml_documents("---\n".join("a: [1, 2, 3]\n" for _ in range(400)))


def test_duplicate_keys_last_wins_and_each_repeat_is_recorded() -> None:
    docs = load_yaml_documents("image: a\nreplicas: 1\nimage: b\nimage: c\n")
    assert docs[0].data == {"image": "c", "replicas": 1}
    assert docs[0].duplicate_keys == [("image", 3), ("image", 4)]


def test_tabs_as_indentation_are_an_error_with_the_line() -> None:
    with pytest.raises(LoadError) as err:
        load_yaml_documents("a:\n\tb: 1\n")
    assert err.value.line == 2


def test_a_document_that_is_only_a_scalar() -> None:
    docs = load_yaml_documents("just a scalar\n")
    assert [d.data for d in docs] == ["just a scalar"]


def test_encodings_and_line_endings() -> None:
    crlf = decode(b"a: 1\r\nb:\r\n  - x\r\n")
    assert load_yaml_documents(crlf)[0].locations[("b", 0)].line == 3
    utf16 = decode(codecs.BOM_UTF16_BE + "a: é\n".encode("utf-16-be"))
    assert load_yaml_documents(utf16)[0].data == {"a": "é"}
    with pytest.raises(LoadError, match="UTF-8") as err:
        decode(b"a: 1\nb: \xc3\x28\n")
    assert err.value.line == 2
    with pytest.raises(LoadError, match="NUL") as err:
        decode(b"a: 1\nb: 2\x00\n")
    assert err.value.line == 2


def test_python_tags_are_never_constructed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    monkeypatch.setattr(os, "system", lambda *a: calls.append("os.system") or 0)
    monkeypatch.setattr(subprocess, "Popen", lambda *a, **k: calls.append("Popen"))
    marker = tmp_path / "pwned"
    source = (
        f"a: !!python/object/apply:os.system ['touch {marker}']\n"
        f"b: !!python/object/new:subprocess.Popen [['touch', '{marker}']]\n"
        "c: !!python/name:os.system\n"
        "d: !!python/object:builtins.dict {x: 1}\n"
    )
    data = load_yaml_documents(source)[0].data
    assert calls == [] and not marker.exists()
    assert data["a"] == [f"touch {marker}"] and data["d"] == {"x": 1}
    assert all(isinstance(v, (str, list, dict)) for v in data.values())


def _yaml_case(name: str, body: Callable[[Path], None], expect: str, **kw: Any) -> HostileCase:
    return HostileCase(name, "m/deploy.yaml", body, expect, loader="kubernetes", quiet_without_loader=True, **kw)


def _manifest(tail: str) -> Callable[[Path], None]:
    return lambda path: path.write_text(MANIFEST_HEAD + tail, newline="")


def _manifest_bytes(tail: bytes) -> Callable[[Path], None]:
    return lambda path: path.write_bytes(MANIFEST_HEAD.encode() + tail)


def _fifty_megabytes(path: Path) -> None:
    with path.open("wb") as fh:
        fh.write(MANIFEST_HEAD.encode())
        fh.truncate(50 * 1024 * 1024)


ENGINE_CASES = [
    _yaml_case("billion laughs", _manifest("  x: y\n" + textwrap.indent(billion_laughs(), "  ")),
               "error", message="alias"),
    _yaml_case("10,000-deep flow", _manifest("  x: " + "[" * 10_000 + "]" * 10_000 + "\n"), "error", line=6),
    _yaml_case("100,000-deep flow, unclosed", _manifest("  x: " + "[" * 100_000 + "\n"), "error", line=6),
    _yaml_case("10,000-deep block", _manifest("  x:\n" + "    " + "- " * 10_000 + "x\n"), "error"),
    _yaml_case("50 MB", _fifty_megabytes, "error", message="over the", max_seconds=10.0),
    _yaml_case("duplicate keys", _manifest("  a: '1'\n  a: '2'\n"), "either"),
    _yaml_case("tabs", _manifest("  a:\n\tb: 1\n"), "error", line=7),
    _yaml_case("invalid UTF-8", _manifest_bytes(b"  a: \xff\n"), "error", line=6, message="UTF-8"),
    _yaml_case("NUL bytes", _manifest_bytes(b"  a: \x00\n"), "error", line=6, message="NUL"),
    _yaml_case("UTF-16 with a BOM", lambda p: p.write_bytes(codecs.BOM_UTF16_LE + (MANIFEST_HEAD + "  a: b\n").encode("utf-16-le")),
               "either"),
    _yaml_case("CRLF", lambda p: p.write_bytes((MANIFEST_HEAD + "  a: b\n").replace("\n", "\r\n").encode()), "either"),
    _yaml_case("python tags", _manifest("  a: !!python/object/apply:os.system ['echo pwned']\n"), "either"),
]


@pytest.mark.parametrize("case", ENGINE_CASES, ids=[c.name for c in ENGINE_CASES])
def test_hostile_manifest_in_a_scan(case: HostileCase, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    check_case(case, tmp_path / "scan", tmp_path_factory.getbasetemp() / "baseline")


def test_a_scalar_only_yaml_is_not_a_manifest(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    case = HostileCase("only a scalar", "m/notes.yaml", lambda p: p.write_text("just a scalar\n"), "skipped", loader=None)
    check_case(case, tmp_path / "scan", tmp_path_factory.getbasetemp() / "baseline")
