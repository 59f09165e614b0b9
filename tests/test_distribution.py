"""readycheck as users install it: the wheel under its distribution name, and the container image definition.

The wheel is built offline (hatchling, no build isolation) and installed with `--no-index` into a venv that
borrows this environment's dependencies, so the test needs no network; the image is not built (no Docker
daemon or base image here), but its definition passes readycheck's own checks and its build context holds
every file it copies.
"""

from __future__ import annotations

import email
import os
import re
import subprocess
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DISTRIBUTION = "readycheck-cli"


@pytest.fixture(scope="module")
def wheel(wheel_dir: Path) -> Path:
    [built] = wheel_dir.glob("*.whl")
    return built


def test_the_wheel_carries_the_distribution_name_the_command_and_the_rules(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        [metadata] = [n for n in names if n.endswith(".dist-info/METADATA")]
        [entry_points] = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
        fields = email.message_from_string(archive.read(metadata).decode())
        scripts = archive.read(entry_points).decode()
    assert fields["Name"] == DISTRIBUTION
    assert re.search(r"^readycheck\s*=\s*readycheck\.cli:main$", scripts, re.M)
    rules_in_wheel = [n for n in names if n.startswith("readycheck/_catalog/") and n.endswith(".yaml")]
    assert len(rules_in_wheel) == len(list((REPO / "rules").rglob("*.yaml")))
    assert "readycheck/config.schema.json" in names  # the config loader reads it from the package


def test_the_installed_command_checks_the_sample_repository(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    # the dependencies come from this environment (a path appended after the venv's own site-packages, so the
    # readycheck imported is the wheel's, not this checkout's)
    site_packages = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                   capture_output=True, text=True, check=True).stdout.strip()
    borrowed = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (Path(site_packages) / "borrowed.pth").write_text("\n".join(sorted(borrowed)) + "\n")
    subprocess.run([python, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", str(wheel)], check=True,
                   capture_output=True)
    shown = subprocess.run([python, "-m", "pip", "show", DISTRIBUTION], capture_output=True, text=True, check=True)
    assert f"Name: {DISTRIBUTION}" in shown.stdout
    run = subprocess.run([env_dir / "bin" / "readycheck", "check", "--no-cache", "--format", "json",
                          str(REPO / "fixtures" / "sample-repo")], capture_output=True, text=True,
                         cwd=tmp_path, env={**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")})
    assert run.returncode == 1, run.stderr  # the sample repository has problems on purpose
    assert '"findings"' in run.stdout
    where = subprocess.run([python, "-c", "import readycheck; print(readycheck.__file__)"], capture_output=True,
                           text=True, check=True, cwd=tmp_path).stdout
    assert str(env_dir) in where, "the installed wheel, not the checkout, was run"


def test_the_image_definition_passes_readychecks_own_checks() -> None:
    from tests.clirun import invoke

    run = invoke(["check", "--no-cache", "--fail-on", "note", "docker/Dockerfile"], REPO)
    assert run.code == 0, run.stdout + run.stderr


def test_the_image_build_context_holds_every_file_the_dockerfile_copies() -> None:
    dockerfile = (REPO / "docker" / "Dockerfile").read_text()
    kept = [line[1:].rstrip("*/") for line in (REPO / "docker" / "Dockerfile.dockerignore").read_text().splitlines()
            if line.startswith("!")]
    sources = [word for line in dockerfile.splitlines() if line.startswith("COPY ") and "--from=" not in line
               for word in line.split()[1:-1]]
    assert sources, "the Dockerfile copies nothing from the context"
    for source in sources:
        assert (REPO / source).exists(), f"{source} is not in the build context"
        assert source.rstrip("/") in kept, f"{source} is excluded by docker/Dockerfile.dockerignore"
