"""Every output line maps to its template line and, for values-derived text, to its values line."""

from __future__ import annotations

from pathlib import Path

from readycheck.helm import LineOrigin, render_chart

CHARTS = Path(__file__).parent / "charts"


def _mapping() -> dict[str, LineOrigin]:
    result = render_chart(CHARTS / "mapped")
    assert result.errors == []
    (manifest,) = result.manifests
    lines = manifest.text.splitlines()
    assert len(lines) == len(manifest.origins)
    return {line.strip(): origin for line, origin in zip(lines, manifest.origins, strict=True)}


def test_rendered_text() -> None:
    (manifest,) = render_chart(CHARTS / "mapped").manifests
    assert manifest.text == """apiVersion: apps/v1
kind: Deployment
metadata:
  name: release-name
  annotations:
    team: payments
spec:
  template:
    spec:
      containers:
        - name: app
          image: "example/app:1.0"
          enabled: true
          tag: "1.0"
          resources:
            {}
          livenessProbe:
            httpGet:
              path: /healthz
              port: 8080
            periodSeconds: 5
          env:
            - name: MODE
              value: "fast"
            - name: LEVEL
              value: "debug"
          port: 8080
"""


def test_template_lines() -> None:
    by_text = _mapping()
    assert by_text["apiVersion: apps/v1"] == LineOrigin("templates/deployment.yaml", 1)
    assert by_text["name: release-name"].line == 4
    assert by_text["kind: Deployment"].values_file is None


def test_toyaml_of_empty_map_maps_to_its_values_line() -> None:
    origin = _mapping()["{}"]
    assert (origin.template, origin.line, origin.values_file, origin.values_line) == (
        "templates/deployment.yaml", 16, "values.yaml", 5)


def test_toyaml_block_maps_each_line_to_its_key() -> None:
    by_text = _mapping()
    assert (by_text["httpGet:"].line, by_text["httpGet:"].values_line) == (18, 8)
    assert by_text["path: /healthz"].values_line == 9
    assert by_text["periodSeconds: 5"].values_line == 11


def test_scalars_through_functions_and_variables() -> None:
    by_text = _mapping()
    assert by_text['image: "example/app:1.0"'].values_line == 3  # the tag: the last value on the line
    assert by_text['tag: "1.0"'] == LineOrigin("templates/deployment.yaml", 14, "values.yaml", 3)
    assert by_text["enabled: true"].values_line == 19  # a bool, located through its key
    assert by_text["- name: MODE"] == LineOrigin("templates/deployment.yaml", 21, "values.yaml", 14)
    assert by_text['value: "debug"'] == LineOrigin("templates/deployment.yaml", 22, "values.yaml", 17)
    assert by_text["port: 8080"].values_line == 10  # through a with-block


def test_include_keeps_values_origin_through_nindent() -> None:
    origin = _mapping()["team: payments"]
    assert (origin.template, origin.line, origin.values_line) == ("templates/deployment.yaml", 6, 21)


def test_user_values_file_origin(tmp_path: Path) -> None:
    override = tmp_path / "prod.yaml"
    override.write_text("# prod\nresources:\n  limits:\n    cpu: 2\n")
    (manifest,) = render_chart(CHARTS / "mapped", values_files=[override]).manifests
    by_text = dict(zip((ln.strip() for ln in manifest.text.splitlines()), manifest.origins, strict=True))
    assert (by_text["limits:"].values_file, by_text["limits:"].values_line) == (str(override), 3)
    assert by_text["cpu: 2"].values_line == 4


def test_set_values_are_located_as_set_arguments() -> None:
    (manifest,) = render_chart(CHARTS / "mapped", set_values=["enabled=false", "image.tag=2.0"]).manifests
    by_text = dict(zip((ln.strip() for ln in manifest.text.splitlines()), manifest.origins, strict=True))
    assert (by_text['tag: "2.0"'].values_file, by_text['tag: "2.0"'].values_line) == ("--set", 2)
    assert (by_text["enabled: false"].values_file, by_text["enabled: false"].values_line) == ("--set", 1)


def test_tpl_of_values_keeps_line_origins(tmp_path: Path) -> None:
    from .helpers import make_chart

    root = make_chart(tmp_path / "c", {
        "_render.tpl": '{{- define "render" -}}{{- if typeIs "string" .value }}{{- tpl .value .context }}'
                       '{{- else }}{{- tpl (.value | toYaml) .context }}{{- end }}{{- end -}}',
        "cm.yaml": 'labels:\n  {{- include "render" (dict "value" .Values.labels "context" $) | nindent 2 }}\n'},
        values="labels:\n  team: a\n  release: '{{ .Release.Name }}'\n")
    (manifest,) = render_chart(root).manifests
    assert manifest.text == "labels:\n  release: 'release-name'\n  team: a\n"  # toYaml quoted the braces
    assert [(o.line, o.values_line) for o in manifest.origins] == [(1, None), (2, 3), (2, 2)]


def test_pick_and_omit_keep_key_origins(tmp_path: Path) -> None:
    from .helpers import make_chart

    root = make_chart(tmp_path / "c", {"x.yaml": "{{- toYaml (omit .Values.sc \"enabled\") }}\n"},
                      values="sc:\n  enabled: true\n  runAsNonRoot: true\n  privileged: false\n")
    (manifest,) = render_chart(root).manifests
    assert manifest.text == "privileged: false\nrunAsNonRoot: true\n"
    assert [o.values_line for o in manifest.origins] == [4, 3]
