"""SVC013-SVC016: env values and closed schemas, the shutdown arithmetic, deployed images no pipeline builds.

Each test writes a small tree and asserts what the rule sees (and what it must not): the fixtures under
fixtures/SVC01N hold the main bad and good cases.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from readycheck.envschema import EnvSchema
from readycheck.services import duration_seconds, literal_env_value

from .clirun import invoke, write

SCHEMA = json.dumps({"type": "object", "properties": {
    "LOG_LEVEL": {"type": "string", "enum": ["debug", "info"], "default": "info"},
    "DEBUG": {"type": "boolean"},
    "API_KEY": {"type": "string", "minLength": 40}}})
WORKFLOW = """on: push
jobs:
  image:
    runs-on: ubuntu-24.04
    steps:
      - run: docker build --push -t ghcr.io/acme/api:${{ github.sha }} .
"""


def _found(root: Path, rule: str) -> list[dict]:
    done = invoke(["check", "--format", "json", "--no-cache", "--select", rule, "."], root)
    assert done.code in (0, 1), done.stderr
    return json.loads(done.stdout)["findings"]


def test_env_files_and_service_runs_share_one_validation() -> None:
    schema = EnvSchema("env.schema.json", json.loads(SCHEMA), {})
    assert schema.value_errors("LOG_LEVEL", "info") == []
    assert [e.validator for e in schema.value_errors("LOG_LEVEL", "verbose")] == ["enum"]
    assert schema.value_errors("DEBUG", "yes") == []  # the text coerced to the declared type, as for env files
    assert schema.value_errors("UNKNOWN", "x") == []


@pytest.mark.parametrize(("name", "value", "compose", "carried"), [
    ("LOG_LEVEL", "info", False, "info"),
    ("PORT", 8080, False, "8080"),
    ("DEBUG", True, True, "true"),
    ("DEBUG", True, False, None),  # Kubernetes refuses a boolean value: not judged here
    ("LOG_LEVEL", "${LOG_LEVEL:-debug}", True, "debug"),
    ("LOG_LEVEL", "${LOG_LEVEL}", True, None),
    ("LOG_LEVEL", "$(OTHER)", False, None),
    ("PRICE", "$$5", True, "$5"),
    ("DB_PASSWORD", "hunter2hunter2", False, None),  # a credential's name: its value never enters the facts
    ("UPSTREAM", "AKIA" + "Z7QH2MXVB4KP9RTD", False, None),  # a credential's shape
])
def test_only_literal_values_that_are_no_credential_enter_the_facts(name: str, value: object, compose: bool,
                                                                    carried: str | None) -> None:
    assert literal_env_value(name, value, compose=compose) == carried


def test_a_secret_value_is_neither_carried_nor_printed(tmp_path: Path) -> None:
    write(tmp_path, "env.schema.json", SCHEMA)
    write(tmp_path, "Dockerfile", "FROM python:3.12.7-slim\n")
    write(tmp_path, "compose.yaml", "services:\n  api:\n    build: .\n    environment:\n"
                                    "      API_KEY: short-secret-value\n      LOG_LEVEL: loud\n")
    found = _found(tmp_path, "SVC013")
    assert [f["line"] for f in found] == [6]
    done = invoke(["services", "--format", "json", "."], tmp_path)
    assert "short-secret-value" not in done.stdout


def test_a_schema_default_is_not_carried(tmp_path: Path) -> None:
    """A property's default may be a credential (ENV0xx reports it): the facts keep only value keywords."""
    from readycheck.loaders.env import EnvSchemaDocument, parse_schema
    from readycheck.services import _schema_values

    write(tmp_path, "env.schema.json", SCHEMA)
    schema = parse_schema(tmp_path / "env.schema.json", "env.schema.json", 1 << 20, tmp_path)
    values = _schema_values(EnvSchemaDocument(schema, SCHEMA))["values"]
    assert "default" not in values["LOG_LEVEL"] and values["LOG_LEVEL"]["enum"] == ["debug", "info"]


