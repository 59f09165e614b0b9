"""SARIF 2.1.0: schema-valid, complete driver, GitHub's fingerprints, errors as notifications, limits."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from readycheck import __version__
from readycheck.catalog import Catalog, load_catalog
from readycheck.config import Config
from readycheck.evaluate import select_rules
from readycheck.fingerprint import line_hashes, stable_fingerprint
from readycheck.model import Finding, Related, ScanError, ScanResult, Span
from readycheck.reporters import sarif
from tests.clirun import UNPINNED_DOCKERFILE, invoke, write
from tests.conftest import REPO, shared_or_skip

_VALIDATOR: Any = None


def validate_sarif(document: dict[str, Any]) -> None:
    """Every SARIF the suite produces goes through the official schema (draft-04)."""
    global _VALIDATOR
    if _VALIDATOR is None:
        from jsonschema import Draft4Validator

        schema = json.loads(shared_or_skip("sarif/sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
        _VALIDATOR = Draft4Validator(schema)
    errors = sorted(_VALIDATOR.iter_errors(document), key=lambda e: list(e.absolute_path))
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]
    assert document["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert document["version"] == "2.1.0"
    assert len(document["runs"]) == 1


SECRET_RULES = {
    "ORG101-token-in-env.yaml": """\
id: ORG101
name: token-in-env
checklist: no-baked-secrets
severity: error
target: dockerfile.stage
summary: No token is written into the image environment
why: Anyone who can pull the image can read its environment with docker inspect.
fix: Pass the token at run time from a secret store.
examples: {bad: "ENV TOKEN=abc", good: "# token injected at run time"}
references: [https://wiki.example.com/tokens]
message: "stage '{name}' is checked for tokens"
schema: {properties: {name: {const: never-matches}}}
tags: [secrets, cwe-798]
""",
    "ORG102-scored-security.yaml": """\
id: ORG102
name: scored-security
checklist: image-hygiene
severity: note
target: dockerfile.stage
summary: A rule that carries its own security severity
why: Used to check that a rule's own security severity wins over the default.
fix: Nothing to fix; this is a test rule.
examples: {bad: "FROM a", good: "FROM b"}
references: [https://wiki.example.com/scored]
message: "scored rule fired on '{base.image}'"
schema: {properties: {base: {properties: {repository: {const: node}}}}}
security_severity: 9.5
""",
}


def _sarif_run(tmp_path: Path, *args: str) -> dict[str, Any]:
    run = invoke(["check", "--format", "sarif", *args], tmp_path)
    assert run.code in (0, 1, 2), run.stderr
    document = json.loads(run.stdout)
    validate_sarif(document)
    return document["runs"][0]


def test_fingerprints_match_github_vectors() -> None:
    vectors = json.loads(shared_or_skip("sarif/fingerprint-vectors.json").read_text(encoding="utf-8"))
    assert vectors
    for name, vector in vectors.items():
        expected = {line: value for line, value in vector["hashes"]}
        assert line_hashes(vector["text"]) == expected, name


def test_line_hash_counts_repeats_and_ignores_indentation() -> None:
    hashes = line_hashes("  a: 1\nb\na: 1\nb\n")
    assert hashes[1].split(":")[0] != hashes[3].split(":")[0]  # the window runs past the line
    assert line_hashes("a\n")[1] == line_hashes("\t a\n")[1]


def test_sarif_run_is_complete_and_valid(tmp_path: Path) -> None:
    write(tmp_path, "svc one/Dockerfile", UNPINNED_DOCKERFILE)
    write(tmp_path, "broken/Dockerfile", "FROM alpine:3.20\nHEALTHCHEK CMD true\n")
    write(tmp_path, "quiet/Dockerfile", "# readycheck: ignore-file\n" + UNPINNED_DOCKERFILE)
    run = _sarif_run(tmp_path, ".")
    driver = run["tool"]["driver"]
    assert (driver["name"], driver["semanticVersion"]) == ("readycheck", driver["version"])
    assert driver["informationUri"].startswith("https://")
    catalog = load_catalog()
    assert [r["id"] for r in driver["rules"]] == [r.id for r in select_rules(catalog, Config())]
    for descriptor in driver["rules"]:
        rule = catalog.by_id[descriptor["id"]]
        assert descriptor["name"] == rule.name
        assert descriptor["shortDescription"]["text"] == rule.summary
        assert rule.fix.split()[0] in descriptor["help"]["text"]
        assert descriptor["help"]["markdown"].startswith(f"### {rule.id} {rule.name}")
        assert descriptor["helpUri"].endswith(f"/blob/v{__version__}/docs/rules.md#{rule.id.lower()}-{rule.name}")
        assert descriptor["properties"]["tags"][:2] == [rule.checklist, rule.kind]
        assert descriptor["properties"]["precision"] == rule.precision
    assert run["columnKind"] == "unicodeCodePoints"
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == tmp_path.resolve().as_uri() + "/"
    assert run["automationDetails"]["id"].startswith("readycheck/")

    results = run["results"]
    assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results} == {"svc%20one/Dockerfile"}
    text = (tmp_path / "svc one/Dockerfile").read_text()
    hashes = line_hashes(text)
    for result in results:
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        assert set(location["region"]) == {"startLine", "startColumn", "endLine"}
        assert result["partialFingerprints"]["primaryLocationLineHash"] == hashes[location["region"]["startLine"]]
        assert len(result["partialFingerprints"]["readycheck/v1"]) == 32
    df101 = next(r for r in results if r["ruleId"] == "DF101")
    assert (df101["level"], df101["locations"][0]["physicalLocation"]["region"]["startLine"]) == ("error", 1)
    assert df101["message"]["text"].startswith("base image 'node:latest'")

    invocation = run["invocations"][0]
    assert invocation["executionSuccessful"] is False
    [note] = invocation["toolExecutionNotifications"]
    assert note["level"] == "error" and "HEALTHCHEK" in note["message"]["text"]
    assert note["locations"][0]["physicalLocation"]["region"] == {"startLine": 2}


def test_clean_scan_is_successful_and_empty(tmp_path: Path) -> None:
    write(tmp_path, "README.md", "nothing\n")
    run = _sarif_run(tmp_path, ".")
    assert run["results"] == []
    assert run["invocations"][0] == {"executionSuccessful": True, "toolExecutionNotifications": []}


def test_security_tags_and_severity(tmp_path: Path) -> None:
    for name, text in SECRET_RULES.items():
        write(tmp_path, f"myrules/{name}", text)
    write(tmp_path, "Dockerfile", "FROM alpine:3.20\nUSER app\n")
    run = _sarif_run(tmp_path, "--rules", "myrules", ".")
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    secret = rules["ORG101"]["properties"]
    assert secret["tags"] == ["no-baked-secrets", "dockerfile", "security", "secrets", "cwe-798"]
    assert secret["security-severity"] == "8.0"  # default for an error in a security checklist
    assert rules["ORG102"]["properties"]["security-severity"] == "9.5"
    assert "security" in rules["ORG102"]["properties"]["tags"]
    assert rules["ORG102"]["properties"]["problem.severity"] == "recommendation"
    assert "security-severity" not in rules["DF101"]["properties"]
    assert "security" not in rules["DF101"]["properties"]["tags"]
    [fired] = [r for r in run["results"] if r["ruleId"] == "ORG102"]
    assert fired["level"] == "note"


def _result_with(findings: list[Finding], catalog: Catalog, errors: list[ScanError] | None = None) -> ScanResult:
    return ScanResult(findings=findings, errors=errors or [], files=1, rules=list(catalog.rules))


def _finding(line: int, path: str = "Dockerfile", **extra: Any) -> Finding:
    return Finding("DF101", "base-image-pinned", "pinned-versions", "error", path, Span(line, 1, line), f"m{line}", key=f"k{line}", **extra)


def test_related_locations(tmp_path: Path, catalog: Catalog) -> None:
    write(tmp_path, "chart/values.yaml", "image:\n  tag: latest\n")
    related = (Related("chart/templates/deploy.yaml", Span(12, 5, 12), "the image is used here"),)
    document = sarif.as_dict(_result_with([_finding(2, "chart/values.yaml", related=related)], catalog), tmp_path)
    validate_sarif(document)
    [result] = document["runs"][0]["results"]
    assert result["relatedLocations"] == [
        {
            "id": 1,
            "physicalLocation": {
                "artifactLocation": {"uri": "chart/templates/deploy.yaml", "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": 12, "startColumn": 5, "endLine": 12},
            },
            "message": {"text": "the image is used here"},
        }
    ]
    assert result["partialFingerprints"]["primaryLocationLineHash"] == line_hashes("image:\n  tag: latest\n")[2]


def test_limits_are_respected_with_notifications(tmp_path: Path, catalog: Catalog, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sarif, "MAX_RESULTS", 3)
    rule = catalog.by_id["DF101"]
    monkeypatch.setattr(rule, "why", "word " * 400)
    monkeypatch.setattr(rule, "tags", [f"t{n}" for n in range(25)])
    findings = [_finding(n) for n in range(1, 6)]
    findings[4].severity = "warning"
    document = sarif.as_dict(_result_with(findings, catalog), tmp_path)
    validate_sarif(document)
    run = document["runs"][0]
    assert [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in run["results"]] == [1, 2, 3]
    descriptor = next(r for r in run["tool"]["driver"]["rules"] if r["id"] == "DF101")
    assert len(descriptor["fullDescription"]["text"]) == sarif.MAX_DESCRIPTION
    assert len(descriptor["properties"]["tags"]) == sarif.MAX_TAGS
    notes = [n["message"]["text"] for n in run["invocations"][0]["toolExecutionNotifications"]]
    assert any("5 results" in n for n in notes)
    assert any("DF101 full description" in n for n in notes)
    assert any("27 tags" in n for n in notes)
    assert run["invocations"][0]["executionSuccessful"] is True


def test_stable_fingerprint_ignores_the_line() -> None:
    moved = _finding(9)
    moved.key = "k1"
    assert stable_fingerprint(_finding(1)) == stable_fingerprint(moved)
    assert stable_fingerprint(_finding(1)) != stable_fingerprint(_finding(1, path="other/Dockerfile"))


def test_whole_fixture_tree_gives_valid_sarif() -> None:
    run = _sarif_run(REPO / "fixtures", "--fail-on", "never", ".")
    assert len(run["results"]) > 3
    assert all(r["ruleId"] == run["tool"]["driver"]["rules"][r["ruleIndex"]]["id"] for r in run["results"])


def test_several_outputs_from_one_scan(tmp_path: Path) -> None:
    write(tmp_path, "Dockerfile", UNPINNED_DOCKERFILE)
    out = tmp_path / "out"
    run = invoke(
        [
            "check", "--format", "github", ".",
            "--output", "out/annotations.txt",
            "--sarif-output", "out/readycheck.sarif",
            "--json-output", "out/readycheck.json",
            "--report-output", "out/report.md",
        ],
        tmp_path,
    )
    assert run.code == 1
    assert run.stdout == ""
    assert (out / "annotations.txt").read_text().startswith("::error file=Dockerfile,line=1,")
    validate_sarif(json.loads((out / "readycheck.sarif").read_text()))
    data = json.loads((out / "readycheck.json").read_text())
    assert set(data) == {"tool", "findings", "errors", "summary"}
    assert (out / "report.md").read_text().startswith("## readycheck: ❌ Not ready")
    assert sorted(p.name for p in out.iterdir()) == ["annotations.txt", "readycheck.json", "readycheck.sarif", "report.md"]
    plain = invoke(["check", "--format", "json", "."], tmp_path)
    assert json.loads(plain.stdout) == data


def test_output_replaces_atomically_and_leaves_no_temp_file(tmp_path: Path) -> None:
    write(tmp_path, "Dockerfile", UNPINNED_DOCKERFILE)
    target = write(tmp_path, "result.sarif", "old content")
    target.chmod(0o640)
    assert invoke(["check", "--format", "sarif", "--output", "result.sarif", "."], tmp_path).code == 1
    validate_sarif(json.loads(target.read_text()))
    assert target.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Dockerfile", "result.sarif"]


def test_output_into_a_missing_place_is_a_usage_error(tmp_path: Path) -> None:
    write(tmp_path, "Dockerfile", UNPINNED_DOCKERFILE)
    write(tmp_path, "blocker", "a file, not a directory")
    run = invoke(["check", "--output", "blocker/out.txt", "."], tmp_path)
    assert run.code == 2
    assert "cannot write blocker/out.txt" in run.stderr



def test_every_help_uri_names_a_section_of_the_rule_documentation() -> None:
    page = (REPO / "docs" / "rules.md").read_text()
    anchors = {re.sub(r"[^a-z0-9_ -]", "", line[3:].lower()).replace(" ", "-")
               for line in page.splitlines() if line.startswith("## ")}
    for rule in load_catalog().rules:
        uri = sarif.help_uri(rule)
        assert uri is not None and uri.split("#", 1)[1] in anchors, f"{rule.id}: no section {uri}"


def test_docs_rules_md_is_up_to_date() -> None:
    from readycheck.ruledoc import catalog_markdown

    page = REPO / "docs" / "rules.md"
    assert page.read_text() == catalog_markdown(load_catalog().rules), "run `readycheck rules --format markdown > docs/rules.md`"


def test_the_sarif_category_names_the_analysis_and_differs_per_shard(tmp_path: Path) -> None:
    write(tmp_path, "a/Dockerfile", UNPINNED_DOCKERFILE)
    write(tmp_path, "b/Dockerfile", UNPINNED_DOCKERFILE)
    named = invoke(["check", "--no-cache", "--format", "sarif", "--sarif-category", "api/", "."], tmp_path)
    assert json.loads(named.stdout)["runs"][0]["automationDetails"]["id"] == "api/"
    ids = set()
    for shard in ("1/2", "2/2"):
        run = invoke(["check", "--no-cache", "--format", "sarif", "--shard", shard, "."], tmp_path)
        ids.add(json.loads(run.stdout)["runs"][0]["automationDetails"]["id"])
    assert len(ids) == 2 and all(i.startswith("readycheck/") and i.endswith("/") for i in ids)


def test_uris_are_relative_to_the_repository_root_from_any_working_directory(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    write(tmp_path, "services/api/Dockerfile", UNPINNED_DOCKERFILE)
    seen = []
    for cwd, target in ((tmp_path, "services/api"), (tmp_path / "services", "api"), (tmp_path / "services/api", ".")):
        run = json.loads(invoke(["check", "--no-cache", "--format", "sarif", target], cwd).stdout)["runs"][0]
        assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == tmp_path.resolve().as_uri() + "/"
        seen.append({r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]})
    assert seen[0] == seen[1] == seen[2] == {"services/api/Dockerfile"}
