"""Sprig and Helm functions; expected values follow Sprig's and Helm's documented behaviour."""

from __future__ import annotations

from pathlib import Path

import pytest

from .helpers import render_one

VALUES = """
name: my-app
port: 80
tag: ""
labels: {app: web, tier: front}
list: [b, a, c, a]
ver: "1.2.3"
cfg:
  nested: {x: 1}
  other: keep
nullkey: null
"""

CASES = [
    # defaults and emptiness
    ('{{ .Values.tag | default "latest" }}', "latest"),
    ('{{ .Values.missing | default "d" }}|{{ default "d" .Values.name }}', "d|my-app"),
    ("{{ empty .Values.tag }} {{ empty .Values.labels }} {{ empty 0 }} {{ empty list }} {{ empty \"x\" }}",
     "true false true true false"),
    ('{{ coalesce .Values.tag .Values.missing "third" }}', "third"),
    ('{{ ternary "yes" "no" true }}|{{ true | ternary "a" "b" }}', "yes|a"),
    # strings
    ('{{ "hello world" | trunc 5 }}|{{ trunc -3 "abcdef" }}|{{ "abc-" | trimSuffix "-" }}', "hello|def|abc"),
    ('{{ trimPrefix "v" "v1.2" }}|{{ trim "  x  " }}|{{ trimAll "$" "$5.00$" }}', "1.2|x|5.00"),
    ('{{ replace "-" "_" .Values.name }}|{{ contains "app" .Values.name }}|{{ hasPrefix "my" .Values.name }}'
     '|{{ hasSuffix "x" .Values.name }}', "my_app|true|true|false"),
    ('{{ quote .Values.name }}|{{ squote .Values.name }}|{{ quote 80 }}|{{ .Values.port | quote }}', "\"my-app\"|'my-app'|\"80\"|\"80\""),
    ('{{ quote "a\\"b" }}|{{ quote .Values.missing }}', '"a\\"b"|'),
    ('{{ upper "ab" }}{{ lower "CD" }}|{{ title "hello wide-world" }}|{{ untitle "Hello World" }}', "ABcd|Hello Wide-World|hello world"),
    ('{{ camelcase "http_server" }}|{{ snakecase "FirstName" }}|{{ kebabcase "FirstName" }}', "HttpServer|first_name|first-name"),
    ('{{ repeat 3 "ab" }}|{{ substr 1 3 "hello" }}|{{ nospace "a b\tc" }}|{{ abbrev 5 "hello world" }}', "ababab|el|abc|he..."),
    ('{{ initials "First Try" }}|{{ wrap 5 "aaa bbb ccc" }}|{{ cat "a" 1 nil "b" }}', "FT|aaa\nbbb\nccc|a 1 b"),
    ('{{ "a\\nb" | indent 2 }}|{{ "a\\nb" | nindent 2 }}', "  a\n  b|\n  a\n  b"),
    ('{{ join "," .Values.list }}|{{ splitList "," "a,b" }}|{{ (split "." "a.b")._1 }}|{{ (splitn "." 2 "a.b.c")._1 }}',
     "b,a,c,a|[a b]|b|b.c"),
    ('{{ sortAlpha .Values.list }}|{{ toString 12 }}|{{ toStrings (list 1 "a") }}', "[a a b c]|12|[1 a]"),
    ('{{ plural "one" "many" 2 }}', "many"),
    # regex
    ('{{ regexMatch "^[a-z]+-app$" .Values.name }}|{{ regexFind "[0-9]+" "ab123cd45" }}'
     '|{{ regexFindAll "[0-9]" "a1b2c3" 2 }}', "true|123|[1 2]"),
    ('{{ regexReplaceAll "(a+)(b)" "xaabx" "${2}$1" }}|{{ regexReplaceAllLiteral "a" "banana" "$1" }}'
     '|{{ regexSplit "-" "a-b-c" -1 }}', "xbaax|b$1n$1n$1|[a b c]"),
    # encoding and hashes
    ('{{ b64enc "hello" }}|{{ b64dec "aGVsbG8=" }}|{{ b32enc "hi" }}', "aGVsbG8=|hello|NBUQ===="),
    ('{{ sha256sum "abc" }}', "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
    ('{{ sha1sum "abc" }}|{{ adler32sum "abc" }}', "a9993e364706816aba3e25717850c26c9cd0d89d|38600999"),
    ('{{ toJson .Values.labels }}|{{ toJson (list 1 "<a>" 1.5) }}', '{"app":"web","tier":"front"}|[1,"\\u003ca\\u003e",1.5]'),
    ('{{ (fromJson "{\\"a\\": 2}").a }}|{{ (fromYaml "a: {b: c}").a.b }}|{{ index (fromYamlArray "[x, y]") 1 }}', "2|c|true"),  # go-yaml v2: a plain y is a bool
    ('{{ (fromYaml "a: [").Error | empty | not }}', "true"),
    ('{{ toPrettyJson (dict "a" 1) }}', '{\n  "a": 1\n}'),
    ('{{ toToml (dict "a" 1 "t" (dict "b" "c")) }}', 'a = 1\n\n[t]\n  b = "c"\n'),
    # type inspection
    ('{{ kindOf .Values.labels }} {{ kindOf .Values.list }} {{ kindOf "s" }} {{ kindOf 1 }} {{ kindOf .Values.port }}',
     "map slice string int float64"),
    ('{{ kindIs "map" .Values.labels }} {{ typeOf .Values.list }} {{ typeIs "string" .Values.name }}',
     "true []interface {} true"),
    ('{{ deepEqual (list 1 2) (list 1 2) }} {{ deepEqual 1 1.0 }}', "true false"),
    # dicts
    ('{{ $d := dict "a" 1 "b" 2 }}{{ get $d "a" }}|{{ get $d "z" }}|{{ hasKey $d "b" }}|{{ keys $d }}|{{ values $d }}',
     "1||true|[a b]|[1 2]"),
    ('{{ $d := dict "a" 1 }}{{ $_ := set $d "b" 2 }}{{ $_ := unset $d "a" }}{{ toJson $d }}', '{"b":2}'),
    ('{{ toJson (pick .Values.labels "app") }}|{{ toJson (omit .Values.labels "app") }}', '{"app":"web"}|{"tier":"front"}'),
    ('{{ pluck "a" (dict "a" 1) (dict "b" 2) (dict "a" 3) }}', "[1 3]"),
    ('{{ toJson (merge (dict "a" 1 "n" (dict "x" 1)) (dict "a" 2 "b" 3 "n" (dict "y" 2))) }}',
     '{"a":1,"b":3,"n":{"x":1,"y":2}}'),
    # mergo WithOverride on maps: any source value wins, a zero too (Helm 4.2)
    ('{{ toJson (mergeOverwrite (dict "a" 1 "keep" 1) (dict "a" 2 "keep" 0)) }}', '{"a":2,"keep":0}'),
    ('{{ $c := deepCopy .Values.cfg }}{{ $_ := set $c "other" "changed" }}{{ .Values.cfg.other }}', "keep"),
    ('{{ dig "cfg" "nested" "x" "none" .Values }}|{{ dig "cfg" "nope" "none" .Values }}', "1|none"),
    # lists
    ('{{ append .Values.list "d" }}|{{ prepend (list 1) 0 }}|{{ concat (list 1) (list 2 3) }}', "[b a c a d]|[0 1]|[1 2 3]"),
    ('{{ first .Values.list }} {{ last .Values.list }} {{ rest (list 1 2 3) }} {{ initial (list 1 2 3) }}', "b a [2 3] [1 2]"),
    ('{{ uniq .Values.list }} {{ without .Values.list "a" }} {{ has "c" .Values.list }} {{ reverse (list 1 2) }}',
     "[b a c] [b c] true [2 1]"),
    ('{{ compact (list "a" "" 0 "b") }} {{ chunk 2 (list 1 2 3) }}', "[a b] [[1 2] [3]]"),
    # math
    ('{{ add 1 2 3 }} {{ add1 5 }} {{ sub 5 7 }} {{ mul 2 3 }} {{ div 7 2 }} {{ mod -7 3 }} {{ max 1 9 3 }} {{ min 4 2 }}',
     "6 6 -2 6 3 -1 9 2"),
    ('{{ floor 1.7 }} {{ ceil 1.2 }} {{ round 2.555 2 }} {{ int "42" }} {{ int64 3.9 }} {{ float64 "1.5" }} {{ atoi "x" }}',
     "1 2 2.56 42 3 1.5 0"),
    ('{{ until 3 }} {{ untilStep 0 10 4 }} {{ seq 3 }} {{ seq 5 -2 1 }}', "[0 1 2] [0 4 8] 1 2 3 5 3 1"),
    ('{{ addf 1.5 2 }} {{ mulf 2 2.5 }} {{ divf 1 4 }}', "3.5 5 0.25"),
    # semver
    ('{{ semverCompare ">=1.19-0" .Capabilities.KubeVersion.GitVersion }}|{{ semverCompare "<1.19" "1.30.0" }}'
     '|{{ semverCompare "^1.2.0" .Values.ver }}|{{ semverCompare "~1.3" "1.3.9" }}', "true|false|true|true"),
    ('{{ (semver "1.2.3-beta.1+b5").Major }} {{ (semver .Values.ver).Minor }} {{ (semver "v2.0.1").Prerelease }}', "1 2 "),
    # paths and urls
    ('{{ base "a/b/c.txt" }} {{ dir "a/b/c.txt" }} {{ ext "c.tar.gz" }} {{ clean "a//b/../c" }} {{ isAbs "/x" }}',
     "c.txt a/b .gz a/c true"),
    ('{{ (urlParse "https://u@h.example:8443/p?q=1#f").host }} {{ urlJoin (dict "scheme" "http" "host" "h" "path" "/x") }}',
     "h.example:8443 http://h/x"),
    # Helm functions and objects
    ('{{ toYaml .Values.labels }}', "app: web\ntier: front"),
    ('{{ toYaml .Values.list }}', "- b\n- a\n- c\n- a"),
    ('{{ toYaml (dict "s" "true" "n" "" "m" "a: b" "i" 1.0 "f" 1.5 "z" nil) }}',
     "f: 1.5\ni: 1\nm: 'a: b'\n\"n\": \"\"\ns: \"true\"\nz: null"),
    ('{{ toYaml (dict "multi" "line1\\nline2\\n") }}', "multi: |\n  line1\n  line2"),
    ('{{ required "need name" .Values.name }}', "my-app"),
    ('{{ tpl "{{ .Values.name }}-{{ .Release.Name }}" . }}', "my-app-release-name"),
    ('{{ lookup "v1" "Secret" "ns" "name" | toJson }}', "{}"),
    ('{{ .Release.Name }} {{ .Release.Namespace }} {{ .Release.Service }} {{ .Release.Revision }} {{ .Release.IsInstall }}'
     ' {{ .Release.IsUpgrade }}', "release-name default Helm 1 true false"),
    ('{{ .Chart.Name }} {{ .Chart.Version }} {{ .Chart.AppVersion }} {{ .Chart.APIVersion }}', "demo 1.2.3 4.5 v2"),
    # Helm offers group/versions only offline (no Kinds), extensions/v1beta1 included
    ('{{ .Capabilities.KubeVersion.Version }} {{ .Capabilities.KubeVersion.Major }}.{{ .Capabilities.KubeVersion.Minor }}'
     ' {{ .Capabilities.APIVersions.Has "apps/v1" }} {{ .Capabilities.APIVersions.Has "apps/v1/Deployment" }}'
     ' {{ .Capabilities.APIVersions.Has "extensions/v1beta1" }}', "v1.30.0 1.30 true false true"),
    ("{{ .Template.Name }} {{ .Template.BasePath }}", "demo/templates/t.yaml demo/templates"),
    ('{{ .Files.Get "files/a.txt" }}|{{ .Files.Lines "files/a.txt" }}|{{ range $p, $_ := .Files.Glob "files/*.txt" }}{{ $p }};{{ end }}',
     "one\ntwo\n|[one two]|files/a.txt;files/b.txt;"),
    ('{{ (.Files.Glob "files/b.txt").AsConfig }}|{{ (.Files.Glob "files/b.txt").AsSecrets }}', "b.txt: bee|b.txt: YmVl"),
    # placeholders are deterministic
    ('{{ now | date "2006-01-02" }} {{ htmlDate now }} {{ len (randAlphaNum 8) }}', "2024-01-01 2024-01-01 8"),
    ('{{ (genCA "x" 365).Cert | contains "BEGIN CERTIFICATE" }} {{ genPrivateKey "rsa" | contains "PRIVATE KEY" }}', "true true"),
]

FILES = {"files/a.txt": "one\ntwo\n", "files/b.txt": "bee"}


@pytest.mark.parametrize(("template", "expected"), CASES)
def test_function(tmp_path: Path, template: str, expected: str) -> None:
    text, errors = render_one(tmp_path / "c", template, VALUES, files=FILES)
    assert errors == []
    assert text == expected


def test_random_functions_are_seeded(tmp_path: Path) -> None:
    template = "{{ randAlphaNum 12 }} {{ uuidv4 }} {{ randNumeric 4 }}"
    first, _ = render_one(tmp_path / "a", template)
    second, _ = render_one(tmp_path / "b", template)
    assert first == second


def test_env_is_removed_as_in_helm(tmp_path: Path) -> None:
    _, errors = render_one(tmp_path / "c", '{{ env "HOME" }}')
    assert errors and 'function "env" not defined' in errors[0].message


def test_fail_and_required_carry_the_chart_message(tmp_path: Path) -> None:
    _, errors = render_one(tmp_path / "a", 'x: 1\n{{ required "image.tag is required" .Values.image }}')
    assert [(e.path, e.line, e.message) for e in errors] == [("templates/t.yaml", 2, "image.tag is required")]
    _, errors = render_one(tmp_path / "b", '\n\n{{ fail "unsupported mode" }}')
    assert [(e.line, e.message) for e in errors] == [(3, "unsupported mode")]


def test_nil_maps_are_readable_like_go_nil_maps(tmp_path: Path) -> None:
    template = '{{ $d := (lookup "v1" "Secret" "ns" "n").data }}{{ hasKey $d "k" }}|{{ get $d "k" }}|{{ keys $d }}|{{ pick $d "k" }}'
    text, errors = render_one(tmp_path / "c", template)
    assert errors == []
    assert text == "false||[]|map[]"
