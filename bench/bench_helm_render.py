"""Time rendering the helm-create scaffold chart (target: under 50 ms per render).

Reports the median of N runs twice: "cold" clears the parse cache before every
run (a chart seen for the first time), "warm" keeps it (re-rendering with other
values, or library charts shared between charts).

Usage: PYTHONPATH=. python bench/bench_helm_render.py [runs]
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from readycheck.helm import render_chart
from readycheck.helm.render import _parse_cached

ROOT = Path(__file__).resolve().parent.parent / "tests" / "helm" / "charts"
CASES = {
    "scaffold (defaults)": ((), ROOT / "scaffold"),
    "scaffold (ingress+hpa)": ((ROOT / "scaffold-overrides.yaml",), ROOT / "scaffold"),
    "umbrella (subcharts)": ((), ROOT / "umbrella"),
}


def time_renders(chart: Path, values_files: tuple[Path, ...], runs: int, cold: bool) -> list[float]:
    timings = []
    for _ in range(runs):
        if cold:
            _parse_cached.cache_clear()
        started = time.perf_counter()
        result = render_chart(chart, values_files=values_files)
        timings.append((time.perf_counter() - started) * 1000)
        assert not result.errors, result.errors
    return timings


def main(runs: int) -> None:
    for label, (values_files, chart) in CASES.items():
        render_chart(chart, values_files=values_files)  # warm imports
        for mode in ("cold", "warm"):
            timings = time_renders(chart, values_files, runs, cold=mode == "cold")
            print(f"{label:24} {mode}: median {statistics.median(timings):6.2f} ms  "
                  f"min {min(timings):6.2f} ms  max {max(timings):6.2f} ms  ({runs} runs)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50)
