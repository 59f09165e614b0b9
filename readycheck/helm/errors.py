"""The one exception type the template engine raises."""

from __future__ import annotations


class TemplateError(Exception):
    """A parse or execution error located in a named template (line is 1-based).

    ``kind`` is "parse", "exec" or "limit" so callers can tell a broken chart from
    a chart that hit a resource bound.
    """

    def __init__(self, template: str, line: int | None, message: str, kind: str = "exec") -> None:
        super().__init__(f"{template}:{line}: {message}" if line else f"{template}: {message}")
        self.template = template
        self.line = line
        self.message = message
        self.kind = kind
