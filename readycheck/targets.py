"""Every rule target, and the data of its subjects: the rule author's contract, in one place.

A rule's `target` names what it judges (`kubernetes.container`: every
container of every workload). TARGETS is the table, by kind: the catalog
refuses a rule whose target is not in it; `readycheck targets` and
docs/targets.md print it. Each target's subject data is a TypedDict here, and
a check function says which by its annotation (`subject: Subject[Container]`),
so mypy checks every field a check reads; tests/test_targets.py checks that
the annotations match the table and that the loaders build what is declared.

Fields typed `Any` hold the scanned file's own values, as written: untrusted,
of any JSON type, so a check must test what it gets. A TypedDict is a plain
dict at run time: this module costs its class definitions and nothing else,
and check modules import it for mypy only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypedDict

# --- shell commands (RUN, `run:`): one simple command each ----------------------------------------


class Command(TypedDict):
    """One simple command of a shell script, after parsing (a pipeline or `&&` list gives several)."""

    name: str
    """The program's base name (`/usr/bin/curl` gives `curl`); '' for a bare assignment."""
    argv: list[str]
    text: str
    """The command as written."""
    line: int
    """0-based line of the command inside its script."""
    pipeline: int
    position: int
    pipeline_length: int
    redirects: list[list[str]]
    assignments: dict[str, str]
    nested: bool
    """Inside `$( )`, a subshell or a function body."""
    captured: bool
    """Inside `$( )`, backquotes or `<( )`: its output is an argument of the outer command, never printed."""
    operator_after: str


class WorkflowCommand(Command):
    """A command of a step's `run:`, with where it is in the workflow file."""

    file_line: int
    file_column: int


# --- Dockerfile ------------------------------------------------------------------------------------


class BaseImage(TypedDict):
    """The image of a FROM, split by Docker's reference grammar; ARGs substituted where known."""

    registry: str | None
    repository: str
    tag: str | None
    digest: str | None
    raw: str
    image: str
    resolved: bool
    """False when an ARG in the reference has no known value."""
    via_arg: bool
    is_stage_ref: bool
    is_scratch: bool
    platform: str | bool | None


class _InstructionBase(TypedDict):
    cmd: str
    """The instruction's keyword, upper case (`RUN`)."""
    value: str
    """What follows the keyword and its flags."""
    flags: dict[str, Any]
    """Leading `--name=value` flags; `mount` is a list of mappings."""
    json_form: bool
    args: list[str] | None
    """The JSON (exec) form's list, when that is the form used."""
    line: int
    end_line: int
    original: str
    heredocs: list[dict[str, str]]


class Instruction(_InstructionBase, total=False):
    """One instruction. `pairs` for ENV, ARG and LABEL; `sources`/`dest` for COPY and ADD; `commands` for RUN; `resolved` for USER."""

    pairs: list[dict[str, str]]
    sources: list[str]
    dest: str
    commands: list[Command]
    resolved: str
    """USER only: the value with the stage's ARG/ENV values substituted where known."""


class Stage(TypedDict):
    """One build stage, with facts inherited through `FROM <earlier stage>` (`effective_*`, `root_base`)."""

    index: int
    name: str | None
    base: BaseImage
    instructions: list[Instruction]
    line: int
    is_final: bool
    """The stage that is built (the last one, or `--target`)."""
    built: bool
    """The final stage, or a stage it is built from (FROM, COPY --from, RUN --mount from=): BuildKit builds
    only these."""
    args: dict[str, str]
    env: dict[str, str]
    user: str | None
    """The last USER, with ARG/ENV values substituted where known."""
    user_written: str | None
    """The last USER as written (`${UID}`)."""
    user_line: int | None
    healthchecks: int
    cmd: Instruction | None
    entrypoint: Instruction | None
    parent_stage: int | None
    effective_user: str | None
    inherits_healthcheck: bool
    effective_cmd: Instruction | None
    effective_entrypoint: Instruction | None
    root_base: BaseImage


