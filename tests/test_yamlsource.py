"""yamlsource: YAML 1.2 scalars, tags left alone, and a location for every key, item and value."""

from __future__ import annotations

import math

import pytest

from readycheck.model import Span
from readycheck.yamlsource import load_yaml_documents


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", None), ("~", None), ("null", None), ("Null", None), ("NULL", None), ("nULL", "nULL"),
        ("true", True), ("True", True), ("TRUE", True), ("false", False), ("FALSE", False),
        ("on", "on"), ("yes", "yes"), ("no", "no"), ("off", "off"), ("nothing", "nothing"), ("tag", "tag"),
        ("12", 12), ("-7", -7), ("+3", 3), ("007", 7), ("0o17", 15), ("0x1F", 31), ("0b101", "0b101"),
        ("1.5", 1.5), ("-.5", -0.5), ("1e3", 1000.0), ("1.", 1.0), (".", "."), ("+", "+"), ("-x", "-x"),
        (".inf", math.inf), ("-.Inf", -math.inf), ("+.inf", math.inf), ("1_000", "1_000"), ("1:30", "1:30"),
        ("2024-01-01", "2024-01-01"), ("v1.2", "v1.2"), ("=", "="),
    ],
)
def test_plain_scalars_resolve_by_yaml_1_2(text: str, expected: object) -> None:
    value = load_yaml_documents(f"key: {text}\n")[0].data["key"]
    assert value == expected
    assert type(value) is type(expected)


def test_nan_and_quoted_and_tagged_scalars() -> None:
    data = load_yaml_documents("a: .nan\nb: 'true'\nc: \"12\"\nd: !!str 12\ne: !Ref 12\nf: !!binary aGk=\n")[0].data
    assert math.isnan(data["a"])
    assert data["b"] == "true" and data["c"] == "12"
    assert data["d"] == 12 and data["e"] == 12  # a standard or custom tag on a plain scalar is not constructed
    assert data["f"] == "aGk="


def test_merge_keys_and_duplicates() -> None:
    text = "base: &b\n  x: 1\n  y: 2\nchild:\n  <<: *b\n  y: 3\n  y: 4\n'<<': quoted\n"
    doc = load_yaml_documents(text)[0]
    assert doc.data["child"] == {"y": 4, "x": 1}
    assert doc.data["<<"] == "quoted"  # only a plain `<<` merges
    assert doc.duplicate_keys == [("y", 7)]


def test_locations_of_keys_items_and_values() -> None:
    text = "spec:\n  items:\n    - name: a\n      image: x\n    - b\n  flow: {k: v}\n"
    doc = load_yaml_documents(text)[0]
    assert doc.locations[()] == Span(1, 1, 6)
    assert doc.locations[("spec",)] == Span(1, 1, 6)
    assert doc.locations[("spec", "items")] == Span(2, 3, 6)  # a block ends where the next key starts
    assert doc.locations[("spec", "items", 0)] == Span(3, 7, 5)
    assert doc.locations[("spec", "items", 0, "image")] == Span(4, 7, 4)
    assert doc.locations[("spec", "items", 1)] == Span(5, 7, 5)
    assert doc.locations[("spec", "flow", "k")] == Span(6, 10, 6)
    assert doc.value_locations[("spec", "items", 0, "image")] == Span(4, 14, 4)
    assert doc.value_locations[("spec", "flow")] == Span(6, 9, 6)
