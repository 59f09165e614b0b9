"""GitHub Actions workflows and composite actions as one model.

Both kinds load into a WorkflowDocument (kind `workflow`, `data["is_action"]`
tells them apart) so that step rules judge a composite action's steps exactly
like a job's. The model normalises what YAML lets authors write several ways
(`on:` as a string, list or map; `needs:` as a string or list; `environment:`
as a string or map) and parses what rules must not grep: `uses:` references
into owner/repo/path/ref with the ref classified, `run:` scripts into shell
commands that keep their file line, and `${{ }}` expressions into context
references. Locations stay keyed by the pointers of the original YAML, which
the model's subjects use.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from readycheck.discover import Target
from readycheck.gha_expressions import find_expressions
from readycheck.judge.images import parse_image
from readycheck.loaders import LoadContext
from readycheck.model import Document, Pointer, Span, Subject
from readycheck.shell import parse_script
from readycheck.textio import LoadError, read_text
from readycheck.yamlsource import YamlDocument, load_yaml_documents

_SHA = re.compile(r"[0-9a-f]{40}$")
_SHORT_SHA = re.compile(r"[0-9a-f]{7,39}$")
_VERSION_TAG = re.compile(r"v?[0-9]+(\.[0-9]+)*([-+.][0-9A-Za-z.-]+)?$")
BRANCH_NAMES = {"main", "master", "develop", "dev", "trunk", "next", "stable", "latest", "head", "canary", "nightly"}


def classify_ref(ref: str) -> str:
    """`sha` (full 40-hex commit), `short-sha`, `tag` (version-like), `branch` or `other`."""
    if _SHA.match(ref):
        return "sha"
    if _SHORT_SHA.match(ref) and any(c.isalpha() for c in ref) and any(c.isdigit() for c in ref):
        return "short-sha"
    if _VERSION_TAG.match(ref):
        return "tag"
    if ref.lower() in BRANCH_NAMES or "/" in ref or ref.lower().startswith(("release-", "feature-")):
        return "branch"
    return "other"


def parse_uses(value: Any) -> dict[str, Any] | None:
    """A `uses:` value split into its parts; None when there is no `uses:`."""
    if not isinstance(value, str):
        return None
    raw = value.strip()
    if raw.startswith("docker://"):
        image = raw[len("docker://"):]
        return {"raw": raw, "kind": "docker", "image": image, **_split_image(image)}
    if raw.startswith(("./", "../", "$/")):
        # `$/path` names the repository the workflow lives in (GitHub's self-repository syntax): local
        return {"raw": raw, "kind": "local", "path": raw, "owner": None, "repo": None, "ref": None, "ref_kind": None}
    name, _, ref = raw.partition("@")
    parts = name.split("/")
    owner = parts[0] if parts else ""
    repo = parts[1] if len(parts) > 1 else ""
    path = "/".join(parts[2:]) or None
    return {
        "raw": raw,
        "kind": "remote",
        "owner": owner,
        "repo": repo,
        "path": path,
        "name": name,
        "ref": ref or None,
        "ref_kind": classify_ref(ref) if ref else "missing",
    }


def _split_image(image: str) -> dict[str, Any]:
    """The parts of an image reference; `repository` keeps the registry, as the workflow rules show it."""
    ref = parse_image(image)
    repository = f"{ref.registry}/{ref.repository}" if ref.registry else ref.repository
    return {"repository": repository, "tag": ref.tag, "digest": ref.digest}


def image_of(value: Any) -> dict[str, Any] | None:
    """The image of a job `container:` or a service: a string or a map with `image:` (and `credentials:`)."""
    image = value.get("image") if isinstance(value, dict) else value
    if not isinstance(image, str) or not image.strip():
        return None
    credentials = value.get("credentials") if isinstance(value, dict) else None
    return {"image": image.strip(), **_split_image(image.strip()),
            "credentials": credentials if isinstance(credentials, dict) else None}


def normalise_triggers(on: Any) -> dict[str, Any]:
    """`on:` as written (string, list, map) to a map of event name -> its configuration."""
    if isinstance(on, str):
        return {on: None}
    if isinstance(on, list):
        return {str(e): None for e in on if isinstance(e, (str, int))}
    if isinstance(on, dict):
        return {str(k): v for k, v in on.items()}
    return {}


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v) for v in value if v is not None]
    return [str(value)]


def _mapping(value: Any) -> dict[Any, Any]:
    return value if isinstance(value, dict) else {}


def _environment(value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    if isinstance(value, dict):
        return {"name": value.get("name"), "url": value.get("url")}
    return {"name": str(value), "url": None}


_DEPLOY_ACTIONS = {
    "azure/webapps-deploy", "azure/k8s-deploy", "aws-actions/amazon-ecs-deploy-task-definition",
    "google-github-actions/deploy-cloudrun", "google-github-actions/deploy-appengine", "superfly/flyctl-actions",
    "amondnet/vercel-action", "cloudflare/wrangler-action", "akhileshns/heroku-deploy", "serverless/github-action",
    "helmfile/helmfile-action", "deliverybot/helm", "appleboy/ssh-action", "peaceiris/actions-gh-pages",
    "actions/deploy-pages", "azure/functions-action", "aws-actions/aws-cloudformation-github-deploy",
    "netlify/actions", "nwtgck/actions-netlify",
}


def deploy_command(command: dict[str, Any]) -> bool:
    """Whether a shell command changes a running environment."""
    name, args = command["name"], [a for a in command["argv"][1:] if not a.startswith("-")]
    first, second = (args + ["", ""])[:2]
    if name == "kubectl":
        return first in ("apply", "rollout", "replace", "create") or (first, second) == ("set", "image")
    if name == "helm":
        return first in ("upgrade", "install")
    if name == "helmfile":
        return first in ("apply", "sync")
    if name == "aws":
        return (first, second) in (("ecs", "update-service"), ("deploy", "create-deployment")) or first == "deploy" \
            or (first, second) == ("cloudformation", "deploy") or (first, second) == ("lambda", "update-function-code")
    if name == "gcloud":
        return "deploy" in args
    if name == "az":
        return "deploy" in args or (first, second) == ("webapp", "up")
    if name in ("flyctl", "fly"):
        return first == "deploy"
    if name == "railway":
        return first == "up"
    if name == "vercel":
        return "--prod" in command["argv"]
    if name in ("serverless", "sls", "cdk", "wrangler", "netlify"):
        return first in ("deploy", "publish")
    if name == "terraform" or name == "tofu":
        return first == "apply"
    if name == "argocd":
        return (first, second) == ("app", "sync")
    return False


def deploy_step(step: dict[str, Any]) -> bool:
    """A step that deploys: a known deploy action or a deploying command (kept in the model: many rules ask)."""
    name = _remote_name(step)
    if name and "/".join(name.split("/")[:2]) in _DEPLOY_ACTIONS and not name.endswith("setup-flyctl"):
        return True
    return any(deploy_command(c) for c in step["commands"])


_DEPLOY_ENVIRONMENT = re.compile(
    r"(^|[-_ /.])(prod|production|staging|stage|stg|preprod|pre-prod|live|uat|qa|preview|canary|sandbox)($|[-_ /.\d])",
    re.I,
)


def is_deploy_job(job: dict[str, Any]) -> bool:
    """A job with a deploying step, a reusable-workflow call handed an environment, or a job whose
    environment is a deployment target (by its name, or a `url:` to what was deployed).

    An environment alone is not a deploy: environments also hold publishing or API secrets behind
    protection rules, as zizmor and GitHub recommend, and following that advice must not turn a
    release or a label job into a "deploy" that the delivery rules then judge.
    """
    if any(s["deploys"] for s in job["steps"]) or job["passes_environment"]:
        return True
    environment = job.get("environment") or {}
    name = str(environment.get("name") or "")
    if environment.get("url") or "${{" in name:
        return True
    return bool(_DEPLOY_ENVIRONMENT.search(name))


def passes_environment(job: Mapping[str, Any]) -> bool:
    """A reusable-workflow job that hands the environment to the called workflow through `with:`."""
    return bool(job.get("uses")) and any(str(k).lower() in ("environment", "env", "stage") for k in job.get("with") or {})


def pushed_images(step: dict[str, Any]) -> list[str]:
    """The image references a step pushes ([] if it pushes nothing; ['?'] if unknown)."""
    name = _remote_name(step)
    if name == "docker/build-push-action" and str(step["with"].get("push", "")).lower() == "true":
        return _split_tags(_with_text(step, "tags")) or ["?"]
    if name == "redhat-actions/push-to-registry":
        return [_with_text(step, "image") + ":" + t for t in _split_tags(_with_text(step, "tags"))] or ["?"]
    pushed: list[str] = []
    for command in step["commands"]:
        args = [str(a) for a in command["argv"][1:]]
        if command["name"] in ("docker", "podman", "buildah") and args[:1] == ["push"]:
            pushed.extend([a for a in args[1:] if not a.startswith("-")][:1] or ["?"])
        elif command["name"] == "docker" and (args[:2] == ["buildx", "build"] or args[:1] == ["build"]) and "--push" in args:
            pushed.extend(args[i + 1] for i, a in enumerate(args[:-1]) if a in ("-t", "--tag"))
        elif command["name"] in ("ko", "jib") and args[:1] in (["publish"], ["build"]):
            pushed.append("?")
    return pushed


def _with_text(step: Mapping[str, Any], key: str) -> str:
    value = (step.get("with") or {}).get(key)
    return "" if value is None else str(value)


def _split_tags(text: str) -> list[str]:
    return [t.strip() for t in re.split(r"[\n,]", text) if t.strip()]


def _remote_name(step: dict[str, Any]) -> str:
    uses = step.get("uses")
    return str(uses.get("name") or "").lower() if uses and uses["kind"] == "remote" else ""


class _Builder:
    """Builds the model of one YAML document, with command and expression lines from the text."""

    def __init__(self, ydoc: YamlDocument, lines: list[str]) -> None:
        self.ydoc = ydoc
        self.lines = lines
        self.extra: dict[Pointer, Span] = {}

    def value_span(self, pointer: Pointer) -> Span | None:
        return self.ydoc.value_locations.get(pointer)

    def expressions(self, value: Any, pointer: Pointer, field_name: str) -> list[dict[str, Any]]:
        """Every expression in the strings under `pointer`, each with the file line it sits on."""
        found: list[dict[str, Any]] = []
        if isinstance(value, dict):
            for key, child in value.items():
                found.extend(self.expressions(child, pointer + (key,), field_name))
            return found
        if isinstance(value, list):
            for index, child in enumerate(value):
                found.extend(self.expressions(child, pointer + (index,), field_name))
            return found
        if not isinstance(value, str) or "${{" not in value:
            return found
        span = self.value_span(pointer)
        lines = _line_finder(self.lines, span)
        for expression in find_expressions(value):
            line, column = lines(expression.text)
            found.append({
                "text": expression.text,
                "references": [r.path for r in expression.references],
                "functions": expression.functions,
                "error": expression.error,
                "field": field_name,
                "pointer": list(pointer),
                "line": line,
                "column": column,
            })
        return found

    def commands(self, script: str, pointer: Pointer) -> list[dict[str, Any]]:
        """The commands of a `run:` script, each with its line in the file."""
        span = self.value_span(pointer)
        indicator = ""
        if span is not None and 0 < span.line <= len(self.lines):
            indicator = self.lines[span.line - 1][span.column - 1:].lstrip()[:1]
        lines = _line_finder(self.lines, span)
        found = []
        # GitHub substitutes each `${{ }}` before the shell runs: one opaque fragment of the word it sits in
        expressions = [(e.start, e.end) for e in find_expressions(script) if e.text.endswith("}}")] if "${{" in script else []
        for command in parse_script(script, opaque=expressions).commands:
            data = command.as_dict()
            first = command.text.splitlines()[0] if command.text else ""
            if span is None:
                data["file_line"] = command.line + 1
            elif indicator == "|":
                data["file_line"] = span.line + 1 + command.line
            elif span.last_line == span.line:
                data["file_line"] = span.line
            else:
                data["file_line"] = lines(first)[0]
            text = self.lines[data["file_line"] - 1] if 0 < data["file_line"] <= len(self.lines) else ""
            data["file_column"] = text.find(first) + 1 if first and first in text else 1
            found.append(data)
        return found

    def step(self, raw: Any, pointer: Pointer, index: int) -> dict[str, Any]:
        step = raw if isinstance(raw, dict) else {}
        run = step.get("run")
        model: dict[str, Any] = {
            "index": index,
            "id": step.get("id"),
            "name": step.get("name"),
            "uses": parse_uses(step.get("uses")),
            "with": _mapping(step.get("with")),
            "run": run if isinstance(run, str) else None,
            "commands": self.commands(run, pointer + ("run",)) if isinstance(run, str) else [],
            "env": _mapping(step.get("env")),
            "shell": step.get("shell"),
            "if": step.get("if"),
            "continue-on-error": step.get("continue-on-error"),
            "expressions": self.expressions(step, pointer, "step"),
        }
        model["deploys"] = deploy_step(model)
        model["pushes"] = pushed_images(model)
        return model

    def steps(self, raw: Any, pointer: Pointer) -> list[dict[str, Any]]:
        """The steps in order, with those of a `parallel:` block flattened in its place.

        GitHub runs the steps of `- parallel: [...]` side by side (June 2026); each is a step like any
        other, so every step rule judges it. `at` is the step's pointer below `steps:`.
        """
        if not isinstance(raw, list):
            return []
        places: list[tuple[Pointer, Any]] = []
        for i, item in enumerate(raw):
            nested = item.get("parallel") if isinstance(item, dict) and "parallel" in item else None
            if isinstance(nested, list):
                places.extend(((i, "parallel", j), child) for j, child in enumerate(nested))
            else:
                places.append(((i,), item))
        found = []
        for index, (at, item) in enumerate(places):
            step = self.step(item, pointer + at, index)
            step["at"] = list(at)
            for expression in step["expressions"]:
                expression["field"] = str(expression["pointer"][len(pointer) + len(at)]) \
                    if len(expression["pointer"]) > len(pointer) + len(at) else "step"
            found.append(step)
        return found

    def job(self, job_id: str, raw: Any) -> dict[str, Any]:
        job = raw if isinstance(raw, dict) else {}
        pointer: Pointer = ("jobs", job_id)
        services = _mapping(job.get("services"))
        model: dict[str, Any] = {
            "id": job_id,
            "name": job.get("name"),
            "runs-on": job.get("runs-on"),
            "uses": parse_uses(job.get("uses")),
            "with": _mapping(job.get("with")),
            "secrets": job.get("secrets"),
            "needs": _as_list(job.get("needs")),
            "if": job.get("if"),
            "environment": _environment(job.get("environment")),
            "timeout-minutes": job.get("timeout-minutes"),
            "permissions": job.get("permissions"),
            "has_permissions": "permissions" in job,
            "env": _mapping(job.get("env")),
            "concurrency": job.get("concurrency"),
            "container": image_of(job.get("container")),
            "services": {str(k): image_of(v) for k, v in services.items()},
            "strategy": job.get("strategy"),
            "outputs": _mapping(job.get("outputs")),
            "continue-on-error": job.get("continue-on-error"),
            "steps": self.steps(job.get("steps"), pointer + ("steps",)),
            "expressions": self.expressions({k: v for k, v in job.items() if k != "steps"}, pointer, "job"),
        }
        model["passes_environment"] = passes_environment(model)
        model["is_deploy"] = is_deploy_job(model)
        return model

    def workflow(self, data: dict[str, Any]) -> dict[str, Any]:
        jobs = _mapping(data.get("jobs"))
        return {
            "is_action": False,
            "name": data.get("name"),
            "triggers": normalise_triggers(data.get("on")),
            "permissions": data.get("permissions"),
            "has_permissions": "permissions" in data,
            "env": _mapping(data.get("env")),
            "concurrency": data.get("concurrency"),
            "jobs": [self.job(str(job_id), raw) for job_id, raw in jobs.items()],
            "steps": [],
            "expressions": self.expressions({k: v for k, v in data.items() if k != "jobs"}, (), "workflow"),
        }

    def action(self, data: dict[str, Any]) -> dict[str, Any]:
        runs = _mapping(data.get("runs"))
        using = runs.get("using")
        steps = self.steps(runs.get("steps"), ("runs", "steps")) if using == "composite" else []
        image = runs.get("image") if using == "docker" else None
        return {
            "is_action": True,
            "name": data.get("name"),
            "using": using,
            "image": parse_uses(image) if isinstance(image, str) and image.startswith("docker://") else None,
            "triggers": {},
            "permissions": None,
            "has_permissions": False,
            "env": {},
            "concurrency": None,
            "jobs": [],
            "steps": steps,
            "expressions": [],
        }


def _line_finder(lines: list[str], span: Span | None) -> Callable[[str], tuple[int, int]]:
    """Find successive snippets inside a value's lines: (line, column), each search going on after the last."""
    start = span.line if span else 1
    end = span.last_line if span else len(lines)
    state = {"line": start, "column": (span.column - 1) if span else 0}

    def find(snippet: str) -> tuple[int, int]:
        first = snippet.splitlines()[0] if snippet else ""
        for number in range(state["line"], max(end, start) + 1):
            text = lines[number - 1] if number - 1 < len(lines) else ""
            offset = text.find(first, state["column"] if number == state["line"] else 0)
            if offset >= 0:
                state["line"], state["column"] = number, offset + max(len(first), 1)
                return number, offset + 1
        return state["line"], 1

    return find


