"""Offline Helm chart rendering in pure Python, with source mapping.

Every rendered line knows the template line that wrote it and, where the text
came from values, the values-file line it came from.
"""

from .chart import Chart, Dependency
from .render import LineOrigin, RenderedManifest, RenderError, RenderResult, render_chart
from .values_yaml import load_values_with_lines

__all__ = [
    "Chart", "Dependency", "LineOrigin", "RenderError", "RenderResult", "RenderedManifest", "load_values_with_lines",
    "render_chart",
]
