"""Which files are which: kinds decided by name and, where the name is ambiguous, by content.

CONTRACT.md "Which files are which": every YAML or JSON document with
`apiVersion` and `kind` is a manifest; per-Dockerfile ignore files, template
sources, backups and diffs are not Dockerfiles or env files; a file named on
the command line that is of no kind is said on stderr.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from readycheck.discover import DOCKERFILE, ENV_FILE, KUBERNETES, Skipped, discover
from tests.clirun import invoke, write
from tests.test_run_index import age, forbid_scanning

POD = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"},
       "spec": {"containers": [{"name": "web", "image": "nginx:latest"}]}}
DOCKERFILE_TEXT = "FROM node:latest\nCOPY . .\nUSER node\nCMD [\"node\", \"server.js\"]\n"
DIFF = "--- a/.env\n+++ b/.env\n@@ -1,2 +1,2 @@\n-API_KEY=one\n+API_KEY=two\n DEBUG=0\n"


def kinds(root: Path) -> dict[str, str]:
    return {t.path.relative_to(root).as_posix(): t.kind for t in discover([root], base=root)}


def check_json(args: list[str], cwd: Path) -> tuple[dict, str, int]:  # type: ignore[type-arg]
    run = invoke(["check", "--no-cache", "--format", "json", *args], cwd)
    return json.loads(run.stdout), run.stderr, run.code


@pytest.mark.parametrize("text", [
    json.dumps(POD, separators=(",", ":")),
    json.dumps(POD),
    "{apiVersion: v1, kind: Pod, metadata: {name: web}, spec: {containers: [{name: web, image: 'nginx:latest'}]}}",
])
def test_a_manifest_is_found_however_it_is_laid_out(tmp_path: Path, text: str) -> None:
    name = "pod.json" if text.startswith('{"') else "pod.yaml"
    write(tmp_path, name, text)
    assert kinds(tmp_path) == {name: KUBERNETES}
    for args in (["."], [name]):  # walked, and named on the command line
        report, _, code = check_json(args, tmp_path)
        assert code == 1 and report["summary"]["files"] == 1
        assert any(f["rule"] == "K8S501" and f["path"] == name for f in report["findings"])


def test_a_named_file_of_no_kind_is_said_on_stderr(tmp_path: Path) -> None:
    write(tmp_path, "README.md", "# hello\n")
    write(tmp_path, "package.json", '{"name": "web", "version": "1.0.0"}\n')
    write(tmp_path, "Dockerfile", DOCKERFILE_TEXT)
    report, stderr, code = check_json(["README.md", "package.json", "Dockerfile"], tmp_path)
    assert report["summary"]["files"] == 1 and code == 1
    lines = stderr.splitlines()
    assert any("README.md" in line and "no kind" in line for line in lines)
    assert any("package.json" in line and "apiVersion" in line for line in lines)
    assert not any("Dockerfile" in line for line in lines)
    # a walk passes over such files silently: they are not named, and most files of a tree are of no kind
    _, stderr, _ = check_json(["."], tmp_path)
    assert "README.md" not in stderr and "package.json" not in stderr


@pytest.mark.parametrize("name", ["Dockerfile.dockerignore", "Dockerfile.api.dockerignore"])
def test_a_per_dockerfile_ignore_file_is_read_with_its_dockerfile(tmp_path: Path, name: str) -> None:
    dockerfile = name.removesuffix(".dockerignore")
    write(tmp_path, dockerfile, DOCKERFILE_TEXT)
    write(tmp_path, name, "node_modules\n")
    (tmp_path / ".git").mkdir()  # the context is a checkout: its .git can be copied in
    assert kinds(tmp_path) == {dockerfile: DOCKERFILE}
    report, _, _ = check_json(["."], tmp_path)
    assert report["errors"] == [] and report["summary"]["files"] == 1
    # DF408 reads it: it exists (no DF407) but leaves out .git
    rules = {f["rule"] for f in report["findings"]}
    assert "DF408" in rules and "DF407" not in rules
    write(tmp_path, name, "node_modules\n.git\n.env*\n")
    report, _, _ = check_json(["."], tmp_path)
    assert not {"DF407", "DF408"} & {f["rule"] for f in report["findings"]}


@pytest.mark.parametrize("suffix", [".j2", ".tmpl", ".erb", ".jinja", ".jinja2", ".template", ".tpl", ".in",
                                    ".mustache", ".hbs"])
def test_a_template_source_is_no_dockerfile_and_verbose_says_so(tmp_path: Path, suffix: str) -> None:
    name = f"Dockerfile{suffix}"
    write(tmp_path, name, "FROM {{ base_image }}\n{% for p in packages %}RUN install {{ p }}\n{% endfor %}\n")
    write(tmp_path, "Dockerfile", DOCKERFILE_TEXT)
    assert kinds(tmp_path) == {"Dockerfile": DOCKERFILE}
    report, stderr, code = check_json(["."], tmp_path)
    assert report["errors"] == [] and code == 1 and stderr == ""
    report, stderr, _ = check_json(["-v", "."], tmp_path)
    notes = [line for line in stderr.splitlines() if name in line]
    assert len(notes) == 1 and "template" in notes[0]
    _, stderr, code = check_json([name], tmp_path)  # named: said without -v
    assert code == 0 and name in stderr and "template" in stderr


@pytest.mark.parametrize("name", [".env.patch", ".env.orig", ".env.bak", ".env.rej", ".env.diff", ".env.swp",
                                  ".env.local~", ".env.production.bak", ".env.j2"])
def test_backups_patches_and_templates_are_no_env_files(tmp_path: Path, name: str) -> None:
    write(tmp_path, name, "API_KEY=sk_live_" + "a" * 24 + "\n")
    write(tmp_path, ".env", "DEBUG=0\n")
    assert kinds(tmp_path) == {".env": ENV_FILE}
    _, stderr, _ = check_json(["-v", "."], tmp_path)
    assert any(name in line for line in stderr.splitlines())


@pytest.mark.parametrize("name", [".env", ".env.local", ".env.production"])
def test_an_env_named_file_that_is_a_diff_or_binary_is_no_env_file(tmp_path: Path, name: str) -> None:
    write(tmp_path, name, DIFF)
    assert kinds(tmp_path) == {}
    (tmp_path / name).write_bytes(b"b0VIM 9.0\x00\x00\x00API_KEY=x\n")
    assert kinds(tmp_path) == {}
    write(tmp_path, name, "API_KEY=\nDEBUG=0\n")  # the same name with env content is an env file again
    assert kinds(tmp_path) == {name: ENV_FILE}
    (tmp_path / name).write_bytes("API_KEY=\nDEBUG=0\n".encode("utf-16"))  # UTF-16 text (with a BOM) too
    assert kinds(tmp_path) == {name: ENV_FILE}


def test_env_templates_are_example_files_unless_they_hold_template_tags(tmp_path: Path) -> None:
    write(tmp_path, ".env.template", "API_KEY=\nDEBUG=0\n")
    assert kinds(tmp_path) == {".env.template": ENV_FILE}
    write(tmp_path, ".env.template", "API_KEY={{ api_key }}\n{% if debug %}DEBUG=1{% endif %}\n")
    assert kinds(tmp_path) == {}


def test_an_ambiguous_dockerfile_name_holding_a_diff_is_no_dockerfile(tmp_path: Path) -> None:
    write(tmp_path, "Dockerfile.prod", "--- a/Dockerfile\n+++ b/Dockerfile\n@@ -1 +1 @@\n-FROM a\n+FROM b\n")
    skipped: list[Skipped] = []
    assert discover([tmp_path], base=tmp_path, skipped=skipped) == []
    assert [s.path for s in skipped] == ["Dockerfile.prod"] and not skipped[0].named


def test_passed_over_files_are_said_again_when_the_run_index_answers(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "repo"
    write(root, "Dockerfile.j2", "FROM {{ base }}\n")
    write(root, "Dockerfile", DOCKERFILE_TEXT)
    age(root)
    cache = str(tmp_path / "cache")
    first = invoke(["check", "-v", "--cache-dir", cache, "."], root).stderr
    forbid_scanning(monkeypatch)
    second = invoke(["check", "-v", "--cache-dir", cache, "."], root).stderr
    assert "Dockerfile.j2" in first and first == second


def test_a_path_with_control_characters_is_said_without_them(tmp_path: Path) -> None:
    name = "Dockerfile.\x1b[31m.j2"
    write(tmp_path, name, "FROM {{ base }}\n")
    _, stderr, _ = check_json([name], tmp_path)
    assert "\x1b" not in stderr and "template" in stderr


def test_every_kind_discovery_names_has_a_loader() -> None:
    from readycheck.loaders import LOADER_MODULES, loader_for

    fixtures = Path(__file__).resolve().parent.parent / "fixtures"
    found = {t.kind for t in discover([fixtures], base=fixtures)}
    assert found >= {"dockerfile", "workflow", "action", "helm", "kubernetes", "compose", "env-schema", "env-file",
                     "secret-file"}, "the fixtures no longer hold a file of every kind"
    assert found <= set(LOADER_MODULES)
    assert all(callable(loader_for(kind)) for kind in LOADER_MODULES)


def test_a_dockerfile_named_file_that_begins_with_template_tags_is_a_template(tmp_path: Path) -> None:
    """The official images keep `Dockerfile.oracle` as a jq template (`{{ def ...`): no Dockerfile begins so."""
    write(tmp_path, "Dockerfile.oracle", "{{\n  def dnf: \"microdnf\";\n}}\nFROM oraclelinux:9-slim\n")
    write(tmp_path, "Dockerfile.alpine", "# syntax=docker/dockerfile:1\nFROM alpine:3.20\nRUN echo '{{ not a tag }}'\n")
    assert kinds(tmp_path) == {"Dockerfile.alpine": DOCKERFILE}
    _, stderr, _ = check_json(["-v", "."], tmp_path)
    assert any("Dockerfile.oracle" in line and "template" in line for line in stderr.splitlines())
