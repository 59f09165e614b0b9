"""Shared test helpers: the repository layout and a scan runner."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from readycheck.catalog import Catalog, load_catalog

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"
SHARED = REPO.parent / "shared"


@pytest.fixture(autouse=True, scope="session")
def private_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Tests never share the user's result cache."""
    import os

    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("xdg-cache"))


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog()


def shared_or_skip(relative: str) -> Path:
    """A file under ../shared, or skip the test saying why (CI has it; a bare checkout may not)."""
    path = SHARED / relative
    if not path.exists():
        pytest.skip(f"../shared/{relative} is not beside this checkout; this test needs it")
    return path


@pytest.fixture(scope="session")
def wheel_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's wheel, built once per session offline (hatchling, no build isolation), as users install it."""
    pytest.importorskip("hatchling", reason="the test extra installs hatchling to build the wheel offline")
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "hatchling", "build", "--target", "wheel", "--directory", str(out)],
                   cwd=REPO, check=True, capture_output=True)
    return out
