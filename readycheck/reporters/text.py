"""Terminal output: findings grouped by file, then a one-line summary.

With colour on a terminal (rich); plain, stable lines when piped, so that
scripts and diffs can rely on them.
"""

from __future__ import annotations

import io
from collections import Counter
from itertools import groupby

from readycheck.engine import ScanResult

_STYLES = {"error": "bold red", "warning": "yellow", "note": "cyan"}


def summary_line(result: ScanResult) -> str:
    counts = Counter(f.severity for f in result.findings)
    parts = [f"{counts.get(s, 0)} {s}{'s' if counts.get(s, 0) != 1 else ''}" for s in ("error", "warning", "note")]
    line = f"{result.files} file{'s' if result.files != 1 else ''} checked: " + ", ".join(parts)
    if result.errors:
        line += f"; {len(result.errors)} file{'s' if len(result.errors) != 1 else ''} could not be checked"
    if result.suppressed:
        line += f"; {len(result.suppressed)} suppressed"
    return line


def render_plain(result: ScanResult, quiet: bool = False) -> str:
    out: list[str] = []
    for path, group in groupby(result.findings, key=lambda f: f.path):
        if not quiet:
            out.append(path)
        for f in group:
            location = f"{path}:{f.span.line}:{f.span.column}" if quiet else f"  {f.span.line}:{f.span.column}"
            out.append(f"{location} {f.rule} [{f.severity}] {f.name}: {f.message}")
    for error in result.errors:
        where = f"{error.path}:{error.line}" if error.line else error.path
        out.append(f"{where} error: {error.message}")
    if not quiet or result.findings or result.errors:
        out.append(summary_line(result))
    return "".join(line + "\n" for line in out)  # nothing at all when quiet has nothing to say


def render_rich(result: ScanResult, quiet: bool = False, width: int | None = None) -> str:
    if quiet:
        return render_plain(result, quiet=True)  # one finding per line, no headers: on a terminal too
    from rich.console import Console
    from rich.markup import escape

    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=width or 120, highlight=False, soft_wrap=True)
    for path, group in groupby(result.findings, key=lambda f: f.path):
        console.print(f"[bold underline]{escape(path)}[/]")
        for f in group:
            style = _STYLES.get(f.severity, "")
            console.print(
                f"  [dim]{f.span.line}:{f.span.column}[/] [{style}]{f.severity:<7}[/] [bold]{f.rule}[/] "
                f"[dim]{f.name}[/] {escape(f.message)}"
            )
    for error in result.errors:
        where = f"{error.path}:{error.line}" if error.line else error.path
        console.print(f"[bold red]error[/] {escape(where)}: {escape(error.message)}")
    console.print(("[bold red]" if result.findings or result.errors else "[bold green]") + escape(summary_line(result)) + "[/]")
    return buffer.getvalue()
