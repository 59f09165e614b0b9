"""Engine bugs found by rendering public charts against Helm's own engine (tests/helm/oracle.py).

Each expected value here is what Helm 4.2 rendered for the same input; the differential tests in
test_oracle_charts.py check the same ground against the oracle itself when it is installed.
"""

from __future__ import annotations

from pathlib import Path

from readycheck.helm import render_chart
from readycheck.helm.objects import HELM_VERSION, default_api_versions

from .helpers import make_chart, render_one


def test_from_yaml_takes_the_first_document(tmp_path: Path) -> None:
    # a redis subchart hashes `fromYaml` of a multi-document ConfigMap for its checksum/ annotations
    template = ('{{ $d := "a: 1\\n---\\nb: 2\\n" | fromYaml }}{{ toJson $d }}|'
                '{{ $e := "# only a comment\\n---\\nb: 2\\n" | fromYaml }}{{ toJson $e }}|'
                '{{ $l := "- 1\\n---\\n- 2\\n" | fromYamlArray }}{{ toJson $l }}')
    text, errors = render_one(tmp_path / "c", template)
    assert errors == []
    assert text == '{"a":1}|{"b":2}|[1]'


def test_exponent_numbers_read_back_as_floats(tmp_path: Path) -> None:
    # toYaml prints 6000000 as 6e+06; Go's YAML reads that back as a number, not as a string
    template = ('{{ $d := dict "n" 6000000 | toYaml | fromYaml }}{{ kindOf $d.n }} {{ $d.n | int }} '
                '{{ $e := "x: 1e3\\no: 0o17\\nz: 1:20\\nw: 2001-12-14" | fromYaml }}{{ toJson $e }}')
    text, errors = render_one(tmp_path / "c", template)
    assert errors == []
    assert text == 'float64 6000000 {"o":15,"w":"2001-12-14","x":1000,"z":"1:20"}'


def test_values_numbers_and_booleans_as_go_yaml_reads_them(tmp_path: Path) -> None:
    values = "a: 6e+06\nb: 1.5e3\nc: y\nd: 0x1F\ne: '6e+06'\nf: !!str 1e3\n"
    text, errors = render_one(tmp_path / "c", "{{ toJson .Values }}", values)
    assert errors == []
    assert text == '{"a":6000000,"b":1500,"c":true,"d":31,"e":"6e+06","f":"1e3"}'


def test_empty_files_glob_is_false(tmp_path: Path) -> None:
    # a ConfigMap guarded by `if .Files.Glob "files/*"` must not appear when no file matches
    template = ('{{ if .Files.Glob "nothing/*" }}phantom{{ else }}none{{ end }} '
                '{{ if .Files.Glob "conf/*" }}some{{ end }} {{ len (.Files.Glob "conf/*") }}')
    text, errors = render_one(tmp_path / "c", template, files={"conf/a.conf": "x=1\n"})
    assert errors == []
    assert text == "none some 1"


def test_null_in_chart_defaults_drops_the_key(tmp_path: Path) -> None:
    values = "gone: null\nnested:\n  gone: null\n  kept: 1\n"
    text, errors = render_one(tmp_path / "c", "{{ toJson .Values }} {{ hasKey .Values \"gone\" }}", values)
    assert errors == []
    assert text == '{"nested":{"kept":1}} false'


def test_capabilities_as_helm_offers_them_offline(tmp_path: Path) -> None:
    template = ('{{ len .Capabilities.APIVersions }} {{ .Capabilities.APIVersions.Has "apps/v1" }} '
                '{{ .Capabilities.APIVersions.Has "apiregistration.k8s.io/v1" }} '
                '{{ semverCompare ">=4.0.0-0" .Capabilities.HelmVersion.Version }} '
                '{{ .Capabilities.KubeVersion | toJson }}')
    text, errors = render_one(tmp_path / "c", template)
    assert errors == []
    count, apps, apiregistration, helm4, kube = text.split(" ", 4)
    assert int(count) == len(default_api_versions()) > 40
    assert (apps, apiregistration, helm4) == ("true", "false", "true")
    assert kube == '{"Major":"1","Minor":"30","Version":"v1.30.0"}'
    assert HELM_VERSION.startswith("v4.")
    assert all(v.count("/") <= 1 for v in default_api_versions())  # group/versions only, no Kinds


def _parent_with_vendored_sub(root: Path, dependencies: str, values: str = "") -> Path:
    chart_yaml = f"apiVersion: v2\nname: parent\nversion: 0.1.0\ndependencies:\n{dependencies}"
    make_chart(root, {"p.yaml": "parent: {{ .Values | toJson }}\n"}, values, chart_yaml=chart_yaml)
    make_chart(root / "charts" / "sub", {"s.yaml": "sub: {{ .Chart.Name }} {{ .Values.x }}\n"}, "x: 0\n",
               chart_yaml="apiVersion: v2\nname: sub\nversion: 1.0.0\n")
    return root


def _texts(root: Path) -> dict[str, str]:
    result = render_chart(root)
    assert result.errors == []
    return {m.helm_name: m.text for m in result.manifests}


def test_dependency_version_range_is_honoured(tmp_path: Path) -> None:
    # the alias asks for ~2.0.0 and charts/ holds 1.0.0: Helm renders no `two`, and the vendored chart
    # renders under its own name with its own values
    root = _parent_with_vendored_sub(tmp_path / "p", '- name: sub\n  version: "~2.0.0"\n  alias: two\n',
                                     "two:\n  x: 2\nsub:\n  x: 1\n")
    texts = _texts(root)
    assert "parent/charts/two/templates/s.yaml" not in texts
    assert texts["parent/charts/sub/templates/s.yaml"] == "sub: sub 1\n"


