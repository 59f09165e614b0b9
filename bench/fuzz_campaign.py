"""The long fuzz campaign (outside CI): a mutation fuzzer over every loader, the config loader, rule files and the reporters.

    python bench/fuzz_campaign.py --count 100000 --minutes 30 --out bench/fuzz-out

For each target it mutates seed inputs (byte and token insertions, deletions,
duplications, splices) and feeds them in. A crash is any exception other than
the target's clean error (LoadError), any rule failure reported by the
engine, or an input slower than the per-input time limit (a hang). The
`reporters` target puts each input into the paths, messages, fixes,
suppression reasons and reproduce command of a result and renders it in
every output format; any raw control character, workflow command, active
Markdown or HTML, or JSON that does not read back is a crash
(tests/output_oracle.py says what is checked). Each crash
is saved under OUT/<target>/ so it can become a reproducer in tests/fuzz/;
the input being run is kept in OUT/<target>/current-input.txt, so a crash of
the interpreter itself (a segfault in a C parser) leaves its input behind.
The `config`, `chart` and `rules` targets write the input as files of a small
tree (a repository config, a chart with an overlay and a subchart, a `--rules`
directory) and scan it: there an "internal error" or "rule failed" entry is
a crash too.
Prints one JSON line per target: inputs run, crashes, hangs, seconds.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.output_oracle, run from anywhere

from readycheck.catalog import load_catalog
from readycheck.config import Config
from readycheck.evaluate import Evaluator, select_rules
from readycheck.limits import TimeBudgetExceeded, time_budget
from readycheck.shell import parse_script
from readycheck.textio import LoadError, decode
from readycheck.yamlsource import load_yaml_documents

DOCKERFILE_SEEDS = [
    "# syntax=docker/dockerfile:1\nARG BASE=node:22\nFROM ${BASE} AS build\nWORKDIR /src\nCOPY package*.json ./\n"
    "RUN --mount=type=cache,target=/root/.npm npm ci\nCOPY . .\nRUN npm run build\n\nFROM gcr.io/distroless/nodejs22\n"
    "COPY --from=build /src/dist /app\nUSER 65532\nHEALTHCHECK CMD [\"node\", \"/app/health.js\"]\n"
    "ENTRYPOINT [\"node\", \"/app/server.js\"]\n",
    "FROM debian:bookworm-slim\nRUN apt-get update \\\n && apt-get install -y --no-install-recommends curl \\\n"
    " && rm -rf /var/lib/apt/lists/*\nRUN curl -fsSL https://get.example.com | sh\nENV A=1 B=\"two words\"\n"
    "LABEL org.opencontainers.image.source=\"x\"\nCMD /app/run --port 8080\n",
    "FROM alpine:3.20\nRUN <<EOF\nset -e\napk add --no-cache tini\nEOF\nCOPY <<-EOT /etc/app.conf\n\tkey=value\n\tEOT\n"
    "ONBUILD RUN echo hi\nSTOPSIGNAL SIGTERM\nSHELL [\"/bin/sh\", \"-c\"]\nUSER app:app\nCMD [\"tini\", \"--\", \"app\"]\n",
    "# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN powershell -Command `\n    Write-Host hi\n"
    "COPY .\\app C:\\app\\\nWORKDIR C:\\app\nCMD [\"C:\\\\app\\\\run.exe\"]\n",
]
YAML_SEEDS = [
    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  labels: {app: web}\nspec:\n  replicas: 2\n"
    "  template:\n    spec:\n      containers:\n        - name: web\n          image: nginx:1.27\n"
    "          resources:\n            limits: {cpu: 500m, memory: 256Mi}\n---\napiVersion: v1\nkind: Service\n",
    "x-defaults: &defaults\n  restart: always\n  logging: {driver: json-file}\nservices:\n  web:\n    <<: *defaults\n"
    "    image: web:1.0\n    healthcheck:\n      test: [\"CMD\", \"curl\", \"-f\", \"http://localhost\"]\n  db:\n    <<: *defaults\n",
    "on:\n  push:\n    branches: [main]\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n"
    "      - uses: actions/checkout@v4\n      - run: |\n          make test\n          make build\n",
    "%YAML 1.2\n---\n!!map {? a : b, ? [c] : {d: !!str 1}}\n...\n--- >-\n  folded\n  text\n--- |+\n  literal\n\n",
]
SHELL_SEEDS = [
    "apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*",
    "curl -fsSL https://x.example/install.sh | sh -s -- --yes; wget -qO- https://y | bash",
    "set -eux; for f in a b; do echo \"$f\" > /tmp/$f; done; if [ -n \"$X\" ]; then sh -c 'echo $(id -u)'; fi",
    "cat <<EOF > /etc/conf\nkey=${VALUE:-default}\nEOF\nexec \"$@\"",
]
TOKENS = ["\n", "\\\n", "`", "<<EOF\n", "EOF\n", "${", "}", "$(", ")", "[", "]", "{", "}", "&a ", "*a", "<<: ",
          "!!python/object ", "- ", ": ", "\t", "\r", "\x00", "\xff", "\ufeff", "'", "\"", "#", "&&", "|", "FROM ",
          "RUN ", "--mount=", "# escape=`\n", "---\n", "? ", "%TAG ! x\n"]


def mutate(rng: random.Random, seeds: list[str]) -> str:
    text = rng.choice(seeds)
    for _ in range(rng.randint(1, 8)):
        pos = rng.randint(0, len(text))
        op = rng.randrange(6)
        if op == 0:
            text = text[:pos] + rng.choice(TOKENS) + text[pos:]
        elif op == 1:
            text = text[:pos] + text[pos + rng.randint(1, 20):]
        elif op == 2:
            end = min(len(text), pos + rng.randint(1, 40))
            text = text[:pos] + text[pos:end] * rng.randint(2, 30) + text[pos:]
        elif op == 3:
            other = rng.choice(seeds)
            cut = rng.randint(0, len(other))
            text = text[:pos] + other[cut:cut + rng.randint(1, 200)] + text[pos:]
        elif op == 4:
            text = text[:pos] + chr(rng.randrange(0x110000 if rng.random() < 0.1 else 128)) + text[pos:]
        else:
            lines = text.split("\n")
            rng.shuffle(lines)
            text = "\n".join(lines)
    return text


def dockerfile_target(evaluator: Evaluator) -> Callable[[str], None]:
    from readycheck.loaders.dockerfile import DockerfileDocument, build_model

    def run(text: str) -> None:
        try:
            raw = text.encode("utf-8", "surrogatepass")
            data, locations = build_model(decode(raw), "Dockerfile", None, None)
        except LoadError:
            return
        _, errors = evaluator.evaluate(DockerfileDocument("Dockerfile", text, data, locations))
        if errors:
            raise AssertionError(f"rule failed: {errors[0].message}")

    return run


def yaml_target(text: str) -> None:
    try:
        load_yaml_documents(decode(text.encode("utf-8", "surrogatepass")))
    except LoadError:
        return


def shell_target(text: str) -> None:
    parse_script(text)


ENV_SEEDS = [
    "# app settings\nexport DATABASE_URL=\"postgres://app:${DB_PASSWORD}@db:5432/app\"\nLOG_LEVEL=info\n"
    "GREETING='hello world' # inline comment\nMULTI=\"line one\nline two\"\nEMPTY=\n",
    "KEY = value\nkey=lower\nDUP=1\nDUP=2\nQUOTED=\"unbalanced\nSPACES=a b c   \n=novalue\n",
]
TEMPLATE_SEEDS = [
    "{{- define \"app.name\" -}}{{ .Chart.Name | trunc 63 | trimSuffix \"-\" }}{{- end }}\n"
    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ include \"app.name\" . }}\n"
    "spec:\n  replicas: {{ .Values.replicaCount | default 2 }}\n  template:\n    spec:\n      containers:\n"
    "      {{- range $i, $c := .Values.containers }}\n        - name: {{ $c.name | quote }}\n"
    "          image: \"{{ $c.image }}:{{ $c.tag | default $.Chart.AppVersion }}\"\n"
    "          {{- with $c.resources }}\n          resources: {{- toYaml . | nindent 12 }}\n          {{- end }}\n"
    "      {{- end }}\n",
    "{{ if and .Values.enabled (not .Values.disabled) }}{{ printf \"%s-%d\" .Release.Name 3 }}{{ else if .Values.x }}"
    "{{ tpl .Values.tpl . }}{{ else }}{{ fail \"no\" }}{{ end }}{{/* comment */}}{{ $x := dict \"a\" 1 }}"
    "{{ $x.a }}{{ range until 3 }}{{ . }}{{ end }}{{ required \"need it\" .Values.need }}\n",
]


def env_target(text: str) -> None:
    from readycheck.envfile import parse_env

    try:
        source = decode(text.encode("utf-8", "surrogatepass"))
    except LoadError:
        return  # not text: refused before the env parser sees it, as in a scan
    parse_env(source)


def template_target(text: str) -> None:
    from readycheck.helm.errors import TemplateError
    from readycheck.helm.executor import Executor, Limits
    from readycheck.helm.functions import FUNCS
    from readycheck.helm.parser import parse_template

    data = {"Values": {"replicaCount": 2, "containers": [{"name": "a", "image": "x", "resources": {"l": 1}}],
                       "enabled": True, "tpl": "{{ .Release.Name }}", "need": "ok"},
            "Release": {"Name": "r"}, "Chart": {"Name": "c", "AppVersion": "1.0"}}
    try:
        trees = parse_template("t", text, FUNCS)
        Executor(trees, FUNCS, Limits(max_output_bytes=1_000_000)).execute("t", data)
    except TemplateError:
        return


REPORTER_SEEDS = [
    "web\n::add-mask::x\n  ::error title=t::forged\r::warning::cr ##[error]v1 ##vso[task.setvariable]y",
    "\x1b]52;c;aGVsbG8=\x07\x1b]0;title\x07\x1b[2J\x1b[H\x9b31m\x7f\u2028\u202eevil\ufeff::x",
    "![i](http://evil.example/i.png) [l](https://e.x) <img src=x onerror=alert(1)> <script>x</script> &lt; &#64;",
    "@octocat @org/team #12 GH-1 www.evil.example user@e.x `code` ``` **b** _i_ ~~s~~ $x$ | a | b | \\| x",
    "javascript:alert(document.domain)%2F%2F/Dockerfile x)(y] [^1] <!-- c --> %0A%25%0D ,:= ::stop-commands::tok",
]
REPORTER_TOKENS = ["\n", "\r", "::", "##[", "\x1b", "\x07", "\x9b", "`", "|", "[", "]", "(", ")", "<", ">", "&", "@",
                   "#", "://", "www.", "%", ",", ":", "\\", "!", "*", "_", "~", "$", "\u2028", "\u202e", "\ufeff", " "]


def reporter_target(text: str) -> None:
    """Pieces of `text` as every untrusted field of a result, through every output format."""
    from readycheck.model import Finding, ScanError, ScanResult, Span
    from tests.output_oracle import problems

    pieces = (text.split("\x00") + [""] * 6)[:6]
    path = pieces[0] or "p"
    findings = [Finding("DF101", "base-image-pinned", "pinned-versions", "error", path, Span(3), pieces[1], fix=pieces[2]),
                Finding("K8S101", "readiness-probe-missing", "probes", "warning", path + "/x", Span(1), pieces[2])]
    suppressed = [(Finding("DF102", "x", "pinned-versions", "note", pieces[3] or "q", Span(1), pieces[1]), pieces[4])]
    errors = [ScanError(pieces[3] or "e", 2, pieces[4]), ScanError(path, None, pieces[5])]
    result = ScanResult(sorted(findings, key=Finding.sort_key), errors, 3, suppressed)
    found = problems(result, "readycheck check " + pieces[5])
    if found:
        raise AssertionError(f"unsafe output: {found}")


def reporter_mutate(rng: random.Random) -> str:
    """A seed with hostile tokens and NUL field separators inserted, or random characters."""
    text = rng.choice(REPORTER_SEEDS)
    for _ in range(rng.randint(1, 12)):
        pos = rng.randint(0, len(text))
        token = "\x00" if rng.random() < 0.15 else rng.choice(REPORTER_TOKENS) if rng.random() < 0.7 else \
            chr(rng.randrange(0x110000 if rng.random() < 0.2 else 256))
        text = text[:pos] + token + text[pos:]
    return text


# -- whole-tree targets: the config loader, the chart loader, rule files ---------------------------
#
# These write the mutated input as files of a small tree and scan it the way `readycheck check` does (in this
# process, no cache), so every loader, the reader and every rule run on it. A clean answer is an error entry
# or the target's usage error (ConfigError, CatalogError); an exception, an "internal error" entry or a
# "rule ... failed" entry is a crash.

TREE = {
    "Dockerfile": DOCKERFILE_SEEDS[0],
    "deploy.yaml": YAML_SEEDS[0].replace("kind: Service\n", "kind: Service\nmetadata: {name: web}\n"),
    "compose.yaml": YAML_SEEDS[1],
    ".github/workflows/ci.yml": YAML_SEEDS[2],
    ".env": ENV_SEEDS[0],
}
CONFIG_SEEDS = [
    "select: [dockerfile, kubernetes, helm]\nignore: [DF201]\nfail-on: warning\nexclude: ['vendor/*', '*.tmp']\n"
    "per-path-ignores:\n  'charts/*': [K8S101, probes]\nseverity: {DF101: warning, probes: note}\n"
    "rules:\n  K8S701: {severity: error}\ntarget: build\nstrict: true\n"
    "kubernetes: {namespace: prod}\nhelm: {release-name: web, kube-version: 1.29.0}\n",
    "[tool.readycheck]\nselect = [\"pinned-versions\", \"dockerfile\"]\nignore = \"DF201,DF401\"\nfail-on = \"note\"\n"
    "exclude = [\"build/**\"]\n[tool.readycheck.per-path-ignores]\n\"deploy/*\" = [\"kubernetes\"]\n"
    "[tool.readycheck.severity]\nK8S101 = \"error\"\n[tool.readycheck.rules.DF101]\nseverity = \"note\"\n",
]
CHART_SEEDS = [
    "=== Chart.yaml\napiVersion: v2\nname: web\nversion: 0.1.0\nappVersion: \"1.10\"\nkubeVersion: \">=1.25.0-0\"\n"
    "dependencies:\n  - name: sub\n    version: 0.1.0\n    condition: sub.enabled\n    tags: [x]\n"
    "=== values.yaml\nreplicaCount: 1\nimage: {repository: nginx, tag: latest}\nsub: {enabled: true}\n"
    "resources: {}\ncontainers:\n  - {name: a, image: x, tag: \"1\", resources: {limits: {cpu: 1}}}\n"
    "=== values-prod.yaml\nreplicaCount: 3\nimage: {tag: \"1.27\"}\n"
    "=== values.schema.json\n{\"type\": \"object\", \"properties\": {\"replicaCount\": {\"type\": \"integer\"}}}\n"
    "=== templates/_helpers.tpl\n" + TEMPLATE_SEEDS[0].split("apiVersion")[0] +
    "=== templates/deployment.yaml\n" + "apiVersion" + TEMPLATE_SEEDS[0].split("apiVersion", 1)[1] +
    "=== charts/sub/Chart.yaml\napiVersion: v2\nname: sub\nversion: 0.1.0\n"
    "=== charts/sub/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-sub\n"
    "data:\n  a: {{ .Values.a | default \"x\" | quote }}\n",
    "=== Chart.yaml\napiVersion: v1\nname: old\nversion: 1.0.0\n=== requirements.yaml\ndependencies: []\n"
    "=== values.yaml\nenabled: true\ntpl: \"{{ .Release.Name }}\"\nneed: ok\n=== .helmignore\n*.tmp\n"
    "=== templates/x.yaml\n" + TEMPLATE_SEEDS[1],
]
CONFIG_KEYS = ("select", "ignore", "per-path-ignores", "severity", "fail-on", "rules", "exclude", "rules-dirs", "target",
               "strict", "kubernetes", "helm", "unknown")
WORDS = ("DF101", "K8S101", "dockerfile", "probes", "error", "note", "never", "severity", "*.yaml", "deploy/*", "",
         "values", "set", "renderer", "release-name", "namespace", "kube-version", "builtin", "1.30.0", "x" * 300)


def random_value(rng: random.Random, depth: int = 0) -> Any:
    """A value of any JSON type, nested a little: what a config key may be given instead of what it wants."""
    kind = rng.randrange(8 if depth < 3 else 5)
    if kind == 0:
        return rng.choice(WORDS)
    if kind == 1:
        return rng.choice([0, 1, -1, 2**70, 1.5])
    if kind == 2:
        return rng.choice([True, False])
    if kind == 3:
        return None
    if kind == 4:
        return ",".join(rng.sample(WORDS, 3))
    if kind in (5, 6):
        return [random_value(rng, depth + 1) for _ in range(rng.randrange(4))]
    return {rng.choice(WORDS): random_value(rng, depth + 1) for _ in range(rng.randrange(4))}


def random_config(rng: random.Random) -> str:
    """A config file whose keys are the real ones and whose values are anything (JSON is YAML too)."""
    return json.dumps({rng.choice(CONFIG_KEYS): random_value(rng) for _ in range(rng.randint(1, 4))})


GENERATORS: dict[str, Callable[[random.Random], str]] = {"config": random_config}
"""Targets that also get freshly generated inputs (half of them), not only mutated seeds."""


_SAFE_NAME = re.compile(r"[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*")


def write_bundle(root: Path, text: str) -> None:
    """`=== name` sections of `text` as files under `root` (names that could leave it are dropped)."""
    name = ""
    lines: list[str] = []
    for line in [*text.split("\n"), "=== "]:
        if line.startswith("=== "):
            parts = name.split("/") if _SAFE_NAME.fullmatch(name) else []
            if parts and ".." not in parts and len(parts) < 8 and all(len(part) < 100 for part in parts):
                try:
                    (root / name).parent.mkdir(parents=True, exist_ok=True)
                    (root / name).write_bytes("\n".join(lines).encode("utf-8", "surrogatepass"))
                except OSError:
                    pass  # a name a file already took as a folder, or the other way: the input is just shorter
            name, lines = line[4:].strip(), []
        else:
            lines.append(line)


def scan_crash(result: Any) -> str | None:
    """The first error entry that is a bug (an internal error, a rule that failed), if any."""
    for error in result.errors:
        if "internal error" in error.message or " failed: " in error.message:
            return f"{error.path}:{error.line}: {error.message}"
    return None


def scan_tree(root: Path, catalog: Any, config: Config) -> None:
    from readycheck.cli import exit_code, render_check
    from readycheck.orchestrate import scan

    result = scan([str(root)], catalog, config, base=root, jobs=1)
    crash = scan_crash(result)
    if crash:
        raise AssertionError(crash)
    exit_code(result.findings, result.errors, config.fail_on)
    for fmt in ("json", "text"):
        render_check(result, fmt, no_color=True, quiet=False, to_terminal=False)


def config_target(catalog: Any) -> Callable[[str], None]:
    """A repository's own `.readycheck.yaml` or `pyproject.toml`, loaded and used for a scan of a small tree."""
    import tempfile

    from readycheck.config import ConfigError, load_config

    def run(text: str) -> None:
        with tempfile.TemporaryDirectory(prefix="fuzz-config-") as folder:
            root = Path(folder)
            for name, content in TREE.items():
                (root / name).parent.mkdir(parents=True, exist_ok=True)
                (root / name).write_text(content)
            name = "pyproject.toml" if text.lstrip().startswith("[") else ".readycheck.yaml"
            (root / name).write_bytes(text.encode("utf-8", "surrogatepass"))
            try:
                config = load_config(None, root)
                scan_tree(root, catalog, config)
            except ConfigError:
                return

    return run


