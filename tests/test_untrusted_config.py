"""The trust boundary of configuration, and `--helm-renderer helm` hardened (issue 14, items 1 and 2).

A config found in the scanned tree (`.readycheck.yaml`, `[tool.readycheck]`) may select, ignore, set
severities, options and exclusions, and nothing more: where it asks for a renderer, rule directories,
values files outside the tree, a cache or an output location, the run stops with exit 2 naming the key
and the operator's flag, and nothing is started or opened. The operator (command line, `--config`)
may choose all of them.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from readycheck.helm import binary
from tests.clirun import Run, invoke, write
from tests.test_hostile_rules import write_rule
from tests.test_hostile_side_effects import forbid_side_effects
from tests.untrusted_traps import CHART, opens_under

SECRET = "OUTSIDE-TOKEN-7f3a9c"
"""Planted in files outside the scanned root: it must never reach any output."""


def make_chart(root: Path, where: str = "chart") -> Path:
    for name, text in CHART.items():
        write(root, f"{where}/{name}", text)
    return root / where


def fake_helm(directory: Path, marker: Path) -> Path:
    """An executable named `helm` that leaves `marker` behind when run, with its arguments one per line."""
    directory.mkdir(parents=True, exist_ok=True)
    helm = directory / "helm"
    helm.write_text(
        "#!/bin/sh\n"
        f"printf '%s\\n' \"$@\" > '{marker}'\n"
        "printf -- '---\\n# Source: shop/templates/cm.yaml\\napiVersion: v1\\nkind: ConfigMap\\nmetadata:\\n  name: x\\n'\n"
    )
    helm.chmod(helm.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return helm


@pytest.fixture()
def layout(tmp_path: Path) -> tuple[Path, Path]:
    """(the scanned repository, a directory beside it that the repository must never reach)."""
    repo, outside = tmp_path / "repo", tmp_path / "outside"
    make_chart(repo)
    write(outside, "values.yaml", f"image:\n  tag: {SECRET}\n")
    write(outside, "rules/XX900-outside-rule.yaml", f"id: XX900\nname: outside-rule\n# {SECRET}\n")
    return repo, outside


def check(repo: Path, *args: str) -> Run:
    return invoke(["check", "--no-cache", "--format", "json", *args, "."], repo)


def assert_refused(run: Run, key: str, flag: str) -> None:
    assert run.code == 2, (run.stdout, run.stderr)
    assert key in run.stderr and flag in run.stderr, run.stderr
    assert "Traceback" not in run.stderr


@pytest.mark.parametrize(("config", "key", "flag"), [
    ("helm:\n  renderer: helm\n", "helm.renderer", "--helm-renderer"),
    ("rules-dirs: [../outside/rules]\n", "rules-dirs", "--rules"),
    ("cache-dir: ../outside/cache\n", "cache-dir", "--cache-dir"),
    ("output: ../outside/report.json\n", "output", "--output"),
    ("helm:\n  values: [../outside/values.yaml]\n", "helm.values", "--values"),
    ("helm:\n  values: [/dev/zero]\n", "helm.values", "--values"),
    ("helm:\n  values: [linked.yaml]\n", "helm.values", "--values"),
])
def test_a_repository_config_cannot_choose_what_only_the_operator_may(
        layout: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch, config: str, key: str, flag: str) -> None:
    repo, outside = layout
    (repo / "linked.yaml").symlink_to(outside / "values.yaml")
    fake_helm(outside / "bin", outside / "helm-ran")
    monkeypatch.setenv("PATH", f"{outside / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}")
    write(repo, ".readycheck.yaml", config)
    attempts = forbid_side_effects(monkeypatch)
    with opens_under(outside) as opened:
        run = check(repo)
    assert_refused(run, key, flag)
    assert attempts == [] and not (outside / "helm-ran").exists()
    assert opened == [], "a file outside the scanned root was opened"
    assert SECRET not in run.stdout + run.stderr


def test_pyproject_table_is_as_untrusted_as_the_yaml_config(layout: tuple[Path, Path]) -> None:
    repo, outside = layout
    write(repo, "pyproject.toml", "[tool.readycheck]\nrules-dirs = ['../outside/rules']\n")
    with opens_under(outside) as opened:
        run = check(repo)
    assert_refused(run, "rules-dirs", "--rules")
    assert opened == []


def test_a_repository_config_keeps_what_it_may_set(layout: tuple[Path, Path]) -> None:
    """Select, severities, exclusions and values files inside the tree still work from the repository's config."""
    repo, _ = layout
    write(repo, "prod.yaml", "image:\n  tag: latest\n")
    write(repo, ".readycheck.yaml", "select: [K8S501]\nseverity: {K8S501: note}\nexclude: [vendor/]\n"
                                    "helm:\n  values: [prod.yaml]\n  release-name: shop\n  renderer: builtin\n")
    run = check(repo)
    findings = json.loads(run.stdout)["findings"]
    assert [(f["rule"], f["path"], f["severity"]) for f in findings] == [("K8S501", "prod.yaml", "note")]


