"""The rule catalog: one YAML file per rule, validated by rules/rule.schema.json.

A rule keeps its id, name, checklist, severity, documentation and predicate
in one place. The predicate is either a JSON Schema that every subject must
satisfy (with an optional `match` schema choosing the subjects), or the name
of a check function in `readycheck/checks/`.

User rule directories (`--rules`) are validated at every load. The built-in
rules are validated by the test suite instead (tests/test_catalog_load.py),
and their parsed form is kept in the cache directory, keyed by the rule
files' names, sizes and modification times and the readycheck version, so a
run on one file does not parse a hundred YAML files or import jsonschema.
"""

from __future__ import annotations

import inspect
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from readycheck import __version__
from readycheck.model import Rule
from readycheck.textio import LoadError, ReadRefused, read_text


class CatalogError(Exception):
    """A rule file is broken. The message names the file and the problem."""


def builtin_rules_dir() -> Path:
    """The catalog shipped with readycheck: inside the wheel, or the checkout's rules/."""
    here = Path(__file__).resolve().parent
    packaged = here / "_catalog"
    return packaged if packaged.is_dir() else here.parent / "rules"


_META_VALIDATOR: Any = None


def _meta_validator() -> Any:
    global _META_VALIDATOR
    if _META_VALIDATOR is None:
        from readycheck.schemaref import validator

        meta = json.loads((builtin_rules_dir() / "rule.schema.json").read_text(encoding="utf-8"))
        _META_VALIDATOR = validator(meta)
    return _META_VALIDATOR


def _check_predicate_schema(path: Path, key: str, schema: dict[str, Any]) -> None:
    from readycheck.schemaref import outside_references, schema_problem

    problem = schema_problem(schema)
    if problem is not None:
        raise CatalogError(f"{path}: `{key}` is not a valid JSON Schema: {problem}")
    outside = outside_references(schema)
    if outside:
        raise CatalogError(f"{path}: `{key}` has a remote $ref ({outside[0][:200]!r}): a rule's schema may only "
                           "refer to its own parts, and nothing is ever fetched")


def read_rule_data(path: Path, validate: bool = True, root: Path | None = None) -> dict[str, Any]:
    """A rule file's mapping (read under `root`, its rules directory), checked against the meta-schema when `validate`."""
    # imported here: a run served by the catalog cache, on Dockerfiles, needs no YAML
    from readycheck.yamlsource import load_yaml_documents

    try:
        docs = load_yaml_documents(read_text(path, root=root))
    except ReadRefused as exc:
        why = "a link out of its rules directory: not read" if exc.reason == ReadRefused.OUTSIDE else exc.message
        raise CatalogError(f"{path}: {why}") from None
    except LoadError as exc:
        where = f":{exc.line}" if exc.line else ""
        raise CatalogError(f"{path}{where}: {exc.message}") from None
    if len(docs) != 1 or not isinstance(docs[0].data, dict):
        raise CatalogError(f"{path}: a rule file holds exactly one YAML mapping")
    data: dict[str, Any] = docs[0].data
    if validate:
        errors = sorted(_meta_validator().iter_errors(data), key=lambda e: list(e.absolute_path))
        if errors:
            problems = [
                f"{'/'.join(str(p) for p in err.absolute_path) or '(top level)'}: {err.message}" for err in errors[:20]
            ]
            raise CatalogError(f"{path}: " + "; ".join(problems))
        for key in ("schema", "match"):
            if key in data:
                _check_predicate_schema(path, key, data[key])
    return data


def rule_from_data(path: Path, data: dict[str, Any]) -> Rule:
    expected_stem = f"{data['id']}-{data['name']}"
    if path.stem != expected_stem:
        raise CatalogError(f"{path}: file name must be {expected_stem}.yaml (id and name)")
    return Rule(source=path, **{k.replace("-", "_"): v for k, v in data.items()})


