"""The service map and the rules across its links: what `readycheck services` prints, and that a cross-artifact
finding follows a change at either end of its link, with a file list, with the cache and across shards."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from readycheck.catalog import Catalog, load_catalog
from readycheck.config import ConfigError, from_mapping
from readycheck.services import build_map, image_name, service_of_paths

from .clirun import invoke, write
from .conftest import FIXTURES

CATALOG = load_catalog()


def services_json(root: Path, *args: str) -> dict[str, Any]:
    done = invoke(["services", "--format", "json", "--no-cache", *args], root)
    assert done.code == 0, done.stderr
    data: dict[str, Any] = json.loads(done.stdout)
    return data


def by_name(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["name"]: s for s in data["services"]}


def test_sample_repo_map() -> None:
    services = by_name(services_json(FIXTURES / "sample-repo"))
    # the compose service builds services/api; nothing builds ghcr.io/example/api from it, so the image run by the
    # manifest and the chart is a service of its own: no link is made without evidence
    built = [s for s in services.values() if s["dockerfiles"]]
    assert [d["path"] for s in built for d in s["dockerfiles"]] == ["services/api/Dockerfile"]
    assert built[0]["compose"] == [{"path": "docker-compose.yml", "service": "api"}]
    assert built[0]["env_schema"]["path"] == "env.schema.json"
    runs_image = [s for s in services.values() if "ghcr.io/example/api" in s["images"]]
    assert len(runs_image) == 1
    assert runs_image[0]["charts"] == ["deploy/charts/api"]
    assert [m["path"] for m in runs_image[0]["manifests"]] == ["deploy/k8s/api.yaml"]
    assert services["postgres"]["compose"] == [{"path": "docker-compose.yml", "service": "db"}]


def test_multi_service_repo_map() -> None:
    root = FIXTURES / "multi-service-repo"
    data = services_json(root)
    services = by_name(data)
    assert sorted(services) == ["api", "legacy", "web", "worker"]
    api = services["api"]
    assert [d["path"] for d in api["dockerfiles"]] == ["services/api/Dockerfile"]
    assert api["images"] == ["ghcr.io/acme/api"]
    assert [(p["path"], p["push"]) for p in api["pipelines"]] == [(".github/workflows/release.yml", True)]
    assert [d["type"] for d in api["deploys"]] == ["helm"]
    assert api["charts"] == ["deploy/charts/api"]
    assert api["env_schema"] == {"path": "services/api/env.schema.json", "how": api["env_schema"]["how"]}
    worker = services["worker"]
    assert worker["dockerfiles"] == [{"path": "services/worker/Dockerfile", "target": "runtime"}]
    assert worker["images"] == ["ghcr.io/acme/worker"]  # $REGISTRY resolved from the job's env
    assert [m["path"] for m in worker["manifests"]] == ["deploy/k8s/worker.yaml"]
    web = services["web"]
    assert [d["path"] for d in web["dockerfiles"]] == ["web/Dockerfile"]
    assert web["compose"] == [{"path": "compose.yaml", "service": "web"}]
    assert [m["path"] for m in web["manifests"]] == ["deploy/k8s/web.yaml"]
    assert services["legacy"]["images"] == [] and services["legacy"]["links"] == []
    assert data["unlinked"] == [{"type": "env-schema", "path": "docs/env.schema.json"}]
    text = invoke(["services", "--no-cache"], root)
    assert text.code == 0
    for name in services:
        assert f"\n{name}\n" in f"\n{text.stdout}"
    assert "4 services" in text.stdout


def test_the_map_is_deterministic_and_does_not_depend_on_the_order_of_facts(catalog: Catalog) -> None:
    from readycheck.config import Config
    from readycheck.orchestrate import scan

    result = scan([str(FIXTURES / "multi-service-repo")], catalog, Config(), base=FIXTURES)
    first = build_map(result.facts)
    again = build_map(list(reversed(result.facts)))
    assert json.dumps(first, sort_keys=True) == json.dumps(again, sort_keys=True)


def test_image_names_are_normalised_and_unresolved_parts_are_unknown() -> None:
    assert image_name("nginx:1.27") == "docker.io/library/nginx"
    assert image_name("docker.io/library/nginx") == "docker.io/library/nginx"
    assert image_name("GHCR.io/Acme/API:1.0") == "ghcr.io/acme/api"
    assert image_name("ghcr.io/${{ github.repository }}:${{ github.sha }}") is None
    assert image_name("$REGISTRY/api:1") is None


def test_declared_services_join_what_no_file_links(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "sample-repo", tmp_path / "repo")
    root = tmp_path / "repo"
    write(root, ".readycheck.yaml", "services:\n  api:\n    dockerfile: services/api/Dockerfile\n"
                                    "    images: [ghcr.io/example/api]\n")
    services = by_name(services_json(root))
    api = services["api"]
    assert api["declared"] is True
    assert [d["path"] for d in api["dockerfiles"]] == ["services/api/Dockerfile"]
    assert api["charts"] == ["deploy/charts/api"] and api["compose"][0]["service"] == "api"


@pytest.mark.parametrize("entry", [
    {"api": "services/api"}, {"api": {"dockerfile": 3}}, {"api": {"image": ["x"]}}, {"api": {"images": [""]}},
])
def test_a_bad_services_entry_is_a_usage_error(entry: dict[str, Any]) -> None:
    with pytest.raises(ConfigError, match="services"):
        from_mapping({"services": entry}, "cfg")


def _findings(root: Path, rule: str, *args: str) -> list[tuple[str, int]]:
    done = invoke(["check", "--format", "json", "--select", rule, *args], root)
    assert done.code in (0, 1), done.stderr
    report = json.loads(done.stdout)
    for finding in report["findings"]:
        assert finding["related"], "a cross-artifact finding names its other end"
    return [(f["path"], f["line"]) for f in report["findings"]]


def _touch_later(path: Path, text: str) -> None:
    """Rewrite a file with a clearly later mtime (the cache trusts size and mtime)."""
    path.write_text(text)
    later = time.time() + 5
    os.utime(path, (later, later))


def _ends() -> dict[str, tuple[str, str, str, tuple[str, str]]]:
    """Each service rule's two ends, from `ends:` in its fixtures' expect.yaml: (fixture, the end that differs
    between its bad and good trees, the other end, an edit of it that resolves the disagreement from that side)."""
    ends = {}
    for rule in CATALOG.rules:
        if rule.target != "service.service":
            continue
        spec = yaml.safe_load((FIXTURES / rule.id / "expect.yaml").read_text()) or {}
        assert "ends" in spec, f"fixtures/{rule.id}/expect.yaml names no `ends:` (both directions are tested)"
        item = spec["ends"]
        ends[rule.id] = (rule.id, item["changed"], item["other"], (item["edit"]["before"], item["edit"]["after"]))
    assert ends, "no service rule found"
    return ends


ENDS = _ends()


@pytest.mark.parametrize("rule", sorted(ENDS))
def test_a_change_at_the_reported_end_is_seen_with_the_cache_and_with_a_file_list(rule: str, tmp_path: Path) -> None:
    """From the good tree, one end replaced by the bad tree's: the finding appears through the cache (which holds
    the other end's group), and a file list naming only the changed file shows it as well."""
    fixture, changed, _, _ = ENDS[rule]
    bad, good = FIXTURES / fixture / "bad", FIXTURES / fixture / "good"
    assert (bad / changed).read_text() != (good / changed).read_text()
    root = tmp_path / "repo"
    shutil.copytree(good, root)
    cache = ["--cache-dir", str(tmp_path / "cache")]
    assert _findings(root, rule, *cache) == []
    _touch_later(root / changed, (bad / changed).read_text())
    found = _findings(root, rule, *cache)
    assert found, f"{rule}: changing {changed} is not seen through the cache"
    assert _findings(root, rule, *cache, "--service-scope", ".", changed) == found
    _touch_later(root / changed, (good / changed).read_text())
    assert _findings(root, rule, *cache) == []