def test_the_operator_may_choose_rules_and_values_outside_the_tree(layout: tuple[Path, Path]) -> None:
    """A file given with --config is the operator's, and so are --rules and --values."""
    repo, outside = layout
    write_rule(outside / "operator-rules", 901, "operator-rule", "schema: {}\n")
    write(outside, "prod.yaml", "image:\n  tag: latest\n")
    operator = write(outside, "operator.yaml", f"rules-dirs: [{outside / 'operator-rules'}]\nselect: [K8S501]\n")
    run = check(repo, "--config", str(operator), "--values", str(outside / "prod.yaml"))
    assert run.code == 1, run.stderr
    assert [f["rule"] for f in json.loads(run.stdout)["findings"]] == ["K8S501"]
    listed = invoke(["rules", "--config", str(operator), "--format", "json"], repo)
    assert "XX901" in listed.stdout


def test_every_operator_only_setting_has_a_flag() -> None:
    from readycheck.config import OPERATOR_ONLY

    text = invoke(["check", "--help"], Path.cwd()).stdout
    for flag in [*OPERATOR_ONLY.values(), "--values", "--config"]:
        assert flag.split()[0] in text, flag


# --- --helm-renderer helm ---------------------------------------------------------------------


def test_helm_is_never_found_through_an_empty_or_relative_path_entry(
        layout: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    repo, outside = layout
    fake_helm(repo, outside / "ran-from-repo")
    fake_helm(repo / "tools", outside / "ran-from-tools")
    monkeypatch.setenv("PATH", os.pathsep.join(["", ".", "tools", str(outside / "empty")]))
    assert binary.find_helm(os.environ["PATH"]) is None
    attempts = forbid_side_effects(monkeypatch)
    run = check(repo, "--helm-renderer", "helm")
    assert run.code == 2
    assert any("no `helm` on PATH" in e["message"] for e in json.loads(run.stdout)["errors"])
    assert attempts == []
    assert not (outside / "ran-from-repo").exists() and not (outside / "ran-from-tools").exists()


@pytest.mark.parametrize("setting", [
    "release-name: '--post-renderer=./evil.sh'",
    "release-name: '-x'",
    "namespace: '--post-renderer=./evil.sh'",
    "release-name: 'Upper_Case'",
])
def test_release_name_and_namespace_never_become_helm_options(
        layout: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch, setting: str) -> None:
    repo, outside = layout
    write(repo, "evil.sh", f"#!/bin/sh\ntouch '{outside / 'evil-ran'}'\n")
    fake_helm(outside / "bin", outside / "helm-ran")
    monkeypatch.setenv("PATH", str(outside / "bin"))
    write(repo, ".readycheck.yaml", f"helm:\n  {setting}\n")
    attempts = forbid_side_effects(monkeypatch)
    run = check(repo, "--helm-renderer", "helm")
    assert run.code == 2
    errors = json.loads(run.stdout)["errors"]
    assert any("helm not run" in e["message"] for e in errors), errors
    assert attempts == [] and not (outside / "helm-ran").exists() and not (outside / "evil-ran").exists()


def test_helm_gets_values_bound_to_options_and_positionals_after_a_double_dash(tmp_path: Path,
                                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    chart = make_chart(tmp_path)
    marker = tmp_path / "argv"
    helm = fake_helm(tmp_path / "bin", marker)
    monkeypatch.setenv("PATH", os.pathsep.join(["", str(tmp_path / "bin")]))
    values = write(tmp_path, "-x.yaml", "a: 1\n")
    monkeypatch.chdir(tmp_path)
    result = binary.render_with_helm(chart, values_files=["-x.yaml"],
                              set_values=["--post-renderer=./evil.sh", "a=b"], release_name="shop", namespace="prod")
    assert result.errors == [] and [m.template for m in result.manifests] == ["templates/cm.yaml"]
    argv = marker.read_text().splitlines()
    assert argv[0] == "template"
    cut = argv.index("--")
    options, positionals = argv[1:cut], argv[cut + 1:]
    assert positionals == ["shop", os.path.abspath(chart)]
    assert all(o.startswith("--") and "=" in o for o in options), options
    assert "--set=--post-renderer=./evil.sh" in options and f"--values={values}" in options
    assert binary.helm_argv(str(helm), chart, [], [], "shop", "prod", "1.30.0")[-3:] == ["--", "shop", os.path.abspath(chart)]
