"""Property: whatever the template text, the engine fails only with TemplateError."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from readycheck.helm.errors import TemplateError
from readycheck.helm.executor import Executor, Limits
from readycheck.helm.functions import FUNCS
from readycheck.helm.parser import parse_template

TOKENS = ["{{", "}}", "{{- ", " -}}", " ", "\n", ".", ".Values", ".a", "$", "$x", ":=", "=", "|", "(", ")", ",",
          "if", "else", "end", "range", "with", "define", "template", "block", "break", "continue", '"t"', "`r`",
          "'c'", "1", "-2", "3.5", "0x1f", "nil", "true", "printf", "\"%d %s\"", "include", "tpl", "toYaml", "index",
          "len", "and", "or", "not", "eq", "lt", "default", "list", "dict", "until", "fail", "required", "nindent",
          "/*", "*/", "x", "\\", '"']

template_text = st.one_of(st.lists(st.sampled_from(TOKENS), max_size=40).map("".join), st.text(max_size=80))
DATA = {"Values": {"a": [1, "two", {"b": None}], "t": "{{ .Values.a }}"}, "a": {"b": 1}}


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(template_text)
def test_engine_raises_only_template_errors(text: str) -> None:
    try:
        trees = parse_template("t", text, FUNCS)
        Executor(trees, FUNCS, Limits(max_output_bytes=1_000_000)).execute("t", DATA)
    except TemplateError as exc:
        assert exc.template and exc.message
