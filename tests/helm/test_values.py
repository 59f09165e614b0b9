"""Values files, --set syntax and Helm's coalescing rules."""

from __future__ import annotations

from pathlib import Path

from readycheck.helm import load_values_with_lines, render_chart

from .helpers import make_chart, render_one


def test_load_values_with_lines(tmp_path: Path) -> None:
    path = tmp_path / "v.yaml"
    path.write_text("a:\n  b: 1\n  c: [x, y]\nlist:\n  - name: n\nflag: true\n")
    values, lines = load_values_with_lines(path)
    # go-yaml v2, which Helm reads values with, takes a plain y/n for a boolean
    assert values == {"a": {"b": 1.0, "c": ["x", True]}, "list": [{"name": False}], "flag": True}
    assert lines[("a",)] == 1 and lines[("a", "b")] == 2 and lines[("a", "c", 1)] == 3
    assert lines[("list", 0, "name")] == 5 and lines[("flag",)] == 6


def test_set_syntax(tmp_path: Path) -> None:
    template = "{{ toJson .Values }}"
    sets = ["a.b=c,n=10,t=true,z=null,s=012", "list={x,y}", "arr[1].k=v", r"dotted\.key=1"]
    text, errors = render_one(tmp_path / "c", template, "z: gone\n", set_values=sets)
    assert errors == []
    assert text == '{"a":{"b":"c"},"arr":[null,{"k":"v"}],"dotted.key":1,"list":["x","y"],"n":10,"s":"012","t":true}'


def test_set_ints_are_ints_file_numbers_are_floats(tmp_path: Path) -> None:
    text, _ = render_one(tmp_path / "c", "{{ kindOf .Values.a }} {{ kindOf .Values.b }}", "a: 1\n", set_values=["b=2"])
    assert text == "float64 int"


def test_values_files_merge_in_order(tmp_path: Path) -> None:
    root = make_chart(tmp_path / "c", {"t.yaml": "{{ toJson .Values }}"}, "a: 1\nm: {x: 1, y: 2}\nkeep: k\n")
    first = tmp_path / "1.yaml"
    first.write_text("a: 2\nm: {x: 10}\n")
    second = tmp_path / "2.yaml"
    second.write_text("a: 3\nm: {y: null}\n")
    result = render_chart(root, values_files=[first, second])
    assert result.manifests[0].text == '{"a":3,"keep":"k","m":{"x":10}}'
    assert result.chart.values_files == ["values.yaml", str(first), str(second)]


def test_bad_set_and_missing_values_file_are_errors(tmp_path: Path) -> None:
    root = make_chart(tmp_path / "c", {"t.yaml": "x"})
    result = render_chart(root, set_values=["novalue"], values_files=[tmp_path / "missing.yaml"])
    assert sorted(e.kind for e in result.errors) == ["values", "values"]
    assert [m.text for m in result.manifests] == ["x"]
