"""A deterministic synthetic monorepo for the benchmarks, built from the repository's fixtures.

Every service gets a Dockerfile, a compose file, Kubernetes manifests, a Helm chart, an env
schema with its env file, and a workflow under the root .github/workflows (where GitHub reads
them): about 7 checked targets and 10 files per service. Each file is a rule fixture (good and
bad mixed) or a file of fixtures/sample-repo, with its version numbers varied, so a service is
realistic and no two are byte-identical. The same seed gives the same tree, file for file.

    python bench/generate.py OUT --services 100            # the monorepo
    python bench/generate.py OUT --only dockerfile --count 200   # one kind: dockerfile, workflow, kubernetes
    python bench/generate.py OUT --shape flat-manifests --count 800  # one of SHAPES, N units

The shapes (`generate_shape`) are the inputs whose cost could grow faster than their size: many
objects in one scope, a chart of many templates, a huge file, a workflow of many jobs. bench/run.py
generates each at N and 4N and reports the growth.
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"
SAMPLE = FIXTURES / "sample-repo"
_VERSION = re.compile(r"\b(\d+)\.(\d+)\.(\d+)\b")
_DOCKERFILE_EXTRA = [
    "RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*",
    "ENV LOG_LEVEL=info PORT={port}",
    "RUN set -eux; mkdir -p /srv/data; chown 10001 /srv/data",
    "EXPOSE {port}",
    "RUN pip install --no-cache-dir gunicorn==22.0.{minor}",
    "LABEL org.opencontainers.image.version=1.{minor}.0",
    "WORKDIR /srv/app{minor}",
]


@dataclass
class Sources:
    """The fixture files of each kind that services are built from (sorted: the order is part of the seed)."""

    dockerfiles: list[str] = field(default_factory=list)
    workflows: list[str] = field(default_factory=list)
    manifests: list[str] = field(default_factory=list)
    composes: list[str] = field(default_factory=list)
    charts: list[Path] = field(default_factory=list)
    env_dirs: list[Path] = field(default_factory=list)


def _texts(paths: list[Path]) -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted(paths) if p.is_file()]


def _has_manifest(text: str) -> bool:
    return bool(re.search(r"^apiVersion:", text, re.M) and re.search(r"^kind:", text, re.M))


def collect_sources() -> Sources:
    src = Sources()
    src.dockerfiles = _texts([p for p in FIXTURES.glob("DF*/**/*")
                              if p.suffix == ".Dockerfile" or p.name == "Dockerfile"]
                             + [SAMPLE / "services/api/Dockerfile"])
    src.workflows = _texts([*FIXTURES.glob("GH*/*.yml"), *FIXTURES.glob("GH*/*/.github/workflows/*.yml"),
                            *SAMPLE.glob(".github/workflows/*.yml")])
    manifests = [*FIXTURES.glob("K8S*/*.yaml"), *FIXTURES.glob("K8S*/*/*.yaml"), SAMPLE / "deploy/k8s/api.yaml"]
    src.manifests = [t for t in _texts(manifests) if _has_manifest(t)]
    src.composes = _texts([*FIXTURES.glob("DC*/*.yaml"), *FIXTURES.glob("DC*/*.yml"), SAMPLE / "docker-compose.yml"])
    charts = {p.parent for p in [*FIXTURES.glob("HELM*/**/Chart.yaml"), *SAMPLE.glob("deploy/charts/*/Chart.yaml")]}
    src.charts = sorted(c for c in charts if not any(parent in charts for parent in c.parents))  # subcharts go along
    src.env_dirs = sorted({p.parent for p in FIXTURES.glob("ENV*/*/env.schema.*")} | {SAMPLE})
    for name, found in vars(src).items():
        if not found:
            sys.exit(f"no {name} found under {FIXTURES}")
    return src


def vary_versions(text: str, rng: random.Random) -> str:
    """Patch numbers varied: the same structure, different bytes (defeats any content dedup)."""
    return _VERSION.sub(lambda m: f"{m.group(1)}.{m.group(2)}.{rng.randint(0, 30)}", text)


def vary_dockerfile(text: str, rng: random.Random) -> str:
    lines = vary_versions(text, rng).rstrip("\n").split("\n")
    first_from = next((i for i, line in enumerate(lines) if line.startswith("FROM ")), None)
    if first_from is not None:
        # only after a complete one-line instruction: never inside a continuation or a heredoc
        spots = [i + 1 for i in range(first_from, len(lines))
                 if re.match(r"[A-Z]+ ", lines[i]) and not lines[i].rstrip().endswith("\\") and "<<" not in lines[i]]
        for spot in sorted((rng.choice(spots) for _ in range(rng.randint(0, 3))), reverse=True):
            lines.insert(spot, rng.choice(_DOCKERFILE_EXTRA).format(port=rng.randint(1024, 9999), minor=rng.randint(0, 9)))
    return "\n".join(lines) + "\n"


def vary_yaml(text: str, rng: random.Random, index: int) -> str:
    return vary_versions(text, rng).rstrip("\n") + f"\n# generated variant {index}\n"


def copy_tree(source: Path, target: Path, rng: random.Random, names: tuple[str, ...] | None = None) -> None:
    """Copy a fixture directory (or the chosen files of it), varying the versions in text files."""
    for path in sorted(source.rglob("*")):
        rel = path.relative_to(source)
        if not path.is_file() or (names and not rel.name.startswith(names)) or (names and len(rel.parts) > 1):
            continue
        out = target / rel
        out.parent.mkdir(parents=True, exist_ok=True)
        try:
            out.write_text(vary_versions(path.read_text(encoding="utf-8"), rng), encoding="utf-8")
        except UnicodeDecodeError:
            shutil.copyfile(path, out)


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def generate_monorepo(root: Path, services: int, seed: int = 7) -> int:
    """N services; returns the number of files written."""
    rng = random.Random(seed)
    src = collect_sources()
    for i in range(services):
        name = f"svc-{i:04d}"
        service = root / "services" / name
        write(service / "Dockerfile", vary_dockerfile(src.dockerfiles[i % len(src.dockerfiles)], rng))
        if rng.random() < 0.5:
            write(service / ".dockerignore", ".git\n.env*\nnode_modules/\n")
        write(service / "compose.yaml", vary_yaml(src.composes[i % len(src.composes)], rng, i))
        write(service / "deploy" / "deployment.yaml", vary_yaml(src.manifests[i % len(src.manifests)], rng, i))
        copy_tree(src.charts[i % len(src.charts)], service / "chart", rng)
        copy_tree(src.env_dirs[i % len(src.env_dirs)], service, rng, names=("env.schema.", ".env"))
        write(root / ".github" / "workflows" / f"{name}.yml", vary_yaml(src.workflows[i % len(src.workflows)], rng, i))
    return sum(1 for p in root.rglob("*") if p.is_file())


def generate_kind(root: Path, kind: str, count: int, seed: int = 7, sources: Sources | None = None) -> int:
    """`count` files of one kind, laid out as a repository holds them."""
    rng = random.Random(seed)
    src = sources or collect_sources()
    for i in range(count):
        if kind == "dockerfile":
            write(root / f"svc{i:04d}" / "Dockerfile", vary_dockerfile(src.dockerfiles[i % len(src.dockerfiles)], rng))
        elif kind == "workflow":
            write(root / ".github" / "workflows" / f"wf{i:04d}.yml", vary_yaml(src.workflows[i % len(src.workflows)], rng, i))
        elif kind == "kubernetes":
            write(root / f"app{i:04d}" / "deployment.yaml", vary_yaml(src.manifests[i % len(src.manifests)], rng, i))
        else:
            raise ValueError(f"unknown kind {kind}")
    return count


_BUNDLE = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-{i}
  namespace: team-{ns}
  labels: {{app: app-{i}, tier: web}}
spec:
  replicas: {replicas}
  selector:
    matchLabels: {{app: app-{i}}}
  template:
    metadata:
      labels: {{app: app-{i}, tier: web, version: v1.{minor}}}
    spec:
      serviceAccountName: app-{i}
      containers:
        - name: app
          image: ghcr.io/example/app-{i}:1.{minor}.0
          ports: [{{name: http, containerPort: {port}}}]
          readinessProbe: {{httpGet: {{path: /ready, port: http}}}}
          resources: {{requests: {{cpu: 100m, memory: 128Mi}}, limits: {{memory: 256Mi}}}}
---
apiVersion: v1
kind: Service
metadata: {{name: app-{i}, namespace: team-{ns}}}
spec:
  selector: {{app: app-{selected}}}
  ports: [{{port: 80, targetPort: http}}]
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {{name: app-{i}, namespace: team-{ns}}}
spec:
  minAvailable: {min_available}
  selector: {{matchLabels: {{app: app-{i}}}}}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {{name: app-{i}, namespace: team-{ns}}}
spec:
  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: app-{i}}}
  minReplicas: {min_replicas}
  maxReplicas: 10
  metrics: [{{type: Resource, resource: {{name: cpu, target: {{type: Utilization, averageUtilization: 70}}}}}}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {{name: app-{i}, namespace: team-{ns}}}
spec:
  podSelector: {{matchLabels: {{app: app-{i}}}}}
  policyTypes: [Ingress]
---
apiVersion: v1
kind: ServiceAccount
metadata: {{name: app-{i}, namespace: team-{ns}}}
automountServiceAccountToken: false
"""

