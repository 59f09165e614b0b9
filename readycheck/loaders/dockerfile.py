"""Dockerfiles: stages, instructions, base images and the shell commands inside RUN.

`dockerfile-parse` splits the file into instructions (line continuations,
comments inside them, the escape directive). It does not know heredocs, so
heredoc bodies are masked before it sees them and read back from the raw
lines afterwards. Every instruction keeps its first and last line.
"""

from __future__ import annotations

import io
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from readycheck.discover import Target
from readycheck.judge.images import parse_image
from readycheck.loaders import LoadContext
from readycheck.model import CarriedSuppression, Document, Pointer, Span, Subject
from readycheck.shell import parse_script
from readycheck.textio import LoadError, ReadRefused, read_text

INSTRUCTIONS = {
    "FROM", "RUN", "CMD", "LABEL", "MAINTAINER", "EXPOSE", "ENV", "ADD", "COPY", "ENTRYPOINT",
    "VOLUME", "USER", "WORKDIR", "ARG", "ONBUILD", "STOPSIGNAL", "HEALTHCHECK", "SHELL",
}
_HEREDOC = re.compile(r"<<(-?)([\"']?)([A-Za-z_][A-Za-z0-9_]*)\2")
_DIRECTIVE = re.compile(r"^\s*#\s*([a-zA-Z]+)\s*=\s*(\S+)\s*$")
_VAR = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))")
_FLAG = re.compile(r"--([a-z][a-z-]*)(?:=(\S*))?")
_CONTINUATION_SPACE = re.compile(r"^(?:[ \t]|\\[ \t]*\n)*")
_KEYWORD = re.compile(r"\s*\S+\s?")
_CONTINUED_LINE = re.compile(r"\\[ \t]*\n")
_ESCAPED_NEWLINE = re.compile(r"\\\n")
MAX_LINES = 200_000


def substitute(text: str, variables: dict[str, str | None]) -> tuple[str, bool]:
    """Docker's `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR:+alt}`; False if something stayed unknown."""
    known = True

    def replace(match: re.Match[str]) -> str:
        nonlocal known
        name = match.group(1) or match.group(4)
        op, word = match.group(2), match.group(3)
        value = variables.get(name)
        if op in (":-", "-"):
            if value is None or (op == ":-" and value == ""):
                return substitute(word or "", variables)[0]
            return value
        if op in (":+", "+"):
            return (word or "") if value else ""
        if value is None:
            known = False
            return match.group(0)
        return value

    return _VAR.sub(replace, text), known


def split_image(ref: str) -> dict[str, Any]:
    """`registry/repository:tag@digest` into its parts, as the shared image judgements parse it."""
    return parse_image(ref).as_dict()


def parse_flags(value: str) -> tuple[dict[str, Any], str]:
    """Leading `--name=value` flags of an instruction, and the rest of its value."""
    flags: dict[str, Any] = {}
    rest = _CONTINUATION_SPACE.sub("", value.lstrip(), count=1)  # `RUN \` with its flags on the next lines
    while rest.startswith("--"):
        match = _FLAG.match(rest)
        if not match:
            break
        name, flag_value = match.group(1), match.group(2)
        if name == "mount":
            flags.setdefault("mount", []).append(_parse_mount(flag_value or ""))
        else:
            flags[name] = flag_value if flag_value is not None else True
        rest = _CONTINUATION_SPACE.sub("", rest[match.end() :], count=1)
    return flags, rest


def _parse_mount(spec: str) -> dict[str, str]:
    mount: dict[str, str] = {}
    for part in spec.split(","):
        key, _, val = part.partition("=")
        mount[key.strip()] = val.strip() if val else "true"
    mount.setdefault("type", "bind")
    return mount


def _heredoc_opener(lines: list[str], start: int, escape: str) -> tuple[int, list[tuple[str, str, str]]] | None:
    """The line whose heredoc markers open the bodies of the instruction starting at `start` (the first of its
    continued lines that holds a marker), and the markers up to it; None when the instruction opens no heredoc."""
    markers: list[tuple[str, str, str]] = []
    i = start
    while i < len(lines):
        line = lines[i]
        if i == start or not line.strip().startswith("#"):
            markers += _HEREDOC.findall(line)
        if markers:
            return i, markers
        if not line.rstrip().endswith(escape):
            return None
        i += 1
    return None


