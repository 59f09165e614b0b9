"""GitHub Actions workflow commands: each finding becomes an annotation on the pull request.

`::error file=...,line=...,col=...,endLine=...,title=...::message`. GitHub
decodes %25, %0D and %0A in the message, and also %3A and %2C in property
values, so those characters are escaped exactly that way (after control
characters are shown escaped: see readycheck.neutralise).
"""

from __future__ import annotations

from readycheck.model import ScanResult
from readycheck.neutralise import annotation_data, annotation_property, no_workflow_commands
from readycheck.reporters.text import summary_line

_COMMAND = {"error": "error", "warning": "warning", "note": "notice"}

escape_data = annotation_data
escape_property = annotation_property


def _properties(pairs: list[tuple[str, str | int | None]]) -> str:
    return ",".join(f"{name}={escape_property(str(value))}" for name, value in pairs if value is not None)


def render(result: ScanResult) -> str:
    lines = []
    for f in result.findings:
        properties = _properties(
            [
                ("file", f.path),
                ("line", f.span.line),
                ("col", f.span.column),
                ("endLine", f.span.last_line),
                ("title", f"{f.rule} {f.name}"),
            ]
        )
        message = f.message + (f"\nFix: {f.fix}" if f.fix else "")
        lines.append(f"::{_COMMAND[f.severity]} {properties}::{escape_data(message)}")
    for error in result.errors:
        properties = _properties([("file", error.path), ("line", error.line), ("title", "readycheck: file not checked")])
        lines.append(f"::error {properties}::{escape_data(error.message)}")
    lines.append(no_workflow_commands(summary_line(result)))
    return "\n".join(lines) + "\n"
