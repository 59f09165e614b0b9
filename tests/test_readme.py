"""The README is true: every command it shows runs as written, and every number it states is the catalog's.

The commands are read from the README itself: every line of its ```sh blocks, and the `run:` / `script:`
lines of its YAML examples (the GitLab job, the sharded workflow). Each runs in a temporary copy of a
small tree (the repository as cloned, or the sample repository), with a Python that can reach no network.
Only what cannot run offline is substituted, and each substitution says why (SUBSTITUTIONS); a command
that cannot run at all is listed with its reason (NOT_RUN). A README command that fits neither is a
failure, so a new example cannot go untested.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
import venv
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
README = REPO / "README.md"
SAMPLE = REPO / "fixtures" / "sample-repo"
DISTRIBUTION = "readycheck-cli"


@dataclass(frozen=True)
class Substitution:
    pattern: str
    replacement: str
    why: str


SUBSTITUTIONS = (
    Substitution(r"\bpip install\b", "pip install --no-index --find-links {wheels} --no-build-isolation --no-deps "
                 "--ignore-installed",
                 "PyPI cannot be reached from the tests: `readycheck-cli` is found by that name among the wheels "
                 "built from this checkout, a source tree is built with the hatchling already here, and the "
                 "dependencies are this environment's (borrowed by the venv, see borrow_dependencies)"),
    Substitution(r"python3 -m venv \.venv", "python3 -m venv .venv && borrow_dependencies .venv",
                 "the new venv borrows this environment's dependencies, which it would otherwise download"),
    Substitution(r"python -m pytest$", "python -m pytest --collect-only -q -p no:cacheprovider",
                 "this is the suite itself: running it inside itself would recurse; collecting every test "
                 "proves the install gives the suite everything it imports"),
    Substitution(r"\$\{\{\s*matrix\.(\w+)\s*\}\}", "{matrix[\\1]}",
                 "GitHub expressions are evaluated by the runner: each matrix value in turn"),
)
NOT_RUN = {
    "docker ": "no Docker daemon or base image offline; tests/test_distribution.py checks docker/Dockerfile and "
               "its build context instead",
}


@dataclass(frozen=True)
class Command:
    line: int
    section: str
    text: str


def readme_blocks(language: str) -> list[tuple[int, str, str]]:
    """(first line number, section heading, text) of every fenced block in LANGUAGE."""
    blocks: list[tuple[int, str, str]] = []
    lines = README.read_text(encoding="utf-8").splitlines()
    section, i = "", 0
    while i < len(lines):
        if lines[i].startswith("#") and not lines[i].startswith("#!"):
            section = lines[i].lstrip("#").strip()
        if lines[i].startswith("```"):
            fence_language, start = lines[i][3:].strip(), i + 1
            i += 1
            while not lines[i].startswith("```"):
                i += 1
            if fence_language == language:
                blocks.append((start + 1, section, "\n".join(lines[start:i])))
        i += 1
    return blocks


def sh_commands() -> list[Command]:
    return [Command(line + n, section, text)
            for line, section, block in readme_blocks("sh")
            for n, text in enumerate(block.splitlines()) if text.strip()]


def yaml_examples() -> list[tuple[int, str, Any]]:
    return [(line, section, yaml.safe_load(text)) for line, section, text in readme_blocks("yaml")]


def not_run_reason(command: str) -> str | None:
    return next((why for prefix, why in NOT_RUN.items() if command.startswith(prefix)), None)


def substitute(command: str, **values: Any) -> str:
    def replace(match: re.Match[str], sub: Substitution) -> str:
        text = sub.replacement.replace("\\1", match.group(1)) if match.groups() else sub.replacement
        return text.format(**values)

    for sub in SUBSTITUTIONS:
        command = re.sub(sub.pattern, lambda m, s=sub: replace(m, s), command)  # type: ignore[misc]
    return command


# -- the environment the commands run in ------------------------------------------------------------------------

BORROW = """\
borrow_dependencies() {{
  "$1/bin/python" -c 'import sysconfig, sys; print(sysconfig.get_paths()["purelib"])' > "$1/.purelib"
  printf '%s\\n' {borrowed} > "$(cat "$1/.purelib")/borrowed.pth"
}}
"""


@pytest.fixture(scope="module")
def wheels(wheel_dir: Path) -> Path:
    return wheel_dir


@pytest.fixture(scope="module")
def shell_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """PATH starts with this Python as `python3`; the cache stays in the test's directory."""
    bin_dir = tmp_path_factory.mktemp("bin")
    for name in ("python3", "python"):
        (bin_dir / name).symlink_to(sys.executable)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "VIRTUAL_ENV", "PYTHON"))}
    env.pop("READYCHECK_SCAN_ID", None)
    env.update(PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
               XDG_CACHE_HOME=str(tmp_path_factory.mktemp("cache")), PIP_DISABLE_PIP_VERSION_CHECK="1",
               PIP_NO_INPUT="1")
    return env


