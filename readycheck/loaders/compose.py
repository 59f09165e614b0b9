"""Compose files: services with their location, merged with a `*.override.*` file as compose does.

`x-` extension fields and YAML anchors are already resolved by yamlsource. Interpolation (`${VAR}`,
`${VAR:-default}`, `${VAR:?error}`) is kept in the data and understood by readycheck.compose_interp.
A service built from a Dockerfile in scope learns whether that Dockerfile declares a HEALTHCHECK.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from readycheck.discover import Target
from readycheck.loaders import LoadContext
from readycheck.model import Document, Pointer, Span, Subject, nearest
from readycheck.textio import LoadError, ReadRefused, read_text
from readycheck.yamlsource import load_yaml_documents

_PRODUCTION = re.compile(r"(^|[._-])prod(uction)?([._-]|$)", re.I)
_HEALTHCHECK = re.compile(r"^\s*HEALTHCHECK\s+(?P<none>NONE\b)?", re.I | re.M)
_FROM = re.compile(r"^\s*FROM\s+(?:--\S+\s+)*(?P<base>\S+)(?:\s+AS\s+(?P<name>\S+))?", re.I | re.M)
_REPLACED_LISTS = {"command", "entrypoint", "test"}
"""Sequences an override replaces (compose merges the other sequences, such as ports and volumes)."""


class ComposeDocument(Document):
    """A compose project file (merged with its override); `data` is the mapping."""

    kind = "compose"
    text_is_file = True

    def __init__(self, path: str, text: str, data: Any, locations: dict[Pointer, Span],
                 display_paths: dict[Pointer, str], production: bool, healthchecked: dict[str, bool | None]) -> None:
        super().__init__(path, text, data, locations)
        self.display_paths = display_paths
        self.production = production
        self.healthchecked = healthchecked

    def display_path_for(self, pointer: Pointer) -> str:
        found = nearest(self.display_paths, pointer)
        return found[1] if found is not None else self.path

    def services(self) -> dict[str, Any]:
        services = self.data.get("services") if isinstance(self.data, dict) else None
        return {str(k): v for k, v in services.items() if isinstance(v, dict)} if isinstance(services, dict) else {}

    def build_subjects(self, target: str) -> Iterator[Subject]:
        if target != "compose.service":
            return
        services = self.services()
        one_shot = _one_shot_services(services)
        for name, service in services.items():
            pointer = ("services", name)
            yield Subject(self, service, pointer, pointer, f"service/{name}", {
                "name": name,
                "production": self.production,
                "long_running": name not in one_shot,
                "dockerfile_healthcheck": self.healthchecked.get(name),
                "services": services,
            })


def _one_shot_services(services: dict[str, Any]) -> set[str]:
    """Services others wait on to *complete* (migrations, seeders): they are not long-running."""
    found = set()
    for service in services.values():
        depends = service.get("depends_on")
        if isinstance(depends, dict):
            for dep, spec in depends.items():
                if isinstance(spec, dict) and spec.get("condition") == "service_completed_successfully":
                    found.add(str(dep))
    return found


def override_base(path: Path) -> Path | None:
    """For `compose.override.yaml` / `docker-compose.override.yml`, the base file beside it, if any."""
    stem, dot, ext = path.name.rpartition(".")
    if not dot or not stem.endswith(".override"):
        return None
    base_stem = stem[: -len(".override")]
    for candidate in (f"{base_stem}.{ext}", f"{base_stem}.yaml", f"{base_stem}.yml"):
        if (path.parent / candidate).is_file():
            return path.parent / candidate
    return None


def override_of(path: Path) -> Path | None:
    stem, dot, ext = path.name.rpartition(".")
    if not dot or stem.endswith(".override"):
        return None
    for candidate in (f"{stem}.override.{ext}", f"{stem}.override.yaml", f"{stem}.override.yml"):
        if (path.parent / candidate).is_file():
            return path.parent / candidate
    return None


def _parse(path: Path, context: LoadContext, root: Path) -> tuple[str, Any, dict[Pointer, Span]]:
    text = read_text(path, context.max_bytes, root)
    docs = load_yaml_documents(text)
    if not docs or docs[0].data is None:
        return text, {}, {}
    if not isinstance(docs[0].data, dict):
        raise LoadError("a compose file must be a mapping", docs[0].start_line)
    return text, docs[0].data, docs[0].locations


def merge(base: Any, override: Any, pointer: Pointer, locations: dict[Pointer, Span],
          override_locations: dict[Pointer, Span], paths: dict[Pointer, str], override_path: str) -> Any:
    """Compose's merge: mappings key by key, most sequences appended, command/entrypoint/test replaced."""

    def take(value: Any, src: Pointer, dst: Pointer) -> Any:
        n = len(src)
        for p, span in override_locations.items():
            if p[:n] == src:
                locations[dst + p[n:]] = span
        paths[dst] = override_path
        return value

    if isinstance(base, dict) and isinstance(override, dict):
        result = dict(base)
        for key, value in override.items():
            child = pointer + (key,)
            if key in base:
                result[key] = merge(base[key], value, child, locations, override_locations, paths, override_path)
            else:
                result[key] = take(value, child, child)
        return result
    if isinstance(base, list) and isinstance(override, list) and (not pointer or pointer[-1] not in _REPLACED_LISTS):
        result_list = list(base)
        for j, item in enumerate(override):
            if item not in result_list:
                result_list.append(take(item, pointer + (j,), pointer + (len(result_list),)))
        return result_list
    n = len(pointer)
    for p in [p for p in locations if p[:n] == pointer and len(p) > n]:
        del locations[p]
    return take(override, pointer, pointer)


