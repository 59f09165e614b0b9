"""Broken charts and hostile inputs end as structured RenderErrors, never crashes or hangs."""

from __future__ import annotations

import io
import tarfile
import time
from pathlib import Path

import pytest

from readycheck.helm import render_chart

from .helpers import make_chart, render_one

CHARTS = Path(__file__).parent / "charts"
CORPUS = Path("/work/shared/corpus")


def test_range_without_end_is_a_located_parse_error() -> None:
    result = render_chart(CHARTS / "broken")
    assert len(result.errors) == 1
    error = result.errors[0]
    assert (error.path, error.line, error.kind) == ("templates/daemonset.yaml", 9, "parse")
    assert "{{range}}" in error.message and "no matching {{end}}" in error.message
    assert [m.template for m in result.manifests] == ["templates/ok.yaml"]  # the rest still renders


@pytest.mark.skipif(not (CORPUS / "repo-cluster-addons").exists(), reason="shared corpus not available")
def test_corpus_image_prepuller_is_a_render_error() -> None:
    result = render_chart(CORPUS / "repo-cluster-addons/charts/image-prepuller")
    assert [(e.path, e.kind) for e in result.errors] == [("templates/daemonset.yaml", "parse")]
    assert result.errors[0].line is not None


@pytest.mark.skipif(not (CORPUS / "repo-ktor-payments").exists(), reason="shared corpus not available")
def test_corpus_payments_resources_map_to_values_line_35() -> None:
    result = render_chart(CORPUS / "repo-ktor-payments/charts/payments")
    assert result.errors == []
    (deployment,) = [m for m in result.manifests if m.template == "templates/deployment.yaml"]
    lines = deployment.text.splitlines()
    resources = lines.index("          resources:")
    origin = deployment.origins[resources + 1]
    assert lines[resources + 1].strip() == "{}"
    assert (origin.template, origin.values_file, origin.values_line) == ("templates/deployment.yaml", "values.yaml", 35)


def test_required_error_has_line(tmp_path: Path) -> None:
    _, errors = render_one(tmp_path / "c", "a: 1\nb: {{ required \"b is required\" .Values.b }}\n")
    assert [(e.path, e.line, e.message) for e in errors] == [("templates/t.yaml", 2, "b is required")]


def test_error_inside_helper_names_the_helper_and_the_rendering_template(tmp_path: Path) -> None:
    root = make_chart(tmp_path / "c", {"_h.tpl": '{{ define "h" }}\n{{ fail "in helper" }}\n{{ end }}',
                                       "x.yaml": '{{ include "h" . }}'})
    (error,) = render_chart(root).errors
    assert (error.path, error.line, error.message, error.rendering) == (
        "templates/_h.tpl", 2, "in helper", "templates/x.yaml")


def test_self_include_is_bounded(tmp_path: Path) -> None:
    root = make_chart(tmp_path / "c", {"x.yaml": '{{ define "loop" }}{{ include "loop" . }}{{ end }}{{ include "loop" . }}'})
    started = time.monotonic()
    (error,) = render_chart(root).errors
    assert time.monotonic() - started < 5
    assert error.kind == "limit" and "nesting" in error.message and error.path == "templates/x.yaml"


def test_tpl_recursion_is_bounded(tmp_path: Path) -> None:
    _, errors = render_one(tmp_path / "c", "{{ tpl .Values.t . }}", 't: "{{ tpl .Values.t . }}"')
    assert len(errors) == 1 and errors[0].kind == "limit"


def test_output_cap(tmp_path: Path) -> None:
    _, errors = render_one(tmp_path / "c", "{{ range until 5000 }}{{ repeat 1000 \"x\" }}{{ end }}", max_output_bytes=100_000)
    assert len(errors) == 1 and errors[0].kind == "limit" and "output exceeds" in errors[0].message


def test_until_cap(tmp_path: Path) -> None:
    _, errors = render_one(tmp_path / "c", "{{ len (until 100000000) }}")
    assert len(errors) == 1 and "exceeds the cap" in errors[0].message


