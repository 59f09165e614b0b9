"""A Kubernetes object whose known fields have the wrong shape is an error entry with its line, never judged."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from readycheck.catalog import Catalog
from readycheck.config import Config
from readycheck.k8s.shape import shape_problems
from readycheck.orchestrate import scan

from .test_helm_integration import CHART, make_chart

DEPLOYMENT = textwrap.dedent(
    """\
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: api
    spec:
      replicas: 2
      selector:
        matchLabels: {app: api}
      template:
        metadata:
          labels: {app: api}
        spec:
          containers:
            - name: api
              image: ghcr.io/acme/api:1.2.3
              resources: RESOURCES
    ---
    apiVersion: v1
    kind: Service
    metadata: {name: api}
    spec:
      selector: {app: api}
      ports: [{port: 80, targetPort: 8080}]
    """
)


def run(tmp_path: Path, catalog: Catalog, text: str, select: list[str] | None = None) -> tuple[list, list]:
    (tmp_path / "deploy.yaml").write_text(text)
    result = scan([str(tmp_path)], catalog, Config(select=select or []), base=tmp_path)
    return result.findings, result.errors


@pytest.mark.parametrize("written", ["\n            - limits: {memory: 1Gi}", "[]", "'512Mi'"])
def test_resources_of_the_wrong_shape_are_an_error_not_a_missing_limit(tmp_path: Path, catalog: Catalog,
                                                                        written: str) -> None:
    findings, errors = run(tmp_path, catalog, DEPLOYMENT.replace("RESOURCES", written))
    assert [(e.path, e.line) for e in errors] == [("deploy.yaml", 16)]
    assert "resources" in errors[0].message and "mapping" in errors[0].message
    assert not [f for f in findings if f.checklist == "resource-limits"]
    assert not [f for f in findings if f.path == "deploy.yaml" and f.span.line <= 16]  # the Deployment is not judged


def test_a_well_shaped_object_is_judged_as_before(tmp_path: Path, catalog: Catalog) -> None:
    findings, errors = run(tmp_path, catalog, DEPLOYMENT.replace("RESOURCES", "{}"))
    assert errors == []
    assert {"K8S202", "K8S203"} <= {f.rule for f in findings}


def test_a_pod_spec_given_as_a_list(tmp_path: Path, catalog: Catalog) -> None:
    text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  - name: c\n    image: nginx:1.25\n"
    findings, errors = run(tmp_path, catalog, text)
    assert [(e.line, "spec must be a mapping" in e.message) for e in errors] == [(4, True)]
    assert findings == []


def test_null_fields_and_unknown_kinds_are_not_shape_errors() -> None:
    assert shape_problems({"apiVersion": "v1", "kind": "Pod", "spec": {"containers": [{"resources": None}]}}) == []
    assert shape_problems({"apiVersion": "example.com/v1", "kind": "Pod", "spec": []}) == []
    found = shape_problems({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
                            "rules": [{"verbs": "*"}]})
    assert [p for p, _ in found] == [("rules", 0, "verbs")]


def test_a_rendered_chart_reports_the_template_line(tmp_path: Path, catalog: Catalog) -> None:
    files = dict(CHART)
    files["values.yaml"] = CHART["values.yaml"].replace("resources: {}", "resources: [cpu]")
    make_chart(tmp_path, files)
    result = scan([str(tmp_path)], catalog, Config(select=["K8S202"]), base=tmp_path)
    assert result.findings == []
    assert len(result.errors) == 1 and "resources must be a mapping" in result.errors[0].message
    assert result.errors[0].path.startswith("charts/shop/")