def chart_target(catalog: Any) -> Callable[[str], None]:
    """A chart (Chart.yaml, values, overlays, schema, templates, a subchart) written from a bundle and scanned."""
    import tempfile

    def run(text: str) -> None:
        with tempfile.TemporaryDirectory(prefix="fuzz-chart-") as folder:
            root = Path(folder)
            write_bundle(root / "chart", text)
            if (root / "chart" / "Chart.yaml").is_file():
                scan_tree(root, catalog, Config())

    return run


def rule_seeds() -> list[str]:
    """Built-in rule files of every kind, renamed (X-ids) so that they load beside the built-in ones."""
    from readycheck.catalog import builtin_rules_dir

    seeds = []
    for kind in ("dockerfile", "kubernetes", "helm", "compose", "workflow", "env"):
        for path in sorted((builtin_rules_dir() / kind).glob("*.yaml"))[:3]:
            text = path.read_text(encoding="utf-8")
            seeds.append(re.sub(r"^id: (\S+)", r"id: X\1", re.sub(r"^name: (\S+)", r"name: x-\1", text, flags=re.M),
                                flags=re.M))
    return seeds


def rules_target(catalog: Any) -> Callable[[str], None]:
    """A user rule file (`--rules DIR`): loaded with the catalog, then run alone over a small tree."""
    import tempfile

    from readycheck.catalog import CatalogError, load_catalog

    def run(text: str) -> None:
        ids = re.search(r"^id: *(\S+)", text, re.M)
        names = re.search(r"^name: *(\S+)", text, re.M)
        stem = f"{ids.group(1) if ids else 'X'}-{names.group(1) if names else 'x'}"
        if not _SAFE_NAME.fullmatch(stem) or "/" in stem or len(stem) > 200:
            stem = "X-x"
        with tempfile.TemporaryDirectory(prefix="fuzz-rules-") as folder:
            root = Path(folder)
            (root / "rules").mkdir()
            (root / "rules" / f"{stem}.yaml").write_bytes(text.encode("utf-8", "surrogatepass"))
            for name, content in TREE.items():
                (root / "tree" / name).parent.mkdir(parents=True, exist_ok=True)
                (root / "tree" / name).write_text(content)
            try:
                with_rules = load_catalog([root / "rules"])
            except CatalogError:
                return
            added = [r.id for r in with_rules.rules if r.id not in catalog.by_id]
            if added:
                scan_tree(root / "tree", with_rules, Config(select=added))

    return run


