"""SVC009 (compose ports versus EXPOSE), SVC011 (runAsUser/runAsGroup versus the image's numeric USER) and SVC012
(readOnlyRootFilesystem versus VOLUME): the facts they read, and when each stays silent for lack of evidence."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from readycheck.services import _compose_container_ports

from .clirun import invoke, write

WORKFLOW = """\
on: push
permissions: {contents: read}
jobs:
  image:
    runs-on: ubuntu-24.04
    steps:
      - run: docker build --push -t ghcr.io/acme/api:1.0.0 .
"""


def _report(root: Path, rule: str) -> list[dict[str, Any]]:
    done = invoke(["check", "--format", "json", "--no-cache", "--select", rule, "."], root)
    assert done.code in (0, 1), done.stderr
    findings: list[dict[str, Any]] = json.loads(done.stdout)["findings"]
    for finding in findings:
        assert finding["related"], "a cross-artifact finding names its other end"
    return findings


def _services(root: Path) -> dict[str, Any]:
    done = invoke(["services", "--format", "json", "--no-cache", "."], root)
    assert done.code == 0, done.stderr
    data: dict[str, Any] = json.loads(done.stdout)
    return data


@pytest.mark.parametrize(("entry", "container"), [
    ("80", (80, 80)), (80, (80, 80)), ("8080:80", (80, 80)), ("127.0.0.1:8080:80/tcp", (80, 80)),
    ("[::1]:8080:80", (80, 80)), ("8000-8010:9000-9010", (9000, 9010)), ("53:53/udp", (53, 53)),
    ("${WEB_PORT:-8080}:${APP_PORT:-3000}", (3000, 3000)), ({"target": 80, "published": 8080}, (80, 80)),
    ({"target": "9000"}, (9000, 9000)),
    ("${WEB_PORT}:${APP_PORT}", None), ({"published": 80}, None), (True, None), (None, None), ("x:y", None),
])
def test_the_container_side_of_a_compose_port(entry: Any, container: tuple[int, int] | None) -> None:
    assert _compose_container_ports(entry) == container


def _compose_tree(root: Path, service: str, dockerfile: str = "FROM node:22.11-alpine\nEXPOSE 3000\n") -> Path:
    write(root, "app/Dockerfile", dockerfile)
    write(root, "compose.yaml", "services:\n  app:\n    build: ./app\n" + service)
    return root


def test_a_published_port_the_image_does_not_expose_is_found_at_the_port_with_the_expose_related(tmp_path: Path) -> None:
    findings = _report(_compose_tree(tmp_path, '    ports: ["8080:80"]\n'), "SVC009")
    assert [(f["path"], f["line"]) for f in findings] == [("compose.yaml", 4)]
    assert findings[0]["related"][0]["path"] == "app/Dockerfile" and findings[0]["related"][0]["line"] == 2


@pytest.mark.parametrize("service", [
    '    ports: ["8080:3000"]\n',                                         # the port the image EXPOSEs
    '    ports: ["8080:80"]\n    expose: ["80"]\n',                      # declared by the service
    '    ports: ["8080:80"]\n    environment: {PORT: "80"}\n',           # the app is told to listen there
    '    ports: ["8080:80"]\n    environment: ["PORT=80"]\n',
    '    ports: ["8080:80"]\n    command: serve --port 80\n',
    '    ports: ["8080:80"]\n    healthcheck: {test: "wget -q localhost:80/health"}\n',
    '    ports: ["9229:9229"]\n    environment: {NODE_OPTIONS: --inspect=0.0.0.0}\n',  # node's inspector
    '    ports: ["8080:80"]\n    env_file: app.env\n',                    # may set the port
    '    ports: ["8080:80"]\n    network_mode: host\n',                   # ports are ignored
    '    ports: ["8080:3000", "2112:2112"]\n',                            # reachable: 2112 is an auxiliary listener
    '    ports: ["8080:80", "${PORT}:${PORT}"]\n',                        # a port not known may be the one served
    '    ports: ["8080:80"]\n  sidecar:\n    image: daprio/daprd:1.14.4\n    network_mode: "service:app"\n',
])
def test_a_published_port_with_evidence_that_it_is_served_is_not_judged(tmp_path: Path, service: str) -> None:
    assert _report(_compose_tree(tmp_path, service), "SVC009") == []


@pytest.mark.parametrize(("dockerfile", "found"), [
    ("FROM node:22.11-alpine\nEXPOSE 3000-3010\n", True),           # a range without 80
    ("FROM node:22.11-alpine\nEXPOSE 70-90/tcp\n", False),          # a range with 80
    ("FROM node:22.11-alpine\nEXPOSE 3000 $EXTRA_PORT\n", False),    # an EXPOSE not known
    ("FROM node:22.11-alpine\n", False),                             # EXPOSE is optional: nothing to compare
    ("FROM node:22.11-alpine\nENV PORT=80\nEXPOSE 3000\n", False),   # the image tells the app to listen on 80
    ("FROM node:22.11-alpine AS base\nEXPOSE 3000\nFROM base\nCMD [\"node\", \"app.js\"]\n", True),  # inherited
])
def test_what_the_image_exposes_and_names(tmp_path: Path, dockerfile: str, found: bool) -> None:
    findings = _report(_compose_tree(tmp_path, '    ports: ["8080:80"]\n', dockerfile), "SVC009")
    assert bool(findings) == found


def _k8s_tree(root: Path, dockerfile: str, pod_security: str = "", container: str = "") -> Path:
    write(root, ".github/workflows/release.yml", WORKFLOW)
    write(root, "Dockerfile", dockerfile)
    write(root, "deploy/api.yaml", f"""\