def _mask_heredocs(lines: list[str], escape: str) -> tuple[list[str], dict[int, tuple[int, list[tuple[str, list[str]]], int]]]:
    """Hide heredoc bodies from dockerfile-parse; remember them by their instruction's line."""
    masked = list(lines)
    bodies: dict[int, tuple[int, list[tuple[str, list[str]]], int]] = {}
    i = 0
    in_continuation = False
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if not in_continuation and not stripped.startswith("#"):
            words = stripped.split(None, 1)
            opener = _heredoc_opener(lines, i, escape) if words and words[0].upper() in ("RUN", "COPY", "ADD") else None
            if opener is not None:
                # the markers may stand on a continuation line (`RUN --mount=... \` then `  --mount=... <<EOT`)
                last, markers = opener
                if markers:
                    start = i
                    docs: list[tuple[str, list[str]]] = []
                    j = last + 1
                    for dash, _quote, word in markers:
                        body: list[str] = []
                        while j < len(lines):
                            candidate = lines[j].lstrip("\t") if dash else lines[j]
                            if candidate == word:
                                break
                            body.append(lines[j])
                            j += 1
                        if j >= len(lines):
                            raise LoadError(f"unterminated heredoc <<{word}", start + 1)
                        docs.append((word, body))
                        j += 1
                    end = j - 1
                    masked[last] = lines[last].rstrip() + " " + escape
                    for k in range(last + 1, end):
                        masked[k] = "heredoc " + escape
                    masked[end] = "heredoc"
                    bodies[start] = (end, docs, last)
                    i = end + 1
                    in_continuation = False
                    continue
        if not stripped.startswith("#") or in_continuation is False:
            in_continuation = stripped.endswith(escape) and not stripped.startswith("#")
        i += 1
    return masked, bodies


class DockerfileDocument(Document):
    kind = "dockerfile"
    text_is_file = True

    def carried_suppressions(self) -> list[CarriedSuppression]:
        """A Docker container action's image is judged as one: rules about long-running services do not apply."""
        action = self.data.get("action_image")
        if not action:
            return []
        return [CarriedSuppression(frozenset({name}), f"the image of the Docker container action in {action}: {why}")
                for name, why in ACTION_IMAGE_EXEMPT.items()]

    def final_index(self) -> int:
        return int(self.data["final_stage"])

    def _stage_subject(self, index: int) -> Subject:
        stage = self.data["stages"][index]
        return Subject(self, stage, ("stages", index), owner=("stages", index), key=f"stage:{stage['name'] or index}")

    def build_subjects(self, target: str) -> Iterator[Subject]:
        stages = self.data["stages"]
        if target == "dockerfile.file":
            yield Subject(self, self.data, (), owner=("stages", self.final_index()), key="file")
        elif target == "dockerfile.stage":
            for index in range(len(stages)):
                yield self._stage_subject(index)
        elif target == "dockerfile.final_stage":
            yield self._stage_subject(self.final_index())
        elif target in ("dockerfile.instruction", "dockerfile.final_instruction", "dockerfile.built_instruction"):
            for si, stage in enumerate(stages):
                if target == "dockerfile.final_instruction" and not stage["is_final"]:
                    continue
                if target == "dockerfile.built_instruction" and not stage["built"]:
                    continue
                for ii, ins in enumerate(stage["instructions"]):
                    yield Subject(self, ins, ("stages", si, "instructions", ii), key=f"{si}:{ins['cmd']}:{ins['original']}")
        elif target in ("dockerfile.command", "dockerfile.final_command", "dockerfile.built_command"):
            for si, stage in enumerate(stages):
                if target == "dockerfile.final_command" and not stage["is_final"]:
                    continue
                if target == "dockerfile.built_command" and not stage["built"]:
                    continue
                for ii, ins in enumerate(stage["instructions"]):
                    for ci, cmd in enumerate(ins.get("commands", [])):
                        pointer: Pointer = ("stages", si, "instructions", ii, "commands", ci)
                        yield Subject(self, cmd, pointer, key=f"{si}:{cmd['text']}", context={"instruction": ins, "stage": stage})


def _instruction_body(lines: list[str], start: int, end: int, escape: str) -> tuple[str, int]:
    """The instruction's text after its keyword, lines kept, comment lines blanked; and the column."""
    first = lines[start]
    match = _KEYWORD.match(first)
    column = match.end() if match else 0
    parts = [first[column:]]
    for k in range(start + 1, end + 1):
        line = lines[k]
        parts.append(escape if line.strip().startswith("#") or not line.strip() else line)
    body = "\n".join(parts)
    if escape != "\\":
        body = re.sub(re.escape(escape) + r"[ \t]*\n", "\\\n", body)
        body = re.sub(re.escape(escape) + r"$", "", body)
    return body, column