@pytest.mark.parametrize("rule", sorted(ENDS))
def test_a_change_at_the_other_end_is_seen_with_the_cache_and_with_a_file_list(rule: str, tmp_path: Path) -> None:
    """From the bad tree, the other end edited so that the two agree: its finding goes, through the cache and with a
    file list naming only that file; edited back, it returns."""
    fixture, _, other, (before, after) = ENDS[rule]
    root = tmp_path / "repo"
    shutil.copytree(FIXTURES / fixture / "bad", root)
    cache = ["--cache-dir", str(tmp_path / "cache")]
    original = (root / other).read_text()
    assert before in original
    found = _findings(root, rule, *cache)
    listed = _findings(root, rule, *cache, "--service-scope", ".", other)
    assert listed and set(listed) <= set(found), "the file list shows the findings related to the file named"
    _touch_later(root / other, original.replace(before, after))
    assert len(_findings(root, rule, *cache)) < len(found), f"{rule}: changing {other} is not seen through the cache"
    assert len(_findings(root, rule, *cache, "--service-scope", ".", other)) < len(listed)
    _touch_later(root / other, original)
    assert _findings(root, rule, *cache) == found


def test_shards_report_each_service_once_and_merge_to_the_unsharded_scan(tmp_path: Path) -> None:
    paths = [f"SVC00{i}/bad" for i in range(1, 6)] + ["multi-service-repo"]
    whole = invoke(["check", "--format", "json", "--no-cache", *paths], FIXTURES)
    shards = []
    for k in (1, 2, 3):
        done = invoke(["check", "--format", "json", "--no-cache", "--shard", f"{k}/3", *paths], FIXTURES)
        shard_file = tmp_path / f"s{k}.json"
        shard_file.write_text(done.stdout)
        shards.append(str(shard_file))
    merged = invoke(["merge", *shards], FIXTURES)
    assert merged.code == 0, merged.stderr
    expected = json.loads(whole.stdout)["findings"]
    assert any(f["rule"].startswith("SVC") for f in expected)
    assert json.loads(merged.stdout)["findings"] == expected


