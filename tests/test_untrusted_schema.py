"""No JSON Schema evaluation ever retrieves (issue 14, "no JSON Schema evaluation ever retrieves").

Every kind of reference that jsonschema's default registry would follow (http, https, file, a relative
`$ref` against an `$id` base, `$dynamicRef`, a remote `$schema`) is planted in a chart's
values.schema.json, a custom rule's schema and an env schema. A local HTTP server counts the
connections it gets (none), an audit hook records files opened outside the root (none), and a refused
reference is an error entry for its file (or, in an env schema, the ENV002 finding), never a traceback.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.clirun import Run, invoke, write
from tests.test_hostile_rules import write_rule
from tests.untrusted_traps import CountingServer, opens_under

REPO = Path(__file__).resolve().parent.parent
SECRET = "OUTSIDE-SCHEMA-TOKEN-51c0"


@pytest.fixture()
def server() -> Iterator[CountingServer]:
    with CountingServer() as running:
        yield running


@pytest.fixture()
def outside(tmp_path: Path) -> Path:
    """A directory beside the scanned root holding a schema file that a file:// reference names."""
    directory = tmp_path / "outside"
    write(directory, "schema.json", json.dumps({"type": "string", "description": SECRET}))
    return directory


def hostile_schemas(server: CountingServer, outside: Path) -> dict[str, dict[str, object]]:
    """One schema per kind of reference that a default registry would retrieve."""
    base = server.base
    return {
        "http": {"properties": {"image": {"$ref": f"{base}/s.json"}}},
        "https": {"properties": {"image": {"$ref": f"https://127.0.0.1:{server.port}/s.json"}}},
        "file": {"properties": {"image": {"$ref": (outside / "schema.json").as_uri()}}},
        "relative-to-id": {"$id": f"{base}/base/", "properties": {"image": {"$ref": "evil.json"}}},
        "dynamicRef": {"$schema": "https://json-schema.org/draft/2020-12/schema",
                       "properties": {"image": {"$dynamicRef": f"{base}/d.json#meta"}}},
    }


KINDS = ["http", "https", "file", "relative-to-id", "dynamicRef"]


def assert_nothing_fetched(server: CountingServer, opened: list[str]) -> None:
    assert server.connections == 0 and server.requests == [], server.requests
    assert opened == [], "a file outside the scanned root was opened"


def check(root: Path, *args: str) -> Run:
    return invoke(["check", "--no-cache", "--format", "json", *args, "."], root)


CHART = {
    "Chart.yaml": "apiVersion: v2\nname: shop\nversion: 0.1.0\n",
    "values.yaml": "image: nginx\n",
    "templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: shop\ndata:\n  image: {{ .Values.image }}\n",
}


@pytest.mark.parametrize("kind", KINDS)
def test_a_chart_values_schema_never_retrieves(tmp_path: Path, server: CountingServer, outside: Path, kind: str) -> None:
    root = tmp_path / "repo"
    for name, text in CHART.items():
        write(root, f"chart/{name}", text)
    write(root, "chart/values.schema.json", json.dumps(hostile_schemas(server, outside)[kind]))
    with opens_under(outside) as opened:
        run = check(root, "--select", "HELM005")
    assert_nothing_fetched(server, opened)
    assert run.code == 2, run.stderr
    errors = json.loads(run.stdout)["errors"]
    assert [e["path"] for e in errors] == ["chart/values.schema.json"], errors
    assert "never retrieves" in errors[0]["message"]
    assert SECRET not in run.stdout + run.stderr and "Traceback" not in run.stderr


def test_a_remote_meta_schema_is_never_retrieved(tmp_path: Path, server: CountingServer) -> None:
    """`$schema` only names a draft: an unknown one falls back to Helm's draft 7, and the values are still judged."""
    root = tmp_path / "repo"
    for name, text in CHART.items():
        write(root, f"chart/{name}", text)
    write(root, "chart/values.schema.json", json.dumps({"$schema": f"{server.base}/meta.json", "type": "object",
                                                        "properties": {"image": {"type": "integer"}}}))
    run = check(root, "--select", "HELM005")
    assert server.connections == 0
    assert [f["rule"] for f in json.loads(run.stdout)["findings"]] == ["HELM005"]


