"""The readiness report: verdict first, scores by the documented formula, artifacts, and its three formats."""

from __future__ import annotations

import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from readycheck.catalog import Catalog
from readycheck.config import Config
from readycheck.model import Finding, ScanResult, Span
from readycheck.orchestrate import scan
from readycheck.readiness import FAIL, NOT_APPLICABLE, PASS, WARN, build, grade
from readycheck.reporters import readiness_html as html
from readycheck.reporters import readiness_markdown as markdown
from tests.clirun import UNPINNED_DOCKERFILE, invoke, write

PINNED = UNPINNED_DOCKERFILE.replace("node:latest", "node:22.11-alpine")
HEALTHY = PINNED.replace("USER node", 'USER node\nHEALTHCHECK CMD ["node", "health.js"]').replace(
    "RUN apt-get update && apt-get install -y --no-install-recommends curl\n", ""
)


THREE_RULES = ("DF101", "DF201", "DF401")  # a fixed set, so new rules do not change these scores


def _scan(root: Path, catalog: Catalog, config: Config | None = None) -> ScanResult:
    return scan([str(root)], catalog, config or Config(select=list(THREE_RULES)), base=root)


def test_scores_follow_the_documented_formula(tmp_path: Path, catalog: Catalog) -> None:
    write(tmp_path, "api/Dockerfile", UNPINNED_DOCKERFILE)  # DF101 error, DF201 warning, DF401 warning
    write(tmp_path, "web/Dockerfile", HEALTHY)  # clean
    model = build(_scan(tmp_path, catalog), "error", "readycheck check .")
    scores = {c.name: (c.score, c.grade, c.artifacts) for c in model.checklists}
    assert scores == {
        "pinned-versions": (63, "D", 2),  # H = 20 x 2 = 40, P = 10: 100 x 40 / 50 = 80, blocked: x 0.79 = 63.2
        "healthcheck": (93, "A", 2),  # P = 3: 100 x 40 / 43 = 93.0
        "image-hygiene": (93, "A", 2),
    }
    assert model.score == 56  # all findings: P = 16, 100 x 40 / 56 = 71.4; not ready: x 0.79 = 56.4
    relaxed = build(_scan(tmp_path, catalog), "never", "readycheck check .")
    assert relaxed.ready
    assert [(c.name, c.score) for c in relaxed.checklists][0] == ("pinned-versions", 80)
    assert relaxed.score == round(100 * 40 / (40 + 10 + 3 + 3))
    assert not model.ready
    assert [f.rule for f in model.blocking] == ["DF101"]
    assert {f.rule for f in model.other} == {"DF201", "DF401"}
    assert model.ready_checklists == []
    api, web = model.artifacts
    assert (api.path, api.label) == ("api/Dockerfile", "Dockerfile")
    assert [api.status(c, "error") for c in ("pinned-versions", "healthcheck", "probes")] == [FAIL, WARN, NOT_APPLICABLE]
    assert api.status("healthcheck", "warning") == FAIL
    assert api.status("pinned-versions", "never") == WARN
    assert web.status("pinned-versions", "note") == PASS


def test_grades_and_floor() -> None:
    assert [grade(s) for s in (100, 90, 89, 80, 70, 60, 59, 0)] == ["A", "A", "B", "B", "C", "D", "F", "F"]


def test_nothing_to_judge_is_ready_without_a_score(tmp_path: Path, catalog: Catalog) -> None:
    write(tmp_path, "README.md", "hello\n")
    model = build(_scan(tmp_path, catalog), "error", "readycheck check .")
    assert (model.ready, model.score, model.artifacts) == (True, None, [])
    assert "n/a" in markdown.render(model)


