"""What no output format may contain, whatever text the scanned tree put into a result.

Shared by tests/test_untrusted_output.py (hypothesis and regression cases) and
bench/fuzz_campaign.py (the `reporters` target). `problems(result)` renders a
result in every format and lists every way an output could act on whoever
reads it: a raw control character or escape sequence, a line a CI runner would
execute as a workflow command, Markdown or HTML that renders as a link, image,
mention or markup, a table broken apart, a JSON string that does not read back.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from readycheck.model import ScanResult
from readycheck.readiness import Readiness, build
from readycheck.reporters import github, gitlab, json_report, sarif, text, xml_reports
from readycheck.reporters import readiness_html as html
from readycheck.reporters import readiness_markdown as markdown
from readycheck.reporters import readiness_text as report_text

COMMAND = "readycheck check --fail-on error ."

# Anything but newline and tab in C0, DEL, C1, line/paragraph separators, bidi overrides and isolates.
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
SGR = re.compile("\x1b\\[[0-9;]*m")
V1_COMMAND = re.compile(r"##(?:vso)?\[", re.IGNORECASE)
ANNOTATION = re.compile(r"^::(error|warning|notice) [a-zA-Z]+=[^:,]*(?:,[a-zA-Z]+=[^:,]*)*::")
MENTION = re.compile(r"@[A-Za-z0-9]|#[0-9]|://|www\.", re.IGNORECASE)


def model_of(result: ScanResult, command: str = COMMAND) -> Readiness:
    return build(result, "error", command, "")


def renderers(command: str = COMMAND) -> dict[str, Callable[[ScanResult], str]]:
    return {
        "text-plain": text.render_plain,
        "text-quiet": lambda r: text.render_plain(r, quiet=True),
        "text-rich": text.render_rich,
        "github": github.render,
        "json": json_report.render,
        "sarif": lambda r: sarif.render(r, Path("/nonexistent-readycheck-base")),
        "report-text": lambda r: report_text.render(model_of(r, command)),
        "report-markdown": lambda r: markdown.render(model_of(r, command)),
        "report-html": lambda r: html.render(model_of(r, command)),
        "gitlab": gitlab.render,
        "junit": xml_reports.junit,
        "checkstyle": xml_reports.checkstyle,
    }


def problems(result: ScanResult, command: str = COMMAND) -> dict[str, list[str]]:
    """Format name -> what is wrong with its output (empty lists when all is well)."""
    found: dict[str, list[str]] = {}
    for name, render in renderers(command).items():
        output = render(result)
        annotations = len(result.findings) + len(result.errors) if name == "github" else 0
        found[name] = terminal_problems(name, output) + workflow_problems(output, annotations)
        if name in ("json", "sarif", "gitlab"):
            found[name] += json_problems(name, output, result)
        elif name in ("junit", "checkstyle"):
            found[name] += xml_problems(output)
        elif name == "report-markdown":
            found[name] += markdown_problems(output, model_of(result, command))
        elif name == "report-html":
            found[name] += html_problems(output, model_of(result, command))
    return {name: issues for name, issues in found.items() if issues}


def terminal_problems(name: str, output: str) -> list[str]:
    shown = SGR.sub("", output) if name == "text-rich" else output
    return [f"raw control character U+{ord(m.group()):04X} at {m.start()}" for m in RAW_CONTROL.finditer(shown)][:3]


def workflow_problems(output: str, annotations: int | None = 0) -> list[str]:
    """Workflow commands in `output`: none, or exactly `annotations` well-formed ones of our own (None: any number)."""
    issues = [f"v1 workflow command {m.group()!r}" for m in V1_COMMAND.finditer(output)]
    found = 0
    for line in re.split("\r\n|\r|\n", output):  # the runner's line splitting
        if not line.strip().startswith("::"):
            continue
        if annotations != 0 and ANNOTATION.match(line):
            found += 1
        else:
            issues.append(f"line starts a workflow command: {line[:80]!r}")
    if annotations is not None and found != annotations:
        issues.append(f"{found} annotations where {annotations} were expected")
    return issues


def json_problems(name: str, output: str, result: ScanResult) -> list[str]:
    try:
        data = json.loads(output)
    except ValueError as exc:
        return [f"not JSON: {exc}"]
    if name == "gitlab":
        return [] if len(data) == len(result.findings) + len(result.errors) else ["an issue per finding and error"]
    if name == "json":
        messages = [f["message"] for f in data["findings"]] + [e["message"] for e in data["errors"]]
        expected = [f.message for f in result.findings] + [e.message for e in result.errors]
        # JSON cannot tell a lone high surrogate followed by a lone low one from a pair: compare as UTF-16 would
        expected = [e.encode("utf-16", "surrogatepass").decode("utf-16", "surrogatepass") for e in expected]
        return [] if messages == expected else ["JSON strings do not read back as written"]
    limit = sarif.MAX_MESSAGE
    run = data["runs"][0]
    texts = [r["message"]["text"] for r in run["results"]]
    texts += [n["message"]["text"] for n in run["invocations"][0]["toolExecutionNotifications"]]
    return [f"SARIF message of {len(t)} characters" for t in texts if len(t) > limit]


def xml_problems(output: str) -> list[str]:
    """XML that does not parse (a raw control character, unescaped markup) is a broken report."""
    import xml.etree.ElementTree as ET

    try:
        ET.fromstring(output.encode("utf-8", "surrogateescape"))
    except (ET.ParseError, UnicodeEncodeError) as exc:
        return [f"not well-formed XML: {exc}"]
    return []


def _walk(tokens: list[Any]) -> list[Any]:
    out: list[Any] = []
    for token in tokens:
        out.append(token)
        out.extend(_walk(token.children or []))
    return out


def markdown_problems(output: str, model: Readiness) -> list[str]:
    from markdown_it import MarkdownIt

    parser = MarkdownIt("commonmark").enable("table").enable("strikethrough")
    tokens = _walk(parser.parse(output))
    allowed_links = {model.link(f.path, f.span.line) for f in [*model.blocking, *model.other]}
    allowed_links |= {model.link(e.path, e.line) for e in model.errors}
    titles = [after.content for before, after in zip(tokens, tokens[1:], strict=False) if before.type == "heading_open"]
    headings = {"#" + "".join(c for c in title.lower().replace(" ", "-") if c.isalnum() or c in "-_") for title in titles}
    issues: list[str] = []
    for token in tokens:
        if token.type in ("image", "html_inline", "html_block"):
            issues.append(f"{token.type}: {token.content[:60]!r}")
        elif token.type == "link_open" and token.attrGet("href") not in allowed_links | headings:
            issues.append(f"link to {token.attrGet('href')!r}")
        elif token.type == "text" and MENTION.search(token.content):
            issues.append(f"text GitHub would link: {MENTION.search(token.content).group()!r}")  # type: ignore[union-attr]
    columns: int | None = None
    cells = 0
    for token in tokens:
        if token.type == "thead_open":
            columns = None
        elif token.type == "tr_open":
            cells = 0
        elif token.type in ("th_open", "td_open"):
            cells += 1
        elif token.type == "tr_close":
            if columns is None:
                columns = cells
            elif cells != columns:
                issues.append(f"table row with {cells} cells under {columns} headers")
    return issues


class _Html(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


HTML_TAGS = {"html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "section", "p", "strong", "svg",
             "rect", "main", "div", "table", "caption", "thead", "tr", "th", "tbody", "td", "span", "code", "wbr",
             "ul", "li", "a", "br", "small", "pre", "footer", "nav", "h3", "details", "summary", "figure",
             "figcaption", "text"}
"""The report's own tags; an SVG <title> is the tooltip of a chart bar (its text is escaped like any other)."""


def html_problems(output: str, model: Readiness) -> list[str]:
    parser = _Html()
    parser.feed(output)
    parser.close()
    allowed_links = {model.link(f.path, f.span.line) for f in [*model.blocking, *model.other]}
    ids = {value for _, attrs in parser.tags for attribute, value in attrs if attribute == "id"}
    allowed_links |= {f"#{i}" for i in ids if i and re.fullmatch(r"[A-Za-z0-9-]+", i)}  # in-page: contents
    issues: list[str] = []
    for tag, attrs in parser.tags:
        if tag not in HTML_TAGS:
            issues.append(f"tag <{tag}>")
        for attribute, value in attrs:
            if attribute.startswith("on") or attribute in ("src", "srcdoc", "formaction", "style"):
                issues.append(f"attribute {attribute} on <{tag}>")
            if attribute == "href":
                scheme = urlsplit(urljoin("file:///report/index.html", value or "")).scheme
                if scheme != "file" or value not in allowed_links:
                    issues.append(f"href {value!r} (scheme {scheme})")
    return issues
