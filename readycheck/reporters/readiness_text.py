"""The readiness report as plain text, for a terminal or a log.

The verdict, then what to fix first (one block per rule, its fix once, its
locations), then the numbers; artifacts are listed failing first.
"""

from __future__ import annotations

from readycheck.neutralise import inline, no_workflow_commands
from readycheck.readiness import Readiness, verdict_sentence
from readycheck.wording import plural

LOCATIONS_SHOWN = 10
"""Locations listed per group before `... and N more`."""


def render(model: Readiness) -> str:
    out = [("READY" if model.ready else "NOT READY") + " - " + verdict_sentence(model).replace("`", "")]
    score = f"{model.score}/100 ({model.grade})" if model.score is not None else "n/a (nothing to judge)"
    out.append(f"Overall score: {score}; {plural(len(model.artifacts), 'artifact')}, {plural(model.files, 'file')} checked")
    if model.groups:
        out.append("")
        out.append("What to fix first:")
        for number, g in enumerate(model.groups, start=1):
            where = f" in {inline(g.service)}" if g.service else ""
            tag = "blocking" if g.blocking else "below " + model.fail_on
            out.append(f"  {number}. {inline(g.rule)} {inline(g.name)} [{g.severity}, {tag}]{where}:"
                       f" {plural(len(g.findings), 'finding')} ({g.checklist})")
            if g.fix:
                out.append(f"     Fix: {inline(g.fix)}")
            for f in g.findings[:LOCATIONS_SHOWN]:
                out.append(f"     {inline(f.path)}:{f.span.line}:{f.span.column} {inline(f.message)}")
            if len(g.findings) > LOCATIONS_SHOWN:
                out.append(f"     ... and {len(g.findings) - LOCATIONS_SHOWN} more")
    if model.comparison is not None:
        delta = model.comparison
        out.append("")
        out.append(f"Since {inline(delta.source) or 'the previous run'}: {len(delta.new)} new, {len(delta.fixed)} fixed,"
                   f" {len(delta.unchanged)} unchanged")
        out += [f"  new   {inline(f.path)}:{f.span.line} {inline(f.rule)} [{f.severity}] {inline(f.message)}"
                for f in delta.new]
        out += [f"  fixed {inline(p.path)}:{p.line} {inline(p.rule)} {inline(p.message)}" for p in delta.fixed]
    if model.checklists:
        out.append("")
        out.append("Checklists (score, grade, findings by severity):")
        width = max(len(c.name) for c in model.checklists)
        out.append(f"  {'checklist':<{width}}  score    error  warning   note")
        for c in model.checklists:
            out.append(f"  {c.name:<{width}}  {c.score:>3} {c.grade}  {c.counts.get('error', 0):>7}"
                       f"  {c.counts.get('warning', 0):>7}  {c.counts.get('note', 0):>5}")
    if model.artifacts:
        out.append("")
        out.append(f"Artifacts, failing first (pass; warn: findings below {model.fail_on} only;"
                   f" fail: a finding at or above {model.fail_on}):")
        for a in model.artifacts_failing_first:
            statuses = [f"{c}={a.status(c, model.fail_on)}" for c in model.applicable_checklists if c in a.checklists]
            out.append(f"  {inline(a.path)} ({a.label}): " + ", ".join(statuses))
    if model.service_map is not None:
        from readycheck.reporters.service_map import render_text as map_text

        out.append("")
        out.append("Services:")
        out += ["  " + line for line in map_text(model.service_map).splitlines()]
    if model.ready_checklists:
        out.append("")
        out.append("Already ready: " + ", ".join(c.name for c in model.ready_checklists))
    if model.errors:
        out.append("")
        out.append("Files that could not be checked:")
        out += [f"  {inline(e.path)}{f':{e.line}' if e.line else ''} {inline(e.message)}" for e in model.errors]
    if model.suppressed:
        out.append("")
        out.append("Suppressions in force:")
        out += [f"  {inline(f.path)}:{f.span.line} {inline(f.rule)} ({inline(reason)})" for f, reason in model.suppressed]
    out.append("")
    out.append(f"Reproduce: {inline(model.command)}")
    return no_workflow_commands("\n".join(out) + "\n")
