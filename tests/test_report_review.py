"""The readiness report a reviewer needs: what to fix first, a score that discriminates, charts, --compare,
a Markdown cut that keeps what blocks, and the first screen of the HTML report in a real browser."""

from __future__ import annotations

import json
import random
import re
import subprocess
from pathlib import Path

import pytest

from readycheck.catalog import Catalog
from readycheck.config import Config
from readycheck.model import Artifact, Finding, ScanResult, Span
from readycheck.orchestrate import scan
from readycheck.readiness import FAIL, build, score
from readycheck.reporters import readiness_html as html
from readycheck.reporters import readiness_markdown as markdown
from readycheck.reporters import readiness_text as text
from tests.clirun import UNPINNED_DOCKERFILE, invoke, write

PINNED = UNPINNED_DOCKERFILE.replace("node:latest", "node:22.11-alpine")
ROOT = UNPINNED_DOCKERFILE.replace("node:latest", "node:22.11-alpine").replace("USER node\n", "")
SAMPLE_REPO = Path(__file__).resolve().parent.parent / "fixtures" / "sample-repo"
RULES = ("DF101", "DF201", "DF301")  # unpinned base (error), no HEALTHCHECK (warning), runs as root (error)


def _tree(root: Path, clean: int, unpinned: int = 0, as_root: int = 0) -> Path:
    """A generated tree of Dockerfiles: `clean` pinned ones, then some unpinned and some running as root."""
    for n in range(clean):
        write(root, f"svc{n:03}/Dockerfile", PINNED)
    for n in range(unpinned):
        write(root, f"bad{n:03}/Dockerfile", UNPINNED_DOCKERFILE)
    for n in range(as_root):
        write(root, f"root{n:03}/Dockerfile", ROOT)
    return root


def _model(root: Path, catalog: Catalog, fail_on: str = "error"):  # type: ignore[no-untyped-def]
    result = scan([str(root)], catalog, Config(select=list(RULES)), base=root)
    return build(result, fail_on, "readycheck check .")


# --- the score -------------------------------------------------------------------------------------------------


def test_score_falls_with_more_blocking_findings_on_generated_trees(tmp_path: Path, catalog: Catalog) -> None:
    """Pairs of trees of the same size: more unpinned images always score lower, overall and for the checklist."""
    scores = []
    for bad in (1, 3, 9, 27):
        model = _model(_tree(tmp_path / f"t{bad}", 40 - bad, unpinned=bad), catalog)
        pinned = next(c for c in model.checklists if c.name == "pinned-versions")
        scores.append((model.score, pinned.score))
    assert all(a[0] > b[0] and a[1] > b[1] for a, b in zip(scores, scores[1:], strict=False)), scores
    assert len({grade for grade in scores}) == len(scores)


def test_errors_weigh_more_than_warnings_on_generated_trees(tmp_path: Path, catalog: Catalog) -> None:
    """Same tree size and same number of findings: errors (running as root) score below warnings only."""
    warned = _model(_tree(tmp_path / "warn", 10), catalog, fail_on="never")  # 10 HEALTHCHECK warnings
    erred = _model(_tree(tmp_path / "err", 5, as_root=5), catalog, fail_on="never")  # 10 warnings + 5 errors
    assert warned.score is not None and erred.score is not None and erred.score < warned.score
    clean = _model(_tree(tmp_path / "clean", 0), catalog)
    assert clean.score is None  # nothing to judge


def test_score_is_monotonic_in_count_and_severity() -> None:
    """Properties of the formula over random finding sets: adding a finding, or raising its severity, never raises
    the score; blocking keeps it below 80; the issue's 9 versus 589 blocking findings on 317 artifacts differ."""
    rng = random.Random(20)

    def findings(severities: list[str]) -> list[Finding]:
        return [Finding("R", "r", "config", s, "f", Span(1), "m") for s in severities]

    for _ in range(300):
        severities = [rng.choice(("error", "warning", "note")) for _ in range(rng.randrange(0, 60))]
        artifacts = rng.randrange(1, 50)
        blocked = rng.random() < 0.5
        base = score(findings(severities), artifacts, blocked)
        more = score(findings([*severities, rng.choice(("error", "warning", "note"))]), artifacts, blocked)
        assert more <= base
        if severities:
            worse = [*severities]
            worse[rng.randrange(len(worse))] = "error"
            assert score(findings(worse), artifacts, blocked) <= base
        assert score(findings(severities), artifacts, True) <= score(findings(severities), artifacts, False)
        assert not blocked or base < 80
    few, many = score(findings(["error"] * 9), 317, True), score(findings(["error"] * 589), 317, True)
    assert many < few < 80 and few - many >= 30
    assert score(findings(["error"] * 9), 317, True) > score(findings(["error"] * 9), 3, True)  # density counts