class Dockerfile(TypedDict):
    """The whole file."""

    path: str
    stages: list[Stage]
    stage_count: int
    final_stage: int
    global_args: dict[str, str | None]
    """ARGs declared before the first FROM."""
    escape: str
    dockerignore: list[str] | None
    """The patterns of the Dockerfile's ignore file; None when there is none."""
    action_image: str | None
    """The `action.yml` beside it whose Docker container action runs this file, if any."""
    context_scripts: dict[str, bool]
    """Shell scripts COPY'd from the build context, by file name: whether each ends by exec'ing its arguments."""
    dotenv_evidence: str | None
    """Why a `.env` may be in the build context (an `.env*` file there, a `.gitignore` ignoring `.env`), or None."""
    git_in_context: bool
    """Whether the build context (the Dockerfile's folder) holds `.git`."""


# --- GitHub Actions --------------------------------------------------------------------------------


class Uses(TypedDict, total=False):
    """A `uses:` value split into its parts; `kind` is remote, local or docker."""

    raw: str
    kind: str
    owner: str | None
    repo: str | None
    path: str | None
    name: str
    ref: str | None
    ref_kind: str | None
    """tag, sha, branch, other or missing (remote actions)."""
    image: str
    repository: str
    tag: str | None
    digest: str | None


class Expression(TypedDict):
    """One `${{ }}` expression, with the file line it sits on."""

    text: str
    references: list[str]
    functions: list[str]
    error: str | None
    field: str
    pointer: list[Any]
    line: int
    column: int


WorkflowStep = TypedDict("WorkflowStep", {
    "index": int,
    "at": list[Any],
    "id": Any,
    "name": Any,
    "uses": "Uses | None",
    "with": dict[Any, Any],
    "run": "str | None",
    "commands": list[WorkflowCommand],
    "env": dict[Any, Any],
    "shell": Any,
    "if": Any,
    "continue-on-error": Any,
    "expressions": list[Expression],
    "deploys": bool,
    "pushes": list[str],
})
WorkflowStep.__doc__ = ("One step of a job or of a composite action; `deploys` and `pushes` are judged from its commands. "
                        "`index` is its place in run order, `at` its pointer below `steps:` (`[2, 'parallel', 0]` "
                        "inside a parallel block).")


class JobImage(TypedDict):
    image: str
    repository: str
    tag: str | None
    digest: str | None
    credentials: dict[str, Any] | None


WorkflowJob = TypedDict("WorkflowJob", {
    "id": str,
    "name": Any,
    "runs-on": Any,
    "uses": "Uses | None",
    "with": dict[Any, Any],
    "secrets": Any,
    "needs": list[str],
    "if": Any,
    "environment": "dict[str, Any] | None",
    "timeout-minutes": Any,
    "permissions": Any,
    "has_permissions": bool,
    "env": dict[Any, Any],
    "concurrency": Any,
    "container": "JobImage | None",
    "services": "dict[str, JobImage | None]",
    "strategy": Any,
    "outputs": dict[Any, Any],
    "continue-on-error": Any,
    "steps": list[WorkflowStep],
    "expressions": list[Expression],
    "passes_environment": bool,
    "is_deploy": bool,
})
WorkflowJob.__doc__ = "One job of a workflow (a reusable-workflow call has `uses`, no steps)."


class _WorkflowBase(TypedDict):
    is_action: bool
    name: Any
    triggers: dict[str, Any]
    """`on:` as a mapping of event to its filters, whatever form it was written in."""
    permissions: Any
    has_permissions: bool
    env: dict[Any, Any]
    concurrency: Any
    jobs: list[WorkflowJob]
    steps: list[WorkflowStep]
    """A composite action's steps (a workflow's are under its jobs)."""
    expressions: list[Expression]


class Workflow(_WorkflowBase, total=False):
    """A workflow, or an action (`is_action`; then `using` and, for a Docker action, `image`)."""

    using: Any
    image: Uses | None


# --- Kubernetes (and Helm-rendered manifests) ------------------------------------------------------


class KubernetesObject(TypedDict, total=False):
    """One manifest object as written (any other key it has is there too)."""

    apiVersion: Any
    kind: Any
    metadata: Any
    spec: Any
    data: Any
    stringData: Any
    type: Any
    rules: Any
    roleRef: Any
    subjects: Any


class KubernetesContainer(TypedDict, total=False):
    """One container of a pod spec as written (app, init or ephemeral: the context's `container.role`)."""

    name: Any
    image: Any
    imagePullPolicy: Any
    command: Any
    args: Any
    env: Any
    envFrom: Any
    ports: Any
    resources: Any
    securityContext: Any
    readinessProbe: Any
    livenessProbe: Any
    startupProbe: Any
    lifecycle: Any
    volumeMounts: Any


