"""User rules as the README documents them (`--rules DIR`): each example there is run here.

The README's rule examples are read from the README itself, so the documentation cannot drift
from what loads and fires.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from tests.clirun import invoke, write

README = Path(__file__).resolve().parent.parent / "README.md"

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  labels: {app: api}
spec:
  template:
    spec:
      containers:
        - name: api
          image: docker.io/library/nginx:1.27.0
        - name: sidecar
          image: ghcr.io/acme/proxy:2.0.1
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
spec:
  template:
    spec:
      containers:
        - name: db
          image: ghcr.io/acme/postgres:16.3
"""


def readme_rules() -> list[dict[str, Any]]:
    """The YAML blocks of the README's "Your own rules" section, in order."""
    text = README.read_text()
    section = text[text.index("### Your own rules"):]
    section = section[: section.index("\n## ", 1)] if "\n## " in section else section
    blocks = [part.split("```", 1)[0] for part in section.split("```yaml\n")[1:]]
    return [yaml.safe_load(block) for block in blocks]


def findings(tmp_path: Path, rules: list[dict[str, Any]], files: dict[str, str]) -> list[dict[str, Any]]:
    for rule in rules:
        write(tmp_path, f"team-rules/{rule['id']}-{rule['name']}.yaml", yaml.safe_dump(rule))
    for name, text in files.items():
        write(tmp_path, name, text)
    done = invoke(["check", "--format", "json", "--rules", "team-rules",
                   "--select", ",".join(r["id"] for r in rules), "."], tmp_path)
    assert done.code in (0, 1), done.stderr
    report = json.loads(done.stdout)
    assert report["errors"] == []
    return [{k: f[k] for k in ("rule", "path", "line", "message")} for f in report["findings"]]


def test_the_readme_documents_three_rule_examples() -> None:
    check_rule, schema_rule, match_rule = readme_rules()
    assert "check" in check_rule and "params" in check_rule
    assert "schema" in schema_rule and "message" in schema_rule
    assert {"match", "at", "schema", "message"} <= set(match_rule)


def test_a_check_function_with_the_rules_own_params(tmp_path: Path) -> None:
    rule = readme_rules()[0]
    found = findings(tmp_path, [rule], {
        "compose.yaml": "services:\n  api:\n    image: nginx:1.27.0\n    userns_mode: host\n"
                        "  db:\n    image: postgres:16.3\n",
    })
    assert found == [{"rule": "ORG201", "path": "compose.yaml", "line": 4,
                      "message": "service 'api' shares the host's user namespace (userns_mode: host)"}]


def test_a_schema_finds_the_invalid_subjects_at_the_failing_line_with_placeholders_filled(tmp_path: Path) -> None:
    rule = readme_rules()[1]
    found = findings(tmp_path, [rule], {"deploy/app.yaml": DEPLOYMENT})
    assert found == [{"rule": "ORG101", "path": "deploy/app.yaml", "line": 11,
                      "message": "container 'api' pulls 'docker.io/library/nginx:1.27.0' from outside ghcr.io/acme"}]


def test_match_chooses_the_subjects_and_at_places_the_finding(tmp_path: Path) -> None:
    base = readme_rules()[1]
    rule = {**base, "id": "ORG102", "name": "team-label", **readme_rules()[2]}
    found = findings(tmp_path, [rule], {"deploy/app.yaml": DEPLOYMENT})
    # the Deployment lacks the label (reported at `metadata:`); the StatefulSet lacks it too but is not matched
    assert found == [{"rule": "ORG102", "path": "deploy/app.yaml", "line": 3,
                      "message": "Deployment 'api' has no team label"}]


def test_a_missing_placeholder_field_prints_a_question_mark(tmp_path: Path) -> None:
    base = readme_rules()[1]
    rule = {**base, "message": "container '{name}' ({resources.limits.cpu}) pulls from elsewhere"}
    found = findings(tmp_path, [rule], {"deploy/app.yaml": DEPLOYMENT})
    assert [f["message"] for f in found] == ["container 'api' (?) pulls from elsewhere"]


def test_a_remote_ref_is_a_load_error(tmp_path: Path) -> None:
    rule = {**readme_rules()[1], "schema": {"$ref": "https://example.com/schema.json"}}
    write(tmp_path, f"team-rules/{rule['id']}-{rule['name']}.yaml", yaml.safe_dump(rule))
    write(tmp_path, "deploy/app.yaml", DEPLOYMENT)
    done = invoke(["check", "--rules", "team-rules", "."], tmp_path)
    assert done.code == 2
    assert "ORG101-image-from-company-registry.yaml" in done.stderr
