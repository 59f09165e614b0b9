"""Render public charts with Helm's own engine and with readycheck's, and count exact matches.

Needs the optional extra (``pip install -e '.[oracle]'``). Each chart is copied to a scratch
directory and its dependencies are placed in ``charts/`` as ``helm dependency build`` would, when
the collection itself carries them (``file://`` paths, or a chart of that name elsewhere in the
given directories whose version satisfies the range). Charts whose dependencies cannot be placed
are counted apart ("dependency unavailable"), since neither engine can render them as released.

A DIR given as ``DIR::GITDIR`` (the checkout and the git directory it came from) also lets a
dependency come from the collection's history: the newest commit whose Chart.yaml for that chart
satisfies the range, as the chart repository would still serve that version.

Usage: PYTHONPATH=. python bench/helm_oracle.py [--json OUT] [--show N] DIR[::GITDIR]...
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from readycheck.helm.semver import SemverError, constraint_matches  # noqa: E402
from tests.helm.oracle import compare, unavailable_reason  # noqa: E402


def _chart_yaml(directory: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load((directory / "Chart.yaml").read_text())
    except (OSError, yaml.YAMLError):
        return {}
    return data if isinstance(data, dict) else {}


def find_charts(roots: list[Path]) -> list[Path]:
    """Chart directories that are not vendored inside another chart's charts/."""
    out = []
    for root in roots:
        for chart_yaml in sorted(root.rglob("Chart.yaml")):
            chart = chart_yaml.parent
            if any(a.name == "charts" and (a.parent / "Chart.yaml").exists() for a in chart.parents):
                continue
            if "/tests/" in str(chart) or "/test/" in str(chart) or "/examples/" in str(chart):
                continue
            out.append(chart)
    return out


def _satisfies(constraint: str, version: str) -> bool:
    if not constraint:
        return True
    try:
        return constraint_matches(constraint, version)
    except SemverError:
        return False


def _dependencies(chart: Path) -> list[Any]:
    deps = _chart_yaml(chart).get("dependencies")
    if not deps and (chart / "requirements.yaml").exists():  # apiVersion v1 charts
        try:
            deps = (yaml.safe_load((chart / "requirements.yaml").read_text()) or {}).get("dependencies")
        except (OSError, yaml.YAMLError, AttributeError):
            deps = None
    return deps if isinstance(deps, list) else []


class History:
    """Older versions of the collections' charts, out of their git histories."""

    def __init__(self, repos: list[tuple[Path, Path]], scratch: Path) -> None:
        self.repos = repos
        self.scratch = scratch
        self.cache: dict[tuple[str, str], Path | None] = {}

    def find(self, chart_dir: Path, version_range: str) -> Path | None:
        for checkout, git_dir in self.repos:
            try:
                relative = chart_dir.resolve().relative_to(checkout.resolve()).as_posix()
            except ValueError:
                continue
            key = (relative, version_range)
            if key not in self.cache:
                self.cache[key] = self._search(git_dir, relative, version_range)
            return self.cache[key]
        return None

    def _search(self, git_dir: Path, relative: str, version_range: str) -> Path | None:
        git = ["git", f"--git-dir={git_dir}"]
        commits = subprocess.run([*git, "log", "--format=%H", "-n", "400", "--", f"{relative}/Chart.yaml"],
                                 capture_output=True, text=True, check=False).stdout.split()
        for commit in commits:
            shown = subprocess.run([*git, "show", f"{commit}:{relative}/Chart.yaml"], capture_output=True,
                                   text=True, check=False)
            try:
                version = str((yaml.safe_load(shown.stdout) or {}).get("version"))
            except (yaml.YAMLError, AttributeError):
                continue
            if not _satisfies(version_range, version):
                continue
            target = self.scratch / "history" / commit[:12]
            if not (target / relative).exists():
                target.mkdir(parents=True, exist_ok=True)
                archive = subprocess.run([*git, "archive", commit, relative], capture_output=True, check=False)
                subprocess.run(["tar", "-x", "-C", str(target)], input=archive.stdout, check=False)
            return target / relative
        return None