def test_a_closed_schema_with_pattern_properties_is_not_judged(tmp_path: Path) -> None:
    write(tmp_path, "env.schema.json", json.dumps({"type": "object", "additionalProperties": False,
                                                   "patternProperties": {"^FEATURE_": {"type": "string"}},
                                                   "properties": {"PORT": {"type": "integer"}}}))
    write(tmp_path, "Dockerfile", "FROM python:3.12.7-slim\n")
    write(tmp_path, "compose.yaml", "services:\n  api:\n    build: .\n    environment:\n      FEATURE_X: on\n")
    assert _found(tmp_path, "SVC014") == []


@pytest.mark.parametrize(("text", "seconds"), [("10s", 10.0), ("1m30s", 90.0), ("500ms", 0.5), (45, 45.0),
                                               ("1h", 3600.0), ("ten", None), ("10 s", None), ("", None)])
def test_compose_durations(text: object, seconds: float | None) -> None:
    assert duration_seconds(text) == seconds


def _shutdown_tree(root: Path, dockerfile: str, container: str, grace: str = "terminationGracePeriodSeconds: 30") -> None:
    write(root, ".github/workflows/release.yml", WORKFLOW)
    write(root, "Dockerfile", dockerfile)
    write(root, "k8s/api.yaml", f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  selector:
    matchLabels: {{app: api}}
  template:
    metadata:
      labels: {{app: api}}
    spec:
      {grace}
      containers:
        - name: api
          image: ghcr.io/acme/api:1
{container}""")


@pytest.mark.parametrize(("dockerfile", "container", "fires"), [
    # the drain time in the image's CMD, exec and shell form, through `python -m` and `exec`
    ('FROM python:3.12.7-slim\nCMD ["gunicorn", "--graceful-timeout=45", "app:app"]\n', "", True),
    ("FROM python:3.12.7-slim\nCMD exec gunicorn --graceful-timeout 45 app:app\n", "", True),
    ('FROM python:3.12.7-slim\nCMD ["python", "-m", "uvicorn", "app:app", "--timeout-graceful-shutdown", "45"]\n', "", True),
    # in the variable gunicorn reads its options from
    ('FROM python:3.12.7-slim\nENV GUNICORN_CMD_ARGS="--graceful-timeout 45"\nCMD ["gunicorn", "app:app"]\n', "", True),
    # the container's args replace the CMD: the image's drain time no longer applies
    ('FROM python:3.12.7-slim\nCMD ["gunicorn", "--graceful-timeout", "45", "app:app"]\n',
     '          args: ["gunicorn", "app:app"]\n', False),
    # ... but an ENTRYPOINT stays under `args`
    ('FROM python:3.12.7-slim\nENTRYPOINT ["gunicorn", "--graceful-timeout", "45"]\nCMD ["app:app"]\n',
     '          args: ["other:app"]\n', True),
    # the manifest sets GUNICORN_CMD_ARGS itself: not the image's
    ('FROM python:3.12.7-slim\nENV GUNICORN_CMD_ARGS="--graceful-timeout 45"\nCMD ["gunicorn", "app:app"]\n',
     '          env:\n            - name: GUNICORN_CMD_ARGS\n              value: "--graceful-timeout 5"\n', False),
    # a drain time that fits, none declared, a value not known, an entrypoint script
    ('FROM python:3.12.7-slim\nCMD ["gunicorn", "--graceful-timeout", "20", "app:app"]\n', "", False),
    ('FROM python:3.12.7-slim\nCMD ["gunicorn", "app:app"]\n', "", False),
    ('FROM python:3.12.7-slim\nCMD ["sh", "-c", "gunicorn --graceful-timeout $DRAIN app:app"]\n', "", False),
    ('FROM python:3.12.7-slim\nCMD ["./entrypoint.sh", "--graceful-timeout", "45"]\n', "", False),
])
def test_the_drain_time_is_the_one_the_image_runs(tmp_path: Path, dockerfile: str, container: str, fires: bool) -> None:
    _shutdown_tree(tmp_path, dockerfile, container)
    found = _found(tmp_path, "SVC015")
    assert bool(found) is fires, found
    if found:
        assert found[0]["path"] == "k8s/api.yaml" and found[0]["related"][0]["path"] == "Dockerfile"


def test_a_pre_stop_delay_counts_and_one_beyond_the_grace_period_is_left_to_k8s602(tmp_path: Path) -> None:
    dockerfile = 'FROM python:3.12.7-slim\nCMD ["gunicorn", "--graceful-timeout", "20", "app:app"]\n'
    sleep = "          lifecycle:\n            preStop:\n              sleep: {{seconds: {}}}\n"
    _shutdown_tree(tmp_path, dockerfile, sleep.format(15))
    assert len(_found(tmp_path, "SVC015")) == 1  # 15 + 20 > 30
    _shutdown_tree(tmp_path, dockerfile, sleep.format(40))
    assert _found(tmp_path, "SVC015") == []


def test_the_default_grace_period_is_thirty_seconds(tmp_path: Path) -> None:
    dockerfile = 'FROM python:3.12.7-slim\nCMD ["gunicorn", "--graceful-timeout", "31", "app:app"]\n'
    _shutdown_tree(tmp_path, dockerfile, "", grace="")
    found = _found(tmp_path, "SVC015")
    assert len(found) == 1 and "default" in found[0]["message"]


DEPLOY = """on: push
jobs:
  ship:
    runs-on: ubuntu-24.04
    steps:
      - run: docker build --push -t ghcr.io/acme/api:${{{{ github.sha }}}} .
      - run: helm upgrade --install web chart{sets}
{extra}"""


def _delivery_tree(root: Path, repository: str, sets: str = "", extra: str = "") -> None:
    write(root, "Dockerfile", "FROM python:3.12.7-slim\n")
    write(root, "chart/Chart.yaml", "apiVersion: v2\nname: web\nversion: 1.0.0\n")
    write(root, "chart/values.yaml", f"image:\n  repository: {repository}\n")
    write(root, ".github/workflows/ship.yml", DEPLOY.format(sets=sets, extra=extra))


@pytest.mark.parametrize(("repository", "sets", "extra", "fires"), [
    ("ghcr.io/acme/web", "", "", True),
    ("ghcr.io/acme/api", "", "", False),  # built
    ("docker.io/bitnami/redis", "", "", False),  # another owner's image: a third-party chart
    ("ghcr.io/acme/web", " --set image.repository=ghcr.io/acme/api", "", False),  # the step deploys what it builds
    ("ghcr.io/acme/api", " --set image.repository=ghcr.io/acme/web", "", True),
    ("ghcr.io/acme/web", "", "      - run: make docker-push\n", False),  # a build the facts cannot name
    ("ghcr.io/acme/web", "", "      - run: docker buildx bake --push\n", False),
    ("ghcr.io/acme/web", "", "      - run: docker build -t ghcr.io/acme/$NAME:1 web\n", False),
])
def test_a_deployed_repository_no_pipeline_builds(tmp_path: Path, repository: str, sets: str, extra: str,
                                                  fires: bool) -> None:
    _delivery_tree(tmp_path, repository, sets, extra)
    found = _found(tmp_path, "SVC016")
    assert bool(found) is fires, found


def test_a_reusable_workflow_of_another_repository_may_build_the_image(tmp_path: Path) -> None:
    _delivery_tree(tmp_path, "ghcr.io/acme/web")
    write(tmp_path, ".github/workflows/images.yml", "on: push\njobs:\n  build:\n"
                                                    "    uses: acme/ci/.github/workflows/docker.yml@v1\n")
    assert _found(tmp_path, "SVC016") == []


def test_a_composite_action_of_the_repository_may_build_the_image(tmp_path: Path) -> None:
    _delivery_tree(tmp_path, "ghcr.io/acme/web", extra="      - uses: ./.github/actions/build-images\n")
    assert _found(tmp_path, "SVC016") == []
    _delivery_tree(tmp_path, "ghcr.io/acme/web", extra="      - uses: ./.github/actions/setup-tools\n")
    assert len(_found(tmp_path, "SVC016")) == 1


def test_manifests_a_workflow_applies(tmp_path: Path) -> None:
    write(tmp_path, "Dockerfile", "FROM python:3.12.7-slim\n")
    manifest = ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector:\n    matchLabels: {{app: web}}\n"
                "  template:\n    metadata:\n      labels: {{app: web}}\n    spec:\n      containers:\n"
                "        - name: web\n          image: {}\n        - name: cache\n          image: redis:7.4.1\n")
    write(tmp_path, "k8s/web.yaml", manifest.format("ghcr.io/acme/web:1.0.0"))
    write(tmp_path, ".github/workflows/ship.yml", "on: push\njobs:\n  ship:\n    runs-on: ubuntu-24.04\n    steps:\n"
                                                  "      - run: docker build --push -t ghcr.io/acme/api:${{ github.sha }} .\n"
                                                  "      - run: kubectl apply -f k8s/\n")
    found = _found(tmp_path, "SVC016")
    assert [(f["path"], f["line"]) for f in found] == [(".github/workflows/ship.yml", 7)]
    assert found[0]["related"][0]["path"] == "k8s/web.yaml"
    write(tmp_path, "k8s/web.yaml", manifest.format("ghcr.io/acme/api:1.0.0"))
    assert _found(tmp_path, "SVC016") == []


@pytest.mark.parametrize(("stop", "fires"), [("", True), ("STOPSIGNAL SIGTERM\n", True), ("STOPSIGNAL SIGQUIT\n", False),
                                             ("STOPSIGNAL SIGINT\n", False)])
def test_the_drain_applies_only_to_sigterm(tmp_path: Path, stop: str, fires: bool) -> None:
    """gunicorn quits at once on SIGINT and SIGQUIT: with such a STOPSIGNAL its drain time is never used."""
    _shutdown_tree(tmp_path, f'FROM python:3.12.7-slim\n{stop}CMD ["gunicorn", "--graceful-timeout", "45", "app:app"]\n', "")
    assert bool(_found(tmp_path, "SVC015")) is fires


def test_a_job_is_not_judged(tmp_path: Path) -> None:
    _shutdown_tree(tmp_path, 'FROM python:3.12.7-slim\nCMD ["gunicorn", "--graceful-timeout", "45", "app:app"]\n', "")
    text = (tmp_path / "k8s/api.yaml").read_text().replace("kind: Deployment", "kind: Job").replace(
        "  selector:\n    matchLabels: {app: api}\n", "")
    write(tmp_path, "k8s/api.yaml", text)
    assert _found(tmp_path, "SVC015") == []


def test_empty_and_placeholder_values_are_not_judged(tmp_path: Path) -> None:
    write(tmp_path, "env.schema.json", json.dumps({"type": "object", "properties": {"PORT": {"type": "integer"}}}))
    write(tmp_path, "Dockerfile", "FROM python:3.12.7-slim\n")
    write(tmp_path, "compose.yaml", "services:\n  api:\n    build: .\n    environment:\n      PORT: ${PORT:-}\n")
    assert _found(tmp_path, "SVC013") == []
    write(tmp_path, "compose.yaml", "services:\n  api:\n    build: .\n    environment:\n      PORT: changeme\n")
    assert _found(tmp_path, "SVC013") == []
    write(tmp_path, "compose.yaml", "services:\n  api:\n    build: .\n    environment:\n      PORT: eighty\n")
    assert len(_found(tmp_path, "SVC013")) == 1
