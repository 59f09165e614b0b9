"""Small wrong answers a skeptical user found: each output says exactly what is so."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.clirun import invoke, write

HEALTHY = 'FROM node:22.11-alpine\nUSER node\nHEALTHCHECK CMD ["node", "health.js"]\nCMD ["node", "server.js"]\n'
NO_HEALTHCHECK = 'FROM node:22.11-alpine\nUSER node\nCMD ["node", "server.js"]\n'


@pytest.mark.parametrize("color", [[], ["--no-color"]])
def test_quiet_with_nothing_to_say_prints_nothing(tmp_path: Path, color: list[str]) -> None:
    write(tmp_path, "Dockerfile", HEALTHY)
    run = invoke(["check", "-q", *color, "--select", "pinned-versions", "."], tmp_path)
    assert (run.code, run.stdout) == (0, "")


def test_quiet_prints_one_finding_per_line_and_nothing_else(tmp_path: Path) -> None:
    write(tmp_path, "Dockerfile", NO_HEALTHCHECK)
    run = invoke(["check", "-q", "--select", "healthcheck", "."], tmp_path)
    lines = run.stdout.splitlines()
    assert lines[0].startswith("Dockerfile:1:1 DF201 [warning]")
    assert run.stdout.endswith("\n") and "" not in lines


def test_text_readiness_says_warn_for_a_warning_not_pass(tmp_path: Path) -> None:
    write(tmp_path, "api/Dockerfile", NO_HEALTHCHECK)
    write(tmp_path, "web/Dockerfile", HEALTHY)
    text = invoke(["report", "--select", "healthcheck", "."], tmp_path).stdout
    assert "api/Dockerfile (Dockerfile): healthcheck=warn" in text
    assert "web/Dockerfile (Dockerfile): healthcheck=pass" in text
    failing = invoke(["report", "--select", "healthcheck", "--fail-on", "warning", "."], tmp_path).stdout
    assert "api/Dockerfile (Dockerfile): healthcheck=fail" in failing


def test_quiet_on_a_terminal_is_quiet_too() -> None:
    from readycheck.model import ScanResult
    from readycheck.reporters import text

    assert text.render_rich(ScanResult([], [], 3), quiet=True) == ""
    assert "checked" in text.render_rich(ScanResult([], [], 3), quiet=False)


@pytest.mark.parametrize(("phrase", "expected"), [
    ("AWS access key id", "an AWS access key id"), ("example key from AWS", "an example key from AWS"),
    ("OpenAI API key", "an OpenAI API key"), ("GitHub token", "a GitHub token"), ("PEM private key block", "a PEM private key block"),
    ("JSON Web Token", "a JSON Web Token"), ("SSH key", "an SSH key"), ("URL", "a URL"), ("user", "a user"),
    ("hard-coded secret", "a hard-coded secret"), ("Azure key", "an Azure key"), ("hour", "an hour"),
])
def test_article_goes_by_sound(phrase: str, expected: str) -> None:
    from readycheck.wording import with_article

    assert with_article(phrase) == expected


def test_plural_agrees_with_the_count() -> None:
    from readycheck.wording import plural

    assert [plural(n, "entry", "entries") for n in (0, 1, 2)] == ["0 entries", "1 entry", "2 entries"]
    assert plural(1, "file") == "1 file" and plural(3, "file") == "3 files"


@pytest.mark.parametrize(("line", "expected"), [
    ("ENV AWS_ACCESS_KEY_ID=AKIA" + "Z7QH2MXVB4KP9RTD", "holds an AWS access key id"),
    ("ENV AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCY" + "EXAMPLEKEY", "holds an example key from the AWS documentation"),
])
def test_secret_messages_read_as_english(tmp_path: Path, line: str, expected: str) -> None:
    write(tmp_path, "Dockerfile", f"FROM alpine:3.20\n{line}\nUSER 1000\n")
    run = invoke(["check", "--format", "json", "--select", "no-baked-secrets", "."], tmp_path)
    messages = [f["message"] for f in __import__("json").loads(run.stdout)["findings"]]
    assert any(expected in m for m in messages), messages
    assert not any(" a AWS" in m or "AWS's" in m for m in messages), messages


def test_one_stale_baseline_entry_is_singular(tmp_path: Path) -> None:
    write(tmp_path, "Dockerfile", "FROM node:latest\nUSER node\n")
    assert invoke(["baseline", "--select", "DF101", "."], tmp_path).code == 0
    write(tmp_path, "Dockerfile", "FROM node:22.11-alpine\nUSER node\n")
    stderr = invoke(["check", "--baseline", ".readycheck-baseline.json", "--select", "DF101", "."], tmp_path).stderr
    assert "1 baseline entry no longer occurs" in stderr


def test_readiness_counts_agree_with_their_nouns(tmp_path: Path) -> None:
    write(tmp_path, "Dockerfile", HEALTHY)
    assert "1 artifact, 1 file checked" in invoke(["report", "."], tmp_path).stdout
    assert "1 artifact, 1 file checked" in invoke(["report", "--format", "html", "."], tmp_path).stdout


def test_a_single_replica_rollout_is_not_all_1_replicas(tmp_path: Path) -> None:
    write(tmp_path, "deploy.yaml", """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 1
  strategy: {type: RollingUpdate, rollingUpdate: {maxUnavailable: 1}}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx:1.27}]
""")
    messages = [f["message"] for f in __import__("json").loads(invoke(["check", "--format", "json", "."], tmp_path).stdout)["findings"]]
    assert any("takes down its only replica" in m for m in messages), messages
    assert not any("all 1 replicas" in m for m in messages)


CHART = {
    "chart/Chart.yaml": "apiVersion: v2\nname: web\nversion: 0.1.0\nappVersion: '1.0'\n",
    "chart/values.yaml": "image:\n  repository: nginx\n  tag: '1.27.0'\ndb:\n  password: ''\n",
    "chart/templates/deploy.yaml": """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
          env:
            - name: DB_PASSWORD
              value: {{ .Values.db.password | quote }}
""",
}


def test_a_finding_from_set_is_located_at_the_template_line_and_names_the_set(tmp_path: Path) -> None:
    for name, text in CHART.items():
        write(tmp_path, name, text)
    args = ["check", "--no-cache", "--select", "K8S501", "--set", "replicaCount=3", "--set", "image.tag=latest"]
    report = __import__("json").loads(invoke([*args, "--format", "json", "."], tmp_path).stdout)
    [finding] = report["findings"]
    assert (finding["path"], finding["line"]) == ("chart/templates/deploy.yaml", 15)
    assert "--set image.tag=" in finding["message"] and "replicaCount" not in finding["message"]
    sarif = invoke([*args, "--format", "sarif", "."], tmp_path).stdout
    assert "--set:" not in sarif and '"uri": "chart/--set"' not in sarif and "chart/templates/deploy.yaml" in sarif


def test_a_secret_given_with_set_is_named_by_its_key_only(tmp_path: Path) -> None:
    for name, text in CHART.items():
        write(tmp_path, name, text)
    secret = "Zq8wVt3mPx7Lk2Rn"
    report = __import__("json").loads(invoke(
        ["check", "--no-cache", "--select", "no-baked-secrets", "--set", f"db.password={secret}", "--format", "json", "."],
        tmp_path).stdout)
    located = [(f["path"], f["message"]) for f in report["findings"]]
    assert located and all(path == "chart/templates/deploy.yaml" for path, _ in located), located
    assert any("--set db.password=" in message for _, message in located), located
    assert secret not in __import__("json").dumps(report)
