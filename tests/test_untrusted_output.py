"""The scanned tree forges nothing in any output: no escape sequence, workflow command, link, image,
mention or markup taken from it, and no more than 4 characters of a secret anywhere (issue 14).

Regression cases run the command on hostile trees; the property test feeds random hostile strings
through every output format (tests/output_oracle.py says what must never appear).
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from readycheck.model import Finding, ScanError, ScanResult, Span
from readycheck.reporters import sarif, text

from .clirun import invoke, write
from .output_oracle import (
    html_problems,
    markdown_problems,
    model_of,
    problems,
    terminal_problems,
    workflow_problems,
)

ACTIONS = {"GITHUB_ACTIONS": "true", "GITHUB_SERVER_URL": "", "GITHUB_REPOSITORY": "", "GITHUB_SHA": ""}
NO_LINK_BASE = {"GITHUB_SERVER_URL": "", "GITHUB_REPOSITORY": "", "GITHUB_SHA": ""}

HOSTILE_NAME = (
    "web\\n::add-mask::x\\n::error title=forged::owned\\r::warning::cr ##[error]v1 ##vso[task.setvariable]y"
    " \\e]52;c;aGVsbG8=\\a\\e]0;pwned\\a\\e[2J\\e[H\\u009b31m ![i](http://evil.example/i.png) [l](https://evil.example)"
    " <img src=x onerror=alert(1)> @octocat #1 www.evil.example | cell \\u202eevil"
)
HOSTILE_DEPLOYMENT = f"""\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
        - name: "{HOSTILE_NAME}"
          image: nginx:1.27