def test_dependency_in_range_renders_under_its_alias(tmp_path: Path) -> None:
    root = _parent_with_vendored_sub(tmp_path / "p", '- name: sub\n  version: "1.x"\n  alias: two\n',
                                     "two:\n  x: 2\n")
    texts = _texts(root)
    assert texts["parent/charts/two/templates/s.yaml"] == "sub: two 2\n"
    assert "parent/charts/sub/templates/s.yaml" not in texts


def test_disabled_dependency_removes_a_vendored_chart_of_another_version(tmp_path: Path) -> None:
    root = _parent_with_vendored_sub(tmp_path / "p", '- name: sub\n  version: "~2.0.0"\n  condition: sub.enabled\n',
                                     "sub:\n  enabled: false\n")
    assert set(_texts(root)) == {"parent/templates/p.yaml"}


def test_missing_dependency_is_one_error_per_chart(tmp_path: Path) -> None:
    chart_yaml = ("apiVersion: v2\nname: app\nversion: 0.1.0\ndependencies:\n"
                  "- name: common\n  version: 2.x.x\n  repository: oci://example.invalid/charts\n"
                  "- name: redis\n  version: 20.x.x\n  repository: oci://example.invalid/charts\n")
    templates = {f"cm{i}.yaml": f'kind: ConfigMap\nname: {{{{ include "common.names.fullname" . }}}}-{i}\n'
                 for i in range(5)}
    templates["plain.yaml"] = "kind: ConfigMap\nname: plain\n"
    root = make_chart(tmp_path / "app", templates, chart_yaml=chart_yaml)
    result = render_chart(root)
    assert len(result.errors) == 1
    message = result.errors[0].message
    assert "common, redis" in message and "helm dependency build" in message and "5 templates" in message
    assert result.errors[0].path == "Chart.yaml"
    assert "no template" not in message
    assert [m.template for m in result.manifests] == ["templates/plain.yaml"]  # what can be judged still is


def test_missing_dependency_keeps_other_errors(tmp_path: Path) -> None:
    """A template that cannot even be parsed is its own error: no dependency would have fixed it."""
    chart_yaml = "apiVersion: v2\nname: app\nversion: 0.1.0\ndependencies:\n- name: common\n  version: 2.x.x\n"
    root = make_chart(tmp_path / "app", {"bad.yaml": "{{ if }}\n"}, chart_yaml=chart_yaml)
    result = render_chart(root)
    assert sorted(e.kind for e in result.errors) == ["dependency", "parse"]


def test_a_dash_after_a_class_escape_is_literal(tmp_path: Path) -> None:
    # redis-ha validates names with `^[\w-\.]+$`, which RE2 reads and Python's re would refuse
    text, errors = render_one(tmp_path / "c", '{{ regexMatch "^[\\\\w-\\\\.]+$" "a-b.c" }} {{ regexFind "\\\\d-\\\\d" "x1-2" }}')
    assert errors == []
    assert text == "true 1-2"


def test_only_the_root_helmignore_applies(tmp_path: Path) -> None:
    """Helm's directory loader reads the top chart's .helmignore for the whole tree; a vendored
    subchart folder's own .helmignore (meant for packaging it) is not read."""
    root = make_chart(tmp_path / "p", {"p.yaml": "kind: P\n"}, files={".helmignore": "*.skip\n"})
    make_chart(root / "charts" / "sub", {"tests/t.yaml": "kind: T\n", "s.skip": "kind: S\n"},
               chart_yaml="apiVersion: v2\nname: sub\nversion: 1.0.0\n", files={".helmignore": "tests/\n"})
    names = sorted(m.helm_name for m in render_chart(root).manifests)
    assert names == ["demo/charts/sub/templates/tests/t.yaml", "demo/templates/p.yaml"]


def test_a_binary_file_survives_files_get_and_b64enc(tmp_path: Path) -> None:
    # kube-prometheus-stack ships its CRDs as crds.bz2 and renders `.Files.Get "crds.bz2" | b64enc`
    import base64
    import hashlib

    root = make_chart(tmp_path / "c", {"t.yaml": 'data: {{ .Files.Get "blob.bin" | b64enc }}\n'
                                                 'sum: {{ .Files.Get "blob.bin" | sha256sum }}\n'
                                                 'raw: {{ .Files.Get "blob.bin" | len }}\n'})
    blob = bytes(range(256)) * 3
    (root / "blob.bin").write_bytes(blob)
    result = render_chart(root)
    assert result.errors == []
    assert result.manifests[0].text == (f"data: {base64.b64encode(blob).decode()}\n"
                                         f"sum: {hashlib.sha256(blob).hexdigest()}\nraw: {len(blob)}\n")


def test_raw_binary_output_is_valid_text(tmp_path: Path) -> None:
    root = make_chart(tmp_path / "c", {"t.yaml": 'raw: {{ .Files.Get "blob.bin" | quote }}\n'})
    (root / "blob.bin").write_bytes(b"ok\xff\xfe")
    result = render_chart(root)
    result.manifests[0].text.encode("utf-8")  # no lone surrogates reach the checks or the output