# --- Helm chart ------------------------------------------------------------------------------------


class Chart(TypedDict):
    """The chart's own files: Chart.yaml, values.yaml, the overlay values files, values.schema.json."""

    chart: dict[str, Any]
    values: dict[str, Any]
    overlays: list[dict[str, Any]]
    """One `{file, values}` per overlay (`values-production.yaml`...)."""
    schema: dict[str, Any] | None
    templates_use_app_version: bool


# --- docker-compose --------------------------------------------------------------------------------


class ComposeService(TypedDict, total=False):
    """One service as written, merged with the override file (any other key it has is there too)."""

    image: Any
    build: Any
    command: Any
    entrypoint: Any
    environment: Any
    env_file: Any
    healthcheck: Any
    depends_on: Any
    deploy: Any
    restart: Any
    user: Any
    privileged: Any
    cap_add: Any
    cap_drop: Any
    network_mode: Any
    pid: Any
    ipc: Any
    volumes: Any
    ports: Any
    init: Any
    read_only: Any
    secrets: Any
    stop_grace_period: Any
    stop_signal: Any
    labels: Any
    logging: Any


# --- env schemas and env files ---------------------------------------------------------------------


class EnvSchemaData(TypedDict, total=False):
    """The env schema (a JSON Schema of the environment) as written."""

    properties: Any
    required: Any
    additionalProperties: Any


class EnvVariable(TypedDict):
    """One variable the env schema declares under `properties`."""

    name: str
    schema: dict[str, Any]
    required: bool
    secret: bool
    """Declared secret (`writeOnly`, `x-secret`, or a secret name)."""


class EnvFileData(TypedDict):
    """An env file: its name and its keys in order."""

    name: str
    is_example: bool
    """`.env.example`, `.env.sample`...: documentation, not configuration."""
    keys: list[str]


class EnvEntry(TypedDict):
    """One `KEY=value` line; the parsed entry (value, quotes, lines) is the context's `entry`."""

    key: str
    is_example: bool


# --- repository secret files -----------------------------------------------------------------------


class SecretFile(TypedDict):
    """A file that is a credential by its name (id_rsa, .npmrc...), and what the shared detector found in it;
    in a secrets-only scan, also any other text file named one by one (`text` true)."""

    name: str
    binary: bool
    text: bool
    """Not named like a credential: a file of no other kind, searched as text (secrets-only scans)."""
    match: Any
    """The detector's SecretMatch (rule, description, value, confidence) or None; never print `value`."""
    secrets: list[Any]
    """Of a `text` file: every SecretMatch in it, in order (its span is ("secrets", index)); never print `value`."""


# --- the table -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TargetSpec:
    """One target: what a subject is, its data type, and what else a check may read (`subject.context`)."""

    name: str
    subject: str
    data: type
    context: dict[str, str]


_STAGE_CONTEXT: dict[str, str] = {}
_COMMAND_CONTEXT = {"instruction": "Instruction: the RUN it belongs to", "stage": "Stage: the stage of that RUN"}
_K8S_WORKLOAD_CONTEXT = {
    "info": "ObjectInfo: index, kind, name, namespace of the object",
    "object": "the whole object", "pod": "its pod spec (mapping)", "pod_pointer": "where the pod spec is",
    "long_running": "bool: a Deployment-like workload, not a Job",
}
_DOCKERFILE = "FROM node:22.11-alpine AS build\nRUN npm ci && npm run build\n\nFROM node:22.11-alpine\nCOPY --from=build /app /app\nRUN chown -R node:node /app\nUSER node\nCMD [\"node\", \"/app/server.js\"]\n"
_WORKFLOW = (
    "on: push\npermissions:\n  contents: read\njobs:\n  test:\n    runs-on: ubuntu-24.04\n    steps:\n"
    "      - uses: actions/checkout@v4\n      - run: make test\n"
)
_DEPLOYMENT = (
    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  replicas: 2\n"
    "  selector:\n    matchLabels: {app: api}\n  template:\n    metadata:\n      labels: {app: api}\n"
    "    spec:\n      containers:\n        - name: api\n          image: ghcr.io/acme/api:2.4.1\n"
)
_CHART = "apiVersion: v2\nname: api\nversion: 1.2.0\nappVersion: \"2.4.1\"\n"
_CHART_VALUES = "image:\n  repository: ghcr.io/acme/api\n  tag: \"2.4.1\"\n"
_CHART_TEMPLATE = (
    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  template:\n"
    "    spec:\n      containers:\n        - name: api\n"
    "          image: \"{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}\"\n"
)
_COMPOSE = "services:\n  api:\n    image: ghcr.io/acme/api:2.4.1\n    restart: unless-stopped\n"
_ENV_SCHEMA = (
    '{\n  "type": "object",\n  "required": ["DATABASE_URL"],\n  "properties": {\n'
    '    "DATABASE_URL": {"type": "string", "format": "uri", "writeOnly": true},\n'
    '    "PORT": {"type": "integer"}\n  }\n}\n'
)
_ENV_FILE = "PORT=8080\nLOG_LEVEL=info\n"


