"""Loading a chart (directory or ``.tgz``) into memory.

Everything is read up front into a path->bytes map (after ``.helmignore``),
so directory charts and archives share one code path and rendering never
touches the filesystem again.
"""

from __future__ import annotations

import json
import os
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pathspec
import yaml

from readycheck.textio import LoadError, ReadRefused, note_listing, read_bytes, within

from .archive import ArchiveBudget, ArchiveError, ArchiveLimits, read_chart_archive
from .values_yaml import ValuesError, go_int, go_plain_scalar, parse_values_text

MAX_FILE_BYTES = 10_000_000
MAX_CHART_BYTES = 50_000_000
MAX_CHART_FILES = 5_000
MAX_SUBCHART_DEPTH = 10


class ChartLoadError(ValueError):
    """A chart that cannot be loaded at all; path is relative to the root chart."""

    def __init__(self, path: str, line: int | None, message: str) -> None:
        super().__init__(message)
        self.path = path
        self.line = line
        self.message = message


@dataclass
class Dependency:
    name: str
    version: str = ""
    repository: str = ""
    condition: str = ""
    tags: list[str] = field(default_factory=list)
    alias: str = ""
    import_values: list[Any] = field(default_factory=list)
    enabled: bool = True


@dataclass
class Chart:
    name: str
    version: str
    app_version: str | None
    api_version: str
    type: str
    path: str  # where it was loaded from: the chart directory or archive (for subcharts, below the root's)
    location: str  # directory relative to the root chart, "" for the root, e.g. "charts/redis"
    metadata: dict[str, Any]
    values: dict[str, Any]  # this chart's own values.yaml, provenance-tracked
    values_lines: dict[tuple[Any, ...], int]
    values_schema: dict[str, Any] | None
    values_files: list[str]
    templates: dict[str, str]  # "templates/x.yaml" -> source
    files: dict[str, bytes]  # what .Files sees
    dependencies: list[Dependency]
    subcharts: list[Chart]
    problems: list[ChartLoadError] = field(default_factory=list)  # non-fatal: bad subcharts etc.

    @property
    def is_library(self) -> bool:
        return self.type == "library"

    def display(self, relative: str) -> str:
        """Path of a chart file relative to the root chart directory."""
        return f"{self.location}/{relative}" if self.location else relative


_IGNORE_ALWAYS = ["templates/.?*"]


def _read_directory(root: Path, scan_root: Path, problems: list[ChartLoadError]) -> dict[str, bytes]:
    """Every file of the chart directory `root`, each read under `scan_root` by the one reader.

    A link to elsewhere in the scanned tree is not part of the chart and is
    skipped; a file the reader refuses (a link out of the scanned root, a
    FIFO or device) is added to `problems` and the chart loads without it.
    """
    files: dict[str, bytes] = {}
    total = 0
    chart_root = os.path.realpath(root)
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        note_listing(Path(dirpath))
        for filename in sorted(filenames):
            full = Path(dirpath) / filename
            relative = full.relative_to(root).as_posix()
            real = os.path.realpath(full)
            if within(real, str(scan_root)) and not within(real, chart_root):
                continue  # a link out of the chart is not part of it
            if len(files) >= MAX_CHART_FILES:
                raise ChartLoadError(relative, None, "chart is too large to load")
            try:
                data = read_bytes(full, MAX_FILE_BYTES, scan_root)
            except ReadRefused as exc:
                if exc.reason == ReadRefused.TOO_LARGE:
                    raise ChartLoadError(relative, None, "chart is too large to load") from None
                if relative == "Chart.yaml":
                    raise ChartLoadError(relative, exc.line, exc.message) from None  # no chart without it
                problems.append(ChartLoadError(relative, exc.line, exc.message))
                continue
            except LoadError as exc:
                raise ChartLoadError(relative, exc.line, exc.message) from None
            total += len(data)
            if total > MAX_CHART_BYTES:
                raise ChartLoadError(relative, None, "chart is too large to load")
            files[relative] = data
    return files


def _apply_helmignore(files: dict[str, bytes]) -> dict[str, bytes]:
    patterns = list(_IGNORE_ALWAYS)
    if ".helmignore" in files:
        patterns += files[".helmignore"].decode("utf-8", "replace").splitlines()
    spec = pathspec.PathSpec.from_lines("gitignore", patterns)
    return {path: data for path, data in files.items() if not spec.match_file(path)}


def _text(data: bytes) -> str:
    return data.decode("utf-8-sig", "replace")


