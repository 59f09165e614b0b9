"""Lexer for Go text/template source, keeping the line of every token.

Follows Go's rules for ``{{-``/``-}}`` trimming (the dash must be followed or
preceded by a space), comments that must hug the delimiters, and the token
shapes of the action language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import TemplateError

TEXT, SPACE, IDENT, FIELD, VAR, DOT, STRING, NUMBER, CHAR = "text", "space", "ident", "field", "var", "dot", "string", "number", "char"
BOOL, NIL, PIPE, LPAREN, RPAREN, DECLARE, ASSIGN, COMMA = "bool", "nil", "|", "(", ")", ":=", "=", ","
LEFT, RIGHT, KEYWORD, EOF = "{{", "}}", "keyword", "eof"

KEYWORDS = frozenset({"if", "else", "end", "range", "with", "define", "template", "block", "break", "continue"})
_SPACE_CHARS = " \t\r\n"
_NUMBER = re.compile(
    r"[+-]?(?:0[xX][0-9a-fA-F_]*\.?[0-9a-fA-F_]*(?:[pP][+-]?[0-9]+)?|0[oO][0-7_]+|0[bB][01_]+"
    r"|[0-9][0-9_]*\.?[0-9_]*(?:[eE][+-]?[0-9_]+)?|\.[0-9][0-9_]*(?:[eE][+-]?[0-9_]+)?)i?"
)
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_VAR = re.compile(r"\$[A-Za-z0-9_]*")
_FIELD = re.compile(r"\.[A-Za-z0-9_]+")
_ESCAPES = {"n": "\n", "t": "\t", "\\": "\\", '"': '"', "'": "'", "a": "\a", "b": "\b", "f": "\f", "r": "\r", "v": "\v"}


@dataclass(slots=True)
class Token:
    kind: str
    value: str
    line: int
    trim: bool = False  # for LEFT/RIGHT: whether the delimiter trims adjacent space


def unquote(body: str, quote: str, name: str, line: int) -> str:
    """Decode a Go interpreted string or rune literal body (without the quotes)."""
    if "\\" not in body:
        return body
    out: list[str] = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch != "\\":
            out.append(ch)
            i += 1
            continue
        if i + 1 >= len(body):
            raise TemplateError(name, line, "invalid syntax in quoted string", "parse")
        esc = body[i + 1]
        if esc in _ESCAPES and (esc != "'" or quote == "'") and (esc != '"' or quote == '"'):
            out.append(_ESCAPES[esc])
            i += 2
        elif esc in "xuU":
            size = {"x": 2, "u": 4, "U": 8}[esc]
            digits = body[i + 2 : i + 2 + size]
            if len(digits) != size or not all(c in "0123456789abcdefABCDEF" for c in digits):
                raise TemplateError(name, line, "invalid syntax in quoted string", "parse")
            out.append(chr(int(digits, 16)))
            i += 2 + size
        elif esc in "01234567":
            digits = body[i + 1 : i + 4]
            if len(digits) != 3 or not all(c in "01234567" for c in digits):
                raise TemplateError(name, line, "invalid syntax in quoted string", "parse")
            out.append(chr(int(digits, 8)))
            i += 4
        else:
            raise TemplateError(name, line, "invalid syntax in quoted string", "parse")
    return "".join(out)


class Lexer:
    """Turns template text into a flat token list (text and action tokens)."""

    def __init__(self, name: str, src: str) -> None:
        self.name = name
        self.src = src
        self.pos = 0
        self.line = 1
        self.tokens: list[Token] = []

    def error(self, message: str) -> TemplateError:
        return TemplateError(self.name, self.line, message, "parse")

    def run(self) -> list[Token]:
        src = self.src
        trim_next_text = False
        while True:
            start = src.find("{{", self.pos)
            end = len(src) if start < 0 else start
            text = src[self.pos : end]
            trim_left = start >= 0 and src.startswith("{{-", start) and start + 3 < len(src) and src[start + 3] in _SPACE_CHARS
            text_line = self.line
            self.line += text.count("\n")
            if trim_next_text:
                stripped = text.lstrip(_SPACE_CHARS)
                text_line += text.count("\n", 0, len(text) - len(stripped))
                text = stripped
            if trim_left:
                text = text.rstrip(_SPACE_CHARS)
            if text:
                self.tokens.append(Token(TEXT, text, text_line))
            if start < 0:
                break
            self.pos = start + (4 if trim_left else 2)
            trim_next_text = self.lex_action(trim_left)
        self.tokens.append(Token(EOF, "", self.line))
        return self.tokens

    def lex_action(self, trim_left: bool) -> bool:
        """Lex one ``{{ ... }}``; returns whether the closing delimiter trims."""
        src = self.src
        if src.startswith("/*", self.pos):
            close = src.find("*/", self.pos + 2)
            if close < 0:
                raise self.error("unclosed comment")
            self.line += src.count("\n", self.pos, close)
            self.pos = close + 2
            if src.startswith("}}", self.pos):
                self.pos += 2
                return False
            if src.startswith(" -}}", self.pos) or (src[self.pos : self.pos + 1] in ("\t", "\r", "\n") and src.startswith("-}}", self.pos + 1)):
                self.line += src.count("\n", self.pos, self.pos + 1)
                self.pos += 4
                return True
            raise self.error("comment ends before closing delimiter")
        self.tokens.append(Token(LEFT, "{{", self.line, trim_left))
        paren_depth = 0
        while True:
            if self.pos >= len(src):
                raise self.error("unclosed action")
            ch = src[self.pos]
            if ch in _SPACE_CHARS:
                if src.startswith("-}}", self.pos + 1):
                    self.line += ch == "\n"
                    self.pos += 4
                    self.tokens.append(Token(RIGHT, "}}", self.line, True))
                    return True
                begin = self.pos
                while self.pos < len(src) and src[self.pos] in _SPACE_CHARS:
                    self.pos += 1
                self.line += src.count("\n", begin, self.pos)
                self.tokens.append(Token(SPACE, " ", self.line))
                continue
            if src.startswith("}}", self.pos):
                if paren_depth:
                    raise self.error("unclosed left paren")
                self.pos += 2
                self.tokens.append(Token(RIGHT, "}}", self.line, False))
                return False
            if ch == "(":
                paren_depth += 1
                self.push(LPAREN, "(", 1)
            elif ch == ")":
                paren_depth -= 1
                if paren_depth < 0:
                    raise self.error("unexpected right paren")
                self.push(RPAREN, ")", 1)
            elif ch == "|":
                self.push(PIPE, "|", 1)
            elif ch == ",":
                self.push(COMMA, ",", 1)
            elif ch == "=":
                self.push(ASSIGN, "=", 1)
            elif ch == ":":
                if not src.startswith(":=", self.pos):
                    raise self.error("expected :=")
                self.push(DECLARE, ":=", 2)
            elif ch == '"':
                self.lex_quoted('"', STRING)
            elif ch == "'":
                self.lex_quoted("'", CHAR)
            elif ch == "`":
                close = src.find("`", self.pos + 1)
                if close < 0:
                    raise self.error("unterminated raw quoted string")
                body = src[self.pos + 1 : close]
                self.tokens.append(Token(STRING, body, self.line))
                self.line += body.count("\n")
                self.pos = close + 1
            elif ch == "$":
                match = _VAR.match(src, self.pos)
                assert match is not None
                self.push(VAR, match.group(), len(match.group()))
            elif ch == "." and not (self.pos + 1 < len(src) and src[self.pos + 1].isdigit()):
                field = _FIELD.match(src, self.pos)
                if field:
                    self.push(FIELD, field.group(), len(field.group()))
                else:
                    self.push(DOT, ".", 1)
            elif ch.isdigit() or ch in "+-.":
                number = _NUMBER.match(src, self.pos)
                if not number or not any(c.isdigit() for c in number.group()):
                    raise self.error(f"bad number syntax: {src[self.pos : self.pos + 10]!r}")
                self.push(NUMBER, number.group(), len(number.group()))
                self.check_word_end()
            elif ch.isalpha() or ch == "_":
                word = _WORD.match(src, self.pos)
                assert word is not None
                text = word.group()
                kind = KEYWORD if text in KEYWORDS else BOOL if text in ("true", "false") else NIL if text == "nil" else IDENT
                self.push(kind, text, len(text))
                self.check_word_end()
            else:
                raise self.error(f"unexpected {ch!r} in command")

    def push(self, kind: str, value: str, width: int) -> None:
        self.tokens.append(Token(kind, value, self.line))
        self.pos += width

    def check_word_end(self) -> None:
        if self.pos < len(self.src):
            nxt = self.src[self.pos]
            if not (nxt in _SPACE_CHARS or nxt in ".,|()=:}" or self.src.startswith("}}", self.pos)):
                raise self.error(f"bad character {nxt!r}")

    def lex_quoted(self, quote: str, kind: str) -> None:
        src = self.src
        i = self.pos + 1
        while i < len(src):
            ch = src[i]
            if ch == "\\":
                i += 2
                continue
            if ch == "\n":
                break
            if ch == quote:
                body = unquote(src[self.pos + 1 : i], quote, self.name, self.line)
                if kind == CHAR and len(body) != 1:
                    raise self.error("malformed character constant")
                self.tokens.append(Token(kind, body, self.line))
                self.pos = i + 1
                return
            i += 1
        raise self.error("unterminated quoted string" if quote == '"' else "unterminated character constant")


def tokenize(name: str, src: str) -> list[Token]:
    return Lexer(name, src).run()