# --- the service map (readycheck.services) ------------------------------------------------------------------


class BuiltImage(TypedDict):
    """What the Dockerfile stage an image is built from declares (USER, EXPOSE, HEALTHCHECK), with what the stage
    inherits from earlier stages of its file, and how the link to the Dockerfile was made."""

    path: str
    stage: int | str
    line: int
    user: str | None
    user_line: int | None
    expose: list[list[int]]
    """[port, line] of each EXPOSEd port."""
    healthcheck: dict[str, Any] | None
    no_shell: bool
    """Built on scratch or distroless (not :debug): no shell, no `sleep`, no `curl`."""
    env: list[str]
    how: str
    ships: dict[str, bool | None]
    """Whether the image ships each of judge.images.HEALTH_PROGRAMS (curl, wget, sh); None when not known."""
    ships_source: str | None
    """Where what the root base image ships is known from (a row of judge.images.BASE_PROGRAMS)."""
    base_line: int
    base_image: str | None
    health: dict[str, Any] | None
    """The HEALTHCHECK it runs, judged: programs, local ports (None when one is not known), place [line]."""
    expose_other: list[list[Any]]
    """[word, line] of each EXPOSE word that is no plain number: a range (`8000-8010`) or a variable."""
    volumes: list[list[Any]]
    """[path, line] of each VOLUME path."""
    owners: list[list[Any]]
    """[owner, line] of each `--chown=` and `chown` owner (`user`, `user:group`, `:group`) as written."""
    accounts: list[list[Any]]
    """[uid or gid, name, id, line] of each account created with a fixed id (`useradd -u 10001 app`)."""
    group_writable: bool
    """A `chmod` gives the group write access (`g+w`, `g=u`, `775`): prepared for an arbitrary uid."""
    numbers: list[int]
    """Numbers its ENV, ARG, CMD, ENTRYPOINT and HEALTHCHECK name (a port the application is told to use)."""
    entrypoint: dict[str, Any] | None
    """{argv, line} of the ENTRYPOINT the image runs (masked words; a shell form is `/bin/sh -c TEXT`)."""
    cmd: dict[str, Any] | None
    """{argv, line} of its CMD (None when an ENTRYPOINT set after it resets it, or it comes from the base image)."""
    drain_env: dict[str, list[Any]]
    stop_signal: str | None
    """The STOPSIGNAL the image declares (nearest in its stage chain), None for the default SIGTERM."""
    """[value, line] of the ENV a server reads its drain time from (GUNICORN_CMD_ARGS, UVICORN_TIMEOUT_...)."""


