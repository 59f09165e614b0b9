"""The rule author's contract: every target is declared in readycheck.targets, the loaders build what it
declares, every check function names its target's data type, and a rule that breaks the contract does not load."""

from __future__ import annotations

import types
import typing
from pathlib import Path
from typing import Any

import pytest

from readycheck.catalog import Catalog
from readycheck.config import Config
from readycheck.discover import Target
from readycheck.evaluate import load_target
from readycheck.loaders import LoadContext
from readycheck.model import Document, Subject
from readycheck.targets import ALL_TARGETS, EXAMPLES, TARGETS, TargetSpec
from tests.clirun import invoke, write

from .conftest import FIXTURES

AS_WRITTEN = {"KubernetesObject", "KubernetesContainer", "ComposeService", "EnvSchemaData"}
"""Types that are the scanned file's own mapping: any other key may be there too."""


def problems(value: Any, expected: Any, where: str) -> list[str]:
    """Where `value` is not of the declared type `expected` (TypedDicts checked key by key)."""
    if expected is Any or expected is object:
        return []
    origin = typing.get_origin(expected)
    if origin in (typing.Union, types.UnionType):
        options = [problems(value, option, where) for option in typing.get_args(expected)]
        return [] if any(not found for found in options) else options[0]
    if isinstance(expected, type) and typing.is_typeddict(expected):
        if not isinstance(value, dict):
            return [f"{where}: {type(value).__name__}, not a mapping"]
        hints = typing.get_type_hints(expected)
        found = [f"{where}.{key}: missing" for key in expected.__required_keys__ if key not in value]
        if expected.__name__ not in AS_WRITTEN:
            found += [f"{where}.{key}: not declared" for key in value if key not in hints]
        for key, hint in hints.items():
            if key in value:
                found += problems(value[key], hint, f"{where}.{key}")
        return found
    if origin is list:
        if not isinstance(value, list):
            return [f"{where}: {type(value).__name__}, not a list"]
        (item,) = typing.get_args(expected)
        return [p for i, v in enumerate(value) for p in problems(v, item, f"{where}[{i}]")]
    if origin is dict:
        return [] if isinstance(value, dict) else [f"{where}: {type(value).__name__}, not a mapping"]
    if expected is type(None):
        return [] if value is None else [f"{where}: not None"]
    if expected is int and isinstance(value, bool):
        return [f"{where}: a bool, not an int"]
    return [] if isinstance(value, expected) else [f"{where}: {type(value).__name__}, not {expected.__name__}"]


def test_the_conformance_check_can_fail() -> None:
    from readycheck.targets import EnvFileData, Stage

    assert problems({"name": ".env", "is_example": False, "keys": []}, EnvFileData, "f") == []
    assert problems({"name": 1, "is_example": 0, "keys": [2], "extra": 1}, EnvFileData, "f") == [
        "f.extra: not declared", "f.name: int, not str", "f.is_example: int, not bool", "f.keys[0]: int, not str"]
    assert "s.base: missing" in problems({}, Stage, "s")


def load(path: Path, kind: str) -> list[Document]:
    documents, errors = load_target(Target(path, kind), LoadContext(base=path.parent))
    assert not errors, errors
    return documents


def subjects_of(documents: list[Document], spec: TargetSpec) -> list[Subject[Any]]:
    kind = spec.name.split(".", 1)[0]
    return [s for d in documents if kind in (d.rule_kinds or (d.kind,)) for s in d.subjects(spec.name)]


FILE_KIND = {"Dockerfile": "dockerfile", "ci.yml": "workflow", "api.yaml": "kubernetes", "compose.yaml": "compose",
             "env.schema.json": "env-schema", ".env": "env-file", ".npmrc": "secret-file"}


@pytest.mark.parametrize("spec", list(ALL_TARGETS.values()), ids=lambda s: s.name)
def test_each_target_has_subjects_of_the_declared_type_in_its_kinds_example(spec: TargetSpec, tmp_path: Path) -> None:
    kind = spec.name.split(".", 1)[0]
    for name, text in EXAMPLES[kind]:
        write(tmp_path, name, text)
    if kind == "helm":
        documents = load(tmp_path / "charts" / "api", "helm")
    elif kind == "service":  # services are built from the facts of the other kinds' documents
        from readycheck.services import ServiceDocument, build_map, document_facts

        loaded = [d for name, _ in EXAMPLES[kind] for d in load(tmp_path / name, FILE_KIND[Path(name).name])]
        services = build_map([f for d in loaded for f in document_facts(d)])["services"]
        documents = [ServiceDocument(service) for service in services]
    else:
        documents = [d for name, _ in EXAMPLES[kind] for d in load(tmp_path / name, FILE_KIND[Path(name).name])]
    found = subjects_of(documents, spec)
    assert found, f"the example of {kind} has no subject for {spec.name}"
    for subject in found:
        assert problems(subject.data, spec.data, spec.name) == []
        assert set(spec.context) == set(subject.context), f"{spec.name}: context keys differ from the table"


