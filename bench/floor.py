"""The parse-only floor: read every file readycheck would check and parse it with the fastest parser.

YAML with PyYAML's libyaml CSafeLoader, JSON with the json module, Dockerfiles with dockerfile-parse;
env files and Helm templates (not YAML before rendering) are only read. No rule runs, no location
is kept: no linter that parses these files can be faster than this, in one process.
Run: python bench/floor.py DIR
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
from pathlib import Path

import yaml
from dockerfile_parse import DockerfileParser

SKIPPED = {".git", "node_modules", ".venv"}


def is_dockerfile(name: str) -> bool:
    return name in ("Dockerfile", "Containerfile") or name.startswith("Dockerfile.") or name.endswith(".Dockerfile")


def parse(path: Path) -> None:
    text = path.read_text(encoding="utf-8", errors="replace")
    if is_dockerfile(path.name):
        _ = DockerfileParser(fileobj=io.BytesIO(text.encode("utf-8"))).structure
    elif path.suffix in (".yaml", ".yml") and "templates" not in path.parts:
        with contextlib.suppress(yaml.YAMLError):
            list(yaml.load_all(text, Loader=yaml.CSafeLoader))
    elif path.suffix == ".json":
        with contextlib.suppress(ValueError):
            json.loads(text)


def main() -> None:
    files = 0
    for directory, subdirs, names in os.walk(sys.argv[1]):
        subdirs[:] = sorted(d for d in subdirs if d not in SKIPPED)
        for name in sorted(names):
            parse(Path(directory) / name)
            files += 1
    print(f"{files} files read and parsed")


if __name__ == "__main__":
    main()
