"""`docker buildx bake` files and `docker/metadata-action` outputs as build links of the service map.

A bake target links its Dockerfile (context relative to where bake runs, dockerfile relative to the context) to
the images it tags; a workflow step running bake is a pipeline build of the targets it selects; a
build-push-action step tagging with a metadata-action step's output builds that step's literal image names with a
tag nobody knows before the run, so no rule compares it with a deployed tag. Bake files are map input only.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from readycheck.discover import discover
from readycheck.hcl import UNKNOWN, parse
from readycheck.textio import LoadError

from .clirun import invoke, write
from .conftest import FIXTURES

BAKE_REPO = FIXTURES / "bake-repo"


def services(root: Path, *args: str) -> dict[str, dict[str, Any]]:
    done = invoke(["services", "--format", "json", "--no-cache", *args], root)
    assert done.code == 0, done.stderr
    return {s["name"]: s for s in json.loads(done.stdout)["services"]}


def check(root: Path, *args: str) -> tuple[dict[str, Any], str, int]:
    done = invoke(["check", "--format", "json", *args], root)
    return json.loads(done.stdout), done.stderr, done.code


def copy_repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(BAKE_REPO, root)
    return root


def test_each_bake_target_links_the_dockerfile_it_builds_to_the_images_it_tags() -> None:
    found = services(BAKE_REPO)
    api, web = found["api"], found["web"]
    assert api["dockerfiles"] == [{"path": "services/api/Dockerfile", "target": "runtime"}]
    assert api["images"] == ["ghcr.io/acme/api"], "the tag naming an undefined variable's value links nothing"
    bake_links = [link for link in api["links"] if link["how"] == "bake target"]
    assert bake_links and all(link["path"] == "docker-bake.hcl" for link in bake_links)
    line = bake_links[0]["line"]
    assert (BAKE_REPO / "docker-bake.hcl").read_text().splitlines()[line - 1].startswith('target "api"')
    # no `dockerfile` attribute: the context's Dockerfile; the override file's tags replace the main file's
    assert web["dockerfiles"] == [{"path": "services/web/Dockerfile", "target": None}]
    assert [m["path"] for m in web["manifests"]] == ["deploy/app.yaml"]
    assert {(p["image"], p["tag"], p["push"]) for p in web["pipelines"]} == {("ghcr.io/acme/web", "1.4.1", True)}


def test_a_tag_made_by_a_variable_is_not_known_and_no_deployed_tag_is_compared_with_it() -> None:
    api = services(BAKE_REPO)["api"]
    [pipeline] = api["pipelines"]
    assert pipeline["path"] == ".github/workflows/release.yml" and pipeline["push"] is True
    assert "$" in pipeline["tag"], "the variable's default is not what a pipeline pushes"
    report, _, _ = check(BAKE_REPO, "--no-cache", "--select", "service")
    assert report["findings"] == []


def test_a_literal_tag_a_bake_step_pushes_is_compared_with_the_deployed_one(tmp_path: Path) -> None:
    root = copy_repo(tmp_path)
    override = root / "docker-bake.override.json"
    override.write_text(override.read_text().replace("1.4.1", "1.5.0"))
    report, _, _ = check(root, "--no-cache", "--select", "SVC005")
    [finding] = report["findings"]
    assert finding["path"] == "deploy/app.yaml" and "1.5.0" in finding["message"]
    assert finding["related"][0]["path"] == ".github/workflows/release.yml"


def test_metadata_action_images_link_the_build_and_its_unknown_tag_keeps_svc005_silent(tmp_path: Path) -> None:
    worker = services(BAKE_REPO)["worker"]
    assert worker["images"] == ["registry.example.com/acme/worker"], \
        "env resolved, a disabled entry and an unresolved github.repository left out"
    assert worker["dockerfiles"] == [{"path": "services/worker/Dockerfile", "target": None}]
    [pipeline] = worker["pipelines"]
    assert pipeline["push"] is True and "steps.meta.outputs" in pipeline["tag"]
    report, _, _ = check(BAKE_REPO, "--no-cache", "--select", "SVC005")
    assert report["findings"] == []
    # the same step with a literal tag: the deployed 3.1.0 is then compared, and found not pushed
    root = copy_repo(tmp_path)
    workflow = root / ".github/workflows/release.yml"
    workflow.write_text(workflow.read_text().replace("${{ steps.meta.outputs.tags }}",
                                                     "registry.example.com/acme/worker:3.2.0"))
    report, _, _ = check(root, "--no-cache", "--select", "SVC005")
    assert [f["path"] for f in report["findings"]] == ["deploy/app.yaml"]


def test_a_bake_file_a_workflow_names_is_resolved_from_where_the_step_runs(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    write(root, "build/docker-bake.hcl", 'target "api" {\n  context = "src/api"\n  tags = ["ghcr.io/acme/api:9"]\n}\n')
    write(root, "src/api/Dockerfile", "FROM alpine:3.20\nUSER 1000\n")
    write(root, "build/src/api/Dockerfile", "FROM alpine:3.20\n")
    write(root, ".github/workflows/ci.yml", "on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n"
          "      - run: docker buildx bake -f build/docker-bake.hcl --push api\n")
    found = services(root)
    [api] = [s for s in found.values() if "ghcr.io/acme/api" in s["images"]]
    assert [d["path"] for d in api["dockerfiles"]] == ["src/api/Dockerfile"], "context is relative to where bake runs"
    assert [(p["tag"], p["push"]) for p in api["pipelines"]] == [("9", True)]


def test_a_bake_file_is_map_input_not_a_checked_file(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    write(root, "docker-bake.hcl", 'target "x" {\n  tags = ["acme/x:1"]\n}\n')
    report, stderr, code = check(root, "--no-cache", ".")
    assert report["summary"]["files"] == 0 and code == 0
    assert "nothing was checked" in stderr
    write(root, "Dockerfile", "FROM alpine:3.20\nUSER 1000\n")
    report, _, _ = check(root, "--no-cache", ".")
    assert report["summary"]["files"] == 1
    assert not any(f["path"] == "docker-bake.hcl" for f in report["findings"])


def test_a_broken_bake_file_is_an_error_with_its_line_and_the_scan_goes_on(tmp_path: Path) -> None:
    root = copy_repo(tmp_path)
    write(root, "docker-bake.override.hcl", 'target "api" {\n  tags = ["ghcr.io/acme/api:1"\n')
    report, _, code = check(root, "--no-cache", "--select", "service")
    assert code == 2
    [error] = report["errors"]
    assert error["path"] == "docker-bake.override.hcl" and error["line"] == 2
    done = invoke(["services", "--format", "json", "--no-cache"], root)
    assert done.code == 2 and "docker-bake.override.hcl:2" in done.stderr
    web = [s for s in json.loads(done.stdout)["services"] if s["name"] == "web"]
    assert web and web[0]["dockerfiles"], "the other files still link"
    # a scan that wants no service map does not read it
    report, _, code = check(root, "--no-cache", "--select", "DF101")
    assert report["errors"] == []


def test_variable_values_reach_neither_the_map_nor_the_cache(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    token = "npm_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
    write(root, "docker-bake.hcl", f'variable "NPM_TOKEN" {{\n  default = "{token}"\n}}\n'
          'target "api" {\n  args = { NPM_TOKEN = NPM_TOKEN }\n  tags = ["acme/api:1"]\n}\n')
    write(root, "Dockerfile", "FROM alpine:3.20\nUSER 1000\n")
    # a step's env reaches the facts only as values that could name an image, never a credential
    write(root, ".github/workflows/ci.yml", "on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n"
          f"      - run: docker buildx bake --push api\n        env:\n          NPM_TOKEN: {token}\n"
          f"          MIRROR: {token}\n          REGISTRY_PASSWORD: hunter2hunter2\n")
    cache = tmp_path / "cache"
    done = invoke(["services", "--format", "json", "--cache-dir", str(cache), "."], root)
    assert done.code == 0 and "docker.io/acme/api" in done.stdout
    assert token not in done.stdout
    for secret in (token, "hunter2hunter2"):
        assert not any(secret.encode() in p.read_bytes() for p in cache.rglob("*") if p.is_file())


def test_a_scan_for_secrets_only_searches_a_bake_file_as_text(tmp_path: Path) -> None:
    write(tmp_path, "docker-bake.hcl", 'target "x" {}\n')
    assert {t.kind for t in discover([tmp_path], base=tmp_path)} == {"bake"}
    assert {t.kind for t in discover([tmp_path], base=tmp_path, text_files=True)} == {"secret-file"}
    assert {t.kind for t in discover([tmp_path / "docker-bake.hcl"], base=tmp_path, text_files=True)} == {"secret-file"}


def test_the_hcl_reader_keeps_literals_and_skips_what_it_does_not_evaluate() -> None:
    root = parse('# c\n// c\n/* a\n b */\nx = 1\ny = [true, null, 2.5, "a${b}c",]\n'
                 'z = { k = "v", "q": w }\nf = upper("a")\ncond = a == "" ? "b" : "c"\n'
                 'h = <<EOT\n}\n]\nEOT\nl = [for v in ["a"] : v]\nblock "one" two {\n  inner = "x" # c\n}\n')
    values = {k: v for k, (v, _) in root.attributes.items()}
    assert values["x"] == 1 and values["y"] == [True, None, 2.5, "a${b}c"]
    assert values["z"] == {"k": "v", "q": "${w}"}
    assert values["f"] is UNKNOWN and values["cond"] is UNKNOWN and values["h"] is UNKNOWN and values["l"] is UNKNOWN
    [block] = root.blocks
    assert (block.type, block.labels, block.line, block.attributes["inner"]) == ("block", ["one", "two"], 15, ("x", 16))


@pytest.mark.parametrize(("text", "line"), [
    ('target "a" {\n  x = 1\n', 1),
    ('x = 1\ny = "abc\n', 2),
    ('x = [\n1,\n2\n', 1),
    ('x = 1\n}\n', 2),
    ('x = 1\n@\n', 2),
    ('x = f(a))\n', 1),
    ('x = <<EOT\nabc\n', 1),
    ('/* never closed\n', 1),
])
def test_text_that_is_not_hcl_is_a_load_error_with_its_line(text: str, line: int) -> None:
    with pytest.raises(LoadError) as error:
        parse(text)
    assert error.value.line == line


def test_a_step_whose_env_sets_a_variable_of_the_image_name_builds_with_that_value(tmp_path: Path) -> None:
    """bake takes a variable from the environment before its default: a step setting REGISTRY pushes elsewhere;
    set by an expression, the name is not known and the step builds no known image."""
    root = copy_repo(tmp_path)
    workflow = root / ".github/workflows/release.yml"
    original = workflow.read_text()
    for value, expected in (("docker.io/other", ["docker.io/other/api"]), ("${{ vars.REGISTRY }}", [])):
        workflow.write_text(original.replace("        with:\n          push: true\n",
                                             f"        env:\n          REGISTRY: {value}\n"
                                             "        with:\n          push: true\n", 1))
        found = services(root)
        api = next(s for s in found.values() if any(d["path"] == "services/api/Dockerfile" for d in s["dockerfiles"]))
        assert [p["image"] for p in api["pipelines"]] == expected
        assert all("$" in p["tag"] for p in api["pipelines"]), "the tag still comes from a variable"
        assert any(link["how"] == "bake target" for link in api["links"]), "the file's own link stays"
        assert [p["tag"] for p in found["web"]["pipelines"]] == ["1.4.1"], "a literal name is the step's too"


def test_a_metadata_action_bake_file_tags_the_targets_that_inherit_its_target(tmp_path: Path) -> None:
    """docker/bake-action with `files: [docker-bake.hcl, cwd://${{ steps.meta.outputs.bake-file }}]`: the targets
    inheriting `docker-metadata-action` are built as the meta step's images, with a tag only the run knows."""
    root = tmp_path / "repo"
    write(root, "docker-bake.hcl", 'target "docker-metadata-action" {}\n\ntarget "api" {\n'
          '  inherits = ["docker-metadata-action"]\n  context = "api"\n}\n\n'
          'target "tool" {\n  context = "tool"\n  tags = ["acme/tool:1"]\n}\n')
    write(root, "api/Dockerfile", "FROM alpine:3.20\nUSER 1000\n")
    write(root, "tool/Dockerfile", "FROM alpine:3.20\nUSER 1000\n")
    write(root, "deploy.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: api\nspec:\n  containers:\n"
          "    - name: api\n      image: ghcr.io/acme/api:1.2.3\n")
    write(root, ".github/workflows/ci.yml", "on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n"
          "      - id: meta\n        uses: docker/metadata-action@v5\n        with:\n          images: ghcr.io/acme/api\n"
          "      - uses: docker/bake-action@v6\n        with:\n          files: |\n            ./docker-bake.hcl\n"
          "            cwd://${{ steps.meta.outputs.bake-file }}\n          targets: api\n          push: true\n")
    found = services(root)
    [api] = [s for s in found.values() if "ghcr.io/acme/api" in s["images"]]
    assert [d["path"] for d in api["dockerfiles"]] == ["api/Dockerfile"]
    assert [m["path"] for m in api["manifests"]] == ["deploy.yaml"]
    [pipeline] = api["pipelines"]
    assert pipeline["push"] is True and "steps.meta.outputs" in pipeline["tag"]
    assert {link["how"] for link in api["links"]} == {"pipeline build", "image"}, "the step made it, not the file"
    [tool] = [s for s in found.values() if "docker.io/acme/tool" in s["images"]]
    assert tool["pipelines"] == [], "a target the step does not build"
    report, _, _ = check(root, "--no-cache", "--select", "SVC005")
    assert report["findings"] == []


