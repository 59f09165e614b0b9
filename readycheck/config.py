"""Settings from `.readycheck.yaml` or `[tool.readycheck]`, merged under the command line.

The trust boundary is drawn here. Whoever runs readycheck is trusted: the
command line, the environment and a file named with `--config`. A config
found in the scanned tree is not: it may select, ignore, set severities and
rule options, per-path ignores and exclusions, and nothing more. Where it asks
for something only the operator may choose (a renderer or any program, rule
directories, values files outside the tree, a cache or output location), the
run stops with a usage error naming the key and the flag to use instead.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from readycheck.model import SEVERITIES
from readycheck.textio import LoadError, read_text

FAIL_ON = ("error", "warning", "note", "never")
CONFIG_FILES = (".readycheck.yaml", ".readycheck.yml")


class ConfigError(Exception):
    """The configuration is wrong: a usage error (exit code 2)."""


OPERATOR_ONLY = {
    "rules-dirs": "--rules DIR",
    "cache-dir": "--cache-dir DIR",
    "output": "--output FILE",
    "helm.renderer": "--helm-renderer",
}
"""Keys a config found in the scanned tree may not set, and the command-line flag that can."""
HELM_KEYS = ("values", "set", "renderer", "release-name", "namespace", "kube-version")


@dataclass
class Config:
    """The settings in force: the config file's, then the command line's."""

    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    per_path_ignores: dict[str, list[str]] = field(default_factory=dict)
    severity: dict[str, str] = field(default_factory=dict)
    fail_on: str = "error"
    rule_options: dict[str, dict[str, Any]] = field(default_factory=dict)
    exclude: list[str] = field(default_factory=list)
    rules_dirs: list[str] = field(default_factory=list)
    dockerfile_target: str | None = None
    strict: bool = False
    kubernetes: dict[str, Any] = field(default_factory=dict)
    helm: dict[str, Any] = field(default_factory=dict)
    services: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Declared services (readycheck.services): name -> dockerfile, target, images, charts, manifests, compose,
    env-schema; links the map cannot see from the files."""
    source: str | None = None
    trusted: bool = False
    """Named by the operator (--config), not found in the scanned tree."""


_KEYS = {
    "select": list,
    "ignore": list,
    "per-path-ignores": dict,
    "severity": dict,
    "fail-on": str,
    "rules": dict,
    "exclude": list,
    "rules-dirs": list,
    "target": str,
    "strict": bool,
    "kubernetes": dict,
    "helm": dict,
    "services": dict,
}
SERVICE_LIST_KEYS = ("images", "charts", "manifests", "compose")
SERVICE_TEXT_KEYS = ("dockerfile", "target", "env-schema")


def _as_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return [str(v).strip() for v in value]


def _operator_only(source: str, key: str) -> ConfigError:
    return ConfigError(f"{source}: '{key}' may only be chosen by whoever runs readycheck, not by a config found in "
                       f"the scanned tree: use {OPERATOR_ONLY[key]} on the command line")


def _tree_values_files(values: Any, source: str, root: Path) -> list[str]:
    """`helm.values` of a config found in the tree: relative paths of regular files inside `root`, made absolute.

    Relative to the config file's directory (where readycheck runs), as Helm resolves them.
    """
    files: list[str] = []
    resolved_root = root.resolve()
    for entry in _as_list(values):
        path = Path(entry)
        if path.is_absolute():
            raise ConfigError(f"{source}: helm.values entry {entry!r} is an absolute path: a config found in the "
                              "scanned tree may only name values files inside it (use --values FILE)")
        resolved = (root / path).resolve()
        if not resolved.is_relative_to(resolved_root):
            raise ConfigError(f"{source}: helm.values entry {entry!r} leads outside the scanned tree: a config found "
                              "there may only name values files inside it (use --values FILE)")
        if not resolved.is_file():
            raise ConfigError(f"{source}: helm.values entry {entry!r} is not a regular file in the scanned tree")
        files.append(str(resolved))
    return files


SCHEMA_FILE = Path(__file__).resolve().parent / "config.schema.json"
"""The settings' JSON Schema, shipped in the package (editors can use it too); from_mapping applies it."""


