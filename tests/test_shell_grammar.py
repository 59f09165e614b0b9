"""The bash grammar comes from tree-sitter-bash's binding, loaded without the package's __init__.

The ordinary import stays the fallback for installs where the binding cannot be found on sys.path.
"""

from __future__ import annotations

from importlib.machinery import PathFinder
from typing import Any

import pytest
import tree_sitter
import tree_sitter_bash

from readycheck import shell


def test_the_binding_loaded_directly_is_the_packages_grammar() -> None:
    direct = tree_sitter.Language(shell._bash_language())
    assert direct == tree_sitter.Language(tree_sitter_bash.language())
    assert direct.name == "bash"


def test_without_a_findable_binding_the_package_import_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    find_spec = PathFinder.find_spec

    def nothing_for_the_grammar(name: str, path: Any = None, target: Any = None) -> Any:
        return None if name.startswith("tree_sitter_bash") else find_spec(name, path, target)

    monkeypatch.setattr(PathFinder, "find_spec", nothing_for_the_grammar)
    monkeypatch.setattr(shell, "_parser", None)
    script = shell.parse_script("apt-get update && apt-get install -y curl | tee log")
    assert [(c.name, c.pipeline, c.position) for c in script.commands] == [("apt-get", 0, 0), ("apt-get", 1, 0), ("tee", 1, 1)]
