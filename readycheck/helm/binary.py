"""`--helm-renderer helm`: render with the `helm template` found on PATH.

For charts that the built-in renderer cannot render exactly. Nothing beyond
`helm template` runs: no plugins (HELM_PLUGINS points nowhere), no
post-renderer, no repository or dependency update, so no network. Helm does
not say which template line wrote which output line, so findings point at
the template file (from its `# Source:` comment) and the line within that
template's rendered output.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from .chart import ChartLoadError, load_chart
from .render import LineOrigin, RenderedManifest, RenderError, RenderResult, _stub_chart

_SOURCE = re.compile(r"^# Source: (.+)$")


def render_with_helm(chart_dir: str | Path, *, values_files: Sequence[str | Path] = (), set_values: Sequence[str] = (),
                     release_name: str = "release-name", namespace: str = "default", kube_version: str = "1.30.0",
                     timeout_s: float = 60.0) -> RenderResult:
    helm = shutil.which("helm")
    chart_dir = Path(chart_dir)
    try:
        chart = load_chart(chart_dir)
    except ChartLoadError:
        chart = _stub_chart(chart_dir)
    if helm is None:
        return RenderResult(chart, [], [RenderError("Chart.yaml", None, "--helm-renderer helm: no `helm` on PATH", "load")])
    argv = [helm, "template", release_name, str(chart_dir), "--namespace", namespace, "--kube-version", kube_version]
    for values in values_files:
        argv += ["--values", str(values)]
    for item in set_values:
        argv += ["--set", item]
    with tempfile.TemporaryDirectory(prefix="readycheck-helm-") as home:
        env = {"PATH": os.environ.get("PATH", ""), "HOME": home, "HELM_PLUGINS": os.path.join(home, "no-plugins"),
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