def test_docs_targets_md_is_up_to_date() -> None:
    from readycheck.ruledoc import targets_markdown

    page = Path(__file__).resolve().parent.parent / "docs" / "targets.md"
    assert page.read_text() == targets_markdown(), "run `readycheck targets --format markdown > docs/targets.md`"


def test_targets_command_lists_every_target(tmp_path: Path) -> None:
    done = invoke(["targets"], tmp_path)
    assert done.code == 0
    assert all(name in done.stdout for name in ALL_TARGETS)


def test_every_fixture_builds_the_declared_subject_data(catalog: Catalog) -> None:
    """Every subject of every target in every rule fixture has the fields and types the table declares."""
    from readycheck.orchestrate import scan

    seen: dict[str, int] = {}
    found: list[str] = []
    original = Document.subjects

    def recording(self: Document, target: str) -> Any:
        for subject in original(self, target):
            spec = ALL_TARGETS[target]
            seen[target] = seen.get(target, 0) + 1
            found.extend(problems(subject.data, spec.data, f"{self.path}: {target}")[:3])
            yield subject

    Document.subjects = recording  # type: ignore[method-assign]
    try:
        for folder in sorted(p for p in FIXTURES.iterdir() if p.is_dir() and p.name[:1].isupper()):
            scan([str(folder)], catalog, Config(), base=FIXTURES)
    finally:
        Document.subjects = original  # type: ignore[method-assign]
    assert found == []
    used = {r.target for r in catalog.rules}
    assert used <= set(seen), f"targets with rules but no subject in any fixture: {sorted(used - set(seen))}"


def test_targets_are_grouped_by_their_kind() -> None:
    for kind, specs in TARGETS.items():
        assert all(name.split(".", 1)[0] == kind for name in specs)


def test_every_builtin_check_names_its_targets_type(catalog: Catalog) -> None:
    """The contract check the catalog runs on user rules holds for every built-in rule."""
    from readycheck.catalog import check_contract

    for rule in catalog.rules:
        check_contract(rule)


# --- a user rule that breaks the contract is a load error naming the rule file ---------------------------

USER_RULE = """\
id: ORG001
name: team-rule
checklist: image-hygiene
severity: warning
target: {target}
summary: A rule of the team's own
why: Because the team decided so, for its reasons.
fix: Do the other thing.
examples:
  bad: "FROM nginx"
  good: "FROM nginx:1.27.0"
references: [https://example.com/team/handbook]
{body}
"""


def user_rule(tmp_path: Path, target: str, body: str) -> tuple[int, str]:
    write(tmp_path, "Dockerfile", "FROM nginx:1.27.0\nUSER 101\n")
    write(tmp_path, "rules/ORG001-team-rule.yaml", USER_RULE.format(target=target, body=body))
    done = invoke(["check", "--rules", "rules", "."], tmp_path)
    return done.code, done.stdout + done.stderr


@pytest.mark.parametrize(("target", "body", "complaint"), [
    ("dockerfile.instructions", "check: dockerfile_security.sudo_in_run", "unknown target 'dockerfile.instructions'"),
    ("dockerfile.command", "check: dockerfile_security.no_such_check", "names no function"),
    ("dockerfile.command", "check: nosuchmodule.sudo_in_run", "no check module 'nosuchmodule'"),
    ("dockerfile.command", "check: secret_files.redact", "names no function"),
    ("dockerfile.command", "check: secret_files._private", "names no function"),
    ("compose.service", "check: kubernetes.host_namespace\nparams: {field: hostPID, what: pids}", "judges"),
    ("dockerfile.stage", "message: stage has no name\nschema: {required: [name]}\nparams: {a: 1}\noptions: {a: 2}", "both a fixed param"),
])
def test_a_user_rule_breaking_the_contract_is_a_load_error(tmp_path: Path, target: str, body: str,
                                                          complaint: str) -> None:
    code, out = user_rule(tmp_path, target, body)
    assert code == 2
    assert "ORG001-team-rule.yaml" in out and complaint in out


def test_a_user_rule_may_reuse_a_check_function_with_its_own_params(tmp_path: Path) -> None:
    write(tmp_path, "compose.yaml", "services:\n  api:\n    image: nginx:1.27.0\n    userns_mode: host\n")
    code, out = user_rule(tmp_path, "compose.service",
                          "check: compose.host_mode\nparams: {field: userns_mode, what: user namespace}")
    assert code == 0, out
    assert "ORG001" in out and "shares the host's user namespace (userns_mode: host)" in out


def test_explain_shows_the_references_and_the_fixed_params(tmp_path: Path) -> None:
    done = invoke(["explain", "DC504"], tmp_path)
    assert done.code == 0
    assert "https://docs.docker.com/reference/compose-file/services/#pid" in done.stdout
    assert 'compose.host_mode with fixed params field="pid", what="process namespace"' in done.stdout


def test_every_builtin_rule_has_https_references(catalog: Catalog) -> None:
    assert all(r.references and all(u.startswith("https://") for u in r.references) for r in catalog.rules)
