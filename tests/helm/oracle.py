"""Differential oracle: render a chart with Helm's own Go engine (the optional ``helm-python-sdk``
package, ``pip install -e '.[oracle]'``) and with readycheck's engine, and compare the objects as data.

Used by tests/helm/test_oracle_*.py and by bench/helm_oracle.py (public chart collections).
Objects are compared after YAML parsing, so formatting that Kubernetes cannot see (quoting style,
comment lines, document separators) does not count; everything the API server would receive does.
"""

from __future__ import annotations

import functools
import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from readycheck.helm import render_chart

RELEASE = "release-name"
NAMESPACE = "default"


def unavailable_reason() -> str | None:
    """Why the oracle cannot run here, or None when it can."""
    try:
        import helm_python  # noqa: F401
    except ImportError:
        return "the Helm oracle needs the optional extra: pip install -e '.[oracle]' (helm-python-sdk)"
    except OSError as exc:  # the bundled shared library failed to load
        return f"helm-python-sdk is installed but its Go library does not load: {exc}"
    return None


@functools.lru_cache(maxsize=1)
def oracle_capabilities() -> dict[str, Any]:
    """The Kubernetes and Helm versions and the API list the oracle renders with by default."""
    import helm_python

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "probe"
        (root / "templates").mkdir(parents=True)
        (root / "Chart.yaml").write_text("apiVersion: v2\nname: probe\nversion: 0.1.0\n")
        (root / "templates" / "caps.yaml").write_text(
            "kube: {{ .Capabilities.KubeVersion.Version | quote }}\n"
            "helm: {{ .Capabilities.HelmVersion.Version | quote }}\n"
            "apis: {{ .Capabilities.APIVersions | toJson }}\n")
        out = helm_python.Chart.load(str(root)).render(name=RELEASE, namespace=NAMESPACE, is_install=True)
    caps: dict[str, Any] = yaml.safe_load(out["probe/templates/caps.yaml"])
    return caps


@dataclass
class Side:
    """One engine's rendering: objects per template (chart-relative path), or the error it stopped on."""

    docs: dict[str, list[Any]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


@dataclass
class Comparison:
    chart: str
    helm: Side
    ours: Side
    differences: list[str]

    @property
    def same(self) -> bool:
        return not self.differences


def _documents(text: str) -> list[Any]:
    """The objects a manifest holds, as Helm's post-render split sees them (empty documents dropped)."""
    try:
        docs = [d for d in yaml.safe_load_all(text) if d is not None]
    except yaml.YAMLError:
        return [{"<unparsable YAML>": text}]
    return docs


def _skip(relative: str) -> bool:
    base = relative.rsplit("/", 1)[-1]
    return base == "NOTES.txt" or base.startswith("_")


def render_helm(chart_dir: Path, values: dict[str, Any] | None = None) -> Side:
    import helm_python

    side = Side()
    try:
        with helm_python.Chart.load(str(chart_dir)) as chart:
            rendered = chart.render(values, name=RELEASE, namespace=NAMESPACE, is_install=True)
    except helm_python.HelmError as exc:
        side.errors.append(str(exc))
        return side
    for name, text in rendered.items():
        if _skip(name):
            continue
        docs = _documents(text)
        if docs:
            side.docs[name] = docs
    return side


def render_ours(chart_dir: Path, values_files: tuple[Path, ...] = ()) -> Side:
    caps = oracle_capabilities()
    result = render_chart(chart_dir, values_files=values_files, release_name=RELEASE, namespace=NAMESPACE,
                          kube_version=str(caps["kube"]).lstrip("v"))
    side = Side()
    side.errors = [f"{e.path}:{e.line}: {e.message}" for e in result.errors]
    for manifest in result.manifests:
        docs = _documents(manifest.text)
        if docs:
            side.docs.setdefault(manifest.helm_name or manifest.template, []).extend(docs)
    return side


_RANDOM = object()  # marks a place where Helm itself gives a different answer each time


def _mask(first: Any, second: Any) -> Any:
    """``first`` with every leaf that differs in ``second`` (a second Helm render) replaced by _RANDOM."""
    if isinstance(first, dict) and isinstance(second, dict) and first.keys() == second.keys():
        return {k: _mask(v, second[k]) for k, v in first.items()}
    if isinstance(first, list) and isinstance(second, list) and len(first) == len(second):
        return [_mask(a, b) for a, b in zip(first, second, strict=True)]
    return first if first == second else _RANDOM


def _differ(expected: Any, actual: Any, path: str, out: list[str]) -> None:
    if expected is _RANDOM:
        if type(actual) not in (str, int, float, bool, dict, list):
            out.append(f"{path}: Helm gives a random value, ours {actual!r:.200}")
        return
    if isinstance(expected, dict) and isinstance(actual, dict):
        for key in sorted(set(expected) | set(actual), key=str):
            if key not in actual:
                out.append(f"{path}.{key}: missing in ours (Helm: {json.dumps(expected[key], default=str):.300})")
            elif key not in expected:
                out.append(f"{path}.{key}: only in ours ({json.dumps(actual[key], default=str):.300})")
            else:
                _differ(expected[key], actual[key], f"{path}.{key}", out)
        return
    if isinstance(expected, list) and isinstance(actual, list) and len(expected) == len(actual):
        for index, (a, b) in enumerate(zip(expected, actual, strict=True)):
            _differ(a, b, f"{path}[{index}]", out)
        return
    if expected != actual or type(expected) is not type(actual):
        out.append(f"{path}: Helm {json.dumps(expected, default=str):.300} ours {json.dumps(actual, default=str):.300}")


def compare(chart_dir: Path, values_file: Path | None = None) -> Comparison:
    """Render with both engines; differences are listed per object, empty when they agree.

    Helm renders twice: what differs between its own two renders (``randAlphaNum``, ``genCA``,
    ``uuidv4``, ...) only has to be of the same kind in ours.
    """
    values: dict[str, Any] | None = None
    if values_file is not None:
        import helm_python

        values = helm_python.values_from_yaml(values_file.read_text())  # read by Go, as `helm -f` reads it
    helm = render_helm(chart_dir, values)
    ours = render_ours(chart_dir, (values_file,) if values_file is not None else ())
    differences: list[str] = []
    if helm.errors or ours.errors:
        if not helm.errors:
            differences.append(f"only ours failed: {ours.errors[:3]}")
        elif not ours.errors:
            differences.append(f"only Helm failed: {helm.errors[0][:400]}")
        return Comparison(str(chart_dir), helm, ours, differences)
    again = render_helm(chart_dir, values)
    for name in sorted(set(helm.docs) | set(ours.docs)):
        expected, actual = helm.docs.get(name, []), ours.docs.get(name, [])
        if len(expected) != len(actual):
            differences.append(f"{name}: Helm renders {len(expected)} objects, ours {len(actual)}"
                               + (f"; Helm: {json.dumps(expected[0], default=str)[:300]}" if expected else "")
                               + (f"; ours: {json.dumps(actual[0], default=str)[:300]}" if actual else ""))
            continue
        second = again.docs.get(name, [])
        for index, (doc, mine) in enumerate(zip(expected, actual, strict=True)):
            masked = _mask(doc, second[index]) if index < len(second) else _RANDOM
            _differ(masked, mine, f"{name}[{index}]", differences)
    return Comparison(str(chart_dir), helm, ours, differences)
