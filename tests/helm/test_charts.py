"""Whole-chart behaviour: the helm-create scaffold, subcharts and dependency handling."""

from __future__ import annotations

import io
import shutil
import tarfile
from pathlib import Path

from readycheck.helm import render_chart

CHARTS = Path(__file__).parent / "charts"
EXPECTED = Path(__file__).parent / "expected"


def _texts(result: object) -> dict[str, str]:
    return {m.template: m.text for m in result.manifests}  # type: ignore[attr-defined]


def test_scaffold_default_values() -> None:
    result = render_chart(CHARTS / "scaffold")
    assert result.errors == []
    texts = _texts(result)
    assert sorted(texts) == ["templates/deployment.yaml", "templates/hpa.yaml", "templates/ingress.yaml",
                             "templates/service.yaml", "templates/serviceaccount.yaml",
                             "templates/tests/test-connection.yaml"]
    for name in ("deployment", "service", "serviceaccount"):
        assert texts[f"templates/{name}.yaml"] == (EXPECTED / "scaffold" / f"{name}.yaml").read_text()
    assert texts["templates/tests/test-connection.yaml"] == (EXPECTED / "scaffold" / "test-connection.yaml").read_text()
    assert texts["templates/hpa.yaml"] == "\n"
    assert texts["templates/ingress.yaml"] == "\n"
    assert result.chart.name == "mychart" and result.chart.app_version == "1.16.0" and result.chart.api_version == "v2"


def test_scaffold_with_overrides() -> None:
    result = render_chart(CHARTS / "scaffold", values_files=[CHARTS / "scaffold-overrides.yaml"])
    assert result.errors == []
    texts = _texts(result)
    for name in ("deployment", "ingress", "hpa"):
        assert texts[f"templates/{name}.yaml"] == (EXPECTED / "scaffold" / f"{name}-overrides.yaml").read_text()


def test_scaffold_set_values_and_old_kube_version() -> None:
    result = render_chart(CHARTS / "scaffold", set_values=["ingress.enabled=true", "service.port=8080"],
                          kube_version="1.17.0", release_name="mychart-prod")
    texts = _texts(result)
    assert texts["templates/ingress.yaml"].startswith("apiVersion: networking.k8s.io/v1beta1\nkind: Ingress\n")
    assert "              serviceName: mychart-prod\n              servicePort: 8080\n" in texts["templates/ingress.yaml"]
    assert "  name: mychart-prod\n" in texts["templates/service.yaml"]  # release name contains the chart name


def test_notes_are_rendered_for_errors_only(tmp_path: Path) -> None:
    chart = tmp_path / "scaffold"
    shutil.copytree(CHARTS / "scaffold", chart)
    (chart / "templates" / "NOTES.txt").write_text("line\n{{ fail \"notes broke\" }}\n")
    result = render_chart(chart)
    assert [(e.path, e.line, e.message) for e in result.errors] == [("templates/NOTES.txt", 2, "notes broke")]
    assert all("NOTES" not in m.template for m in result.manifests)


def _pack(source: Path, archive: Path, top: str) -> None:
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(source, arcname=top)


def test_umbrella_subcharts(tmp_path: Path) -> None:
    chart = tmp_path / "umbrella"
    shutil.copytree(CHARTS / "umbrella", chart)
    _pack(CHARTS / "packaged-src", chart / "charts" / "packaged-0.2.0.tgz", "packaged")
    result = render_chart(chart)
    assert result.errors == []
    assert _texts(result) == {
        "templates/parent.yaml": "backendPort: 9000\nsubReplicas: 3\nenv: prod\n",
        "charts/backend/templates/deploy.yaml": (
            # Helm 4 drops the parent's chart-default ``toDelete: null`` before it reaches the subchart
            "name: backend-release-name\nreplicas: 3\nimage: backend:1\nenv: prod\nregion: eu\ndeleted: false\n"
            "chart: backend\n"),
        "charts/cache/templates/svc.yaml": "name: redis-cache\nport: 6380\n",
        "charts/packaged/templates/cm.yaml": "greeting: hello\nglobalEnv: prod\n",
    }
    assert {m.chart for m in result.manifests} == {"umbrella", "backend", "redis-cache", "packaged"}


def test_null_values_as_helm_coalesces_them(tmp_path: Path) -> None:
    """A null in chart defaults is dropped; a null the user gives deletes the default, subcharts too."""
    chart = tmp_path / "umbrella"
    shutil.copytree(CHARTS / "umbrella", chart)
    (chart / "values.yaml").write_text((chart / "values.yaml").read_text() + "dropped: null\nkept: {inner: null, x: 1}\n")
    (chart / "templates" / "nulls.yaml").write_text(
        "dropped: {{ hasKey .Values \"dropped\" }}\ninner: {{ hasKey .Values.kept \"inner\" }}\n")
    user = tmp_path / "user.yaml"
    user.write_text("backend:\n  toDelete: null\n")
    texts = _texts(render_chart(chart))
    assert texts["templates/nulls.yaml"] == "dropped: false\ninner: false\n"
    assert "deleted: false\n" in texts["charts/backend/templates/deploy.yaml"]
    texts = _texts(render_chart(chart, values_files=[user]))
    assert "deleted: true\n" in texts["charts/backend/templates/deploy.yaml"]