def targets(evaluator: Evaluator) -> dict[str, tuple[Callable[[str], None], list[str]]]:
    found: dict[str, tuple[Callable[[str], None], list[str]]] = {
        "yaml": (yaml_target, YAML_SEEDS),
        "shell": (shell_target, SHELL_SEEDS),
        "env": (env_target, ENV_SEEDS),
        "template": (template_target, TEMPLATE_SEEDS),
        "reporters": (reporter_target, REPORTER_SEEDS),
        "dockerfile": (dockerfile_target(evaluator), DOCKERFILE_SEEDS),
    }
    catalog = load_catalog()
    found["config"] = (config_target(catalog), CONFIG_SEEDS)
    found["chart"] = (chart_target(catalog), CHART_SEEDS)
    found["rules"] = (rules_target(catalog), rule_seeds())
    return found


def campaign(name: str, run: Callable[[str], None], seeds: list[str], count: int, deadline: float,
             out: Path, seed: int, hang_seconds: float, in_process_crash_possible: bool = True) -> dict[str, object]:
    rng = random.Random(seed)
    crashes: dict[str, str] = {}
    done = hangs = 0
    started = time.monotonic()
    (out / name).mkdir(parents=True, exist_ok=True)
    current = out / name / "current-input.txt"
    generate = GENERATORS.get(name)
    while done < count and time.monotonic() < deadline:
        text = (reporter_mutate(rng) if seeds is REPORTER_SEEDS else generate(rng) if generate is not None and rng.random() < 0.5
                else mutate(rng, seeds))
        done += 1
        if in_process_crash_possible:
            current.write_bytes(text.encode("utf-8", "surrogatepass"))
        try:
            with time_budget(hang_seconds):
                run(text)
        except TimeBudgetExceeded:
            hangs += 1
            save(out / name, "hang", text, f"over {hang_seconds}s")
        except Exception:
            signature = traceback.format_exc().strip().splitlines()[-1][:200]
            if signature not in crashes:
                crashes[signature] = str(save(out / name, "crash", text, traceback.format_exc()))
    return {"target": name, "inputs": done, "unique_crashes": len(crashes), "hangs": hangs,
            "seconds": round(time.monotonic() - started, 1), "crashes": crashes}


