"""One table of shell commands through every kind that runs commands: the same judgement, in the same words.

Each command is written as a Dockerfile RUN, a workflow `run:`, a composite
action `run:`, a compose `command:`, a Kubernetes container `command`, and a
Helm chart's template (rendered, then judged by the Kubernetes rules). The
messages of the command rules must be the same in every kind (compose and
Kubernetes put the service or container in front), and a clean command gets
none anywhere.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path

import pytest

from readycheck.catalog import load_catalog
from readycheck.config import Config
from readycheck.orchestrate import scan

TLS, PIPE, INSTALL, LATEST = "turns off", "a downloaded script is piped into", "install", "moving 'latest' release"

TABLE: list[tuple[str, list[str]]] = [
    ("curl -fsSLk https://example.com/tool.tgz -o /tmp/tool.tgz", [TLS]),
    ("curl --insecure -o /tmp/tool.tgz https://example.com/tool.tgz", [TLS]),
    ("wget --no-check-certificate -O /tmp/tool.tgz https://example.com/tool.tgz", [TLS]),
    ("helm repo add internal https://charts.example.com --insecure-skip-tls-verify", [TLS]),
    ("apk add --no-cache --allow-untrusted /tmp/agent-1.4.2.apk", [TLS]),
    ("pip install --trusted-host pypi.example.com -r requirements.txt", [TLS]),
    ("git -c http.sslVerify=false clone https://git.example.com/app.git", [TLS]),
    ("npm config set strict-ssl false", [TLS]),
    ("curl -fsSL https://example.com/install.sh | sudo bash", [PIPE]),
    ("wget -qO- https://example.com/install.sh | sh", [PIPE]),
    ("bash <(curl -fsSL https://example.com/install.sh)", [PIPE]),
    ("curl -fsSL https://example.com/install.sh | bash -s -- --yes", [PIPE]),
    ("apt-get install -y --no-install-recommends curl", [INSTALL]),
    ("apk add --no-cache curl", [INSTALL]),
    ("dnf install -y tar", [INSTALL]),
    ("pip install requests", [INSTALL]),
    ("python3 -m pip install 'uvicorn>=0.30'", [INSTALL]),
    ("sudo npm install -g typescript", [INSTALL]),
    ("go install example.com/tool/cmd/tool@latest", [INSTALL]),
    ("gem install bundler", [INSTALL]),
    ("gem i bundler", [INSTALL]),
    ("cargo install ripgrep", [INSTALL]),
    ("curl -fsSLo /tmp/kc.tgz https://github.com/example/kc/releases/latest/download/kc.tgz", [LATEST]),
    ("curl -fsSL --cacert /etc/ca.pem -o /tmp/tool.tgz https://example.com/tool-1.2.3.tgz", []),
    ("curl -fsSL https://example.com/data.json | python3 -c 'import json, sys; json.load(sys.stdin)'", []),
    ("apt-get install -y --no-install-recommends curl=7.88.1-10+deb12u6", []),
    ("apk add --no-cache curl=8.9.0-r0", []),
    ("pip install requests==2.32.3", []),
    ("pip install -r requirements.txt", []),
    ("npm install -g typescript@5.5.4", []),
    ("go install example.com/tool/cmd/tool@v1.2.3", []),
    ("gem install bundler -v 2.5.16", []),
    ("cargo install ripgrep@14.1.0", []),
    ("helm repo add internal https://charts.example.com --ca-file /etc/ca.pem", []),
]

RULES = {
    "dockerfile": ["DF104", "DF105", "DF106", "DF107", "DF108", "DF109", "DF701", "DF702"],
    "workflow": ["GH106", "GH402", "GH406"],
    "action": ["GH106", "GH402", "GH406"],
    "compose": ["DC302", "DC303", "DC304"],
    "kubernetes": ["K8S502", "K8S503", "K8S504"],
    "helm": ["K8S502", "K8S503", "K8S504"],
}

_WHERE = re.compile(r"^(?:(?:init |ephemeral )?container|service) '[^']*': ")


def _deployment(argv: str) -> str:
    return f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
spec:
  selector:
    matchLabels: {{app: app}}
  template:
    metadata:
      labels: {{app: app}}
    spec:
      containers:
        - name: app
          image: ghcr.io/example/app:1.2.3
          command: {argv}
"""


