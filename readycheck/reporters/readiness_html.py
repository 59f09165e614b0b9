"""The readiness report as one self-contained HTML file.

Inline CSS and SVG only: no external assets, no JavaScript, so it can be
attached to a build, mailed or opened offline. Readable on a phone (viewport,
tables that scroll sideways inside their own region), printable, and
accessible: semantic tables with captions and scoped headers, a language,
status given as words and not only as colour, text contrast above 4.5:1.
Text from the scanned tree is escaped, control characters shown escaped, and
every link is a percent-encoded path (readycheck.neutralise).
"""

from __future__ import annotations

from readycheck import __version__
from readycheck.model import Finding
from readycheck.neutralise import html_text as escape
from readycheck.neutralise import no_workflow_commands
from readycheck.readiness import FAIL, PASS, WARN, Artifact, FixGroup, Readiness, verdict_sentence
from readycheck.wording import plural

_CSS = """
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2328; background: #fff;
  margin: 0 auto; padding: 1rem; max-width: 72rem; }
h1 { font-size: 1.6rem; margin: .5rem 0; }
h2 { font-size: 1.25rem; margin-top: 2rem; border-bottom: 1px solid #d0d7de; padding-bottom: .25rem; }
.verdict { border-radius: 8px; padding: .75rem 1rem; border: 2px solid; }
.verdict.ready { border-color: #1a7f37; background: #eefbf1; }
.verdict.not-ready { border-color: #b42318; background: #fef1f0; }
.verdict strong { font-size: 1.2rem; }
.score { font-size: 1.1rem; }
.scroll { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0; }
caption { text-align: left; font-weight: 600; padding: .25rem 0; }
th, td { border: 1px solid #d0d7de; padding: .35rem .5rem; text-align: left; vertical-align: top; }
thead th { background: #f6f8fa; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.pass { color: #116329; font-weight: 600; }
.fail { color: #a40e26; font-weight: 600; }
.warn { color: #7d4e00; font-weight: 600; }
.na { color: #57606a; }
.sev-error { color: #a40e26; font-weight: 600; }
.sev-warning { color: #7d4e00; font-weight: 600; }
.sev-note { color: #0550ae; font-weight: 600; }
th code, li code { overflow-wrap: break-word; }
th[scope=row] { min-width: 14ch; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .9em; }
pre { background: #f6f8fa; padding: .75rem; border-radius: 6px; overflow-x: auto; white-space: pre-wrap; }
a { color: #0550ae; }
ul.findings { padding-left: 1.2rem; }
ul.findings li { margin: .3rem 0; }
p, li, summary, figcaption { overflow-wrap: break-word; }
nav.toc { margin: .5rem 0; font-size: .95rem; }
.group { border-left: 4px solid #d0d7de; padding: .1rem 0 .1rem .75rem; margin: .75rem 0; }
.group h3 { font-size: 1.05rem; margin: .25rem 0; overflow-wrap: anywhere; }
.group .tag { color: #57606a; font-weight: normal; }
.group .fix { margin: .25rem 0; }
ul.locations { padding-left: 1.2rem; margin: .25rem 0; }
ul.locations li { overflow-wrap: anywhere; }
summary { cursor: pointer; font-weight: 600; margin: .25rem 0; }
figure.chart { margin: .5rem 0; max-width: 46rem; }
figure.chart figcaption { color: #57606a; font-size: .85rem; }
footer { margin-top: 2rem; color: #57606a; font-size: .85rem; }
.verdict p { margin: .35rem 0; }
@media (max-width: 40rem) { body { padding: .5rem; font-size: 15px; } th, td { padding: .25rem .3rem; }
  h1 { font-size: 1.2rem; margin: .25rem 0; } h2 { margin-top: 1rem; } .verdict { padding: .4rem .6rem; }
  .verdict strong { font-size: 1.05rem; } nav.toc { font-size: .85rem; } .group h3 { font-size: 1rem; } }
@media print { details > * { display: block; } .scroll { overflow: visible; } a { color: inherit; text-decoration: none; }
  .verdict { break-inside: avoid; } tr { break-inside: avoid; } body { max-width: none; } }
"""

_STATUS = {PASS: '<span class="pass">pass</span>', WARN: '<span class="warn">warn</span>', FAIL: '<span class="fail">fail</span>'}
_NOT_APPLICABLE = '<span class="na">n/a</span>'
_BAR_WIDTH = 120