def preamble() -> str:
    borrowed = sorted({sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]})
    return BORROW.format(borrowed=" ".join(f"'{p}'" for p in borrowed))


def sh(command: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", "-c", preamble() + command], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=600)


def fresh_python(where: Path, env: dict[str, str]) -> dict[str, str]:
    """A new venv that borrows this environment's dependencies, first in PATH: the CI image's Python."""
    venv.create(where, with_pip=True)
    sh(f"borrow_dependencies '{where}'", where, env).check_returncode()
    return {**env, "PATH": f"{where / 'bin'}{os.pathsep}{env['PATH']}"}


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory, wheels: Path, shell_env: dict[str, str]) -> dict[str, str]:
    """The environment of a user who ran `pip install readycheck-cli`."""
    env = fresh_python(tmp_path_factory.mktemp("venv"), shell_env)
    done = sh(substitute("pip install readycheck-cli", wheels=wheels), REPO, env)
    assert done.returncode == 0, done.stderr
    return env


def copy_tree(source: Path, target: Path) -> Path:
    shutil.copytree(source, target, symlinks=True)
    return target


def clone(target: Path) -> Path:
    """The repository's files as a clone has them (tracked, and new files not ignored)."""
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=REPO, capture_output=True,
                            check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = REPO / name
        if source.is_file() or source.is_symlink():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name, follow_symlinks=False)
    return target


def assert_ran(done: subprocess.CompletedProcess[str], command: str, codes: set[int]) -> None:
    assert done.returncode in codes, f"{command!r} exited {done.returncode}\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
    assert "Traceback" not in done.stderr, done.stderr


# -- every command is accounted for ----------------------------------------------------------------------------

RUN_BY_SECTION = {
    "Set-up": "test_the_set_up_commands_run_in_a_clone",
    "Usage": "test_the_usage_commands_run_on_the_sample_repository",
    "Shell completion and the Python API": "test_the_usage_commands_run_on_the_sample_repository",
    "Fixes: `--fix`, `--diff`, `--unsafe-fixes`": "test_the_usage_commands_run_on_the_sample_repository",
}


def test_every_sh_command_is_run_or_listed_with_why_not() -> None:
    commands = sh_commands()
    assert len(commands) >= 15, "the README's ```sh blocks were not found"
    unplanned = [c for c in commands if c.section not in RUN_BY_SECTION and not_run_reason(c.text) is None]
    assert not unplanned, f"README commands no test runs (add them to RUN_BY_SECTION or NOT_RUN): {unplanned}"
    not_run = [c for c in commands if not_run_reason(c.text)]
    assert all(c.section not in RUN_BY_SECTION for c in not_run)


def test_every_substitution_is_still_needed() -> None:
    texts = [c.text for c in sh_commands()]
    texts += [step for _, _, example in yaml_examples() for step in ci_lines(example)]
    for sub in SUBSTITUTIONS:
        assert any(re.search(sub.pattern, t) for t in texts), f"no README command needs {sub.pattern!r} any more"


def ci_lines(example: Any) -> list[str]:
    """The `run:` lines of a workflow's steps and the `script:` lines of GitLab jobs."""
    found: list[str] = []
    if not isinstance(example, dict):
        return found
    for job in (example.get("jobs") or example).values():
        if isinstance(job, dict):
            found += [str(s["run"]) for s in job.get("steps") or [] if isinstance(s, dict) and "run" in s]
            found += [str(s) for s in job.get("script") or []]
    return found


# -- the ```sh blocks ------------------------------------------------------------------------------------------

def test_the_set_up_commands_run_in_a_clone(tmp_path: Path, wheels: Path, shell_env: dict[str, str]) -> None:
    pytest.importorskip("editables", reason="the test extra installs what hatchling's editable build needs offline")
    work = clone(tmp_path / "readycheck")
    commands = [c for c in sh_commands() if c.section == "Set-up"]
    assert len(commands) == 2
    first, second = commands
    done = sh(substitute(first.text, wheels=wheels), work, shell_env)
    assert_ran(done, first.text, {1})  # "it has problems on purpose, so this exits 1"
    assert "readycheck" in done.stdout and "sample-repo" in done.stdout
    where = sh(". .venv/bin/activate && cd .venv && python -c 'import readycheck; print(readycheck.__file__)'", work,
               shell_env)  # from outside the source tree, which would shadow what was installed
    assert str(work / ".venv") in where.stdout, "`pip install .` did not install into the new venv"
    done = sh(substitute(second.text, wheels=wheels), work, shell_env)
    assert_ran(done, second.text, {0})
    collected = sum(int(n) for n in re.findall(r"^tests/\S+\.py: (\d+)$", done.stdout, re.M))
    assert collected > 1000, done.stdout[-500:]


