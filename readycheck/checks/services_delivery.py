"""Delivery across a service's artifacts: what a workflow deploys is what some pipeline of the repository builds.

A chart deployed by a workflow (`helm upgrade --install`) runs its `image.repository` (or the repository the step
sets with `--set image.repository=`); manifests applied with `kubectl apply -f` run their containers' images. When the repository's pipelines build images, and none of them builds that
one, the deploy ships an image nobody in the repository builds: a repository renamed on one side only, or a build
removed while its deploy stayed.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from readycheck.checks.services import _at
from readycheck.model import Hit, Subject
from readycheck.services import image_name
from readycheck.targets import Service


def _deployed_repository(deploy: dict[str, Any], chart_images: dict[str, dict[str, Any]]) -> tuple[str, Any] | None:
    """(image reference, where it is written) a helm deploy runs: `--set image.repository=` (with
    `image.registry`), else the chart's own `image.repository`; None when a set value changes it in a way not read."""
    sets = deploy.get("sets") or {}
    repository = sets.get("image.repository")
    registry = sets.get("image.registry")
    if repository:
        return (f"{registry}/{repository}" if registry else repository), [deploy["path"], deploy["line"]]
    if registry or sets.get("image.image") or sets.get("image"):
        return None  # the registry or the whole reference replaced at deploy time: the chart's default is not run
    edge = chart_images.get(deploy["node"])
    return (edge["from"].split(":", 1)[1], edge["at"]) if edge is not None else None


def deployed_image_not_built(subject: Subject[Service], options: dict[str, Any]) -> Iterator[Hit]:
    """A workflow deploys a chart whose image repository no pipeline of the scan builds, while the scan's
    pipelines build other images of the same registry namespace (and every build's image is known)."""
    service = subject.data
    scan = service.get("scan_builds")
    if not scan or scan["hidden"] or not scan["images"]:
        return
    built = set(scan["images"])
    namespaces = {name.rsplit("/", 1)[0] for name in built}
    chart_images = {e["to"]: e for e in service["links"] if e["how"] == "chart image.repository"}
    deployed: list[tuple[dict[str, Any], str, str, Any]] = []  # (step, what it deploys, image reference, where written)
    for deploy in service["deploys"]:
        if deploy["type"] == "helm" and (found := _deployed_repository(deploy, chart_images)) is not None:
            deployed.append((deploy, f"the chart {deploy['node'].split(':', 1)[1]}", *found))
    runs = {f"k8s:{r['path']}#{r.get('workload')}/{r.get('container')}": r for r in service["runs"] if r["type"] == "kubernetes"}
    for apply in service.get("applies") or []:
        for node in apply["runs"]:
            run = runs.get(node)
            if run is not None and run.get("image"):
                deployed.append((apply, f"the manifest {run['path']}", str(run["image"]), run.get("image_place") or [run["path"], 1]))
    seen: set[tuple[str, int, str]] = set()
    for step, what, reference, at in deployed:
        name = image_name(reference)
        if name is None or name in built or name.rsplit("/", 1)[0] not in namespaces:
            continue  # unknown, built, or another owner's image (a third-party chart or manifest)
        if (step["path"], step["line"], name) in seen:
            continue
        seen.add((step["path"], step["line"], name))
        shown = ", ".join(sorted(n for n in built if n.rsplit("/", 1)[0] == name.rsplit("/", 1)[0])[:3])
        yield _at([step["path"], step["line"]],
                  f"this step deploys {what} with image {name}, which no pipeline in the repository builds (they "
                  f"build {shown}): the deploy ships whatever was last pushed there by hand or by another "
                  "repository, or fails to pull it",
                  [(str(at[0]), at[1] if isinstance(at[1], int) else None, f"image {name}")],
                  f"{step['path']}|{what}|{name}")