"""

CHECK_FORMATS = ["text", "json", "sarif", "github"]
REPORT_FORMATS = ["text", "markdown", "html"]


def _scan_output(tmp_path: Path, command: str, fmt: str, *extra: str) -> str:
    run = invoke([command, "--no-cache", "--format", fmt, *extra, "."], tmp_path, env=ACTIONS)
    assert run.code in (0, 1, 2), run.stderr
    return run.stdout + run.stderr


@pytest.mark.parametrize("fmt", CHECK_FORMATS)
def test_a_yaml_value_forges_nothing_in_check_output(tmp_path: Path, fmt: str) -> None:
    write(tmp_path, "deploy.yaml", HOSTILE_DEPLOYMENT)
    output = _scan_output(tmp_path, "check", fmt)
    assert "add-mask" in output  # the value is shown, escaped
    assert terminal_problems(fmt, output) == []
    assert workflow_problems(output, None if fmt == "github" else 0) == []


@pytest.mark.parametrize("fmt", REPORT_FORMATS)
def test_a_yaml_value_forges_nothing_in_the_report(tmp_path: Path, fmt: str) -> None:
    write(tmp_path, "deploy.yaml", HOSTILE_DEPLOYMENT)
    output = _scan_output(tmp_path, "report", fmt, "--fail-on", "note")
    assert "add-mask" in output
    assert terminal_problems(fmt, output) == []
    assert workflow_problems(output) == []
    if fmt == "markdown":
        issues = markdown_problems(output, model_of(ScanResult([], [], 0)))
        # the only links are to the manifest itself
        assert [i for i in issues if not i.startswith("link to 'deploy.yaml#L")] == []
    if fmt == "html":
        assert "<img" not in output and "onerror=alert" not in output.replace("onerror=alert(1)&gt;", "")


def test_rich_colour_output_carries_only_its_own_colour_codes(tmp_path: Path) -> None:
    raw = "x\x1b]52;c;aGVsbG8=\x07\x1b]0;pwned\x07\x1b[2J\x9b2J\x7f\n::add-mask::y"
    result = ScanResult([Finding("K8S101", "probe", "probes", "warning", raw + ".yaml", Span(1), raw)],
                        [ScanError(raw, 2, raw)], 1)
    output = text.render_rich(result)
    assert "\x1b[" in output  # coloured
    assert terminal_problems("text-rich", output) == []
    assert workflow_problems(output) == []
    assert "\\x1b]52;c;aGVsbG8=\\x07" in output


@pytest.mark.parametrize("quiet", [False, True])
def test_directory_names_start_no_workflow_command(tmp_path: Path, quiet: bool) -> None:
    for name in ("::error title=forged::owned", "a\n::add-mask::secret", "##[group]x"):
        write(tmp_path, f"{name}/Dockerfile", "FROM node:latest\n")
    run = invoke(["check", "--no-cache", *(["-q"] if quiet else []), "."], tmp_path, env=ACTIONS)
    assert run.code == 1
    assert run.stdout.count("DF101") == 3
    assert workflow_problems(run.stdout + run.stderr) == []
    assert terminal_problems("text", run.stdout) == []


def test_a_path_given_that_holds_nothing_forges_nothing_on_stderr(tmp_path: Path) -> None:
    """pre-commit and CI scripts pass names from the tree: "nothing was checked" quotes them escaped."""
    name = "n\n::error::forged\x1b[31m"
    (tmp_path / name).mkdir()
    run = invoke(["check", "--no-cache", name], tmp_path, env=ACTIONS)
    assert "nothing was checked" in run.stderr
    assert workflow_problems(run.stderr) == []
    assert terminal_problems("text", run.stderr) == []


def test_stale_baseline_entries_on_stderr_start_no_workflow_command(tmp_path: Path) -> None:
    write(tmp_path, "Dockerfile", "FROM alpine:3.20\nUSER app\nHEALTHCHECK CMD true\n")
    entry = {"fingerprint": "0" * 32, "rule": "DF101\n::error::rule", "path": "::add-mask::path", "line": 1,
             "message": "gone\n::add-mask::msg ##[warning]v1 \x1b]0;title\x07"}
    write(tmp_path, "baseline.json", json.dumps({"version": 1, "findings": [entry]}))
    run = invoke(["check", "--no-cache", "--baseline", "baseline.json", "."], tmp_path, env=ACTIONS)
    assert "no longer occur" in run.stderr and "add-mask" in run.stderr
    assert workflow_problems(run.stderr) == []
    assert terminal_problems("text", run.stderr) == []


def test_a_directory_named_like_a_javascript_url_is_no_link_that_runs(tmp_path: Path) -> None:
    write(tmp_path, "javascript:alert(document.domain)%2F%2F/Dockerfile", "FROM node:latest\n")
    run = invoke(["report", "--no-cache", "--format", "html", "."], tmp_path, env=NO_LINK_BASE)
    assert "Dockerfile#L1" in run.stdout
    assert html_problems(run.stdout, model_of(_result_for_link("javascript:alert(document.domain)%2F%2F/Dockerfile"))) == []


def _result_for_link(path: str) -> ScanResult:
    return ScanResult([Finding("DF101", "base-image-pinned", "pinned-versions", "error", path, Span(1), "m")], [], 1)


def test_file_names_with_newlines_and_parentheses_inject_no_markdown(tmp_path: Path) -> None:
    name = "x)<b>bold</b>\n<img src=x onerror=alert(1)>\n| a | b |"
    write(tmp_path, f"{name}/Dockerfile", "FROM node:latest\n")
    run = invoke(["report", "--no-cache", "--format", "markdown", "."], tmp_path, env=NO_LINK_BASE)
    assert run.code == 0
    issues = markdown_problems(run.stdout, model_of(_result_for_link(f"{name}/Dockerfile")))
    assert issues == []
    assert "](x%29%3Cb%3Ebold%3C/b%3E%0A" in run.stdout  # the link target is percent-encoded


def test_file_names_that_are_not_utf8_are_shown_escaped_in_every_format(tmp_path: Path) -> None:
    directory = os.fsencode(tmp_path) + b"/\xff\x9b"
    os.makedirs(directory)
    with open(directory + b"/Dockerfile", "w") as handle:
        handle.write("FROM node:latest\n")
    for command, formats in (("check", CHECK_FORMATS), ("report", REPORT_FORMATS), ("baseline", ["-"])):
        for fmt in formats:
            args = ["-o", str(tmp_path.parent / f"{tmp_path.name}.json")] if command == "baseline" else ["--format", fmt]
            run = invoke([command, "--no-cache", *args, "."], tmp_path, env=ACTIONS)
            assert run.code in (0, 1), (command, fmt, run.stderr)
            assert terminal_problems(fmt, run.stdout + run.stderr) == []
            if command != "baseline" and fmt not in ("json", "sarif"):
                assert "\\xff\\x9b/Dockerfile" in run.stdout or "%FF%9B/Dockerfile" in run.stdout


def test_sarif_messages_are_capped(tmp_path: Path) -> None:
    huge = "A" * 200_000
    write(tmp_path, "deploy.yaml", HOSTILE_DEPLOYMENT.replace(HOSTILE_NAME, "web"))
    plain = invoke(["check", "--no-cache", "--format", "sarif", "."], tmp_path)
    write(tmp_path, "deploy.yaml", HOSTILE_DEPLOYMENT.replace(HOSTILE_NAME, huge))
    run = invoke(["check", "--no-cache", "--format", "sarif", "."], tmp_path)
    assert run.code == plain.code == 0  # warnings only
    findings = len(json.loads(plain.stdout)["runs"][0]["results"])
    assert len(run.stdout) - len(plain.stdout) < findings * sarif.MAX_MESSAGE + 1_000
    document = json.loads(run.stdout)
    messages = [r["message"]["text"] for r in document["runs"][0]["results"]]
    assert messages and max(len(m) for m in messages) <= sarif.MAX_MESSAGE
    notes = [n["message"]["text"] for n in document["runs"][0]["invocations"][0]["toolExecutionNotifications"]]
    assert any(f"cut to {sarif.MAX_MESSAGE:,} characters" in n for n in notes)


# -- secrets: no more than 4 characters anywhere -------------------------------------------------

SECRET = "Zk3qT9vLm2Rx8Wp4Yh6Nc1Bd5Gf7Js0Ka3Qe9Uo2"


def leaked(text: str, secret: str = SECRET) -> bool:
    """True when 5 consecutive characters of the secret appear, in any letter case (parsers upper-case)."""
    lowered = text.lower()
    return any(secret[i : i + 5].lower() in lowered for i in range(len(secret) - 4))


def _everything_written(tmp_path: Path, cache: Path) -> list[tuple[str, str]]:
    """Every output format and every cache and run-index file after a cached scan (run twice: the second is served
    from the index)."""
    past = time.time() - 60  # the run index trusts no stamp newer than the scan (RACY_NS)
    for path in [tmp_path, *tmp_path.rglob("*")]:
        os.utime(path, (past, past))
    written: list[tuple[str, str]] = []
    for command, formats in (("check", CHECK_FORMATS), ("report", REPORT_FORMATS)):
        for fmt in formats:
            for _ in range(2):
                run = invoke([command, "--cache-dir", str(cache), "--format", fmt, "."], tmp_path, env=ACTIONS)
                written.append((f"{command} {fmt}", run.stdout + run.stderr))
    files = [p for p in cache.rglob("*") if p.is_file() and p.suffix == ".json" and "catalog" not in p.name]
    assert any("runs" in p.parts for p in files)
    written += [(str(p.relative_to(cache)), p.read_text(encoding="utf-8", errors="replace")) for p in files]
    return written


def test_a_secret_in_an_unknown_instruction_error_is_redacted_everywhere(tmp_path: Path) -> None:
    root = tmp_path / "tree"
    write(root, "Dockerfile", f"FROM alpine:3.20\nENV A=1\nAWS_SECRET_ACCESS_KEY={SECRET}\nUSER app\n")
    written = _everything_written(root, tmp_path / "cache")
    assert any("unknown instruction" in out for _, out in written)
    assert [where for where, out in written if leaked(out)] == []


def test_a_secret_quoted_by_a_helm_render_error_is_redacted_everywhere(tmp_path: Path) -> None:
    root = tmp_path / "tree"
    write(root, "chart/Chart.yaml", "apiVersion: v2\nname: c\nversion: 0.1.0\n")
    write(root, "chart/values.yaml", f"db:\n  password: {SECRET}\n")
    write(root, "chart/templates/cm.yaml",
          "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  b: {{ include .Values.db.password . }}\n")
    written = _everything_written(root, tmp_path / "cache")
    assert any("no template" in out for _, out in written)
    assert [where for where, out in written if leaked(out)] == []


def test_the_cache_keeps_no_secret_from_a_finding_key_and_fingerprints_survive_it(tmp_path: Path) -> None:
    root = tmp_path / "tree"
    write(root, "Dockerfile", f"FROM alpine:3.20\nENV AWS_SECRET_ACCESS_KEY={SECRET}\nUSER app\n")
    written = _everything_written(root, tmp_path / "cache")
    assert [where for where, out in written if leaked(out)] == []
    fresh = invoke(["baseline", "--no-cache", "-o", str(tmp_path / "fresh.json"), "."], root)
    cached = invoke(["baseline", "--cache-dir", str(tmp_path / "cache"), "-o", str(tmp_path / "cached.json"), "."], root)
    assert fresh.code == cached.code == 0

    def prints(name: str) -> list[str]:
        return [e["fingerprint"] for e in json.loads((tmp_path / name).read_text())["findings"]]

    assert prints("fresh.json") == prints("cached.json") and prints("fresh.json")


# -- random hostile text through every format ----------------------------------------------------

HOSTILE_PIECES = ["\n", "\r", "\r\n", "\t", "::", "::add-mask::", "::error title=x::", "::stop-commands::t", "##[",
                  "##[error]", "##vso[", "\x1b", "\x1b]52;c;", "\x1b]0;", "\x07", "\x1b[2J", "\x9b", "\x85", "\x7f",
                  "\u2028", "\u202e", "\ufeff", " ", "  ", "%", "%0A", "%25", ",", ":", "`", "```", "|", "\\",
                  "[", "]", "(", ")", "![", "](", "<", ">", "<img src=x>", "<script>", "&", "&lt;", "*", "_", "~",
                  "$", "#", "#1", "@", "@octocat", "http://e.x", "https://", "www.", "www.e.x", "javascript:",
                  "%2F%2F", "'", "\"", "!", "=", "-", "a", "b/", "é", "\U0001F600", "\udcff", "\udc9b", "\ud800"]
hostile_text = st.lists(st.one_of(st.sampled_from(HOSTILE_PIECES), st.text(max_size=3)), max_size=12).map("".join)
hostile_path = st.lists(hostile_text.filter(bool), min_size=1, max_size=3).map("/".join)


@st.composite
def hostile_results(draw: st.DrawFn) -> tuple[ScanResult, str]:
    findings = [
        Finding(draw(st.sampled_from(["DF101", "K8S101"])), "rule-name", "pinned-versions",
                draw(st.sampled_from(["error", "warning", "note"])), draw(hostile_path), Span(draw(st.integers(1, 9))),
                draw(hostile_text), fix=draw(hostile_text))
        for _ in range(draw(st.integers(0, 3)))
    ]
    findings.sort(key=Finding.sort_key)
    errors = [ScanError(draw(hostile_path), draw(st.none() | st.integers(1, 9)), draw(hostile_text))
              for _ in range(draw(st.integers(0, 2)))]
    suppressed = [(f, draw(hostile_text)) for f in findings[:1]]
    command = "readycheck check " + draw(hostile_text)
    return ScanResult(findings[1:] if suppressed else findings, errors, 3, suppressed), command


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hostile_results())
def test_random_hostile_text_forges_nothing_in_any_format(drawn: tuple[ScanResult, str]) -> None:
    result, command = drawn
    assert problems(result, command) == {}


# -- the neutralising functions themselves -------------------------------------------------------

def test_inline_terminal_escaping_shows_what_was_there() -> None:
    from readycheck import neutralise

    assert neutralise.inline("a\x1b]0;t\x07\nb\tc\u202e") == "a\\x1b]0;t\\x07\\nb\tc\\u202e"
    assert neutralise.terminal("a\nb\rc") == "a\nb\\rc"
    assert neutralise.no_workflow_commands("ok ::x\n  ::error::y\n##[group]z") == "ok ::x\n  \\::error::y\n##\\[group]z"


def test_json_escaping_is_lossless() -> None:
    from readycheck import neutralise

    value = {"m": "##[error] \x7f\x9b\u2028 ##VSO[x"}
    dumped = neutralise.json_text(json.dumps(value, ensure_ascii=False))
    assert "##[" not in dumped and "\x9b" not in dumped
    assert json.loads(dumped) == value


def test_links_are_percent_encoded_after_a_safe_base_only() -> None:
    from readycheck import neutralise

    assert neutralise.file_url("", "javascript:alert(1)/a b", 3) == "javascript%3Aalert%281%29/a%20b#L3"
    assert neutralise.file_url("https://github.com/o/r/blob/s/", "a/Dockerfile", None) == "https://github.com/o/r/blob/s/a/Dockerfile"
    assert neutralise.file_url("javascript:alert(1)//", "a", 1) == "a#L1"
    assert neutralise.file_url("", "//evil.example/x") == "/evil.example/x"


def test_markdown_code_spans_hold_any_backticks() -> None:
    from markdown_it import MarkdownIt

    from readycheck import neutralise

    for value in ("a``b", "`x", "x`", "```"):
        tokens = MarkdownIt("commonmark").parseInline(neutralise.markdown_code(value))[0].children
        assert [t.type for t in tokens or []] == ["code_inline"] and tokens and tokens[0].content == value