def _json_form(value: str) -> list[str] | None:
    text = value.strip()
    if not text.startswith("["):
        return None
    try:
        parsed = json.loads(text)
    except ValueError:
        return None
    if isinstance(parsed, list) and all(isinstance(p, str) for p in parsed):
        return parsed
    return None


def _unquoted(word: str) -> str:
    """A COPY/ADD path as BuildKit reads it: `"file.tgz"` and `file.tgz` are the same source."""
    if len(word) >= 2 and word[0] == word[-1] and word[0] in "\"'":
        return word[1:-1]
    return word


def _key_values(value: str) -> list[tuple[str, str]]:
    from dockerfile_parse.util import extract_key_values

    try:
        return [(str(k), str(v)) for k, v in extract_key_values(False, {}, {}, value)]
    except Exception:  # dockerfile-parse raises plain errors on unbalanced quotes
        raise LoadError(f"cannot parse key=value pairs: {value[:60]}") from None


def _end_trailing_continuation(lines: list[str], escape: str) -> None:
    """Docker runs an instruction still continued at the end of the file; dockerfile-parse drops it. End it there."""
    for k in range(len(lines) - 1, -1, -1):
        stripped = lines[k].rstrip()
        if not stripped or stripped.lstrip().startswith("#"):
            continue
        if stripped.endswith(escape):
            lines[k] = stripped[: -len(escape)]
        return


def find_dockerignore(path: Path) -> Path | None:
    """`Dockerfile.dockerignore` beside the Dockerfile, else `.dockerignore` (whatever it is: the reader judges)."""
    for candidate in (path.parent / f"{path.name}.dockerignore", path.parent / ".dockerignore"):
        if os.path.lexists(candidate):
            return candidate
    return None


def read_dockerignore(dockerfile: Path, context: LoadContext, root: Path) -> list[str] | None:
    """The patterns of the Dockerfile's ignore file; None without one. A refused one is an error entry."""
    dockerignore = find_dockerignore(dockerfile)
    if dockerignore is None:
        return None
    try:
        text = read_text(dockerignore, context.max_bytes, root)
    except ReadRefused as exc:
        context.unreadable(dockerignore, exc)
        return []
    except LoadError:
        return []
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.strip().startswith("#")]


def dotenv_evidence(dockerfile: Path, context: LoadContext, root: Path) -> str | None:
    """Why a `.env` may sit in the build context (the Dockerfile's folder), or None without evidence.

    An `.env*` file there (a `.env.example` means developers copy it to `.env`), or a `.gitignore`
    that ignores `.env` (developers keep one locally). Without either, no `.env` can be judged to exist.
    """
    from readycheck.checks.env import dotenv_gitignore
    from readycheck.textio import note_listing

    directory = dockerfile.resolve().parent
    note_listing(directory)
    try:
        names = sorted(entry.name for entry in os.scandir(directory))
    except OSError:
        names = []
    for name in names:
        if name == ".env" or name.startswith(".env."):
            return f"{name} is in the build context"
    gitignore, _ = dotenv_gitignore(directory, context.base.resolve(), root)
    if gitignore is not None:
        return f"{context.relpath(gitignore)} ignores .env, so developers keep one locally"
    return None


_EXECS_ARGS = re.compile(r'^\s*exec\s+(?:\S+\s+)*"\$(?:@|\{@\})"', re.M)
_SCRIPT_SOURCE = re.compile(r"[\w.-]+\.(?:sh|bash)\Z")


def context_scripts(data: dict[str, Any], dockerfile: Path, max_bytes: int, root: Path) -> dict[str, bool]:
    """For each shell script COPY'd from the build context (the Dockerfile's folder), whether it hands
    over to its arguments with `exec ... "$@"`: keyed by the script's file name, read under `root`.

    DF505 asks this of an entrypoint script: one that execs makes the application PID 1, which receives
    SIGTERM itself. A script that is not in the context (downloaded, built) is not in the map.
    """
    found: dict[str, bool] = {}
    directory = dockerfile.parent
    for stage in data["stages"]:
        for instruction in stage["instructions"]:
            if instruction["cmd"] not in ("COPY", "ADD") or instruction["flags"].get("from"):
                continue
            for source in instruction.get("sources") or []:
                if "$" in source or "*" in source or ".." in source.split("/") or source.startswith("/"):
                    continue
                name = source.rstrip("/").rsplit("/", 1)[-1]
                if not _SCRIPT_SOURCE.match(name) or name in found:
                    continue
                try:
                    script = read_text(directory / source, max_bytes, root)
                except LoadError:
                    continue
                lines = [ln.strip() for ln in script.splitlines() if ln.strip() and not ln.strip().startswith("#")]
                found[name] = bool(_EXECS_ARGS.search(script)) or bool(lines and lines[-1].startswith("exec "))
    return found


