"""The readiness report as plain text, for a terminal or a log."""

from __future__ import annotations

from readycheck.neutralise import inline, no_workflow_commands
from readycheck.readiness import Readiness, verdict_sentence
from readycheck.wording import plural


def render(model: Readiness) -> str:
    out = [("READY" if model.ready else "NOT READY") + " - " + verdict_sentence(model).replace("`", "")]
    score = f"{model.score}/100 ({model.grade})" if model.score is not None else "n/a (nothing to judge)"
    out.append(f"Overall score: {score}; {plural(len(model.artifacts), 'artifact')}, {plural(model.files, 'file')} checked")
    if model.checklists:
        out.append("")
        out.append("Checklists:")
        width = max(len(c.name) for c in model.checklists)
        for c in model.checklists:
            counts = ", ".join(f"{c.counts[s]} {s}" for s in ("error", "warning", "note") if c.counts.get(s))
            out.append(f"  {c.name:<{width}}  {c.score:>3} {c.grade}  {counts or 'no findings'}")
    if model.artifacts:
        out.append("")
        out.append(f"Artifacts (pass; warn: findings below {model.fail_on} only; fail: a finding at or above {model.fail_on}):")
        for a in model.artifacts:
            statuses = [f"{c}={a.status(c, model.fail_on)}" for c in model.applicable_checklists if c in a.checklists]
            out.append(f"  {inline(a.path)} ({a.label}): " + ", ".join(statuses))
    if model.service_map is not None:
        from readycheck.reporters.service_map import render_text as map_text

        out.append("")
        out.append("Services:")
        out += ["  " + line for line in map_text(model.service_map).splitlines()]
    for title, findings in ((f"Blocking findings (at or above {model.fail_on})", model.blocking), ("Other findings", model.other)):
        if findings:
            out.append("")
            out.append(f"{title}:")
            out += [f"  {inline(f.path)}:{f.span.line}:{f.span.column} {inline(f.rule)} [{f.severity}] {inline(f.message)}"
                    for f in findings]
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
