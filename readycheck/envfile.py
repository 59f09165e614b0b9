"""A dotenv parser that keeps exact lines and columns and records syntax problems instead of failing.

It reads what docker compose, python-dotenv and dotenv-linter agree on: an
optional `export` prefix, `KEY=value`, single quotes (literal), double quotes
(escapes, may span lines), unquoted values ending at an inline ` #` comment.
`${VAR}` and `$VAR` are kept as written and marked as interpolated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

VALID_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*\Z")
_INTERPOLATION = re.compile(r"\$(\{[^}]*\}?|[A-Za-z_][A-Za-z0-9_]*)")
_DOUBLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "$": "$"}


@dataclass
class Entry:
    """One `KEY=value` assignment."""

    key: str
    value: str
    raw: str
    """The value as written, quotes included."""
    line: int
    column: int
    value_line: int
    value_column: int
    quote: str = ""
    exported: bool = False

    @property
    def interpolated(self) -> bool:
        """The value refers to other variables (`${VAR}`, `$VAR`): its literal text is not the real value."""
        return self.quote != "'" and bool(_INTERPOLATION.search(self.raw))


@dataclass
class Issue:
    """A syntax problem, named by the codes the env syntax rules filter on."""

    code: str
    line: int
    column: int
    message: str
    key: str = ""


@dataclass
class EnvFile:
    entries: list[Entry] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)


def _strip_inline_comment(text: str) -> str:
    """An unquoted value ends where ` #` starts a comment."""
    for i, ch in enumerate(text):
        if ch == "#" and (i == 0 or text[i - 1] in " \t"):
            return text[:i]
    return text


class _Parser:
    def __init__(self, text: str) -> None:
        self.lines = text.split("\n")
        if self.lines and self.lines[-1] == "":
            self.lines.pop()
        self.result = EnvFile()
        self.seen: dict[str, int] = {}

    def issue(self, code: str, line: int, column: int, message: str, key: str = "") -> None:
        self.result.issues.append(Issue(code, line, column, message, key))

    def parse(self) -> EnvFile:
        index = 0
        while index < len(self.lines):
            index = self.parse_line(index)
        self.result.issues.sort(key=lambda i: (i.line, i.column, i.code))
        return self.result

    def parse_line(self, index: int) -> int:
        """Parse the assignment starting on line `index` (0-based); return the index of the next line."""
        text = self.lines[index]
        number = index + 1
        if text != text.rstrip(" \t"):
            self.issue("trailing-whitespace", number, len(text.rstrip(" \t")) + 1, "trailing whitespace")
        stripped = text.strip()
        if not stripped or stripped.startswith("#"):
            return index + 1
        indent = len(text) - len(text.lstrip(" \t"))
        body = text[indent:]
        exported = False
        if body.startswith("export ") or body.startswith("export\t"):
            exported = True
            rest = body[len("export"):].lstrip(" \t")
            indent += len(body) - len(rest)
            body = rest
        if "=" not in body:
            self.issue("invalid-line", number, indent + 1, f"'{stripped[:40]}' is not a KEY=value assignment")
            return index + 1
        raw_key, _, after = body.partition("=")
        key = raw_key.strip(" \t")
        key_column = indent + 1
        if raw_key != raw_key.rstrip(" \t") or (after[:1] in (" ", "\t") and after.strip()):
            self.issue("space-around-equals", number, key_column + len(raw_key.rstrip(" \t")),
                       f"spaces around '=' in the assignment of {key}", key)
        if not VALID_KEY.match(key):
            self.issue("invalid-key", number, key_column, f"'{key}' is not a valid variable name", key)
        elif key != key.upper():
            self.issue("lowercase-key", number, key_column, f"'{key}' has lower-case letters", key)
        if key in self.seen:
            self.issue("duplicated-key", number, key_column,
                       f"{key} is set again (first set on line {self.seen[key]}); the later value wins", key)
        else:
            self.seen[key] = number
        value_offset = len(after) - len(after.lstrip(" \t"))
        value_text = after[value_offset:]
        value_column = indent + len(raw_key) + 2 + value_offset
        entry = Entry(key=key, value="", raw="", line=number, column=key_column, value_line=number,
                      value_column=value_column, exported=exported)
        next_index = index + 1
        if value_text[:1] == "'":
            end = value_text.find("'", 1)
            if end < 0:
                self.issue("unbalanced-quotes", number, value_column, f"the single quote opening the value of {key} is never closed", key)
                entry.value = entry.raw = value_text[1:].rstrip(" \t")
            else:
                entry.value, entry.raw = value_text[1:end], value_text[: end + 1]
            entry.quote = "'"
        elif value_text[:1] == '"':
            entry.quote = '"'
            next_index = self.parse_double_quoted(entry, value_text, index)
        else:
            value = _strip_inline_comment(value_text).rstrip(" \t")
            entry.value = entry.raw = value
            if any(c in " \t" for c in value):
                self.issue("unquoted-value-with-spaces", number, value_column,
                           f"the value of {key} has spaces but no quotes", key)
            if value[:1] in ("'", '"') or value[-1:] in ("'", '"'):
                self.issue("unbalanced-quotes", number, value_column, f"the value of {key} has a stray quote", key)
        if key:
            self.result.entries.append(entry)
        return next_index

    def parse_double_quoted(self, entry: Entry, first: str, index: int) -> int:
        """Read a double-quoted value, which may continue over the next lines."""
        chars: list[str] = []
        raw: list[str] = []
        text, line_index, pos = first, index, 1
        while True:
            while pos < len(text):
                ch = text[pos]
                if ch == "\\" and pos + 1 < len(text):
                    nxt = text[pos + 1]
                    chars.append(_DOUBLE_ESCAPES.get(nxt, "\\" + nxt))
                    pos += 2
                    continue
                if ch == '"':
                    entry.value = "".join(chars)
                    entry.raw = "".join(raw) + text[:pos + 1]
                    return line_index + 1
                chars.append(ch)
                pos += 1
            if line_index + 1 >= len(self.lines):
                self.issue("unbalanced-quotes", entry.line, entry.value_column,
                           f"the double quote opening the value of {entry.key} is never closed", entry.key)
                entry.value = entry.raw = first[1:].rstrip(" \t")
                return index + 1
            raw.append(text + "\n")
            chars.append("\n")
            line_index += 1
            text, pos = self.lines[line_index], 0


def parse_env(text: str) -> EnvFile:
    """Parse dotenv text into entries (in file order) and syntax issues."""
    return _Parser(text).parse()
