"""K8S802 in charts: a Secret value is a committed leak only when it traces to a literal in a values
file or a template; one the chart generates at install time (randAlphaNum, genCA, genPrivateKey,
derivePassword, lookup) or that defaults to empty is not (issue 16, "Secrets in Helm charts")."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.clirun import invoke

CHARTS = Path(__file__).parent / "charts"


def _k8s802(tmp_path: Path, chart: str) -> list[tuple[str, int]]:
    shutil.copytree(CHARTS / chart, tmp_path / chart)
    run = invoke(["check", "--no-cache", "--format", "json", "--select", "K8S802", chart], tmp_path)
    report = json.loads(run.stdout)
    assert report["errors"] == []
    return sorted((f["path"], f["line"]) for f in report["findings"])


def test_generated_and_empty_by_default_secrets_are_not_leaks(tmp_path: Path) -> None:
    assert _k8s802(tmp_path, "secrets-generated") == []


def test_committed_secrets_are_reported_where_they_are_written(tmp_path: Path) -> None:
    assert _k8s802(tmp_path, "secrets-committed") == [
        ("secrets-committed/templates/secret.yaml", 9),   # a literal in the template
        ("secrets-committed/templates/secret.yaml", 10),  # a literal the template base64-encodes
        ("secrets-committed/values.yaml", 2),             # the values default
    ]


def test_an_operator_value_for_a_generated_secret_is_a_literal_again(tmp_path: Path) -> None:
    shutil.copytree(CHARTS / "secrets-generated", tmp_path / "chart")
    (tmp_path / "chart" / "values-prod.yaml").write_text("auth:\n  password: Rv7Lq2Xw9Kp4Mz8N\n")
    run = invoke(["check", "--no-cache", "--format", "json", "--select", "K8S802", "chart"], tmp_path)
    findings = json.loads(run.stdout)["findings"]
    assert [(f["path"], f["line"]) for f in findings] == [("chart/values-prod.yaml", 2)]
