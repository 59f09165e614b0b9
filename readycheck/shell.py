"""Shell scripts (Dockerfile RUN, workflow `run:`) parsed into commands.

tree-sitter-bash is a real bash grammar compiled to C: about 0.07 ms for a
typical RUN line against 2.3 ms for bashlex, and it never gives up on input
it does not understand (it marks the bad part and parses the rest), which a
linter needs. Rules see a flat list of simple commands, each with its words
unquoted, its line, its redirections and the pipeline it belongs to;
`sh -c "..."` bodies are parsed too, so wrappers hide nothing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from readycheck.limits import TimeBudgetExceeded, budget_in_force, out_of_time, polled

SHELLS = {"sh", "bash", "dash", "ash", "zsh", "/bin/sh", "/bin/bash", "/usr/bin/env"}
MAX_SCRIPT_BYTES = 1_000_000
ASTRAL_STAND_IN = "\ufffd"


@dataclass
class Command:
    """A simple command: `argv` is its words with quotes removed (expansions kept as written)."""

    argv: list[str]
    text: str
    line: int  # 0-based line within the script
    pipeline: int  # commands with the same number are one pipeline
    position: int  # place in the pipeline (0 = first)
    pipeline_length: int
    redirects: list[tuple[str, str]] = field(default_factory=list)
    assignments: dict[str, str] = field(default_factory=dict)
    nested: bool = False  # from `sh -c` or `$(...)`
    captured: bool = False  # inside `$(...)`, backquotes or `<(...)`: its output goes to the outer command, not the log
    operator_after: str = ""  # "&&", "||", ";", "|" or ""

    @property
    def name(self) -> str:
        return self.argv[0].rsplit("/", 1)[-1] if self.argv else ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "argv": list(self.argv),
            "text": self.text,
            "line": self.line,
            "pipeline": self.pipeline,
            "position": self.position,
            "pipeline_length": self.pipeline_length,
            "redirects": [list(r) for r in self.redirects],
            "assignments": dict(self.assignments),
            "nested": self.nested,
            "captured": self.captured,
            "operator_after": self.operator_after,
        }


_parser: Any = None


def _bash_language() -> Any:
    """tree-sitter-bash's grammar, from the package's compiled binding.

    The package's `__init__` imports importlib.resources (with tempfile and
    shutil) only to read query files
    readycheck never uses, so the binding is loaded from the package's
    directory without running it. The ordinary import is the fallback.
    """
    from importlib.machinery import PathFinder

    package = PathFinder.find_spec("tree_sitter_bash")
    locations = package.submodule_search_locations if package else None
    binding = PathFinder.find_spec("tree_sitter_bash._binding", locations) if locations else None
    loader = binding.loader if binding else None
    module = loader.create_module(binding) if loader and binding else None
    if loader is None or module is None:
        import tree_sitter_bash

        return tree_sitter_bash.language()
    loader.exec_module(module)
    return module.language()


def _get_parser() -> Any:
    global _parser
    if _parser is None:
        import tree_sitter

        _parser = tree_sitter.Parser(tree_sitter.Language(_bash_language()))
    return _parser


def node_text(node: Any, source: bytes) -> str:
    """A node's text, sliced from the source (a tree parsed through a read callback has no `node.text`)."""
    return source[node.start_byte : node.end_byte].decode("utf-8", "replace")


def word_value(node: Any, source: bytes) -> str:
    """The value of a word as the shell would see it before expansion: quotes removed."""
    kind = node.type
    text = node_text(node, source)
    if kind == "raw_string":
        return text[1:-1]
    if kind == "string":
        return text[1:-1] if len(text) >= 2 else text
    if kind == "ansi_c_string":
        return text[2:-1]
    if kind == "concatenation":
        return "".join(word_value(c, source) for c in node.children)
    if kind == "word":
        return text.replace("\\\n", "").replace("\\", "") if "\\" in text else text
    return text


