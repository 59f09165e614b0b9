"""The Dockerfile model: build args, stages, instruction forms, heredocs, escapes, and what makes a file unloadable."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest

from readycheck.config import Config
from readycheck.loaders.dockerfile import build_model, split_image, substitute
from readycheck.orchestrate import scan
from readycheck.textio import LoadError

from .conftest import shared_or_skip


def model(text: str, target: str | None = None) -> dict[str, Any]:
    return build_model(textwrap.dedent(text), "Dockerfile", None, target)[0]


def instructions(data: dict[str, Any], stage: int = 0) -> list[dict[str, Any]]:
    return list(data["stages"][stage]["instructions"])


def test_nested_arg_defaults_resolve_into_the_base_image() -> None:
    data = model(
        """\
        ARG ELIXIR_VERSION=1.17.2
        ARG DEBIAN_VERSION=bookworm-20240722-slim
        ARG BUILDER_IMAGE="hexpm/elixir:${ELIXIR_VERSION}-debian-${DEBIAN_VERSION}"
        FROM ${BUILDER_IMAGE} AS builder
        """
    )
    base = data["stages"][0]["base"]
    assert base["image"] == "hexpm/elixir:1.17.2-debian-bookworm-20240722-slim"
    assert (base["repository"], base["tag"], base["resolved"], base["via_arg"]) == (
        "hexpm/elixir", "1.17.2-debian-bookworm-20240722-slim", True, True)


def test_default_and_alternative_expansions() -> None:
    assert substitute("${TAG:-3.12-slim}", {}) == ("3.12-slim", True)
    assert substitute("${TAG:-3.12-slim}", {"TAG": ""}) == ("3.12-slim", True)
    assert substitute("${TAG-3.12}", {"TAG": ""}) == ("", True)
    assert substitute("${TAG:+pinned}", {"TAG": "1"}) == ("pinned", True)
    assert substitute("python:${MISSING}", {}) == ("python:${MISSING}", False)
    data = model("FROM ${REGISTRY:-docker.io}/library/debian:${TAG:-12.6}\n")
    base = data["stages"][0]["base"]
    assert (base["registry"], base["repository"], base["tag"]) == ("docker.io", "library/debian", "12.6")


def test_an_arg_without_default_leaves_the_image_unresolved() -> None:
    base = model("ARG BASE\nFROM ${BASE}\n")["stages"][0]["base"]
    assert base["resolved"] is False


def test_image_reference_parts() -> None:
    assert split_image("localhost:5000/team/app:1.2@sha256:abc") == {
        "registry": "localhost:5000", "repository": "team/app", "tag": "1.2", "digest": "sha256:abc"}
    assert split_image("gcr.io/distroless/cc-debian12@sha256:c8cd") == {
        "registry": "gcr.io", "repository": "distroless/cc-debian12", "tag": None, "digest": "sha256:c8cd"}
    assert split_image("team/app")["registry"] is None


def test_platform_flag_and_stage_references() -> None:
    data = model(
        """\
        FROM --platform=$BUILDPLATFORM golang:1.22.5 AS Build
        FROM build AS test
        FROM gcr.io/distroless/static-debian12:nonroot
        COPY --from=build /out/app /app
        """
    )
    build, test, final = data["stages"]
    assert build["base"]["platform"] == "$BUILDPLATFORM"
    assert test["base"]["is_stage_ref"] is True and test["parent_stage"] == 0
    assert final["is_final"] is True and data["final_stage"] == 2
    assert instructions(data, 2)[1]["flags"] == {"from": "build"}


def test_target_stage_chooses_the_final_stage() -> None:
    data = model("FROM alpine:3.20.2 AS base\nFROM base AS dev\nFROM base AS prod\n", target="dev")
    assert data["final_stage"] == 1
    assert [s["is_final"] for s in data["stages"]] == [False, True, False]


def test_json_form_and_shell_form() -> None:
    data = model(
        """\
        FROM alpine:3.20.2
        CMD ["node", \\
             "server.js"]
        ENTRYPOINT java -jar /app.jar
        RUN ["sh", "-c", "echo hi"]
        """
    )
    cmd, entrypoint, run = instructions(data)[1:]
    assert (cmd["json_form"], cmd["args"], cmd["line"], cmd["end_line"]) == (True, ["node", "server.js"], 2, 3)
    assert (entrypoint["json_form"], entrypoint["args"], entrypoint["value"]) == (False, None, "java -jar /app.jar")
    assert run["json_form"] is True
    assert [c["name"] for c in run["commands"]] == ["sh", "echo"]


def test_continuation_lines_keep_command_lines_and_skip_comments() -> None:
    data = model(
        """\
        FROM debian:12.6
        RUN apt-get update \\
        # a comment inside the RUN
         && apt-get install -y --no-install-recommends curl \\
         && rm -rf /var/lib/apt/lists/*
        COPY --chown=app \\
             --chmod=644 src/ /app/
        """
    )
    run, copy = instructions(data)[1:]
    assert (run["line"], run["end_line"]) == (2, 5)
    locations = build_model(textwrap.dedent("""\
        FROM debian:12.6
        RUN apt-get update \\
         && apt-get install -y curl
        """), "Dockerfile", None, None)[1]
    assert locations[("stages", 0, "instructions", 1, "commands", 1)].line == 3
    assert [c["name"] for c in run["commands"]] == ["apt-get", "apt-get", "rm"]
    assert copy["flags"] == {"chown": "app", "chmod": "644"}
    assert (copy["sources"], copy["dest"]) == (["src/"], "/app/")


def test_escape_directive_with_backtick() -> None:
    data = model(
        """\
        # escape=`
        FROM mcr.microsoft.com/windows/servercore:ltsc2022
        RUN powershell -Command `
            Write-Host hello
        CMD ["C:\\\\app\\\\server.exe", `
             "--port=80"]
        """
    )
    assert data["escape"] == "`"
    run, cmd = instructions(data)[1:]
    assert (run["line"], run["end_line"]) == (3, 4)
    assert run["commands"][0]["argv"] == ["powershell", "-Command", "Write-Host", "hello"]
    assert cmd["args"] == ["C:\\app\\server.exe", "--port=80"]


def test_heredocs_are_read_as_scripts_and_files() -> None:
    text = textwrap.dedent(
        """\
        FROM alpine:3.20.2
        RUN <<EOF
        apk add --no-cache curl
        echo done
        EOF
        COPY <<-'CONF' /etc/app.conf
        \tport = 80
        \tCONF
        CMD ["app"]
        """
    )
    data, locations = build_model(text, "Dockerfile", None, None)
    run, copy, cmd = instructions(data)[1:]
    assert (run["line"], run["end_line"]) == (2, 5)
    assert [c["name"] for c in run["commands"]] == ["apk", "echo"]
    assert locations[("stages", 0, "instructions", 1, "commands", 1)].line == 4
    assert copy["heredocs"] == [{"word": "CONF", "body": "\tport = 80"}]
    assert copy["dest"] == "/etc/app.conf"
    assert cmd["line"] == 9


def test_a_heredoc_opened_on_a_continuation_line_is_read_as_the_script() -> None:
    """BuildKit's own Dockerfile puts the marker after the --mount flags, on the instruction's second line."""
    text = textwrap.dedent(
        """\
        FROM golang:1.23.4 AS build
        RUN --mount=type=cache,target=/root/.cache \\
          --mount=target=/go/pkg/mod,type=cache <<EOT
          set -ex
          go build -o /usr/bin/app ./cmd/app
        EOT
        USER 10001
        """
    )
    data, locations = build_model(text, "Dockerfile", None, None)
    run, user = instructions(data)[1:]
    assert (run["line"], run["end_line"]) == (2, 6)
    assert [c["name"] for c in run["commands"]] == ["set", "go"]
    assert locations[("stages", 0, "instructions", 1, "commands", 1)].line == 5
    assert user["cmd"] == "USER" and user["line"] == 7


def test_unterminated_heredoc_is_an_error_with_its_line() -> None:
    with pytest.raises(LoadError) as caught:
        model("FROM alpine:3.20.2\nRUN <<EOF\necho never closed\n")
    assert caught.value.line == 2


def test_stage_facts_follow_the_parent_stage() -> None:
    data = model(
        """\
        FROM node:20.15.1 AS base
        USER node
        HEALTHCHECK CMD ["node", "health.js"]
        CMD ["node", "server.js"]
        FROM base
        ENV NODE_ENV=production
        """
    )
    final = data["stages"][1]
    assert final["user"] is None and final["effective_user"] == "node"
    assert final["inherits_healthcheck"] is True
    assert final["effective_cmd"]["args"] == ["node", "server.js"]
    assert final["root_base"]["image"] == "node:20.15.1"
    assert final["env"] == {"NODE_ENV": "production"}


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("FROM alpine:3.20.2\nRUN true\nFOO bar\n", 3, "unknown instruction 'FOO'"),
        ("FROM alpine:3.20.2\nCOPY --from=build /go/bin/ghz\n", 2, "requires at least two arguments"),
        ("RUN true\nFROM alpine:3.20.2\n", 1, "before the first FROM"),
        ("# just a comment\n", 1, "no FROM"),
        ("FROM\n", 1, "FROM needs an image"),
    ],
)
def test_malformed_dockerfiles_raise_load_errors_with_lines(text: str, line: int, words: str) -> None:
    with pytest.raises(LoadError) as caught:
        model(text)
    assert caught.value.line == line
    assert words in caught.value.message


def test_malformed_dockerfile_is_reported_in_errors_not_raised(tmp_path: Path, catalog: Any) -> None:
    (tmp_path / "Dockerfile.bench").write_text("FROM debian:12.6\nCOPY --from=ghz /go/bin/ghz\nUSER 65532\n")
    (tmp_path / "Dockerfile").write_text("FROM node:latest\nUSER node\n")
    result = scan([str(tmp_path)], catalog, Config(), base=tmp_path)
    assert [(e.path, e.line) for e in result.errors] == [("Dockerfile.bench", 2)]
    assert any(f.rule == "DF101" and f.path == "Dockerfile" for f in result.findings)


def test_corpus_single_argument_copy_is_an_error(catalog: Any) -> None:
    corpus = shared_or_skip("corpus")
    result = scan([str(corpus / "repo-grpc-cpp")], catalog, Config(), base=corpus)
    assert ("repo-grpc-cpp/bench/Dockerfile.bench", 10) in [(e.path, e.line) for e in result.errors]


def test_a_stage_refers_to_the_latest_earlier_stage_of_that_name() -> None:
    data = model(
        """\
        FROM node:20.15.1 AS build
        USER node
        FROM build AS test
        FROM golang:1.22.5 AS build
        FROM build
        """
    )
    assert data["stages"][1]["parent_stage"] == 0 and data["stages"][1]["effective_user"] == "node"
    assert data["stages"][3]["parent_stage"] == 2 and data["stages"][3]["effective_user"] is None


def test_built_stages_follow_from_copy_from_and_mounts() -> None:
    """Only the final stage and what it is built from are `built`: BuildKit skips the rest (a docs stage)."""
    from readycheck.loaders.dockerfile import build_model

    text = (
        "FROM alpine:3.20 AS deps\nRUN echo deps\n"
        "FROM alpine:3.20 AS docs\nRUN echo docs\n"
        "FROM deps AS build\nRUN --mount=type=bind,from=assets,target=/a echo build\n"
        "FROM alpine:3.20 AS assets\nRUN echo assets\n"
        "FROM alpine:3.20 AS tools\nRUN echo tools\n"
        "FROM alpine:3.20\nCOPY --from=build /x /x\nCOPY --from=2 /y /y\n"
    )
    data, _ = build_model(text, "Dockerfile", None, None)
    built = {s["name"] or "final": s["built"] for s in data["stages"]}
    # `assets` is declared after `build` names it (a later name is an image, not a stage); --from=2 is `build`
    assert built == {"deps": True, "docs": False, "build": True, "assets": False, "tools": False, "final": True}
    via_arg = build_model("FROM alpine:3.20 AS a\nFROM alpine:3.20 AS b\nARG FROM_STAGE=a\n"
                          "FROM alpine:3.20\nCOPY --from=${FROM_STAGE} /x /x\n", "Dockerfile", None, None)[0]
    assert all(s["built"] for s in via_arg["stages"])  # a stage named through a variable: any earlier one may be


def test_quoted_and_unquoted_sources_are_the_same_source() -> None:
    from readycheck.loaders.dockerfile import build_model

    data, _ = build_model('FROM alpine:3.20\nADD "app.tgz" /opt/\nADD app.tgz /opt/\n', "Dockerfile", None, None)
    sources = [i["sources"] for i in data["stages"][0]["instructions"] if i["cmd"] == "ADD"]
    assert sources == [["app.tgz"], ["app.tgz"]]