def expected_codes(command: str) -> set[int]:
    """What the README says each command exits with: `check` 0 or 1 (findings), the others 0."""
    return {0, 1} if re.match(r"readycheck check\b", command) else {0}


def test_the_usage_commands_run_on_the_sample_repository(tmp_path: Path, installed: dict[str, str]) -> None:
    work = copy_tree(SAMPLE, tmp_path / "service")
    commands = [c for c in sh_commands() if c.section in RUN_BY_SECTION and c.section != "Set-up"]
    assert any("baseline" in c.text for c in commands)
    for command in commands:
        done = sh(command.text, work, installed)
        assert_ran(done, command.text, expected_codes(command.text))
        for written in re.findall(r"(?:-o|--output)\s+(\S+)", command.text.split("#")[0]):
            assert (work / written).stat().st_size > 0, f"{command.text!r} wrote no {written}"
        if command.text.startswith("readycheck baseline"):
            assert (work / ".readycheck-baseline.json").is_file()
        if command.text.startswith("eval "):
            completes = sh(command.text.split("#")[0] + " && complete -p readycheck", work, installed)
            assert "readycheck" in completes.stdout, completes.stderr


def test_the_commands_not_run_are_only_the_listed_ones() -> None:
    skipped = [c.text for c in sh_commands() if not_run_reason(c.text)]
    assert skipped == [c for c in skipped if c.startswith("docker ")]
    assert len(skipped) == 2, skipped


# -- the CI examples: GitLab's script, the sharded workflow ----------------------------------------------------

def example_where(test: str) -> Any:
    found = [e for _, _, e in yaml_examples() if isinstance(e, dict) and eval(test, {}, {"e": e})]  # noqa: S307
    assert len(found) == 1, f"expected one README example where {test}"
    return found[0]


def test_the_gitlab_job_runs_as_written(tmp_path: Path, wheels: Path, shell_env: dict[str, str]) -> None:
    job = example_where("any('script' in j for j in e.values() if isinstance(j, dict))")
    [spec] = [j for j in job.values() if isinstance(j, dict) and "script" in j]
    assert spec["image"].startswith("python:")
    env = fresh_python(tmp_path / "image", shell_env)
    work = copy_tree(SAMPLE, tmp_path / "project")
    failed = False
    for line in spec["script"]:
        done = sh(substitute(line, wheels=wheels), work, env)
        assert_ran(done, line, expected_codes(line))
        failed = failed or done.returncode != 0
    assert failed, "the sample repository has errors: the job fails on them"
    for artifact in spec["artifacts"]["paths"]:
        assert (work / artifact).stat().st_size > 0, f"the job wrote no {artifact}"


def run_workflow(workflow: dict[str, Any], tmp_path: Path, env: dict[str, str], wheels: Path) -> dict[str, Path]:
    """Run the jobs' `run:` steps in order (jobs by `needs`, each matrix value in turn), as a runner would.

    Only the steps an offline runner can stand in for are known: checkout (a copy of the sample
    repository), upload-artifact and download-artifact with merge-multiple (a folder per artifact).
    """
    artifacts: dict[str, Path] = {}
    workspaces: dict[str, Path] = {}
    done_jobs: list[str] = []
    pending = dict(workflow["jobs"])
    while pending:
        name, job = next((n, j) for n, j in pending.items() if set(_needs(j)) <= set(done_jobs))
        del pending[name]
        matrix = (job.get("strategy") or {}).get("matrix") or {}
        assert len(matrix) <= 1, "one matrix dimension is all the README shows"
        combos = [{k: v} for k, values in matrix.items() for v in values] or [{}]
        for combo in combos:
            workspace = tmp_path / "-".join([name, *map(str, combo.values())])
            workspace.mkdir(parents=True)
            workspaces[workspace.name] = workspace
            for step in job["steps"]:
                uses = str(step.get("uses", ""))
                with_ = {k: substitute(str(v), wheels=wheels, matrix=combo) for k, v in (step.get("with") or {}).items()}
                if uses.startswith("actions/checkout@"):
                    shutil.copytree(SAMPLE, workspace, symlinks=True, dirs_exist_ok=True)
                elif uses.startswith("actions/upload-artifact@"):
                    artifacts[with_["name"]] = workspace / with_["path"]
                elif uses.startswith("actions/download-artifact@"):
                    assert with_.get("merge-multiple") == "True"
                    for path in artifacts.values():
                        shutil.copy2(path, workspace / path.name)
                elif "run" in step:
                    command = substitute(str(step["run"]), wheels=wheels, matrix=combo)
                    assert_ran(sh(command, workspace, env), command, {0})
                else:
                    raise AssertionError(f"no offline stand-in for the step {step}")
        done_jobs.append(name)
    return workspaces