def test_wall_time_budget(tmp_path: Path) -> None:
    template = "{{ range until 100000 }}{{ range until 100000 }}{{ end }}{{ end }}"
    started = time.monotonic()
    _, errors = render_one(tmp_path / "c", template, timeout_s=0.5)
    assert time.monotonic() - started < 5
    assert len(errors) == 1 and errors[0].kind == "limit" and "time budget" in errors[0].message


def _chart_with_archive(root: Path, members: list[tuple[tarfile.TarInfo, bytes]]) -> Path:
    make_chart(root, {"a.yaml": "a: 1\n"})
    (root / "charts").mkdir()
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for info, data in members:
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    (root / "charts" / "evil-0.1.0.tgz").write_bytes(buffer.getvalue())
    return root


@pytest.mark.parametrize("name", ["../escape.yaml", "evil/../../escape.yaml", "/etc/evil.yaml"])
def test_tgz_path_traversal_is_an_error(tmp_path: Path, name: str) -> None:
    root = _chart_with_archive(tmp_path / "c", [(tarfile.TarInfo("evil/Chart.yaml"), b"name: evil\nversion: 1\n"),
                                                (tarfile.TarInfo(name), b"x")])
    result = render_chart(root)
    assert [e.path for e in result.errors] == ["charts/evil-0.1.0.tgz"]
    assert "unsafe" in result.errors[0].message or "escapes" in result.errors[0].message
    assert [m.template for m in result.manifests] == ["templates/a.yaml"]
    assert not (tmp_path / "escape.yaml").exists()


def test_tgz_symlink_is_an_error(tmp_path: Path) -> None:
    link = tarfile.TarInfo("evil/templates/x.yaml")
    link.type = tarfile.SYMTYPE
    link.linkname = "/etc/passwd"
    root = _chart_with_archive(tmp_path / "c", [(link, b"")])
    (error,) = render_chart(root).errors
    assert "not a regular file" in error.message


def test_tgz_decompression_bomb_is_an_error(tmp_path: Path) -> None:
    root = _chart_with_archive(tmp_path / "c", [(tarfile.TarInfo("evil/Chart.yaml"), b"name: evil\nversion: 1\n"),
                                                (tarfile.TarInfo("evil/big.bin"), b"\0" * 60_000_000)])
    started = time.monotonic()
    (error,) = render_chart(root).errors
    assert time.monotonic() - started < 10
    assert "larger than" in error.message or "expands beyond" in error.message


def test_missing_chart_and_bad_yaml_are_errors(tmp_path: Path) -> None:
    (error,) = render_chart(tmp_path / "nope").errors
    assert error.kind == "load"
    root = make_chart(tmp_path / "c", {"a.yaml": "a: 1\n"}, values="a: [unclosed\n")
    (error,) = render_chart(root).errors
    assert (error.path, error.kind) == ("values.yaml", "load") and error.line is not None


def test_rendering_is_deterministic() -> None:
    first = render_chart(CHARTS / "scaffold", values_files=[CHARTS / "scaffold-overrides.yaml"])
    second = render_chart(CHARTS / "scaffold", values_files=[CHARTS / "scaffold-overrides.yaml"])
    assert [(m.template, m.text, m.origins) for m in first.manifests] == [
        (m.template, m.text, m.origins) for m in second.manifests]


ALIAS_BOMB = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(8))


def test_values_alias_bomb_is_an_error(tmp_path: Path) -> None:
    root = make_chart(tmp_path / "c", {"a.yaml": "a: 1\n"}, values=ALIAS_BOMB)
    started = time.monotonic()
    (error,) = render_chart(root).errors
    assert time.monotonic() - started < 10
    assert error.path == "values.yaml" and "too many nodes" in error.message


def test_from_yaml_alias_bomb_is_an_error(tmp_path: Path) -> None:
    block = "".join(f"  {line}\n" for line in ALIAS_BOMB.splitlines())
    _, errors = render_one(tmp_path / "c", "{{ fromYaml .Values.doc | len }}", values=f"doc: |\n{block}")
    assert len(errors) == 1 and "too large" in errors[0].message
