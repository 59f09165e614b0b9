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
from readycheck.readiness import FAIL, PASS, WARN, Readiness, verdict_sentence
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
footer { margin-top: 2rem; color: #57606a; font-size: .85rem; }
@media (max-width: 40rem) { body { padding: .5rem; font-size: 15px; } th, td { padding: .25rem .3rem; } }
@media print { .scroll { overflow: visible; } a { color: inherit; text-decoration: none; }
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


def render(model: Readiness) -> str:
    title = "Ready" if model.ready else "Not ready"
    score = f"{model.score}/100, grade {model.grade}" if model.score is not None else "n/a (nothing to judge)"
    body: list[str] = [
        "<header>",
        f"<h1>readycheck readiness report: {title}</h1>",
        f'<section class="verdict {"ready" if model.ready else "not-ready"}" aria-label="verdict">',
        f"<p><strong>{escape(verdict_sentence(model).replace('`', ''))}</strong></p>",
        f'<p class="score">Overall score: <strong>{escape(score)}</strong> '
        + (bar(model.score, f"overall score {model.score} of 100") if model.score is not None else "")
        + "</p>",
        f"<p>{plural(len(model.artifacts), 'artifact')}, {plural(model.files, 'file')} checked, fail-on <code>{escape(model.fail_on)}</code>.</p>",
        "</section>",
        "</header>",
        "<main>",
    ]
    if model.checklists:
        rows = [
            f'<tr><th scope="row">{escape(c.name)}</th><td class="num">{c.score}</td><td>{c.grade}</td>'
            f"<td>{bar(c.score, f'{c.name} score {c.score} of 100')}</td><td class=\"num\">{c.artifacts}</td>"
            f'<td class="num">{c.counts.get("error", 0)}</td><td class="num">{c.counts.get("warning", 0)}</td>'
            f'<td class="num">{c.counts.get("note", 0)}</td></tr>'
            for c in model.checklists
        ]
        body += [
            "<h2>Checklists</h2>",
            _table(
                "Score per checklist (0-100, grade A-F)",
                ["checklist", "score", "grade", "bar", "artifacts", "errors", "warnings", "notes"],
                rows,
            ),
        ]
    if model.artifacts:
        columns = model.applicable_checklists
        rows = []
        for a in model.artifacts:
            cells = "".join(
                f"<td>{_STATUS.get(a.status(c, model.fail_on), _NOT_APPLICABLE)}</td>" for c in columns
            )
            rows.append(f'<tr><th scope="row"><code>{_breakable(a.path)}</code></th><td>{escape(a.label)}</td>{cells}</tr>')
        body += ["<h2>Artifacts</h2>", _table(
            f"Artifacts against checklists (pass; warn: findings below {model.fail_on} only;"
            f" fail: a finding at or above {model.fail_on})", ["artifact", "kind", *columns], rows)]
    if model.service_map is not None:
        from readycheck.reporters.service_graph import render_svg
        from readycheck.reporters.service_map import render_text as map_text

        count = len(model.service_map["services"])
        body += [f"<h2>Services ({count})</h2>",
                 "<p>Each service's artifacts and the links between them (dashed: the env schema that configures it).</p>",
                 f'<div class="scroll">{render_svg(model.service_map)}</div>',
                 f"<details><summary>The map as text</summary><pre>{escape(map_text(model.service_map))}</pre></details>"]
    body.append(f"<h2>Blocking findings ({len(model.blocking)})</h2>")
    if model.blocking:
        body.append('<ul class="findings">' + "".join(_finding_item(model, f) for f in model.blocking) + "</ul>")
    else:
        body.append(f"<p>None at or above <code>{escape(model.fail_on)}</code>.</p>")
    if model.other:
        body.append(f"<h2>Other findings, below {escape(model.fail_on)} ({len(model.other)})</h2>")
        body.append('<ul class="findings">' + "".join(_finding_item(model, f) for f in model.other) + "</ul>")
    body.append("<h2>Already ready</h2>")
    if model.ready_checklists:
        body.append(
            "<ul>"
            + "".join(f'<li><span class="pass">ready</span> <code>{escape(c.name)}</code>: no findings on {c.artifacts} artifacts</li>' for c in model.ready_checklists)
            + "</ul>"
        )
    else:
        body.append("<p>No checklist is free of findings yet.</p>")
    if model.errors:
        body.append(f"<h2>Files that could not be checked ({len(model.errors)})</h2>")
        body.append(
            "<ul>"
            + "".join(
                f"<li><code>{escape(e.path)}{f':{e.line}' if e.line else ''}</code> {escape(e.message)}</li>" for e in model.errors
            )
            + "</ul>"
        )
    body.append(f"<h2>Suppressions in force ({len(model.suppressed)})</h2>")
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
        "<h2>Reproduce</h2>",
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