def load_rule_file(path: Path, validate: bool = True) -> Rule:
    rule = rule_from_data(path, read_rule_data(path, validate))
    if validate:
        check_contract(rule)
    return rule


def check_contract(rule: Rule) -> None:
    """What the meta-schema cannot say: the target exists, and `check:` names a check function for it.

    Without this a misspelled target or function loads and then never fires (or fails on every file).
    Run on validated rules only (user rules, and the built-in ones in the tests): it imports the check's module.
    """
    from readycheck.targets import ALL_TARGETS, TARGETS

    spec = ALL_TARGETS.get(rule.target)
    if spec is None:
        known = TARGETS.get(rule.kind)
        listing = ", ".join(known) if known else "kinds " + ", ".join(TARGETS)
        raise CatalogError(f"{rule.source}: unknown target '{rule.target}' (known: {listing}; see `readycheck targets`)")
    overlap = sorted(set(rule.params) & set(rule.options))
    if overlap:
        raise CatalogError(f"{rule.source}: {', '.join(overlap)} is both a fixed param and a user option")
    if rule.check is None:
        return
    function = _check_function(rule)
    wanted = f"Subject[{spec.data.__name__}]"
    given = inspect.signature(function).parameters.get("subject")
    if given is None or given.annotation != wanted:
        shown = given.annotation if given is not None else "no subject"
        raise CatalogError(f"{rule.source}: check '{rule.check}' judges {shown}, but target '{rule.target}' "
                           f"gives {wanted}")


def _check_function(rule: Rule) -> Any:
    """The public function `module.name` defined in readycheck/checks/module.py, or a CatalogError."""
    import importlib
    import pkgutil

    import readycheck.checks

    assert rule.check is not None
    module_name, _, name = rule.check.partition(".")
    modules = {m.name for m in pkgutil.iter_modules(readycheck.checks.__path__) if not m.name.startswith("_")}
    if module_name not in modules:
        raise CatalogError(f"{rule.source}: check '{rule.check}' names no function: there is no check module "
                           f"'{module_name}' (modules: {', '.join(sorted(modules))})")
    module = importlib.import_module(f"readycheck.checks.{module_name}")
    function = getattr(module, name, None)
    if name.startswith("_") or not inspect.isfunction(function) or function.__module__ != module.__name__:
        raise CatalogError(f"{rule.source}: check '{rule.check}' names no function: readycheck/checks/"
                           f"{module_name}.py defines no public check function '{name}'")
    return function


def _rule_files(directory: Path) -> list[tuple[str, int, int]]:
    """Every rule file under `directory`: its relative path, size and mtime, in the order of sorted `Path.rglob`.

    os.scandir rather than rglob and a Path and a stat per file: listing and
    stamping the built-in rules was most of the catalog's cost on a cached run.
    """
    found: list[tuple[tuple[str, ...], int, int]] = []

    def walk(folder: str, parts: tuple[str, ...]) -> None:
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    walk(entry.path, (*parts, entry.name))
                elif entry.name.endswith(".yaml"):
                    stat = entry.stat()
                    found.append(((*parts, entry.name), stat.st_size, stat.st_mtime_ns))

    walk(str(directory), ())
    return [("/".join(parts), size, mtime) for parts, size, mtime in sorted(found)]


def _catalog_cache_file(cache_dir: Path, directory: Path) -> Path:
    """One entry per installation, rewritten when its rules change (the stamp inside says which).

    The rules directory's device and inode name the installation: no hash module to import, and
    a reused inode only costs a re-parse, as the stamp holds the directory's path.
    """
    identity = os.stat(directory)
    return cache_dir / "catalog" / f"{__version__}-{identity.st_dev:x}-{identity.st_ino:x}.json"


