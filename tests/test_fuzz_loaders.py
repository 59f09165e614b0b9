"""Property tests: whatever the input, nothing escapes the error channel.

A loader returns documents or raises LoadError (load_target turns that into a
ScanError); the engine never raises and never reports a rule crash. CI runs a
modest number of examples; `READYCHECK_FUZZ_PROFILE=long` runs many more, and
bench/fuzz_campaign.py runs the long mutation campaign.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from readycheck.catalog import Catalog
from readycheck.config import Config
from readycheck.discover import Target
from readycheck.evaluate import Evaluator, load_target, select_rules
from readycheck.loaders import LoadContext
from readycheck.orchestrate import scan
from readycheck.shell import parse_script
from readycheck.textio import LoadError, decode
from readycheck.yamlsource import load_yaml_documents

settings.register_profile("ci", max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
settings.register_profile("long", max_examples=20_000, deadline=None, suppress_health_check=list(HealthCheck))
settings.load_profile(os.environ.get("READYCHECK_FUZZ_PROFILE", "ci"))

DOCKER_TOKENS = [
    "FROM ", "alpine:3.20", "node:latest", " AS build", "RUN ", "CMD ", "ENTRYPOINT ", "COPY ", "ADD ", "ENV ",
    "ARG ", "USER ", "LABEL ", "HEALTHCHECK ", "ONBUILD ", "SHELL ", "WORKDIR ", "EXPOSE ", "STOPSIGNAL ",
    "--from=build ", "--mount=type=cache,target=/x ", "--chown=1:1 ", "<<EOF", "<<-EOT", "EOF", "\t", " ", "\n",
    "\\\n", "\\", "`", "# escape=`\n", "# syntax=docker/dockerfile:1\n", "#", "${A:-b}", "$A", "${", "}", "=",
    "\"", "'", "[\"a\", \"b\"]", "[", "]", "&&", "||", "|", ";", "$(", ")", "sh -c \"", "apt-get install -y x",
    "curl -fsSL https://x | sh", "C:\\app\\", "\r\n", "é", "\u2028",
]
YAML_TOKENS = [
    "a", "b: ", ": ", "- ", "  ", "\n", "\t", "[", "]", "{", "}", ",", "&x ", "*x", "<<: ", "!!python/object ",
    "!tag ", "? ", "|", ">-", "'", "\"", "#", "---\n", "...\n", "%YAML 1.2\n", "on", "yes", "0x1F", "1e3", "~",
    "apiVersion: v1\n", "kind: Pod\n", "\r\n", "\ufeff", "é", "\\",
]
SHELL_TOKENS = [
    "echo", " ", "a", "&&", "||", "|", ";", "&", "\n", "$(", ")", "`", "'", "\"", "sh -c ", "bash -c '", "<<EOF\n",
    "EOF\n", ">", ">>", "2>&1", "<(", "{", "}", "(", "((", "))", "[[", "]]", "if ", "then ", "fi", "for i in ",
    "do ", "done", "case x in ", "esac", "$((1+", "${a:-", "\\\n", "=", "export A=", "function f ", "#",
]


def token_text(tokens: list[str]) -> st.SearchStrategy[str]:
    return st.one_of(st.lists(st.sampled_from(tokens), max_size=60).map("".join), st.text(max_size=200))


@pytest.fixture(scope="module")
def evaluator(catalog: Catalog) -> Evaluator:
    config = Config()
    return Evaluator(select_rules(catalog, config), config)


def assert_scan_contract(path: Path, kind: str, evaluator: Evaluator) -> None:
    docs, errors = load_target(Target(path, kind), LoadContext(base=path.parent))
    for error in errors:
        assert not error.message.startswith(("internal error", "input nested too deeply")), error
    for doc in docs:
        _, rule_errors = evaluator.evaluate(doc)
        assert rule_errors == [], rule_errors


@given(token_text(DOCKER_TOKENS))
def test_any_dockerfile_loads_or_is_a_clean_error(tmp_path_factory: pytest.TempPathFactory, evaluator: Evaluator,
                                                  text: str) -> None:
    path = tmp_path_factory.mktemp("df") / "Dockerfile"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    assert_scan_contract(path, "dockerfile", evaluator)


@given(st.binary(max_size=300))
def test_any_bytes_named_dockerfile(tmp_path_factory: pytest.TempPathFactory, evaluator: Evaluator, raw: bytes) -> None:
    path = tmp_path_factory.mktemp("df") / "Dockerfile"
    path.write_bytes(raw)
    assert_scan_contract(path, "dockerfile", evaluator)


@given(token_text(YAML_TOKENS))
def test_any_yaml_parses_or_raises_load_error(text: str) -> None:
    try:
        docs = load_yaml_documents(text)
    except LoadError as exc:
        assert exc.message and (exc.line is None or exc.line >= 1)
        return
    for doc in docs:
        assert all(span.line >= 1 for span in doc.locations.values())


@given(st.binary(max_size=300))
def test_any_bytes_decode_or_raise_load_error(raw: bytes) -> None:
    try:
        text = decode(raw)
    except LoadError:
        return
    assert "\x00" not in text and "\r" not in text


@given(token_text(SHELL_TOKENS))
def test_any_shell_script_parses(text: str) -> None:
    script = parse_script(text)
    for command in script.commands:
        assert 0 <= command.line <= text.count("\n")


@settings(max_examples=25)
@given(st.binary(max_size=400), token_text(DOCKER_TOKENS))
def test_the_engine_never_raises(tmp_path_factory: pytest.TempPathFactory, catalog: Catalog, raw: bytes,
                                 text: str) -> None:
    """A whole scan of arbitrary files: a result always comes back, every problem inside it."""
    root = tmp_path_factory.mktemp("scan")
    (root / "Dockerfile").write_bytes(raw)
    (root / "app.Dockerfile").write_text(text, encoding="utf-8", errors="surrogatepass")
    result = scan(["."], catalog, Config(), base=root,
                  targets=[Target(root / "Dockerfile", "dockerfile"), Target(root / "app.Dockerfile", "dockerfile")])
    assert result.files == 2
    assert not any(e.message.startswith(("internal error", "rule ")) for e in result.errors), result.errors
