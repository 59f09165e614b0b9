"""Walk the paths given on the command line and name each file's kind.

The kinds and their file names are fixed by CONTRACT.md ("Which files are
which"). A `*.yaml`/`*.json` that is not otherwise named is opened only far
enough to see `apiVersion` and `kind` (a Kubernetes manifest). Names that are
ambiguous are decided by content too: `Dockerfile.*` and `.env*` files that are
template sources, backups, patches or per-Dockerfile ignore files are not
Dockerfiles or env files; each file passed over that way is recorded as a
`Skipped` entry, so the command line can say why.
"""

from __future__ import annotations

import codecs
import errno
import fnmatch
import os
import re
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from readycheck.lazyre import lazy
from readycheck.model import ScanError, Skipped
from readycheck.textio import (
    DEFAULT_MAX_BYTES,
    LoadError,
    never_cached,
    note_listing,
    note_read,
    read_bytes,
    within,
)

DOCKERFILE = "dockerfile"
WORKFLOW = "workflow"
ACTION = "action"
HELM_CHART = "helm"
KUBERNETES = "kubernetes"
COMPOSE = "compose"
ENV_SCHEMA = "env-schema"
ENV_FILE = "env-file"
SECRET_FILE = "secret-file"
BAKE = "bake"

MAP_INPUT_KINDS = frozenset({BAKE})
"""Kinds read only as input of the service map (`docker buildx bake` files): no rule judges them, so they are not
counted as checked files (`summary.files`), not listed as artifacts, and loaded only when the map is wanted. A
scan for secrets only searches them as text, as it does every file of no checked kind."""

SKIPPED_DIRS = {".git", "node_modules", ".hg", ".svn", "__pycache__", ".tox", ".nox", ".mypy_cache", ".ruff_cache"}
ENV_SCHEMA_NAMES = {"env.schema.json", "env.schema.yaml", "env.schema.yml", ".env.schema.json"}
# a key at the start of a line (block YAML) or after `{`, `,` or white space (JSON, flow YAML, minified)
_K8S_API = lazy(rb"(?:^|[{,\s])[\"']?apiVersion[\"']?[ \t]*:", re.M)
_K8S_KIND = lazy(rb"(?:^|[{,\s])[\"']?kind[\"']?[ \t]*:", re.M)
PEEK_BYTES = 256 * 1024
SECRET_FILE_NAMES = {
    "id_rsa", "id_dsa", "id_ecdsa", "id_ed25519", "id_ecdsa_sk", "id_ed25519_sk",
    ".npmrc", ".pypirc", ".netrc", "_netrc", ".git-credentials", "credentials.json",
}
SECRET_FILE_SUFFIXES = (".pem", ".key", ".p12", ".pfx", ".ppk")
SECRET_FILE_PATTERNS = ("*service-account*.json", "*-credentials.json")

# The last suffix of a name that says the file is the source of a template, not the file itself
# (`Dockerfile.j2`, `.env.production.erb`). `.tmpl`, `.tpl` and `.template` name example env files
# too (`.env.template`), so for an env file those are decided by content (template tags or not).
TEMPLATE_SUFFIXES = frozenset({
    ".j2", ".jinja", ".jinja2", ".tmpl", ".tpl", ".template", ".erb", ".in", ".mustache", ".hbs",
    ".handlebars", ".ejs", ".gotmpl", ".liquid", ".njk", ".twig", ".tt", ".ftl", ".m4", ".eex",
})
ENV_EXAMPLE_TEMPLATE_SUFFIXES = frozenset({".tmpl", ".tpl", ".template"})
# ... and the last suffix of a name that says the file is an editor or patch leftover
BACKUP_SUFFIXES = frozenset({
    ".bak", ".backup", ".orig", ".rej", ".patch", ".diff", ".swp", ".swo", ".swx", ".old", ".save", ".tmp",
})
DOCKERIGNORE_SUFFIX = ".dockerignore"
SEE_KINDS = 'see "Which files are which" in the README'
CONTENT_PEEK_BYTES = 64 * 1024
_DIFF = lazy(rb"^(?:@@ -\d+(?:,\d+)? \+\d+(?:,\d+)? @@|diff --git |\*{15}$)", re.M)
_TEMPLATE_TAG = lazy(rb"\{\{|\{%|<%")
_TEMPLATE_START = lazy(rb"(?:\xef\xbb\xbf)?(?:[ \t]*(?:#[^\n]*)?\r?\n)*[ \t]*(?:\{\{|\{%|<%)")


