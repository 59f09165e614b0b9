"""`--helm-renderer helm`: render with the `helm template` found on PATH.

For charts that the built-in renderer cannot render exactly. Nothing beyond
`helm template` runs: no plugins (HELM_PLUGINS points nowhere), no
post-renderer, no repository or dependency update, so no network. Helm does
not say which template line wrote which output line, so findings point at
the template file (from its `# Source:` comment) and the line within that
template's rendered output.

Only the operator chooses this renderer (a config found in the scanned tree
cannot: see readycheck.config). `helm` is looked up in the absolute entries
of PATH only, so an empty or relative entry never finds a `helm` inside the
repository. Release name and namespace, which a repository config may set,
are validated as Helm names and passed after `--` or as `--flag=value`, so
no value can become a Helm option such as `--post-renderer`.
"""

from __future__ import annotations

import os
import re
import stat
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from .chart import ChartLoadError, load_chart
from .render import LineOrigin, RenderedManifest, RenderError, RenderResult, _stub_chart

_SOURCE = re.compile(r"^# Source: (.+)$")
_RELEASE_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
"""Helm's release name rule (DNS-1123 subdomain), at most 53 characters."""
_NAMESPACE = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
"""A Kubernetes namespace (DNS-1123 label), at most 63 characters."""
_KUBE_VERSION = re.compile(r"^v?[0-9]{1,4}(\.[0-9]{1,4}){1,2}([-+][0-9A-Za-z.-]{1,60})?$")


def absolute_path_entries(path_variable: str) -> list[str]:
    """PATH's absolute directories: an empty or relative entry means the current directory, the scanned tree."""
    return [entry for entry in path_variable.split(os.pathsep) if entry and os.path.isabs(entry)]


def find_helm(path_variable: str) -> str | None:
    """The first executable regular file named `helm` in an absolute PATH entry."""
    for directory in absolute_path_entries(path_variable):
        candidate = os.path.join(directory, "helm")
        try:
            mode = os.stat(candidate).st_mode
        except OSError:
            continue
        if stat.S_ISREG(mode) and os.access(candidate, os.X_OK):
            return candidate
    return None


def argument_problem(release_name: str, namespace: str, kube_version: str) -> str | None:
    """Why these values cannot be handed to helm, or None."""
    if len(release_name) > 53 or not _RELEASE_NAME.match(release_name):
        return f"release name {release_name[:60]!r} is not a valid Helm release name (lower-case letters, digits, '-' and '.', at most 53)"
    if len(namespace) > 63 or not _NAMESPACE.match(namespace):
        return f"namespace {namespace[:70]!r} is not a valid Kubernetes namespace (lower-case letters, digits and '-', at most 63)"
    if not _KUBE_VERSION.match(kube_version):
        return f"kube version {kube_version[:40]!r} is not a version such as 1.30.0"
    return None


def helm_argv(helm: str, chart_dir: Path, values_files: Sequence[str | Path], set_values: Sequence[str],
              release_name: str, namespace: str, kube_version: str) -> list[str]:
    """`helm template`'s arguments: every value bound to its option with `=`, positionals after `--`."""
    argv = [helm, "template", f"--namespace={namespace}", f"--kube-version={kube_version}"]
    argv += [f"--values={os.path.abspath(values)}" for values in values_files]
    argv += [f"--set={item}" for item in set_values]
    return [*argv, "--", release_name, os.path.abspath(chart_dir)]


def render_with_helm(chart_dir: str | Path, *, values_files: Sequence[str | Path] = (), set_values: Sequence[str] = (),
                     release_name: str = "release-name", namespace: str = "default", kube_version: str = "1.30.0",
                     timeout_s: float = 60.0) -> RenderResult:
    chart_dir = Path(chart_dir)
    try:
        chart = load_chart(chart_dir)
    except ChartLoadError:
        chart = _stub_chart(chart_dir)
    problem = argument_problem(release_name, namespace, kube_version)
    if problem is not None:
        return RenderResult(chart, [], [RenderError("Chart.yaml", None, f"--helm-renderer helm: {problem}: helm not run", "load")])
    search_path = os.environ.get("PATH", "")
    helm = find_helm(search_path)
    if helm is None:
        return RenderResult(chart, [], [RenderError("Chart.yaml", None, "--helm-renderer helm: no `helm` on PATH", "load")])
    argv = helm_argv(helm, chart_dir, values_files, set_values, release_name, namespace, kube_version)
    with tempfile.TemporaryDirectory(prefix="readycheck-helm-") as home:
        env = {"PATH": os.pathsep.join(absolute_path_entries(search_path)), "HOME": home, "HELM_PLUGINS": os.path.join(home, "no-plugins"),
               "HELM_CACHE_HOME": home, "HELM_CONFIG_HOME": home, "HELM_DATA_HOME": home}
        try:
            done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout_s, env=env, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            return RenderResult(chart, [], [RenderError("Chart.yaml", None, f"helm template failed: {exc}", "render")])
    if done.returncode != 0:
        message = (done.stderr.strip().splitlines() or ["helm template failed"])[-1]
        return RenderResult(chart, [], [RenderError("Chart.yaml", None, message, "render")])
    return RenderResult(chart, split_sources(done.stdout, chart.name), [])


def split_sources(output: str, chart_name: str) -> list[RenderedManifest]:
    """`helm template` output cut at its `# Source:` comments, one manifest per template."""
    manifests: list[RenderedManifest] = []
    template: str | None = None
    lines: list[str] = []

    def flush() -> None:
        if template is not None and any(line.strip() and line.strip() != "---" for line in lines):
            origins = [LineOrigin(template, n) for n in range(1, len(lines) + 1)]
            manifests.append(RenderedManifest(template, "\n".join(lines) + "\n", origins, chart_name))

    for line in output.splitlines():
        source = _SOURCE.match(line)
        if source:
            flush()
            name = source.group(1)
            template = name.split("/", 1)[1] if "/" in name else name
            lines = []
        elif template is not None:
            lines.append(line)
    flush()
    return manifests
