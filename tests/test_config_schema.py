"""The config's JSON Schema (readycheck/config.schema.json): every documented config passes, and a wrong one is
refused with the key path that is wrong."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from readycheck.config import _KEYS, HELM_KEYS, SCHEMA_FILE, ConfigError, load_config
from tests.clirun import invoke, write

REPO = Path(__file__).resolve().parent.parent


def documented_configs() -> list[dict[str, object]]:
    """Every YAML block of the README and docs/ that is a config: a mapping whose keys are all settings."""
    found = []
    for page in [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]:
        for block in re.findall(r"```ya?ml\n(.*?)```", page.read_text(encoding="utf-8"), re.S):
            data = yaml.safe_load(block)
            if isinstance(data, dict) and data and set(data) <= set(_KEYS):
                found.append(data)
    return found


def test_the_schema_and_the_loader_know_the_same_settings() -> None:
    schema = json.loads(SCHEMA_FILE.read_text())
    assert set(schema["properties"]) == set(_KEYS)
    assert set(schema["properties"]["helm"]["properties"]) == set(HELM_KEYS)


def test_every_documented_config_is_accepted(tmp_path: Path) -> None:
    configs = documented_configs()
    assert configs, "the README shows a .readycheck.yaml"
    for n, config in enumerate(configs):
        folder = tmp_path / str(n)
        write(folder, ".readycheck.yaml", yaml.safe_dump(config))
        load_config(None, folder)  # raises ConfigError if refused


BAD = [
    ({"severity": {"DF101": "fatal"}}, "severity.DF101"),
    ({"rules": {"DF201": {"severity": "loud"}}}, "rules.DF201.severity"),
    ({"rules": {"DF201": ["on"]}}, "rules.DF201"),
    ({"kubernetes": {"ignore": [{"kind": "Deployment", "nmae": "api"}]}}, "kubernetes.ignore[0]"),
    ({"kubernetes": {"ignroe": []}}, "kubernetes"),
    ({"helm": {"release-name": ["a", "b"]}}, "helm.release-name"),
    ({"per-path-ignores": {"legacy/*": {"DF101": True}}}, "per-path-ignores.legacy/*"),
    ({"select": [["DF101"]]}, "select"),
    ({"strict": "yes"}, "strict"),
    ({"fail-on": "sometimes"}, "fail-on"),
]


@pytest.mark.parametrize(("config", "key"), BAD, ids=[k for _, k in BAD])
def test_a_wrong_config_is_refused_naming_the_key(tmp_path: Path, config: dict[str, object], key: str) -> None:
    write(tmp_path, ".readycheck.yaml", yaml.safe_dump(config))
    with pytest.raises(ConfigError) as refused:
        load_config(None, tmp_path)
    assert key in str(refused.value)
    assert ".readycheck.yaml" in str(refused.value)


def test_pyproject_settings_are_checked_by_the_same_schema(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", '[tool.readycheck]\nseverity = { DF101 = "fatal" }\n')
    write(tmp_path, "Dockerfile", "FROM python:3.12.7-slim\n")
    run = invoke(["check", "--no-cache", "Dockerfile"], tmp_path)
    assert run.code == 2
    assert "severity.DF101" in run.stderr and "pyproject.toml" in run.stderr
