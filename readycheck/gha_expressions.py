"""GitHub Actions `${{ ... }}` expressions: where they are and which contexts they read.

Rules need to know that `run: echo "${{ github.event.issue.title }}"` expands
attacker-controlled text into a script while `env: TITLE: ${{ ... }}` does
not, so expressions are tokenized (string literals, operators, function
calls, property and index access) rather than grepped. Each reference is
normalised to a dotted path: `github.event['issue'].title` and
`github.event.issue.title` are the same reference, and an index that is not a
literal (`[*]`, `[matrix.i]`) becomes `*`.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field
from functools import lru_cache

CONTEXTS = {
    "github", "env", "vars", "job", "jobs", "steps", "runner", "secrets", "strategy", "matrix", "needs", "inputs",
}
_TOKEN = re.compile(
    r"\s*(?:(?P<string>'(?:[^']|'')*')|(?P<number>-?(?:0x[0-9a-fA-F]+|[0-9]+(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?))"
    r"|(?P<ident>[A-Za-z_][A-Za-z0-9_-]*)|(?P<op>==|!=|<=|>=|&&|\|\||[<>!.\[\](),*]))"
)


class ExpressionError(ValueError):
    """An expression that GitHub would reject (unbalanced brackets, unknown characters)."""


@dataclass(frozen=True)
class Reference:
    """A context property read by an expression, e.g. `github.event.issue.title`."""

    path: str

    @property
    def context(self) -> str:
        return self.path.split(".", 1)[0]

    def matches(self, pattern: str) -> bool:
        """Glob match on the dotted path (`github.event.commits.*.message`)."""
        return fnmatch.fnmatchcase(self.path, pattern)


@dataclass
class Expression:
    """One `${{ ... }}` inside a string: its text, offsets in the string, and references."""

    text: str
    start: int
    end: int
    references: list[Reference] = field(default_factory=list)
    functions: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def inner(self) -> str:
        return self.text[3:-2].strip()


def _tokens(source: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    pos = 0
    while pos < len(source):
        if source[pos:].strip() == "":
            break
        match = _TOKEN.match(source, pos)
        if match is None or match.end() == pos:
            raise ExpressionError(f"unexpected character {source[pos:].lstrip()[:1]!r}")
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        pos = match.end()
    return tokens


def parse_references(source: str) -> tuple[list[Reference], list[str]]:
    """Context references and function names used by an expression body (without `${{ }}`)."""
    tokens = _tokens(source)
    references: list[Reference] = []
    functions: list[str] = []
    _scan(tokens, references, functions)
    return references, functions


def _scan(tokens: list[tuple[str, str]], references: list[Reference], functions: list[str]) -> None:
    depth = 0
    i = 0
    while i < len(tokens):
        kind, value = tokens[i]
        if kind == "op" and value in "([":
            depth += 1
        elif kind == "op" and value in ")]":
            depth -= 1
            if depth < 0:
                raise ExpressionError(f"unbalanced {value!r}")
        if kind == "ident":
            following = tokens[i + 1][1] if i + 1 < len(tokens) else ""
            previous = tokens[i - 1][1] if i > 0 else ""
            if following == "(":
                functions.append(value.lower())
            elif previous != "." and value in CONTEXTS:
                path, i, indexes = _property_path(tokens, i)
                references.append(Reference(path))
                for index in indexes:
                    _scan(index, references, functions)
                continue
        i += 1
    if depth != 0:
        raise ExpressionError("unbalanced brackets")


def _property_path(tokens: list[tuple[str, str]], i: int) -> tuple[str, int, list[list[tuple[str, str]]]]:
    """Read `ctx.a['b'][*].c` from token i: the dotted path, the next index, and computed indexes."""
    parts = [tokens[i][1]]
    computed: list[list[tuple[str, str]]] = []
    i += 1
    while i < len(tokens):
        kind, value = tokens[i]
        if value == "." and i + 1 < len(tokens) and tokens[i + 1][0] in ("ident", "op"):
            nxt_kind, nxt = tokens[i + 1]
            parts.append(nxt if nxt_kind == "ident" or nxt == "*" else "*")
            i += 2
        elif value == "[":
            close = _matching_bracket(tokens, i)
            inside = tokens[i + 1 : close]
            if len(inside) == 1 and inside[0][0] == "string":
                parts.append(inside[0][1][1:-1].replace("''", "'"))
            elif len(inside) == 1 and inside[0][0] == "number":
                parts.append(inside[0][1])
            else:
                parts.append("*")
                computed.append(inside)
            i = close + 1
        else:
            break
    return ".".join(parts), i, computed


def _matching_bracket(tokens: list[tuple[str, str]], start: int) -> int:
    depth = 0
    for j in range(start, len(tokens)):
        if tokens[j][1] == "[":
            depth += 1
        elif tokens[j][1] == "]":
            depth -= 1
            if depth == 0:
                return j
    raise ExpressionError("unclosed '['")


@lru_cache(maxsize=8192)
def find_expressions(text: str) -> tuple[Expression, ...]:
    """Every `${{ ... }}` in a string, in order; a closing `}}` inside a string literal is skipped.

    Cached: the loader and several rules ask about the same strings. Callers must not mutate the result.
    """
    return tuple(_find_expressions(text))


def _find_expressions(text: str) -> list[Expression]:
    found: list[Expression] = []
    pos = 0
    while True:
        start = text.find("${{", pos)
        if start < 0:
            return found
        end = _closing(text, start + 3)
        if end < 0:
            found.append(Expression(text[start:], start, len(text), error="`${{` is never closed with `}}`"))
            return found
        expression = Expression(text[start : end + 2], start, end + 2)
        try:
            expression.references, expression.functions = parse_references(expression.inner)
        except ExpressionError as exc:
            expression.error = str(exc)
        found.append(expression)
        pos = end + 2


def _closing(text: str, pos: int) -> int:
    """Offset of the `}}` that closes an expression, skipping quoted literals; -1 if none."""
    while True:
        close = text.find("}}", pos)
        quote = text.find("'", pos)
        if close < 0 or quote < 0 or close < quote:
            return close
        end = text.find("'", quote + 1)
        if end < 0:
            return -1
        pos = end + 1


_BOOLEAN_FUNCTIONS = {"contains", "startswith", "endswith", "success", "always", "failure", "cancelled"}
_OPAQUE_FUNCTIONS = {"hashfiles"}  # a hash: nothing of the argument reaches the text
_COMPARISONS = {"==", "!=", "<", "<=", ">", ">="}


class _Flow:
    """A small recursive-descent reading of an expression: which context paths reach its value.

    `a == b`, `!a`, `contains(a, b)` are booleans whatever `a` holds, and a number literal is a
    number: no text of `a` reaches the expanded script. `a || b` yields either operand, `a && b`
    yields `b` (or a falsy, so empty, `a`), `format()`, `join()`, `toJSON()` and `fromJSON()` carry their arguments, and a property
    read on a computed value (`(a || b).number`, `fromJSON(a).id`) reads that property of each.
    """

    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.i = 0

    def peek(self) -> str:
        return self.tokens[self.i][1] if self.i < len(self.tokens) else ""

    def take(self) -> tuple[str, str]:
        if self.i >= len(self.tokens):
            raise ExpressionError("unexpected end")
        token = self.tokens[self.i]
        self.i += 1
        return token

    def expect(self, value: str) -> None:
        if self.take()[1] != value:
            raise ExpressionError(f"expected {value!r}")

    def parse(self) -> list[str]:
        paths = self.logical()
        if self.i != len(self.tokens):
            raise ExpressionError("trailing tokens")
        return paths

    def logical(self) -> list[str]:
        paths = self.conjunction()
        while self.peek() == "||":
            self.take()
            paths = paths + self.conjunction()
        return paths

    def conjunction(self) -> list[str]:
        # `a && b` is `a` only when `a` is falsy (empty text, 0, false, null): only `b`'s text can reach the value
        paths = self.comparison()
        while self.peek() == "&&":
            self.take()
            paths = self.comparison()
        return paths

    def comparison(self) -> list[str]:
        paths = self.unary()
        compared = False
        while self.peek() in _COMPARISONS:
            self.take()
            self.unary()
            compared = True
        return [] if compared else paths

    def unary(self) -> list[str]:
        if self.peek() == "!":
            self.take()
            self.unary()
            return []
        return self.postfix()

    def postfix(self) -> list[str]:
        paths, literal = self.primary()
        while self.peek() in (".", "["):
            if self.take()[1] == ".":
                kind, name = self.take()
                part = name if kind == "ident" or name == "*" else "*"
            else:
                inside = self.logical_index()
                part = inside
            paths = [f"{p}.{part}" for p in paths]
        return [] if literal else paths

    def logical_index(self) -> str:
        start = self.i
        self.logical()
        inside = self.tokens[start:self.i]
        self.expect("]")
        if len(inside) == 1 and inside[0][0] == "string":
            return inside[0][1][1:-1].replace("''", "'")
        if len(inside) == 1 and inside[0][0] == "number":
            return inside[0][1]
        return "*"

    def primary(self) -> tuple[list[str], bool]:
        kind, value = self.take()
        if kind in ("string", "number"):
            return [], True
        if value == "(":
            paths = self.logical()
            self.expect(")")
            return paths, False
        if kind != "ident":
            raise ExpressionError(f"unexpected {value!r}")
        if self.peek() == "(":
            self.take()
            args: list[str] = []
            while self.peek() != ")":
                args.extend(self.logical())
                if self.peek() == ",":
                    self.take()
                elif self.peek() != ")":
                    raise ExpressionError("expected ',' or ')'")
            self.take()
            name = value.lower()
            if name in _BOOLEAN_FUNCTIONS or name in _OPAQUE_FUNCTIONS:
                return [], True
            return args, False
        if value.lower() in ("true", "false", "null"):
            return [], True
        return [value], False


@lru_cache(maxsize=8192)
def value_paths(source: str) -> tuple[str, ...]:
    """The context paths whose text can reach the value of an expression body (see _Flow).

    An expression that does not parse this way keeps every reference: unsure means reachable.
    """
    try:
        return tuple(_Flow(_tokens(source)).parse())
    except ExpressionError:
        try:
            return tuple(r.path for r in parse_references(source)[0])
        except ExpressionError:
            return ()


UNTRUSTED_INPUTS = (
    "github.head_ref",
    "github.event.issue.title",
    "github.event.issue.body",
    "github.event.pull_request.title",
    "github.event.pull_request.body",
    "github.event.pull_request.head.ref",
    "github.event.pull_request.head.label",
    "github.event.pull_request.head.repo.default_branch",
    "github.event.comment.body",
    "github.event.review.body",
    "github.event.review_comment.body",
    "github.event.discussion.title",
    "github.event.discussion.body",
    "github.event.pages.*.page_name",
    "github.event.commits.*.message",
    "github.event.commits.*.author.email",
    "github.event.commits.*.author.name",
    "github.event.head_commit.message",
    "github.event.head_commit.author.email",
    "github.event.head_commit.author.name",
    "github.event.workflow_run.head_branch",
    "github.event.workflow_run.display_title",
    "github.event.workflow_run.head_commit.message",
    "github.event.workflow_run.head_commit.author.email",
    "github.event.workflow_run.head_commit.author.name",
    "github.event.workflow_run.pull_requests.*.head.ref",
    "github.event.workflow_run.head_repository.description",
    "github.event.pull_request.head.repo.description",
    "github.event.pull_request.head.repo.name",
    "github.event.pull_request.head.repo.full_name",
    "github.event.*.labels.*.name",
    "github.event.label.name",
    "github.event.changes.*.from",
    "github.event.changes.new_discussion.labels.*.name",
    "github.event.changes.new_discussion.title",
    "github.event.changes.new_discussion.body",
    "github.event.changes.new_issue.title",
    "github.event.changes.new_issue.body",
    "github.event.*.body",
    "github.event.*.title",
    "github.event.release.name",
    "github.event.release.tag_name",
    "github.event.milestone.description",
    "github.event.client_payload",
    "github.event.check_suite.head_branch",
    "github.event.check_run.check_suite.head_branch",
    "github.event.merge_group.head_commit.message",
    "github.event.merge_group.head_commit.author.name",
    "github.event.merge_group.head_commit.author.email",
    "github.event.head_commit.committer.name",
    "github.event.head_commit.committer.email",
    "github.event.commits.*.committer.name",
    "github.event.commits.*.committer.email",
)


def _segments_match(pattern: list[str], path: list[str]) -> bool:
    return len(pattern) == len(path) and all(p == "*" or fnmatch.fnmatchcase(q, p) for p, q in zip(pattern, path, strict=True))


@lru_cache(maxsize=8192)
def untrusted_path(path: str) -> bool:
    """Whether a context path can carry text that anyone who can open an issue or a PR chooses.

    Case-insensitive, as GitHub's contexts are. A path below such text (`fromJSON(body).x`) carries
    it too, and so does an object holding it (`github.event`, `github.event.pull_request`: expanded
    or passed to toJSON(), the whole object with its title and body reaches the script).
    """
    parts = path.lower().split(".")
    for pattern in UNTRUSTED_INPUTS:
        wanted = pattern.split(".")
        if len(wanted) <= len(parts) and _segments_match(wanted, parts[:len(wanted)]):
            return True
        if len(wanted) > len(parts) and all(w == q for w, q in zip(wanted, parts, strict=False)):
            return True  # an object holding the text (a `*` of the pattern is some key, not any name)
    return False


def is_untrusted(reference: Reference) -> bool:
    """Whether a reference carries text that anyone who can open an issue or PR controls."""
    return untrusted_path(reference.path)