@dataclass(frozen=True)
class Target:
    """A file (or, for a Helm chart, a directory), its kind, and the root it may be read under.

    `root` is the resolved scanned root: the folder given on the command line
    for what a walk found, `named_file_root` for a file named one by one. No
    file outside it is read for this target (None: decided when loading, as
    for a file named one by one).
    """

    path: Path
    kind: str
    root: Path | None = field(default=None, compare=False)


def kind_by_name(path: Path) -> str | None:
    """The kind a file's name says it is, or None (plain YAML is decided by content)."""
    return _kind_by_name(path.name, str(path.parent))


def _kind_by_name(name: str, directory: str) -> str | None:
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
    if name.endswith((".yml", ".yaml")) and _is_workflows_directory(directory):
        return WORKFLOW
    if name in ("action.yml", "action.yaml"):
        return ACTION
    if name == "Chart.yaml":
        return HELM_CHART
    if name.startswith("docker-bake") and name.endswith((".hcl", ".json")):
        return BAKE
    if _is_secret_file_name(name, directory):
        return SECRET_FILE
    return None


def _is_workflows_directory(directory: str) -> bool:
    parent, last = os.path.split(directory)
    return last == "workflows" and os.path.basename(parent) == ".github"


def is_secret_file_name(path: Path) -> bool:
    """Files that hold credentials by their nature: private keys, registry and cloud credentials."""
    return _is_secret_file_name(path.name, str(path.parent))


def _is_secret_file_name(name: str, directory: str) -> bool:
    lower = name.lower()
    if lower in SECRET_FILE_NAMES or lower.endswith(SECRET_FILE_SUFFIXES):
        return True
    if lower == "credentials" and os.path.basename(directory) == ".aws":
        return True
    return any(fnmatch.fnmatchcase(lower, pattern) for pattern in SECRET_FILE_PATTERNS)


def _last_suffix(name: str) -> str:
    if name.endswith("~"):
        return "~"
    dot = name.rfind(".")
    return name[dot:].lower() if dot > 0 else ""


def _ambiguous(name: str, kind: str) -> bool:
    """Names that could be something else and so are decided by content too."""
    return kind == ENV_FILE or (kind == DOCKERFILE and name not in ("Dockerfile", "Containerfile"))


def passed_over(path: Path | str, kind: str | None, root: Path | str | None = None) -> str | None:
    """Why a file whose name says `kind` is not one (by its name, then by its content), or None.

    CONTRACT.md: a per-Dockerfile ignore file is the ignore file of its
    Dockerfile; template sources, backups and patches are not Dockerfiles or
    env files; a file clearly something else by content (a diff, binary data)
    is not one either.
    """
    if kind not in (DOCKERFILE, ENV_FILE):
        return None
    name = os.path.basename(path)
    label = "a Dockerfile" if kind == DOCKERFILE else "an env file"
    suffix = _last_suffix(name)
    if kind == DOCKERFILE and name.lower().endswith(DOCKERIGNORE_SUFFIX):
        return f"the ignore file of {name[:-len(DOCKERIGNORE_SUFFIX)]} (read with it), not {label}"
    if suffix in BACKUP_SUFFIXES or suffix == "~":
        return f"a backup or patch file ({suffix}), not {label}"
    if suffix in TEMPLATE_SUFFIXES and not (kind == ENV_FILE and suffix in ENV_EXAMPLE_TEMPLATE_SUFFIXES):
        return f"a template source ({suffix}), not {label}"
    if not _ambiguous(name, kind):
        return None
    head = _peek(path, CONTENT_PEEK_BYTES, root)
    if head is None:
        return None  # the loader reports why it cannot be read
    if b"\0" in head and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):  # UTF-16 text is read
        return f"binary content, not {label}"
    if _DIFF.search(head):
        return f"a diff, not {label}"
    if kind == ENV_FILE and suffix in ENV_EXAMPLE_TEMPLATE_SUFFIXES and _TEMPLATE_TAG.search(head):
        return f"a template source ({suffix} with template tags), not {label}"
    if kind == DOCKERFILE and _TEMPLATE_START.match(head):
        # no Dockerfile begins with `{{`: the official images' `Dockerfile.oracle` is a jq template
        return f"a template source (it begins with template tags), not {label}"
    return None


