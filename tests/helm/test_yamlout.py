"""Helm's toYaml format (go-yaml v2 via sigs.k8s.io/yaml); expectations follow go-yaml's emitter rules."""

from __future__ import annotations

from typing import Any

import pytest

from readycheck.helm.funcs_helm import to_yaml


@pytest.mark.parametrize(("value", "expected"), [
    ({"b": 1, "a": {"d": [1, 2], "c": {}}}, "a:\n  c: {}\n  d:\n  - 1\n  - 2\nb: 1"),
    ({"port10": 1, "port9": 2, "Port": 3, "a-b": 4, "ab": 5}, "Port: 3\na-b: 4\nab: 5\nport9: 2\nport10: 1"),
    ([{"name": "a", "items": ["x"]}, [1, 2]], "- items:\n  - x\n  name: a\n- - 1\n  - 2"),
    ({"s": "yes", "t": "True", "nul": "null", "i": "123", "f": "1.5", "e": "", "d": "2024-01-01", "o": "0755"},
     'd: "2024-01-01"\ne: ""\nf: "1.5"\ni: "123"\nnul: "null"\no: "0755"\ns: "yes"\nt: "True"'),
    ({"a": "x: y", "b": "- item", "c": "#tag", "d": "trailing ", "e": "*ref", "f": "it's"},
     "a: 'x: y'\nb: '- item'\nc: '#tag'\nd: 'trailing '\ne: '*ref'\nf: it's"),
    ({"tab": "a\tb", "ctl": "bell\a"}, 'ctl: "bell\\a"\ntab: "a\\tb"'),
    ({"k": "one\ntwo"}, "k: |-\n  one\n  two"),
    ({"k": "one\ntwo\n"}, "k: |\n  one\n  two"),
    ({"k": "  lead\n"}, "k: |2\n    lead"),
    ({"k": "trail \nx"}, 'k: "trail \\nx"'),
    ({"num": 2.0, "f": 0.25, "big": 1e6, "neg": -3, "t": True, "z": None}, "big: 1000000\nf: 0.25\nneg: -3\nnum: 2\nt: true\nz: null"),
    ({}, "{}"),
    ([], "[]"),
    ("scalar", "scalar"),
])
def test_to_yaml(value: Any, expected: str) -> None:
    assert to_yaml(value) == expected


def test_long_plain_strings_fold_at_80_columns() -> None:
    words = " ".join(["word"] * 30)
    assert to_yaml({"description": words}) == (
        "description: " + " ".join(["word"] * 14) + "\n  " + " ".join(["word"] * 16))