class ServiceRun(TypedDict, total=False):
    """One thing that runs the service's image: a container of a manifest's or a rendered chart's workload (type
    kubernetes or chart), or a compose service (type compose). Places are [path, line]."""

    type: str
    path: str
    built_from: BuiltImage | None
    """The Dockerfile stage its image is built from, when one build (and only one) says so."""
    rewritten: bool
    """A pipeline or a kustomization may rewrite its image tag before it is applied."""
    image: str | None
    env: list[str]
    place: list[Any]
    image_place: list[Any]
    workload: str
    namespace: str
    container: str
    env_from: list[dict[str, str]]
    ports: list[dict[str, Any]]
    probes: dict[str, dict[str, Any]]
    probe_places: dict[str, list[Any]]
    security: dict[str, dict[str, Any]]
    pre_stop: dict[str, Any] | None
    labels: dict[str, str]
    numbers: list[int]
    """Numbers written in its env values, command and args (a compose service's: also entrypoint and healthcheck,
    and 9229 for `--inspect`): a port the application is told to listen on."""
    configmaps: list[dict[str, Any]]
    k8s_services: list[dict[str, Any]]
    name: str
    line: int
    build: dict[str, Any] | None
    env_file: bool
    env_line: int
    exec_probes: dict[str, dict[str, Any]]
    """Each exec probe of a container, judged: programs, local ports, place."""
    health: dict[str, Any] | None
    """A compose service's healthcheck.test, judged: programs, local ports, place."""
    numbers_besides_health: list[int]
    """Numbers a compose service's environment, command, entrypoint, ports and expose name (not its healthcheck)."""
    mounts: list[str]
    """The mountPath of each volumeMount of a Kubernetes container."""
    published: list[dict[str, Any]]
    """Each compose `ports:` entry: the container side as [first, last] port (None when not known), and its place."""
    exposed: list[list[int]]
    """A compose service's `expose:` ports, each as [first, last]."""
    host_network: bool
    """A compose service with `network_mode: host` (its `ports:` are ignored)."""
    network_joined: bool
    """Another compose service joins its network (`network_mode: service:NAME`) and may serve its ports."""
    env_entries: list[dict[str, Any]]
    """Each variable it sets: name, place, and the value when it is literal and neither named nor shaped like a
    credential (else None)."""
    command: list[str] | None
    """The container's `command` / the compose service's `command` (masked words), None when not set."""
    args: list[str] | None
    entrypoint: list[str] | None
    pre_stop_seconds: float | None
    grace: dict[str, Any]
    stop_signal: str | None
    """A compose service's `stop_signal`."""
    """The time it is given to stop: {seconds, set, place} (terminationGracePeriodSeconds, stop_grace_period)."""


class ServiceEnvSchema(TypedDict):
    """The env schema linked to a service, and how (declared, or the only service in its directory tree)."""

    type: str
    path: str
    required: list[list[Any]]
    """[name, line] of each required variable."""
    properties: list[str]
    closed: bool
    how: str
    values: dict[str, Any]
    """Each property's value keywords (type, enum, pattern, format, bounds), for SVC013; {} when the schema is
    broken or refers outside itself."""
    lines: dict[str, int]
    secret: list[str]
    dialect: str | None
    pattern_properties: bool
    closed_line: int


class Service(TypedDict):
    """One service of the map: its Dockerfiles, images, the pipelines that build them, what runs them."""

    name: str
    declared: bool
    dockerfiles: list[dict[str, Any]]
    images: list[str]
    pipelines: list[dict[str, Any]]
    """Each build of one of its images: path, line, job, tag, push, target, image. The tag is as written where only
    the run knows it (`${{ steps.meta.outputs.version }}`, a bake `${TAG}`): a rule compares literal tags only."""
    deploys: list[dict[str, Any]]
    """Each deploying step naming its chart or image: path, line, job, type, sets (`--set`), tag."""
    charts: list[str]
    runs: list[ServiceRun]
    links: list[dict[str, Any]]
    env_schema: ServiceEnvSchema | None
    scan_builds: dict[str, Any] | None
    applies: list[dict[str, Any]]
    """Each workflow step that applies some of its manifests (`kubectl apply -f`): path, line, job, and `runs`, the
    nodes (`k8s:PATH#WORKLOAD/CONTAINER`) of the containers it applies."""
    """For a service a workflow deploys: the image repositories the whole scan builds, and whether some build's
    image cannot be named (`hidden`)."""


def _targets(*specs: TargetSpec) -> dict[str, TargetSpec]:
    return {spec.name: spec for spec in specs}


