"""`readycheck services`: the service map as text or JSON, each service with the paths of its artifacts.

Everything shown comes from the scanned tree (paths, image names, tags): text is escaped for a terminal, JSON
through the same neutralising as the JSON report.
"""

from __future__ import annotations

import json
from typing import Any

from readycheck.neutralise import inline, json_text, no_workflow_commands


def artifacts_of(service: dict[str, Any]) -> dict[str, Any]:
    """A service of the map as users read it: the paths of its artifacts and the links between them."""
    runs = service["runs"]
    return {
        "name": service["name"],
        "declared": service["declared"],
        "dockerfiles": [{"path": d["path"], "target": d["target"]} for d in service["dockerfiles"]],
        "images": list(service["images"]),
        "pipelines": [{"path": p["path"], "line": p["line"], "job": p["job"], "image": p["image"], "tag": p["tag"],
                       "push": p["push"]} for p in service["pipelines"]],
        "deploys": [{"path": d["path"], "line": d["line"], "job": d["job"], "type": d["type"]} for d in service["deploys"]],
        "charts": list(service["charts"]),
        "manifests": [{"path": r["path"], "workload": r["workload"], "container": r["container"]}
                      for r in runs if r["type"] == "kubernetes"],
        "chart_workloads": [{"path": r["path"], "workload": r["workload"], "container": r["container"]}
                            for r in runs if r["type"] == "chart"],
        "compose": [{"path": r["path"], "service": r["name"]} for r in runs if r["type"] == "compose"],
        "env_schema": {"path": service["env_schema"]["path"], "how": service["env_schema"]["how"]}
        if service["env_schema"] else None,
        "links": [{"from": link["from"], "to": link["to"], "how": link["how"], "path": link["at"][0], "line": link["at"][1]}
                  for link in service["links"]],
    }


def as_dict(service_map: dict[str, Any]) -> dict[str, Any]:
    return {"services": [artifacts_of(s) for s in service_map["services"]], "unlinked": list(service_map["unlinked"])}


def render_json(service_map: dict[str, Any]) -> str:
    return json_text(json.dumps(as_dict(service_map), indent=2, ensure_ascii=False)) + "\n"


def render_text(service_map: dict[str, Any]) -> str:
    lines: list[str] = []
    for service in as_dict(service_map)["services"]:
        lines.append(inline(service["name"]) + (" (declared)" if service["declared"] else ""))
        for d in service["dockerfiles"]:
            lines.append(f"  dockerfile  {inline(d['path'])}" + (f" (target {inline(d['target'])})" if d["target"] else ""))
        lines += [f"  image       {inline(i)}" for i in service["images"]]
        for p in service["pipelines"]:
            verb = "pushes" if p["push"] else "builds"
            tag = f":{p['tag']}" if p["tag"] else ""
            lines.append(f"  pipeline    {inline(p['path'])}:{p['line']} (job {inline(p['job'])}) {verb} "
                         f"{inline(p['image'] + tag)}")
        lines += [f"  deploy      {inline(d['path'])}:{d['line']} (job {inline(d['job'])}) {inline(d['type'])}"
                  for d in service["deploys"]]
        lines += [f"  chart       {inline(c)}" for c in service["charts"]]
        lines += [f"  chart-run   {inline(m['path'])} {inline(m['workload'])}/{inline(m['container'])}"
                  for m in service["chart_workloads"]]
        lines += [f"  manifest    {inline(m['path'])} {inline(m['workload'])}/{inline(m['container'])}"
                  for m in service["manifests"]]
        lines += [f"  compose     {inline(c['path'])} service {inline(c['service'])}" for c in service["compose"]]
        if service["env_schema"]:
            lines.append(f"  env schema  {inline(service['env_schema']['path'])} ({inline(service['env_schema']['how'])})")
    if service_map["unlinked"]:
        lines.append("unlinked")
        lines += [f"  {inline(u['type']):<11} {inline(u['path'])}" for u in service_map["unlinked"]]
    count = len(service_map["services"])
    lines.append(f"{count} service{'s' if count != 1 else ''}")
    return no_workflow_commands("".join(line + "\n" for line in lines))