def test_no_service_finding_without_a_build_link(tmp_path: Path) -> None:
    """The same Dockerfile and manifest, with no pipeline naming the image: no link, no finding."""
    root = tmp_path / "repo"
    shutil.copytree(FIXTURES / "SVC001" / "bad", root)
    shutil.rmtree(root / ".github")
    assert _findings(root, "SVC001", "--no-cache") == []


def test_output_of_a_scan_without_service_findings_is_unchanged_by_the_map() -> None:
    """Selecting away the service rules changes nothing else of a report."""
    root = FIXTURES / "multi-service-repo"
    every = invoke(["check", "--format", "json", "--no-cache"], root)
    without = invoke(["check", "--format", "json", "--no-cache", "--ignore", "service"], root)
    assert every.stdout == without.stdout


def _report_html(tmp_path: Path) -> Path:
    root = FIXTURES / "multi-service-repo"
    out = tmp_path / "report.html"
    done = invoke(["report", "--format", "html", "--no-cache", "--output", str(out)], root)
    assert done.code == 0, done.stderr
    return out


def _service_svg(document: str) -> Any:
    import re
    import xml.etree.ElementTree as ET

    match = re.search(r'<svg class="service-map".*?</svg>', document, re.S)
    assert match, "the HTML report draws the service map"
    return ET.fromstring(match.group(0))


def test_the_html_report_draws_each_service_its_artifacts_and_the_unlinked_ones(tmp_path: Path) -> None:
    document = _report_html(tmp_path).read_text()
    assert "<script" not in document
    svg = _service_svg(document)
    ns = "{http://www.w3.org/2000/svg}"
    bands = {g.get("data-service"): g for g in svg.iter(f"{ns}g") if g.get("class") == "service"}
    assert sorted(bands) == ["api", "legacy", "unlinked", "web", "worker"]
    nodes = {name: sorted(n.get("data-node") for n in band.iter(f"{ns}g") if n.get("class") == "node")
             for name, band in bands.items()}
    assert nodes["api"] == ["chart:deploy/charts/api", "dockerfile:services/api/Dockerfile",
                            "env:services/api/env.schema.json", "image:ghcr.io/acme/api",
                            "pipeline:.github/workflows/release.yml#images"]
    assert nodes["web"] == ["compose:compose.yaml#web", "dockerfile:web/Dockerfile", "image:registry.example.com/acme/web",
                            "k8s:deploy/k8s/web.yaml#Deployment/web/web"]
    assert nodes["unlinked"] == ["unlinked:docs/env.schema.json"]
    links = {name: sum(1 for p in band.iter(f"{ns}path") if p.get("class") == "link") for name, band in bands.items()}
    # api: Dockerfile -> pipeline -> image -> chart, env schema -> chart; web: Dockerfile -> compose, image -> manifest,
    # Dockerfile and image joined by the compose build (no drawn edge of their own: the build is the compose service)
    assert links["api"] == 4 and links["legacy"] == 0 and links["unlinked"] == 0
    assert links["web"] >= 2


