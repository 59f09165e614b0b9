"""The service map drawn as inline SVG for the HTML report: one band per service, its artifacts in columns
(Dockerfile, pipeline, image, what runs it, env schema) and the links between them; artifacts linked to nothing
are drawn too, in their own band. No script, no external asset; every label is escaped text.
"""

from __future__ import annotations

from typing import Any

from readycheck.neutralise import html_text as escape

COLUMNS = ("Dockerfile", "pipeline", "image", "runs it", "env schema")
_COLUMN_WIDTH, _NODE_WIDTH, _NODE_HEIGHT, _ROW, _TITLE = 210, 186, 30, 38, 26
_LABEL_CHARS = 25
_FILL = ("#ddf4ff", "#fff8c5", "#dafbe1", "#fbefff", "#ffebe9")


def _label(text: str) -> str:
    return text if len(text) <= _LABEL_CHARS else "…" + text[-(_LABEL_CHARS - 1):]


def graph_of(service: dict[str, Any]) -> tuple[list[tuple[str, int, str]], list[tuple[str, str, bool]]]:
    """Nodes (id, column, label) and edges (from, to, dashed) of one service, in a stable order."""
    nodes: dict[str, tuple[int, str]] = {}
    edges: list[tuple[str, str, bool]] = []
    for d in service["dockerfiles"]:
        nodes[f"dockerfile:{d['path']}"] = (0, d["path"] + (f" ({d['target']})" if d["target"] else ""))
    for p in service["pipelines"]:
        node = f"pipeline:{p['path']}#{p['job']}"
        nodes.setdefault(node, (1, f"{p['path']} · {p['job']}"))
        if p.get("dockerfile"):
            edges.append((f"dockerfile:{p['dockerfile']}", node, False))
        edges.append((node, f"image:{p['image']}", False))
    for image in service["images"]:
        nodes[f"image:{image}"] = (2, image)
    for chart in service["charts"]:
        nodes[f"chart:{chart}"] = (3, f"chart {chart}")
    for run in service["runs"]:
        if run["type"] == "kubernetes":
            nodes[f"k8s:{run['path']}#{run['workload']}/{run['container']}"] = (3, f"{run['path']} · {run['workload']}")
        elif run["type"] == "chart":
            nodes.setdefault(f"chart:{run['path']}", (3, f"chart {run['path']}"))
        elif run["type"] == "compose":
            nodes[f"compose:{run['path']}#{run['name']}"] = (3, f"{run['path']} · {run['name']}")
    for link in service["links"]:
        if link["how"] == "pipeline build":
            continue  # drawn through the pipeline
        source, target = (_chart_node(link["from"]), _chart_node(link["to"]))
        edges.append((source, target, False))
    schema = service.get("env_schema")
    if schema:
        node = f"env:{schema['path']}"
        nodes[node] = (4, schema["path"])
        runners = [n for n, (column, _) in nodes.items() if column == 3]
        targets = runners or [n for n, (column, _) in nodes.items() if column == 0]
        edges += [(node, target, True) for target in targets]
    kept = sorted({e for e in edges if e[0] in nodes and e[1] in nodes and e[0] != e[1]})
    return [(n, column, label) for n, (column, label) in nodes.items()], kept


def _chart_node(node: str) -> str:
    """A rendered chart's container is drawn as its chart."""
    return node.split("#", 1)[0] if node.startswith("chart:") else node


def _node_svg(x: int, y: int, column: int, label: str, node: str) -> str:
    return (f'<g class="node" data-node="{escape(node)}"><title>{escape(label)}</title>'
            f'<rect x="{x}" y="{y}" width="{_NODE_WIDTH}" height="{_NODE_HEIGHT}" rx="6" fill="{_FILL[column]}" '
            f'stroke="#57606a"/><text x="{x + 8}" y="{y + 20}" font-size="12">{escape(_label(label))}</text></g>')


def render_svg(service_map: dict[str, Any]) -> str:
    """The whole map as one SVG element (sized to its content, scaled down on narrow screens)."""
    parts: list[str] = []
    y = _TITLE
    for column, title in enumerate(COLUMNS):
        parts.append(f'<text x="{12 + column * _COLUMN_WIDTH}" y="16" font-size="13" font-weight="600">{title}</text>')
    bands: list[tuple[str, list[tuple[str, int, str]], list[tuple[str, str, bool]]]] = [
        (s["name"], *graph_of(s)) for s in service_map["services"]]
    unlinked = [(f"unlinked:{u['path']}", 4 if u["type"] == "env-schema" else 3, u["path"]) for u in service_map["unlinked"]]
    if unlinked:
        bands.append(("unlinked", unlinked, []))
    for name, nodes, edges in bands:
        rows = max([sum(1 for n in nodes if n[1] == c) for c in range(len(COLUMNS))] + [1])
        height = _TITLE + rows * _ROW
        parts.append(f'<g class="service" data-service="{escape(name)}">'
                     f'<rect x="2" y="{y}" width="{len(COLUMNS) * _COLUMN_WIDTH - 4}" height="{height}" rx="8" '
                     f'fill="none" stroke="#d0d7de"/>'
                     f'<text x="12" y="{y + 18}" font-size="13" font-weight="600">{escape(name)}</text>')
        place: dict[str, tuple[int, int]] = {}
        counts = [0] * len(COLUMNS)
        for node, column, _ in nodes:
            place[node] = (12 + column * _COLUMN_WIDTH, y + _TITLE + counts[column] * _ROW)
            counts[column] += 1
        for source, target, dashed in edges:
            (x1, y1), (x2, y2) = place[source], place[target]
            if x1 > x2:
                (x1, y1), (x2, y2) = (x2, y2), (x1, y1)
            start, end = (x1 + _NODE_WIDTH, y1 + _NODE_HEIGHT // 2), (x2, y2 + _NODE_HEIGHT // 2)
            middle = (start[0] + end[0]) // 2
            parts.append(f'<path class="link" d="M{start[0]},{start[1]} C{middle},{start[1]} {middle},{end[1]} '
                         f'{end[0]},{end[1]}" fill="none" stroke="#57606a"'
                         + (' stroke-dasharray="4 3"' if dashed else "") + "/>")
        parts += [_node_svg(*place[node], column, label, node) for node, column, label in nodes]
        parts.append("</g>")
        y += height + 10
    width = len(COLUMNS) * _COLUMN_WIDTH
    return (f'<svg class="service-map" role="img" aria-label="service map: {len(service_map["services"])} services" '
            f'viewBox="0 0 {width} {y}" width="{width}" height="{y}" style="max-width:100%;height:auto" '
            f'xmlns="http://www.w3.org/2000/svg">' + "".join(parts) + "</svg>")