def test_markdown_leads_with_the_verdict_and_lists_everything(tmp_path: Path) -> None:
    write(tmp_path, "api/Dockerfile", UNPINNED_DOCKERFILE)
    write(tmp_path, "legacy/Dockerfile", "# readycheck: ignore-file\n" + UNPINNED_DOCKERFILE)
    write(tmp_path, "broken/Dockerfile", "FROM alpine:3.20\nHEALTHCHEK CMD true\n")
    env = {"GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "acme/shop", "GITHUB_SHA": "abc123"}
    run = invoke(["report", "--format", "markdown", "--select", "dockerfile", "."], tmp_path, env=env)
    assert run.code == 0
    text = run.stdout
    assert text.startswith("## readycheck: ❌ Not ready\n\nNot ready: 1 finding at or above `error` and 1 file could not be checked.")
    sections = [line for line in text.splitlines() if line.startswith("### ")]
    assert sections == [
        "### What to fix first", "### Findings by checklist and severity", "### Artifacts, failing first",
        "### Already ready", "### Files that could not be checked", "### Suppressions in force", "### Reproduce",
    ]
    contents = next(line for line in text.splitlines() if line.startswith("**Contents:**"))
    for heading in sections:  # every section is linked by the anchor GitHub derives from its heading
        anchor = "".join(c for c in heading[4:].lower().replace(" ", "-") if c.isalnum() or c == "-")
        assert f"(#{anchor})" in contents
    assert "[`api/Dockerfile:1`](https://github.com/acme/shop/blob/abc123/api/Dockerfile#L1)" in text
    assert "| `api/Dockerfile` | Dockerfile | ❌ fail | ✅ pass | ⚠️ warn |" in text
    assert "| DF101 base-image-pinned | `legacy/Dockerfile:2` | readycheck: ignore-file |" in text
    assert "```sh\nreadycheck check --select dockerfile --fail-on error .\n```" in text


def _many_findings(count: int) -> ScanResult:
    findings = [
        Finding("DF101", "base-image-pinned", "pinned-versions", "error" if n % 2 else "warning", f"svc{n}/Dockerfile",
                Span(1), "base image 'node:latest' is not pinned " + "x" * 80, key=str(n))
        for n in range(count)
    ]
    return ScanResult(findings=findings, errors=[], files=count, suppressed=[(f, "baseline") for f in findings[:500]])


def test_markdown_cuts_the_long_tail_to_fit_a_pr_comment() -> None:
    model = build(_many_findings(3000), "error", "readycheck check .")
    text = markdown.render(model)
    assert len(text) <= markdown.MAX_CHARS
    assert text.startswith("## readycheck: ❌ Not ready")
    assert "more rules to fix, cut to fit" in text or "more artifacts, cut to fit" in text
    assert "> Cut to fit:" in text
    assert text.rstrip().endswith("> Cut to fit: " + text.rstrip().rsplit("> Cut to fit: ", 1)[1])
    assert "readycheck check ." in text
    small = build(_many_findings(4), "error", "readycheck check .")
    assert "Cut to fit" not in markdown.render(small)


class _Structure(HTMLParser):
    """Collects what the structural checks need from an HTML document."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.stack: list[str] = []
        self.headers_in_tables: list[dict[str, str | None]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "th":
            self.headers_in_tables.append(dict(attrs))
        if tag not in ("meta", "br", "wbr", "rect"):
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("meta", "br", "wbr", "rect"):
            return
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes <{self.stack[-1] if self.stack else None}>"
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        if data.strip() and self.stack[-1:] != ["style"]:
            self.text.append(data.strip())

    def named(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for name, attrs in self.tags if name == tag]


def _html_report(root: Path) -> str:
    write(root, "api/Dockerfile", UNPINNED_DOCKERFILE)
    write(root, "web/Dockerfile", HEALTHY)
    write(root, "old/Dockerfile", "# readycheck: ignore-file\n" + UNPINNED_DOCKERFILE)
    run = invoke(["report", "--format", "html", "--output", "out/report.html", "."], root)
    assert run.code == 0 and run.stdout == ""
    return (root / "out/report.html").read_text()


def test_html_is_self_contained_accessible_and_well_formed(tmp_path: Path) -> None:
    document = _html_report(tmp_path)
    assert document.startswith("<!DOCTYPE html>")
    parser = _Structure()
    parser.feed(document)
    parser.close()
    assert parser.stack == []
    assert parser.named("html") == [{"lang": "en"}]
    assert {"name": "viewport", "content": "width=device-width, initial-scale=1"} in parser.named("meta")
    for banned in ("script", "link", "img", "iframe", "object"):
        assert parser.named(banned) == [], banned
    assert "@import" not in document and "url(" not in document
    assert all(not (a.get("href") or "").startswith(("http:", "https:", "//")) for a in parser.named("a"))
    tables = parser.named("table")
    assert len(tables) == 4  # checklists, failing artifacts, other artifacts, suppressions
    assert document.count("<caption>") == len(tables)
    assert parser.headers_in_tables and all(h.get("scope") in ("col", "row") for h in parser.headers_in_tables)
    assert all(svg.get("role") == "img" and svg.get("aria-label") for svg in parser.named("svg"))
    assert parser.text[0] == "readycheck: Not ready"  # the <title>
    assert parser.text[1] == "readycheck readiness report: Not ready"  # the first heading: the verdict
    assert "@media print" in document and "@media (max-width" in document
    assert "api/<wbr>Dockerfile:1" in document and "readycheck check --fail-on error ." in document


def test_html_escapes_what_it_shows() -> None:
    finding = Finding("DF101", "base-image-pinned", "pinned-versions", "error", "a<b>/Dockerfile", Span(1),
                      "image '<script>alert(1)</script>' & more", key="k")
    model = build(ScanResult(findings=[finding], errors=[], files=1), "error", "readycheck check 'a<b>'")
    document = html.render(model)
    assert "<script>" not in document
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&#x27; &amp; more" in document
    assert "<code>a&lt;b&gt;/<wbr>Dockerfile:1</code>" in document


CHROMIUM = Path("/usr/bin/chromium")


def test_html_renders_in_headless_chromium(tmp_path: Path) -> None:
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is not installed; the HTML structure test above still ran")
    report = tmp_path / "report"
    report.mkdir()
    _html_report(report)
    screenshot = tmp_path / "report.png"
    profile = tmp_path / "profile"
    command = [
        str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
        f"--screenshot={screenshot}", "--window-size=1200,1600", (report / "out/report.html").as_uri(),
    ]
    subprocess.run(command, capture_output=True, timeout=120, check=False)
    assert screenshot.is_file(), "chromium wrote no screenshot"
    data = screenshot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert _distinct_colours(data) > 3, "the screenshot is blank"
    keep = Path(__import__("os").environ.get("READYCHECK_KEEP_SCREENSHOT", ""))
    if keep.name:
        shutil.copy(screenshot, keep)


def _distinct_colours(png: bytes) -> int:
    """How many different bytes the decompressed image holds: a blank page has one or two."""
    import struct
    import zlib

    position, chunks = 8, b""
    while position < len(png):
        length, kind = struct.unpack(">I4s", png[position : position + 8])
        if kind == b"IDAT":
            chunks += png[position + 8 : position + 8 + length]
        position += 12 + length
    return len(set(zlib.decompress(chunks)))


def test_text_report_and_exit_code(tmp_path: Path) -> None:
    write(tmp_path, "Dockerfile", HEALTHY)
    run = invoke(["report", "--select", ",".join(THREE_RULES), "."], tmp_path)
    assert run.code == 0
    first = run.stdout.splitlines()[0]
    assert first == "READY - Ready: nothing at or above the error level."
    assert "Already ready: pinned-versions, healthcheck, image-hygiene" in run.stdout
    strict = invoke(["report", "--fail-on", "note", "."], tmp_path)
    assert strict.stdout.splitlines()[-1] == "Reproduce: readycheck check --fail-on note ."


def test_check_writes_the_report_alongside_in_the_format_its_name_says(tmp_path: Path) -> None:
    write(tmp_path, "Dockerfile", UNPINNED_DOCKERFILE)
    run = invoke(["check", "--format", "json", "--report-output", "readiness.HTML", "."], tmp_path)
    assert run.code == 1
    assert (tmp_path / "readiness.HTML").read_text().startswith("<!DOCTYPE html>")
    invoke(["check", "--report-output", "summary.txt", "."], tmp_path)
    assert (tmp_path / "summary.txt").read_text().startswith("## readycheck: ❌ Not ready")
