"""Running the `readycheck` command in a directory, with stdout and stderr apart."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner

from readycheck.cli import main


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str


def invoke(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> Run:
    old = os.getcwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(main, args, catch_exceptions=False, env=env)
    finally:
        os.chdir(old)
    return Run(result.exit_code, result.stdout, result.stderr)


def write(root: Path, relative: str, text: str) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


UNPINNED_DOCKERFILE = """\
FROM node:latest
WORKDIR /app
COPY package.json package-lock.json ./
RUN apt-get update && apt-get install -y --no-install-recommends curl
RUN npm ci --omit=dev
COPY . .
USER node
CMD ["node", "server.js"]
"""
