"""Secrets baked into an image, untrusted downloads, and more privilege than the image needs."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from readycheck.judge.commands import (
    command_words,
    insecure_variable,
    password_set_in_script,
    piped_into_shell,
    tls_off,
)
from readycheck.model import Hit, Span, Subject
from readycheck.secrets import redact, scan_text, scan_value
from readycheck.wording import with_article

if TYPE_CHECKING:
    from readycheck.targets import Command, Dockerfile, Instruction


def _line_of(subject: Subject, instruction: Mapping[str, Any], value: str) -> Span | None:
    """The file line, within the instruction, that holds `value` (comment lines skipped)."""
    lines = subject.doc.lines
    for number in range(instruction["line"], min(instruction["end_line"], len(lines)) + 1):
        text = lines[number - 1]
        if value in text and not text.lstrip().startswith("#"):
            return Span(number)
    return None


def secret_in_env_or_arg(subject: Subject[Instruction], options: dict[str, Any]) -> Iterator[Hit]:
    instruction = subject.data
    if instruction["cmd"] not in ("ENV", "ARG", "LABEL"):
        return
    for pair in instruction.get("pairs", []):
        key, value = pair["key"], pair["value"]
        if not value:
            continue
        for match in scan_value(value, key=key if instruction["cmd"] != "LABEL" else None, context="dockerfile"):
            yield Hit(f"{instruction['cmd']} {key} holds {with_article(match.description)} ({redact(match.value)}): it stays in "
                      "the image history; pass it at run time or with RUN --mount=type=secret",
                      span=_line_of(subject, instruction, match.value))
            break


_SECRET_NAMES = {"id_rsa", "id_dsa", "id_ecdsa", "id_ed25519", "credentials.json", ".npmrc", ".pypirc", ".netrc",
                 ".git-credentials", ".htpasswd", "service-account.json", "secrets.json", "secrets.yaml", "secrets.yml"}
_SECRET_SUFFIXES = (".pem", ".key", ".p12", ".pfx", ".jks", ".keystore")
_SECRET_DIRS = (".ssh", ".aws", ".gnupg", ".docker", ".kube")
_PUBLIC_HINTS = ("cert", "chain", "bundle", "pub", "ca.", "ca-", "-ca", "_ca", "root")
_ENV_TEMPLATES = ("example", "sample", "template", "dist", "defaults", "schema")


def secret_file(source: str) -> bool:
    """A path whose name says it holds credentials (`.env`, `id_rsa`, `*.key`, `.aws/`...)."""
    path = PurePosixPath(source.rstrip("/"))
    name = path.name.lower()
    if any(part in _SECRET_DIRS for part in path.parts):
        return True
    if name in _SECRET_NAMES:
        return True
    if name == ".env" or (name.startswith(".env.") and not any(t in name for t in _ENV_TEMPLATES)):
        return True
    if name.endswith(".pem"):  # a .pem may hold a certificate chain, which is public
        return not any(h in name for h in _PUBLIC_HINTS)
    return name.endswith(_SECRET_SUFFIXES)


def secret_file_copied(subject: Subject[Instruction], options: dict[str, Any]) -> Iterator[Hit]:
    instruction = subject.data
    if instruction["cmd"] not in ("COPY", "ADD"):
        return
    for source in instruction.get("sources", []):
        if "://" not in source and secret_file(source):
            yield Hit(f"{instruction['cmd']} puts the secret file '{source}' into an image layer: "
                      "use RUN --mount=type=secret,id=... instead")
            return


def credentials_in_run(subject: Subject[Instruction], options: dict[str, Any]) -> Iterator[Hit]:
    instruction = subject.data
    if instruction["cmd"] != "RUN":
        return
    script = "\n".join([instruction["value"], *(h["body"] for h in instruction["heredocs"])])
    commands = instruction.get("commands") or []
    for index in range(len(commands)):
        verdict = password_set_in_script(commands, index)
        if verdict is not None:
            yield Hit(verdict.message, at=("commands", index))
    for match in scan_text(script, context="dockerfile"):
        span = _line_of(subject, instruction, match.value)
        if span is None:
            continue
        yield Hit(f"RUN holds {with_article(match.description)} ({redact(match.value)}): it stays in the image history; "
                  "use RUN --mount=type=secret", span=span)


def pipe_to_shell(subject: Subject[Command], options: dict[str, Any]) -> Iterator[Hit]:
    siblings = subject.context.get("instruction", {}).get("commands") or []
    index = subject.pointer[-1]
    verdict = piped_into_shell(siblings, index) if 0 <= index < len(siblings) else None
    if verdict is not None:
        yield Hit(verdict.message)


def tls_verification_disabled(subject: Subject[Command], options: dict[str, Any]) -> Iterator[Hit]:
    verdict = tls_off(subject.data)
    if verdict is not None:
        yield Hit(verdict.message)


_WORLD_WRITABLE_SYMBOLIC = re.compile(r"^(?:[ugo]*a[ugoa]*|[ugoa]*o[ugoa]*)[+=][rwxXst]*w")


def _world_writable(mode: str) -> bool:
    if re.fullmatch(r"[0-7]{3,4}", mode):
        digits = mode.zfill(4)
        return int(digits[-1]) & 2 != 0 and int(digits[0]) & 1 == 0
    return any(_WORLD_WRITABLE_SYMBOLIC.match(part) for part in mode.split(","))


def chmod_world_writable(subject: Subject[Command], options: dict[str, Any]) -> Iterator[Hit]:
    words = command_words(subject.data)
    if not words or words[0].rsplit("/", 1)[-1] != "chmod":
        return
    modes = [w for w in words[1:] if not w.startswith("-") or not re.fullmatch(r"-[Rvfc]+|--[a-z-]+(=.*)?", w)]
    if modes and _world_writable(modes[0]):
        yield Hit(f"chmod {modes[0]} makes files writable by every user: any process in the container can "
                  "replace them; grant the owner only (e.g. 755, or chown to the app user)")


def expose_ssh(subject: Subject[Instruction], options: dict[str, Any]) -> Iterator[Hit]:
    instruction = subject.data
    if instruction["cmd"] != "EXPOSE":
        return
    for port in instruction["value"].split():
        if port.split("/", 1)[0] == "22":
            yield Hit("EXPOSE 22: an SSH server in a container is a second way in; use `docker exec` or "
                      "`kubectl exec` to get a shell")
            return


def insecure_tls_environment(subject: Subject[Instruction], options: dict[str, Any]) -> Iterator[Hit]:
    instruction = subject.data
    if instruction["cmd"] not in ("ENV", "ARG"):
        return
    for pair in instruction.get("pairs", []):
        value = pair["value"].strip().strip("'\"")
        if instruction["cmd"] == "ARG" and not pair["value"] and "=" not in instruction["value"]:
            continue  # `ARG NAME` with no default: unset unless the build passes it
        if insecure_variable(pair["key"], value):
            yield Hit(f"{instruction['cmd']} {pair['key']}={value} turns off TLS verification for every later "
                      "download in the build (and at run time for ENV)", span=_line_of(subject, instruction, pair["key"]))


_SECRET_NAME_WORDS = {"apikey", "auth", "credential", "credentials", "key", "password", "passwd", "pword", "secret",
                      "secrets", "token", "pat"}
_NOT_SECRET_WORDS = {"public", "file", "path", "dir", "url", "host", "name", "user", "username", "type", "version",
                     "size", "length", "algorithm", "format", "id_file"}


def secret_name(name: str) -> bool:
    """`NPM_TOKEN`, `openai_api_key`, `DbPassword`: a variable name that says it carries a credential."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    words = {w for w in re.split(r"[_\-.]+", spaced.lower()) if w}
    return bool(words & _SECRET_NAME_WORDS) and not words & _NOT_SECRET_WORDS


