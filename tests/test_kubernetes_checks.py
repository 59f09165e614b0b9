"""Kubernetes check logic the fixtures do not reach: JSON manifests, shell preStop hooks, Rollouts, edge values."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from readycheck.catalog import Catalog
from readycheck.checks.kubernetes import prestop_sleep
from readycheck.config import Config
from readycheck.orchestrate import scan


def findings(tmp_path: Path, catalog: Catalog, name: str, text: str, select: list[str]) -> list[tuple[str, int]]:
    (tmp_path / name).write_text(text)
    result = scan([str(tmp_path)], catalog, Config(select=select), base=tmp_path)
    assert not result.errors, [e.as_dict() for e in result.errors]
    return sorted((f.rule, f.span.line) for f in result.findings)


def test_json_manifest_is_read_with_lines(tmp_path: Path, catalog: Catalog) -> None:
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"},
           "spec": {"containers": [{"name": "web", "image": "nginx:latest"}]}}
    text = json.dumps(pod, indent=2)
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "nginx:latest" in row)
    assert findings(tmp_path, catalog, "pod.json", text, ["K8S501"]) == [("K8S501", line)]


def test_prestop_sleep_forms() -> None:
    assert prestop_sleep({"lifecycle": {"preStop": {"exec": {"command": ["/bin/sh", "-c", "echo bye; sleep 40"]}}}})[0] == 40
    assert prestop_sleep({"lifecycle": {"preStop": {"exec": {"command": ["sleep", "5s"]}}}})[0] == 5
    assert prestop_sleep({"lifecycle": {"preStop": {"sleep": {"seconds": 12}}}})[0] == 12
    assert prestop_sleep({"lifecycle": {"preStop": {"httpGet": {"path": "/drain", "port": 8080}}}})[0] is None


POD = textwrap.dedent(
    """\
    apiVersion: v1
    kind: Pod
    metadata: {name: web}
    spec:
      securityContext:
        seccompProfile: {type: Unconfined}
      containers:
        - name: web
          image: ghcr.io/acme/web:1.0.0
          readinessProbe:
            tcpSocket: {port: 8080}
          livenessProbe:
            httpGet: {path: /live, port: metrics}
    """
)


def test_numbered_probe_port_needs_no_declaration_but_a_named_one_does(tmp_path: Path, catalog: Catalog) -> None:
    assert findings(tmp_path, catalog, "pod.yaml", POD, ["K8S104"]) == [("K8S104", 13)]


def test_unconfined_seccomp_points_at_the_pod_setting(tmp_path: Path, catalog: Catalog) -> None:
    assert findings(tmp_path, catalog, "pod.yaml", POD, ["K8S411"]) == [("K8S411", 6)]


def test_a_rollout_is_a_workload_only_from_argo(tmp_path: Path, catalog: Catalog) -> None:
    rollout = textwrap.dedent(
        """\
        apiVersion: argoproj.io/v1alpha1
        kind: Rollout
        metadata: {name: web}
        spec:
          replicas: 1
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec:
              containers:
                - name: web
                  image: ghcr.io/acme/web:1.0.0
        """
    )
    assert findings(tmp_path, catalog, "rollout.yaml", rollout, ["K8S701", "K8S101"]) == [
        ("K8S101", 11), ("K8S701", 5)]
    other = rollout.replace("argoproj.io/v1alpha1", "example.com/v1")
    assert findings(tmp_path, catalog, "rollout.yaml", other, ["K8S701", "K8S101"]) == []


ODD_TYPES = textwrap.dedent(
    """\
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: odd, annotations: [not, a, map]}
    spec:
      replicas: "3"
      selector: [app]
      strategy: {rollingUpdate: {maxUnavailable: "lots"}}
      template:
        metadata: {labels: [x]}
        spec:
          securityContext: [runAsUser]
          volumes: {hostPath: /}
          terminationGracePeriodSeconds: "30"
          containers:
            - name: odd
              image: 42
              ports: {containerPort: 80}
              env: {NAME: value}
              args: "--token=abc"
              securityContext: {capabilities: {add: NET_ADMIN, drop: ALL}, runAsUser: "0"}
              resources: {requests: [cpu], limits: {memory: lots}}
              lifecycle: {preStop: {exec: {command: "sleep 5"}}}
              livenessProbe: {httpGet: {port: [1]}}
            - just-a-string
    ---
    apiVersion: rbac.authorization.k8s.io/v1
    kind: ClusterRole
    metadata: {name: odd}
    rules:
      - {verbs: 7, resources: {a: b}, apiGroups: 3}
      - nonsense
    ---
    apiVersion: v1
    kind: Secret
    metadata: {name: odd}
    data: [a, b]
    ---
    apiVersion: networking.k8s.io/v1
    kind: Ingress
    metadata: {name: odd}
    spec: {rules: [{http: {paths: [{backend: {service: {name: 5}}}]}}, 3]}
    ---
    apiVersion: policy/v1
    kind: PodDisruptionBudget
    metadata: {name: odd}
    spec: {minAvailable: [1], selector: 5}
    ---
    apiVersion: autoscaling/v2
    kind: HorizontalPodAutoscaler
    metadata: {name: odd}
    spec: {scaleTargetRef: odd, metrics: {a: b}, minReplicas: "1"}
    """
)


def test_odd_value_types_never_break_a_rule(tmp_path: Path, catalog: Catalog) -> None:
    (tmp_path / "odd.yaml").write_text(ODD_TYPES)
    result = scan([str(tmp_path)], catalog, Config(), base=tmp_path)
    assert all("must be a" in e.message and e.line for e in result.errors)  # shape errors, no rule failed
    assert {e.line for e in result.errors} >= {3, 6, 21, 30, 36, 41, 46, 51}
    assert result.findings == []  # an object the API server rejects is not judged


def test_odd_value_types_never_break_a_rule_even_when_judged(catalog: Catalog) -> None:
    """The rules themselves survive any value type (they also judge objects built from elsewhere)."""
    from readycheck.evaluate import Evaluator, select_rules
    from readycheck.k8s import build_kubernetes_documents
    from readycheck.yamlsource import load_yaml_documents

    config = Config()
    (doc,) = build_kubernetes_documents("odd.yaml", ODD_TYPES, load_yaml_documents(ODD_TYPES))
    assert doc.broken
    doc.broken = set()
    _, errors = Evaluator(select_rules(catalog, config), config).evaluate(doc)
    assert [e.as_dict() for e in errors] == []