def git_in_context(dockerfile: Path) -> bool:
    """Whether the build context (the Dockerfile's folder) holds `.git`: only then can it be copied in."""
    from readycheck.textio import note_listing

    directory = dockerfile.resolve().parent
    note_listing(directory)
    return os.path.lexists(directory / ".git")


def build_model(text: str, display_path: str, dockerignore: list[str] | None, target_stage: str | None) -> tuple[dict[str, Any], dict[Pointer, Span]]:
    from dockerfile_parse import DockerfileParser

    lines = text.split("\n")
    if len(lines) > MAX_LINES:
        raise LoadError(f"file has {len(lines)} lines, over the {MAX_LINES}-line limit")
    escape = "\\"
    for line in lines:
        directive = _DIRECTIVE.match(line)
        if not directive:
            break
        if directive.group(1).lower() == "escape":
            escape = directive.group(2)
    _end_trailing_continuation(lines, escape)
    masked, heredocs = _mask_heredocs(lines, escape)
    parser = DockerfileParser(fileobj=io.BytesIO("\n".join(masked).encode("utf-8")), cache_content=False)
    try:
        structure = parser.structure
    except Exception as exc:
        raise LoadError(f"cannot parse Dockerfile: {exc}") from None

    locations: dict[Pointer, Span] = {}
    global_args: dict[str, str | None] = {}
    stage_variables: dict[str, str | None] = {}  # ARG and ENV values in force in the current stage
    stages: list[dict[str, Any]] = []
    names: set[str] = set()
    for item in structure:
        cmd = item["instruction"].upper()
        start, end = item["startline"], item["endline"]
        if cmd == "COMMENT":
            continue
        if cmd not in INSTRUCTIONS:
            raise LoadError(f"unknown instruction '{item['instruction']}'", start + 1)
        body, column = _instruction_body(lines, start, end, escape)
        if start in heredocs:
            body = "\n".join([lines[start][column:], *lines[start + 1:heredocs[start][2] + 1]])
        flags, rest = parse_flags(body)
        heredoc_docs = heredocs.get(start, (end, []))[1]
        original = item["content"].strip() if start not in heredocs else lines[start].strip()
        args = _json_form(_CONTINUED_LINE.sub(" ", rest))
        instruction: dict[str, Any] = {
            "cmd": cmd,
            "value": _ESCAPED_NEWLINE.sub(" ", rest).strip() if cmd != "RUN" else rest.strip(),
            "flags": flags,
            "json_form": args is not None,
            "args": args,
            "line": start + 1,
            "end_line": end + 1,
            "original": original[:500],
            "heredocs": [{"word": w, "body": "\n".join(b)} for w, b in heredoc_docs],
        }
        if cmd == "FROM":
            words = instruction["value"].split()
            if not words:
                raise LoadError("FROM needs an image", start + 1)
            name = words[2] if len(words) >= 3 and words[1].upper() == "AS" else None
            variables = dict(global_args)
            image, resolved = substitute(words[0], variables)
            is_stage_ref = image.lower() in names
            base: dict[str, Any] = split_image(image) if not is_stage_ref else {"registry": None, "repository": image, "tag": None, "digest": None}
            base.update({
                "raw": words[0],
                "image": image,
                "resolved": resolved,
                "via_arg": "$" in words[0],
                "is_stage_ref": is_stage_ref,
                "is_scratch": image.lower() == "scratch",
                "platform": flags.get("platform"),
            })
            stage = {"index": len(stages), "name": name, "base": base, "instructions": [instruction],
                     "line": start + 1, "is_final": False, "args": {}, "env": {}}
            if name:
                names.add(name.lower())
            stages.append(stage)
            stage_variables = {}  # a global ARG reaches a stage only once the stage declares it again
            si = len(stages) - 1
            locations[("stages", si)] = Span(start + 1, 1, end + 1)
            locations[("stages", si, "base")] = Span(start + 1, 1, end + 1)
            locations[("stages", si, "instructions", 0)] = Span(start + 1, 1, end + 1)
            continue
        if not stages:
            if cmd == "ARG":
                for key, value in _key_values(instruction["value"]):
                    global_args[key] = substitute(value, global_args)[0] if "=" in rest else None
                continue
            raise LoadError(f"{cmd} before the first FROM", start + 1)
        stage = stages[-1]
        si = len(stages) - 1
        ii = len(stage["instructions"])
        if cmd in ("ENV", "ARG", "LABEL"):
            instruction["pairs"] = [{"key": k, "value": v} for k, v in _key_values(instruction["value"])] if rest.strip() else []
            if cmd == "ARG":
                for pair in instruction["pairs"]:
                    stage["args"][pair["key"]] = pair["value"]
                    stage_variables[pair["key"]] = (substitute(pair["value"], stage_variables)[0] if "=" in rest
                                                    else global_args.get(pair["key"]))
            if cmd == "ENV":
                for pair in instruction["pairs"]:
                    stage["env"][pair["key"]] = pair["value"]
                    stage_variables[pair["key"]] = substitute(pair["value"], stage_variables)[0]
        if cmd == "USER":
            # resolved as FROM is, with the ARG and ENV values in force here; left as written when unknown
            instruction["resolved"] = substitute(instruction["value"], stage_variables)[0]
        if cmd in ("COPY", "ADD"):
            sources = instruction["args"] if instruction["json_form"] else instruction["value"].split()
            if not heredoc_docs and len(sources) < 2:
                raise LoadError(f"{cmd} requires at least two arguments, a source and a destination", start + 1)
            if not instruction["json_form"]:
                sources = [_unquoted(s) for s in sources]
            instruction["sources"] = sources[:-1] if not heredoc_docs else []
            instruction["dest"] = sources[-1] if sources else ""
        if cmd == "RUN":
            script_line = start
            script = rest
            if instruction["json_form"]:
                script = " ".join(instruction["args"] or [])
            if heredoc_docs:
                script = heredoc_docs[0][1] and "\n".join(heredoc_docs[0][1]) or ""
                script_line = heredocs[start][2] + 1  # the body starts after the line holding the marker
                if not rest.strip().startswith("<<"):
                    script = rest + "\n" + script
                    script_line = start
            parsed = parse_script(script)
            instruction["commands"] = [c.as_dict() for c in parsed.commands]
            for ci, command in enumerate(parsed.commands):
                line = script_line + command.line + 1
                locations[("stages", si, "instructions", ii, "commands", ci)] = Span(line, 1, line)
        stage["instructions"].append(instruction)
        locations[("stages", si, "instructions", ii)] = Span(start + 1, 1, end + 1)
    if not stages:
        raise LoadError("no FROM instruction: not a Dockerfile", 1)

    final = len(stages) - 1
    if target_stage:
        chosen = [s["index"] for s in stages if (s["name"] or "").lower() == target_stage.lower()]
        if chosen:
            final = chosen[0]
    stages[final]["is_final"] = True
    _summarise(stages)
    _mark_built(stages, final)
    data = {
        "path": display_path,
        "stages": stages,
        "stage_count": len(stages),
        "final_stage": final,
        "global_args": global_args,
        "escape": escape,
        "dockerignore": dockerignore,
    }
    locations[()] = Span(stages[final]["line"])
    return data, locations


