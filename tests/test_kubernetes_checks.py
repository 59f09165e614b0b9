"""Kubernetes check logic the fixtures do not reach: JSON manifests, shell preStop hooks, Rollouts, edge values."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from readycheck.catalog import Catalog
from readycheck.checks.kubernetes import prestop_sleep
from readycheck.config import Config
from readycheck.engine import scan


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
