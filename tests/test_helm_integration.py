"""Charts are rendered and checked with the Kubernetes rules; findings land where the fix belongs."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from readycheck.catalog import Catalog
from readycheck.config import Config
from readycheck.model import ScanResult
from readycheck.orchestrate import scan

CHART = {
    "Chart.yaml": """\
        apiVersion: v2
        name: shop
        version: 0.4.0
        appVersion: "3.2.1"
        """,
    "values.yaml": """\
        replicaCount: 2
        image:
          repository: ghcr.io/example/shop
          tag: ""
        resources: {}
        """,
    "templates/deployment.yaml": """\
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: {{ .Release.Name }}-shop
        spec:
          replicas: {{ .Values.replicaCount }}
          selector:
            matchLabels: {app: shop}
          template:
            metadata:
              labels: {app: shop}
            spec:
              terminationGracePeriodSeconds: 0
              containers:
                - name: shop
                  image: "{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}"
                  resources:
                    {{- toYaml .Values.resources | nindent 12 }}
        """,
}


def make_chart(root: Path, files: dict[str, str]) -> Path:
    chart = root / "charts" / "shop"
    for name, text in files.items():
        path = chart / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return chart


def run(root: Path, catalog: Catalog, select: list[str], helm: dict[str, object] | None = None) -> ScanResult:
    return scan([str(root)], catalog, Config(select=select), base=root, context_options={"helm": helm or {}})


def located(result: ScanResult) -> list[tuple[str, str, int]]:
    return [(f.rule, f.path, f.span.line) for f in result.findings]


def test_value_findings_point_at_the_values_line_with_the_template_as_related(tmp_path: Path, catalog: Catalog) -> None:
    make_chart(tmp_path, CHART)
    result = run(tmp_path, catalog, ["K8S202"])
    assert located(result) == [("K8S202", "charts/shop/values.yaml", 5)]
    related = result.findings[0].related
    assert [(r.path, r.span.line) for r in related] == [("charts/shop/templates/deployment.yaml", 17)]


def test_template_literals_point_at_the_template_line(tmp_path: Path, catalog: Catalog) -> None:
    make_chart(tmp_path, CHART)
    result = run(tmp_path, catalog, ["K8S601"])
    assert located(result) == [("K8S601", "charts/shop/templates/deployment.yaml", 13)]


def test_image_tag_falls_back_to_app_version(tmp_path: Path, catalog: Catalog) -> None:
    make_chart(tmp_path, CHART)
    assert run(tmp_path, catalog, ["K8S501", "HELM004"]).findings == []


def test_overlay_value_sets_are_checked_and_shared_findings_reported_once(tmp_path: Path, catalog: Catalog) -> None:
    chart = make_chart(tmp_path, CHART)
    (chart / "values-production.yaml").write_text("replicaCount: 1\nimage:\n  tag: latest\n")
    result = run(tmp_path, catalog, ["K8S501", "K8S202", "K8S701"])
    assert sorted(located(result)) == [
        ("K8S202", "charts/shop/values.yaml", 5),
        ("K8S501", "charts/shop/values-production.yaml", 3),
        ("K8S701", "charts/shop/values-production.yaml", 1),
    ]


def test_values_and_set_from_the_command_line(tmp_path: Path, catalog: Catalog) -> None:
    make_chart(tmp_path, CHART)
    extra = tmp_path / "prod.yaml"
    extra.write_text("resources:\n  requests: {cpu: 100m, memory: 64Mi}\n  limits: {memory: 128Mi}\n")
    result = run(tmp_path, catalog, ["K8S202", "K8S701"], {"values": [str(extra)], "set": ["replicaCount=1"]})
    assert [f.rule for f in result.findings] == ["K8S701"]


def test_a_template_that_fails_to_render_is_an_error_and_the_rest_is_checked(tmp_path: Path, catalog: Catalog) -> None:
    files = dict(CHART)
    files["templates/broken.yaml"] = "{{- range .Values.hosts }}\nhost: {{ . }}\n"
    make_chart(tmp_path, files)
    result = run(tmp_path, catalog, ["K8S601"])
    assert [(e.path, e.line) for e in result.errors] == [("charts/shop/templates/broken.yaml", 1)]
    assert located(result) == [("K8S601", "charts/shop/templates/deployment.yaml", 13)]


@pytest.mark.parametrize("name", ["Chart.yaml", "values.yaml"])
def test_unreadable_chart_files_are_errors_with_lines(tmp_path: Path, catalog: Catalog, name: str) -> None:
    chart = make_chart(tmp_path, CHART)
    (chart / name).write_text("key: [unclosed\n")
    result = run(tmp_path, catalog, ["K8S601", "HELM001"])
    assert result.errors and all(e.path == f"charts/shop/{name}" for e in result.errors)
    assert all(e.line for e in result.errors)


def test_command_line_values_and_set_reach_the_renderer(tmp_path: Path) -> None:
    import json
    import os

    from click.testing import CliRunner

    from readycheck.cli import main

    make_chart(tmp_path, CHART)
    (tmp_path / "prod.yaml").write_text("replicaCount: 1\n")
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        args = ["check", "--no-cache", "--format", "json", "--select", "K8S701,K8S202"]
        plain = CliRunner().invoke(main, [*args, "."])
        overridden = CliRunner().invoke(main, [*args, "--values", "prod.yaml", "--set", "resources.requests.memory=64Mi", "."])
    finally:
        os.chdir(old)
    assert [f["rule"] for f in json.loads(plain.output)["findings"]] == ["K8S202"]
    assert [(f["rule"], f["path"]) for f in json.loads(overridden.output)["findings"]] == [("K8S701", "prod.yaml")]