def test_a_report_of_a_tree_without_links_has_no_services_section(tmp_path: Path) -> None:
    write(tmp_path, "Dockerfile", "FROM alpine:3.20\nUSER 1000\nCMD [\"true\"]\n")
    for fmt in ("html", "markdown", "text"):
        done = invoke(["report", "--format", fmt, "--no-cache"], tmp_path)
        assert "Services" not in done.stdout and "service-map" not in done.stdout


CHROMIUM = Path("/usr/bin/chromium")


def _pixels(png: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and RGB(A) rows of an 8-bit, non-interlaced PNG (what Chromium writes)."""
    import struct
    import zlib

    position, data = 8, b""
    width = height = channels = 0
    while position < len(png):
        length, kind = struct.unpack(">I4s", png[position:position + 8])
        body = png[position + 8:position + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            assert depth == 8
            channels = {2: 3, 6: 4}[colour]
        elif kind == b"IDAT":
            data += body
        position += 12 + length
    raw = zlib.decompress(data)
    stride = width * channels
    rows: list[bytes] = []
    previous = bytearray(stride)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            left = line[x - channels] if x >= channels else 0
            up, corner = previous[x], previous[x - channels] if x >= channels else 0
            if kind == 1:
                line[x] = (line[x] + left) & 255
            elif kind == 2:
                line[x] = (line[x] + up) & 255
            elif kind == 3:
                line[x] = (line[x] + (left + up) // 2) & 255
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                line[x] = (line[x] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 255
        rows.append(bytes(line))
        previous = line
    return width, height, [bytes(r) for r in rows]


def test_the_service_map_is_drawn_in_headless_chromium(tmp_path: Path) -> None:
    """A screenshot of the map (kept in the test's directory) shows a box of each column's colour."""
    import subprocess

    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is not installed; the SVG structure test above still ran")
    document = _report_html(tmp_path).read_text()
    svg = document[document.index('<svg class="service-map"'):]
    svg = svg[:svg.index("</svg>") + len("</svg>")]
    page = tmp_path / "map.html"
    page.write_text(f'<!DOCTYPE html><html lang="en"><body style="margin:0;background:#fff">{svg}</body></html>')
    screenshot = tmp_path / "service-map.png"
    command = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}",
               "--hide-scrollbars", f"--screenshot={screenshot}", "--window-size=1100,900", page.as_uri()]
    subprocess.run(command, capture_output=True, timeout=120, check=False)
    assert screenshot.is_file(), "chromium wrote no screenshot"
    width, height, rows = _pixels(screenshot.read_bytes())
    channels = len(rows[0]) // width
    seen: set[bytes] = set()
    for row in rows:
        for x in range(0, len(row), channels):
            seen.add(row[x:x + 3])
    from readycheck.reporters.service_graph import _FILL

    for fill in _FILL:
        assert bytes.fromhex(fill[1:]) in seen, f"no node of colour {fill} was drawn"


def test_skaffold_artifacts_link_their_dockerfile_to_the_image(tmp_path: Path) -> None:
    write(tmp_path, "skaffold.yaml", "apiVersion: skaffold/v4beta6\nkind: Config\nbuild:\n  artifacts:\n"
                                     "    - image: shop-cart\n      context: src/cart\n      docker:\n        target: runtime\n")
    write(tmp_path, "src/cart/Dockerfile", "FROM node:22.11-alpine AS runtime\nUSER node\nCMD [\"node\", \"s.js\"]\n")
    write(tmp_path, "k8s/cart.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: cart\nspec:\n  template:\n"
                                     "    spec:\n      containers:\n        - name: cart\n          image: shop-cart\n")
    services = by_name(services_json(tmp_path))
    assert services["shop-cart"]["dockerfiles"] == [{"path": "src/cart/Dockerfile", "target": "runtime"}]
    assert [m["path"] for m in services["shop-cart"]["manifests"]] == ["k8s/cart.yaml"]


def test_an_umbrella_chart_running_several_images_does_not_merge_their_services(tmp_path: Path) -> None:
    write(tmp_path, "chart/Chart.yaml", "apiVersion: v2\nname: shop\nversion: 1.0.0\n")
    write(tmp_path, "chart/values.yaml", "x: 1\n")
    write(tmp_path, "chart/templates/d.yaml", "".join(
        f"---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {n}\nspec:\n  template:\n    spec:\n"
        f"      containers:\n        - name: {n}\n          image: ghcr.io/acme/{n}:1.0.0\n" for n in ("cart", "shop")))
    services = by_name(services_json(tmp_path))
    assert {"cart", "shop"} <= set(services)
    assert [r["workload"] for r in services["cart"]["chart_workloads"]] == ["Deployment/cart"]
    assert [r["workload"] for r in services["shop"]["chart_workloads"]] == ["Deployment/shop"]


ODD_SHAPES = {
    "compose.yaml": "services:\n  a:\n    build: {context: [1], dockerfile: {x: 1}}\n    image: 5\n    environment: 7\n"
                    "  b:\n    build: {}\n    image: ''\n  c: 3\n  d:\n    image: '${X:-}'\n",
    "k8s.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: [1]}\nspec:\n  template:\n    metadata: {labels: 3}\n"
                "    spec:\n      securityContext: {runAsNonRoot: 'yes'}\n      containers:\n        - name: {x: 1}\n"
                "          image: [1]\n          ports: {a: 1}\n          env: [{name: 1}, 3, {value: x}]\n"
                "          envFrom: [{configMapRef: 3}, {secretRef: {name: [1]}}]\n"
                "          readinessProbe: {httpGet: {port: {a: 1}}}\n          lifecycle: {preStop: {exec: {command: 3}}}\n"
                "        - 7\n---\napiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  selector: [1]\n"
                "  ports: [{targetPort: {x: 1}}, 3]\n---\napiVersion: skaffold/v4beta6\nkind: Config\n"
                "build: {artifacts: [{image: 3}, 4, {image: x, context: [1], docker: 5}]}\n",
    ".github/workflows/w.yml": "on: push\nenv: {IMG: [1]}\njobs:\n  a:\n    runs-on: x\n    steps:\n"
                               "      - uses: docker/build-push-action@v6\n        with: {tags: {a: 1}, context: [1], push: 3}\n"
                               "      - run: docker build -t -f\n      - run: helm upgrade --install\n"
                               "      - run: kubectl set image\n      - run: docker push\n",
    "Dockerfile": "FROM scratch\nEXPOSE abc 80/udp\nUSER\n",
    "env.schema.json": '{"type": "object", "required": [1, "A"], "properties": {"A": {}}}',
}


def test_odd_shapes_in_the_tree_build_a_map_without_errors(tmp_path: Path) -> None:
    for name, text in ODD_SHAPES.items():
        write(tmp_path, name, text)
    done = invoke(["check", "--format", "json", "--no-cache", "--select", "service"], tmp_path)
    report = json.loads(done.stdout)
    assert not [e for e in report["errors"] if "failed" in e["message"] or "service map" in e["message"]]
    mapped = invoke(["services", "--format", "json", "--no-cache"], tmp_path)
    assert mapped.code in (0, 2) and "services" in json.loads(mapped.stdout)  # 2: objects the API server rejects
    assert "failed" not in mapped.stderr and "Traceback" not in mapped.stderr


def test_a_secret_given_with_set_in_a_deploy_step_reaches_neither_the_cache_nor_the_map(tmp_path: Path) -> None:
    secret = "hunter2-" + "x7Qz9LmP4vRt"
    write(tmp_path, "services/api/Dockerfile", "FROM alpine:3.20\nUSER 10001\nCMD [\"/api\"]\n")
    write(tmp_path, ".github/workflows/deploy.yml", f"""\
on: push
permissions: {{contents: read}}
jobs:
  deploy:
    runs-on: ubuntu-24.04
    steps:
      - run: docker build -f services/api/Dockerfile -t ghcr.io/acme/api:1.2.3 services/api
      - run: helm upgrade --install api deploy/charts/api --set image.tag=1.2.3 --set db.password={secret}
""")
    cache = tmp_path / "cache"
    run = invoke(["check", "--cache-dir", str(cache), "--format", "json", "."], tmp_path)
    assert run.code in (0, 1, 2)
    mapped = invoke(["services", "--format", "json", "."], tmp_path)
    assert secret not in mapped.stdout
    for path in cache.rglob("*"):
        if path.is_file():
            assert secret.encode() not in path.read_bytes(), path


def test_what_to_fix_first_groups_findings_by_the_service_that_owns_their_file() -> None:
    """The report's fix groups carry the service of each finding's file; a file several services claim (one workflow
    building two images) belongs to none of them, rather than to a guess."""
    root = FIXTURES / "multi-service-repo"
    mapped = build_map_of(root)
    service_of = service_of_paths(mapped)
    assert service_of("legacy/Dockerfile") == "legacy"
    assert service_of("services/worker/Dockerfile") == "worker"
    assert service_of("deploy/charts/api/templates/deployment.yaml") == "api"  # inside the chart's directory
    assert service_of("nowhere/else.yaml") == ""
    claimed = {p["path"] for s in mapped["services"] for p in s["pipelines"]}
    shared = [p for p in claimed if sum(p in {q["path"] for q in s["pipelines"]} for s in mapped["services"]) > 1]
    assert shared == [".github/workflows/release.yml"]  # builds both api and worker
    assert service_of(shared[0]) == ""
    done = invoke(["report", "--format", "markdown", "--no-cache", "."], root)
    assert done.code == 0, done.stderr
    fix_first = done.stdout.split("### What to fix first", 1)[1].split("\n### ", 1)[0]
    assert "runs-as-root in `legacy`" in fix_first and "runs-as-root in `web`" in fix_first


def build_map_of(root: Path) -> dict[str, Any]:
    """The raw map (with runs and pipelines), as the report builds it, from the JSON facts of a scan."""
    from readycheck.config import Config
    from readycheck.orchestrate import scan

    result = scan([str(root)], load_catalog(), Config(), base=root)
    return build_map(result.facts, {})


@pytest.mark.parametrize(("expose", "fires"), [
    ("EXPOSE 8080", True),
    ("EXPOSE 8080 9200-9300", True),
    ("EXPOSE 8080 8990-9100", False),  # the range holds the port asked
    ("EXPOSE 8080 $EXTRA_PORT", False),  # a port not known may be the one asked
    ("EXPOSE 8080\nENV PORT={port}", False),  # the image tells the application to listen there
])
@pytest.mark.parametrize("rule", ["SVC003", "SVC006"])
def test_port_rules_read_exposed_ranges_variables_and_the_image_s_own_numbers(rule: str, expose: str, fires: bool,
                                                                               tmp_path: Path) -> None:
    """SVC003 and SVC006 judge a port against what the image serves with the same function as SVC009."""
    root = tmp_path / "repo"
    shutil.copytree(FIXTURES / rule / "bad", root)
    dockerfile = root / "build" / "cart.Dockerfile"
    text = dockerfile.read_text()
    assert "EXPOSE 8080\n" in text
    port = {"SVC003": 9000, "SVC006": 9090}[rule]  # what the bad tree's probe and Service ask
    dockerfile.write_text(text.replace("EXPOSE 8080\n", expose.format(port=port) + "\n"))
    assert bool(_findings(root, rule, "--no-cache")) is fires


@pytest.mark.parametrize(("ports", "target", "expose", "fires"), [
    ("[{name: http, containerPort: 9090}]", "http", "EXPOSE 8080", True),  # the name resolves to 9090
    ("[{name: http, containerPort: 9090}]", "9090", "EXPOSE 8080", True),
    ("[{name: http, containerPort: 9090}]", "http", "EXPOSE 9090", False),
    ("[{name: http, containerPort: 8080}]", "http", "EXPOSE 8080", False),
    ("[{name: web, containerPort: 9090}]", "http", "EXPOSE 8080", False),  # no such name: K8S905's finding
])
def test_service_target_port_is_judged_through_declared_container_ports(ports: str, target: str, expose: str,
                                                                        fires: bool, tmp_path: Path) -> None:
    """EXPOSE, containerPort and targetPort state one port: a Service routed (by number or by name) to a container
    port the image does not EXPOSE is reported, where the containers declare ports as well as where they do not."""
    root = tmp_path / "repo"
    shutil.copytree(FIXTURES / "SVC006" / "bad", root)
    manifest = root / "deploy" / "cart.yaml"
    text = manifest.read_text()
    assert "      targetPort: 9090" in text and "image: registry.example.com/shop/cart:2.0.1\n" in text
    text = text.replace("      targetPort: 9090", f"      targetPort: {target}")
    text = text.replace("image: registry.example.com/shop/cart:2.0.1\n",
                        f"image: registry.example.com/shop/cart:2.0.1\n          ports: {ports}\n")
    manifest.write_text(text)
    dockerfile = root / "build" / "cart.Dockerfile"
    dockerfile.write_text(dockerfile.read_text().replace("EXPOSE 8080\n", expose + "\n"))
    assert bool(_findings(root, "SVC006", "--no-cache")) is fires
