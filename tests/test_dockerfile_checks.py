"""The judgement calls inside Dockerfile checks: what counts as a version, a secret file, a world-writable mode."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from readycheck.checks.dockerfile import _excluded
from readycheck.checks.dockerfile_process import nonroot_by_design
from readycheck.checks.dockerfile_security import _world_writable, secret_file
from readycheck.config import Config
from readycheck.judge.commands import tls_verification_off
from readycheck.judge.images import is_major_only_tag
from readycheck.loaders.dockerfile import split_image
from readycheck.orchestrate import scan


@pytest.mark.parametrize("tag", ["3", "20", "20-alpine", "21-jre", "3-slim-bookworm", "v2", "20-alpine3.20"])
def test_major_only_tags(tag: str) -> None:
    assert is_major_only_tag(tag)


@pytest.mark.parametrize("tag", ["3.12", "3.12.4-slim", "alpine-1.45.2", "bookworm-20240722-slim", "8.9.0-jdk21",
                                 "bookworm", "stable", "ltsc2022", "latest-dev", "jdk21"])
def test_versioned_or_named_tags(tag: str) -> None:
    assert not is_major_only_tag(tag)


@pytest.mark.parametrize("source", [".env", ".env.production", "deploy/id_rsa", "certs/server.key", "tls/privkey.pem", "pki/ca.key",
                                    "config/.aws/", "home/.ssh/config", ".npmrc", "credentials.json"])
def test_secret_files(source: str) -> None:
    assert secret_file(source)


@pytest.mark.parametrize("source", [".env.example", ".env.sample", "certs/ca-bundle.pem", "fullchain.pem",
                                    "server.crt", "src/keys.js", "environment.ts", "."])
def test_not_secret_files(source: str) -> None:
    assert not secret_file(source)


@pytest.mark.parametrize(("mode", "writable"), [
    ("777", True), ("0777", True), ("666", True), ("1777", False), ("755", False), ("0644", False),
    ("a+rwx", True), ("o+w", True), ("go-w", False), ("+x", False), ("u+rwX,o+w", True), ("ugo=rwx", True),
])
def test_world_writable_modes(mode: str, writable: bool) -> None:
    assert _world_writable(mode) is writable


@pytest.mark.parametrize(("words", "insecure"), [
    (["curl", "-k", "https://x"], True), (["curl", "-fsSLk", "https://x"], True), (["curl", "--insecure"], True),
    (["curl", "-o", "k", "https://x"], False), (["curl", "-ok", "https://x"], False), (["curl", "-fsSL", "https://x"], False),
])
def test_curl_insecure_flag_clusters(words: list[str], insecure: bool) -> None:
    assert (tls_verification_off(words) is not None) is insecure


def test_dockerignore_last_matching_pattern_wins() -> None:
    assert _excluded([".git", ".env*"], ".env")
    assert not _excluded([".env*", "!.env"], ".env")
    assert _excluded(["*", "!src/"], ".git")
    assert _excluded(["**/.git/"], ".git")
    assert not _excluded(["node_modules/", ".env.example"], ".env")


def _scan_dockerfile(tmp_path: Path, text: str, catalog: Any, config: Config) -> list[str]:
    (tmp_path / "Dockerfile").write_text(text)
    return [f.rule for f in scan([str(tmp_path)], catalog, config, base=tmp_path).findings]


def test_nonroot_allow_list_option(tmp_path: Path, catalog: Any) -> None:
    text = "FROM bitnami/redis:7.2.5\nCMD [\"redis-server\"]\n"
    assert _scan_dockerfile(tmp_path, text, catalog, Config(select=["DF301"])) == ["DF301"]
    allowed = Config(select=["DF301"], rule_options={"DF301": {"nonroot_images": ["bitnami/*"]}})
    assert _scan_dockerfile(tmp_path, text, catalog, allowed) == []


def test_target_stage_is_the_one_judged(tmp_path: Path, catalog: Any) -> None:
    text = "FROM debian:12.6 AS debug\nFROM debian:12.6 AS prod\nUSER 10001\nCMD [\"/app\"]\n"
    assert _scan_dockerfile(tmp_path, text, catalog, Config(select=["DF301"])) == []
    debug = Config(select=["DF301"], dockerfile_target="debug")
    assert _scan_dockerfile(tmp_path, text, catalog, debug) == ["DF301"]


def test_secret_values_are_never_printed_whole(tmp_path: Path, catalog: Any) -> None:
    secret = "4a6d6af032788c6d952d68001160a6a2c7d5ff8ae727ac57e4d5c30c1aac48b4"
    (tmp_path / "Dockerfile").write_text(f"FROM debian:12.6\nENV PSP_WEBHOOK_HMAC_KEY={secret}\n"
                                         "RUN curl -u deploy:Xk29fPq7Lm4vN8 https://a.example.com/x\n")
    findings = scan([str(tmp_path)], catalog, Config(select=["no-baked-secrets"]), base=tmp_path).findings
    assert [(f.rule, f.span.line) for f in findings] == [("DF601", 2), ("DF603", 3)]
    for finding in findings:
        assert secret[:5] not in finding.message and "Xk29f" not in finding.message


@pytest.mark.parametrize(("image", "nonroot"), [
    ("gcr.io/distroless/static-debian12:nonroot", True), ("gcr.io/distroless/base-debian12:nonroot-amd64", True),
    ("gcr.io/distroless/java21-debian12:debug-nonroot", True), ("cgr.dev/chainguard/node:latest", True),
    ("gcr.io/distroless/static-debian12:latest", False), ("python:3.12.4-slim", False),
    ("example.com/nonroot/app:1.0", False),
])
def test_images_non_root_by_design(image: str, nonroot: bool) -> None:
    base = {**split_image(image), "image": image}
    assert nonroot_by_design(base, []) is nonroot