def bar(score: int, label: str) -> str:
    """A horizontal bar for a 0-100 score, labelled for screen readers."""
    filled = round(_BAR_WIDTH * score / 100)
    colour = "#1a7f37" if score >= 90 else "#9a6700" if score >= 70 else "#b42318"
    return (
        f'<svg width="{_BAR_WIDTH}" height="12" viewBox="0 0 {_BAR_WIDTH} 12" role="img" aria-label="{escape(label)}">'
        f'<rect width="{_BAR_WIDTH}" height="12" rx="3" fill="#eaeef2"/>'
        f'<rect width="{filled}" height="12" rx="3" fill="{colour}"/></svg>'
    )


def _finding_item(model: Readiness, f: Finding) -> str:
    where = f"{f.path}:{f.span.line}"
    return (
        f'<li><span class="sev-{f.severity}">{f.severity}</span> <strong>{escape(f.rule)}</strong> {escape(f.name)}: '
        f'<a href="{escape(model.link(f.path, f.span.line))}"><code>{escape(where)}</code></a> {escape(f.message)}'
        + (f"<br><small>Fix: {escape(f.fix)}</small>" if f.fix else "")
        + "</li>"
    )


def _table(caption: str, headers: list[str], rows: list[str]) -> str:
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in headers)
    return (
        f'<div class="scroll" role="region" aria-label="{escape(caption)}" tabindex="0"><table>'
        f"<caption>{escape(caption)}</caption><thead><tr>{head}</tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table></div>"
    )


LOCATIONS_SHOWN = 10
"""Locations shown per group; the rest are one click away in a <details> element (no script)."""

_SEVERITY_COLOUR = {"error": "#b42318", "warning": "#9a6700", "note": "#0550ae"}
_SEVERITIES = ("error", "warning", "note")


def _location(model: Readiness, f: Finding) -> str:
    where = f"{f.path}:{f.span.line}"
    return (f'<li><a href="{escape(model.link(f.path, f.span.line))}"><code>{_breakable(where)}</code></a>'
            f" {escape(f.message)}</li>")


def _group(model: Readiness, g: FixGroup, number: int) -> str:
    where = f" in <code>{escape(g.service)}</code>" if g.service else ""
    tag = "blocking" if g.blocking else f"below {escape(model.fail_on)}"
    shown, rest = g.findings[:LOCATIONS_SHOWN], g.findings[LOCATIONS_SHOWN:]
    parts = [
        f'<section class="group" id="{g.anchor}" aria-labelledby="{g.anchor}-h">',
        f'<h3 id="{g.anchor}-h">{number}. <span class="sev-{g.severity}">{g.severity}</span> {escape(g.rule)}'
        f" {escape(g.name)}{where}: {plural(len(g.findings), 'finding')}"
        f' <small class="tag">{tag} · {escape(g.checklist)}</small></h3>',
    ]
    if g.fix:
        parts.append(f'<p class="fix"><strong>Fix:</strong> {escape(g.fix)}</p>')
    parts.append('<ul class="locations">' + "".join(_location(model, f) for f in shown) + "</ul>")
    if rest:
        parts.append(f"<details><summary>and {len(rest)} more</summary>"
                     f'<ul class="locations">{"".join(_location(model, f) for f in rest)}</ul></details>')
    parts.append("</section>")
    return "".join(parts)


def severity_chart(model: Readiness) -> str:
    """Findings per checklist as stacked bars (errors, warnings, notes), with the counts written beside each bar."""
    rows = [c for c in model.checklists if not c.clean]
    if not rows:
        return ""
    longest = max(sum(c.counts.values()) for c in rows)
    label_w, bar_w, count_w, row_h = 150, 420, 170, 22
    width, height = label_w + bar_w + count_w, row_h * len(rows) + 30
    items = []
    for i, c in enumerate(rows):
        y = 6 + i * row_h
        items.append(f'<text x="{label_w - 6}" y="{y + 13}" text-anchor="end">{escape(c.name)}</text>')
        x = float(label_w)
        for sev in _SEVERITIES:
            n = c.counts.get(sev, 0)
            if n:
                w = max(2.0, bar_w * n / longest)
                items.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="16" fill="{_SEVERITY_COLOUR[sev]}">'
                             f"<title>{escape(c.name)}: {plural(n, sev)}</title></rect>")
                x += w
        counts = ", ".join(plural(c.counts[sev], sev) for sev in _SEVERITIES if c.counts.get(sev))
        items.append(f'<text x="{x + 6:.1f}" y="{y + 13}">{counts}</text>')
    legend_y = height - 10
    legend = "".join(
        f'<rect x="{label_w + 110 * k}" y="{legend_y - 10}" width="12" height="12" fill="{_SEVERITY_COLOUR[sev]}"/>'
        f'<text x="{label_w + 110 * k + 16}" y="{legend_y}">{sev}s</text>'
        for k, sev in enumerate(_SEVERITIES)
    )
    summary = "; ".join(
        f"{c.name}: " + ", ".join(plural(c.counts.get(sev, 0), sev) for sev in _SEVERITIES) for c in rows
    )
    return (
        f'<figure class="chart"><svg viewBox="0 0 {width} {height}" width="100%" role="img"'
        f' aria-label="Findings by checklist and severity. {escape(summary)}" font-size="12"'
        f' font-family="system-ui, sans-serif" fill="#1f2328">{"".join(items)}{legend}</svg>'
        "<figcaption>Findings by checklist and severity (the table below has the numbers).</figcaption></figure>"
    )