def _summarise(stages: list[dict[str, Any]]) -> None:
    """Facts rules ask about a whole stage, following `FROM <stage>` to inherit USER, HEALTHCHECK, CMD."""
    by_name: dict[str, dict[str, Any]] = {}  # filled as we go: a stage refers to the latest earlier stage of that name
    for stage in stages:
        instructions = stage["instructions"]
        users = [i for i in instructions if i["cmd"] == "USER"]
        stage["user"] = users[-1]["resolved"] if users else None
        stage["user_written"] = users[-1]["value"] if users else None
        stage["user_line"] = users[-1]["line"] if users else None
        stage["healthchecks"] = sum(1 for i in instructions if i["cmd"] == "HEALTHCHECK")
        for cmd in ("CMD", "ENTRYPOINT"):
            found = [i for i in instructions if i["cmd"] == cmd]
            stage[cmd.lower()] = found[-1] if found else None
        parent = by_name.get(stage["base"]["image"].lower()) if stage["base"]["is_stage_ref"] else None
        if stage["name"]:
            by_name[stage["name"].lower()] = stage
        stage["parent_stage"] = parent["index"] if parent else None
        stage["effective_user"] = stage["user"] if stage["user"] is not None else (parent or {}).get("effective_user")
        stage["inherits_healthcheck"] = bool(parent and (parent["healthchecks"] or parent["inherits_healthcheck"]))
        for cmd in ("cmd", "entrypoint"):
            stage["effective_" + cmd] = stage[cmd] if stage[cmd] is not None else (parent or {}).get("effective_" + cmd)
        root = parent
        while root is not None and root["parent_stage"] is not None:
            root = stages[root["parent_stage"]]
        stage["root_base"] = (root or stage)["base"]


