"""What an image ships and what a health check runs (SVC007, SVC008): the judgements behind the two rules, and that
a health command's words (which may quote a credential) never reach the cached facts."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from readycheck.judge.commands import health_command, program_changes
from readycheck.judge.images import BASE_PROGRAMS, HEALTH_PROGRAMS, base_programs, copy_changes, image_ships
from readycheck.shell import parse_script

from .clirun import invoke, write
from .conftest import FIXTURES


def _changes(script: str) -> list[list[str]]:
    return program_changes([c.as_dict() for c in parse_script(script).commands])


def _rule_findings(root: Path, rule: str) -> list[tuple[str, int]]:
    done = invoke(["check", "--select", rule, "--format", "json", "--no-cache", "."], root)
    assert done.code in (0, 1), done.stderr
    return sorted((f["path"], f["line"]) for f in json.loads(done.stdout)["findings"])


def test_every_row_of_the_base_table_says_where_its_fact_comes_from() -> None:
    for pattern, tags, programs, source in BASE_PROGRAMS:
        assert pattern and tags and len(source) > 20
        assert programs is None or set(programs) == set(HEALTH_PROGRAMS)


@pytest.mark.parametrize(("repository", "tag", "program", "ships"), [
    ("scratch", None, "sh", False),
    ("gcr.io/distroless/static-debian12", "nonroot", "curl", False),
    ("docker.io/library/python", "3.12.7-slim-bookworm", "curl", False),
    ("docker.io/library/node", "22-alpine", "wget", True),
    ("docker.io/library/node", "22-alpine", "curl", False),
])
def test_known_bases_ship_what_their_row_says(repository: str, tag: str | None, program: str, ships: bool) -> None:
    known = base_programs(repository, tag)
    assert known is not None and known[0][program] is ships


@pytest.mark.parametrize(("repository", "tag"), [
    ("gcr.io/distroless/base-debian12", "debug"),  # busybox: not known, so not judged
    ("docker.io/library/python", "3.12.7"),  # the full image is built on buildpack-deps, which has curl
    ("ghcr.io/acme/base", "1.0"),
    ("docker.io/library/nginx", "1.27-alpine"),  # alpine-based, but installs curl itself
])
def test_other_bases_are_not_known(repository: str, tag: str) -> None:
    assert base_programs(repository, tag) is None


def test_instructions_change_what_the_image_ships_in_build_order() -> None:
    slim = base_programs("docker.io/library/python", "3.12-slim")
    assert slim is not None
    base = slim[0]
    assert image_ships("curl", base, []) is False
    assert image_ships("curl", base, _changes("apt-get update && apt-get install -y --no-install-recommends curl")) is True
    assert image_ships("curl", base, _changes("apt-get install -y curl && curl -o /x https://e.org/x && apt-get purge -y curl")) is False
    assert image_ships("wget", base, _changes("apk add --no-cache --virtual .deps wget && wget -q https://e.org/x && apk del .deps")) is False
    assert image_ships("curl", base, _changes("./scripts/install-deps.sh")) is None
    assert image_ships("curl", base, _changes("apt-get install -y $PACKAGES")) is None
    assert image_ships("curl", base, copy_changes(["/usr/bin/curl"], "/usr/bin/curl", "curlimages/curl:8.11.0")) is True
    assert image_ships("sh", {"sh": False}, copy_changes(["/"], "/", "builder")) is None
    assert image_ships("sh", {"sh": False}, copy_changes(["/usr/local/bin/*"], "/usr/local/bin/", "tools")) is None
    assert image_ships("sh", {"sh": False}, copy_changes(["/out/server"], "/usr/local/bin/", "build")) is False
    assert image_ships("curl", base, _changes("pip install --no-cache-dir -r requirements.txt")) is False


def test_a_health_command_names_the_programs_it_runs_and_the_local_port_it_asks() -> None:
    shell_form = health_command(script="curl -fsS http://localhost:8080/healthz || exit 1")
    assert shell_form.programs[0] == "sh" and "curl" in shell_form.programs and shell_form.ports == (8080,)
    exec_form = health_command(argv=["wget", "-q", "--spider", "127.0.0.1:9000/ready"])
    assert exec_form.programs == ("wget",) and exec_form.ports == (9000,)
    assert health_command(argv=["sh", "-c", "curl -f http://localhost/"]).ports == (80,)
    assert health_command(script="curl -f http://localhost:$PORT/health").ports is None
    assert health_command(argv=["curl", "-f", "http://api.internal:8080/health"]).ports == ()
    assert health_command(argv=["/bin/grpc_health_probe", "-addr=:50051"]).ports == (50051,)


def test_a_fallback_client_the_image_ships_keeps_the_check_working(tmp_path: Path) -> None:
    write(tmp_path, "Dockerfile", "FROM node:22.11.0-alpine\n"
          "HEALTHCHECK CMD curl -f http://localhost:3000/ || wget -q --spider http://localhost:3000/ || exit 1\n")
    assert _rule_findings(tmp_path, "SVC007") == []
    write(tmp_path, "Dockerfile", "FROM node:22.11.0-alpine\nHEALTHCHECK CMD curl -f http://localhost:3000/ || exit 1\n")
    assert _rule_findings(tmp_path, "SVC007") == [("Dockerfile", 2)]


def test_the_words_of_a_health_command_reach_neither_the_cache_nor_the_map(tmp_path: Path) -> None:
    secret = "s3cr3t-" + "Qm7xP2vL9kRt"
    write(tmp_path, "api/Dockerfile", "FROM python:3.12.7-slim\nCMD [\"python\", \"app.py\"]\n")
    write(tmp_path, "compose.yaml", f"""\