def test_condition_and_tags(tmp_path: Path) -> None:
    result = render_chart(CHARTS / "umbrella", set_values=["backend.enabled=false", "tags.monitoring=true"])
    # the parent reads .Subcharts.backend, which no longer exists: Helm fails that template the same way
    assert [(e.path, e.line, e.message) for e in result.errors] == [
        ("templates/parent.yaml", 2, "nil pointer evaluating interface {}.Values")]
    templates = set(_texts(result))
    assert "charts/backend/templates/deploy.yaml" not in templates
    assert "charts/metrics/templates/monitor.yaml" in templates


def test_subchart_values_origin_points_into_the_subchart() -> None:
    result = render_chart(CHARTS / "umbrella")
    (deploy,) = [m for m in result.manifests if m.template == "charts/backend/templates/deploy.yaml"]
    image_line = deploy.text.splitlines().index("image: backend:1")
    origin = deploy.origins[image_line]
    assert (origin.template, origin.line, origin.values_file, origin.values_line) == (
        "charts/backend/templates/deploy.yaml", 3, "charts/backend/values.yaml", 2)
    replicas = deploy.origins[1]
    assert (replicas.values_file, replicas.values_line) == ("values.yaml", 5)  # parent override wins


def test_v1_chart_with_requirements(tmp_path: Path) -> None:
    root = tmp_path / "legacy"
    (root / "templates").mkdir(parents=True)
    (root / "Chart.yaml").write_text("apiVersion: v1\nname: legacy\nversion: 0.1.0\n")
    (root / "requirements.yaml").write_text("dependencies:\n  - name: sub\n    version: 0.1.0\n    condition: sub.enabled\n")
    (root / "values.yaml").write_text("sub:\n  enabled: false\n")
    sub = root / "charts" / "sub"
    (sub / "templates").mkdir(parents=True)
    (sub / "Chart.yaml").write_text("name: sub\nversion: 0.1.0\n")
    (sub / "templates" / "x.yaml").write_text("x: 1\n")
    (root / "templates" / "a.yaml").write_text("a: {{ .Chart.APIVersion }}\n")
    result = render_chart(root)
    assert _texts(result) == {"templates/a.yaml": "a: v1\n"}


def test_helmignore_and_files(tmp_path: Path) -> None:
    root = tmp_path / "c"
    (root / "templates").mkdir(parents=True)
    (root / "Chart.yaml").write_text("apiVersion: v2\nname: c\nversion: 0.1.0\n")
    (root / ".helmignore").write_text("secret.txt\n")
    (root / "secret.txt").write_text("s3cret")
    (root / "public.txt").write_text("hello")
    (root / "templates" / "cm.yaml").write_text('a: {{ .Files.Get "public.txt" }}\nb: "{{ .Files.Get "secret.txt" }}"\n')
    assert _texts(render_chart(root)) == {"templates/cm.yaml": 'a: hello\nb: ""\n'}


def test_values_schema_is_exposed(tmp_path: Path) -> None:
    root = tmp_path / "c"
    (root / "templates").mkdir(parents=True)
    (root / "Chart.yaml").write_text("apiVersion: v2\nname: c\nversion: 0.1.0\n")
    (root / "values.schema.json").write_text('{"type": "object"}')
    result = render_chart(root)
    assert result.chart.values_schema == {"type": "object"}


def test_tgz_subchart_member_count_is_capped(tmp_path: Path) -> None:
    root = tmp_path / "c"
    (root / "charts").mkdir(parents=True)
    (root / "Chart.yaml").write_text("apiVersion: v2\nname: c\nversion: 0.1.0\n")
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for i in range(6000):
            info = tarfile.TarInfo(f"many/f{i}")
            tar.addfile(info, io.BytesIO(b""))
    (root / "charts" / "many.tgz").write_bytes(buffer.getvalue())
    result = render_chart(root)
    assert [e.path for e in result.errors] == ["charts/many.tgz"]
    assert "more than" in result.errors[0].message


def test_kube_version_constraint(tmp_path: Path) -> None:
    root = tmp_path / "c"
    (root / "templates").mkdir(parents=True)
    (root / "Chart.yaml").write_text('apiVersion: v2\nname: c\nversion: 0.1.0\nkubeVersion: ">=1.31.0-0"\n')
    (root / "templates" / "a.yaml").write_text("a: 1\n")
    (error,) = render_chart(root).errors
    assert error.path == "Chart.yaml" and "incompatible with Kubernetes v1.30.0" in error.message
    assert render_chart(root, kube_version="1.31.2").errors == []


def test_numeric_versions_read_as_helm_reads_them(tmp_path: Path) -> None:
    """Unquoted numbers go through float32 into Metadata's strings (why `helm lint` asks for quotes)."""
    root = tmp_path / "c"
    (root / "templates").mkdir(parents=True)
    (root / "Chart.yaml").write_text("apiVersion: v2\nname: c\nversion: 1.10\nappVersion: 2.0\n")
    (root / "templates" / "a.yaml").write_text("v: {{ .Chart.Version }} {{ .Chart.AppVersion }}\n")
    assert _texts(render_chart(root)) == {"templates/a.yaml": "v: 1.1 2\n"}
    (root / "Chart.yaml").write_text("apiVersion: v2\nname: c\nversion: '1.10'\nappVersion: \"2.0\"\n")
    assert _texts(render_chart(root)) == {"templates/a.yaml": "v: 1.10 2.0\n"}
