"""Terminal output: findings grouped by file, then a one-line summary.

With colour on a terminal (rich); plain, stable lines when piped, so that
scripts and diffs can rely on them.
"""

from __future__ import annotations

import io
from collections import Counter
from itertools import groupby

from readycheck.model import Finding, ScanResult
from readycheck.neutralise import inline, no_workflow_commands

_STYLES = {"error": "bold red", "warning": "yellow", "note": "cyan"}


def summary_line(result: ScanResult) -> str:
    counts = Counter(f.severity for f in result.findings)
    parts = [f"{counts.get(s, 0)} {s}{'s' if counts.get(s, 0) != 1 else ''}" for s in ("error", "warning", "note")]
    line = f"{result.files} file{'s' if result.files != 1 else ''} checked: " + ", ".join(parts)
    if result.errors:
        line += f"; {len(result.errors)} file{'s' if len(result.errors) != 1 else ''} could not be checked"
    if result.suppressed:
        line += f"; {len(result.suppressed)} suppressed"
    safe = sum(1 for f in result.findings if f.autofix is not None and f.autofix.safety == "safe")
    unsafe = sum(1 for f in result.findings if f.autofix is not None and f.autofix.safety != "safe")
    if safe:
        line += f"; [*] {safe} fixable with --fix"
    if unsafe:
        line += f"; {unsafe} {'more' if safe else 'fixable'} with --fix --unsafe-fixes"
    return line


def _mark(finding: Finding) -> str:
    """`[*] ` before the name of a finding `--fix` fixes (ruff's mark); `[-] ` for one that needs --unsafe-fixes."""
    if finding.autofix is None:
        return ""
    return "[*] " if finding.autofix.safety == "safe" else "[-] "


def render_plain(result: ScanResult, quiet: bool = False) -> str:
    """Plain lines; what came from the tree is shown escaped and starts no workflow command."""
    out: list[str] = []
    for raw_path, group in groupby(result.findings, key=lambda f: f.path):
        path = inline(raw_path)
        if not quiet:
            out.append(path)
        for f in group:
            location = f"{path}:{f.span.line}:{f.span.column}" if quiet else f"  {f.span.line}:{f.span.column}"
            out.append(f"{location} {inline(f.rule)} [{f.severity}] {_mark(f)}{inline(f.name)}: {inline(f.message)}")
    for error in result.errors:
        where = f"{error.path}:{error.line}" if error.line else error.path
        out.append(f"{inline(where)} error: {inline(error.message)}")
    if not quiet or result.findings or result.errors:
        out.append(summary_line(result))
    return no_workflow_commands("".join(line + "\n" for line in out))  # nothing at all when quiet has nothing to say


def render_rich(result: ScanResult, quiet: bool = False, width: int | None = None) -> str:
    """Coloured lines. Text from the tree goes in as plain Text, never as markup (a `[/` in a file name and a `]`
    in a message would otherwise make a tag, or a crash)."""
    if quiet:
        return render_plain(result, quiet=True)  # one finding per line, no headers: on a terminal too
    from rich.console import Console
    from rich.text import Text

    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=width or 120, highlight=False, soft_wrap=True, emoji=False)
    for path, group in groupby(result.findings, key=lambda f: f.path):
        console.print(Text(inline(path), "bold underline"))
        for f in group:
            console.print(Text.assemble(
                "  ", (f"{f.span.line}:{f.span.column}", "dim"), " ", (f"{f.severity:<7}", _STYLES.get(f.severity, "")),
                " ", (inline(f.rule), "bold"), " ", (_mark(f), "bold green"), (inline(f.name), "dim"), " ", inline(f.message),
            ))
    for error in result.errors:
        where = f"{error.path}:{error.line}" if error.line else error.path
        console.print(Text.assemble(("error", "bold red"), " ", inline(where), ": ", inline(error.message)))
    console.print(Text(summary_line(result), "bold red" if result.findings or result.errors else "bold green"))
    return no_workflow_commands(buffer.getvalue())


def render_statistics(result: ScanResult) -> str:
    """Counts per rule, most frequent first (as `ruff --statistics`), then the summary line."""
    counts = Counter((f.rule, f.name, f.severity) for f in result.findings)
    rows = sorted(counts.items(), key=lambda item: (-item[1], item[0][0]))
    width = max((len(str(n)) for _, n in rows), default=1)
    lines = [f"{n:>{width}} {inline(rule)} [{severity}] {inline(name)}" for (rule, name, severity), n in rows]
    return no_workflow_commands("".join(line + "\n" for line in [*lines, summary_line(result)]))