def _contents(model: Readiness) -> str:
    entries = [
        ("what-to-fix-first", "What to fix first", bool(model.groups)),
        ("since-the-previous-run", "Since the previous run", model.comparison is not None),
        ("findings-by-checklist", "Findings by checklist", bool(model.checklists)),
        ("artifacts", "Artifacts", bool(model.artifacts)),
        ("services", "Services", model.service_map is not None),
        ("already-ready", "Already ready", True),
        ("not-checked", "Files that could not be checked", bool(model.errors)),
        ("suppressions", "Suppressions", True),
        ("reproduce", "Reproduce", True),
    ]
    return ('<nav class="toc" aria-label="contents"><strong>Contents:</strong> '
            + " · ".join(f'<a href="#{anchor}">{title}</a>' for anchor, title, shown in entries if shown) + "</nav>")


def _comparison(model: Readiness) -> list[str]:
    c = model.comparison
    if c is None:
        return []
    source = f"<code>{escape(c.source)}</code>" if c.source else "the previous run"
    out = [
        '<h2 id="since-the-previous-run">Since the previous run</h2>',
        f'<p>Compared with {source}: <strong class="fail">{len(c.new)} new</strong> ·'
        f' <strong class="pass">{len(c.fixed)} fixed</strong> · {len(c.unchanged)} unchanged.</p>',
        _table("Findings compared with the previous run", ["", "findings"], [
            f'<tr><th scope="row">{name}</th><td class="num">{n}</td></tr>'
            for name, n in (("new", len(c.new)), ("fixed", len(c.fixed)), ("unchanged", len(c.unchanged)))
        ]),
    ]
    if c.new:
        out.append(f"<details open><summary>New ({len(c.new)})</summary><ul class=\"findings\">"
                   + "".join(_finding_item(model, f) for f in c.new) + "</ul></details>")
    if c.fixed:
        out.append(f"<details><summary>Fixed ({len(c.fixed)})</summary><ul class=\"findings\">"
                   + "".join(f"<li><span class=\"pass\">fixed</span> <strong>{escape(p.rule)}</strong>"
                             f" <code>{escape(p.path)}:{p.line}</code> {escape(p.message)}</li>" for p in c.fixed)
                   + "</ul></details>")
    return out


