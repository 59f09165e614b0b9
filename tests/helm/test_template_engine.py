"""Go text/template semantics; expected strings follow Go's documented behaviour."""

from __future__ import annotations

from pathlib import Path

import pytest

from .helpers import render_one

VALUES = """
name: web
million: 1000000
port: 8080
ratio: 0.5
enabled: false
empty: ""
list: [a, b, c]
map: {zeta: 1, alpha: 2, mid: 3}
nested: {a: {b: deep}}
nums: [3, 1, 2]
"""

CASES = [
    # whitespace trimming and comments
    ("a  {{- 1 -}}  b", "a1b"),
    ("a {{/* note */}} b", "a  b"),
    ("a\n{{- /* note */ -}}\nb", "ab"),
    ("x{{- \n.Values.name -}}\ny", "xweby"),
    ("{{ 3 }} \n {{- 4 }}", "34"),
    # literals
    ("{{ \"a\\tb\" }}|{{ `raw\\n` }}|{{ 'a' }}|{{ 0x1F }}|{{ 1.5 }}|{{ true }}", "a\tb|raw\\n|97|31|1.5|true"),
    # variables
    ("{{ $x := 1 }}{{ $x = 2 }}{{ $x }}", "2"),
    ("{{ $x := .Values.name }}{{ if true }}{{ $x = \"in\" }}{{ end }}{{ $x }}", "in"),
    ("{{ $.Values.name }}", "web"),
    # if / else if / else
    ("{{ if .Values.enabled }}on{{ else if .Values.name }}named{{ else }}off{{ end }}", "named"),
    ("{{ if .Values.empty }}y{{ else }}n{{ end }}", "n"),
    ("{{ if \"0\" }}str{{ end }}{{ if 0 }}zero{{ end }}{{ if .Values.map }}map{{ end }}{{ if list }}l{{ end }}", "strmap"),
    ("{{ if $v := .Values.name }}{{ $v }}{{ end }}", "web"),
    # with
    ("{{ with .Values.nested.a }}{{ .b }}{{ end }}", "deep"),
    ("{{ with .Values.missing }}x{{ else }}none{{ end }}", "none"),
    ("{{ with .Values.missing }}x{{ else with .Values.name }}{{ . }}{{ end }}", "web"),
    # range
    ("{{ range .Values.list }}[{{ . }}]{{ end }}", "[a][b][c]"),
    ("{{ range $i, $v := .Values.list }}{{ $i }}={{ $v }} {{ end }}", "0=a 1=b 2=c "),
    ("{{ range $k, $v := .Values.map }}{{ $k }}:{{ $v }} {{ end }}", "alpha:2 mid:3 zeta:1 "),
    ("{{ range $v := .Values.map }}{{ $v }}{{ end }}", "231"),
    ("{{ range 3 }}{{ . }}{{ end }}", "012"),
    ("{{ range .Values.missing }}x{{ else }}empty{{ end }}", "empty"),
    ("{{ range .Values.list }}{{ if eq . \"b\" }}{{ continue }}{{ end }}{{ . }}{{ end }}", "ac"),
    ("{{ range .Values.list }}{{ if eq . \"b\" }}{{ break }}{{ end }}{{ . }}{{ end }}", "a"),
    ("{{ range .Values.list }}{{ $.Values.name }}{{ end }}", "webwebweb"),
    # define / template / block
    ("{{ define \"x\" }}X{{ . }}{{ end }}{{ template \"x\" 1 }}{{ template \"x\" }}", "X1X"),
    ("{{ block \"b\" .Values.name }}[{{ . }}]{{ end }}", "[web]"),
    ("{{ define \"inc\" }}<{{ .Values.name }}>{{ end }}{{ include \"inc\" . | upper }}", "<WEB>"),
    # missing keys: Go prints <no value>, Helm strips it
    ("[{{ .Values.missing }}]", "[]"),
    ("[{{ .Release.Nope }}]", "[]"),
    # field chains and parentheses
    ("{{ (dict \"a\" (dict \"b\" \"c\")).a.b }}", "c"),
    ("{{ $m := .Values.nested }}{{ $m.a.b }}", "deep"),
    ("{{ (.Values.nested).a.b }}", "deep"),
    ("[{{ (.Values.missing).x }}]{{ $m := .Values.missing }}[{{ $m.x }}]", "[][]"),
    ("{{ .Values.name | printf \"%s-%s\" \"x\" }}", "x-web"),
    # comparisons
    ("{{ eq 1 2 1 }} {{ eq \"a\" \"b\" }} {{ ne 1 2 }} {{ eq .Values.missing nil }}", "true false true true"),
    ("{{ lt 1 2 }} {{ le 2 2 }} {{ gt \"b\" \"a\" }} {{ ge 1.5 2.5 }}", "true true true false"),
    ("{{ eq .Values.port 8080.0 }}", "true"),
    # and / or return operands and short-circuit
    ("{{ and 1 0 2 }}|{{ and 1 2 }}|{{ or 0 \"\" \"z\" }}|{{ or 0 \"\" }}", "0|2|z|"),
    ("{{ and 0 (fail \"never evaluated\") }}|{{ or 1 (fail \"never\") }}", "0|1"),
    ("{{ not 0 }} {{ not \"x\" }}", "true false"),
    # len, index, slice
    ("{{ len \"héllo\" }} {{ len .Values.list }} {{ len .Values.map }}", "6 3 3"),
    ("{{ index .Values.list 1 }} {{ index .Values.map \"mid\" }} {{ index .Values \"nested\" \"a\" \"b\" }}", "b 3 deep"),
    ("{{ slice .Values.list 1 }} {{ slice .Values.list 0 2 }}", "[b c] [a b]"),
    # print family
    ("{{ print \"a\" 1 2 \"b\" }}|{{ println \"x\" 1 }}|", "a1 2b|x 1\n|"),
    ("{{ printf \"%s|%d|%v|%q|%t|%5.2f|%x|%-4s|%03d|%%\" \"a\" 3 .Values.list \"q\" true 3.14159 255 \"ab\" 7 }}",
     "a|3|[a b c]|\"q\"|true| 3.14|ff|ab  |007|%"),
    ("{{ printf \"%d\" .Values.port }}", "%!d(float64=8080)"),
    ("{{ printf \"%s %s\" \"one\" }}", "one %!s(MISSING)"),
    ("{{ printf \"%v\" .Values.map }}", "map[alpha:2 mid:3 zeta:1]"),
    ("{{ html \"<a href='x'>&\" }}", "&lt;a href=&#39;x&#39;&gt;&amp;"),
    ("{{ js \"it's <b>\" }}", "it\\'s \\u003Cb\\u003E"),
    ("{{ urlquery \"a b&c\" }}", "a+b%26c"),
    # numbers from values are float64, as in Helm
    ("{{ .Values.million }} {{ .Values.port }} {{ .Values.ratio }} {{ kindOf .Values.port }}", "1e+06 8080 0.5 float64"),
    ("{{ .Values.million | int }} {{ add .Values.port 1 }}", "1000000 8081"),
]


