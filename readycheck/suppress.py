"""Inline suppressions: `# readycheck: ignore=DF101,base-image-pinned` and `# readycheck: ignore-file`.

A comment alone on its line silences a finding on the line below it; a
comment at the end of a line of content silences that line only (never the
next one). An unknown rule in a comment is reported rather than silently
dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_DIRECTIVE = re.compile(r"#\s*readycheck:\s*(ignore-file|ignore)\b(?:\s*=\s*([A-Za-z0-9_,\- ]+))?")


@dataclass
class FileSuppressions:
    """What one file's comments silence: line -> selectors, and whole-file selectors."""

    by_line: dict[int, list[tuple[str, int]]] = field(default_factory=dict)
    whole_file: list[tuple[str, int]] = field(default_factory=list)
    file_all: bool = False
    trailing: set[int] = field(default_factory=set)
    """Lines whose comment follows content on the same line: it covers that line only."""

    def selectors_for(self, line: int) -> list[str]:
        chosen = [s for s, _ in self.by_line.get(line, [])]
        if line - 1 not in self.trailing:
            chosen += [s for s, _ in self.by_line.get(line - 1, [])]
        return chosen + [s for s, _ in self.whole_file]

    def all_selectors(self) -> list[tuple[str, int]]:
        found = [item for items in self.by_line.values() for item in items]
        return found + self.whole_file


ALL = "*"


def parse_suppressions(text: str) -> FileSuppressions:
    result = FileSuppressions()
    if "readycheck:" not in text:
        return result
    for number, line in enumerate(text.splitlines(), 1):
        if "readycheck:" not in line:
            continue
        match = _DIRECTIVE.search(line)
        if not match:
            continue
        directive, listed = match.groups()
        selectors = [s.strip() for s in (listed or "").split(",") if s.strip()]
        if directive == "ignore-file":
            if selectors:
                result.whole_file.extend((s, number) for s in selectors)
            else:
                result.file_all = True
        else:
            result.by_line.setdefault(number, []).extend((s, number) for s in selectors or [ALL])
            if line[:match.start()].strip():
                result.trailing.add(number)
    return result