def render(model: Readiness) -> str:
    title = "Ready" if model.ready else "Not ready"
    score = f"{model.score}/100, grade {model.grade}" if model.score is not None else "n/a (nothing to judge)"
    totals = model.severity_totals
    body: list[str] = [
        "<header>",
        f"<h1>readycheck readiness report: {title}</h1>",
        f'<section class="verdict {"ready" if model.ready else "not-ready"}" aria-label="verdict">',
        f"<p><strong>{escape(verdict_sentence(model).replace('`', ''))}</strong></p>",
        f'<p class="score">Overall score: <strong>{escape(score)}</strong> '
        + (bar(model.score, f"overall score {model.score} of 100") if model.score is not None else "")
        + "</p>",
        f"<p>{plural(len(model.artifacts), 'artifact')}, {plural(model.files, 'file')} checked, fail-on"
        f" <code>{escape(model.fail_on)}</code>; {plural(totals.get('error', 0), 'error')},"
        f" {plural(totals.get('warning', 0), 'warning')}, {plural(totals.get('note', 0), 'note')}.</p>",
        "</section>",
        _contents(model),
        "</header>",
        "<main>",
    ]
    if model.groups:
        blocking = sum(1 for g in model.groups if g.blocking)
        body.append('<h2 id="what-to-fix-first">What to fix first</h2>')
        body.append(f"<p>{plural(len(model.groups), 'rule')} broken, {blocking} of them blocking;"
                    " most severe and most frequent first, each fix said once.</p>")
        body += [_group(model, g, n) for n, g in enumerate(model.groups, start=1)]
    body += _comparison(model)
    if model.checklists:
        rows = [
            f'<tr><th scope="row">{escape(c.name)}</th><td class="num">{c.score}</td><td>{c.grade}</td>'
            f"<td>{bar(c.score, f'{c.name} score {c.score} of 100')}</td><td class=\"num\">{c.artifacts}</td>"
            f'<td class="num">{c.counts.get("error", 0)}</td><td class="num">{c.counts.get("warning", 0)}</td>'
            f'<td class="num">{c.counts.get("note", 0)}</td></tr>'
            for c in model.checklists
        ]
        body += [
            '<h2 id="findings-by-checklist">Findings by checklist</h2>',
            severity_chart(model),
            _table(
                "Score per checklist (0-100, grade A-F) and findings by severity",
                ["checklist", "score", "grade", "bar", "artifacts", "errors", "warnings", "notes"],
                rows,
            ),
        ]
    if model.artifacts:
        columns = model.applicable_checklists
        ordered = model.artifacts_failing_first
        failing = [a for a in ordered if model.artifact_status(a) == FAIL]
        others = [a for a in ordered if model.artifact_status(a) != FAIL]
        caption = (f"Artifacts against checklists (pass; warn: findings below {model.fail_on} only;"
                   f" fail: a finding at or above {model.fail_on})")

        def rows_of(artifacts: list[Artifact]) -> list[str]:
            return [
                f'<tr><th scope="row"><code>{_breakable(a.path)}</code></th><td>{escape(a.label)}</td>'
                + "".join(f"<td>{_STATUS.get(a.status(c, model.fail_on), _NOT_APPLICABLE)}</td>" for c in columns)
                + "</tr>"
                for a in artifacts
            ]

        body.append('<h2 id="artifacts">Artifacts</h2>')
        if failing:
            body.append(f"<details open><summary>{plural(len(failing), 'failing artifact')}</summary>"
                        + _table(caption, ["artifact", "kind", *columns], rows_of(failing)) + "</details>")
        if others:
            body.append(f"<details><summary>{plural(len(others), 'other artifact')} (warnings only, or passing)"
                        "</summary>" + _table(caption, ["artifact", "kind", *columns], rows_of(others)) + "</details>")
    if model.service_map is not None:
        from readycheck.reporters.service_graph import render_svg
        from readycheck.reporters.service_map import render_text as map_text

        count = len(model.service_map["services"])
        body += [f'<h2 id="services">Services ({count})</h2>',
                 "<p>Each service's artifacts and the links between them (dashed: the env schema that configures it).</p>",
                 f'<div class="scroll">{render_svg(model.service_map)}</div>',
                 f"<details><summary>The map as text</summary><pre>{escape(map_text(model.service_map))}</pre></details>"]
    body.append('<h2 id="already-ready">Already ready</h2>')
    if model.ready_checklists:
        body.append(
            "<ul>"
            + "".join(f'<li><span class="pass">ready</span> <code>{escape(c.name)}</code>: no findings on {c.artifacts} artifacts</li>' for c in model.ready_checklists)
            + "</ul>"
        )
    else:
        body.append("<p>No checklist is free of findings yet.</p>")
    if model.errors:
        body.append(f'<h2 id="not-checked">Files that could not be checked ({len(model.errors)})</h2>')
        body.append(
            "<ul>"
            + "".join(
                f"<li><code>{escape(e.path)}{f':{e.line}' if e.line else ''}</code> {escape(e.message)}</li>" for e in model.errors
            )
            + "</ul>"
        )
    body.append(f'<h2 id="suppressions">Suppressions in force ({len(model.suppressed)})</h2>')
    if model.suppressed:
        rows = [
            f'<tr><th scope="row">{escape(f.rule)} {escape(f.name)}</th><td><code>{escape(f.path)}:{f.span.line}</code></td>'
            f"<td>{escape(reason)}</td></tr>"
            for f, reason in model.suppressed
        ]
        body.append(_table("Suppressed findings and why", ["rule", "location", "reason"], rows))
    else:
        body.append("<p>None.</p>")
    body += [
        '<h2 id="reproduce">Reproduce</h2>',
        f"<pre><code>{escape(model.command)}</code></pre>",
        "</main>",
        f"<footer>readycheck {escape(__version__)}</footer>",
    ]
    return no_workflow_commands(
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>readycheck: {title}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )


def _breakable(path: str) -> str:
    """A path that may wrap after each `/` (not in the middle of a name) in a narrow column."""
    return escape(path).replace("/", "/<wbr>")