@pytest.mark.parametrize("kind", [*KINDS, "remote-$schema"])
def test_a_custom_rule_schema_never_retrieves(tmp_path: Path, server: CountingServer, outside: Path, kind: str) -> None:
    root = tmp_path / "repo"
    write(root, "Dockerfile", "FROM alpine:3.20\nUSER 1000\n")
    schemas = hostile_schemas(server, outside)
    schemas["remote-$schema"] = {"$schema": f"{server.base}/meta.json", "properties": {"value": {"type": "string"}}}
    schema = schemas[kind]
    if "properties" in schema and "image" in schema["properties"]:  # type: ignore[operator]
        schema["properties"] = {"value": schema["properties"]["image"]}  # type: ignore[index]
    write_rule(root / "team-rules", 901, "hostile-rule", f"schema: {json.dumps(schema)}\n")
    with opens_under(outside) as opened:
        run = check(root, "--rules", "team-rules")
    assert_nothing_fetched(server, opened)
    assert "Traceback" not in run.stderr
    if kind == "remote-$schema":
        assert run.code in (0, 1), run.stderr  # the draft is only named: nothing to refuse
    else:
        assert run.code == 2 and "XX901-hostile-rule.yaml" in run.stderr and "remote $ref" in run.stderr, run.stderr


@pytest.mark.parametrize("kind", KINDS)
def test_an_env_schema_never_retrieves(tmp_path: Path, server: CountingServer, outside: Path, kind: str) -> None:
    root = tmp_path / "repo"
    schema = hostile_schemas(server, outside)[kind]
    schema["properties"] = {"IMAGE": schema["properties"]["image"]}  # type: ignore[index]
    write(root, ".env.schema.json", json.dumps(schema))
    write(root, ".env.example", "IMAGE=nginx\n")
    with opens_under(outside) as opened:
        run = check(root)
    assert_nothing_fetched(server, opened)
    assert "ENV002" in [f["rule"] for f in json.loads(run.stdout)["findings"]]


@pytest.mark.parametrize("kind", KINDS)
def test_every_validator_refuses_at_evaluation_too(server: CountingServer, outside: Path, kind: str) -> None:
    """The registry itself refuses: a reference the static check missed still fetches nothing."""
    from referencing.exceptions import Unresolvable

    from readycheck import schemaref

    schema = hostile_schemas(server, outside)[kind]
    assert schemaref.outside_references(schema)
    with opens_under(outside) as opened, pytest.raises(Unresolvable):
        list(schemaref.validator(schema).iter_errors({"image": "x"}))
    assert_nothing_fetched(server, opened)


def test_references_inside_the_document_still_resolve() -> None:
    from readycheck import schemaref

    schema = {"$id": "https://example.com/base/", "$defs": {"tag": {"type": "string"},
                                                             "embedded": {"$id": "part.json", "type": "integer"}},
              "properties": {"a": {"$ref": "#/$defs/tag"}, "b": {"$ref": "part.json"}}}
    assert schemaref.outside_references(schema) == []
    errors = list(schemaref.validator(schema).iter_errors({"a": 1, "b": "x"}))
    assert sorted(list(e.absolute_path) for e in errors) == [["a"], ["b"]]


def test_no_validator_is_built_outside_schemaref() -> None:
    """One helper builds every validator: no other module constructs one or asks for a class's default registry."""
    pattern = re.compile(r"Draft\d+Validator\(|validator_for\(|\.check_schema\(|Registry\(")
    offenders = [str(path.relative_to(REPO)) for path in sorted((REPO / "readycheck").rglob("*.py"))
                 if path.name != "schemaref.py" and pattern.search(path.read_text(encoding="utf-8"))]
    assert offenders == []


def test_reference_under_a_keyword_the_draft_does_not_know_is_found() -> None:
    """A draft-7 schema's `$defs` is reached by a JSON pointer: a `$ref` there is an outside reference too
    (it used to surface only while validating, as a crashed HELM005)."""
    from jsonschema import Draft7Validator

    from readycheck.schemaref import outside_references

    schema = {"$defs": {"t": {"$ref": "http://outside.invalid/", "type": "object"}},
              "properties": {"name": {"$ref": "#/$defs/t"}}, "default": {"x": {"$ref": "http://data.invalid/"}}}
    assert outside_references(schema, Draft7Validator) == ["http://outside.invalid/"]
