"""The Kubernetes model: List objects, anchors, merged securityContext, workloads, parsed-object input."""

from __future__ import annotations

import textwrap
from pathlib import Path

from readycheck.catalog import Catalog
from readycheck.config import Config
from readycheck.evaluate import Evaluator, select_rules
from readycheck.k8s import ManifestSource, build_kubernetes_documents
from readycheck.k8s.workloads import containers, parse_quantity, selector_matches
from readycheck.model import Span
from readycheck.orchestrate import scan
from readycheck.yamlsource import load_yaml_documents

POD_LIST = textwrap.dedent(
    """\
    apiVersion: v1
    kind: List
    items:
      - apiVersion: v1
        kind: ConfigMap
        metadata: {name: settings}
        data: {LOG_LEVEL: info}
      - apiVersion: batch/v1
        kind: CronJob
        metadata: {name: nightly}
        spec:
          schedule: "0 3 * * *"
          jobTemplate:
            spec:
              template:
                spec:
                  securityContext: &pod
                    runAsNonRoot: true
                    runAsUser: 1000
                  containers:
                    - name: report
                      image: ghcr.io/acme/report:1.0.0
                      securityContext:
                        runAsUser: 0
                        privileged: false
    ---
    just: some data without apiVersion
    """
)


def scan_text(tmp_path: Path, catalog: Catalog, text: str, name: str = "deploy.yaml", **config: object) -> list:
    (tmp_path / name).write_text(text)
    result = scan([str(tmp_path)], catalog, Config(**config), base=tmp_path)  # type: ignore[arg-type]
    assert not result.errors, [e.as_dict() for e in result.errors]
    return result.findings


def test_list_items_become_objects_and_plain_documents_are_skipped() -> None:
    docs = build_kubernetes_documents("x.yaml", POD_LIST, load_yaml_documents(POD_LIST))
    assert len(docs) == 1
    assert [o["kind"] for o in docs[0].objects] == ["ConfigMap", "CronJob"]
    assert docs[0].span_of((1, "metadata", "name")).line == 10


def test_container_wins_over_pod_security_context_and_locations_follow() -> None:
    docs = build_kubernetes_documents("x.yaml", POD_LIST, load_yaml_documents(POD_LIST))
    (container,) = list(containers(docs[0].objects[1], (1,)))
    assert container.security["runAsUser"] == 0
    assert container.security["runAsNonRoot"] is True
    assert docs[0].span_of(container.security_at["runAsUser"]).line == 24
    assert docs[0].span_of(container.security_at["runAsNonRoot"]).line == 18


def test_cronjob_is_not_long_running_so_no_probe_findings(tmp_path: Path, catalog: Catalog) -> None:
    findings = scan_text(tmp_path, catalog, POD_LIST)
    assert not [f for f in findings if f.checklist == "probes"]
    assert [(f.rule, f.span.line) for f in findings if f.rule == "K8S302"] == [("K8S302", 24)]


def test_yaml_alias_gives_both_containers_the_same_security_context(tmp_path: Path, catalog: Catalog) -> None:
    text = textwrap.dedent(
        """\
        apiVersion: apps/v1
        kind: DaemonSet
        metadata: {name: agent}
        spec:
          selector: {matchLabels: {app: agent}}
          template:
            metadata: {labels: {app: agent}}
            spec:
              initContainers:
                - name: setup
                  image: busybox:1.36
                  securityContext: &restricted {runAsNonRoot: true, runAsUser: 65534}
              containers:
                - name: agent
                  image: ghcr.io/acme/agent:0.6.3
                  securityContext: *restricted
        """
    )
    findings = scan_text(tmp_path, catalog, text)
    assert not [f for f in findings if f.checklist == "non-root"]


def test_unparseable_manifest_is_an_error_with_a_line(tmp_path: Path, catalog: Catalog) -> None:
    (tmp_path / "bad.yaml").write_text("apiVersion: v1\nkind: ConfigMap\ndata:\n  key: 'unterminated\n")
    result = scan([str(tmp_path)], catalog, Config(), base=tmp_path)
    assert [(e.path, e.line is not None) for e in result.errors] == [("bad.yaml", True)]


def test_parsed_objects_with_display_paths_report_into_their_source_files(catalog: Catalog) -> None:
    """The Helm integration: rendered objects, a location map into the chart, a file per pointer."""
    rendered = load_yaml_documents(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers:\n    - name: web\n      image: nginx\n"
    )[0]
    source = ManifestSource(
        data=rendered.data,
        locations={**rendered.locations, ("spec", "containers", 0, "image"): Span(12)},
        display_paths={(): "chart/templates/pod.yaml", ("spec", "containers", 0, "image"): "chart/values.yaml"},
    )
    (doc,) = build_kubernetes_documents("chart", "", [source])
    evaluator = Evaluator(select_rules(catalog, Config(select=["K8S501", "K8S101"])), Config())
    findings, errors = evaluator.evaluate(doc)
    assert not errors
    where = sorted((f.rule, f.path, f.span.line) for f in findings)
    assert where == [("K8S101", "chart/templates/pod.yaml", 6), ("K8S501", "chart/values.yaml", 12)]


def test_selectors_and_quantities() -> None:
    labels = {"app": "web", "tier": "front"}
    assert selector_matches({"matchLabels": {"app": "web"}}, labels)
    assert selector_matches({"matchExpressions": [{"key": "tier", "operator": "In", "values": ["front"]}]}, labels)
    assert not selector_matches({"matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["front"]}]},
                                labels)
    assert selector_matches({"app": "web"}, labels)
    assert not selector_matches({}, labels)
    assert parse_quantity("250m") == 0.25
    assert parse_quantity("512Mi") == 512 * 2**20
    assert parse_quantity("1G") == 1e9
