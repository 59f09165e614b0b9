"""Parser for Go text/template, mirroring Go's parse package.

Like Go, it rejects unknown function names and undefined variables at parse
time, and reports an unclosed block as a structured error (with the line where
the block was opened, which is where the fix belongs).
"""

from __future__ import annotations

from collections.abc import Container

from . import lexer as lx
from .ast import (
    ActionNode,
    BreakNode,
    ChainNode,
    CommandNode,
    ConstNode,
    ContinueNode,
    DotNode,
    FieldNode,
    IdentifierNode,
    IfNode,
    NilNode,
    Node,
    PipeNode,
    RangeNode,
    TemplateNode,
    TextNode,
    Tree,
    VariableNode,
    WithNode,
)
from .errors import TemplateError

_OPERAND_START = {lx.BOOL, lx.CHAR, lx.DOT, lx.FIELD, lx.IDENT, lx.NUMBER, lx.NIL, lx.STRING, lx.VAR, lx.LPAREN}


def parse_number(text: str, name: str, line: int) -> int | float:
    clean = text.replace("_", "")
    if clean.endswith("i"):
        raise TemplateError(name, line, f"complex numbers are not supported: {text}", "parse")
    digits = clean.lstrip("+-").lower()
    try:
        if digits.startswith("0x"):
            if "." in digits or "p" in digits:
                return float.fromhex(clean)
            return int(clean, 16)
        if any(c in digits for c in ".e"):
            return float(clean)
        if len(digits) > 1 and digits[0] == "0" and digits.isdigit():
            return int(clean, 8)
        return int(clean, 0)
    except ValueError:
        raise TemplateError(name, line, f"illegal number syntax: {text!r}", "parse") from None


