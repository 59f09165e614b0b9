"""Chart-level checks: Chart.yaml, values files against values.schema.json, image tags in values."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from readycheck.judge.images import ImageRef, major_only
from readycheck.judge.locate import hit_at, located_key
from readycheck.model import Hit, Pointer, Subject

if TYPE_CHECKING:
    from readycheck.targets import Chart

SEMVER = re.compile(
    r"^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$"
)


def _at(subject: Subject, pointer: Pointer, message: str) -> Hit:
    """A hit at the nearest located part of `pointer`, in whichever chart file holds it, keyed by that part."""
    return hit_at(subject, pointer, message, key=located_key(subject, pointer))


def chart_api_version(subject: Subject[Chart], options: dict[str, Any]) -> Iterator[Hit]:
    api_version = subject.data["chart"].get("apiVersion")
    if api_version not in ("v1", "v2"):
        yield _at(subject, ("chart", "apiVersion"), f"Chart.yaml apiVersion is {api_version!r}: Helm knows only v1 and v2")


def chart_version_semver(subject: Subject[Chart], options: dict[str, Any]) -> Iterator[Hit]:
    version = subject.data["chart"].get("version")
    if not isinstance(version, str) or not SEMVER.match(version):
        yield _at(subject, ("chart", "version"), f"Chart.yaml version {version!r} is not a semantic version (such as 1.4.2)")


def app_version_missing(subject: Subject[Chart], options: dict[str, Any]) -> Iterator[Hit]:
    chart = subject.data["chart"]
    if subject.data["templates_use_app_version"] and not chart.get("appVersion"):
        yield _at(subject, ("chart", "name"), "templates use .Chart.AppVersion (an image tag default) but Chart.yaml has no appVersion")


def _value_sets(data: Mapping[str, Any]) -> Iterator[tuple[Pointer, dict[str, Any]]]:
    yield ("values",), data["values"]
    for index, overlay in enumerate(data["overlays"]):
        yield ("overlays", index, "values"), overlay["values"]


def _images(values: Any, pointer: Pointer = ()) -> Iterator[tuple[Pointer, dict[str, Any]]]:
    """Mappings that describe an image: a `repository` next to a `tag`."""
    if isinstance(values, dict):
        if "repository" in values and "tag" in values:
            yield pointer, values
        for key, value in values.items():
            yield from _images(value, pointer + (key,))
    elif isinstance(values, list):
        for index, value in enumerate(values):
            yield from _images(value, pointer + (index,))


def image_tag_floating(subject: Subject[Chart], options: dict[str, Any]) -> Iterator[Hit]:
    data = subject.data
    for prefix, values in _value_sets(data):
        for pointer, image in _images(values):
            tag = image.get("tag")
            if isinstance(tag, str) and tag.strip().lower() == "latest":
                yield _at(subject, prefix + pointer + ("tag",), f"image '{image['repository']}' defaults to tag 'latest'")
            elif tag in (None, "") and not image.get("digest") and not data["templates_use_app_version"]:
                yield _at(subject, prefix + pointer + ("tag",),
                          f"image '{image['repository']}' has an empty tag and no appVersion fallback: it renders untagged")
            elif isinstance(tag, (str, int)) and not isinstance(tag, bool):
                digest = image.get("digest")
                what = major_only(ImageRef(None, str(image["repository"]), str(tag).strip(),
                                           digest if isinstance(digest, str) else None))
                if what:
                    yield _at(subject, prefix + pointer + ("tag",),
                              f"image '{image['repository']}' {what}: pin a minor or patch version")


def values_schema_class(schema: Any) -> Any:
    """The validator class for a chart's values.schema.json: Helm validates with draft 7 semantics by default."""
    from jsonschema import Draft7Validator

    from readycheck.schemaref import class_for

    return class_for(schema, default=Draft7Validator)


def values_schema_violation(subject: Subject[Chart], options: dict[str, Any]) -> Iterator[Hit]:
    from readycheck.helm.values import coalesce_tables
    from readycheck.schemaref import validator
    from readycheck.secrets import mask_secrets

    data = subject.data
    schema = data["schema"]
    if not isinstance(schema, dict):
        return  # none, or one refused by the loader (a reference outside it): an error entry says so
    checker = validator(schema, values_schema_class(schema))  # never retrieves a reference
    sets: list[tuple[list[Pointer], Any]] = [([("values",)], data["values"])]
    for index, overlay in enumerate(data["overlays"]):
        # what Helm validates: the overlay coalesced over the chart's defaults (null deletes a key)
        sets.append(([("overlays", index, "values"), ("values",)], coalesce_tables(overlay["values"], data["values"])))
    seen: set[tuple[str, int, str]] = set()
    for prefixes, values in sets:
        for error in sorted(checker.iter_errors(values), key=lambda e: list(map(str, e.absolute_path))):
            path = tuple(error.absolute_path)
            owner = next((p + path for p in prefixes if p + path in subject.doc.locations), prefixes[-1] + path)
            where = ".".join(str(p) for p in path) or "(top level)"
            hit = _at(subject, owner, f"values {where}: {mask_secrets(error.message)[:300]}")
            marker = (hit.path or "", hit.span.line if hit.span else 0, hit.message)
            if marker not in seen:
                seen.add(marker)
                yield hit
