"""A tolerant reader of the HCL subset `docker buildx bake` files use, for the service map only.

Bake files hold blocks with labels (`target "api" { ... }`), attributes (`tags = ["ghcr.io/acme/api:${TAG}"]`),
strings with `${}` interpolation, lists, objects, numbers, booleans and comments (`#`, `//`, `/* */`). That is all
the service map needs. An expression this reader does not evaluate (a function call, a conditional, a `for`
expression, a heredoc, a reference such as `target.base.tags`) is not an error: its value is UNKNOWN and the
reader goes on after it. Only text that is not HCL at all (an unclosed block or string, a statement that is
neither an attribute nor a block) is a LoadError with its line. Interpolation is left in the strings as written
(`${TAG}`): what a variable holds is decided by whoever reads the blocks (readycheck.services).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import Any

from readycheck.textio import LoadError


class _Unknown:
    """The value of an expression the reader does not evaluate."""

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Any = _Unknown()

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_HEREDOC = re.compile(r"<<-?([A-Za-z_][A-Za-z0-9_]*)[ \t]*\r?\n")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
MAX_DEPTH = 64


@dataclass
class Block:
    """One block: its type, labels, line, attributes (name -> (value, line)) and nested blocks, in file order."""

    type: str
    labels: list[str]
    line: int
    attributes: dict[str, tuple[Any, int]] = field(default_factory=dict)
    blocks: list[Block] = field(default_factory=list)


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.newlines = [i for i, c in enumerate(text) if c == "\n"]

    def line(self, pos: int | None = None) -> int:
        return bisect.bisect_left(self.newlines, self.pos if pos is None else pos) + 1

    def fail(self, message: str, pos: int | None = None) -> LoadError:
        return LoadError(message, self.line(pos))

    def peek(self, length: int = 1) -> str:
        return self.text[self.pos:self.pos + length]

    def skip(self, newlines: bool) -> None:
        """White space and comments; newlines too when `newlines`."""
        text = self.text
        while self.pos < len(text):
            c = text[self.pos]
            if c in " \t\r" or (c == "\n" and newlines):
                self.pos += 1
            elif c == "#" or text.startswith("//", self.pos):
                end = text.find("\n", self.pos)
                self.pos = len(text) if end < 0 else end
            elif text.startswith("/*", self.pos):
                end = text.find("*/", self.pos + 2)
                if end < 0:
                    raise self.fail("a /* comment is not closed")
                self.pos = end + 2
            else:
                return

    # --- statements -------------------------------------------------------------------------------------------

    def body(self, into: Block, depth: int, closing: bool) -> None:
        """Attributes and blocks until `}` (when `closing`) or the end of the text."""
        if depth > MAX_DEPTH:
            raise self.fail("blocks nested too deeply")
        while True:
            self.skip(newlines=True)
            if self.pos >= len(self.text):
                if closing:
                    raise LoadError(f"the block '{into.type}' is not closed", into.line)
                return
            if self.peek() == "}":
                if not closing:
                    raise self.fail("a '}' closes no block")
                self.pos += 1
                return
            start = self.pos
            match = _IDENT.match(self.text, self.pos)
            if match is None:
                raise self.fail(f"expected an attribute or a block, found {self.text[self.pos]!r}")
            name = match.group(0)
            self.pos = match.end()
            self.skip(newlines=False)
            if self.peek() == "=" and self.peek(2) != "==":
                self.pos += 1
                value = self.expression(depth, terminators="\n}")
                into.attributes[name] = (value, self.line(start))
                continue
            labels: list[str] = []
            while self.peek() != "{":
                if self.peek() == '"':
                    label = self.string(depth)
                    labels.append(label if isinstance(label, str) else "")
                elif (label_match := _IDENT.match(self.text, self.pos)) is not None:
                    labels.append(label_match.group(0))
                    self.pos = label_match.end()
                else:
                    raise self.fail(f"expected '=' or a block after '{name}'")
                self.skip(newlines=False)
            self.pos += 1
            block = Block(name, labels, self.line(start))
            self.body(block, depth + 1, closing=True)
            into.blocks.append(block)

    # --- expressions ------------------------------------------------------------------------------------------

    def expression(self, depth: int, terminators: str) -> Any:
        """One expression; UNKNOWN (and the rest of it skipped) when it is more than a literal, list or object."""
        if depth > MAX_DEPTH:
            raise self.fail("values nested too deeply")
        newlines = "\n" not in terminators
        self.skip(newlines)
        value = self.primary(depth)
        self.skip(newlines)
        if self.pos < len(self.text) and self.text[self.pos] not in terminators:
            self.skip_rest(terminators)
            return UNKNOWN
        return value

    def primary(self, depth: int) -> Any:
        c = self.peek()
        if c == '"':
            return self.string(depth)
        if c == "[":
            return self.sequence(depth)
        if c == "{":
            return self.mapping(depth)
        heredoc = _HEREDOC.match(self.text, self.pos)
        if heredoc is not None:
            start = self.pos
            marker = heredoc.group(1)
            self.pos = heredoc.end()
            while self.pos < len(self.text):
                end = self.text.find("\n", self.pos)
                end = len(self.text) if end < 0 else end
                line_text = self.text[self.pos:end].strip()
                if line_text == marker:
                    self.pos = end  # the newline that ends the attribute
                    return UNKNOWN
                self.pos = min(end + 1, len(self.text))
            raise self.fail(f"the heredoc <<{marker} is not closed", start)
        number = _NUMBER.match(self.text, self.pos)
        if number is not None:
            self.pos = number.end()
            word = number.group(0)
            return float(word) if any(ch in word for ch in ".eE") else int(word)
        ident = _IDENT.match(self.text, self.pos)
        if ident is not None:
            self.pos = ident.end()
            word = ident.group(0)
            if word in ("true", "false"):
                return word == "true"
            if word == "null":
                return None
            if self.peek() in ("(", ".", "["):
                return UNKNOWN  # a call or a traversal: the caller skips the rest
            return "${" + word + "}"  # a bare variable reference, resolved like an interpolation
        if self.pos >= len(self.text):
            raise self.fail("an attribute has no value")
        return UNKNOWN  # an operator or anything else: skipped by the caller

    def string(self, depth: int) -> Any:
        """A quoted string, `${...}` kept as written; UNKNOWN when it holds a `%{` directive."""
        start = self.pos
        self.pos += 1
        out: list[str] = []
        text = self.text
        unknown = False
        while True:
            if self.pos >= len(text) or text[self.pos] == "\n":
                raise self.fail("a string is not closed", start)
            c = text[self.pos]
            if c == '"':
                self.pos += 1
                return UNKNOWN if unknown else "".join(out)
            if c == "\\" and self.pos + 1 < len(text):
                escaped = text[self.pos + 1]
                out.append(_ESCAPES.get(escaped, "\\" + escaped))
                self.pos += 2
            elif text.startswith("${", self.pos) or text.startswith("%{", self.pos):
                unknown = unknown or c == "%"
                end = self.interpolation_end(self.pos + 2, start)
                out.append(text[self.pos:end])
                self.pos = end
            else:
                out.append(c)
                self.pos += 1

    def interpolation_end(self, pos: int, start: int) -> int:
        """The position after the `}` closing an interpolation that begins before `pos` (nested braces and
        strings inside it counted)."""
        depth = 1
        text = self.text
        while pos < len(text):
            c = text[pos]
            if c == "\n":
                break
            if c == '"':
                pos += 1
                while pos < len(text) and text[pos] not in '"\n':
                    pos += 2 if text[pos] == "\\" else 1
            elif c == "{":
                depth += 1
            elif c == "}":
                depth -= 1
                if depth == 0:
                    return pos + 1
            pos += 1
        raise self.fail("a ${ interpolation is not closed", start)

    def sequence(self, depth: int) -> Any:
        start = self.pos
        self.pos += 1
        self.skip(newlines=True)
        if _IDENT.match(self.text, self.pos) and self.text.startswith("for", self.pos) and \
                not _IDENT.match(self.text, self.pos + 3):
            self.skip_rest("]")
            self.pos += 1
            return UNKNOWN
        items: list[Any] = []
        while True:
            self.skip(newlines=True)
            if self.pos >= len(self.text):
                raise self.fail("a list is not closed", start)
            if self.peek() == "]":
                self.pos += 1
                return items
            items.append(self.expression(depth + 1, terminators=",]"))
            if self.peek() == ",":
                self.pos += 1

    def mapping(self, depth: int) -> Any:
        start = self.pos
        self.pos += 1
        result: dict[str, Any] = {}
        while True:
            self.skip(newlines=True)
            if self.pos >= len(self.text):
                raise self.fail("an object is not closed", start)
            if self.peek() == "}":
                self.pos += 1
                return result
            if self.peek() == ",":
                self.pos += 1
                continue
            if self.peek() == '"':
                key = self.string(depth)
            elif (match := _IDENT.match(self.text, self.pos)) is not None:
                key = match.group(0)
                self.pos = match.end()
            else:
                self.skip_rest(",}\n")
                continue
            self.skip(newlines=False)
            if self.peek() not in ("=", ":"):
                self.skip_rest(",}\n")
                continue
            self.pos += 1
            value = self.expression(depth + 1, terminators=",}\n")
            if isinstance(key, str):
                result[key] = value

    def skip_rest(self, terminators: str) -> None:
        """Move to the next terminator outside brackets and strings (the rest of an expression not evaluated)."""
        depth = 0
        text = self.text
        while self.pos < len(text):
            c = text[self.pos]
            if depth == 0 and c in terminators:
                return
            if c == '"':
                self.string(0)
                continue
            if c == "#" or text.startswith("//", self.pos) or text.startswith("/*", self.pos):
                self.skip(newlines=False)
                continue
            if c in "([{":
                depth += 1
            elif c in ")]}":
                if depth == 0:
                    raise self.fail(f"a {c!r} closes nothing here")
                depth -= 1
            self.pos += 1
        if depth:
            raise self.fail("a bracket is not closed")


def parse(text: str) -> Block:
    """The top-level body of an HCL text as a Block of type "" (LoadError with a line if it is not HCL)."""
    root = Block("", [], 1)
    reader = _Reader(text.lstrip("\ufeff"))
    try:
        reader.body(root, 0, closing=False)
    except RecursionError:
        raise LoadError("values nested too deeply to read") from None
    return root
