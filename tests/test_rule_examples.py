"""Every rule's documented examples are run like its fixtures: the bad one fires the rule, the good one does not.

An example (`examples: {bad, good}` in the rule file, shown by `readycheck explain` and in SARIF help) is
either a snippet of what the rule judges or a set of whole files. A snippet runs as is when it is a whole
file of its kind, and otherwise inside the smallest document of its target (`frame` below: a step goes under
a job's `steps:`, a container field under a Deployment's container...). An example whose first line is
`# file: PATH` is whole files, each starting with such a line (`ruledoc.example_files`): they are written
under their paths and scanned as they are, which is how an example shows a second file the rule reads (a
.dockerignore, an env schema, the Service beside a Deployment). Either way only that rule is selected.
"""

from __future__ import annotations

import dataclasses
import re
import textwrap
from pathlib import Path, PurePosixPath

import pytest
import yaml

from readycheck.catalog import Catalog, Rule, load_catalog
from readycheck.config import Config
from readycheck.orchestrate import scan
from readycheck.ruledoc import example_files

CATALOG = load_catalog()


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
    if k == "secret-file":
        names = {"SEC001": "id_rsa", "SEC002": ".npmrc", "SEC003": ".pypirc", "SEC004": "credentials.json", "SEC005": ".aws/credentials", "SEC006": ".netrc", "SEC007": ".git-credentials"}
        return {names[rule.id]: s}
    raise KeyError(t)


def example_tree(rule: Rule, example: str) -> dict[str, str]:
    """The files one example stands for: its own files when it names them, else the snippet in its frame."""
    files = example_files(example)
    return dict(files) if files is not None else frame(rule, example)


def outcome(rule: Rule, example: str, catalog: Catalog, root: Path) -> tuple[int, list[str]]:
    """(findings of the rule, load errors) for one example written under root."""
    for name, text in example_tree(rule, example).items():
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


@pytest.mark.parametrize("rule", CATALOG.rules, ids=lambda r: r.id)
def test_bad_example_fires_and_good_example_is_clean(rule: Rule, catalog: Catalog, tmp_path: Path) -> None:
    assert examples_hold(rule, catalog, tmp_path) == []


@pytest.mark.parametrize("rule", CATALOG.rules, ids=lambda r: r.id)
def test_example_files_are_named_once_and_inside_the_root(rule: Rule) -> None:
    """A `# file:` line names a relative path, once; a snippet holds none (a marker after text is a typo)."""
    for which, example in rule.examples.items():
        files = example_files(example)
        if files is None:
            assert not re.search(r"^# file:", example, re.M), f"{which}: a '# file:' line must start the example"
            continue
        paths = [PurePosixPath(path) for path, _ in files]
        assert len(set(paths)) == len(paths), f"{which}: a file is named twice"
        assert all(".." not in p.parts and not p.is_absolute() for p in paths), which


def test_example_files_split_an_example_into_whole_files() -> None:
    example = "# file: .dockerignore\n.git\n.env*\n\n# file: app/Dockerfile\nFROM alpine:3.20\nCOPY . /app\n"
    assert example_files(example) == [(".dockerignore", ".git\n.env*\n"), ("app/Dockerfile", "FROM alpine:3.20\nCOPY . /app\n")]
    assert example_files("# file: .env\n") == [(".env", "")]
    assert example_files("COPY . /app\n# file: .dockerignore\n") is None
    assert example_files("# a comment\nCOPY . /app\n") is None


ELIDED = re.compile(r"^\s*(?:- )?\.\.\.\s*$|:\s*(?:\.\.\.|\[\.\.\.\]|\{\.\.\.\})\s*$", re.M)
"""A part of a document left out (`...` as a line or as a value, `[...]`): in YAML that is a string, so an
elided example can run and pass without showing what it claims."""


@pytest.mark.parametrize("rule", CATALOG.rules, ids=lambda r: r.id)
def test_examples_elide_nothing(rule: Rule) -> None:
    for which, example in rule.examples.items():
        assert not ELIDED.search(example), f"{which} example leaves part of the document out: write it whole"


def test_the_readmes_example_of_whole_files_runs(catalog: Catalog, tmp_path: Path) -> None:
    """The README shows the `# file:` form on a .dockerignore that forgets .git and .env: it holds for DF408."""
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    section = readme[readme.index("**The examples**"):]
    examples = yaml.safe_load(section.split("```yaml\n", 1)[1].split("```", 1)[0])["examples"]
    assert all(example_files(text) for text in examples.values())
    documented = dataclasses.replace(catalog.by_id["DF408"], examples=examples)
    assert examples_hold(documented, catalog, tmp_path) == []
