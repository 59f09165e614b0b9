"""Hostile inputs for the loaders being written on other branches (env, Helm, Kubernetes, compose,
workflows). Each case is skipped, saying so, until its loader module exists, and runs from the moment
it is merged: the same contract as every other hostile case (tests/fuzz/harness.py)."""

from __future__ import annotations

import gzip
import io
import json
import os
import tarfile
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.fuzz.harness import HostileCase, check_case
from tests.test_hostile_side_effects import forbid_side_effects
from tests.test_hostile_yaml import billion_laughs

Writer = Callable[[Path], None]


def files(contents: dict[str, str | bytes]) -> Writer:
    """A directory at the case's path holding `contents` (relative path -> text or bytes)."""

    def write(root: Path) -> None:
        for rel, content in contents.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content)

    return write


def env_file_lines(count: int) -> Writer:
    def write(root: Path) -> None:
        root.mkdir(parents=True, exist_ok=True)
        with (root / ".env").open("w") as fh:
            for index in range(count):
                fh.write(f"KEY_{index}=value{index}\n")

    return write


def schema(properties: dict[str, object], **extra: object) -> str:
    return json.dumps({"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
                       "properties": properties, **extra})


CHART = "apiVersion: v2\nname: hostile\nversion: 0.1.0\n"


def chart(templates: dict[str, str], values: str = "", extra: dict[str, str | bytes] | None = None) -> Writer:
    contents: dict[str, str | bytes] = {"Chart.yaml": CHART, "values.yaml": values}
    contents.update({f"templates/{name}": body for name, body in templates.items()})
    contents.update(extra or {})
    return files(contents)


def tgz(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def gzip_bomb_tgz(size: int) -> bytes:
    """A chart archive whose one member inflates to `size` zero bytes (about 1000:1)."""
    raw = io.BytesIO()
    with gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9) as gz:
        header = tarfile.TarInfo("bomb/templates/zeros.yaml")
        header.size = size
        gz.write(header.tobuf(format=tarfile.GNU_FORMAT))
        block = bytes(1024 * 1024)
        for _ in range(size // len(block)):
            gz.write(block)
        gz.write(bytes(1024))
    return raw.getvalue()


def bomb_chart(root: Path) -> None:
    chart({"cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n"},
          extra={"charts/bomb-0.1.0.tgz": gzip_bomb_tgz(512 * 1024 * 1024)})(root)


def chart_with_outside_link(root: Path) -> None:
    chart({"cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n"})(root)
    outside = root.parent.parent / "outside-secret.yaml"
    outside.write_text("apiVersion: v1\nkind: Secret\nmetadata:\n  name: leaked\nstringData:\n  password: hunter2hunter2\n")
    os.symlink(outside, root / "templates" / "leak.yaml")


ENV = [
    HostileCase("a million-line env file", "m", env_file_lines(1_000_000), "either", loader="env", max_seconds=30),
    HostileCase("a 1 MB key", "m", files({".env": "K" * 1_000_000 + "=x\n"}), "either", loader="env"),
    HostileCase("a recursive $ref schema", "m", files({
        "env.schema.json": schema({"PORT": {"$ref": "#/$defs/loop"}}, **{"$defs": {"loop": {"$ref": "#/$defs/loop"}}}),
        ".env": "PORT=8080\n"}), "either", loader="env"),
    HostileCase("a catastrophic pattern", "m", files({
        "env.schema.json": schema({"NAME": {"type": "string", "pattern": "^(a+)+$"}}),
        ".env": "NAME=" + "a" * 60 + "!\n"}), "either", loader="env"),
    HostileCase("a billion-laughs env schema", "m", files({"env.schema.yaml": billion_laughs()}),
                "error", message="alias", loader="env"),
]
HELM = [
    HostileCase("a self-including template", "m/chart", chart({
        "_helpers.tpl": '{{- define "loop" -}}{{ include "loop" . }}{{- end -}}',
        "cm.yaml": 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ include "loop" . }}\n'}),
        "either", loader="helm"),
    HostileCase("tpl recursion through values", "m/chart", chart(
        {"cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ tpl .Values.name . }}\n"},
        values='name: "{{ tpl .Values.name . }}"\n'), "either", loader="helm"),
    HostileCase("until 1000000000", "m/chart", chart(
        {"cm.yaml": "apiVersion: v1\nkind: ConfigMap\ndata:\n{{- range until 1000000000 }}\n  k{{ . }}: v\n{{- end }}\n"}),
        "either", loader="helm"),
    HostileCase("1 GB of output", "m/chart", chart(
        {"cm.yaml": 'apiVersion: v1\nkind: ConfigMap\ndata:\n  big: {{ repeat 1000000000 "x" | quote }}\n'}),
        "either", loader="helm"),
    HostileCase("a subchart archive with ../ paths", "m/chart", chart(
        {"cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n"},
        extra={"charts/evil-0.1.0.tgz": tgz({"evil/Chart.yaml": CHART.encode(),
                                             "evil/../../../../escaped.yaml": b"pwned: true\n"})}),
        "either", loader="helm"),
    HostileCase("a decompression bomb subchart", "m/chart", bomb_chart, "either", loader="helm"),
    HostileCase("a template linked out of the chart", "m/chart", chart_with_outside_link, "either", loader="helm"),
]
YAML_KINDS = [
    HostileCase(f"billion laughs as a {kind} file", path, files({name: billion_laughs()}), "error",
                message="alias", loader=loader)
    for kind, path, name, loader in [
        ("compose", "m", "compose.yaml", "compose"),
        ("workflow", "m", ".github/workflows/ci.yml", "workflow"),
        ("composite action", "m", "action.yml", "workflow"),
    ]
]


@pytest.mark.parametrize("case", ENV + HELM + YAML_KINDS, ids=lambda c: c.name)
def test_hostile_input_of_a_later_kind(case: HostileCase, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    attempts = forbid_side_effects(monkeypatch)
    check_case(case, tmp_path / "scan", tmp_path_factory.getbasetemp() / "baseline")
    assert attempts == [], f"the scan tried to reach out: {attempts}"


def test_remote_ref_in_an_env_schema_is_never_fetched(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    case = HostileCase("a remote $ref", "m", files({
        "env.schema.json": schema({"PORT": {"$ref": "https://example.com/port.schema.json"}}),
        ".env": "PORT=8080\n"}), "either", loader="env")
    attempts = forbid_side_effects(monkeypatch)
    check_case(case, tmp_path / "scan", tmp_path_factory.getbasetemp() / "baseline")
    assert attempts == []
