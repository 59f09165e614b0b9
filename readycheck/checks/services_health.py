"""Health checks across the artifacts of one service: what a health check runs, and which port it asks.

A HEALTHCHECK, a compose `healthcheck.test` or an exec probe that runs `curl` in an image without curl fails every
time: the container is reported unhealthy, or restarted in a loop, while the application is fine. What an image
ships is known only on evidence: its root base is in judge.images.BASE_PROGRAMS and no instruction of its stages
may have added the program (an install, a COPY of the binary, a script of the build context).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from readycheck.checks.services import KUBERNETES_RUNS, _at, _overlaps, _port_number, _what, exposed_ranges
from readycheck.model import Hit, Subject
from readycheck.targets import BuiltImage, Service, ServiceRun

HTTP_CLIENTS = ("curl", "wget")
SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh"})
PROBE_NAMES = {"readinessProbe": "readiness probe", "livenessProbe": "liveness probe", "startupProbe": "startup probe"}


def _missing(health: Mapping[str, Any], ships: Mapping[str, bool | None]) -> list[str]:
    """The programs a health command runs that the image does not ship: a shell in an image without one, and its
    HTTP clients when none of them is shipped (`curl ... || wget ...` works with either)."""
    programs = list(health.get("programs") or [])
    missing = [p for p in programs if p in SHELLS and ships.get("sh") is False]
    clients = [p for p in programs if p in HTTP_CLIENTS]
    if clients and all(ships.get(p) is False for p in clients):
        missing += clients
    return missing


def _base_end(built: BuiltImage) -> tuple[str, int | None, str]:
    """The related location: the FROM whose image lacks the program, and where that is known from."""
    return (built["path"], built.get("base_line") or built["line"],
            f"FROM {built.get('base_image') or 'the base image'}: {built.get('ships_source') or 'see the rule'}")


def _shown(programs: list[str]) -> str:
    return " and ".join(f"'{p}'" for p in programs)


def health_program_missing(subject: Subject[Service], options: dict[str, Any]) -> Iterator[Hit]:
    """A HEALTHCHECK, compose healthcheck or exec probe runs curl, wget or a shell that the image does not ship."""
    service = subject.data
    for dockerfile in service["dockerfiles"]:
        built = dockerfile.get("image")
        health = (built or {}).get("health")
        if not built or not health or not built.get("ships"):
            continue
        missing = _missing(health, built["ships"])
        if missing:
            line = (built.get("healthcheck") or {}).get("line") or health["place"][0]
            yield _at([built["path"], line],
                      f"the HEALTHCHECK runs {_shown(missing)}, which the image does not ship (FROM "
                      f"{built.get('base_image')}, and no instruction installs it): the check fails every time and "
                      "the container is reported unhealthy",
                      [_base_end(built)], f"{built['path']}|HEALTHCHECK|{','.join(missing)}")
    for run in service["runs"]:
        built = run.get("built_from")
        if not built or not built.get("ships"):
            continue
        checks: list[tuple[str, Mapping[str, Any]]] = []
        if run["type"] == "compose" and run.get("health"):
            checks.append(("healthcheck", run["health"] or {}))
        elif run["type"] in KUBERNETES_RUNS:
            checks += sorted((run.get("exec_probes") or {}).items())
        for kind, health in checks:
            missing = _missing(health, built["ships"])
            if not missing:
                continue
            if kind == "healthcheck":
                effect = "compose reports the service unhealthy (a service waiting for it to be healthy never starts)"
            elif kind == "livenessProbe":
                effect = "the kubelet restarts the container again and again"
            else:
                effect = "the pod never becomes ready"
            yield _at(health["place"],
                      f"the {PROBE_NAMES.get(kind, kind)} of {_what(run)} runs {_shown(missing)}, which its image "
                      f"(built from {built['path']}, FROM {built.get('base_image')}) does not ship: the check fails "
                      f"every time and {effect}",
                      [_base_end(built)], f"{run['path']}|{_what(run)}|{kind}|{','.join(missing)}")


def _single_port(health: Mapping[str, Any] | None) -> int | None:
    ports = (health or {}).get("ports")
    return int(ports[0]) if isinstance(ports, list) and len(ports) == 1 else None


def _probe_ports(run: ServiceRun) -> list[tuple[str, int, list[Any]]]:
    """(probe kind, port, place) of each probe of a container whose port is known: httpGet, tcpSocket, grpc, and an
    exec probe whose HTTP client asks one local port."""
    found = []
    places = run.get("probe_places") or {}
    for kind, probe in sorted((run.get("probes") or {}).items()):
        port = _port_number(probe.get("port"), run)
        if port is not None:
            found.append((kind, port, places.get(kind) or [run["path"], 1]))
    for kind, health in sorted((run.get("exec_probes") or {}).items()):
        port = _single_port(health)
        if port is not None:
            found.append((kind, port, health["place"]))
    return found


def health_port_disagrees(subject: Subject[Service], options: dict[str, Any]) -> Iterator[Hit]:
    """The image's HEALTHCHECK asks local port P; a probe (or compose healthcheck) of what runs the image asks Q, a
    port the image does not EXPOSE and that nothing the image or the runner sets names."""
    for run in subject.data["runs"]:
        built = run.get("built_from")
        image_port = _single_port((built or {}).get("health")) if built else None
        ranges = exposed_ranges(built) if built else None
        if built is None or image_port is None or ranges is None:
            continue  # no HEALTHCHECK port to compare with, or an EXPOSE of a variable: any port may be served
        # a port written where it could be set, or declared as a containerPort, may well be served as well
        # (a compose service's `numbers` count its healthcheck too: the port in question would name itself)
        runner = run.get("numbers_besides_health") if run["type"] == "compose" else run.get("numbers")
        named = set(built.get("numbers") or []) | set(runner or []) | {
            int(p["number"]) for p in run.get("ports") or [] if isinstance(p.get("number"), int)}
        if run["type"] in KUBERNETES_RUNS:
            if built["expose"]:
                continue  # the image EXPOSEs ports: SVC003 judges a probe on another port (one finding per failure)
            asked = _probe_ports(run)
        elif run["type"] == "compose" and (health := run.get("health")):
            port = _single_port(health)
            asked = [("healthcheck", port, health["place"])] if port is not None else []
        else:
            continue
        health_line = (built.get("healthcheck") or {}).get("line") or built["line"]
        shown = ", ".join(str(low) if low == high else f"{low}-{high}" for low, high in ranges) or "no port"
        for kind, port, place in asked:
            if port == image_port or _overlaps(port, port, ranges) or port in named:
                continue
            yield _at(place,
                      f"the {PROBE_NAMES.get(kind, kind)} of {_what(run)} asks port {port}, but the image's HEALTHCHECK "
                      f"(built from {built['path']}) asks port {image_port} and the image EXPOSEs {shown}: the check "
                      f"fails unless the application also listens on {port}",
                      [(built["path"], health_line, f"HEALTHCHECK asks port {image_port}")],
                      f"{run['path']}|{_what(run)}|{kind}|{port}")


def health_path_disagrees(subject: Subject[Service], options: dict[str, Any]) -> Iterator[Hit]:
    """An httpGet probe asks the port the image's HEALTHCHECK asks, on another path: two statements of where the
    application reports its health. Opt-in and a note: a readiness path distinct from the liveness one is common."""
    kinds = set(options.get("probes") or ["livenessProbe"])
    for run in subject.data["runs"]:
        built = run.get("built_from")
        health: Mapping[str, Any] = (built.get("health") or {}) if built else {}
        paths = health.get("paths")
        if run["type"] not in KUBERNETES_RUNS or not built or not isinstance(paths, list) or len(paths) != 1:
            continue  # no HEALTHCHECK URL, or one asking several (or unknown) URLs: nothing single to compare with
        image_port, image_path = int(paths[0][0]), str(paths[0][1])
        health_line = (built.get("healthcheck") or {}).get("line") or built["line"]
        places = run.get("probe_places") or {}
        for kind, probe in sorted((run.get("probes") or {}).items()):
            path = probe.get("path")
            if kind not in kinds or probe.get("handler") != "httpGet" or not isinstance(path, str):
                continue
            asked = path.split("?", 1)[0] or "/"
            if _port_number(probe.get("port"), run) != image_port or asked.rstrip("/") == image_path.rstrip("/"):
                continue
            yield _at(places.get(kind) or [run["path"], 1],
                      f"the {PROBE_NAMES.get(kind, kind)} of {_what(run)} asks {asked} on port {image_port}, but the "
                      f"image's HEALTHCHECK (built from {built['path']}) asks {image_path}: the two disagree on where "
                      "the application reports its health",
                      [(built["path"], health_line, f"HEALTHCHECK asks {image_path} on port {image_port}")],
                      f"{run['path']}|{_what(run)}|{kind}|{asked}")
