"""Walk the paths given on the command line and name each file's kind.

The kinds and their file names are fixed by CONTRACT.md ("Which files are
which"). Only a `*.yaml`/`*.json` that is not otherwise named is opened, and
only far enough to see `apiVersion` and `kind` (a Kubernetes manifest).
"""

from __future__ import annotations

import fnmatch
import os
import re
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from readycheck.textio import note_listing, note_read

DOCKERFILE = "dockerfile"
WORKFLOW = "workflow"
ACTION = "action"
HELM_CHART = "helm"
KUBERNETES = "kubernetes"
COMPOSE = "compose"
ENV_SCHEMA = "env-schema"
ENV_FILE = "env-file"
SECRET_FILE = "secret-file"
KINDS = (DOCKERFILE, WORKFLOW, ACTION, HELM_CHART, KUBERNETES, COMPOSE, ENV_SCHEMA, ENV_FILE, SECRET_FILE)

SKIPPED_DIRS = {".git", "node_modules", ".hg", ".svn", "__pycache__", ".tox", ".nox", ".mypy_cache", ".ruff_cache"}
ENV_SCHEMA_NAMES = {"env.schema.json", "env.schema.yaml", "env.schema.yml", ".env.schema.json"}
_K8S_API = re.compile(rb"^[ \t-]*[\"']?apiVersion[\"']?[ \t]*:", re.M)
_K8S_KIND = re.compile(rb"^[ \t-]*[\"']?kind[\"']?[ \t]*:", re.M)
PEEK_BYTES = 256 * 1024
SECRET_FILE_NAMES = {
    "id_rsa", "id_dsa", "id_ecdsa", "id_ed25519", "id_ecdsa_sk", "id_ed25519_sk",
    ".npmrc", ".pypirc", ".netrc", "_netrc", ".git-credentials", "credentials.json",
}
SECRET_FILE_SUFFIXES = (".pem", ".key", ".p12", ".pfx", ".ppk")
SECRET_FILE_PATTERNS = ("*service-account*.json", "*-credentials.json")


@dataclass(frozen=True)
class Target:
    """A file (or, for a Helm chart, a directory) and its kind."""

    path: Path
    kind: str


def kind_by_name(path: Path) -> str | None:
    """The kind a file's name says it is, or None (plain YAML is decided by content)."""
    name = path.name
    lower = name.lower()
    if name in ("Dockerfile", "Containerfile") or name.startswith(("Dockerfile.", "Containerfile.")):
        return DOCKERFILE
    if lower.endswith(".dockerfile"):
        return DOCKERFILE
    if name in ENV_SCHEMA_NAMES:
        return ENV_SCHEMA
    if name == ".env" or name.startswith(".env."):
        return ENV_FILE
    if name in ("compose.yaml", "compose.yml") or (
        name.startswith("docker-compose") and name.endswith((".yml", ".yaml"))
    ):
        return COMPOSE
    if fnmatch.fnmatchcase(name, "compose.*.yaml") or fnmatch.fnmatchcase(name, "compose.*.yml"):
        return COMPOSE
    if name.endswith((".yml", ".yaml")) and path.parent.name == "workflows" and path.parent.parent.name == ".github":
        return WORKFLOW
    if name in ("action.yml", "action.yaml"):
        return ACTION
    if name == "Chart.yaml":
        return HELM_CHART
    if is_secret_file_name(path):
        return SECRET_FILE
    return None


def is_secret_file_name(path: Path) -> bool:
    """Files that hold credentials by their nature: private keys, registry and cloud credentials."""
    lower = path.name.lower()
    if lower in SECRET_FILE_NAMES or lower.endswith(SECRET_FILE_SUFFIXES):
        return True
    if lower == "credentials" and path.parent.name == ".aws":
        return True
    return any(fnmatch.fnmatchcase(lower, pattern) for pattern in SECRET_FILE_PATTERNS)


def looks_like_manifest(path: Path) -> bool:
    """A YAML or JSON file whose text carries both `apiVersion` and `kind` keys."""
    if not path.name.endswith((".yaml", ".yml", ".json")):
        return False
    note_read(path)
    try:
        if not path.is_file():
            return True  # a FIFO or device: never opened here (it could block); the loader reports it
        with path.open("rb") as fh:
            head = fh.read(PEEK_BYTES)
    except OSError:
        return True  # let the loader report why it cannot be read
    return bool(_K8S_API.search(head) and _K8S_KIND.search(head))


def classify(path: Path) -> str | None:
    kind = kind_by_name(path)
    if kind == HELM_CHART:
        return None  # a Chart.yaml named directly is handled as its chart directory
    if kind is not None:
        return kind
    return KUBERNETES if looks_like_manifest(path) else None


