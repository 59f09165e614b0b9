"""The same input gives byte-identical output, whatever order the file system lists it in."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from readycheck.cli import main

TREE = {
    "svc/api/Dockerfile": "FROM node:latest\nRUN apt-get update && apt-get install -y curl\nCMD node s.js\n",
    "svc/api/Dockerfile.dev": "FROM node:latest AS dev\nUSER node\n",
    "svc/web/Containerfile": "FROM nginx\nRUN apt-get install -y vim\n",
    "svc/web/broken.Dockerfile": "FROM alpine:3.20\nHEALTHCHEK CMD true\n",
    "tools/a.dockerfile": "FROM python:latest\nUSER 1000\n",
    "deploy/app.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\n",
    "deploy/bad.yaml": "apiVersion: v1\nkind: ConfigMap\ndata: [\n",
    "Dockerfile": "FROM ubuntu\nRUN apt-get install -y curl\n",
    "z/y/x/Dockerfile": "FROM busybox\n",
    "compose.yaml": "services:\n  web:\n    image: web\n",
}


class ReversedListing:
    """What os.scandir returns (an iterator, and a context manager), in reverse name order."""

    def __init__(self, entries: list[os.DirEntry[str]]) -> None:
        self.entries = iter(entries)

    def __iter__(self) -> ReversedListing:
        return self

    def __next__(self) -> os.DirEntry[str]:
        return next(self.entries)

    def __enter__(self) -> ReversedListing:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


def build(root: Path, order: list[str]) -> None:
    for rel in order:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(TREE[rel])


def output(root: Path, fmt: str) -> str:
    old = os.getcwd()
    os.chdir(root)
    try:
        result = CliRunner().invoke(main, ["check", "--format", fmt, "--no-color", "."], catch_exceptions=False)
    finally:
        os.chdir(old)
    assert result.exit_code == 2  # broken.Dockerfile and its errors entry are part of what must be stable
    return result.stdout


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_creation_order_does_not_change_the_output(tmp_path: Path, fmt: str) -> None:
    forward, backward = tmp_path / "one", tmp_path / "two"
    build(forward, list(TREE))
    build(backward, list(reversed(TREE)))
    first = output(forward, fmt)
    assert first == output(backward, fmt) == output(forward, fmt)
    assert "svc/web/broken.Dockerfile" in first


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_listing_order_does_not_change_the_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str) -> None:
    build(tmp_path, list(TREE))
    expected = output(tmp_path, fmt)
    real_scandir = os.scandir
    listed: list[str] = []

    def reversed_scandir(path: object = ".") -> object:
        with real_scandir(path) as found:  # type: ignore[call-overload]
            entries = ReversedListing(sorted(found, key=lambda e: e.name, reverse=True))
        listed.append(str(path))
        return entries

    monkeypatch.setattr(os, "scandir", reversed_scandir)
    assert output(tmp_path, fmt) == expected
    assert listed, "the walk did not go through os.scandir, so this test proved nothing"
