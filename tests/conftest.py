"""Shared test helpers: the repository layout and a scan runner."""

from __future__ import annotations

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
