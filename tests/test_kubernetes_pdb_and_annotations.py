"""K8S703 judges a PodDisruptionBudget by the count an autoscaler holds; an unknown rule in an ignore annotation is an error."""

from __future__ import annotations

from pathlib import Path

import pytest

from readycheck.catalog import Catalog
from readycheck.config import Config
from readycheck.orchestrate import scan

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {{name: web}}
spec:
{replicas}  selector: {{matchLabels: {{app: web}}}}
  template:
    metadata: {{labels: {{app: web}}}}
    spec:
      containers: [{{name: web, image: "ghcr.io/acme/web:1.0.0"}}]
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {{name: web}}
spec:
  minAvailable: 3
  selector: {{matchLabels: {{app: web}}}}
"""

HPA = """\
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {{name: web}}
spec:
  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: web}}
{min_replicas}  maxReplicas: 10
"""


def k8s703(tmp_path: Path, catalog: Catalog, replicas: int | None, min_replicas: int | str | None,
           hpa: bool = True) -> list[str]:
    text = DEPLOYMENT.format(replicas=f"  replicas: {replicas}\n" if replicas is not None else "")
    if hpa:
        text += HPA.format(min_replicas=f"  minReplicas: {min_replicas}\n" if min_replicas is not None else "")
    (tmp_path / "web.yaml").write_text(text)
    result = scan([str(tmp_path)], catalog, Config(select=["K8S703"]), base=tmp_path)
    assert result.errors == []
    return [f.message for f in result.findings]


@pytest.mark.parametrize("replicas", [None, 3, 10])
def test_an_hpa_minimum_at_or_below_min_available_blocks_evictions(tmp_path: Path, catalog: Catalog,
                                                                   replicas: int | None) -> None:
    messages = k8s703(tmp_path, catalog, replicas, 3)
    assert len(messages) == 1 and "minReplicas: 3" in messages[0] and "HorizontalPodAutoscaler 'web'" in messages[0]
    assert len(k8s703(tmp_path, catalog, replicas, None)) == 1  # the HPA's default minimum is 1


@pytest.mark.parametrize("replicas", [None, 1, 3])
def test_an_hpa_minimum_above_min_available_lets_pods_go(tmp_path: Path, catalog: Catalog,
                                                         replicas: int | None) -> None:
    assert k8s703(tmp_path, catalog, replicas, 5) == []


def test_a_templated_hpa_minimum_is_not_judged(tmp_path: Path, catalog: Catalog) -> None:
    assert k8s703(tmp_path, catalog, 3, '"{{ .Values.min }}"') == []


def test_without_an_hpa_the_deployment_replicas_count(tmp_path: Path, catalog: Catalog) -> None:
    assert len(k8s703(tmp_path, catalog, 3, None, hpa=False)) == 1
    assert k8s703(tmp_path, catalog, 5, None, hpa=False) == []


ANNOTATED = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  annotations:
    readycheck.io/ignore: "K8S101,K8S9999"
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata:
      labels: {app: web}
      annotations:
        readycheck.io/ignore.web: "probs, probes"
    spec:
      containers: [{name: web, image: "ghcr.io/acme/web:1.0.0"}]
"""


def test_an_unknown_rule_in_an_ignore_annotation_is_an_error(tmp_path: Path, catalog: Catalog) -> None:
    (tmp_path / "web.yaml").write_text(ANNOTATED)
    result = scan([str(tmp_path)], catalog, Config(), base=tmp_path)
    assert sorted((e.path, e.line) for e in result.errors) == [("web.yaml", 6), ("web.yaml", 13)]
    assert "K8S9999" in result.errors[0].message and "probs" in result.errors[1].message
    assert "K8S101" not in {f.rule for f in result.findings}  # the known selectors still work
    (tmp_path / "web.yaml").write_text(ANNOTATED.replace("K8S9999", "resource-limits").replace("probs, ", ""))
    assert scan([str(tmp_path)], catalog, Config(), base=tmp_path).errors == []