class _GitIgnore:
    """The .gitignore files met on the way down, each applying below its directory."""

    def __init__(self) -> None:
        self.specs: list[tuple[Path, object]] = []

    def load(self, directory: Path) -> None:
        ignore_file = directory / ".gitignore"
        if not ignore_file.is_file():
            return
        import pathspec

        note_read(ignore_file)
        try:
            lines = ignore_file.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return
        self.specs.append((directory, pathspec.GitIgnoreSpec.from_lines(lines)))

    def ignored(self, path: Path, is_dir: bool) -> bool:
        for base, spec in self.specs:
            try:
                rel = path.relative_to(base).as_posix()
            except ValueError:
                continue
            if spec.match_file(rel + "/" if is_dir else rel):  # type: ignore[attr-defined]
                return True
        return False


def _is_virtualenv(directory: Path) -> bool:
    return (directory / "pyvenv.cfg").is_file() or (directory / "conda-meta").is_dir()


def _inside(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
        return True
    except ValueError:
        return False


def _walk(root: Path, exclude: Iterable[str], base: Path) -> Iterator[Target]:
    real_root = root.resolve()
    ignores = _GitIgnore()
    visited: set[Path] = set()
    excludes = list(exclude)

    def excluded(path: Path) -> bool:
        try:
            rel = path.resolve().relative_to(base).as_posix() if excludes else ""
        except ValueError:
            rel = path.as_posix()
        return any(fnmatch.fnmatch(rel, pat) or fnmatch.fnmatch(rel, pat.rstrip("/") + "/*") for pat in excludes)

    if excluded(root):
        excludes = []  # a directory named on the command line is checked even where the config excludes it

    def visit(directory: Path, real: Path) -> Iterator[Target]:
        """Walk `directory`, whose symlink-free path is `real`."""
        if real in visited or not _inside(real, real_root):
            return
        visited.add(real)
        note_listing(directory)
        if (directory / "Chart.yaml").is_file():
            yield Target(directory, HELM_CHART)
            return
        ignores.load(directory)
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError:
            return
        subdirs: list[tuple[Path, Path]] = []
        for entry in entries:
            path = Path(entry.path)
            try:
                is_link = entry.is_symlink()
                st = os.stat(entry.path) if is_link else entry.stat(follow_symlinks=False)
            except OSError:
                continue  # a dangling link or a vanished file
            if is_link and not _inside(Path(os.path.realpath(entry.path)), real_root):
                continue  # never follow a link out of the scanned root
            if stat.S_ISDIR(st.st_mode):
                if entry.name in SKIPPED_DIRS:
                    continue
                if _is_virtualenv(path):
                    note_listing(path)  # it is scanned once it is no longer a virtualenv
                    continue
                if ignores.ignored(path, True) or excluded(path):
                    continue
                subdirs.append((path, path.resolve() if is_link else real / entry.name))
            elif stat.S_ISREG(st.st_mode):
                if ignores.ignored(path, False) or excluded(path):
                    continue
                kind = classify(path)
                if kind is not None:
                    yield Target(path, kind)
        for sub, sub_real in subdirs:
            yield from visit(sub, sub_real)

    yield from visit(root, real_root)


def discover(paths: Iterable[str | Path], exclude: Iterable[str] = (), base: Path | None = None) -> list[Target]:
    """Every target under `paths`, in a stable order, each once.

    A file named on the command line is checked as what its name says (a YAML
    file not otherwise named is taken as a manifest); a directory is walked.
    """
    base = (base or Path.cwd()).resolve()
    seen: set[tuple[Path, str]] = set()
    real_dirs: dict[Path, Path] = {}

    def real_path(path: Path) -> Path:
        """path.resolve(), with each directory resolved once (a file that is a link is resolved itself)."""
        if path.is_symlink() or path.name in ("", ".", ".."):
            return path.resolve()
        parent = path.parent
        if parent not in real_dirs:
            real_dirs[parent] = parent.resolve()
        return real_dirs[parent] / path.name

    targets: list[Target] = []
    for raw in paths:
        path = Path(raw)
        found: Iterable[Target]
        if path.is_dir():
            found = _walk(path, exclude, base)
        elif path.name == "Chart.yaml":
            found = [Target(path.parent, HELM_CHART)]
        else:
            note_read(path)
            kind = kind_by_name(path)
            if kind is None and path.name.endswith((".yaml", ".yml", ".json")):
                chart = chart_root_of(path)
                kind = HELM_CHART if chart else (KUBERNETES if looks_like_manifest(path) or not path.exists() else None)
                if chart:
                    path = chart
            found = [Target(path, kind)] if kind else []
        for target in found:
            marker = (real_path(target.path) if target.path.exists() else target.path, target.kind)
            if marker not in seen:
                seen.add(marker)
                targets.append(target)
    return targets


def chart_root_of(path: Path) -> Path | None:
    """The chart directory a file belongs to (templates, values files), if any."""
    for parent in list(path.resolve().parents)[:6]:
        note_listing(parent)
        if (parent / "Chart.yaml").is_file():
            return parent
    return None
