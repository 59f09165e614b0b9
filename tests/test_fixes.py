"""Fixes: every fixable rule turns its bad fixture into its `fixed` fixture, touching nothing else.

A rule that declares `fix_safety` has `fixtures/<ID>/fixed.*` (or a `fixed/` folder beside a `bad/` one): what
its bad fixture becomes once all its fixes (unsafe ones too) are applied. For each such rule, and for variants
of the bad fixture (CRLF line ends, a byte-order mark, no final newline), the tests check that fixing gives that
file, that a second run changes nothing, that only lines an edit names change, that the fixed file loads and has
no finding with a fix left and no finding that was not there before, and the CLI's --fix/--diff contract.
"""

from __future__ import annotations

import difflib
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from readycheck.catalog import Rule
from readycheck.config import Config
from readycheck.discover import Target, kind_by_name
from readycheck.fix import apply_fixes, fix_roots, plan_fixes, wanted, write_plan
from readycheck.model import Edit, Finding, Fix, ScanResult
from readycheck.orchestrate import scan
from tests.clirun import invoke, write
from tests.conftest import FIXTURES, REPO
from tests.test_rule_fixtures import CATALOG, DEFAULT_KIND, fixture_file, fixture_options

FIXABLE = [r for r in CATALOG.rules if r.fix_safety]


def _copy_fixture(rule: Rule, stem: str, into: Path) -> Path:
    source = fixture_file(rule, stem)
    target = into / source.name.replace(stem, "subject", 1)
    if source.is_dir():
        shutil.copytree(source, target)
    else:
        shutil.copyfile(source, target)
    return target


def _scan(rule: Rule, path: Path, base: Path, every_rule: bool = False) -> ScanResult:
    """One fixture scanned as the rule fixtures are (its kind forced for a lone file); with `every_rule`, by all
    the default rules."""
    config = Config() if every_rule else Config(select=[rule.id], rule_options={rule.id: fixture_options(rule)})
    targets = None
    if path.is_file():
        targets = [Target(path, kind_by_name(path) or DEFAULT_KIND.get(rule.kind, rule.kind))]
    return scan([str(path)], CATALOG, config, base=base, targets=targets)


def _fix_rounds(rule: Rule, path: Path, base: Path, on_plan: Callable[[str, str, list[Finding]], None] | None = None) -> int:
    """Apply the rule's fixes (unsafe too) round after round, as `check --fix` does; the number of rounds that
    changed something."""
    for rounds in range(6):
        result = _scan(rule, path, base)
        assert not result.errors, [e.as_dict() for e in result.errors]
        plans = plan_fixes(wanted(result.findings, unsafe=True), fix_roots([str(path)], base), base)
        changed = [p for p in plans if p.changed]
        if not changed:
            return rounds
        for plan in changed:
            if on_plan is not None:
                on_plan(plan.before, plan.after, plan.applied)
            assert write_plan(plan) is None
    raise AssertionError("fixes did not settle in 6 rounds")


def _files(path: Path) -> dict[str, bytes]:
    if path.is_file():
        return {"": path.read_bytes()}
    return {p.relative_to(path).as_posix(): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}


def _changed_lines_are_edited(before: str, after: str, applied: list[Finding]) -> None:
    """Every line of `before` that differs in `after` is a line one of the applied edits names."""
    edited = {n for f in applied if f.autofix for e in f.autofix.edits for n in range(e.line, e.end_line + 1)}
    matcher = difflib.SequenceMatcher(None, before.splitlines(), after.splitlines(), autojunk=False)
    for tag, i1, i2, _, _ in matcher.get_opcodes():
        if tag in ("replace", "delete"):
            assert set(range(i1 + 1, i2 + 1)) <= edited, f"lines {i1 + 1}-{i2} changed but no edit names them"
        if tag == "insert":
            assert i1 in edited or i1 + 1 in edited, f"lines inserted after line {i1} where no edit is"


def test_fixable_rules_exist_for_every_kind_the_issue_names() -> None:
    kinds = {r.kind for r in FIXABLE}
    assert {"dockerfile", "workflow", "kubernetes", "env"} <= kinds