def config_error_path(parts: Any) -> str:
    """`rules.DF201.severity`, `kubernetes.ignore[0].kind`: where in the config a value is wrong."""
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def validate_against_schema(data: dict[str, Any], source: str) -> None:
    """Check a config file against SCHEMA_FILE; the first error names its key path.

    Only a run that found or was given a config file gets here, so a one-file run with no config never
    imports jsonschema (tests/test_startup_imports.py; the cost with a config is in docs/performance.md).
    """
    import json

    from jsonschema.exceptions import best_match

    from readycheck.schemaref import validator

    error = best_match(validator(json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))).iter_errors(data))
    if error is None:
        return
    where = config_error_path(error.absolute_path) or "the config"
    if error.validator == "additionalProperties":
        known = ", ".join(sorted(error.schema.get("properties", {})))
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        raise ConfigError(f"{source}: {where}: unknown setting {', '.join(repr(str(k)[:80]) for k in extra)} "
                          f"(known: {known})")
    if error.validator == "enum":
        raise ConfigError(f"{source}: {where} must be one of {', '.join(map(str, error.validator_value))}")
    if error.validator in ("oneOf", "anyOf"):
        raise ConfigError(f"{source}: {where} must be a string or a list of strings")
    if error.validator == "type":
        raise ConfigError(f"{source}: {where} must be of type {error.validator_value}")
    raise ConfigError(f"{source}: {where}: {error.message[:200]}")


def from_mapping(data: dict[str, Any], source: str, trusted: bool = False, root: Path | None = None) -> Config:
    """Build a Config from a parsed mapping, rejecting unknown keys and bad values.

    Unless `trusted` (named by the operator), the mapping is the scanned tree's and may not set
    OPERATOR_ONLY keys; its helm.values must lie inside `root` (default: the current directory).
    """
    config = Config(source=source, trusted=trusted)
    for key, value in data.items():
        if key in OPERATOR_ONLY and not (trusted and key in _KEYS):
            if trusted:
                raise ConfigError(f"{source}: '{key}' is not a config setting: use {OPERATOR_ONLY[key]} on the command line")
            raise _operator_only(source, key)
        if key not in _KEYS:
            raise ConfigError(f"{source}: unknown setting '{key}' (known: {', '.join(sorted(_KEYS))})")
        expected = _KEYS[key]
        if expected is list and isinstance(value, str):
            value = _as_list(value)
        if not isinstance(value, expected):
            raise ConfigError(f"{source}: '{key}' must be a {expected.__name__}")
    validate_against_schema(data, source)
    config.select = _as_list(data.get("select", []))
    config.ignore = _as_list(data.get("ignore", []))
    for pattern, selectors in data.get("per-path-ignores", {}).items():
        if not isinstance(selectors, (list, str)):
            raise ConfigError(f"{source}: per-path-ignores.{pattern} must be a list of rules")
    config.per_path_ignores = {str(k): _as_list(v) for k, v in data.get("per-path-ignores", {}).items()}
    config.severity = {str(k): str(v) for k, v in data.get("severity", {}).items()}
    for sel, level in config.severity.items():
        if level not in SEVERITIES:
            raise ConfigError(f"{source}: severity of '{sel}' must be one of {', '.join(SEVERITIES)}")
    config.fail_on = str(data.get("fail-on", "error"))
    if config.fail_on not in FAIL_ON:
        raise ConfigError(f"{source}: fail-on must be one of {', '.join(FAIL_ON)}")
    rules = data.get("rules", {})
    for rule_key, settings in rules.items():
        if not isinstance(settings, dict):
            raise ConfigError(f"{source}: rules.{rule_key} must be a mapping of options")
        if "severity" in settings and settings["severity"] not in SEVERITIES:
            raise ConfigError(f"{source}: rules.{rule_key}.severity must be one of {', '.join(SEVERITIES)}")
        config.rule_options[str(rule_key)] = dict(settings)
    config.exclude = _as_list(data.get("exclude", []))
    config.rules_dirs = _as_list(data.get("rules-dirs", []))
    config.dockerfile_target = data.get("target")
    config.strict = bool(data.get("strict", False))
    config.kubernetes = dict(data.get("kubernetes", {}))
    config.helm = dict(data.get("helm", {}))
    for key in config.helm:
        if key not in HELM_KEYS:
            raise ConfigError(f"{source}: unknown setting 'helm.{key}' (known: {', '.join(HELM_KEYS)})")
    if not isinstance(config.helm.get("values", []), (str, list)):
        raise ConfigError(f"{source}: 'helm.values' must be a file name or a list of them")
    if config.helm.get("renderer", "builtin") not in ("builtin", "helm"):
        raise ConfigError(f"{source}: helm.renderer must be builtin or helm")
    config.services = _services(data.get("services", {}), source)
    if config.helm.get("set"):
        from readycheck.helm.values import SetValueError, parse_set

        try:
            parse_set([str(entry) for entry in _as_list(config.helm["set"])])
        except SetValueError as exc:
            raise ConfigError(f"{source}: helm.set: {exc}") from exc
    if not trusted:
        if config.helm.get("renderer", "builtin") != "builtin":
            raise _operator_only(source, "helm.renderer")
        if "values" in config.helm:
            config.helm["values"] = _tree_values_files(config.helm["values"], source, root or Path.cwd())
    elif "values" in config.helm:  # relative to where readycheck runs, as --values
        config.helm["values"] = [os.path.join(root or Path.cwd(), entry) for entry in _as_list(config.helm["values"])]
    return config