services:
  api:
    build: ./api
    healthcheck:
      test: ["CMD-SHELL", "curl -fsS -u admin:{secret} http://localhost:8000/health"]
""")
    cache = tmp_path / "cache"
    done = invoke(["check", "--cache-dir", str(cache), "--format", "json", "."], tmp_path)
    assert done.code in (0, 1, 2)
    assert "SVC007" in done.stdout and secret not in done.stdout
    mapped = invoke(["services", "--format", "json", "."], tmp_path)
    assert secret not in mapped.stdout
    for path in cache.rglob("*"):
        if path.is_file():
            assert secret.encode() not in path.read_bytes(), path


def test_a_bin_directory_copied_from_a_stage_brings_what_that_stage_ships(tmp_path: Path) -> None:
    final = ("FROM python:3.12.7-slim\nCOPY --from=builder /usr/local/bin /usr/local/bin\n"
             "HEALTHCHECK CMD curl -f http://localhost:8000/ || exit 1\n")
    write(tmp_path, "Dockerfile", "FROM python:3.12.7-slim AS builder\nRUN pip install --no-cache-dir -r requirements.txt\n"
          + final)
    assert _rule_findings(tmp_path, "SVC007") == [("Dockerfile", 5)]
    write(tmp_path, "Dockerfile", "FROM python:3.12.7-slim AS builder\nRUN apt-get install -y curl\n" + final)
    assert _rule_findings(tmp_path, "SVC007") == []
    write(tmp_path, "Dockerfile", final.replace("builder", "ghcr.io/acme/tools:1.0"))
    assert _rule_findings(tmp_path, "SVC007") == []  # what another image holds is not known


def test_a_program_the_build_writes_or_hands_to_a_helper_counts_as_shipped() -> None:
    debian = {"sh": True, "curl": False, "wget": False}
    assert image_ships("curl", debian, _changes("wget -qO /usr/local/bin/curl https://e.org/curl-static")) is True
    assert image_ships("curl", debian, _changes("install_packages ca-certificates curl")) is True
    assert image_ships("wget", debian, _changes("apt-get install -y wget && wget -q https://e.org/x "
                                                "&& apt-get purge -y wget")) is False


def test_a_probe_port_the_image_does_not_expose_is_reported_once(tmp_path: Path) -> None:
    """SVC003 owns a probe on a port the image does not EXPOSE; SVC008 speaks only when the image EXPOSEs nothing."""
    write(tmp_path, ".github/workflows/release.yml", "on: push\njobs:\n  image:\n    runs-on: ubuntu-24.04\n    steps:\n"
          "      - run: docker build --push -t ghcr.io/acme/api:2.4.1 .\n")
    deployment = ("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n"
                  "  selector: {matchLabels: {app: api}}\n  template:\n    metadata: {labels: {app: api}}\n    spec:\n"
                  "      containers:\n        - name: api\n          image: ghcr.io/acme/api:2.4.1\n"
                  "          readinessProbe:\n            httpGet: {path: /ready, port: 9000}\n")
    write(tmp_path, "deploy/api.yaml", deployment)
    healthcheck = "HEALTHCHECK CMD curl -fsS http://localhost:8000/healthz || exit 1\n"
    write(tmp_path, "Dockerfile", "FROM python:3.12.7\nEXPOSE 8000\n" + healthcheck)
    assert _rule_findings(tmp_path, "SVC003") == [("deploy/api.yaml", 12)]
    assert _rule_findings(tmp_path, "SVC008") == []
    write(tmp_path, "Dockerfile", "FROM python:3.12.7\n" + healthcheck)
    assert _rule_findings(tmp_path, "SVC003") == []
    assert _rule_findings(tmp_path, "SVC008") == [("deploy/api.yaml", 12)]
    write(tmp_path, "deploy/api.yaml", deployment.replace("          readinessProbe:",
                                                          "          ports: [{containerPort: 9000}]\n          readinessProbe:"))
    assert _rule_findings(tmp_path, "SVC008") == []  # a declared containerPort may well be served too


def test_an_exposed_range_or_variable_keeps_the_compose_healthcheck_port_from_being_judged(tmp_path: Path) -> None:
    healthcheck = "HEALTHCHECK CMD curl -fsS http://localhost:8000/healthz || exit 1\n"
    write(tmp_path, "compose.yaml", "services:\n  api:\n    build: ./api\n    healthcheck:\n"
          "      test: [\"CMD\", \"curl\", \"-f\", \"http://localhost:9005/ready\"]\n")
    write(tmp_path, "api/Dockerfile", "FROM python:3.12.7\n" + healthcheck)
    assert _rule_findings(tmp_path, "SVC008") == [("compose.yaml", 5)]
    for expose in ("EXPOSE 9000-9010\n", "EXPOSE $PORT\n"):
        write(tmp_path, "api/Dockerfile", "FROM python:3.12.7\n" + expose + healthcheck)
        assert _rule_findings(tmp_path, "SVC008") == [], expose


def test_health_path_rule_is_opt_in_compares_only_the_probes_named_and_drops_the_query(tmp_path: Path) -> None:
    """SVC017 runs only when selected (or enabled), compares the liveness probe by default and the probes the
    option names otherwise; the HEALTHCHECK's query is not part of its path (nor of the facts)."""
    import yaml as _yaml

    root = tmp_path / "repo"
    shutil.copytree(FIXTURES / "SVC017" / "bad", root)
    default = invoke(["check", "--format", "json", "--no-cache", "."], root)
    assert "SVC017" not in {f["rule"] for f in json.loads(default.stdout)["findings"]}, "off unless enabled"
    selected = invoke(["check", "--format", "json", "--no-cache", "--select", "SVC017", "."], root)
    assert [(f["path"], f["line"]) for f in json.loads(selected.stdout)["findings"]] == [("deploy/api.yaml", 20)]
    (root / ".readycheck.yaml").write_text(_yaml.safe_dump(
        {"rules": {"SVC017": {"probes": ["readinessProbe", "livenessProbe"]}}}))
    both = invoke(["check", "--format", "json", "--no-cache", "--select", "health-path-disagrees", "."], root)
    assert sorted(f["line"] for f in json.loads(both.stdout)["findings"] if f["rule"] == "SVC017") == [18, 20]
    facts = invoke(["services", "--format", "json", "--no-cache", "."], root)
    assert "full=1" not in facts.stdout