def save(directory: Path, what: str, text: str, why: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()[:12]
    path = directory / f"{what}-{digest}.txt"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    path.with_suffix(".why").write_text(why)
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000, help="inputs per target")
    parser.add_argument("--minutes", type=float, default=60.0, help="wall-clock bound for the whole campaign")
    parser.add_argument("--only", action="append", help="targets to run (default: every target)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--hang-seconds", type=float, default=2.0)
    parser.add_argument("--out", type=Path, default=Path("bench/fuzz-out"))
    parser.add_argument("--no-current-input", action="store_true", help="faster: do not keep the running input")
    args = parser.parse_args()
    config = Config()
    evaluator = Evaluator(select_rules(load_catalog(), config), config)
    chosen = {k: v for k, v in targets(evaluator).items() if not args.only or k in args.only}
    end = time.monotonic() + args.minutes * 60
    failed = False
    for index, (name, (run, seeds)) in enumerate(chosen.items()):
        share = (end - time.monotonic()) / (len(chosen) - index)
        result = campaign(name, run, seeds, args.count, time.monotonic() + share, args.out, args.seed,
                          args.hang_seconds, not args.no_current_input)
        print(json.dumps(result), flush=True)
        failed = failed or bool(result["unique_crashes"] or result["hangs"])
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
