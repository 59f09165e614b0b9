"""End-to-end tests of the `readycheck` command: exit codes, JSON shape, suppressions, config, custom rules."""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from readycheck.cli import main

BAD_DOCKERFILE = textwrap.dedent(
    """\
    FROM node:latest
    WORKDIR /app
    COPY package.json package-lock.json ./
    RUN npm ci --omit=dev
    COPY . .
    USER node
    HEALTHCHECK CMD ["node", "health.js"]
    CMD ["node", "server.js"]
    """
)


def run(args: list[str], cwd: Path) -> tuple[int, str]:
    runner = CliRunner()
    old = os.getcwd()
    os.chdir(cwd)
    try:
        result = runner.invoke(main, args, catch_exceptions=False)
    finally:
        os.chdir(old)
    return result.exit_code, result.output


def write(root: Path, relative: str, text: str) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_json_shape_follows_the_contract(tmp_path: Path) -> None:
    write(tmp_path, "svc/Dockerfile", BAD_DOCKERFILE)
    code, out = run(["check", "--format", "json", "."], tmp_path)
    data = json.loads(out)
    assert code == 1
    assert set(data) == {"tool", "findings", "errors", "summary"}
    assert data["tool"]["name"] == "readycheck"
    finding = next(f for f in data["findings"] if f["rule"] == "DF101")
    assert set(finding) == {"rule", "name", "checklist", "severity", "path", "line", "column", "end_line", "message", "fix"}
    assert finding["path"] == "svc/Dockerfile"
    assert (finding["line"], finding["column"], finding["checklist"]) == (1, 1, "pinned-versions")
    assert data["summary"] == {"files": 1, "findings": len(data["findings"]), "errors": 0}
    keys = [(f["path"], f["line"], f["column"], f["rule"]) for f in data["findings"]]
    assert keys == sorted(keys)


def test_fail_on_levels_decide_the_exit_code(tmp_path: Path) -> None:
    write(tmp_path, "Dockerfile", BAD_DOCKERFILE.replace("node:latest", "node:20.15.1-alpine").replace("HEALTHCHECK", "# HEALTHCHECK"))
    assert run(["check", "."], tmp_path)[0] == 0  # only a warning
    assert run(["check", "--fail-on", "warning", "."], tmp_path)[0] == 1
    assert run(["check", "--fail-on", "never", "."], tmp_path)[0] == 0


def test_clean_tree_exits_zero(tmp_path: Path) -> None:
    from tests.clirun import invoke

    write(tmp_path, "README.md", "nothing to check\n")
    done = invoke(["check", "--format", "json", "."], tmp_path)
    assert done.code == 0
    assert json.loads(done.stdout)["summary"] == {"files": 0, "findings": 0, "errors": 0}
    assert "nothing was checked" in done.stderr


def test_broken_file_is_reported_and_the_scan_goes_on(tmp_path: Path) -> None:
    write(tmp_path, "a/Dockerfile", BAD_DOCKERFILE)
    write(tmp_path, "b/Dockerfile", "FROM alpine:3.20\nHEALTHCHEK CMD true\n")
    write(tmp_path, "c/Dockerfile", BAD_DOCKERFILE)
    code, out = run(["check", "--format", "json", "."], tmp_path)
    data = json.loads(out)
    assert code == 2
    assert data["errors"] == [{"path": "b/Dockerfile", "line": 2, "message": "unknown instruction 'HEALTHCHEK'"}]
    assert {f["path"] for f in data["findings"] if f["rule"] == "DF101"} == {"a/Dockerfile", "c/Dockerfile"}


def test_inline_suppression_on_the_line_above_and_by_name(tmp_path: Path) -> None:
    write(tmp_path, "Dockerfile", "# readycheck: ignore=base-image-pinned\n" + BAD_DOCKERFILE)
    code, out = run(["check", "--format", "json", "."], tmp_path)
    assert "DF101" not in {f["rule"] for f in json.loads(out)["findings"]}
    write(tmp_path, "Dockerfile", "# readycheck: ignore-file\n" + BAD_DOCKERFILE)
    code, out = run(["check", "--format", "json", "."], tmp_path)
    assert json.loads(out)["findings"] == []


def test_unknown_rule_in_a_comment_is_reported(tmp_path: Path) -> None:
    write(tmp_path, "Dockerfile", "# readycheck: ignore=DF999\n" + BAD_DOCKERFILE)
    code, out = run(["check", "--format", "json", "."], tmp_path)
    errors = json.loads(out)["errors"]
    assert code == 2
    assert errors == [{"path": "Dockerfile", "line": 1, "message": "unknown rule 'DF999' in readycheck comment"}]


def test_config_file_ignores_severity_and_per_path(tmp_path: Path) -> None:
    write(tmp_path, "a/Dockerfile", BAD_DOCKERFILE)
    write(tmp_path, "legacy/Dockerfile", BAD_DOCKERFILE)
    write(
        tmp_path,
        ".readycheck.yaml",
        "severity:\n  DF101: warning\nper-path-ignores:\n  'legacy/*': [pinned-versions]\n",
    )
    code, out = run(["check", "--format", "json", "."], tmp_path)
    df101 = [f for f in json.loads(out)["findings"] if f["rule"] == "DF101"]
    assert [(f["path"], f["severity"]) for f in df101] == [("a/Dockerfile", "warning")]


