"""Lexer for Go text/template source, keeping the line of every token.

Follows Go's rules for ``{{-``/``-}}`` trimming (the dash must be followed or
preceded by a space), comments that must hug the delimiters, and the token
shapes of the action language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import TemplateError

TEXT, IDENT, FIELD, VAR, DOT, STRING, NUMBER, CHAR = "text", "ident", "field", "var", "dot", "string", "number", "char"
BOOL, NIL, PIPE, LPAREN, RPAREN, DECLARE, ASSIGN, COMMA = "bool", "nil", "|", "(", ")", ":=", "=", ","
LEFT, RIGHT, KEYWORD, EOF = "{{", "}}", "keyword", "eof"

KEYWORDS = frozenset({"if", "else", "end", "range", "with", "define", "template", "block", "break", "continue"})
_SPACE_CHARS = " \t\r\n"
_NUMBER = re.compile(
    r"[+-]?(?:0[xX][0-9a-fA-F_]*\.?[0-9a-fA-F_]*(?:[pP][+-]?[0-9]+)?|0[oO][0-7_]+|0[bB][01_]+"
    r"|[0-9][0-9_]*\.?[0-9_]*(?:[eE][+-]?[0-9_]+)?|\.[0-9][0-9_]*(?:[eE][+-]?[0-9_]+)?)i?"
)
_ACTION_TOKEN = re.compile(
    r"(?P<trimright>[ \t\r\n]-\}\})|(?P<right>\}\})|(?P<space>(?:[ \t\r\n](?!-\}\}))+)|(?P<declare>:=)"
    r"|(?P<lparen>\()|(?P<rparen>\))|(?P<pipe>\|)|(?P<comma>,)|(?P<assign>=)"
    r'|(?P<string>"(?:[^"\\\n]|\\.)*")|(?P<raw>`[^`]*`)|(?P<char>\'(?:[^\'\\\n]|\\.)*\')'
    r"|(?P<var>\$[A-Za-z0-9_]*)|(?P<field>\.[A-Za-z_][A-Za-z0-9_]*)|(?P<number>" + _NUMBER.pattern + r")"
    r"|(?P<dot>\.)|(?P<word>[A-Za-z_][A-Za-z0-9_]*)"
)
_SIMPLE_KINDS = {"declare": DECLARE, "pipe": PIPE, "comma": COMMA, "assign": ASSIGN, "var": VAR, "field": FIELD,
                 "dot": DOT}
_ESCAPES = {"n": "\n", "t": "\t", "\\": "\\", '"': '"', "'": "'", "a": "\a", "b": "\b", "f": "\f", "r": "\r", "v": "\v"}


@dataclass(slots=True)
class Token:
    kind: str
    value: str
    line: int
    trim: bool = False  # for LEFT/RIGHT: whether the delimiter trims adjacent space
    spaced: bool = False  # preceded by white space (separates arguments; ``(x).f`` vs ``(x) .f``)


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
        tokens = self.tokens
        spaced = False
        while True:
            match = _ACTION_TOKEN.match(src, self.pos)
            if match is None:
                if self.pos >= len(src):
                    raise self.error("unclosed action")
                self.lex_irregular()
                continue
            kind = match.lastgroup or ""
            text = match.group()
            self.pos = match.end()
            if kind == "space":
                spaced = True
                self.line += text.count("\n")
                continue
            if kind == "trimright":
                self.line += text[0] == "\n"
                if paren_depth:
                    raise self.error("unclosed left paren")
                tokens.append(Token(RIGHT, "}}", self.line, True))
                return True
            elif kind == "right":
                if paren_depth:
                    raise self.error("unclosed left paren")
                tokens.append(Token(RIGHT, "}}", self.line, False))
                return False
            elif kind == "word":
                word_kind = KEYWORD if text in KEYWORDS else BOOL if text in ("true", "false") else NIL if text == "nil" else IDENT
                tokens.append(Token(word_kind, text, self.line))
                self.check_word_end()
            elif kind == "number":
                if not any(c.isdigit() for c in text):
                    raise self.error(f"bad number syntax: {text!r}")
                tokens.append(Token(NUMBER, text, self.line))
                self.check_word_end()
            elif kind == "string":
                tokens.append(Token(STRING, unquote(text[1:-1], '"', self.name, self.line), self.line))
            elif kind == "raw":
                tokens.append(Token(STRING, text[1:-1], self.line))
                self.line += text.count("\n")
            elif kind == "char":
                body = unquote(text[1:-1], "'", self.name, self.line)
                if len(body) != 1:
                    raise self.error("malformed character constant")
                tokens.append(Token(CHAR, body, self.line))
            elif kind == "lparen":
                paren_depth += 1
                tokens.append(Token(LPAREN, "(", self.line))
            elif kind == "rparen":
                paren_depth -= 1
                if paren_depth < 0:
                    raise self.error("unexpected right paren")
                tokens.append(Token(RPAREN, ")", self.line))
            else:
                tokens.append(Token(_SIMPLE_KINDS[kind], text, self.line))
            tokens[-1].spaced = spaced
            spaced = False

    def lex_irregular(self) -> None:
        """Report what the token pattern could not match, with Go's wording."""
        ch = self.src[self.pos]
        if ch == '"':
            raise self.error("unterminated quoted string")
        if ch == "'":
            raise self.error("unterminated character constant")
        if ch == "`":
            raise self.error("unterminated raw quoted string")
        if ch == ":":
            raise self.error("expected :=")
        raise self.error(f"unexpected {ch!r} in command")

    def check_word_end(self) -> None:
        if self.pos < len(self.src):
            nxt = self.src[self.pos]
            if not (nxt in _SPACE_CHARS or nxt in ".,|()=:}" or self.src.startswith("}}", self.pos)):
                raise self.error(f"bad character {nxt!r}")


def tokenize(name: str, src: str) -> list[Token]:
    return Lexer(name, src).run()
