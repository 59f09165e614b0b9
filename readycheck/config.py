"""Settings from `.readycheck.yaml` or `[tool.readycheck]`, merged under the command line."""

from __future__ import annotations

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
    source: str | None = None


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
}


def _as_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return [str(v).strip() for v in value]


def from_mapping(data: dict[str, Any], source: str) -> Config:
    """Build a Config from a parsed mapping, rejecting unknown keys and bad values."""
    config = Config(source=source)
    for key, value in data.items():
        if key not in _KEYS:
            raise ConfigError(f"{source}: unknown setting '{key}' (known: {', '.join(sorted(_KEYS))})")
        expected = _KEYS[key]
        if expected is list and isinstance(value, str):
            value = _as_list(value)
        if not isinstance(value, expected):
            raise ConfigError(f"{source}: '{key}' must be a {expected.__name__}")
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
    return config


def _load_toml(path: Path, root: Path | None) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    return tomllib.loads(read_text(path, root=root))


def load_config(explicit: str | None, cwd: Path) -> Config:
    """The config named by --config, else .readycheck.yaml, else [tool.readycheck], else defaults."""
    candidates = [Path(explicit)] if explicit else [cwd / name for name in CONFIG_FILES] + [cwd / "pyproject.toml"]
    # a config found in the tree is read like any file of it (never through a link out of it); --config is trusted
    root = None if explicit else cwd.resolve()
    for path in candidates:
        if not path.is_file():
            if explicit:
                raise ConfigError(f"{path}: config file not found")
            continue
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
                continue
            return from_mapping(table, str(path))
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
        return from_mapping(data, str(path))
    return Config()