def test_pyproject_table_is_read(tmp_path: Path) -> None:
    write(tmp_path, "Dockerfile", BAD_DOCKERFILE)
    write(tmp_path, "pyproject.toml", "[tool.readycheck]\nignore = ['DF101']\n")
    code, out = run(["check", "--format", "json", "."], tmp_path)
    assert "DF101" not in {f["rule"] for f in json.loads(out)["findings"]}


def test_unknown_selector_in_config_is_a_usage_error(tmp_path: Path) -> None:
    write(tmp_path, "Dockerfile", BAD_DOCKERFILE)
    write(tmp_path, ".readycheck.yaml", "ignore: [DF998]\n")
    code, out = run(["check", "."], tmp_path)
    assert code == 2
    assert "DF998" in out


def test_select_and_ignore_by_id_name_and_checklist(tmp_path: Path) -> None:
    write(tmp_path, "Dockerfile", BAD_DOCKERFILE.replace("HEALTHCHECK", "# HEALTHCHECK"))
    _, out = run(["check", "--format", "json", "--select", "pinned-versions,healthcheck-missing", "."], tmp_path)
    assert {f["rule"] for f in json.loads(out)["findings"]} == {"DF101", "DF201"}
    _, out = run(["check", "--format", "json", "--select", "DF101,DF201", "--ignore", "healthcheck", "."], tmp_path)
    assert {f["rule"] for f in json.loads(out)["findings"]} == {"DF101"}


def test_custom_rule_directory_works_like_builtin_rules(tmp_path: Path) -> None:
    write(tmp_path, "Dockerfile", BAD_DOCKERFILE)
    write(
        tmp_path,
        "myrules/ORG001-no-node-base.yaml",
        textwrap.dedent(
            """\
            id: ORG001
            name: no-node-base
            checklist: supply-chain
            severity: error
            target: dockerfile.stage
            summary: Images build from the organisation's hardened node base
            why: Our hardened base images carry the patched OpenSSL and the CA bundle we rely on.
            fix: Use registry.example.com/base/node instead of Docker Hub's node.
            examples: {bad: "FROM node:20", good: "FROM registry.example.com/base/node:20"}
            references: [https://wiki.example.com/hardened-base]
            message: "base image '{base.image}' is not the hardened base"
            schema:
              properties:
                base:
                  properties:
                    repository: {not: {const: node}}
            """
        ),
    )
    code, out = run(["check", "--format", "json", "--rules", "myrules", "--select", "ORG001", "."], tmp_path)
    findings = json.loads(out)["findings"]
    assert [(f["rule"], f["line"], f["message"]) for f in findings] == [
        ("ORG001", 1, "base image 'node:latest' is not the hardened base")
    ]
    _, listing = run(["rules", "--rules", "myrules", "--format", "json"], tmp_path)
    assert "ORG001" in {r["id"] for r in json.loads(listing)}


def test_broken_rule_file_is_a_clear_error(tmp_path: Path) -> None:
    write(tmp_path, "Dockerfile", BAD_DOCKERFILE)
    write(tmp_path, "myrules/ORG002-broken.yaml", "id: ORG002\nname: broken\nchecklist: nonsense\n")
    code, out = run(["check", "--rules", "myrules", "."], tmp_path)
    assert code == 2
    assert "ORG002-broken.yaml" in out and "checklist" in out


def test_rules_and_explain(tmp_path: Path) -> None:
    code, out = run(["rules"], tmp_path)
    assert code == 0 and "DF101" in out
    code, out = run(["rules", "--format", "markdown"], tmp_path)
    assert "## DF101 base-image-pinned" in out
    code, out = run(["explain", "DF101"], tmp_path)
    assert code == 0
    for part in ("What:", "Why:", "Fix:", "Bad:", "Good:"):
        assert part in out
    assert run(["explain", "NOPE123"], tmp_path)[0] == 2


def test_plain_text_output_is_stable(tmp_path: Path) -> None:
    write(tmp_path, "Dockerfile", BAD_DOCKERFILE)
    _, first = run(["check", "--no-color", "."], tmp_path)
    _, second = run(["check", "--no-color", "."], tmp_path)
    assert first == second
    assert "Dockerfile" in first and "1:1 DF101 [error] base-image-pinned" in first
    assert "\x1b[" not in first


@pytest.mark.parametrize("name", ["Dockerfile", "Containerfile", "api.Dockerfile", "Dockerfile.prod"])
def test_dockerfile_names_are_discovered(tmp_path: Path, name: str) -> None:
    write(tmp_path, name, BAD_DOCKERFILE)
    _, out = run(["check", "--format", "json", "."], tmp_path)
    assert json.loads(out)["summary"]["files"] == 1


@pytest.mark.parametrize("where", ["command line", "config"])
def test_a_set_helm_cannot_parse_is_a_usage_error_before_any_scan(tmp_path: Path, where: str) -> None:
    write(tmp_path, "chart/Chart.yaml", "apiVersion: v2\nname: c\nversion: 0.1.0\n")
    write(tmp_path, "chart/templates/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n")
    args = ["check", "--no-cache", "--format", "json", "."]
    if where == "config":
        write(tmp_path, ".readycheck.yaml", "helm:\n  set: ['image[=1']\n")
    else:
        args[1:1] = ["--set", "image[=1"]
    code, output = run(args, tmp_path)
    assert code == 2
    assert "image[" in output
    assert '"findings"' not in output, "no report is written for a scan that never ran"