def declares_healthcheck(dockerfile: str, target: str | None = None) -> bool:
    """Whether the stage compose builds (`target`, else the last) has a HEALTHCHECK, through its stage bases.

    Only the instruction's presence is read (the last one wins, so `HEALTHCHECK NONE` turns it off).
    """
    froms = list(_FROM.finditer(dockerfile))
    if not froms:
        return False
    stages = []
    for i, match in enumerate(froms):
        end = froms[i + 1].start() if i + 1 < len(froms) else len(dockerfile)
        stages.append((match["base"].lower(), (match["name"] or "").lower(), dockerfile[match.end():end]))
    by_name = {name: i for i, (_, name, _) in enumerate(stages) if name}
    index: int | None = by_name.get(target.lower(), len(stages) - 1) if target else len(stages) - 1
    seen: set[int] = set()
    while index is not None and index not in seen:
        seen.add(index)
        base, _, text = stages[index]
        found = list(_HEALTHCHECK.finditer(text))
        if found:
            return found[-1]["none"] is None
        earlier = by_name.get(base)
        index = earlier if earlier is not None and earlier < index else None
    return False


def _dockerfile_healthcheck(service: dict[str, Any], directory: Path, context: LoadContext, root: Path) -> bool | None:
    """Whether the Dockerfile a service is built from declares HEALTHCHECK; None when not built or not found.

    The Dockerfile is read under the scanned root: one outside it (a link, a `../` context) is an error entry.
    """
    build = service.get("build")
    if isinstance(build, str):
        build = {"context": build}
    if not isinstance(build, dict):
        return None
    target = build.get("target") if isinstance(build.get("target"), str) else None
    if isinstance(build.get("dockerfile_inline"), str):
        return declares_healthcheck(build["dockerfile_inline"], target)
    context_dir, dockerfile = build.get("context") or ".", build.get("dockerfile") or "Dockerfile"
    if not isinstance(context_dir, str) or "://" in context_dir or not isinstance(dockerfile, str):
        return None
    path = directory / context_dir / dockerfile
    try:
        return declares_healthcheck(read_text(path, context.max_bytes, root), target)
    except ReadRefused as exc:
        context.unreadable(path, exc)
        return None
    except LoadError:
        return None


def load(target: Target, context: LoadContext) -> list[Document]:
    path = target.path
    root = context.root_of(target)
    text, data, locations = _parse(path, context, root)
    if override_base(path) is not None:
        return []  # merged into its base file's document (parse errors above are still reported)
    display_paths: dict[Pointer, str] = {}
    override = override_of(path)
    if override is not None:
        try:
            _, override_data, override_locations = _parse(override, context, root)
        except LoadError:
            override_data = None  # reported when the override file itself is loaded; the base is checked alone
        if isinstance(override_data, dict):
            data = merge(data, override_data, (), locations, override_locations, display_paths,
                         context.relpath(override))
    services = data.get("services") if isinstance(data.get("services"), dict) else {}
    healthchecked = {str(name): _dockerfile_healthcheck(service, path.parent, context, root)
                     for name, service in services.items() if isinstance(service, dict)}
    production = bool(_PRODUCTION.search(path.name))
    return [ComposeDocument(context.relpath(path), text, data, locations, display_paths, production, healthchecked)]