def _yaml_doc(data: bytes, path: str) -> Any:
    try:
        return yaml.load(_text(data), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ChartLoadError(path, mark.line + 1 if mark else None, f"invalid YAML: {exc}") from None


_VERSION_KEYS = ("name", "version", "appVersion", "kubeVersion")


def _go_float32_text(value: float) -> str:
    """strconv.FormatFloat(value, 'g', -1, 32): the shortest float32 digits, exponent form past 1e+06."""
    if value != value or value in (float("inf"), float("-inf")):
        return {True: "+Inf", False: "-Inf"}[value > 0] if value == value else "NaN"
    if value == 0:
        return "0"
    target = struct.unpack("f", struct.pack("f", value))[0]
    for precision in range(1, 10):
        text = f"{target:.{precision}e}"
        if struct.unpack("f", struct.pack("f", float(text)))[0] == target:
            break
    mantissa, _, exponent_text = text.partition("e")
    digits = mantissa.replace("-", "").replace(".", "").rstrip("0") or "0"
    exponent = int(exponent_text)
    sign = "-" if target < 0 else ""
    if exponent < -4 or exponent >= 6:
        body = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{sign}{body}e{'-' if exponent < 0 else '+'}{abs(exponent):02d}"
    if exponent >= 0:
        whole = digits[: exponent + 1].ljust(exponent + 1, "0")
        fraction = digits[exponent + 1 :]
        return sign + whole + ("." + fraction if fraction else "")
    return sign + "0." + "0" * (-exponent - 1) + digits


def _version_texts(data: bytes) -> dict[str, str]:
    """Version-like fields as Helm reads them into Metadata's string fields (sigs.k8s.io/yaml): quoted text
    as written, an unquoted number through float32 (``appVersion: 1.10`` is "1.1", ``1.0`` is "1": the
    reason ``helm lint`` asks for quotes), other plain text as written."""
    text = _text(data)
    node = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    out: dict[str, str] = {}
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            is_text = isinstance(value, yaml.ScalarNode) and value.tag != "tag:yaml.org,2002:null"
            if isinstance(key, yaml.ScalarNode) and key.value in _VERSION_KEYS and is_text:
                out[key.value] = value.value
                if value.style in (None, "") and text[value.start_mark.index : value.start_mark.index + 1] != "!":
                    plain = go_plain_scalar(value.value)
                    whole = go_int(value.value.replace("_", "")) if value.value[:1] in "+-0123456789" else None
                    if whole is not None:
                        out[key.value] = str(whole)
                    elif isinstance(plain, bool):
                        out[key.value] = "true" if plain else "false"
                    elif isinstance(plain, float):
                        out[key.value] = _go_float32_text(plain)
    return out


def _dependencies(raw: Any, path: str) -> list[Dependency]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise ChartLoadError(path, None, "dependencies must be a list")
    deps = []
    for item in raw:
        if not isinstance(item, dict) or not item.get("name"):
            raise ChartLoadError(path, None, "every dependency needs a name")
        tags = item.get("tags") or []
        deps.append(Dependency(
            name=str(item["name"]), version=str(item.get("version") or ""), repository=str(item.get("repository") or ""),
            condition=str(item.get("condition") or ""), tags=[str(t) for t in tags] if isinstance(tags, list) else [],
            alias=str(item.get("alias") or ""), import_values=list(item.get("import-values") or []),
        ))
    return deps


def load_chart_files(files: dict[str, bytes], location: str = "", depth: int = 0, origin_path: str = "",
                     budget: ArchiveBudget | None = None, ignore: bool = True) -> Chart:
    """Build a Chart from its files; ``location`` places it under the root chart, ``origin_path``
    says where it was read from. Its subchart archives, nested ones too, share ``budget``.

    As Helm's loader: only the root chart's .helmignore applies (to the whole tree, subchart folders
    included); a subchart's own .helmignore was for packaging it, and archives are taken as packaged."""
    budget = budget or ArchiveBudget(MAX_CHART_BYTES)
    if ignore:
        files = _apply_helmignore(files)
    where = f"{location}/" if location else ""
    if "Chart.yaml" not in files:
        raise ChartLoadError(f"{where}Chart.yaml", None, "Chart.yaml is missing")
    metadata = _yaml_doc(files["Chart.yaml"], f"{where}Chart.yaml")
    if not isinstance(metadata, dict):
        raise ChartLoadError(f"{where}Chart.yaml", 1, "Chart.yaml must be a YAML map")
    metadata.update(_version_texts(files["Chart.yaml"]))
    name = str(metadata.get("name") or "")
    if not name:
        raise ChartLoadError(f"{where}Chart.yaml", None, "chart name is required")
    api_version = str(metadata.get("apiVersion") or "v1")
    problems: list[ChartLoadError] = []
    if not metadata.get("version"):
        problems.append(ChartLoadError(f"{where}Chart.yaml", None, "chart version is required"))

    deps_raw: Any = metadata.get("dependencies")
    if api_version == "v1" and "requirements.yaml" in files:
        requirements = _yaml_doc(files["requirements.yaml"], f"{where}requirements.yaml")
        deps_raw = requirements.get("dependencies") if isinstance(requirements, dict) else None
    dependencies = _dependencies(deps_raw, f"{where}Chart.yaml")

    values_text = _text(files["values.yaml"]) if "values.yaml" in files else ""
    try:
        values, values_lines = parse_values_text(values_text, f"{where}values.yaml")
    except ValuesError as exc:
        raise ChartLoadError(exc.file, exc.line, exc.message) from None

    schema = None
    if "values.schema.json" in files:
        try:
            schema = json.loads(_text(files["values.schema.json"]))
        except ValueError as exc:
            problems.append(ChartLoadError(f"{where}values.schema.json", None, f"invalid JSON: {exc}"))

    templates = {p: _text(d) for p, d in sorted(files.items()) if p.startswith("templates/")}
    special = {"Chart.yaml", "values.yaml", "values.schema.json", "requirements.yaml", "requirements.lock", "Chart.lock"}
    plain_files = {p: d for p, d in files.items()
                   if p not in special and not p.startswith(("templates/", "charts/"))}

    subcharts: list[Chart] = []
    for sub_location, sub_files, label in _subchart_sources(files, budget):
        try:
            if isinstance(sub_files, ArchiveError):
                raise sub_files
            if depth >= MAX_SUBCHART_DEPTH:
                raise ChartLoadError(f"{where}{label}", None, "subcharts nested too deeply")
            subcharts.append(load_chart_files(sub_files, f"{where}{sub_location}", depth + 1,
                                              f"{origin_path}/{label}" if origin_path else label, budget,
                                              ignore=False))
        except ChartLoadError as exc:
            problems.append(exc)
        except ArchiveError as exc:
            problems.append(ChartLoadError(f"{where}{label}", None, str(exc)))

    chart = Chart(
        name=name, version=str(metadata.get("version") or ""),
        app_version=None if metadata.get("appVersion") is None else str(metadata.get("appVersion")),
        api_version=api_version, type=str(metadata.get("type") or "application"), path=origin_path, location=location,
        metadata=metadata,
        values=values, values_lines=values_lines, values_schema=schema,
        values_files=[f"{where}values.yaml"] if "values.yaml" in files else [], templates=templates,
        files=plain_files, dependencies=dependencies, subcharts=subcharts, problems=problems,
    )
    return chart


def _subchart_sources(files: dict[str, bytes], budget: ArchiveBudget) -> list[tuple[str, dict[str, bytes] | ArchiveError, str]]:
    """(path under the parent, files or the archive's error, label for errors) of each ``charts/`` entry.

    Once the chart's archive budget is spent, the archives left are one error, not one each.
    """
    directories: dict[str, dict[str, bytes]] = {}
    sources: list[tuple[str, dict[str, bytes] | ArchiveError, str]] = []
    unread: list[str] = []
    for file_path, data in sorted(files.items()):
        if not file_path.startswith("charts/"):
            continue
        head, sep, tail = file_path[len("charts/") :].partition("/")
        if sep:
            directories.setdefault(head, {})[tail] = data
        elif head.endswith((".tgz", ".tar.gz")):
            if budget.exhausted:
                unread.append(head)
                continue
            try:
                top, archived = read_chart_archive(data, ArchiveLimits(), budget)
            except ArchiveError as exc:
                sources.append((f"charts/{head}", exc, f"charts/{head}"))
                continue
            sources.append((f"charts/{top}", archived, f"charts/{head}"))
    if unread:
        sources.append((f"charts/{unread[0]}", ArchiveError(
            f"{len(unread)} subchart archive(s) not read ({unread[0]} first): the chart's archives already expand "
            f"beyond {budget.total} bytes together"), f"charts/{unread[0]}"))
    for name, sub_files in sorted(directories.items()):
        sources.append((f"charts/{name}", sub_files, f"charts/{name}"))
    return sources


def load_chart(chart_dir: str | Path, scan_root: str | Path | None = None) -> Chart:
    """A chart directory or archive, read under `scan_root` (default: the chart itself, resolved)."""
    root = Path(chart_dir)
    within_root = Path(os.path.realpath(scan_root if scan_root is not None else root))
    budget = ArchiveBudget(MAX_CHART_BYTES)
    if root.name.endswith((".tgz", ".tar.gz")) and root.is_file():
        try:
            _top, files = read_chart_archive(read_bytes(root, ArchiveLimits().max_compressed_bytes, within_root),
                                             budget=budget)
        except ArchiveError as exc:
            raise ChartLoadError(root.name, None, str(exc)) from None
        except LoadError as exc:
            raise ChartLoadError(root.name, exc.line, exc.message) from None
        return load_chart_files(files, origin_path=str(root), budget=budget, ignore=False)
    if not root.is_dir():
        raise ChartLoadError(str(root), None, "chart directory not found")
    problems: list[ChartLoadError] = []
    chart = load_chart_files(_read_directory(root, within_root, problems), origin_path=str(root), budget=budget)
    chart.problems[:0] = problems
    return chart