class Parser:
    def __init__(self, name: str, src: str, funcs: Container[str]) -> None:
        self.name = name
        self.tokens = lx.tokenize(name, src)
        self.i = 0
        self.funcs = funcs
        self.vars: list[str] = ["$"]
        self.range_depth = 0
        self.defines: dict[str, Tree] = {}

    # -- token helpers -------------------------------------------------
    def next(self) -> lx.Token:
        tok = self.tokens[self.i]
        if tok.kind != lx.EOF:
            self.i += 1
        return tok

    def peek(self) -> lx.Token:
        return self.tokens[self.i]

    def error(self, line: int, message: str) -> TemplateError:
        return TemplateError(self.name, line, message, "parse")

    def expect(self, kind: str, context: str) -> lx.Token:
        tok = self.next()
        if tok.kind != kind:
            raise self.unexpected(tok, context)
        return tok

    def unexpected(self, tok: lx.Token, context: str) -> TemplateError:
        shown = "EOF" if tok.kind == lx.EOF else f'"{tok.value}"' if tok.kind != lx.TEXT else "text"
        return self.error(tok.line, f"unexpected {shown} in {context}")

    # -- structure -----------------------------------------------------
    def parse(self) -> dict[str, Tree]:
        """Parse the whole text; returns the main tree plus every ``define``d one."""
        body, _term, _line = self.item_list(top=True)
        trees = dict(self.defines)
        trees[self.name] = Tree(self.name, body, self.name)
        return trees

    def item_list(self, top: bool = False, opener: tuple[str, int] | None = None) -> tuple[list[Node], str, int]:
        """Nodes up to ``{{end}}``/``{{else}}`` (or EOF at top level)."""
        nodes: list[Node] = []
        while True:
            tok = self.next()
            if tok.kind == lx.TEXT:
                nodes.append(TextNode(tok.value, tok.line))
                continue
            if tok.kind == lx.EOF:
                if top:
                    return nodes, "eof", tok.line
                assert opener is not None
                keyword, line = opener
                raise self.error(line, f"unexpected EOF: {{{{{keyword}}}}} at line {line} has no matching {{{{end}}}}")
            word = self.peek()
            if word.kind == lx.KEYWORD:
                self.next()
                if word.value == "end":
                    if top:
                        raise self.error(word.line, "unexpected {{end}}")
                    self.expect(lx.RIGHT, "end")
                    return nodes, "end", word.line
                if word.value == "else":
                    if top:
                        raise self.error(word.line, "unexpected {{else}}")
                    return nodes, "else", word.line
                if word.value == "define":
                    if not top:
                        raise self.error(word.line, "unexpected <define> in command")
                    self.parse_definition(word.line)
                else:
                    nodes.append(self.parse_keyword(word))
                continue
            nodes.append(ActionNode(self.pipeline("command", lx.RIGHT, tok.line), tok.line))

    def parse_keyword(self, word: lx.Token) -> Node:
        kw, line = word.value, word.line
        if kw in ("if", "with", "range"):
            return self.parse_control(kw, line)
        if kw == "template":
            return self.parse_template_call(line)
        if kw == "block":
            name = self.expect(lx.STRING, "block clause")
            mark = len(self.vars)
            pipe = self.pipeline("block clause", lx.RIGHT, line)
            self.vars[mark:] = []
            saved_vars, saved_range = self.vars, self.range_depth
            self.vars, self.range_depth = ["$"], 0
            body, term, _ = self.item_list(opener=("block", line))
            self.vars, self.range_depth = saved_vars, saved_range
            if term != "end":
                raise self.error(line, "unexpected {{else}} in block clause")
            self.add_define(name.value, body)
            return TemplateNode(name.value, pipe, line)
        if kw in ("break", "continue"):
            self.expect(lx.RIGHT, kw)
            if not self.range_depth:
                raise self.error(line, f"{{{{{kw}}}}} outside {{{{range}}}}")
            return BreakNode(line) if kw == "break" else ContinueNode(line)
        raise self.error(line, f"unexpected <{kw}> in command")

    def parse_definition(self, line: int) -> None:
        name = self.expect(lx.STRING, "define clause")
        self.expect(lx.RIGHT, "define clause")
        saved_vars, saved_range = self.vars, self.range_depth
        self.vars, self.range_depth = ["$"], 0
        body, term, _ = self.item_list(opener=("define", line))
        self.vars, self.range_depth = saved_vars, saved_range
        if term != "end":
            raise self.error(line, "unexpected {{else}} in define clause")
        self.add_define(name.value, body)

    def add_define(self, name: str, body: list[Node]) -> None:
        tree = Tree(name, body, self.name)
        existing = self.defines.get(name)
        if existing is None or not tree.is_empty():
            self.defines[name] = tree

    def parse_control(self, kw: str, line: int) -> Node:
        mark = len(self.vars)
        pipe = self.pipeline(kw, lx.RIGHT, line)
        if kw == "range":
            self.range_depth += 1
        body, term, _ = self.item_list(opener=(kw, line))
        if kw == "range":
            self.range_depth -= 1
        else_body: list[Node] | None = None
        if term == "else":
            follow = self.peek()
            if kw in ("if", "with") and follow.kind == lx.KEYWORD and follow.value == kw:
                self.next()
                else_body = [self.parse_control(kw, follow.line)]
            else:
                self.expect(lx.RIGHT, "else")
                else_body, term, _ = self.item_list(opener=(kw, line))
                if term != "end":
                    raise self.error(line, "expected end; found {{else}}")
        self.vars[mark:] = []
        if kw == "if":
            return IfNode(pipe, body, else_body, line)
        if kw == "with":
            return WithNode(pipe, body, else_body, line)
        return RangeNode(pipe, body, else_body, line)

    def parse_template_call(self, line: int) -> Node:
        name = self.next()
        if name.kind != lx.STRING:
            raise self.unexpected(name, "template clause")
        pipe = None
        if self.peek().kind != lx.RIGHT:
            pipe = self.pipeline("template clause", lx.RIGHT, line)
        else:
            self.next()
        return TemplateNode(name.value, pipe, line)

    # -- pipelines -----------------------------------------------------
    def pipeline(self, context: str, end: str, line: int) -> PipeNode:
        pipe = PipeNode([], False, [], line)
        first = self.peek()
        if first.kind == lx.VAR:
            save = self.i
            self.next()
            after = self.peek()
            if after.kind in (lx.DECLARE, lx.ASSIGN):
                self.next()
                pipe.is_assign = after.kind == lx.ASSIGN
                if pipe.is_assign and first.value not in self.vars:
                    raise self.error(first.line, f"undefined variable {first.value!r}")
                pipe.decl.append(first.value)
                self.vars.append(first.value)
            elif after.kind == lx.COMMA and context == "range":
                self.next()
                second = self.next()
                if second.kind != lx.VAR:
                    raise self.error(second.line, "range can only initialize variables")
                op = self.next()
                if op.kind != lx.DECLARE:
                    raise self.error(op.line, "range can only initialize variables")
                pipe.decl += [first.value, second.value]
                self.vars += [first.value, second.value]
            elif after.kind == lx.COMMA:
                raise self.error(after.line, f"too many declarations in {context}")
            else:
                self.i = save
        while True:
            tok = self.peek()
            if tok.kind == end:
                self.next()
                if not pipe.cmds:
                    raise self.error(tok.line, f"missing value for {context}")
                return pipe
            if tok.kind in _OPERAND_START:
                pipe.cmds.append(self.command())
                continue
            self.next()
            raise self.unexpected(tok, context)

    def command(self) -> CommandNode:
        cmd = CommandNode([], self.peek().line)
        while True:
            operand = self.operand()
            if operand is not None:
                cmd.args.append(operand)
            tok = self.peek()
            if tok.kind in (lx.RIGHT, lx.RPAREN):
                break
            if tok.kind == lx.PIPE:
                self.next()
                break
            if operand is None or not tok.spaced:
                self.next()
                raise self.unexpected(tok, "operand")
        if not cmd.args:
            raise self.error(cmd.line, "empty command")
        return cmd

    def operand(self) -> Node | None:
        node = self.term()
        if node is None or self.peek().kind != lx.FIELD or self.peek().spaced:
            return node
        names: list[str] = []
        while self.peek().kind == lx.FIELD and not self.peek().spaced:
            names.append(self.next().value[1:])
        if isinstance(node, FieldNode):
            return FieldNode(node.names + names, node.line)
        if isinstance(node, VariableNode):
            return VariableNode(node.name, node.names + names, node.line)
        if isinstance(node, (ConstNode, NilNode, DotNode)):
            raise self.error(node.line, "unexpected . after term")
        return ChainNode(node, names, node.line)

    def term(self) -> Node | None:
        tok = self.next()
        kind, line = tok.kind, tok.line
        if kind == lx.IDENT:
            if tok.value not in self.funcs:
                raise self.error(line, f'function "{tok.value}" not defined')
            return IdentifierNode(tok.value, line)
        if kind == lx.DOT:
            return DotNode(line)
        if kind == lx.NIL:
            return NilNode(line)
        if kind == lx.VAR:
            if tok.value not in self.vars:
                raise self.error(line, f'undefined variable "{tok.value}"')
            return VariableNode(tok.value, [], line)
        if kind == lx.FIELD:
            return FieldNode([tok.value[1:]], line)
        if kind == lx.BOOL:
            return ConstNode(tok.value == "true", line)
        if kind == lx.CHAR:
            return ConstNode(ord(tok.value), line)
        if kind == lx.NUMBER:
            return ConstNode(parse_number(tok.value, self.name, line), line)
        if kind == lx.STRING:
            return ConstNode(tok.value, line)
        if kind == lx.LPAREN:
            return self.pipeline("parenthesized pipeline", lx.RPAREN, line)
        self.i -= 1
        return None


def parse_template(name: str, src: str, funcs: Container[str]) -> dict[str, Tree]:
    """Parse ``src`` as template ``name``; raises TemplateError(kind="parse")."""
    return Parser(name, src, funcs).parse()