def _services(data: dict[str, Any], source: str) -> dict[str, dict[str, Any]]:
    """`services:`: each name maps to known keys only, paths as text and lists of text (a single text is a list of
    one)."""
    services: dict[str, dict[str, Any]] = {}
    for name, entry in data.items():
        if not isinstance(entry, dict):
            raise ConfigError(f"{source}: services.{name} must be a mapping (keys: "
                              f"{', '.join((*SERVICE_TEXT_KEYS, *SERVICE_LIST_KEYS))})")
        checked: dict[str, Any] = {}
        for key, value in entry.items():
            if key in SERVICE_TEXT_KEYS:
                if not isinstance(value, str) or not value.strip():
                    raise ConfigError(f"{source}: services.{name}.{key} must be a path or name")
                checked[key] = value.strip()
            elif key in SERVICE_LIST_KEYS:
                if isinstance(value, str):
                    value = [value]
                if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
                    raise ConfigError(f"{source}: services.{name}.{key} must be a list of paths or names")
                checked[key] = [v.strip() for v in value]
            else:
                raise ConfigError(f"{source}: unknown setting 'services.{name}.{key}' (known: "
                                  f"{', '.join(sorted((*SERVICE_TEXT_KEYS, *SERVICE_LIST_KEYS)))})")
        services[str(name)] = checked
    return services


def _load_toml(path: Path, root: Path | None) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    return tomllib.loads(read_text(path, root=root))


def config_directories(cwd: Path, paths: list[str] | tuple[str, ...] = ()) -> list[Path]:
    """Where a config is looked for, nearest first: from the scanned paths' common folder upwards to the
    repository root (the folder holding `.git`), or to the current directory outside a repository."""
    folders = [os.path.abspath(p if os.path.isdir(p) else os.path.dirname(os.path.abspath(p)) or ".")
               for p in paths if os.path.exists(p)]
    start = Path(os.path.commonpath(folders)) if folders else cwd.resolve()
    chain = [start, *start.parents]
    for index, folder in enumerate(chain):
        if (folder / ".git").exists():
            return chain[: index + 1]
    here = cwd.resolve()
    return chain[: chain.index(here) + 1] if here in chain else [start]


def load_config(explicit: str | None, cwd: Path, paths: list[str] | tuple[str, ...] = ()) -> Config:
    """The config named by --config, else the nearest .readycheck.yaml or [tool.readycheck] (config_directories),
    else defaults."""
    if explicit:
        return _load_config_file(Path(explicit), None, explicit=True, cwd=cwd) or Config()
    for folder in config_directories(cwd, paths):
        for path in [folder / name for name in CONFIG_FILES] + [folder / "pyproject.toml"]:
            if path.is_file():
                found = _load_config_file(path, folder.resolve(), explicit=False, cwd=folder)
                if found is not None:
                    return found
    return Config()


def _load_config_file(path: Path, root: Path | None, explicit: bool, cwd: Path) -> Config | None:
    """One config file; None for a pyproject.toml without [tool.readycheck] found by looking (not named)."""
    # a config found in the tree is read like any file of it (never through a link out of it); --config is trusted
    if not path.is_file():
        raise ConfigError(f"{path}: config file not found")
    if path.name == "pyproject.toml" or path.suffix == ".toml":
        try:
            table = _load_toml(path, root).get("tool", {}).get("readycheck")
        except LoadError as exc:
            raise ConfigError(f"{path}:{exc.line or 1}: {exc.message}") from None
        except (OSError, ValueError, AttributeError) as exc:
            raise ConfigError(f"{path}: {exc}") from None
        if table is None:
            if explicit:
                raise ConfigError(f"{path}: no [tool.readycheck] table")
            return None
        return from_mapping(table, str(path), trusted=explicit, root=cwd)
    # imported here, for a YAML config only: a run on Dockerfiles needs no YAML otherwise
    from readycheck.yamlsource import load_yaml_documents

    try:
        docs = load_yaml_documents(read_text(path, root=root))
    except LoadError as exc:
        raise ConfigError(f"{path}:{exc.line or 1}: {exc.message}") from None
    data = docs[0].data if docs else {}
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the config file must be a mapping")
    return from_mapping(data, str(path), trusted=explicit, root=cwd)