@pytest.mark.parametrize("rule", FIXABLE, ids=lambda r: r.id)
def test_fix_turns_bad_into_fixed_and_settles(rule: Rule, tmp_path: Path) -> None:
    subject = _copy_fixture(rule, "bad", tmp_path)
    expected = _files(fixture_file(rule, "fixed"))
    before = {name: data for name, data in _files(subject).items()}
    all_before = _scan(rule, subject, tmp_path, every_rule=True)
    rounds = _fix_rounds(rule, subject, tmp_path, _changed_lines_are_edited)
    assert rounds >= 1
    assert _files(subject) == expected
    assert _fix_rounds(rule, subject, tmp_path) == 0  # idempotent: a second --fix changes nothing
    after = _scan(rule, subject, tmp_path)
    assert [f for f in after.findings if f.autofix is not None] == []
    assert len(after.findings) < len(_scan(rule, fixture_file(rule, "bad"), FIXTURES).findings)
    all_after = _scan(rule, subject, tmp_path, every_rule=True)
    assert not all_after.errors
    new = {(f.rule, f.message) for f in all_after.findings} - {(f.rule, f.message) for f in all_before.findings}
    assert new == set(), f"fixing {rule.id} made new findings"
    assert before != expected


VARIANTS: dict[str, Callable[[bytes], bytes]] = {
    "crlf": lambda data: data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"),
    "bom": lambda data: b"\xef\xbb\xbf" + data,
    "no-final-newline": lambda data: data.rstrip(b"\n"),
}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
@pytest.mark.parametrize("rule", FIXABLE, ids=lambda r: r.id)
def test_fix_keeps_line_ends_and_byte_order_mark(rule: Rule, variant: str, tmp_path: Path) -> None:
    change = VARIANTS[variant]
    subject = _copy_fixture(rule, "bad", tmp_path)
    for path in [subject] if subject.is_file() else [p for p in subject.rglob("*") if p.is_file()]:
        path.write_bytes(change(path.read_bytes()))
    _fix_rounds(rule, subject, tmp_path)
    expected = {name: change(data) for name, data in _files(fixture_file(rule, "fixed")).items()}
    assert _files(subject) == expected


def _fix(*edits: Edit, safety: str = "safe") -> Fix:
    return Fix("test", tuple(edits), safety)


def test_apply_fixes_composes_and_defers_overlaps() -> None:
    raw = "a: 1\r\nb: 2\r\n"
    insert = _fix(Edit.insert(1, 5, "\nc: 3"))
    same_place = _fix(Edit.insert(1, 5, "\nd: 4"))
    replace = _fix(Edit(2, 4, 2, 5, "2", "5"))
    text, applied, left = apply_fixes(raw, [insert, same_place, replace])
    assert text == "a: 1\r\nc: 3\r\nb: 5\r\n"  # a new line takes the file's own line end
    assert applied == [0, 2]
    assert [i for i, _ in left] == [1]


def test_apply_fixes_refuses_an_edit_whose_text_is_not_there() -> None:
    text, applied, left = apply_fixes("ADD a /a\n", [_fix(Edit(1, 1, 1, 4, "RUN", "COPY"))])
    assert (text, applied) == ("ADD a /a\n", [])
    assert "not what the fix expects" in left[0][1]


DOCKERFILE = "FROM debian:12.7\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\nADD app.py /app/\n"