def _needs(job: dict[str, Any]) -> list[str]:
    needs = job.get("needs") or []
    return [needs] if isinstance(needs, str) else list(needs)


def test_the_sharded_workflow_runs_as_written_and_merges_to_the_whole_scan(
        tmp_path: Path, wheels: Path, shell_env: dict[str, str]) -> None:
    import json

    workflow = example_where("any('matrix' in (j.get('strategy') or {}) for j in (e.get('jobs') or {}).values())")
    env = fresh_python(tmp_path / "image", shell_env)
    workspaces = run_workflow(workflow, tmp_path / "runner", env, wheels)
    [report] = [w for name, w in workspaces.items() if name.startswith("report")]
    merged = json.loads((report / "readycheck.json").read_text())
    whole = sh("readycheck check --format json --fail-on never .", copy_tree(SAMPLE, tmp_path / "whole"), env)
    unsharded = json.loads(whole.stdout)
    assert merged["findings"] == unsharded["findings"]
    assert merged["findings"], "the sample repository has findings"
    assert len([w for w in workspaces if w.startswith("readycheck-")]) == 4


# -- the other YAML examples: the Action's inputs, the pre-commit hooks, the config -----------------------------

def test_the_action_example_uses_only_the_actions_inputs_and_outputs() -> None:
    action = yaml.safe_load((REPO / "action.yml").read_text())
    workflow = example_where("any(str(s.get('uses', '')).startswith('readycheck/readycheck@') "
                             "for j in (e.get('jobs') or {}).values() for s in j.get('steps', []))")
    [step] = [s for j in workflow["jobs"].values() for s in j["steps"]
              if str(s.get("uses", "")).startswith("readycheck/readycheck@")]
    assert set(step["with"]) <= set(action["inputs"]), set(step["with"]) - set(action["inputs"])
    text = README.read_text(encoding="utf-8")
    said = text[text.index("The Action's outputs:"):].split("\n\n")[0]
    named = set(re.findall(r"`([a-z-]+)`", said)) - {"ready", "not-ready", "not-checked"}
    assert named and named <= set(action["outputs"]), named - set(action["outputs"])


def test_the_pre_commit_example_names_the_shipped_hooks() -> None:
    hooks = {h["id"] for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
    example = example_where("'repos' in e")
    text = README.read_text(encoding="utf-8")
    block = text[text.index("repos:"):].split("```")[0]
    named = {h["id"] for r in example["repos"] for h in r["hooks"]} | set(re.findall(r"- id: ([\w-]+)", block))
    assert named == hooks


def test_the_config_example_loads(tmp_path: Path) -> None:
    from readycheck.config import load_config

    [(line, _, example)] = [(n, s, e) for n, s, e in yaml_examples() if isinstance(e, dict) and "per-path-ignores" in e]
    (tmp_path / ".readycheck.yaml").write_text(yaml.safe_dump(example))
    config = load_config(None, tmp_path)
    assert config.select == example["select"] and config.fail_on == example["fail-on"]


# -- numbers ---------------------------------------------------------------------------------------------------

NUMBER_WORDS = {w: n for n, w in enumerate(re.split(
    " ", "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty twenty-one twenty-two twenty-three twenty-four twenty-five"))}


def test_the_rule_counts_are_the_catalogs() -> None:
    from readycheck.catalog import load_catalog
    from readycheck.model import CHECKLISTS
    from readycheck.targets import TARGETS

    rules = load_catalog().rules
    text = README.read_text(encoding="utf-8")
    total = re.search(r"^(\d+) rules, each in one file", text, re.M)
    assert total and int(total.group(1)) == len(rules)
    by_prefix = Counter(r.id[:-3] for r in rules)  # the kind prefix: DF101 -> DF, K8S101 -> K8S
    stated = {prefix: int(n) for prefix, n in re.findall(r"\| ([A-Z0-9]+): (\d+)", text)}
    assert stated == dict(by_prefix)
    checklists = re.search(r"grouped into the ([a-z-]+) checklists", text)
    assert checklists and NUMBER_WORDS[checklists.group(1)] == len(CHECKLISTS)
    targets = re.search(r"lists the\s+([a-z-]+) targets", text)
    assert targets and NUMBER_WORDS[targets.group(1)] == sum(len(t) for t in TARGETS.values())


def test_ci_runs_exactly_the_readmes_test_command() -> None:
    """`.ci/run` proves what the README promises: its first command is the README's test command, word for word."""
    readme = (REPO / "README.md").read_text()
    promised = [line for line in readme.splitlines() if line.startswith("python3 -m venv") and "pytest" in line]
    assert len(promised) == 1
    ci = [line for line in (REPO / ".ci" / "run").read_text().splitlines() if line and not line.startswith("#")]
    assert promised[0] in ci
