"""One loader per artifact kind. A loader turns a Target into Documents.

Each loader module exposes `load(target, context) -> list[Document]` and
raises `LoadError` (with a line where there is one) for input it cannot read.
Kinds whose loader does not exist yet are discovered and skipped quietly.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
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


_cache: dict[str, ModuleType | None] = {}


def loader_for(kind: str) -> Callable[[Target, LoadContext], list[Document]] | None:
    name = LOADER_MODULES.get(kind)
    if name is None:
        return None
    if name not in _cache:
        try:
            _cache[name] = importlib.import_module(f"readycheck.loaders.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"readycheck.loaders.{name}":
                raise
            _cache[name] = None
    module = _cache[name]
    return getattr(module, "load", None) if module is not None else None