def test_check_fix_on_sample_repo_leaves_only_findings_without_a_safe_fix(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(FIXTURES / "sample-repo", repo)
    before = json.loads(invoke(["check", "--no-cache", "--format", "json", "."], repo).stdout)["findings"]
    safe = [f for f in before if isinstance(f["fix"], dict) and f["fix"]["safety"] == "safe"]
    assert safe, "the sample repository has findings with a safe fix"
    diff = invoke(["check", "--no-cache", "--diff", "."], repo)
    assert diff.code == 1
    assert diff.stdout.startswith("--- a/") and "\n+++ b/" in diff.stdout
    assert _files(repo) == _files(FIXTURES / "sample-repo")  # --diff writes nothing
    fixed = invoke(["check", "--no-cache", "--fix", "--format", "json", "."], repo)
    after = json.loads(fixed.stdout)["findings"]
    assert [f for f in after if isinstance(f["fix"], dict) and f["fix"]["safety"] == "safe"] == []
    assert len(after) == len(before) - len(safe)
    unsafe_before = [f for f in before if isinstance(f["fix"], dict) and f["fix"]["safety"] == "unsafe"]
    assert {(f["rule"], f["path"]) for f in after if isinstance(f["fix"], dict)} == \
        {(f["rule"], f["path"]) for f in unsafe_before}
    again = invoke(["check", "--no-cache", "--diff", "."], repo)
    assert (again.code, again.stdout) == (0, "")


def test_check_fix_says_how_many_and_marks_fixable_findings(tmp_path: Path) -> None:
    write(tmp_path, "Dockerfile", DOCKERFILE)
    run = invoke(["check", "--no-cache", "--no-color", "Dockerfile"], tmp_path)
    assert "[*] add-for-local-files" in run.stdout
    assert "fixable with --fix" in run.stdout.splitlines()[-1]
    run = invoke(["check", "--no-cache", "--fix", "Dockerfile"], tmp_path)
    assert "COPY app.py /app/" in (tmp_path / "Dockerfile").read_text()
    assert "--no-install-recommends" in (tmp_path / "Dockerfile").read_text()
    assert "fixed 2 findings in 1 file" in run.stderr


def test_fix_only_reports_nothing_and_exits_zero(tmp_path: Path) -> None:
    write(tmp_path, "Dockerfile", DOCKERFILE)
    run = invoke(["check", "--no-cache", "--fix-only", "Dockerfile"], tmp_path)
    assert (run.code, run.stdout) == (0, "")
    assert "COPY app.py" in (tmp_path / "Dockerfile").read_text()


def test_unsafe_fixes_only_with_the_flag(tmp_path: Path) -> None:
    shutil.copyfile(fixture_file(CATALOG.by_id["K8S405"], "bad"), tmp_path / "deploy.yaml")
    invoke(["check", "--no-cache", "--fix", "--select", "K8S405", "deploy.yaml"], tmp_path)
    assert (tmp_path / "deploy.yaml").read_bytes() == fixture_file(CATALOG.by_id["K8S405"], "bad").read_bytes()
    invoke(["check", "--no-cache", "--fix", "--unsafe-fixes", "--select", "K8S405", "deploy.yaml"], tmp_path)
    assert (tmp_path / "deploy.yaml").read_bytes() == fixture_file(CATALOG.by_id["K8S405"], "fixed").read_bytes()


def test_a_link_out_of_the_root_is_never_written(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    write(outside, "Dockerfile", DOCKERFILE)
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "Dockerfile").symlink_to(outside / "Dockerfile")
    (repo / "inner").mkdir()
    write(repo, "inner/Dockerfile", DOCKERFILE)
    (repo / "linked").symlink_to(repo / "inner" / "Dockerfile")
    invoke(["check", "--no-cache", "--fix", "."], repo)
    assert (outside / "Dockerfile").read_text() == DOCKERFILE
    assert (repo / "linked").is_symlink()


def test_a_file_changed_since_the_scan_is_not_written(tmp_path: Path) -> None:
    path = write(tmp_path, "Dockerfile", DOCKERFILE)
    result = _scan(CATALOG.by_id["DF410"], path, tmp_path, every_rule=True)
    path.write_text(DOCKERFILE + "# edited meanwhile\n")
    plans = plan_fixes(wanted(result.findings, unsafe=True), fix_roots([str(path)], tmp_path), tmp_path)
    assert [p for p in plans if p.changed] == []
    assert all("changed since it was scanned" in why for p in plans for _, why in p.skipped)


def test_no_fix_lands_in_a_helm_chart() -> None:
    chart = FIXTURES / "sample-repo" / "deploy" / "charts" / "api"
    result = scan([str(chart)], CATALOG, Config(), base=REPO)
    fixable_rules = {r.id for r in FIXABLE}
    assert any(f.rule in fixable_rules for f in result.findings)  # the rendered objects have what a fix fixes
    assert all(f.autofix is None for f in result.findings)


def test_an_anchored_node_gets_no_fix_and_says_why(tmp_path: Path) -> None:
    manifest = fixture_file(CATALOG.by_id["K8S402"], "bad").read_text()
    assert "\nspec:\n  replicas: 3\n" in manifest
    path = write(tmp_path, "deploy.yaml", manifest.replace("\nspec:\n  replicas: 3\n", "\nspec: &spec\n  replicas: 3\n", 1))
    result = _scan(CATALOG.by_id["K8S402"], path, tmp_path)
    assert result.findings and all(f.autofix is None for f in result.findings)
    assert all("anchor" in f.extra["fix_refused"] for f in result.findings)
    run = invoke(["check", "--no-cache", "--diff", "--show-fixes", "--select", "K8S402", "deploy.yaml"], tmp_path)
    assert (run.code, run.stdout) == (0, "")
    assert "no fix: deploy.yaml:" in run.stderr and "YAML anchor" in run.stderr


def test_an_anchor_elsewhere_in_the_file_does_not_block_a_fix(tmp_path: Path) -> None:
    manifest = fixture_file(CATALOG.by_id["K8S402"], "bad").read_text()
    path = write(tmp_path, "deploy.yaml", manifest.replace("  labels:\n    app.kubernetes.io/name: orders-api\nspec:",
                                                           "  labels: &labels\n    app.kubernetes.io/name: orders-api\nspec:", 1))
    assert path.read_text() != manifest
    result = _scan(CATALOG.by_id["K8S402"], path, tmp_path)
    assert result.findings and all(f.autofix is not None for f in result.findings)


def test_every_rule_with_fixtures_named_fixed_declares_fix_safety() -> None:
    declared = {r.id for r in FIXABLE}
    with_fixed = {p.parent.name for p in FIXTURES.glob("*/fixed*")}
    assert with_fixed == declared


# --- property: mutated fixtures ---------------------------------------------------------------------------------

def _mutate(text: str, inserts: list[tuple[int, str]], crlf: bool) -> str:
    """Comment and blank lines put between the lines of `text` (with the next line's indentation), maybe CRLF."""
    lines = text.split("\n")
    for position, kind in sorted(inserts, reverse=True):
        at = position % (len(lines) + 1)
        following = lines[at] if at < len(lines) else ""
        indent = following[: len(following) - len(following.lstrip(" "))]
        lines.insert(at, "" if kind == "blank" else f"{indent}# a reviewer's note")
    out = "\n".join(lines)
    return out.replace("\n", "\r\n") if crlf else out


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rule=st.sampled_from(FIXABLE),
       inserts=st.lists(st.tuples(st.integers(0, 200), st.sampled_from(["blank", "comment"])), max_size=4),
       crlf=st.booleans())
