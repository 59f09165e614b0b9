"""One loader per artifact kind. A loader turns a Target into Documents.

Each loader module exposes `load(target, context) -> list[Document]` and
raises `LoadError` (with a line where there is one) for input it cannot read.
Every kind discovery names has one (tests/test_discovery_kinds.py).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from readycheck.discover import Target, named_file_root, shown_path
from readycheck.model import Document, ScanError
from readycheck.textio import LoadError, never_cached

LOADER_MODULES = {
    "dockerfile": "dockerfile",
    "workflow": "workflow",
    "action": "workflow",
    "kubernetes": "kubernetes",
    "helm": "helm",
    "compose": "compose",
    "env-schema": "env",
    "env-file": "env",
    "secret-file": "secret_file",
    "bake": "bake",
}


@dataclass
class LoadContext:
    """What loaders need besides the file: where paths are relative to, and user options."""

    base: Path
    max_bytes: int = 20 * 1024 * 1024
    dockerfile_target: str | None = None
    options: dict[str, Any] = field(default_factory=dict)
    extra_errors: list[ScanError] = field(default_factory=list)
    _relpaths: dict[Path, str] = field(default_factory=dict, repr=False)

    def root_of(self, target: Target) -> Path:
        """The scanned root no file read for `target` may leave (see Target.root): pass it to every read."""
        return target.root or named_file_root(target.path, self.base.resolve())

    def unreadable(self, path: Path, error: LoadError) -> None:
        """A file read beside a target (an ignore file, a chart's values) that could not be read: an error
        entry at its own path, and the target is loaded without it."""
        self.extra_errors.append(ScanError(shown_path(path, self.base), error.line, error.message,
                                           never_cached(error.message)))

    def relpath(self, path: Path) -> str:
        """Path as reported: relative to where readycheck started, with `/` separators (resolved once per path)."""
        known = self._relpaths.get(path)
        if known is None:
            known = self._relpaths[path] = self._relpath(path)
        return known

    def _relpath(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.base).as_posix()
        except ValueError:
            try:
                return path.absolute().relative_to(self.base).as_posix()
            except ValueError:
                return path.as_posix()


Loader = Callable[[Target, LoadContext], list[Document]]
_loaders: dict[str, Loader] = {}


def loader_for(kind: str) -> Loader:
    """The `load` function of a kind's loader module, imported when first asked for (a one-file run imports one)."""
    loader = _loaders.get(kind)
    if loader is None:
        module = importlib.import_module(f"readycheck.loaders.{LOADER_MODULES[kind]}")
        loader = _loaders[kind] = module.load
    return loader