_TEMPLATE = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{{{ include "big.fullname" . }}}}-t{i}
  labels:
    {{{{- include "big.labels" . | nindent 4 }}}}
    component: t{i}
spec:
  replicas: {{{{ .Values.replicaCount }}}}
  selector:
    matchLabels:
      component: t{i}
  template:
    metadata:
      labels:
        component: t{i}
    spec:
      containers:
        - name: app
          image: "{{{{ .Values.image.repository }}}}:{{{{ .Values.image.tag | default .Chart.AppVersion }}}}"
          {{{{- with .Values.resources }}}}
          resources:
            {{{{- toYaml . | nindent 12 }}}}
          {{{{- end }}}}
---
apiVersion: v1
kind: Service
metadata:
  name: {{{{ include "big.fullname" . }}}}-t{i}
spec:
  selector:
    component: t{i}
  ports:
    - port: 80
      targetPort: {port}
"""

_HELPERS = """{{- define "big.fullname" -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "big.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}
"""

_JOB = """  job-{i}:
    runs-on: ubuntu-latest
    needs: [{needs}]
    permissions:
      contents: read
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v{minor}
        with:
          node-version: "20"
      - name: build {i}
        run: npm ci && npm run build -- --scope pkg-{i} && echo "${{{{ github.event.pull_request.title }}}}"
"""

SHAPES = ("flat-manifests", "chart-templates", "huge-dockerfile", "workflow-jobs", "monorepo-arguments")


def generate_shape(root: Path, shape: str, count: int, seed: int = 7) -> list[Path]:
    """One input of `shape` with `count` units; returns the paths to pass on the command line.

    flat-manifests: `count` files in one directory (one scope), each a Deployment with its Service,
    PodDisruptionBudget, HorizontalPodAutoscaler, NetworkPolicy and ServiceAccount (names and labels
    distinct per file, as in a real flat directory); chart-templates: one chart with `count`
    templates; huge-dockerfile: one Dockerfile of `count` instructions; workflow-jobs: one workflow of
    `count` jobs; monorepo-arguments: the monorepo of `count` services, every file given by name (what
    pre-commit --all-files passes).
    """
    rng = random.Random(seed)
    if shape == "flat-manifests":
        for i in range(count):
            write(root / "manifests" / f"app-{i:05d}.yaml", _BUNDLE.format(
                i=i, ns=i % 7, replicas=rng.choice([1, 2, 3]), minor=rng.randint(0, 9), port=rng.randint(1024, 9999),
                selected=i if rng.random() < 0.9 else f"{i}-gone", min_available=rng.choice([1, 2, 3]),
                min_replicas=rng.choice([1, 2, 3])))
        return [root]
    if shape == "chart-templates":
        chart = root / "big"
        write(chart / "Chart.yaml", "apiVersion: v2\nname: big\nversion: 1.0.0\nappVersion: \"2.0.0\"\n")
        write(chart / "values.yaml", "replicaCount: 2\nimage:\n  repository: ghcr.io/example/big\n  tag: \"\"\n"
                                     "resources:\n  requests:\n    cpu: 100m\n")
        write(chart / "templates" / "_helpers.tpl", _HELPERS)
        for i in range(count):
            write(chart / "templates" / f"t{i:05d}.yaml", _TEMPLATE.format(i=i, port=rng.randint(1024, 9999)))
        return [root]
    if shape == "huge-dockerfile":
        lines = ["# syntax=docker/dockerfile:1", "FROM python:3.12-slim AS build", "WORKDIR /src"]
        for i in range(count):
            extra = rng.choice(_DOCKERFILE_EXTRA).format(port=rng.randint(1024, 9999), minor=rng.randint(0, 9))
            lines.append(extra if i % 3 else f"RUN echo step {i} && \\\n    test -d /srv || mkdir -p /srv/{i}")
        lines += ["FROM gcr.io/distroless/python3", "COPY --from=build /src /app", "USER 10001",
                  'CMD ["python", "/app/main.py"]']
        write(root / "Dockerfile", "\n".join(lines) + "\n")
        return [root / "Dockerfile"]
    if shape == "workflow-jobs":
        jobs = [_JOB.format(i=i, needs=f"job-{i - 1}" if i else "", minor=rng.randint(3, 4)) for i in range(count)]
        write(root / ".github" / "workflows" / "big.yml",
              "name: big\non:\n  pull_request_target:\n  push:\n    branches: [main]\njobs:\n" + "".join(jobs))
        return [root]
    if shape == "monorepo-arguments":
        generate_monorepo(root, count, seed)
        return sorted(p for p in root.rglob("*") if p.is_file())
    raise ValueError(f"unknown shape {shape}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--services", type=int, default=100)
    parser.add_argument("--only", choices=["dockerfile", "workflow", "kubernetes"])
    parser.add_argument("--shape", choices=SHAPES)
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if args.out.exists() and any(args.out.iterdir()):
        sys.exit(f"{args.out} is not empty")
    if args.shape:
        files = len(generate_shape(args.out, args.shape, args.count, args.seed))
    elif args.only:
        files = generate_kind(args.out, args.only, args.count, args.seed)
    else:
        files = generate_monorepo(args.out, args.services, args.seed)
    print(f"{files} files in {args.out}")


if __name__ == "__main__":
    main()