# --- what to fix first -----------------------------------------------------------------------------------------


def test_what_to_fix_first_groups_by_rule_ranked_with_the_fix_once(tmp_path: Path, catalog: Catalog) -> None:
    model = _model(_tree(tmp_path, 2, unpinned=14, as_root=3), catalog)
    ranks = [(g.rule, g.blocking, g.severity, len(g.findings)) for g in model.groups]
    assert ranks == [("DF101", True, "error", 14), ("DF301", True, "error", 3), ("DF201", False, "warning", 19)]
    assert all(g.service == "" and g.key == ("", g.rule) for g in model.groups)  # no service map: one key slot
    fix = model.groups[0].fix
    assert fix
    for document, more, said in ((markdown.render(model), "… and 4 more", "**Fix:**"),
                                 (text.render(model), "... and 4 more", "Fix:"),
                                 (html.render(model), "<summary>and 4 more</summary>", "<strong>Fix:</strong>")):
        assert document.count(said) == len(model.groups)  # each fix said once, not once per finding
        assert more in document  # 14 locations: 10 shown, then "and 4 more"
    page = html.render(model)
    assert page.index('class="verdict') < page.index('id="what-to-fix-first"') < page.index('id="artifacts"')
    assert page.count('class="group"') == 3
    # every location is in the page, the ones past the first ten inside <details> (no script needed)
    assert all(f"{f.path.replace('/', '/<wbr>')}:{f.span.line}" in page for g in model.groups for f in g.findings)


def test_html_has_a_contents_an_svg_chart_and_failing_artifacts_first(tmp_path: Path, catalog: Catalog) -> None:
    model = _model(_tree(tmp_path, 3, unpinned=2), catalog)
    page = html.render(model)
    assert "<script" not in page and "http://" not in page.replace("http://www.w3.org", "")
    nav = re.search(r'<nav class="toc".*?</nav>', page)
    assert nav
    for anchor in re.findall(r'href="#([^"]+)"', nav.group(0)):
        assert f'id="{anchor}"' in page
    chart = re.search(r"<svg viewBox[^>]*aria-label=\"Findings by checklist and severity[^\"]*\"", page)
    assert chart and "pinned-versions: 2 errors" in chart.group(0)
    failing = page.index("<details open><summary>2 failing artifacts</summary>")
    others = page.index("<details><summary>3 other artifacts")
    assert failing < others
    assert page.index("bad000/<wbr>Dockerfile", failing) < others
    # the same numbers as a table in Markdown and text
    md = markdown.render(model)
    assert "| pinned-versions | " in md and "| **all** |" in md
    assert re.search(r"pinned-versions\s+\d+ \w\s+2\s+0\s+0", text.render(model))


# --- --compare -------------------------------------------------------------------------------------------------


def test_compare_shows_new_fixed_and_unchanged_in_every_format(tmp_path: Path) -> None:
    write(tmp_path, "a/Dockerfile", UNPINNED_DOCKERFILE)
    write(tmp_path, "b/Dockerfile", UNPINNED_DOCKERFILE)
    select = ["--select", ",".join(RULES)]
    before = invoke(["check", "--format", "json", *select, "."], tmp_path)
    write(tmp_path, "previous.json", before.stdout)
    baseline = invoke(["baseline", *select, "-o", "baseline.json", "."], tmp_path)
    assert baseline.code == 0
    write(tmp_path, "a/Dockerfile", "# moved down a line\n" + PINNED)  # DF101 fixed; DF201 kept, one line lower
    write(tmp_path, "c/Dockerfile", ROOT)  # DF201 and DF301 new
    for previous in ("previous.json", "baseline.json"):
        outputs = {}
        for fmt in ("text", "markdown", "html"):
            run = invoke(["report", "--format", fmt, "--compare", previous, *select, "."], tmp_path)
            assert run.code == 0, run.stderr
            outputs[fmt] = run.stdout
        assert "2 new, 1 fixed, 3 unchanged" in outputs["text"]
        assert "**2 new** · **1 fixed** · 3 unchanged" in outputs["markdown"]
        assert ">2 new</strong> · <strong class=\"pass\">1 fixed</strong> · 3 unchanged" in outputs["html"]
        assert "fixed a/Dockerfile:1 DF101" in outputs["text"]
    bad = invoke(["report", "--compare", "a/Dockerfile", "."], tmp_path)
    assert bad.code == 2 and "--compare" in bad.stderr


