"""pre-commit integration: the hook definitions, the given-files filter, the repository's own scan, end to end."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from readycheck.model import Finding, Related, ScanResult, Span
from readycheck.orchestrate import keep_given_paths
from tests.clirun import UNPINNED_DOCKERFILE, invoke, write
from tests.conftest import REPO

HOOKS = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())

EVERY_KIND = [
    "Dockerfile", "services/api/Dockerfile", "Dockerfile.prod", "api.Dockerfile", "build/web.dockerfile",
    "Containerfile", "Containerfile.dev",
    ".github/workflows/ci.yml", ".github/workflows/release.yaml", "action.yml", "tools/lint/action.yaml",
    "charts/shop/Chart.yaml", "charts/shop/values.yaml", "charts/shop/values-prod.yaml",
    "charts/shop/templates/deployment.yaml", "charts/shop/templates/_helpers.tpl", "charts/shop/values.schema.json",
    "k8s/deployment.yaml", "k8s/list.json",
    "compose.yaml", "docker-compose.yml", "docker-compose.prod.yaml", "compose.override.yml",
    "env.schema.json", "env.schema.yaml", ".env.schema.json",
    ".env", ".env.example", ".env.production", "deploy/.env.staging",
]
NOT_ARTIFACTS = ["README.md", "src/main.py", "Dockerfile/notes.txt", "docs/.envrc", "Makefile"]


def test_hooks_are_defined_as_documented() -> None:
    hooks = {hook["id"]: hook for hook in HOOKS}
    assert set(hooks) == {"readycheck", "readycheck-secrets", "readycheck-fix"}
    for hook in hooks.values():
        assert (hook["language"], hook["pass_filenames"], hook["require_serial"]) == ("python", True, True)
    assert hooks["readycheck"]["entry"] == "readycheck check"
    assert hooks["readycheck-secrets"]["entry"] == "readycheck check --select no-baked-secrets"
    assert hooks["readycheck-fix"]["entry"] == "readycheck check --fix-only"


@pytest.mark.parametrize("hook", [h["id"] for h in HOOKS if h["id"] != "readycheck-secrets"])
def test_hook_files_pattern_covers_every_kind(hook: str) -> None:
    pattern = re.compile(next(h for h in HOOKS if h["id"] == hook)["files"])
    assert [p for p in EVERY_KIND if not pattern.search(p)] == []
    assert [p for p in NOT_ARTIFACTS if pattern.search(p)] == []


TEXT_FILES = ["src/settings.py", "conf/app.ini", "src/main/resources/application.properties", "infra/main.tf",
              "config/app.json", "config/application.yaml", "README.md", "Makefile", "certs/bundle.p12"]


def test_the_secrets_hook_receives_every_file() -> None:
    """pre-commit passes a hook the files its `files`, `exclude` and `types` allow: the secrets hook sets none
    of them (the default, every file), so text files of any kind and binary key bundles both reach it."""
    hook = next(h for h in HOOKS if h["id"] == "readycheck-secrets")
    assert hook.get("files", "") == "" and hook.get("exclude", "^$") == "^$"
    assert hook.get("types", ["file"]) == ["file"] and not hook.get("types_or") and not hook.get("exclude_types")


SECRET = "x7Qp2vLm9TzR4wKsB3"
SECRET_TEXTS = {
    "src/settings.py": f'DATABASE_PASSWORD = "{SECRET}"\n',
    "conf/app.ini": f"[db]\npassword = {SECRET}\n",
    "src/main/resources/application.properties": f"spring.datasource.password={SECRET}\n",
    "infra/main.tf": f'variable "db" {{\n  default = "x"\n}}\nlocals {{\n  db_password = "{SECRET}"\n}}\n',
    "config/app.json": f'{{"db": {{"password": "{SECRET}"}}}}\n',
    "config/application.yaml": f"db:\n  password: {SECRET}\n",
}


@pytest.mark.parametrize("name", sorted(SECRET_TEXTS))
def test_the_secrets_selection_searches_files_of_no_other_kind(tmp_path: Path, name: str) -> None:
    write(tmp_path, name, SECRET_TEXTS[name])
    run = invoke(["check", "--no-cache", "--format", "json", "--select", "no-baked-secrets", name], tmp_path)
    found = json.loads(run.stdout)["findings"]
    assert [(f["rule"], f["path"]) for f in found] == [("SEC008", name)], run.stdout + run.stderr
    assert found[0]["line"] == SECRET_TEXTS[name][: SECRET_TEXTS[name].index(SECRET)].count("\n") + 1
    for output in ("text", "json", "sarif", "github"):
        shown = invoke(["check", "--no-cache", "--format", output, "--select", "no-baked-secrets", name], tmp_path)
        assert SECRET not in shown.stdout + shown.stderr and SECRET[:4] in shown.stdout


def test_a_walk_with_the_secrets_selection_searches_text_files_but_not_ignored_or_binary_ones(tmp_path: Path) -> None:
    write(tmp_path, "src/settings.py", SECRET_TEXTS["src/settings.py"])
    write(tmp_path, "build/settings.py", SECRET_TEXTS["src/settings.py"])
    write(tmp_path, ".gitignore", "build/\n")
    (tmp_path / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00password=" + SECRET.encode())
    run = invoke(["check", "--no-cache", "--format", "json", "--select", "no-baked-secrets", "."], tmp_path)
    report = json.loads(run.stdout)
    assert [(f["rule"], f["path"]) for f in report["findings"]] == [("SEC008", "src/settings.py")]
    assert report["errors"] == []


def test_without_the_secrets_selection_files_of_no_kind_are_not_searched(tmp_path: Path) -> None:
    write(tmp_path, "src/settings.py", SECRET_TEXTS["src/settings.py"])
    run = invoke(["check", "--no-cache", "--format", "json", "src/settings.py"], tmp_path)
    assert json.loads(run.stdout)["findings"] == []
    assert "matches no kind" in run.stderr


def test_the_text_search_keeps_the_readers_limits(tmp_path: Path) -> None:
    write(tmp_path, "big.txt", "x" * 2000 + f"\npassword={SECRET}\n")
    outside = tmp_path.parent / f"{tmp_path.name}-outside.py"
    outside.write_text(SECRET_TEXTS["src/settings.py"])
    (tmp_path / "link.py").symlink_to(outside)
    run = invoke(["check", "--no-cache", "--format", "json", "--select", "no-baked-secrets", "--max-file-size", "1000",
                  "big.txt", "link.py"], tmp_path)
    report = json.loads(run.stdout)
    assert report["findings"] == []
    assert sorted(e["path"] for e in report["errors"]) == ["big.txt", "link.py"]
    assert run.code == 2 and SECRET not in run.stdout + run.stderr


def test_only_findings_in_the_given_files_are_reported(tmp_path: Path) -> None:
    write(tmp_path, "a/Dockerfile", UNPINNED_DOCKERFILE)
    write(tmp_path, "b/Dockerfile", UNPINNED_DOCKERFILE)
    run = invoke(["check", "--format", "json", "a/Dockerfile"], tmp_path)
    assert {f["path"] for f in json.loads(run.stdout)["findings"]} == {"a/Dockerfile"}
    run = invoke(["check", "--format", "json", "./b/../b"], tmp_path)
    assert {f["path"] for f in json.loads(run.stdout)["findings"]} == {"b/Dockerfile"}


def test_given_files_filter_keeps_related_locations(tmp_path: Path) -> None:
    def finding(path: str, *related: str) -> Finding:
        return Finding("X1", "x", "config", "error", path, Span(3), "m", related=tuple(Related(r, Span(1)) for r in related))

    values = finding("charts/shop/values.yaml", "charts/shop/templates/deployment.yaml")
    elsewhere = finding("charts/shop/templates/service.yaml")
    own = finding("charts/shop/templates/deployment.yaml")
    result = ScanResult(findings=[values, elsewhere, own], errors=[], files=1, suppressed=[(elsewhere, "comment")])
    keep_given_paths(result, ["charts/shop/templates/deployment.yaml"], tmp_path)
    assert result.findings == [values, own]
    assert result.suppressed == []
    result = ScanResult(findings=[values, elsewhere, own], errors=[], files=1)
    keep_given_paths(result, ["charts"], tmp_path)
    assert result.findings == [values, elsewhere, own]


def test_this_repository_is_clean_at_error_level() -> None:
    run = invoke(["check", "--format", "json", "--fail-on", "error", "."], REPO)
    data = json.loads(run.stdout)
    assert [f for f in data["findings"] if f["severity"] == "error"] == []
    assert data["errors"] == []
    assert run.code == 0
    assert not any(f["path"].startswith(("fixtures/", "tests/")) for f in data["findings"])


def test_an_excluded_directory_named_explicitly_is_still_checked() -> None:
    """The README's first command checks the sample repository although this repository's config excludes fixtures/."""
    run = invoke(["check", "--format", "json", "fixtures/sample-repo"], REPO)
    data = json.loads(run.stdout)
    assert data["summary"]["files"] > 0
    assert data["findings"] and {f["path"].split("/")[0] for f in data["findings"]} == {"fixtures"}


def _wheelhouse(tmp_path: Path) -> Path:
    """readycheck, its dependencies and its build backend as wheels, from the local pip cache."""
    wheels = tmp_path / "wheels"
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", str(REPO), "hatchling", "-w", str(wheels)],
        capture_output=True, text=True, timeout=600, check=False,
    )
    if built.returncode != 0:
        pytest.skip(f"cannot build a wheelhouse offline (pip wheel failed): {built.stderr.strip()[-300:]}")
    return wheels


def test_pre_commit_try_repo_end_to_end(tmp_path: Path) -> None:
    pre_commit = shutil.which("pre-commit", path=str(Path(sys.executable).parent)) or shutil.which("pre-commit")
    if pre_commit is None:
        pytest.skip("pre-commit is not installed (pip install -e '.[test]' brings it)")
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    wheels = _wheelhouse(tmp_path)
    project = tmp_path / "project"
    write(project, "a/Dockerfile", UNPINNED_DOCKERFILE)
    write(project, "b/Dockerfile", UNPINNED_DOCKERFILE)
    write(project, "README.md", "a service\n")
    write(project, "src/settings.py", SECRET_TEXTS["src/settings.py"])
    (project / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    env = {
        **os.environ,
        "PIP_FIND_LINKS": str(wheels),
        "PIP_NO_INDEX": "1",
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        "GIT_AUTHOR_NAME": "test", "GIT_AUTHOR_EMAIL": "test@example.com",
        "GIT_COMMITTER_NAME": "test", "GIT_COMMITTER_EMAIL": "test@example.com",
    }
    env.pop("PIP_EXTRA_INDEX_URL", None)
    subprocess.run(["git", "init", "-q", str(project)], check=True, env=env)
    subprocess.run(["git", "add", "."], cwd=project, check=True, env=env)
    run = subprocess.run(
        [pre_commit, "try-repo", str(REPO), "--files", "a/Dockerfile", "README.md", "src/settings.py", "logo.png",
         "--verbose"],
        cwd=project, capture_output=True, text=True, timeout=900, env=env, check=False,
    )
    output = run.stdout + run.stderr
    if "An unexpected error has occurred" in output and ("No matching distribution" in output or "Could not find" in output):
        pytest.skip(f"pre-commit could not install the hook offline: {output[-400:]}")
    assert run.returncode == 1, output
    assert re.search(r"^readycheck\.+Failed$", output, re.M), output
    # the secrets hook got every file (pre-commit's own file filtering), searched the Python file as text
    assert re.search(r"^readycheck \(secrets only\)\.+Failed$", output, re.M), output
    assert "src/settings.py" in output and "SEC008" in output and SECRET not in output
    assert "a/Dockerfile" in output and "DF101" in output
    assert "b/Dockerfile" not in output


def test_action_is_composite_pinned_and_takes_inputs_through_env() -> None:
    action = yaml.safe_load((REPO / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    assert set(action["inputs"]) >= {"paths", "fail-on", "config", "sarif-file", "upload"}
    steps = action["runs"]["steps"]
    text = (REPO / "action.yml").read_text()
    for step in steps:
        if "uses" in step:
            assert re.fullmatch(r"[\w./-]+@[0-9a-f]{40}", step["uses"]), step["uses"]
            assert re.search(re.escape(step["uses"]) + r" # v\d+\.\d+\.\d+", text)
        if "run" in step:
            assert "${{" not in step["run"], "inputs reach scripts through env, never by interpolation"
    upload = next(s for s in steps if "upload-sarif" in s.get("uses", ""))
    assert "inputs.upload == 'true'" in upload["if"]
    check = next(s for s in steps if s.get("id") == "check")
    assert "--sarif-output" in check["run"] and "GITHUB_STEP_SUMMARY" in check["run"]
    assert '--constraint "$GITHUB_ACTION_PATH/constraints.txt"' in text


def test_the_configs_exclude_applies_to_files_passed_by_name(tmp_path: Path) -> None:
    write(tmp_path, ".readycheck.yaml", "exclude: ['vendor/**']\n")
    write(tmp_path, "vendor/lib/Dockerfile", UNPINNED_DOCKERFILE)
    write(tmp_path, "app/Dockerfile", UNPINNED_DOCKERFILE)
    run = invoke(["check", "--no-cache", "--format", "json", "vendor/lib/Dockerfile", "app/Dockerfile"], tmp_path)
    paths = {f["path"] for f in json.loads(run.stdout)["findings"]}
    assert paths == {"app/Dockerfile"}
    verbose = invoke(["check", "--no-cache", "-v", "vendor/lib/Dockerfile"], tmp_path)
    assert "vendor/lib/Dockerfile" in verbose.stderr and "exclude" in verbose.stderr


def test_with_a_file_list_only_the_given_files_baseline_entries_can_be_stale(tmp_path: Path) -> None:
    write(tmp_path, "a/Dockerfile", UNPINNED_DOCKERFILE)
    write(tmp_path, "b/Dockerfile", UNPINNED_DOCKERFILE)
    assert invoke(["baseline", "--no-cache", "-o", "baseline.json", "."], tmp_path).code == 0
    recorded = {e["path"] for e in json.loads((tmp_path / "baseline.json").read_text())["findings"]}
    assert recorded == {"a/Dockerfile", "b/Dockerfile"}
    only_a = invoke(["check", "--no-cache", "--baseline", "baseline.json", "a/Dockerfile"], tmp_path)
    assert only_a.code == 0
    assert "no longer occur" not in only_a.stderr, "entries of b/Dockerfile were not looked for"
    write(tmp_path, "a/Dockerfile", "FROM alpine:3.20\nUSER 10001\nHEALTHCHECK NONE\nCMD [\"true\"]\n")
    fixed = invoke(["check", "--no-cache", "--baseline", "baseline.json", "a/Dockerfile"], tmp_path)
    assert "no longer occur" in fixed.stderr and "a/Dockerfile" in fixed.stderr
    assert "b/Dockerfile" not in fixed.stderr


@pytest.mark.parametrize("config_name", [".readycheck.yaml", "pyproject.toml"])
def test_the_config_is_found_from_the_scanned_path_up_to_the_repository_root(tmp_path: Path, config_name: str) -> None:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    text = "ignore: [DF101]\n" if config_name.endswith(".yaml") else "[tool.readycheck]\nignore = ['DF101']\n"
    write(repo, config_name, text)
    write(repo, "services/api/Dockerfile", UNPINNED_DOCKERFILE)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    for cwd, target in ((outside, str(repo / "services" / "api")), (repo / "services", "api/Dockerfile")):
        run = invoke(["check", "--no-cache", "--format", "json", target], cwd)
        rules = {f["rule"] for f in json.loads(run.stdout)["findings"]}
        assert rules and "DF101" not in rules, f"the repository's config was not found from {cwd}"
    write(tmp_path, ".readycheck.yaml", "ignore: [DF102]\n")  # above the repository root: not its config
    run = invoke(["check", "--no-cache", "--format", "json", str(repo / "services")], outside)
    assert "DF101" not in {f["rule"] for f in json.loads(run.stdout)["findings"]}