class _Collector:
    def __init__(self, source: bytes, line_offset: int, nested: bool) -> None:
        self.source = source
        self.commands: list[Command] = []
        self.pipeline_counter = 0
        self.line_offset = line_offset
        self.nested = nested
        self.has_error = False

    def visit(self, node: Any, pipeline: tuple[int, int, int] | None = None, redirects: list[tuple[str, str]] | None = None) -> None:
        kind = node.type
        if kind == "ERROR":
            self.has_error = True
        if kind in ("command", "declaration_command", "unset_command"):
            self.command(node, pipeline, redirects or [])
            return
        if kind == "pipeline":
            parts = [c for c in node.children if c.is_named]
            number = self.pipeline_counter
            self.pipeline_counter += 1
            for index, part in enumerate(parts):
                self.visit(part, (number, index, len(parts)), redirects)
            return
        if kind == "redirected_statement":
            found = list(redirects or [])
            body = node.child_by_field_name("body")
            for child in node.children:
                if child.type in ("file_redirect", "heredoc_redirect", "herestring_redirect"):
                    found.append(_redirect(child, self.source))
            if body is not None:
                self.visit(body, pipeline, found)
            return
        children = _list_items(node) if kind == "list" else node.children
        for child in children:
            self.visit(child, None if kind in ("list", "program") else pipeline, None)
            if kind in ("list", "program") and child.type in ("&&", "||", ";", "&") and self.commands:
                self.commands[-1].operator_after = child.type

    def command(self, node: Any, pipeline: tuple[int, int, int] | None, redirects: list[tuple[str, str]]) -> None:
        argv: list[str] = []
        assignments: dict[str, str] = {}
        found_redirects = list(redirects)
        substitutions: list[Any] = []
        for child in node.children:
            if child.type == "variable_assignment":
                name = child.child_by_field_name("name")
                value = child.child_by_field_name("value")
                if name is not None:
                    assignments[node_text(name, self.source)] = word_value(value, self.source) if value is not None else ""
            elif child.type in ("export", "declare", "local", "readonly", "typeset", "unset"):
                argv.append(child.type)
            elif child.type == "command_name":
                argv.append(word_value(child.children[0], self.source) if child.children else node_text(child, self.source))
            elif child.type in ("file_redirect", "heredoc_redirect", "herestring_redirect"):
                found_redirects.append(_redirect(child, self.source))
            elif child.is_named:
                argv.append(word_value(child, self.source))
            _find_substitutions(child, substitutions)
        if pipeline is None:
            pipeline = (self.pipeline_counter, 0, 1)
            self.pipeline_counter += 1
        number, position, length = pipeline
        self.commands.append(
            Command(
                argv=argv,
                text=node_text(node, self.source),
                line=node.start_point[0] + self.line_offset,
                pipeline=number,
                position=position,
                pipeline_length=length,
                redirects=found_redirects,
                assignments=assignments,
                nested=self.nested,
            )
        )
        first_inner = len(self.commands)
        for sub in substitutions:
            for inner in sub.children:
                if inner.is_named:
                    self.visit(inner)
        for inner_command in self.commands[first_inner:]:
            inner_command.captured = True
        if argv and argv[0].rsplit("/", 1)[-1] in ("sh", "bash", "dash", "ash", "zsh") and "-c" in argv[1:]:
            index = argv.index("-c", 1)
            if index + 1 < len(argv):
                inner_script = parse_script(argv[index + 1], line_offset=node.start_point[0] + self.line_offset, nested=True)
                base = self.pipeline_counter
                for cmd in inner_script.commands:
                    cmd.pipeline += base
                    self.commands.append(cmd)
                self.pipeline_counter += inner_script.pipelines + 1


def _list_items(node: Any) -> list[Any]:
    """The commands and operators of an `a && b || c` chain, in order.

    tree-sitter nests such a chain to the left, one level per operator;
    walking it flat keeps a long chain from exhausting Python's recursion.
    """
    reversed_items: list[Any] = []
    while node.type == "list" and node.children:
        reversed_items.extend(reversed(node.children[1:]))
        node = node.children[0]
    reversed_items.append(node)
    return reversed_items[::-1]


def _find_substitutions(node: Any, out: list[Any]) -> None:
    if node.type in ("command_substitution", "process_substitution"):
        out.append(node)
        return
    for child in node.children:
        _find_substitutions(child, out)


def _redirect(node: Any, source: bytes) -> tuple[str, str]:
    op = ""
    target = ""
    for child in node.children:
        if child.type in (">", ">>", "<", "&>", "&>>", ">&", "<&", ">|", "<<", "<<-", "<<<"):
            op = child.type
        elif child.is_named and child.type not in ("file_descriptor", "heredoc_body", "heredoc_end"):
            target = word_value(child, source)
    return op, target


