"""jsontext.dumps writes exactly what json.dumps(indent=2, ensure_ascii=False) writes."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from readycheck import jsontext

scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text()
keys = st.text() | st.integers() | st.booleans() | st.none() | st.floats(allow_nan=False)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4),
                      max_leaves=30)


@given(values)
def test_same_text_as_the_standard_library(value: Any) -> None:
    assert jsontext.dumps(value) == json.dumps(value, indent=2, ensure_ascii=False)


def test_tuples_are_lists_and_odd_floats_are_spelled_as_json_does() -> None:
    value = {"a": (1, "é"), "b": [float("nan"), float("inf"), -0.0], "c": {}, "d": []}
    assert jsontext.dumps(value) == json.dumps(value, indent=2, ensure_ascii=False)


def test_what_json_cannot_encode_is_refused() -> None:
    with pytest.raises(TypeError):
        jsontext.dumps({"a": object()})