def place_dependencies(chart: Path, index: dict[str, list[Path]], history: History | None = None,
                       depth: int = 0) -> str | None:
    """Put each missing dependency into chart/charts/ as the archive `helm dependency build` would download
    (packaged by Helm, so with the dependency's own .helmignore applied); returns why one cannot be placed."""
    import helm_python

    if depth > 5:
        return "dependency nesting too deep"
    for dep in _dependencies(chart):
        if not isinstance(dep, dict) or not dep.get("name"):
            continue
        name, version = str(dep["name"]), str(dep.get("version") or "")
        target = chart / "charts" / name
        if target.exists() or any((chart / "charts").glob(f"{name}-*.tgz")):
            continue
        repository = str(dep.get("repository") or "")
        candidates: list[Path] = []
        if repository.startswith("file://"):
            candidates = [(chart / repository[len("file://"):]).resolve()]
        else:
            candidates = index.get(name, [])
        source = next((c for c in candidates
                       if (c / "Chart.yaml").exists() and _satisfies(version, str(_chart_yaml(c).get("version")))),
                      None)
        if source is None and history is not None:
            source = next((found for c in candidates if (found := history.find(c, version)) is not None), None)
        if source is None:
            return f"dependency {name} {version} not in the collection"
        unpacked = chart / "charts" / f".unpacked-{name}"
        shutil.copytree(source, unpacked, symlinks=False)
        problem = place_dependencies(unpacked, index, history, depth + 1)
        if problem:
            return problem
        try:
            helm_python.package(unpacked, destination=chart / "charts")
        except helm_python.HelmError as exc:
            return f"dependency {name} does not package: {str(exc)[:200]}"
        finally:
            shutil.rmtree(unpacked, ignore_errors=True)
    return None


def _outcome(chart: Path, label: str, result: Any, show: int) -> dict[str, Any]:
    if result.same:
        outcome = "both failed" if result.helm.errors else "same"
    else:
        outcome = "different"
    detail = result.differences[:show]
    if outcome == "both failed":
        detail += [f"Helm: {result.helm.errors[0][:300]}", f"ours: {result.ours.errors[0][:300]}"]
    if outcome == "different":
        print(f"DIFF {chart}{label}", *("    " + d for d in detail), sep="\n", flush=True)
    return {"chart": f"{chart}{label}", "outcome": outcome, "detail": detail}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("dirs", nargs="+")
    parser.add_argument("--json", type=Path, help="write every chart's outcome here")
    parser.add_argument("--show", type=int, default=3, help="differences shown per differing chart")
    parser.add_argument("--ci-values", action="store_true",
                        help="also compare with each values file in the chart's ci/ folder (charts' own test values)")
    args = parser.parse_args(argv)
    reason = unavailable_reason()
    if reason:
        print(reason, file=sys.stderr)
        return 2
    pairs = [(Path(d.split("::")[0]), Path(d.split("::")[1]) if "::" in d else None) for d in args.dirs]
    charts = find_charts([checkout for checkout, _ in pairs])
    index: dict[str, list[Path]] = {}
    for chart in charts:
        name = _chart_yaml(chart).get("name")
        if name:
            index.setdefault(str(name), []).append(chart)
    outcomes: list[dict[str, Any]] = []
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="helm-oracle-") as scratch:
        history = History([(c, g) for c, g in pairs if g is not None], Path(scratch))
        for number, chart in enumerate(charts):
            work = Path(scratch) / f"{number}" / chart.name
            shutil.copytree(chart, work, symlinks=False)
            problem = place_dependencies(work, index, history)
            if problem:
                outcomes.append({"chart": str(chart), "outcome": "dependency unavailable", "detail": [problem]})
                continue
            runs = [(None, "")] + ([(v, f" -f ci/{v.name}") for v in sorted((work / "ci").glob("*.yaml"))]
                                   if args.ci_values else [])
            for values_file, label in runs:
                outcomes.append(_outcome(chart, label, compare(work, values_file), args.show))
            shutil.rmtree(work.parent, ignore_errors=True)
    counts: dict[str, int] = {}
    for item in outcomes:
        counts[item["outcome"]] = counts.get(item["outcome"], 0) + 1
    print(json.dumps({"renders": len(outcomes), **counts, "seconds": round(time.monotonic() - started)}))
    if args.json:
        args.json.write_text(json.dumps(outcomes, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