def _peek(path: Path | str, size: int, root: Path | str | None = None) -> bytes | None:
    """The first `size` bytes through the one reader, or None when it refuses (a FIFO or device, a link out of
    the root, unreadable): the loader's read reports why."""
    try:
        return read_bytes(path, root=root, head=size)
    except LoadError:
        return None


def looks_like_manifest(path: Path | str, root: Path | str | None = None) -> bool:
    """A YAML or JSON file whose text carries both `apiVersion` and `kind` keys (its head read under `root`)."""
    if not str(path).endswith((".yaml", ".yml", ".json")):
        return False
    try:
        head = read_bytes(path, root=root, head=PEEK_BYTES)
    except LoadError:
        return True  # outside the root, a FIFO or device, unreadable: never opened here; the loader reports why
    return bool(_K8S_API.search(head) and _K8S_KIND.search(head))


class _GitIgnore:
    """The .gitignore files met on the way down, each applying below its directory."""

    def __init__(self, root: str, max_bytes: int, errors: list[tuple[Path, LoadError]]) -> None:
        self.specs: list[tuple[Path, object]] = []
        self.root = root
        self.max_bytes = max_bytes
        self.errors = errors

    def load(self, directory: Path) -> None:
        ignore_file = directory / ".gitignore"
        import pathspec

        try:
            raw = read_bytes(ignore_file, self.max_bytes, self.root)
        except LoadError as exc:
            self.errors.append((ignore_file, exc))
            return
        lines = raw.decode("utf-8", errors="replace").splitlines()
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


def _is_virtualenv(entries: dict[str, os.DirEntry[str]]) -> bool:
    venv_config, conda = entries.get("pyvenv.cfg"), entries.get("conda-meta")
    return bool(venv_config and venv_config.is_file()) or bool(conda and conda.is_dir())


_inside = within
TOO_DEEP = LoadError("folders nested too deeply to reach (the path is too long): not checked", 1)