# --- the Markdown cut ------------------------------------------------------------------------------------------


def test_markdown_cut_keeps_blocking_findings_and_failing_artifacts_first() -> None:
    """317 artifacts, the failing ones last alphabetically: a cut by name would drop them all."""
    artifacts = [Artifact(f"a{n:03}/Dockerfile", "dockerfile") for n in range(260)]
    artifacts += [Artifact(f"z{n:03}/Dockerfile", "dockerfile") for n in range(57)]
    findings = [Finding(f"N{n % 40:03}", "noisy-note", "image-hygiene", "note", a.path, Span(1), "n " + "x" * 90)
                for n, a in enumerate(artifacts[:260]) for _ in range(3)]
    findings += [Finding("DF101", "base-image-pinned", "pinned-versions", "error", a.path, Span(1), "unpinned",
                         fix="pin it") for a in artifacts[260:]]
    findings.sort(key=Finding.sort_key)
    model = build(ScanResult(findings=findings, errors=[], files=317, artifacts=artifacts), "error", "readycheck check .")
    document = markdown.render(model, max_chars=20_000)
    assert len(document) <= 20_000 and "Cut to fit" in document
    assert "**DF101**" in document  # the blocking group survives the cut
    notes = [document.index(f"**N{n:03}**") for n in range(40) if f"**N{n:03}**" in document]
    assert all(document.index("**DF101**") < position for position in notes)
    rows = [line for line in document.splitlines() if line.startswith("| `")]
    assert rows, "no artifact row survived"
    failing_shown = [r for r in rows if r.startswith("| `z")]
    assert failing_shown == rows[: len(failing_shown)]  # failing artifacts first
    assert len(failing_shown) == min(len(rows), 57)
    assert all(model.artifact_status(a) == FAIL for a in model.artifacts_failing_first[:57])
    assert model.artifact_status(model.artifacts_failing_first[-1]) != FAIL


# --- the first screen in a real browser ------------------------------------------------------------------------

CHROMIUM = Path("/usr/bin/chromium")
_PROBE = """<script>
(function () {
  function box(selector) { var e = document.querySelector(selector); if (!e) return null;
    var r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; }
  parent.postMessage(JSON.stringify({width: innerWidth, height: innerHeight,
    scroll_width: document.documentElement.scrollWidth, verdict: box('.verdict'),
    first_group: box('.group h3'), fix: box('.group .fix')}), '*');
})();
</script>"""
_FRAME = """<!DOCTYPE html><html><body style="margin:0">
<iframe src="probe.html" width="{width}" height="{height}" style="border:0;display:block"></iframe>
<pre id="positions"></pre>
<script>addEventListener('message', function (m) {{ document.getElementById('positions').textContent = m.data; }});</script>
</body></html>"""


def _positions(chromium: Path, tmp_path: Path, page: str, width: int, height: int) -> dict[str, object]:
    """Where the verdict and the first group land in a viewport of width x height.

    The report has no script; the test measures a copy with a probe script, inside an iframe of exactly that
    size (headless Chromium's own window keeps a minimum width), and reads the numbers from --dump-dom.
    """
    (tmp_path / "probe.html").write_text(page.replace("</body>", _PROBE + "</body>"))
    frame = tmp_path / f"frame{width}.html"
    frame.write_text(_FRAME.format(width=width, height=height))
    command = [
        str(chromium), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}",
        "--virtual-time-budget=3000", f"--window-size={width + 100},{height + 300}", "--dump-dom", frame.as_uri(),
    ]
    out = subprocess.run(command, capture_output=True, timeout=120, check=False, text=True).stdout
    found = re.search(r'<pre id="positions">(.*?)</pre>', out, re.S)
    assert found and found.group(1), f"chromium reported no positions: {out[:300]!r}"
    return dict(json.loads(found.group(1).replace("&quot;", '"').replace("&amp;", "&")))


