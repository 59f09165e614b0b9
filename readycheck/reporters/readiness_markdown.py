"""The readiness report in GitHub-flavoured Markdown: for $GITHUB_STEP_SUMMARY and PR comments.

A PR comment holds at most 65,536 characters, so the long lists (rules to fix,
their locations, artifacts, suppressions) are cut from the tail until the report
fits, with a note saying how much was left out and how to see all of it. Each
list is ordered so that the tail is what matters least: blocking rules and
failing artifacts come first and are the last to be cut. Everything that
came from the scanned tree renders as plain text (readycheck.neutralise).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TypeVar

from readycheck.model import Finding
from readycheck.neutralise import markdown_code, markdown_fence, markdown_text, no_workflow_commands
from readycheck.readiness import FAIL, PASS, WARN, FixGroup, Readiness, verdict_sentence

MAX_CHARS = 65_536
_STATUS = {PASS: "✅ pass", WARN: "⚠️ warn", FAIL: "❌ fail"}
_SEVERITY_ICON = {"error": "❌", "warning": "⚠️", "note": "ℹ️"}
_CAPS: tuple[int | None, ...] = (None, 500, 200, 100, 50, 20, 10, 5, 0)

T = TypeVar("T")


inline = markdown_text
code = markdown_code


def _capped(items: Sequence[T], cap: int | None, what: str, render: Callable[[T], str], cut: list[str]) -> list[str]:
    shown = items if cap is None else items[:cap]
    lines = [render(item) for item in shown]
    left = len(items) - len(shown)
    if left:
        cut.append(f"{left} {what}")
        lines.append(f"- … and {left} more {what}, cut to fit the {MAX_CHARS:,}-character limit (run the command below for all)")
    return lines


def _finding_line(model: Readiness) -> Callable[[Finding], str]:
    def line(f: Finding) -> str:
        where = f"{f.path}:{f.span.line}"
        return f"  - [{code(where)}]({model.link(f.path, f.span.line)}) {inline(f.message)}"

    return line


LOCATIONS_SHOWN = 10
"""Locations listed per group before `… and N more`."""

_SECTIONS = (
    ("what-to-fix-first", "What to fix first"),
    ("since-the-previous-run", "Since the previous run"),
    ("findings-by-checklist-and-severity", "Findings by checklist and severity"),
    ("artifacts-failing-first", "Artifacts, failing first"),
    ("already-ready", "Already ready"),
    ("files-that-could-not-be-checked", "Files that could not be checked"),
    ("suppressions-in-force", "Suppressions in force"),
    ("reproduce", "Reproduce"),
)


def _group_lines(model: Readiness, g: FixGroup, number: int, cap: int | None) -> list[str]:
    where = f" in {code(g.service)}" if g.service else ""
    tag = "blocking" if g.blocking else f"below `{model.fail_on}`"
    lines = [f"- **{number}.** {_SEVERITY_ICON[g.severity]} **{inline(g.rule)}** {inline(g.name)}{where}:"
             f" {len(g.findings)} × {g.severity}, {tag} ({g.checklist})"]
    if g.fix:
        lines.append(f"  - **Fix:** {inline(g.fix)}")
    shown = LOCATIONS_SHOWN if cap is None else min(cap, LOCATIONS_SHOWN)
    lines += [_finding_line(model)(f) for f in g.findings[:shown]]
    if len(g.findings) > shown:
        lines.append(f"  - … and {len(g.findings) - shown} more")
    return lines


def _render(model: Readiness, cap: int | None) -> str:
    cut: list[str] = []
    out: list[str] = []
    icon = "✅ Ready" if model.ready else "❌ Not ready"
    out.append(f"## readycheck: {icon}\n")
    out.append(verdict_sentence(model) + "\n")
    score = f"**{model.score}/100 ({model.grade})**" if model.score is not None else "**n/a** (nothing to judge)"
    out.append(
        f"Overall score {score} · {len(model.artifacts)} artifact{'s' if len(model.artifacts) != 1 else ''}"
        f" · {model.files} file{'s' if model.files != 1 else ''} checked · fail-on `{model.fail_on}`\n"
    )
    present = {"what-to-fix-first": bool(model.groups), "since-the-previous-run": model.comparison is not None,
               "findings-by-checklist-and-severity": bool(model.checklists), "artifacts-failing-first": bool(model.artifacts),
               "files-that-could-not-be-checked": bool(model.errors)}
    out.append("**Contents:** " + " · ".join(f"[{title}](#{anchor})" for anchor, title in _SECTIONS
                                             if present.get(anchor, True)) + "\n")
    if model.groups:
        blocking = sum(1 for g in model.groups if g.blocking)
        out.append("### What to fix first\n")
        out.append(f"{len(model.groups)} rule{'s' if len(model.groups) != 1 else ''} broken, {blocking} of them blocking;"
                   " most severe and most frequent first.\n")
        numbered = list(enumerate(model.groups, start=1))
        for lines in _capped(numbered, cap, "rules to fix", lambda item: "\n".join(_group_lines(model, item[1], item[0], cap)), cut):
            out.append(lines)
        out.append("")
    if model.comparison is not None:
        delta = model.comparison
        out.append("### Since the previous run\n")
        out.append(f"Compared with {code(delta.source) if delta.source else 'the previous run'}:"
                   f" **{len(delta.new)} new** · **{len(delta.fixed)} fixed** · {len(delta.unchanged)} unchanged\n")
        out.append("| | findings |")
        out.append("| --- | ---: |")
        out += [f"| new | {len(delta.new)} |", f"| fixed | {len(delta.fixed)} |", f"| unchanged | {len(delta.unchanged)} |", ""]
        if delta.new:
            out.append("New:\n")
            out += _capped(delta.new, cap, "new findings", lambda f: f"- {_SEVERITY_ICON[f.severity]} **{inline(f.rule)}**"
                           f" {code(f'{f.path}:{f.span.line}')} {inline(f.message)}", cut)
            out.append("")
        if delta.fixed:
            out.append("Fixed:\n")
            out += _capped(delta.fixed, cap, "fixed findings", lambda p: f"- ✅ **{inline(p.rule)}**"
                           f" {code(f'{p.path}:{p.line}')} {inline(p.message)}", cut)
            out.append("")
    if model.checklists:
        out.append("### Findings by checklist and severity\n")
        out.append("| checklist | score | grade | artifacts | errors | warnings | notes |")
        out.append("| --- | ---: | :---: | ---: | ---: | ---: | ---: |")
        for c in model.checklists:
            out.append(
                f"| {c.name} | {c.score} | {c.grade} | {c.artifacts} | {c.counts.get('error', 0)}"
                f" | {c.counts.get('warning', 0)} | {c.counts.get('note', 0)} |"
            )
        totals = model.severity_totals
        out.append(f"| **all** | **{model.score if model.score is not None else 'n/a'}** | {model.grade or ''}"
                   f" | {len(model.artifacts)} | {totals.get('error', 0)} | {totals.get('warning', 0)}"
                   f" | {totals.get('note', 0)} |")
        out.append("")
    if model.artifacts:
        columns = model.applicable_checklists
        out.append("### Artifacts, failing first\n")
        out.append(f"✅ pass · ⚠️ warn (findings below `{model.fail_on}` only) · ❌ fail (a finding at or above"
                   f" `{model.fail_on}`) · — not applicable\n")
        out.append("| artifact | kind | " + " | ".join(columns) + " |")
        out.append("| --- | --- | " + " | ".join(":---:" for _ in columns) + " |")
        out += _capped(
            model.artifacts_failing_first,
            cap,
            "artifacts",
            lambda a: f"| {code(a.path)} | {a.label} | "
            + " | ".join(_STATUS.get(a.status(c, model.fail_on), "—") for c in columns)
            + " |",
            cut,
        )
        out.append("")
    if model.service_map is not None:
        from readycheck.reporters.service_map import render_text as map_text

        out.append(f"### Services ({len(model.service_map['services'])})\n")
        shown = map_text(model.service_map).splitlines()  # each line's text from the tree already escaped
        fence = "`" * max(3, 1 + max((len(run) for line in shown for run in re.findall("`+", line)), default=0))
        out += [fence, *shown, fence]
        out.append("")
    ready = model.ready_checklists
    out.append("### Already ready\n")
    if ready:
        out += [f"- ✅ `{c.name}`: no findings on {c.artifacts} artifact{'s' if c.artifacts != 1 else ''}" for c in ready]
    else:
        out.append("No checklist is free of findings yet.")
    out.append("")
    if model.errors:
        out.append("### Files that could not be checked\n")
        out.append(f"{len(model.errors)} file{'s' if len(model.errors) != 1 else ''}:\n")
        out += _capped(
            model.errors,
            cap,
            "unreadable files",
            lambda e: f"- [{code(e.path + (f':{e.line}' if e.line else ''))}]({model.link(e.path, e.line)}) {inline(e.message)}",
            cut,
        )
        out.append("")
    out.append("### Suppressions in force\n")
    if model.suppressed:
        out.append(f"{len(model.suppressed)} finding{'s' if len(model.suppressed) != 1 else ''} suppressed:\n")
        out.append("| rule | location | reason |")
        out.append("| --- | --- | --- |")
        out += _capped(
            model.suppressed,
            cap,
            "suppressions",
            lambda item: f"| {inline(item[0].rule)} {inline(item[0].name)} | {code(f'{item[0].path}:{item[0].span.line}')} | {inline(item[1])} |",
            cut,
        )
    else:
        out.append("None.")
    out.append("")
    out.append("### Reproduce\n")
    out.append(markdown_fence(model.command, "sh"))
    if cut:
        out.append("\n> Cut to fit: " + ", ".join(cut) + ".")
    return "\n".join(out) + "\n"


def render(model: Readiness, max_chars: int = MAX_CHARS) -> str:
    """The report, with the long lists cut just enough to stay under `max_chars`."""
    text = ""
    for cap in _CAPS:
        text = no_workflow_commands(_render(model, cap))
        if len(text) <= max_chars:
            return text
    return text[: max_chars - 80].rsplit("\n", 1)[0] + "\n\n> Cut to fit the character limit.\n"
