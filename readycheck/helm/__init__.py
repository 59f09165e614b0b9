"""Offline Helm chart rendering in pure Python, with source mapping.

``render_chart`` behaves like ``helm template`` (Go text/template semantics,
Sprig and Helm functions, Helm's value coalescing and dependency handling)
and additionally tells, for every rendered line, the template line that wrote
it and, where the text came from values, the values-file line it came from.

Deliberate choices, all following Helm:

* numbers read from values files are float64 (``1000000`` prints ``1e+06``,
  ``kindOf`` says ``float64``); ``--set`` integers are ints;
* a missing key prints ``<no value>`` in Go and Helm then removes that text;
* ``env``/``expandenv`` are not defined (Helm removes them from Sprig);
* templates that need the outside world are deterministic: ``now`` is
  2024-01-01T00:00:00Z, random functions use a seeded generator, ``lookup``
  returns an empty map and certificate/key/DNS functions return placeholders.

Nothing in here raises for a bad chart: problems come back as ``RenderError``.
"""

from .chart import Chart, Dependency
from .render import LineOrigin, RenderedManifest, RenderError, RenderResult, render_chart
from .values_yaml import load_values_with_lines

__all__ = [
    "Chart", "Dependency", "LineOrigin", "RenderError", "RenderResult", "RenderedManifest", "load_values_with_lines",
    "render_chart",
]