TARGETS: dict[str, dict[str, TargetSpec]] = {
    "dockerfile": _targets(
        TargetSpec("dockerfile.file", "the whole Dockerfile", Dockerfile, {}),
        TargetSpec("dockerfile.stage", "every build stage", Stage, _STAGE_CONTEXT),
        TargetSpec("dockerfile.final_stage", "the stage that is built (last, or --target)", Stage, _STAGE_CONTEXT),
        TargetSpec("dockerfile.instruction", "every instruction of every stage", Instruction, {}),
        TargetSpec("dockerfile.final_instruction", "every instruction of the final stage", Instruction, {}),
        TargetSpec("dockerfile.command", "every command of every RUN", Command, _COMMAND_CONTEXT),
        TargetSpec("dockerfile.final_command", "every command of the final stage's RUNs", Command, _COMMAND_CONTEXT),
        TargetSpec("dockerfile.built_instruction", "every instruction of the stages the final stage is built from "
                   "(BuildKit skips the others)", Instruction, {}),
        TargetSpec("dockerfile.built_command", "every command of the RUNs of the stages the final stage is built "
                   "from", Command, _COMMAND_CONTEXT),
    ),
    "workflow": _targets(
        TargetSpec("workflow.file", "the whole workflow, or action (action.yml)", Workflow, {}),
        TargetSpec("workflow.job", "every job of a workflow", WorkflowJob, {"workflow": "Workflow: the whole file"}),
        TargetSpec("workflow.step", "every step of every job, and of a composite action", WorkflowStep,
                   {"workflow": "Workflow: the whole file", "job": "WorkflowJob, or None in an action"}),
    ),
    "kubernetes": _targets(
        TargetSpec("kubernetes.object", "every object of every manifest (and of every rendered chart)",
                   KubernetesObject, {"info": "ObjectInfo: index, kind, name, namespace of the object"}),
        TargetSpec("kubernetes.workload", "every object with a pod template (Deployment, CronJob, Pod...)",
                   KubernetesObject, _K8S_WORKLOAD_CONTEXT),
        TargetSpec("kubernetes.container", "every container of every workload (init and ephemeral too)", KubernetesContainer,
                   {**_K8S_WORKLOAD_CONTEXT,
                    "container": "k8s.workloads.Container: role (app/init/ephemeral) and the effective securityContext"}),
    ),
    "helm": _targets(
        TargetSpec("helm.chart", "every chart (its rendered objects are judged by the kubernetes targets)", Chart, {}),
    ),
    "compose": _targets(
        TargetSpec("compose.service", "every service of a compose file (with its override merged)", ComposeService,
                   {"name": "str: the service name", "production": "bool: the file is named for production",
                    "long_running": "bool: no service waits for it to complete",
                    "dockerfile_healthcheck": "bool or None: its built Dockerfile declares a HEALTHCHECK",
                    "services": "every service of the file, by name"}),
    ),
    "env": _targets(
        TargetSpec("env.schema", "every env schema", EnvSchemaData, {"schema": "envschema.EnvSchema: the parsed schema"}),
        TargetSpec("env.variable", "every variable an env schema declares", EnvVariable,
                   {"schema": "envschema.EnvSchema: the parsed schema"}),
        TargetSpec("env.file", "every env file (.env, .env.production, .env.example...)", EnvFileData,
                   {"env": "envfile.EnvFile: entries and syntax issues",
                    "schema": "envschema.EnvSchema of the directory, or None"}),
        TargetSpec("env.entry", "every KEY=value of every env file", EnvEntry,
                   {"env": "envfile.EnvFile", "schema": "envschema.EnvSchema or None",
                    "entry": "envfile.Entry: key, value, raw, quote, lines and columns"}),
    ),
    "service": _targets(
        TargetSpec("service.service", "every service of the service map (its artifacts linked across files)", Service,
                   {}),
    ),
    "secret-file": _targets(
        TargetSpec("secret-file.file", "every file named like a credential (id_rsa, .npmrc, .netrc...)", SecretFile, {}),
    ),
}

EXAMPLES: dict[str, list[tuple[str, str]]] = {
    "dockerfile": [("Dockerfile", _DOCKERFILE)],
    "workflow": [(".github/workflows/ci.yml", _WORKFLOW)],
    "kubernetes": [("deploy/api.yaml", _DEPLOYMENT)],
    "helm": [("charts/api/Chart.yaml", _CHART), ("charts/api/values.yaml", _CHART_VALUES),
             ("charts/api/templates/deployment.yaml", _CHART_TEMPLATE)],
    "compose": [("compose.yaml", _COMPOSE)],
    "env": [("env.schema.json", _ENV_SCHEMA), (".env", _ENV_FILE)],
    "secret-file": [(".npmrc", "registry=https://registry.npmjs.org/\n")],
    "service": [("Dockerfile", _DOCKERFILE), ("deploy/api.yaml", _DEPLOYMENT)],
}
"""Small files of each kind (name, text): every target of the kind has subjects in them."""

ALL_TARGETS: dict[str, TargetSpec] = {name: spec for specs in TARGETS.values() for name, spec in specs.items()}