def _global_arg_lines(subject: Subject) -> dict[str, int]:
    found: dict[str, int] = {}
    first_from = subject.doc.data["stages"][0]["line"]
    for number, text in enumerate(subject.doc.lines[: first_from - 1], 1):
        match = re.match(r"\s*ARG\s+([A-Za-z_][A-Za-z0-9_]*)", text, re.IGNORECASE)
        if match:
            found.setdefault(match.group(1), number)
    return found


def secret_build_arg(subject: Subject[Dockerfile], options: dict[str, Any]) -> Iterator[Hit]:
    """ARGs named like credentials: the value given with --build-arg is kept in the image history of every RUN
    that sees it. (A default value that is a secret is DF601's.)"""
    for name, line in _global_arg_lines(subject).items():
        if secret_name(name) and not subject.doc.data["global_args"].get(name):
            yield Hit(f"ARG {name} looks like a credential: a value passed with --build-arg stays in the image "
                      "history; use RUN --mount=type=secret", span=Span(line))
    for si, stage in enumerate(subject.data["stages"]):
        for ii, instruction in enumerate(stage["instructions"]):
            if instruction["cmd"] != "ARG":
                continue
            for pair in instruction.get("pairs", []):
                if secret_name(pair["key"]) and not pair["value"]:
                    yield Hit(f"ARG {pair['key']} looks like a credential: a value passed with --build-arg stays in "
                              "the image history; use RUN --mount=type=secret", at=("stages", si, "instructions", ii))
