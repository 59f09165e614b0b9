"""Suppressions a Kubernetes object carries (annotations), config ignores, strict mode, scope relations."""

from __future__ import annotations

import textwrap
from pathlib import Path

from readycheck.catalog import Catalog
from readycheck.config import Config
from readycheck.orchestrate import scan

DEPLOYMENT = textwrap.dedent(
    """\
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
      namespace: shop
      annotations:
        readycheck.io/ignore: "K8S101,resource-limits"
        readycheck.io/ignore.sidecar: "probes"
    spec:
      replicas: 2
      selector: {matchLabels: {app: web}}
      template:
        metadata: {labels: {app: web}}
        spec:
          containers:
            - name: web
              image: ghcr.io/acme/web:1.2.3
            - name: sidecar
              image: ghcr.io/acme/proxy:0.9.0
    """
)


def findings_of(tmp_path: Path, catalog: Catalog, files: dict[str, str], **config: object) -> list[tuple[str, int]]:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    result = scan([str(tmp_path)], catalog, Config(**config), base=tmp_path)  # type: ignore[arg-type]
    assert not result.errors, [e.as_dict() for e in result.errors]
    return sorted((f.rule, f.span.line) for f in result.findings)


def test_object_and_container_annotations_suppress(tmp_path: Path, catalog: Catalog) -> None:
    found = findings_of(tmp_path, catalog, {"web.yaml": DEPLOYMENT}, select=["probes", "resource-limits"])
    # K8S101 is ignored for the object, every probe rule for the sidecar; liveness remains for `web`
    assert found == [("K8S102", 16)]


def test_strict_mode_disables_annotations(tmp_path: Path, catalog: Catalog) -> None:
    found = findings_of(tmp_path, catalog, {"web.yaml": DEPLOYMENT}, select=["K8S101"], strict=True)
    assert found == [("K8S101", 16), ("K8S101", 18)]


def test_config_ignores_by_kind_name_namespace_and_container(tmp_path: Path, catalog: Catalog) -> None:
    ignore = [{"kind": "Deployment", "name": "web", "namespace": "shop", "container": "web", "rules": ["K8S102"]}]
    found = findings_of(tmp_path, catalog, {"web.yaml": DEPLOYMENT}, select=["K8S102"], strict=True,
                        kubernetes={"ignore": ignore})
    assert found == [("K8S102", 18)]


def test_pdb_and_hpa_in_other_files_of_the_directory_count(tmp_path: Path, catalog: Catalog) -> None:
    pdb = textwrap.dedent(
        """\
        apiVersion: policy/v1
        kind: PodDisruptionBudget
        metadata: {name: web, namespace: shop}
        spec:
          minAvailable: 2
          selector: {matchLabels: {app: web}}
        """
    )
    found = findings_of(tmp_path, catalog, {"web.yaml": DEPLOYMENT, "pdb.yaml": pdb}, select=["availability"])
    # minAvailable equals the 2 replicas: the budget blocks drains; but the PDB exists (no K8S702)
    assert found == [("K8S703", 5)]


def test_hpa_owns_the_replica_count(tmp_path: Path, catalog: Catalog) -> None:
    deployment = DEPLOYMENT.replace("  replicas: 2\n", "")
    hpa = textwrap.dedent(
        """\
        apiVersion: autoscaling/v1
        kind: HorizontalPodAutoscaler
        metadata: {name: web, namespace: shop}
        spec:
          scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
          minReplicas: 3
          maxReplicas: 9
          targetCPUUtilizationPercentage: 60
        """
    )
    found = findings_of(tmp_path, catalog, {"web.yaml": deployment, "hpa.yaml": hpa},
                        select=["K8S701", "K8S702", "K8S705"])
    # no single-replica finding; no PDB for 3 replicas; CPU target without CPU requests
    assert found == [("K8S702", 4), ("K8S705", 8)]


def test_service_account_bound_to_a_role_needs_its_token(tmp_path: Path, catalog: Catalog) -> None:
    binding = textwrap.dedent(
        """\
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata: {name: web, namespace: shop}
        subjects:
          - {kind: ServiceAccount, name: web}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: web-reader}
        """
    )
    deployment = DEPLOYMENT.replace("    spec:\n      containers:", "    spec:\n      serviceAccountName: web\n      containers:")
    assert "serviceAccountName" in deployment
    assert findings_of(tmp_path, catalog, {"web.yaml": deployment}, select=["K8S412"]) == [("K8S412", 4)]
    assert findings_of(tmp_path, catalog, {"web.yaml": deployment, "rbac.yaml": binding}, select=["K8S412"]) == []


def test_sealed_and_external_secrets_and_references_are_not_findings(tmp_path: Path, catalog: Catalog) -> None:
    text = textwrap.dedent(
        """\
        apiVersion: bitnami.com/v1alpha1
        kind: SealedSecret
        metadata: {name: db}
        spec:
          encryptedData:
            password: AgBy3i4OJSWK+PiTySYZZA9rO43cGDEq3FQHp0Pb7Bq7Jx3sFJgXtQ8kXzRVrZk6cJNsDq9sFbWpG9QrZ
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: app}
        spec:
          containers:
            - name: app
              image: ghcr.io/acme/app:1.0.0
              env:
                - name: DB_PASSWORD
                  valueFrom: {secretKeyRef: {name: db, key: password}}
              envFrom:
                - secretRef: {name: app-env}
        """
    )
    assert findings_of(tmp_path, catalog, {"app.yaml": text}, select=["no-baked-secrets"]) == []
