"""Port checks across a service's artifacts: what a compose service publishes versus what its image EXPOSEs.

The Kubernetes side of the port chain is judged elsewhere: K8S905 (a Service's targetPort versus the containers'
ports, by number and by name), K8S906 (an Ingress backend port versus its Service's ports, networking.k8s.io/v1 and
extensions/v1beta1), SVC003 (probe port versus EXPOSE) and SVC006 (a Service's targetPort versus EXPOSE).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from readycheck.checks.services import _at, _overlaps, _what, exposed_ranges
from readycheck.model import Hit, Subject
from readycheck.targets import Service


def compose_port_not_exposed(subject: Subject[Service], options: dict[str, Any]) -> Iterator[Hit]:
    """A compose service that runs an image built from a Dockerfile of the scan publishes container ports, none of
    which the image EXPOSEs, the service declares with `expose:`, or an env value, command, entrypoint or healthcheck
    of the service (or ENV, ARG, CMD, ENTRYPOINT or HEALTHCHECK of the image) names."""
    for run in subject.data["runs"]:
        built = run.get("built_from")
        if (run["type"] != "compose" or not built or run.get("host_network") or run.get("network_joined")
                or run.get("env_file")):
            continue  # host network: `ports:` is ignored; a sidecar in its network may serve the port; an env_file
            # may tell the application its port
        exposed = exposed_ranges(built)
        if not exposed:
            continue  # nothing EXPOSEd (EXPOSE is optional), or a port that is not known
        declared = exposed + [(low, high) for low, high in run.get("exposed") or []]
        named = set(run.get("numbers") or []) | set(built.get("numbers") or [])
        shown = ", ".join(str(low) if low == high else f"{low}-{high}" for low, high in exposed)
        line = min(int(item[1]) for item in [*built["expose"], *(built.get("expose_other") or [])])
        published = run.get("published") or []
        served = [entry["ports"] is None or _overlaps(entry["ports"][0], entry["ports"][1], declared)
                  or any(entry["ports"][0] <= n <= entry["ports"][1] for n in named) for entry in published]
        if any(served):  # a port not known (`${PORT}`) may be the one served
            continue  # reachable on a port the image serves: another port is likely an auxiliary listener (metrics,
            # a debugger) that EXPOSE does not list
        for entry in published:
            low, high = entry["ports"]
            port = str(low) if low == high else f"{low}-{high}"
            yield _at(entry["place"],
                      f"{_what(run)} publishes container port {port}, but its image (built from {built['path']}) "
                      f"EXPOSEs {shown}: nothing listens on the published port, and connections to it are refused",
                      [(built["path"], line, f"EXPOSE {shown}")],
                      f"{run['path']}|{_what(run)}|{port}")