@pytest.mark.parametrize(("template", "expected"), CASES)
def test_template_semantics(tmp_path: Path, template: str, expected: str) -> None:
    text, errors = render_one(tmp_path / "c", template, VALUES)
    assert errors == []
    assert text == expected


ERROR_CASES = [
    ("line1\n{{ nosuchfunc 1 }}", 2, 'function "nosuchfunc" not defined'),
    ("{{ $undefined }}", 1, "undefined variable"),
    ("a\n\n{{ if true }}x", 3, "unexpected EOF"),
    ("{{ end }}", 1, "unexpected {{end}}"),
    ("{{ break }}", 1, "{{break}} outside {{range}}"),
    ("{{ .Values.nested.a.b.c }}", 1, "can't evaluate field c in type string"),
    ("\n{{ .Values.missing.x }}", 2, "nil pointer evaluating interface {}.x"),
    ("{{ eq 1 \"a\" }}", 1, "incompatible types for comparison"),
    ("{{ lt .Values.port 1 }}", 1, "incompatible types for comparison"),
    ("{{ index .Values.list 7 }}", 1, "index out of range"),
    ("{{ template \"nope\" }}", 1, 'no such template "nope"'),
    ("{{ \"unterminated }}", 1, "unterminated quoted string"),
    ("{{ 1 2 }}", 1, "can't give argument to non-function"),
    ("{{ .Values.name 1 }}", 1, "is not a method but has arguments"),
    ("{{ upper 1 }}", 1, "expected string"),
]


@pytest.mark.parametrize(("template", "line", "message"), ERROR_CASES)
def test_template_errors_are_located(tmp_path: Path, template: str, line: int, message: str) -> None:
    text, errors = render_one(tmp_path / "c", template, VALUES)
    assert text is None
    assert len(errors) == 1
    assert errors[0].path == "templates/t.yaml"
    assert errors[0].line == line
    assert message in errors[0].message