def _write(root: Path, relative: str, text: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _row_files(kind: str, row: int, command: str) -> dict[str, str]:
    """The files that hold `command` for one kind, at paths that name the row."""
    def block(indent: int) -> str:
        return "\n".join(" " * indent + line for line in ["set -e", command])

    argv = json.dumps(["sh", "-c", command])
    if kind == "dockerfile":
        return {f"row{row:02}/Dockerfile": f"FROM debian:bookworm-20240722-slim\nRUN {command}\n"}
    if kind == "workflow":
        return {f".github/workflows/row{row:02}.yml": "on: push\njobs:\n  build:\n    runs-on: ubuntu-24.04\n"
                f"    steps:\n      - run: |\n{block(10)}\n"}
    if kind == "action":
        return {f".github/actions/row{row:02}/action.yml": "name: setup\ndescription: set up\nruns:\n"
                f"  using: composite\n  steps:\n    - shell: bash\n      run: |\n{block(8)}\n"}
    if kind == "compose":
        return {f"row{row:02}/compose.yaml": f"services:\n  app:\n    image: ghcr.io/example/app:1.2.3\n    command: {argv}\n"}
    if kind == "kubernetes":
        return {f"row{row:02}/deployment.yaml": _deployment(argv)}
    values = json.dumps({"script": command})
    return {
        f"row{row:02}/Chart.yaml": f"apiVersion: v2\nname: row{row:02}\nversion: 1.0.0\nappVersion: 1.2.3\n",
        f"row{row:02}/values.yaml": values + "\n",
        f"row{row:02}/templates/deployment.yaml": _deployment('["sh", "-c", {{ .Values.script | quote }}]'),
    }


@pytest.fixture(scope="module")
def judged(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[int, list[str]]]:
    """For each kind: row -> the sorted messages of its command rules (where the finding is, taken off)."""
    catalog = load_catalog()
    found: dict[str, dict[int, list[str]]] = {}
    for kind, rules in RULES.items():
        root = tmp_path_factory.mktemp(kind)
        for row, (command, _) in enumerate(TABLE):
            for relative, text in _row_files(kind, row, command).items():
                _write(root, relative, text)
        result = scan([str(root)], catalog, Config(select=rules), base=root)
        assert not result.errors, [e.as_dict() for e in result.errors]
        by_row: dict[int, list[str]] = defaultdict(list)
        for finding in result.findings:
            match = re.search(r"row(\d\d)", finding.path)
            assert match, finding.path
            by_row[int(match.group(1))].append(_WHERE.sub("", finding.message))
        found[kind] = {row: sorted(messages) for row, messages in by_row.items()}
    return found


@pytest.mark.parametrize("row", range(len(TABLE)), ids=[c for c, _ in TABLE])
def test_the_same_command_gets_the_same_words_in_every_kind(judged: dict[str, dict[int, list[str]]], row: int) -> None:
    command, ideas = TABLE[row]
    seen = {kind: rows.get(row, []) for kind, rows in judged.items()}
    reference = seen["dockerfile"]
    assert len(reference) == len(ideas), f"{command!r} in a Dockerfile: {reference}"
    for idea, message in zip(sorted(ideas), reference, strict=True):
        assert idea in message, (command, message)
    for kind, messages in seen.items():
        assert messages == reference, f"{command!r}: {kind} says {messages}, a Dockerfile says {reference}"


def test_the_issue_examples_agree() -> None:
    """The four disagreements the issue found, each judged once (no scan needed to see the words)."""
    from readycheck.judge.commands import piped_into_shell, strip_wrappers, tls_verification_off
    from readycheck.shell import parse_script

    helm = tls_verification_off(["helm", "repo", "add", "x", "https://c", "--insecure-skip-tls-verify"])
    apk = tls_verification_off(["apk", "add", "--allow-untrusted", "/tmp/a.apk"])
    assert helm is not None and apk is not None
    commands = [c.as_dict() for c in parse_script("curl -fsSL https://x/i.sh | sudo -E bash -").commands]
    verdict = piped_into_shell(commands, 1)
    assert verdict is not None and verdict.source == 0 and "piped into bash" in verdict.message
    assert strip_wrappers(["sudo", "-u", "app", "env", "A=1", "nohup", "curl", "-k"]) == ["curl", "-k"]
    assert strip_wrappers(["command", "-v", "curl"]) == ["command", "-v", "curl"]