def _walk(root: Path, exclude: Iterable[str], base: Path, max_bytes: int,
          errors: list[tuple[Path, LoadError]], skipped: list[Skipped],
          text_files: bool = False) -> Iterator[tuple[Target, str]]:
    """Targets under `root` with the symlink-free path of each, in name order, files before subdirectories.

    Paths are handled as strings: a Path object per entry cost more than the
    walk itself in a tree of thousands of directories. The walk is a loop over
    a stack, not a recursion: a tree thousands of folders deep is walked too.
    """
    real_root = str(root.resolve())
    resolved_root = Path(real_root)
    ignores = _GitIgnore(real_root, max_bytes, errors)
    visited: set[str] = set()
    excludes = list(exclude)

    def excluded(path: str) -> bool:
        return is_excluded(path, excludes, base)

    def ignored(path: str, is_dir: bool) -> bool:
        return bool(ignores.specs) and ignores.ignored(Path(path), is_dir)

    if excluded(str(root)):
        excludes = []  # a directory named on the command line is checked even where the config excludes it

    def visit(directory: str, real: str, top: bool, found: list[tuple[Target, str]], subdirs: list[tuple[str, str]]) -> None:
        """Add the targets of `directory` (symlink-free path `real`) to `found`, its subdirectories to `subdirs`."""
        if real in visited or not _inside(real, real_root):
            return
        visited.add(real)
        note_listing(directory)
        try:
            with os.scandir(directory) as listing:
                entries = {entry.name: entry for entry in listing}
        except OSError as exc:
            if exc.errno == errno.ENAMETOOLONG:
                errors.append((Path(directory), TOO_DEEP))
                return
            if os.path.isfile(os.path.join(directory, "Chart.yaml")):
                found.append((Target(Path(directory), HELM_CHART, resolved_root), real))
            return
        if not top and _is_virtualenv(entries):
            return  # a virtualenv's files are not the project's (it is scanned again once it is no longer one)
        chart = entries.get("Chart.yaml")
        if chart is not None and os.path.isfile(chart.path):
            found.append((Target(Path(directory), HELM_CHART, resolved_root), real))
            return
        if ".gitignore" in entries:
            ignores.load(Path(directory))
        for name in sorted(entries):
            entry = entries[name]
            try:
                is_link = entry.is_symlink()
                st = os.stat(entry.path) if is_link else entry.stat(follow_symlinks=False)
            except OSError as exc:
                if exc.errno == errno.ENAMETOOLONG:
                    errors.append((Path(entry.path), TOO_DEEP))
                continue  # a dangling link or a vanished file
            real_entry = os.path.realpath(entry.path) if is_link else os.path.join(real, name)
            if is_link and not _inside(real_entry, real_root):
                continue  # never follow a link out of the scanned root
            if stat.S_ISDIR(st.st_mode):
                if name in SKIPPED_DIRS or ignored(entry.path, True) or excluded(entry.path):
                    continue
                subdirs.append((entry.path, real_entry))
            elif stat.S_ISREG(st.st_mode):
                if ignored(entry.path, False) or excluded(entry.path):
                    continue
                kind = _kind_by_name(name, directory)
                if kind == HELM_CHART:
                    continue  # a Chart.yaml is its chart directory, found above
                if kind is None and looks_like_manifest(entry.path, real_root):
                    kind = KUBERNETES
                reason = passed_over(entry.path, kind, real_root)
                if text_files and (kind is None or kind in MAP_INPUT_KINDS or reason is not None):
                    found.append((Target(Path(entry.path), SECRET_FILE, resolved_root), real_entry))
                    continue
                if reason is not None:
                    skipped.append(Skipped(shown_path(entry.path, base), reason))
                    continue
                if kind is not None:
                    found.append((Target(Path(entry.path), kind, resolved_root), real_entry))

    # depth first, in name order, as a recursion would go, but with a stack of its own
    stack: list[tuple[str, str, bool]] = [(str(root), real_root, True)]
    while stack:
        directory, real, top = stack.pop()
        found: list[tuple[Target, str]] = []
        subdirs: list[tuple[str, str]] = []
        visit(directory, real, top, found, subdirs)
        yield from found
        stack.extend((sub, sub_real, False) for sub, sub_real in reversed(subdirs))


def is_excluded(path: str | Path, excludes: list[str], base: Path) -> bool:
    """Whether the config's `exclude` patterns (relative to `base`) cover `path` or a folder it is in."""
    if not excludes:
        return False
    try:
        rel = Path(path).resolve().relative_to(base).as_posix()
    except ValueError:
        rel = Path(path).as_posix()
    return any(fnmatch.fnmatch(rel, pat) or fnmatch.fnmatch(rel, pat.rstrip("/") + "/*") for pat in excludes)


