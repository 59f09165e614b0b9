"""No output format prints a whole secret from the fixtures.

The secrets are whatever the shared detector finds in the fixture files, so a
new fixture adds to the set by itself. A new output format is one line in RENDERERS.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from readycheck.catalog import Catalog
from readycheck.config import Config
from readycheck.model import ScanResult
from readycheck.orchestrate import scan
from readycheck.readiness import build
from readycheck.reporters import github, gitlab, json_report, sarif, text, xml_reports
from readycheck.reporters import readiness_html as html
from readycheck.reporters import readiness_markdown as markdown
from readycheck.reporters import readiness_text as report_text
from readycheck.secrets import contains_secret, scan_text
from readycheck.textio import LoadError, read_text

from .conftest import FIXTURES

RENDERERS: dict[str, Callable[[ScanResult], str]] = {
    "text-plain": text.render_plain,
    "text-rich": text.render_rich,
    "json": json_report.render,
    "sarif": lambda result: sarif.render(result, FIXTURES),
    "github": github.render,
    "report-text": lambda result: report_text.render(build(result, "error", "readycheck check .")),
    "report-markdown": lambda result: markdown.render(build(result, "error", "readycheck check .")),
    "report-html": lambda result: html.render(build(result, "error", "readycheck check .")),
    "gitlab": gitlab.render,
    "junit": xml_reports.junit,
    "checkstyle": xml_reports.checkstyle,
    "statistics": text.render_statistics,
}


def fixture_secrets() -> set[str]:
    found: set[str] = set()
    for path in FIXTURES.rglob("*"):
        if not path.is_file():
            continue
        try:
            content = read_text(path)
        except LoadError:
            continue
        found.update(m.value for m in scan_text(content) if len(m.value) >= 8)
    return found


@pytest.fixture(scope="module")
def fixtures_scan(catalog: Catalog) -> ScanResult:
    every_rule = [r.id for r in catalog.rules]
    return scan([str(FIXTURES)], catalog, Config(select=every_rule), base=FIXTURES)


def test_the_fixtures_hold_secrets_and_the_scan_reports_them(fixtures_scan: ScanResult) -> None:
    assert len(fixture_secrets()) >= 5
    assert any(f.checklist == "no-baked-secrets" for f in fixtures_scan.findings)


@pytest.mark.parametrize("fmt", sorted(RENDERERS))
def test_no_format_prints_a_whole_secret(fmt: str, fixtures_scan: ScanResult) -> None:
    output = RENDERERS[fmt](fixtures_scan)
    leaked = sorted(s for s in fixture_secrets() if contains_secret(output, [s]))
    assert not leaked, f"{fmt} output shows whole secrets (first 4 chars): {[s[:4] for s in leaked]}"