def _stage_sources(stage: dict[str, Any], stages: list[dict[str, Any]]) -> list[int] | None:
    """The earlier stages `stage` is built from (FROM, COPY/ADD --from, RUN --mount from=); None when one
    of them is named through a variable (then any earlier stage may be)."""
    names = {(s["name"] or "").lower(): s["index"] for s in stages[: stage["index"]] if s["name"]}
    found = [stage["parent_stage"]] if stage["parent_stage"] is not None else []
    refs: list[Any] = []
    for instruction in stage["instructions"]:
        if instruction["cmd"] in ("COPY", "ADD"):
            refs.append(instruction["flags"].get("from"))
        for mount in instruction["flags"].get("mount", []) if instruction["cmd"] == "RUN" else []:
            refs.append(mount.get("from"))
    for ref in refs:
        if not isinstance(ref, str) or not ref:
            continue
        if "$" in ref:
            return None
        if ref.lower() in names:
            found.append(names[ref.lower()])
        elif ref.isdigit() and int(ref) < stage["index"]:
            found.append(int(ref))
    return found


def _mark_built(stages: list[dict[str, Any]], final: int) -> None:
    """`built` on the final stage and every stage it needs, followed through their own sources."""
    for stage in stages:
        stage["built"] = False
    todo = [final]
    while todo:
        stage = stages[todo.pop()]
        if stage["built"]:
            continue
        stage["built"] = True
        sources = _stage_sources(stage, stages)
        todo.extend(range(stage["index"]) if sources is None else sources)


def docker_action_of(path: Path, max_bytes: int, root: Path) -> str | None:
    """The name of the `action.yml` beside `path` whose Docker container action runs `path`, if any.

    Only the Dockerfile's own directory is looked at (never above it: that
    could be outside the scanned tree), through the one reader under `root`.
    """
    for name in ("action.yml", "action.yaml"):
        candidate = path.parent / name
        if not candidate.is_file():
            continue
        from readycheck.yamlsource import load_yaml_documents  # only here: a lone Dockerfile never loads YAML

        try:
            documents = load_yaml_documents(read_text(candidate, max_bytes, root))
        except LoadError:
            continue  # the action file reports its own errors when it is checked
        runs = documents[0].data.get("runs") if documents and isinstance(documents[0].data, dict) else None
        if not isinstance(runs, dict) or str(runs.get("using", "")).lower() != "docker":
            continue
        image = runs.get("image")
        if isinstance(image, str) and not image.startswith("docker://") and (path.parent / image).resolve() == path.resolve():
            return name
    return None


ACTION_IMAGE_EXEMPT = {
    "runs-as-root": "GitHub runs a Docker container action as root: it must write to the job's workspace, "
                    "and GitHub's documentation says not to set USER in an action's Dockerfile",
    "healthcheck-missing": "a Docker container action runs one step to completion: there is no service to probe",
}
"""Rules that do not apply to the image of a Docker container action, each with the reason."""


def load(target: Target, context: LoadContext) -> list[Document]:
    root = context.root_of(target)
    text = read_text(target.path, context.max_bytes, root)
    display = context.relpath(target.path)
    data, locations = build_model(text, display, read_dockerignore(target.path, context, root), context.dockerfile_target)
    data["action_image"] = docker_action_of(target.path, context.max_bytes, root)
    data["context_scripts"] = context_scripts(data, target.path, context.max_bytes, root)
    data["dotenv_evidence"] = dotenv_evidence(target.path, context, root) if data["dockerignore"] is not None else None
    data["git_in_context"] = data["dockerignore"] is not None and git_in_context(target.path)
    return [DockerfileDocument(display, text, data, locations)]