def discover(paths: Iterable[str | Path], exclude: Iterable[str] = (), base: Path | None = None,
             skipped: list[Skipped] | None = None, errors: list[ScanError] | None = None,
             max_bytes: int = DEFAULT_MAX_BYTES, text_files: bool = False) -> list[Target]:
    """Every target under `paths`, in a stable order, each once.

    With `text_files` (a scan for secrets only, as the readycheck-secrets hook runs), a regular file that is
    of no other kind (named, or found by the walk and not ignored) is a secret-file target whose whole text
    is searched for secrets, as detect-secrets and gitleaks search what a commit touches.

    A file named on the command line is checked as what its name says (a YAML
    or JSON file not otherwise named is a manifest when it has `apiVersion` and
    `kind`); a directory is walked. Files passed over are added to `skipped`.
    An ignore file the reader refuses (a link out of the root, a FIFO, over
    `max_bytes`) is added to `errors`, and the walk goes on without it.
    """
    if skipped is None:
        skipped = []
    base = (base or Path.cwd()).resolve()
    seen: set[tuple[str, str]] = set()
    targets: list[Target] = []
    refused: list[tuple[Path, LoadError]] = []
    excludes = list(exclude)
    for raw in paths:
        path = Path(raw)
        found: Iterable[tuple[Target, str]]
        if path.is_dir():
            found = _walk(path, exclude, base, max_bytes, refused, skipped, text_files)
        elif is_excluded(path, excludes, base):
            # pre-commit and editors pass every file by name: the config's exclude applies to them as in a walk
            skipped.append(Skipped(shown_path(path, base), "the config's exclude covers it"))
            continue
        else:
            named = _named_file(path, base, [] if text_files else skipped)
            if text_files:
                named = [t for t in named if t.kind not in MAP_INPUT_KINDS]
            if not named and text_files and path.is_file():
                named = [Target(path, SECRET_FILE, named_file_root(path, base))]
            found = [(target, os.path.realpath(target.path)) for target in named]
        for target, real in found:
            if (real, target.kind) not in seen:
                seen.add((real, target.kind))
                targets.append(target)
    if errors is not None:
        errors.extend(ScanError(shown_path(p, base), exc.line, exc.message, never_cached(exc.message))
                      for p, exc in refused)
    return targets


def shown_path(path: Path | str, base: Path) -> str:
    """`path` as reported: relative to `base` when under it, links not resolved (a link's name, not its target)."""
    absolute = os.path.abspath(path)
    if within(absolute, str(base)):
        return Path(os.path.relpath(absolute, base)).as_posix()
    return Path(path).as_posix()


def named_file_root(path: Path | str, base: Path) -> Path:
    """The root a file named on the command line is read under (resolved).

    `base` (where readycheck runs, as pre-commit and CI do at the top of the
    repository) when the file lies under it, else the file's own folder. Taken
    from the path as named, links not followed: a named link out of that root
    is refused when read.
    """
    folder = os.path.dirname(os.path.abspath(path))
    return base if within(folder, str(base)) else Path(os.path.realpath(folder))


def _named_file(path: Path, base: Path, skipped: list[Skipped]) -> list[Target]:
    """The target a file named on the command line is (a chart's file names its chart).

    A file that is of no kind is recorded in `skipped`, with the reason.
    """
    note_read(path)
    if path.name == "Chart.yaml":
        return [Target(path.parent, HELM_CHART, named_file_root(path.parent, base))]
    root = named_file_root(path, base)
    kind = kind_by_name(path)
    if kind is None and path.name.endswith((".yaml", ".yml", ".json")):
        chart = chart_root_of(path)
        if chart:
            return [Target(chart, HELM_CHART, named_file_root(chart, base))]
        kind = KUBERNETES if looks_like_manifest(path, root) or not path.exists() else None
        if kind is None:
            skipped.append(Skipped(shown_path(path, base), "no document has both apiVersion and kind, so it is not a "
                                   f"Kubernetes manifest ({SEE_KINDS})", named=True))
            return []
    if kind is None:
        if path.exists():
            skipped.append(Skipped(shown_path(path, base), f"its name matches no kind readycheck checks ({SEE_KINDS})", named=True))
        return []
    reason = passed_over(path, kind, root) if path.exists() else None
    if reason is not None:
        skipped.append(Skipped(shown_path(path, base), reason, named=True))
        return []
    return [Target(path, kind, root)]


def chart_root_of(path: Path) -> Path | None:
    """The chart directory a file belongs to (templates, values files), if any: looked for above the path as
    named, not above where a link leads."""
    for parent in list(Path(os.path.abspath(path)).parents)[:6]:
        note_listing(parent)
        if (parent / "Chart.yaml").is_file():
            return parent
    return None