class WorkflowDocument(Document):
    kind = "workflow"
    text_is_file = True

    def _job_subjects(self) -> Iterator[Subject]:
        for job in self.data["jobs"]:
            pointer: Pointer = ("jobs", job["id"])
            yield Subject(self, job, pointer, owner=pointer, key=f"job:{job['id']}", context={"workflow": self.data})

    def _step_subjects(self) -> Iterator[Subject]:
        if self.data["is_action"]:
            for step in self.data["steps"]:
                pointer: Pointer = ("runs", "steps", *step["at"])
                yield Subject(self, step, pointer, owner=pointer, key=f"step:{step['index']}",
                              context={"workflow": self.data, "job": None})
            return
        for job in self.data["jobs"]:
            for step in job["steps"]:
                pointer = ("jobs", job["id"], "steps", *step["at"])
                yield Subject(self, step, pointer, owner=pointer, key=f"{job['id']}:step:{step['index']}",
                              context={"workflow": self.data, "job": job})

    def build_subjects(self, target: str) -> Iterator[Subject]:
        if target == "workflow.file":
            return iter([Subject(self, self.data, (), owner=(), key="file")])
        if target == "workflow.job":
            return self._job_subjects()
        if target == "workflow.step":
            return self._step_subjects()
        return iter(())


