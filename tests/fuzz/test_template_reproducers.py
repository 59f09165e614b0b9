"""Reproducers from the Helm-template fuzz campaign."""

from __future__ import annotations

import pytest

from readycheck.helm.errors import TemplateError
from readycheck.helm.executor import Executor, Limits
from readycheck.helm.functions import FUNCS
from readycheck.helm.parser import parse_template


def test_nested_quote_stops_at_the_output_limit_instead_of_doubling_for_ever() -> None:
    """The campaign's one hang: each `quote` escapes the previous quotes, doubling the value."""
    source = "name: {{ .name" + " | quote" * 40 + " }}\n"
    with pytest.raises(TemplateError) as caught:
        trees = parse_template("t", source, FUNCS)
        Executor(trees, FUNCS, Limits(max_output_bytes=1_000_000)).execute("t", {"name": "a"})
    assert caught.value.line == 1
    assert "output limit" in caught.value.message