def _builtin_rule_data(cache_dir: Path | None, validate: bool) -> list[tuple[Path, dict[str, Any]]]:
    """(path, mapping) of every built-in rule, from the catalog cache when its stamp is current.

    The stamp is what the cached form depends on: the version, the directory,
    and each rule file's name, size and mtime.
    """
    directory = builtin_rules_dir()
    files = _rule_files(directory)
    names = [name for name, _, _ in files]
    if cache_dir is None or validate:
        return [(directory / name, read_rule_data(directory / name, validate)) for name in names]
    cache_file = _catalog_cache_file(cache_dir, directory)
    stamp = [__version__, str(directory), *(list(file) for file in files)]
    try:
        cached = json.loads(cache_file.read_text(encoding="utf-8"))
        if cached["stamp"] == stamp and _is_cached_rules(cached["rules"], names):
            return [(directory / name, data) for name, data in cached["rules"]]
    except (OSError, ValueError, TypeError, KeyError, RecursionError):
        pass  # missing or malformed: parsed again, and rewritten
    entries = [(name, read_rule_data(directory / name, validate)) for name in names]
    _write_catalog_cache(cache_file, {"stamp": stamp, "rules": [list(entry) for entry in entries]})
    return [(directory / name, data) for name, data in entries]


def _is_cached_rules(rules: Any, names: list[str]) -> bool:
    """The catalog cache's rules as written: one [name, mapping] per rule file, each mapping with its fields."""
    return isinstance(rules, list) and [r[0] if isinstance(r, list) and len(r) == 2 else None for r in rules] == names and all(
        isinstance(data, dict) and all(isinstance(data.get(k), str) for k in ("id", "name", "checklist", "severity", "target"))
        for _, data in rules)


def _write_catalog_cache(cache_file: Path, content: dict[str, Any]) -> None:
    text = json.dumps(content)
    if json.loads(text) != content:
        return  # something JSON cannot hold exactly (a non-string key): parse the YAML every time
    from readycheck.atomic import write_atomic

    try:
        write_atomic(cache_file, text, durable=False, private=True)
    except OSError:
        return  # an unwritable cache only costs time


class Catalog:
    """The rules in force, sorted by id, and looked up by id or name."""

    def __init__(self, rules: list[Rule]) -> None:
        self.rules = rules
        self.by_id = {r.id: r for r in rules}
        self.by_name = {r.name: r for r in rules}

    def resolve(self, selector: str) -> list[Rule] | None:
        """Rules named by an id, a name, a checklist, or a kind (`dockerfile`). None if unknown."""
        if selector in self.by_id:
            return [self.by_id[selector]]
        if selector in self.by_name:
            return [self.by_name[selector]]
        chosen = [r for r in self.rules if r.checklist == selector or r.kind == selector]
        return chosen or None


def load_catalog(extra_dirs: Iterable[Path] = (), validate_builtin: bool = False,
                 cache_dir: Path | None = None) -> Catalog:
    """The built-in rules plus any `--rules DIR` (always validated); duplicate ids are an error."""
    entries = _builtin_rule_data(cache_dir, validate_builtin)
    builtin_count = len(entries)
    for directory in extra_dirs:
        if not directory.is_dir():
            raise CatalogError(f"{directory}: rules directory not found")
        root = Path(os.path.realpath(directory))  # a rule file linked out of its directory is not read
        entries.extend((path, read_rule_data(path, root=root)) for path in sorted(directory.rglob("*.yaml")))
    checked = {path for path, _ in entries[builtin_count:]} if not validate_builtin else None
    rules: list[Rule] = []
    seen: dict[str, Path] = {}
    names: dict[str, Path] = {}
    for path, data in entries:
        rule = rule_from_data(path, data)
        if checked is None or path in checked:
            check_contract(rule)
        if rule.id in seen:
            raise CatalogError(f"{path}: rule id {rule.id} is already defined in {seen[rule.id]}")
        if rule.name in names:
            raise CatalogError(f"{path}: rule name {rule.name} is already used by {names[rule.name]}")
        seen[rule.id] = path
        names[rule.name] = path
        rules.append(rule)
    rules.sort(key=lambda r: r.id)
    return Catalog(rules)