def build(text: str, action: bool | None = None) -> tuple[dict[str, Any], dict[Pointer, Span]]:
    """The model and the location map of a workflow or action file (`action`: known by its name;
    None: an action if it has `runs:` and no `jobs:`)."""
    docs = load_yaml_documents(text)
    if not docs or docs[0].data is None:
        raise LoadError("empty file: a workflow or action needs a mapping", 1)
    if len(docs) > 1:
        raise LoadError("more than one YAML document in a workflow or action file", docs[1].start_line)
    ydoc = docs[0]
    if ydoc.duplicate_keys:
        key, line = ydoc.duplicate_keys[0]
        raise LoadError(f"duplicate key '{key}'", line)
    if not isinstance(ydoc.data, dict):
        raise LoadError("a workflow or action file must be a mapping", ydoc.start_line)
    is_action = "runs" in ydoc.data and "jobs" not in ydoc.data if action is None else action
    rejected = (_action_problem if is_action else _workflow_problem)(ydoc)
    if rejected:
        raise LoadError(*rejected)
    builder = _Builder(ydoc, text.splitlines())
    model = builder.action(ydoc.data) if is_action else builder.workflow(ydoc.data)
    return model, dict(ydoc.locations)


WORKFLOW_KEYS = ("name", "run-name", "on", "permissions", "env", "defaults", "concurrency", "jobs")


