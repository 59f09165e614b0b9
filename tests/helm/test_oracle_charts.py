"""Differential tests: readycheck's Helm engine against Helm's own (the optional ``oracle`` extra).

Every chart under fixtures/ and tests/helm/charts, and a generated chart with a template per
function case (tests/helm/oracle_cases.py), must render to the same objects as Helm renders.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from readycheck.helm import render_chart
from readycheck.helm.functions import FUNCS

from .helpers import make_chart
from .oracle import compare, render_helm, unavailable_reason
from .oracle_cases import CASES, FAILING, FILES, NOT_COMPARED, VALUES

REPO = Path(__file__).resolve().parents[2]
ORACLE = pytest.mark.skipif(unavailable_reason() is not None, reason=unavailable_reason() or "")

# Charts Helm refuses to load and readycheck renders anyway so that the rest can still be judged:
# the rule named reports the very thing Helm refuses (its fixture expects the finding).
REFUSED_BY_HELM = {"fixtures/HELM002/bad": "HELM002", "fixtures/HELM005/bad": "HELM005"}


def _chart_dirs() -> list[str]:
    found = []
    for chart_yaml in sorted([*REPO.glob("fixtures/**/Chart.yaml"), *REPO.glob("tests/helm/charts/*/Chart.yaml")]):
        chart = chart_yaml.parent
        if any(p.name == "charts" and (p.parent / "Chart.yaml").exists() for p in chart.parents):
            continue  # a subchart: rendered with its parent
        found.append(chart.relative_to(REPO).as_posix())
    return found


def test_there_are_fixture_charts_to_compare() -> None:
    assert len(_chart_dirs()) >= 15


@ORACLE
@pytest.mark.parametrize("chart", _chart_dirs())
def test_fixture_chart_renders_as_helm(chart: str) -> None:
    result = compare(REPO / chart)
    if chart in REFUSED_BY_HELM:
        assert result.helm.errors and not result.ours.errors
        expect = yaml.safe_load((REPO / chart).parent.joinpath("expect.yaml").read_text())
        assert expect.get("bad"), f"{REFUSED_BY_HELM[chart]} must report what Helm refuses"
        return
    assert result.differences == []


def test_every_function_has_a_case() -> None:
    used = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", " ".join(CASES)))
    missing = sorted(name for name in FUNCS if name not in used and name not in NOT_COMPARED)
    assert missing == []


def _function_chart(root: Path) -> Path:
    templates = {f"case{index:03d}.yaml": (f'{{{{- define "case{index:03d}" -}}}}\n{case}\n{{{{- end -}}}}\n'
                                           f'v: {{{{ include "case{index:03d}" . | toJson }}}}\n')
                 for index, case in enumerate(CASES)}
    templates["_helpers.tpl"] = '{{- define "helper" -}}helped {{ .Values.name }}{{- end -}}\n'
    return make_chart(root, templates, VALUES, files=FILES)


@ORACLE
def test_every_function_renders_as_helm(tmp_path: Path) -> None:
    result = compare(_function_chart(tmp_path / "funcs"))
    assert result.helm.errors == [] and result.ours.errors == []
    assert result.differences == []


@ORACLE
@pytest.mark.parametrize("template", FAILING)
def test_failing_templates_fail_at_the_same_line(tmp_path: Path, template: str) -> None:
    root = make_chart(tmp_path / "c", {"t.yaml": template}, VALUES)
    helm = render_helm(root)
    ours = render_chart(root)
    assert helm.errors, "Helm was expected to fail"
    assert ours.errors, f"Helm failed ({helm.errors[0][:200]}) and readycheck did not"
    helm_line = re.search(r"templates/t\.yaml:(\d+)", helm.errors[0])
    assert helm_line is not None
    assert ours.errors[0].line == int(helm_line.group(1))
