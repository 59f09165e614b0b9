"""Every rule's documented examples are run like its fixtures: the bad one fires the rule, the good one does not.

An example (`examples: {bad, good}` in the rule file, shown by `readycheck explain` and in SARIF help) is a
snippet of what the rule judges. It runs as is when it is a whole file of its kind, and otherwise inside
the smallest document of its target (`frame` below: a step goes under a job's `steps:`, a container
field under a Deployment's container...), with only that rule selected.

UNFRAMED lists the rules whose examples cannot run this way yet (they lean on a file the snippet only
names in a comment, such as a .dockerignore or an env schema, or elide the rest of the document with
`...`). The list only shrinks: a listed rule whose examples start to pass fails the test until it is
removed from the list.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from readycheck.catalog import Catalog, Rule, load_catalog
from readycheck.config import Config
from readycheck.orchestrate import scan

CATALOG = load_catalog()

UNFRAMED = {
    "DC103", "DC801", "DF407", "DF408", "ENV010", "ENV011", "ENV012", "ENV013", "ENV014", "ENV015", "ENV016",
    "ENV017", "ENV031", "ENV032", "ENV033", "GH104", "GH204", "GH405", "GH503", "GH602", "GH604", "HELM002",
    "HELM003", "HELM005", "K8S404", "K8S409", "K8S411", "K8S413", "K8S414", "K8S416", "K8S601", "K8S602",
    "K8S603", "K8S701", "K8S702", "K8S703", "K8S704", "K8S705", "K8S706", "K8S901", "K8S902", "K8S903", "SEC001",
    # service rules judge two artifacts: each example shows one and names the other in a comment
    "SVC001", "SVC002", "SVC003", "SVC004", "SVC005", "SVC006",
}


def ind(s, n):
    return textwrap.indent(s.rstrip("\n") + "\n", " " * n)

WF_HEAD = "on: push\npermissions:\n  contents: read\n"
def frame(rule, s):
    t = rule.target
    k = rule.kind
    top = {m.group(1) for m in re.finditer(r"^([A-Za-z_][\w-]*):", s, re.M)}
    if k == "dockerfile":
        return {"Dockerfile": s if re.search(r"^FROM ", s, re.M) else "FROM alpine:3.20\n" + s}
    if k == "workflow":
        if "runs" in top:
            return {"action.yml": "name: a\ndescription: a\n" + s}
        if s.lstrip().startswith("- "):
            return {".github/workflows/ci.yml": WF_HEAD + "jobs:\n  build:\n    runs-on: ubuntu-24.04\n    timeout-minutes: 10\n    steps:\n" + ind(s, 6)}
        if "jobs" in top:
            return {".github/workflows/ci.yml": ("" if "on" in top else "on: push\n") + s}
        if t == "workflow.job" or (top and top <= {"deploy", "build", "test", "rollout", "publish"}):
            return {".github/workflows/ci.yml": WF_HEAD + "jobs:\n" + ind(s, 2)}
        if t == "workflow.step":
            return {".github/workflows/ci.yml": WF_HEAD + "jobs:\n  build:\n    runs-on: ubuntu-24.04\n    steps:\n      - uses: docker/build-push-action@v6\n        with:\n" + ind(s, 10)}
        return {".github/workflows/ci.yml": s + ("" if "on" in top else "\non: push\n") + ("" if "jobs" in top else "jobs:\n  build:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: make\n")}
    if k == "kubernetes":
        s = s.replace("[...]", "[]")  # an elided list in the docs: "..." would be a container of the wrong shape
        if "apiVersion" in top:
            return {"k8s.yaml": s}
        if "kind" in top:
            return {"k8s.yaml": "apiVersion: v1\nmetadata:\n  name: x\n" + s}
        if t == "kubernetes.container" and "containers" not in top and "spec" not in top:
            return {"k8s.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n          image: ghcr.io/acme/api:1.2.3\n" + ind(s, 10)}
        if "containers" in top:
            return {"k8s.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n" + ind(s, 6)}
        if "spec" in top and re.search(r"^ +containers:", s, re.M) and "template:" not in s:
            return {"k8s.yaml": "apiVersion: v1\nkind: Pod\nmetadata:\n  name: api\n" + s}
        if "spec" in top:
            return {"k8s.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\n" + s}
        return {"k8s.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n" + ind(s, 2)}
    if k == "compose":
        if "services" in top:
            return {"compose.yaml": s}
        return {"compose.yaml": "services:\n  app:\n" + ind(s, 4)}
    if t in ("env.file", "env.entry"):
        return {".env": s}
    if t in ("env.schema",):
        return {"env.schema.json" if s.lstrip().startswith("{") else "env.schema.yaml": s}
    if t == "env.variable":
        return {"env.schema.yaml": "type: object\nproperties:\n" + ind(s, 2)}
    if k == "helm":
        files = {"chart/Chart.yaml": "apiVersion: v2\nname: api\nversion: 1.0.0\nappVersion: '1.0'\n", "chart/values.yaml": "x: 1\n",
                 "chart/templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n"}
        if "apiVersion" in top or "version" in top:
            files["chart/Chart.yaml"] = s
        else:
            files["chart/values.yaml"] = s
        return files
    if k == "service":
        return {"k8s.yaml": s}  # one end of the link only: the other is named in a comment
    if k == "secret-file":
        names = {"SEC001": "id_rsa", "SEC002": ".npmrc", "SEC003": ".pypirc", "SEC004": "credentials.json", "SEC005": ".aws/credentials", "SEC006": ".netrc", "SEC007": ".git-credentials"}
        return {names[rule.id]: s}
    raise KeyError(t)


def outcome(rule: Rule, snippet: str, catalog: Catalog, root: Path) -> tuple[int, list[str]]:
    """(findings of the rule, load errors) for one example in its frame."""
    for name, text in frame(rule, snippet).items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    options = {"enabled": True} if "enabled" in rule.options else {}
    result = scan([str(root)], catalog, Config(select=[rule.id], rule_options={rule.id: options}), base=root)
    return sum(1 for f in result.findings if f.rule == rule.id), [e.message for e in result.errors]


def examples_hold(rule: Rule, catalog: Catalog, tmp_path: Path) -> list[str]:
    problems = []
    for which in ("bad", "good"):
        root = tmp_path / which
        root.mkdir()
        found, errors = outcome(rule, rule.examples[which], catalog, root)
        if errors:
            problems.append(f"{which} example does not load: {errors[0]}")
        elif (which == "bad") != (found > 0):
            problems.append(f"{which} example: {found} findings")
    return problems


@pytest.mark.parametrize("rule", [r for r in CATALOG.rules if r.id not in UNFRAMED], ids=lambda r: r.id)
def test_bad_example_fires_and_good_example_is_clean(rule: Rule, catalog: Catalog, tmp_path: Path) -> None:
    assert examples_hold(rule, catalog, tmp_path) == []


@pytest.mark.parametrize("rule", [r for r in CATALOG.rules if r.id in UNFRAMED], ids=lambda r: r.id)
def test_the_unframed_list_only_shrinks(rule: Rule, catalog: Catalog, tmp_path: Path) -> None:
    assert examples_hold(rule, catalog, tmp_path) != [], f"{rule.id}'s examples now run: remove it from UNFRAMED"


def test_unframed_names_only_rules() -> None:
    assert set(CATALOG.by_id) >= UNFRAMED
