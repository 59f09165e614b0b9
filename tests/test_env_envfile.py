"""The dotenv parser: values, exact positions, and the syntax issues the ENV04x rules report."""

from __future__ import annotations

from readycheck.envfile import parse_env


def test_export_quotes_and_inline_comments() -> None:
    env = parse_env("export A=1\nB='x # y'\nC=\"a\\\"b\" # note\nD=plain # comment\n")
    assert [(e.key, e.value, e.exported) for e in env.entries] == [
        ("A", "1", True), ("B", "x # y", False), ("C", 'a"b', False), ("D", "plain", False)
    ]
    assert env.issues == []


def test_multi_line_double_quoted_value_keeps_its_start_line() -> None:
    env = parse_env("FIRST=1\nKEY=\"line one\nline two\"\nAFTER=2\n")
    key = env.entries[1]
    assert (key.value, key.line, key.value_line, key.value_column) == ("line one\nline two", 2, 2, 5)
    assert env.entries[2].key == "AFTER" and env.entries[2].line == 4


def test_interpolation_is_kept_as_written() -> None:
    env = parse_env("A=${HOME}/x\nB='${HOME}'\nC=\"$USER\"\nD=plain\n")
    assert [(e.value, e.interpolated) for e in env.entries] == [
        ("${HOME}/x", True), ("${HOME}", False), ("$USER", True), ("plain", False)
    ]


def test_syntax_issues_are_reported_with_lines() -> None:
    env = parse_env("A=1\nlower=2\nB = 3\nC=two words\nD='open\nA=4\nE=5  \nNOEQUALS\n")
    codes = {(i.code, i.line) for i in env.issues}
    assert codes == {
        ("lowercase-key", 2), ("space-around-equals", 3), ("unquoted-value-with-spaces", 4),
        ("unbalanced-quotes", 5), ("duplicated-key", 6), ("trailing-whitespace", 7), ("invalid-line", 8),
    }


def test_unclosed_double_quote_does_not_swallow_the_file() -> None:
    env = parse_env("A=\"open\nB=2\n")
    assert [e.key for e in env.entries] == ["A", "B"]
    assert [i.code for i in env.issues] == ["unbalanced-quotes"]