def test_html_first_screen_shows_the_verdict_and_what_to_fix_first(tmp_path: Path, catalog: Catalog) -> None:
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is not installed (apt-get install -y chromium); the HTML structure tests ran")
    import shutil

    tree = _tree(tmp_path / "tree", 20, unpinned=90, as_root=90)
    shutil.copytree(SAMPLE_REPO, tree / "sample")  # every kind: long fix texts, long paths, wide tables
    result = scan([str(tree)], catalog, Config(), base=tree)
    model = build(result, "error", "readycheck check .")
    assert len(model.blocking) >= 180 and len(model.blocking) + len(model.other) >= 300
    page = html.render(model)
    screenshot = tmp_path / "desktop.png"
    (tmp_path / "report.html").write_text(page)
    subprocess.run([str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                    f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={screenshot}", "--window-size=1280,800",
                    (tmp_path / "report.html").as_uri()], capture_output=True, timeout=120, check=False)
    assert screenshot.is_file() and screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    for width, height in ((1280, 800), (375, 667)):
        seen = _positions(CHROMIUM, tmp_path, page, width, height)
        assert (seen["width"], seen["height"]) == (width, height)
        verdict, group = seen["verdict"], seen["first_group"]
        assert isinstance(verdict, list) and isinstance(group, list)
        assert 0 <= verdict[1] < verdict[3] <= height, (width, seen)
        assert verdict[3] <= group[1] and group[3] <= height, (width, seen)  # the first group's heading, unscrolled
        assert isinstance(seen["scroll_width"], int) and seen["scroll_width"] <= width, (width, seen)  # no sideways scroll
        if width == 1280:
            fix = seen["fix"]
            assert isinstance(fix, list) and fix[3] <= height  # and its fix


# --- merge: SARIF and the readiness report from shards --------------------------------------------------------


def test_merge_writes_sarif_and_the_readiness_report_equal_to_the_unsharded_run(tmp_path: Path) -> None:
    import shutil

    root = tmp_path / "repo"
    shutil.copytree(SAMPLE_REPO, root)  # every kind, a Helm chart (related locations)
    write(root, "old/Dockerfile", "# readycheck: ignore-file\n" + UNPINNED_DOCKERFILE)  # suppressed findings
    write(root, "web/Dockerfile", UNPINNED_DOCKERFILE)
    names = []
    for k in (1, 2, 3):
        run = invoke(["check", "--no-cache", "--format", "json", "--shard", f"{k}/3", "."], root)
        (tmp_path / f"{k}.json").write_text(run.stdout)
        names.append(str(tmp_path / f"{k}.json"))
    assert all(json.loads(Path(n).read_text())["summary"]["findings"] for n in names), "a shard found nothing"
    whole_json = invoke(["check", "--no-cache", "--format", "json", "."], root).stdout
    assert "fingerprint" not in whole_json and "finding_details" not in whole_json  # CONTRACT.md's shape unchanged
    whole_sarif = invoke(["check", "--no-cache", "--format", "sarif", "."], root).stdout
    merged_sarif = invoke(["merge", "--format", "sarif", *names], root)
    assert merged_sarif.code == 0, merged_sarif.stderr
    assert merged_sarif.stdout == whole_sarif
    results = json.loads(whole_sarif)["runs"][0]["results"]
    assert any("relatedLocations" in r for r in results) and all("readycheck/v1" in str(r) for r in results)
    for fmt in ("text", "markdown", "html"):
        whole = invoke(["report", "--no-cache", "--format", fmt, "."], root).stdout
        merged = invoke(["merge", "--format", fmt, *names], root)
        assert merged.code == 0 and merged.stdout == whole, fmt
    assert "old/Dockerfile" in merged.stdout  # the suppressions came through the shards
    category = invoke(["merge", "--format", "sarif", "--sarif-category", "svc/api", *names], root).stdout
    assert json.loads(category)["runs"][0]["automationDetails"]["id"] == "svc/api/"
    # a shard report without the details (an older readycheck) can still merge to JSON, and says why not to SARIF
    for n in names:
        data = json.loads(Path(n).read_text())
        data["shard"] = {key: data["shard"][key] for key in ("k", "n", "scan")}
        Path(n).write_text(json.dumps(data))
    assert invoke(["merge", *names], root).code == 0
    old = invoke(["merge", "--format", "sarif", *names], root)
    assert old.code == 2 and "run the shards again" in old.stderr