def test_fixes_on_mutated_fixtures_touch_only_edited_lines_and_settle(
        rule: Rule, inserts: list[tuple[int, str]], crlf: bool, tmp_path_factory: pytest.TempPathFactory) -> None:
    tmp_path = tmp_path_factory.mktemp("mutated")
    subject = _copy_fixture(rule, "bad", tmp_path)
    for path in [subject] if subject.is_file() else [p for p in subject.rglob("*") if p.is_file()]:
        path.write_bytes(_mutate(path.read_bytes().decode(), inserts, crlf).encode())
    before = _scan(rule, subject, tmp_path, every_rule=True)
    if before.errors:
        return  # a comment line inside a construct can make a file invalid: nothing to fix then
    _fix_rounds(rule, subject, tmp_path, _changed_lines_are_edited)
    assert _fix_rounds(rule, subject, tmp_path) == 0
    after = _scan(rule, subject, tmp_path, every_rule=True)
    assert not after.errors
    new = {(f.rule, f.message) for f in after.findings} - {(f.rule, f.message) for f in before.findings}
    assert new == set()
    if crlf:
        for data in _files(subject).values():
            assert b"\n" not in data.replace(b"\r\n", b"")  # every line, old or new, ends in CRLF


WORKFLOW = """\
on: [issues]
permissions: {}
jobs:
  triage:
    runs-on: ubuntu-24.04
    timeout-minutes: 5
    steps:
      - run: ./label.sh ${{ github.event.issue.title }}
      - run: echo '${{ github.event.issue.body }}'
      - run: |
          echo "a" # keep me
          echo ${{ github.event.issue.title }} "${{ github.event.comment.body }}"
        env: {OTHER: x}
"""


def _workflow_fixes(tmp_path: Path, text: str) -> list[Finding]:
    path = write(tmp_path, ".github/workflows/ci.yml", text)
    result = _scan(CATALOG.by_id["GH401"], path, tmp_path)
    return sorted(result.findings, key=Finding.sort_key)


def test_injection_fix_quotes_for_where_the_expression_stands(tmp_path: Path) -> None:
    findings = _workflow_fixes(tmp_path, WORKFLOW)
    by_line = {(f.span.line, f.span.column): f for f in findings}
    unquoted = by_line[(8, 25)].autofix
    assert unquoted is not None and unquoted.edits[0].new == '"${GITHUB_EVENT_ISSUE_TITLE}"'
    assert "single quotes" in by_line[(9, 20)].extra["fix_refused"]
    flow_env = [f for f in findings if f.span.line == 12]
    assert flow_env and all(f.autofix is None and "flow style" in f.extra["fix_refused"] for f in flow_env)


def test_yaml_edits_refuse_what_they_cannot_extend_cleanly(tmp_path: Path) -> None:
    manifest = fixture_file(CATALOG.by_id["K8S402"], "bad").read_text()
    flow = manifest.replace("          securityContext:\n            readOnlyRootFilesystem: true\n            capabilities:\n"
                            "              drop: [\"ALL\"]\n          volumeMounts:",
                            "          securityContext: {readOnlyRootFilesystem: true}\n          volumeMounts:")
    assert flow != manifest
    path = write(tmp_path, "deploy.yaml", flow)
    result = _scan(CATALOG.by_id["K8S402"], path, tmp_path)
    api = [f for f in result.findings if "'api'" in f.message]
    assert api and api[0].autofix is None and "flow style" in api[0].extra["fix_refused"]