def test_odd_bake_files_are_errors_with_lines_or_read_as_far_as_they_go(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    write(root, "docker-bake.hcl", "x = " + "[" * 3000 + "]" * 3000 + "\n")
    write(root, "docker-bake.override.json", '{"target": {"a": {"tags": "x", "inherits": 3, "context": [1]}, "b": 5},'
          ' "variable": [], "group": {"default": {"targets": "a"}}}')
    write(root, "docker-bake.prod.json", "[1, 2]")
    write(root, "Dockerfile", "FROM alpine:3.20\nUSER 1000\n")
    done = invoke(["services", "--format", "json", "--no-cache"], root)
    assert done.code == 2 and "Traceback" not in done.stderr
    said = {line.split(":")[1] for line in done.stderr.splitlines() if line.startswith("readycheck: docker-bake")}
    assert said == {" docker-bake.hcl", " docker-bake.prod.json"}
    assert [s["dockerfiles"] for s in json.loads(done.stdout)["services"]] == [[{"path": "Dockerfile", "target": None}]]


def test_a_deployed_tag_finding_names_the_bake_file_that_writes_the_tag_and_a_file_list_of_it_shows_it(
        tmp_path: Path) -> None:
    """Three ends: the manifest deploys, the workflow step pushes, the bake file writes the tag. A pre-commit run
    given only the bake file still shows the finding."""
    root = copy_repo(tmp_path)
    override = root / "docker-bake.override.json"
    override.write_text(override.read_text().replace("1.4.1", "1.5.0"))
    report, _, _ = check(root, "--no-cache", "--select", "SVC005")
    [finding] = report["findings"]
    assert [r["path"] for r in finding["related"]] == [".github/workflows/release.yml", "docker-bake.override.json"]
    listed, _, _ = check(root, "--no-cache", "--select", "SVC005", "--service-scope", ".", "docker-bake.override.json")
    assert [f["path"] for f in listed["findings"]] == ["deploy/app.yaml"]