def _line(ydoc: YamlDocument, pointer: Pointer) -> int:
    span = ydoc.locations.get(pointer)
    return span.line if span else ydoc.start_line


def _workflow_problem(ydoc: YamlDocument) -> tuple[str, int] | None:
    """Why GitHub would reject this workflow (with the line), or None.

    Rules judge what the file says; a file GitHub refuses to run says nothing reliable (a mistyped
    `job:` key leaves "no jobs" to judge), so it is an error entry rather than findings on a misread.
    """
    data = ydoc.data
    for key in data:
        if key not in WORKFLOW_KEYS:
            return (f"unknown top-level key '{key}': GitHub rejects the workflow (allowed: {', '.join(WORKFLOW_KEYS)})",
                    _line(ydoc, (key,)))
    if data.get("on") is None:
        return "the workflow has no `on:` triggers: GitHub rejects it", ydoc.start_line
    jobs = data.get("jobs")
    if not isinstance(jobs, dict) or not jobs:
        return "the workflow has no `jobs:` mapping: GitHub rejects it", _line(ydoc, ("jobs",))
    for job_id, job in jobs.items():
        if not isinstance(job, dict):
            return f"job '{job_id}' is not a mapping: GitHub rejects the workflow", _line(ydoc, ("jobs", job_id))
        if job.get("runs-on") is None and job.get("uses") is None:
            return (f"job '{job_id}' has neither runs-on nor uses: GitHub rejects the workflow",
                    _line(ydoc, ("jobs", job_id)))
    return None


def _action_problem(ydoc: YamlDocument) -> tuple[str, int] | None:
    """Why GitHub could not run this action (no `runs.using`), with the line, or None."""
    runs = ydoc.data.get("runs")
    if not isinstance(runs, dict):
        return "the action has no `runs:` mapping: GitHub cannot run it", _line(ydoc, ("runs",))
    if not isinstance(runs.get("using"), str) or not runs["using"].strip():
        return "the action's `runs:` has no `using:` (composite, docker, node20...): GitHub cannot run it", \
            _line(ydoc, ("runs",))
    return None


def load(target: Target, context: LoadContext) -> list[Document]:
    text = read_text(target.path, context.max_bytes, context.root_of(target))
    display = context.relpath(target.path)
    data, locations = build(text, action=target.path.name in ("action.yml", "action.yaml") or None)
    return [WorkflowDocument(display, text, data, locations)]
