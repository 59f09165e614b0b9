"""Build throwaway charts for tests and render single templates through the public API."""

from __future__ import annotations

from pathlib import Path

from readycheck.helm import RenderError, render_chart

CHART_YAML = "apiVersion: v2\nname: demo\nversion: 1.2.3\nappVersion: \"4.5\"\n"


def make_chart(root: Path, templates: dict[str, str], values: str = "", chart_yaml: str = CHART_YAML,
               files: dict[str, str] | None = None) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "Chart.yaml").write_text(chart_yaml)
    (root / "values.yaml").write_text(values)
    for name, text in {**{f"templates/{k}": v for k, v in templates.items()}, **(files or {})}.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def render_one(root: Path, template: str, values: str = "", **kwargs: object) -> tuple[str | None, list[RenderError]]:
    """Render ``template`` as templates/t.yaml; returns its text (None if it failed) and all errors."""
    make_chart(root, {"t.yaml": template}, values, files=kwargs.pop("files", None))  # type: ignore[arg-type]
    result = render_chart(root, **kwargs)  # type: ignore[arg-type]
    texts = [m.text for m in result.manifests if m.template == "templates/t.yaml"]
    return (texts[0] if texts else None), result.errors