apiVersion: apps/v1
kind: Deployment
metadata: {{name: api}}
spec:
  selector: {{matchLabels: {{app: api}}}}
  template:
    metadata: {{labels: {{app: api}}}}
    spec:
      securityContext: {{{pod_security}}}
      containers:
        - name: api
          image: ghcr.io/acme/api:1.0.0
{container}""")
    return root


@pytest.mark.parametrize(("dockerfile", "security", "severities"), [
    # the Dockerfile gives files to the USER's id: a warning
    ("FROM alpine:3.20\nCOPY --chown=10001 . /app\nUSER 10001\n", "runAsUser: 1000", ["warning"]),
    ("FROM alpine:3.20\nRUN chown -R 10001:10001 /app\nUSER 10001:10001\n", "runAsUser: 1000, runAsGroup: 1000",
     ["warning", "warning"]),
    # the account is created with that id: a warning; a name created with a fixed id is that id
    ("FROM alpine:3.20\nRUN adduser -D -u 10001 app\nUSER 10001\n", "runAsUser: 1000", ["warning"]),
    ("FROM debian:12\nRUN useradd --uid 10001 --create-home app\nUSER app\n", "runAsUser: 1000", ["warning"]),
    ("FROM debian:12\nRUN groupadd -g 2000 web && useradd -u 2000 -g web web\nUSER web:web\n",
     "runAsUser: 3000, runAsGroup: 3000", ["warning", "warning"]),
    # nothing shows the image writes as its user: a note
    ("FROM alpine:3.20\nUSER 10001\n", "runAsUser: 1000", ["note"]),
    # prepared for an arbitrary uid (group-writable for the root group): a note
    ("FROM alpine:3.20\nRUN chown -R 10001:0 /app && chmod -R g=u /app\nUSER 10001\n", "runAsUser: 1000", ["note"]),
    # agreement, root on either side, and ids not known: silent
    ("FROM alpine:3.20\nCOPY --chown=10001 . /app\nUSER 10001\n", "runAsUser: 10001", []),
    ("FROM alpine:3.20\nCOPY --chown=10001 . /app\nUSER 10001\n", "runAsUser: 0", []),
    ("FROM alpine:3.20\nUSER 0\n", "runAsUser: 1000", []),
    ("FROM alpine:3.20\nUSER app\n", "runAsUser: 1000", []),
    ("FROM alpine:3.20\nARG UID=10001\nUSER $UID_UNSET\n", "runAsUser: 1000", []),
    ("FROM alpine:3.20\nUSER 10001\n", "runAsGroup: 1000", []),  # the image names no group
])
def test_run_as_user_against_the_images_user(tmp_path: Path, dockerfile: str, security: str,
                                             severities: list[str]) -> None:
    findings = _report(_k8s_tree(tmp_path, dockerfile, security), "SVC011")
    assert sorted(f["severity"] for f in findings) == sorted(severities)
    for finding in findings:
        assert finding["path"] == "deploy/api.yaml" and finding["line"] == 9  # the pod's securityContext
        assert finding["related"][0]["path"] == "Dockerfile"


def test_a_container_security_context_overrides_the_pods(tmp_path: Path) -> None:
    container = "          securityContext: {runAsUser: 10001}\n"
    tree = _k8s_tree(tmp_path, "FROM alpine:3.20\nCOPY --chown=10001 . /app\nUSER 10001\n", "runAsUser: 1000", container)
    assert _report(tree, "SVC011") == []


READ_ONLY = "          securityContext: {readOnlyRootFilesystem: true}\n"


@pytest.mark.parametrize(("dockerfile", "mounts", "found"), [
    ('FROM alpine:3.20\nVOLUME ["/data"]\n', [], ["/data"]),
    ("FROM alpine:3.20\nVOLUME /data /var/cache/app\n", ["/data"], ["/var/cache/app"]),
    ("FROM alpine:3.20 AS base\nVOLUME /data\nFROM base\nUSER 10001\n", [], ["/data"]),  # inherited
    ("FROM alpine:3.20\nVOLUME /data/\n", ["/data"], []),
    ("FROM alpine:3.20\nVOLUME /var/cache/app\n", ["/var/cache"], []),        # a parent mount
    ("FROM alpine:3.20\nVOLUME /var/lib/app\n", ["/var/lib/app/db"], []),     # a mount below it
    ("FROM alpine:3.20\nVOLUME $DATA_DIR\n", [], []),                          # not known
    ("FROM alpine:3.20\nUSER 10001\n", [], []),
])
def test_read_only_root_against_the_images_volumes(tmp_path: Path, dockerfile: str, mounts: list[str],
                                                  found: list[str]) -> None:
    container = READ_ONLY
    if mounts:
        container += "          volumeMounts:\n" + "".join(f"            - {{name: v{i}, mountPath: {m}}}\n"
                                                        for i, m in enumerate(mounts))
    findings = _report(_k8s_tree(tmp_path, dockerfile, "", container), "SVC012")
    assert len(findings) == (1 if found else 0)
    for finding in findings:
        assert (finding["path"], finding["line"]) == ("deploy/api.yaml", 13)
        assert [r["message"].split(" ", 1)[1] for r in finding["related"]] == found


def test_a_writable_root_filesystem_is_not_judged(tmp_path: Path) -> None:
    container = "          securityContext: {readOnlyRootFilesystem: false}\n"
    assert _report(_k8s_tree(tmp_path, "FROM alpine:3.20\nVOLUME /data\n", "", container), "SVC012") == []


def test_the_facts_keep_numbers_of_env_values_never_the_values(tmp_path: Path) -> None:
    secret = "pa55-" + "Zq8vLw3NcR"
    service = f'    ports: ["8080:3000"]\n    environment: {{DB_PASSWORD: {secret}, PORT: "3000"}}\n'
    write(tmp_path, "app/Dockerfile", f"FROM node:22.11-alpine\nENV TOKEN={secret}\nEXPOSE 3000\n")
    write(tmp_path, "compose.yaml", "services:\n  app:\n    build: ./app\n" + service)
    cache = tmp_path / "cache"
    done = invoke(["check", "--cache-dir", str(cache), "--format", "json", "."], tmp_path)
    assert done.code in (0, 1), done.stderr
    assert secret not in json.dumps(_services(tmp_path))
    for path in cache.rglob("*"):
        if path.is_file():
            assert secret.encode() not in path.read_bytes(), path


ODD = {
    "app/Dockerfile": "FROM alpine:3.20\nVOLUME []\nVOLUME\nEXPOSE\nRUN useradd -u\nRUN chown\nRUN chmod\nUSER :\n",
    "compose.yaml": "services:\n  app:\n    build: ./app\n    ports: [null, {target: x}, [1], '', '65536:']\n"
                    "    expose: {a: 1}\n    environment: [1, null, {a: b}]\n    command: {a: 1}\n"
                    "    healthcheck: {test: 3}\n    network_mode: [host]\n  other: [1]\n",
    "deploy/api.yaml": "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  securityContext: {runAsUser: x, "
                       "runAsGroup: true}\n  containers:\n    - name: c\n      image: x\n      volumeMounts: [1, {mountPath: 3}]\n"
                       "      securityContext: {readOnlyRootFilesystem: yes}\n",
}


def test_odd_shapes_build_the_map_and_judge_without_errors(tmp_path: Path) -> None:
    for name, text in ODD.items():
        write(tmp_path, name, text)
    done = invoke(["check", "--format", "json", "--no-cache", "--select", "SVC009,SVC011,SVC012"], tmp_path)
    assert done.code in (0, 1, 2), done.stderr
    report = json.loads(done.stdout)
    assert not [e for e in report["errors"] if "failed" in e["message"] or "service map" in e["message"]]
    assert "Traceback" not in done.stderr