def _parse_in_time(source: bytes) -> Any:
    """tree-sitter's parse, cancelled when the file's time budget runs out (the alarm cannot stop C code).

    A cancelled parser resumes the old parse on its next call unless reset, so
    every abnormal exit resets it.
    """
    parser = _get_parser()
    if not budget_in_force():
        return parser.parse(source)
    try:
        with polled():
            return parser.parse(lambda offset, _point: source[offset : offset + 65536], progress_callback=lambda *_: out_of_time())
    except BaseException as exc:
        parser.reset()
        if isinstance(exc, ValueError) and out_of_time():
            raise TimeBudgetExceeded("shell parse over the time limit") from None
        raise


@dataclass
class Script:
    """A parsed script: its simple commands, how many pipelines, and whether tree-sitter met a syntax error."""

    commands: list[Command]
    pipelines: int
    has_error: bool


def _without_astral(script: str) -> str:
    """`script` with every character beyond the BMP replaced by U+FFFD.

    The regex is compiled only for the rare script that needs it: compiling
    its character class costs about 4 ms.
    """
    if script.isascii() or max(script) <= "\uffff":
        return script
    return re.sub("[\U00010000-\U0010FFFF]", ASTRAL_STAND_IN, script)


def parse_script(script: str, line_offset: int = 0, nested: bool = False,
                 opaque: Sequence[tuple[int, int]] = ()) -> Script:
    """Every simple command in a shell script, in order, with pipelines numbered.

    `opaque` holds the (start, end) offsets of parts the shell never sees as
    written: a workflow's `${{ }}` expressions, which the runner substitutes
    before the shell starts. Each is parsed as one plain word fragment (its
    spaces and quotes split nothing), and the commands show it as written.
    """
    if opaque:
        return _parse_with_opaque_parts(script, line_offset, nested, opaque)
    if len(script) > MAX_SCRIPT_BYTES:
        script = script[:MAX_SCRIPT_BYTES]
    # tree-sitter-bash 0.25 reads out of bounds, and may crash the interpreter, on `{` followed
    # by a 4-byte UTF-8 character (tree-sitter/tree-sitter-bash#337): characters beyond the
    # BMP reach the parser as U+FFFD. Lines are unchanged; such a character reads as U+FFFD.
    source = _without_astral(script).encode("utf-8", "replace")
    tree = _parse_in_time(source)
    collector = _Collector(source, line_offset, nested)
    collector.visit(tree.root_node)
    collector.has_error = collector.has_error or tree.root_node.has_error
    return Script(collector.commands, collector.pipeline_counter, collector.has_error)


def _parse_with_opaque_parts(script: str, line_offset: int, nested: bool, opaque: Sequence[tuple[int, int]]) -> Script:
    """Parse with each opaque part replaced by a stand-in word, then put the parts back into the commands.

    A stand-in is letters, digits and underscores, so it glues to the word
    around it as the substituted text does. A part that spans lines becomes a
    one-line stand-in, and the commands after it are moved down again by the
    lines it took.
    """
    marker = "__rcx"
    while marker in script:
        marker += "x"
    stand_in = re.compile(re.escape(marker) + r"(\d+)_")
    parts: list[str] = []
    pieces: list[str] = []
    shifts: list[tuple[int, int]] = []  # (line of the stand-in in the parsed text, line breaks it stands for)
    masked_line = line_offset
    pos = 0
    for start, end in sorted(opaque):
        if start < pos or end <= start or end > len(script):
            continue  # overlapping or out of range: left as written
        part = script[start:end]
        masked_line += script.count("\n", pos, start)
        if "\n" in part:
            shifts.append((masked_line, part.count("\n")))
        pieces += [script[pos:start], f"{marker}{len(parts)}_"]
        parts.append(part)
        pos = end
    pieces.append(script[pos:])
    parsed = parse_script("".join(pieces), line_offset, nested)

    def restore(text: str) -> str:
        if marker not in text:
            return text
        return stand_in.sub(lambda m: parts[int(m.group(1))] if int(m.group(1)) < len(parts) else m.group(0), text)

    for command in parsed.commands:
        command.argv = [restore(word) for word in command.argv]
        command.text = restore(command.text)
        command.assignments = {name: restore(value) for name, value in command.assignments.items()}
        command.redirects = [(op, restore(target)) for op, target in command.redirects]
        command.line += sum(breaks for line, breaks in shifts if command.line > line)
    return parsed
