"""GitHub Actions checks: action pinning, token scope, secrets, script injection, deploy gates, structure.

Subjects come from readycheck.loaders.workflow: `workflow.file` (the whole
workflow or action), `workflow.job` and `workflow.step` (job steps and
composite-action steps alike). Shell questions go through the parsed
commands of each `run:`, expression questions through the parsed references
of each `${{ }}`.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from readycheck.gha_expressions import Reference, find_expressions, untrusted_path, value_paths
from readycheck.judge.commands import command_words, install_message, piped_into_shell, tls_off
from readycheck.judge.edits import Refusal, insert_beside, insert_entry, make_fix, remove_entry, set_entry
from readycheck.judge.images import FLOATING_TAG, floating, parse_image
from readycheck.model import Edit, Fix, Hit, Pointer, Span, Subject

if TYPE_CHECKING:
    from readycheck.targets import Workflow, WorkflowJob, WorkflowStep

# ---------------------------------------------------------------- shared helpers

def _line_hit(message: str, line: int, column: int = 1, key: str = "") -> Hit:
    return Hit(message, span=Span(line, column), key=key or message)


def _steps_of(job: Mapping[str, Any]) -> list[WorkflowStep]:
    return list(job.get("steps") or [])


def _uses_name(step: Mapping[str, Any]) -> str:
    uses = step.get("uses")
    if not uses or uses["kind"] != "remote":
        return ""
    return str(uses.get("name") or "").lower()


def _commands(step: Mapping[str, Any]) -> list[dict[str, Any]]:
    return list(step.get("commands") or [])


def _args(command: dict[str, Any]) -> list[str]:
    return [str(a) for a in command["argv"][1:]]


def _with_text(step: Mapping[str, Any], key: str) -> str:
    value = (step.get("with") or {}).get(key)
    return "" if value is None else str(value)


def _all_jobs(subject: Subject) -> list[dict[str, Any]]:
    workflow = subject.context.get("workflow") or subject.data
    return list(workflow.get("jobs") or [])


def _references(text: str) -> list[Reference]:
    return [r for e in find_expressions(text) for r in e.references]


# ---------------------------------------------------------------- pinned-versions

def action_not_pinned(subject: Subject[WorkflowStep], options: dict[str, Any]) -> Iterator[Hit]:
    uses = subject.data.get("uses")
    if not uses or uses["kind"] != "remote" or uses["ref_kind"] in ("sha", "branch"):
        return
    owner = f"{uses['owner']}/{uses['repo']}"
    trusted = any(fnmatch.fnmatchcase(owner.lower(), p.lower()) for p in options.get("trusted", []))
    if trusted and uses["ref_kind"] == "tag":
        return
    if uses["ref_kind"] == "missing":
        yield Hit(f"action '{uses['raw']}' names no version at all", at=("uses",))
        return
    yield Hit(f"action '{uses['raw']}' is pinned to '{uses['ref']}', which can be moved; pin the full commit SHA",
              at=("uses",))


def action_pinned_to_branch(subject: Subject[WorkflowStep], options: dict[str, Any]) -> Iterator[Hit]:
    uses = subject.data.get("uses")
    if uses and uses["kind"] == "remote" and uses["ref_kind"] == "branch":
        yield Hit(f"action '{uses['raw']}' follows the branch '{uses['ref']}': every push to it runs in this job",
                  at=("uses",))


def _image_unpinned(image: Mapping[str, Any] | None) -> str | None:
    """How an image floats (no tag, `latest`), in the shared words; None when pinned or an expression."""
    if not image or "${{" in str(image.get("image", "")):
        return None
    return floating(parse_image(str(image["image"])))


def docker_step_unpinned(subject: Subject[WorkflowStep], options: dict[str, Any]) -> Iterator[Hit]:
    uses = subject.data.get("uses")
    what = _image_unpinned(uses) if uses and uses["kind"] == "docker" else None
    if uses and what:
        yield Hit(f"step image '{uses['image']}' {what}", at=("uses",))


def _matrix_images(job: Mapping[str, Any], image: str) -> list[str]:
    """The images an image reference written with `${{ matrix.X }}` takes, one per matrix value."""
    expressions = find_expressions(image)
    if len(expressions) != 1 or expressions[0].error:
        return []
    paths = value_paths(expressions[0].inner)
    if len(paths) != 1 or not paths[0].startswith("matrix.") or paths[0].count(".") != 1:
        return []
    values = _matrix_values(job.get("strategy"), paths[0].split(".")[1])
    if not values or not all(isinstance(v, str) and "${{" not in v for v in values):
        return []
    expression = expressions[0]
    return [image[:expression.start] + str(v) + image[expression.end:] for v in values]


def job_image_unpinned(subject: Subject[WorkflowJob], options: dict[str, Any]) -> Iterator[Hit]:
    job = subject.data
    places: list[tuple[str, Pointer, Mapping[str, Any] | None]] = [("job container", ("container",), job.get("container"))]
    places.extend((f"service '{name}'", ("services", name), image) for name, image in (job.get("services") or {}).items())
    for label, pointer, image in places:
        if not image:
            continue
        what = _image_unpinned(image)
        if what:
            yield Hit(f"{label} image '{image['image']}' {what}", at=pointer)
            continue
        for chosen in dict.fromkeys(_matrix_images(job, str(image["image"]))):
            what = _image_unpinned({"image": chosen})
            if what:
                yield Hit(f"{label} image '{image['image']}' is '{chosen}' in one matrix run, which {what}",
                          at=pointer, key=f"{label}:{chosen}")


def reusable_workflow_branch(subject: Subject[WorkflowJob], options: dict[str, Any]) -> Iterator[Hit]:
    uses = subject.data.get("uses")
    if uses and uses["kind"] == "remote" and uses["ref_kind"] in ("branch", "other", "missing"):
        yield Hit(f"reusable workflow '{uses['raw']}' is referenced by a branch; pin a commit SHA", at=("uses",))


def tool_install_unpinned(subject: Subject[WorkflowStep], options: dict[str, Any]) -> Iterator[Hit]:
    for command in _commands(subject.data):
        message = install_message(command_words(command))
        if message:
            yield _line_hit(message, command["file_line"], command["file_column"])


def setup_action_latest(subject: Subject[WorkflowStep], options: dict[str, Any]) -> Iterator[Hit]:
    step = subject.data
    uses = step.get("uses")
    defaults = {str(a).lower() for a in options.get("latest_by_default") or []}
    name = _uses_name(step)
    if str(step.get("if")).strip().lower() in ("false", "${{ false }}"):
        return
    if name in defaults and "version" not in (step.get("with") or {}):
        yield Hit(f"{uses['name'] if uses else name} installs the latest release of its tool when no version: is "
                  "given: the tool changes under the build", at=("uses",))
        return
    if not uses or uses["kind"] != "remote" or not (str(uses.get("repo", "")).startswith("setup-") or name in defaults):
        return
    for key, value in (step.get("with") or {}).items():
        if str(key).endswith("version") and str(value).strip().lower() in ("latest", "*", "x", "stable", "lts/*", "node"):
            yield Hit(f"{uses['name']} installs '{value}' ({key}): the toolchain changes under the build",
                      at=("with", key))


# ---------------------------------------------------------------- least-privilege

def permissions_missing(subject: Subject[Workflow], options: dict[str, Any]) -> Iterator[Hit]:
    workflow = subject.data
    if workflow["is_action"] or workflow["has_permissions"]:
        return
    bare = [j["id"] for j in workflow["jobs"] if not j["has_permissions"]]
    if bare:
        calls = [j["id"] for j in workflow["jobs"] if not j["has_permissions"] and j.get("uses")]
        also = f" (a called workflow gets its caller's token: {', '.join(calls)})" if calls else ""
        edit = insert_beside(subject.doc, ("jobs",), ["permissions:", "  contents: read"], before=True)
        yield Hit(f"no permissions block: job(s) {', '.join(bare)} get the repository's default GITHUB_TOKEN scope{also}",
                  fix=make_fix("add `permissions: contents: read` for the workflow (jobs that need more must ask for it)",
                               edit, "unsafe"))


def _permission_owners(workflow: Mapping[str, Any]) -> list[tuple[Pointer, Mapping[str, Any]]]:
    """The workflow (when some job inherits its permissions) and every job: where a grant takes effect."""
    owners: list[tuple[Pointer, Mapping[str, Any]]] = []
    if not workflow["jobs"] or any(not j["has_permissions"] for j in workflow["jobs"]):
        owners.append(((), workflow))
    owners.extend((("jobs", job["id"]), job) for job in workflow["jobs"])
    return owners


def permissions_write_all(subject: Subject[Workflow], options: dict[str, Any]) -> Iterator[Hit]:
    workflow = subject.data
    owners = _permission_owners(workflow)
    for pointer, owner in owners:
        if owner.get("permissions") == "write-all":
            yield Hit("permissions: write-all gives the token every write scope", at=pointer + ("permissions",))


def workflow_write_scopes(subject: Subject[Workflow], options: dict[str, Any]) -> Iterator[Hit]:
    workflow = subject.data
    permissions = workflow.get("permissions")
    if workflow["is_action"] or not isinstance(permissions, dict):
        return
    inheriting = [j["id"] for j in workflow["jobs"] if not j["has_permissions"]]
    if len(workflow["jobs"]) < 2 or not inheriting:
        return
    for scope, level in permissions.items():
        if level == "write":
            yield Hit(f"'{scope}: write' is granted to every job ({', '.join(inheriting)}); grant it on the job that needs it",
                      at=("permissions", scope))


_PR_HEAD = (
    "github.event.pull_request.head.sha", "github.event.pull_request.head.ref", "github.head_ref",
    "github.event.workflow_run.head_sha", "github.event.workflow_run.head_branch",
    "github.event.pull_request.merge_commit_sha", "github.event.workflow_run.head_commit.id",
)


def untrusted_checkout(subject: Subject[WorkflowStep], options: dict[str, Any]) -> Iterator[Hit]:
    workflow = subject.context["workflow"]
    triggers = set(workflow["triggers"])
    if not triggers & {"pull_request_target", "workflow_run"}:
        return
    step = subject.data
    if _uses_name(step) == "actions/checkout":
        ref = _with_text(step, "ref")
        repo = _with_text(step, "repository")
        if any(r.path in _PR_HEAD or r.path.startswith("github.event.pull_request.head.repo") for r in _references(ref + repo)) \
                or "refs/pull/" in ref:
            yield Hit("a privileged trigger (pull_request_target/workflow_run) checks out the pull request's code: "
                      "its build scripts run with the base repository's secrets and token", at=("with", "ref" if ref else "repository"))
    for command in _commands(step):
        args = _args(command)
        if command["name"] == "gh" and args[:2] == ["pr", "checkout"] or (
            command["name"] == "git" and "fetch" in args and any("pull/" in a for a in args)
        ):
            yield _line_hit("a privileged trigger fetches and checks out the pull request's code", command["file_line"], command["file_column"])


def secrets_inherit(subject: Subject[WorkflowJob], options: dict[str, Any]) -> Iterator[Hit]:
    if subject.data.get("uses") and subject.data.get("secrets") == "inherit":
        yield Hit(f"job '{subject.data['id']}' passes every repository secret to the called workflow; name the ones it needs",
                  at=("secrets",))


_UPLOADS = ("actions/upload-artifact", "actions/upload-pages-artifact")


def checkout_persists_credentials(subject: Subject[WorkflowJob], options: dict[str, Any]) -> Iterator[Hit]:
    job = subject.data
    workflow = subject.context["workflow"]
    uploads = any(_uses_name(s) in _UPLOADS for s in _steps_of(job))
    untrusted = bool(set(workflow["triggers"]) & {"pull_request_target", "workflow_run"})
    if not uploads and not untrusted and not options.get("everywhere"):
        return
    why = "the workspace is uploaded as an artifact" if uploads else "the job runs on a privileged trigger" \
        if untrusted else "every later step (each action, each dependency's script) can read it"
    for step in _steps_of(job):
        persist = str(step["with"].get("persist-credentials", "true")).strip().lower()
        computed = not step["with"] and subject.pointer + ("steps", *step["at"], "with") in subject.doc.locations
        if _uses_name(step) == "actions/checkout" and persist != "false" and "${{" not in persist and not computed:
            yield Hit(f"actions/checkout leaves the token in .git/config and {why}; set persist-credentials: false",
                      at=("steps", *step["at"], "uses"), fix=_persist_credentials_fix(subject, step))


_USES_GIT_CREDENTIALS = re.compile(r"\bgit\s+(?:push|fetch|pull|tag|ls-remote|submodule)\b|\bgh\s")


def _persist_credentials_fix(subject: Subject[WorkflowJob], step: WorkflowStep) -> Fix:
    """`persist-credentials: false` on the checkout step: safe unless a later `run:` of the job talks to the
    remote with git or uses an action that commits, tags or opens pull requests (they
    rely on the stored token): then unsafe."""
    edit = set_entry(subject.doc, subject.pointer + ("steps", *step["at"]), ["with", "persist-credentials"], "false")
    if not edit:
        return make_fix("", edit)
    later = [s for s in _steps_of(subject.data) if s["index"] > step["index"]]
    remote = any(_USES_GIT_CREDENTIALS.search(str(s.get("run") or ""))
                 or any(word in _uses_name(s) for word in ("commit", "push", "pull-request", "tag", "release"))
                 for s in later)
    return make_fix("set persist-credentials: false on actions/checkout", edit, "unsafe" if remote else "safe")


_CLOUD_KEYS = {
    "aws-access-key-id": "AWS access key", "aws-secret-access-key": "AWS secret key",
    "creds": "Azure service principal secret", "credentials_json": "GCP service account key",
}


def long_lived_cloud_keys(subject: Subject[WorkflowStep], options: dict[str, Any]) -> Iterator[Hit]:
    step = subject.data
    for key, value in (step.get("with") or {}).items():
        label = _CLOUD_KEYS.get(str(key))
        if label and any(r.context == "secrets" for r in _references(str(value))):
            if key == "aws-secret-access-key":
                continue
            yield Hit(f"a long-lived {label} from secrets: use OIDC (id-token: write) with a role to assume instead",
                      at=("with", key))


# ---------------------------------------------------------------- no-baked-secrets

def _secret_matches(value: str, key: str | None) -> list[Any]:
    """Literal credentials in a value (expressions blanked: `${{ secrets.X }}` is a reference, not a secret)."""
    from readycheck.secrets import scan_text, scan_value

    if "${{" in value:
        value = "".join(_strip_expressions(value))
    if not value.strip():
        return []
    found = scan_value(value, key=key, context="workflow") if key is not None else scan_text(value, context="shell")
    return [m for m in found if m.confidence != "low"]


def _strip_expressions(value: str) -> Iterable[str]:
    pos = 0
    for expression in find_expressions(value):
        yield value[pos:expression.start]
        yield " "
        pos = expression.end
    yield value[pos:]


def _redacted(value: str) -> str:
    from readycheck.secrets import redact

    return str(redact(value))


def _value_places(workflow: Mapping[str, Any]) -> Iterator[tuple[Pointer, str, dict[str, Any]]]:
    """Every `env:` and `with:` mapping of a workflow or action, with its pointer and a label."""
    yield ("env",), "env", workflow.get("env") or {}
    for job in workflow.get("jobs") or []:
        base: Pointer = ("jobs", job["id"])
        yield base + ("env",), "env", job.get("env") or {}
        yield base + ("with",), "with", job.get("with") or {}
        for step in _steps_of(job):
            yield base + ("steps", *step["at"], "env"), "env", step.get("env") or {}
            yield base + ("steps", *step["at"], "with"), "with", step.get("with") or {}
    for step in workflow.get("steps") or []:
        yield ("runs", "steps", *step["at"], "env"), "env", step.get("env") or {}
        yield ("runs", "steps", *step["at"], "with"), "with", step.get("with") or {}


def literal_secret(subject: Subject[Workflow], options: dict[str, Any]) -> Iterator[Hit]:
    workflow = subject.data
    for pointer, label, mapping in _value_places(workflow):
        for key, value in mapping.items():
            if not isinstance(value, str):
                continue
            for match in _secret_matches(value, str(key)):
                line = subject.doc.span_of(pointer + (key,)) or Span(1)
                yield Hit(f"{match.description} in {label}.{key} ({_redacted(match.value)})", span=line,
                          key=f"{'/'.join(map(str, pointer))}/{key}")
                break
    for step in _steps_everywhere(subject):
        for command in _commands(step):
            for match in _secret_matches(command["text"], None):
                yield _line_hit(f"{match.description} written into a run: script ({_redacted(match.value)})",
                                command["file_line"], command["file_column"])
                break


def _secret_env_names(subject: Subject) -> set[str]:
    names: set[str] = set()
    scopes = [subject.data.get("env") or {}]
    job = subject.context.get("job")
    if job:
        scopes.append(job.get("env") or {})
    workflow = subject.context.get("workflow") or {}
    scopes.append(workflow.get("env") or {})
    for scope in scopes:
        for key, value in scope.items():
            if isinstance(value, str) and any(r.context == "secrets" for r in _references(value)):
                names.add(str(key))
    return names


_SINKS = ("$GITHUB_OUTPUT", "${GITHUB_OUTPUT}", "$GITHUB_ENV", "${GITHUB_ENV}")


def secret_exposed(subject: Subject[WorkflowStep], options: dict[str, Any]) -> Iterator[Hit]:
    names = _secret_env_names(subject)
    for command in _commands(subject.data):
        if command["name"] not in ("echo", "printf", "cat", "tee") or command["nested"]:
            continue
        text = command["text"]
        if "::add-mask::" in text:
            continue
        via_expression = any(r.context == "secrets" for r in _references(text))
        via_env = any(re.search(r"\$\{?" + re.escape(n) + r"\b", text) for n in names)
        if not via_expression and not via_env:
            continue
        targets = [t for op, t in command["redirects"] if op in (">", ">>")]
        if any(t in _SINKS for t in targets):
            where = "into $GITHUB_OUTPUT/$GITHUB_ENV, where later steps and logs can read it"
        elif targets:
            where = f"into the file {targets[0]}, which later steps or artifacts can read"
        elif command["pipeline_length"] > 1 and command["position"] < command["pipeline_length"] - 1:
            continue
        else:
            where = "to the job log"
        yield _line_hit(f"a secret is written {where}", command["file_line"], command["file_column"])


def unsecure_commands(subject: Subject[Workflow], options: dict[str, Any]) -> Iterator[Hit]:
    for pointer, label, mapping in _value_places(subject.data):
        for key, value in mapping.items():
            if label == "env" and str(key) == "ACTIONS_ALLOW_UNSECURE_COMMANDS" and str(value).lower() in ("true", "1"):
                yield Hit("ACTIONS_ALLOW_UNSECURE_COMMANDS re-enables set-env and add-path: any text printed to "
                          "the log can set variables and PATH", span=subject.doc.span_of(pointer + (key,)))


def docker_login_password(subject: Subject[WorkflowStep], options: dict[str, Any]) -> Iterator[Hit]:
    for command in _commands(subject.data):
        args = _args(command)
        if command["name"] not in ("docker", "podman", "buildah", "helm") or "login" not in args:
            continue
        for i, arg in enumerate(args):
            value = None
            if arg in ("-p", "--password") and i + 1 < len(args):
                value = args[i + 1]
            elif arg.startswith("--password="):
                value = arg.split("=", 1)[1]
            if value is not None and not value.startswith("$"):
                yield _line_hit(f"{command['name']} login is given a literal password on the command line "
                                "(use --password-stdin with a secret)", command["file_line"], command["file_column"])


# ---------------------------------------------------------------- supply-chain

_OUTPUT_SINKS = ("$GITHUB_OUTPUT", "${GITHUB_OUTPUT}")
_ENV_SINKS = ("$GITHUB_ENV", "${GITHUB_ENV}", "$GITHUB_PATH", "${GITHUB_PATH}")
# actions whose outputs are names or text from the pull request (file names are chosen by its author)
_UNTRUSTED_OUTPUT_ACTIONS = ("tj-actions/changed-files", "step-security/changed-files", "dorny/paths-filter",
                             "jitterbit/get-changed-files", "ana06/get-changed-files", "trilom/file-changes-action",
                             "tj-actions/branch-names", "tj-actions/verify-changed-files")


class _Taint:
    """Where a context path in a job gets its value, followed to attacker-chosen text.

    Event fields anyone can write (an issue title, a branch name) are untrusted directly; `env.X`,
    `steps.ID.outputs.X`, `needs.JOB.outputs.X` and `matrix.X` are untrusted when what sets them
    is. `inputs.X` of a composite action or a reusable workflow is chosen by the caller.
    Answers are (reason, severity) or None.
    """

    def __init__(self, subject: Subject) -> None:
        self.workflow = subject.context.get("workflow") or subject.data
        self.job = subject.context.get("job")
        self.step = subject.data
        self.depth = 0

    def of_value(self, value: Any, job: Mapping[str, Any] | None = None,
                 step: Mapping[str, Any] | None = None) -> _Source | None:
        """Whether a string (or a list or mapping of them) with `${{ }}` carries untrusted text."""
        if isinstance(value, dict):
            value = list(value.values())
        if isinstance(value, list):
            return next((t for t in (self.of_value(v, job, step) for v in value) if t), None)
        if not isinstance(value, str) or "${{" not in value:
            return None
        for expression in find_expressions(value):
            if expression.error:
                continue
            for path in value_paths(expression.inner):
                taint = self.of_path(path, job, step)
                if taint:
                    return taint
        return None

    def of_path(self, path: str, job: Mapping[str, Any] | None = None,
                step: Mapping[str, Any] | None = None) -> _Source | None:
        job = self.job if job is None else job
        step = self.step if step is None else step
        if untrusted_path(path):
            return _Source(path, "anyone who can open an issue or a pull request chooses it", (), "error")
        if self.depth > 4:
            return None
        self.depth += 1
        try:
            return self._derived(path, job, step)
        finally:
            self.depth -= 1

    def _derived(self, path: str, job: Mapping[str, Any] | None, step: Mapping[str, Any]) -> _Source | None:
        parts = path.split(".")
        context = parts[0].lower()
        if context == "env" and len(parts) > 1:
            for scope in (step.get("env"), (job or {}).get("env"), self.workflow.get("env")):
                found = _lookup(scope, parts[1])
                if found is not _MISSING:
                    return _via(self.of_value(found, job, step), f"env.{parts[1]}")
            return None
        if context == "steps" and len(parts) > 3 and parts[2].lower() == "outputs":
            steps = (job or {}).get("steps") if job else self.workflow.get("steps")
            producer = next((s for s in steps or [] if str(s.get("id") or "").lower() == parts[1].lower()), None)
            return _via(self._step_output(producer, job) if producer else None, f"steps.{parts[1]}.outputs.{parts[3]}")
        if context == "needs" and len(parts) > 3 and parts[2].lower() == "outputs":
            other = next((j for j in self.workflow.get("jobs") or [] if j["id"].lower() == parts[1].lower()), None)
            if other is None:
                return None
            return _via(self.of_value(_lookup(other.get("outputs"), parts[3]), other, {}),
                        f"needs.{parts[1]}.outputs.{parts[3]}")
        if context == "matrix" and len(parts) > 1 and job:
            return _via(self.of_value(_matrix_values(job.get("strategy"), parts[1]), job, {}), f"matrix.{parts[1]}")
        if context == "inputs" and len(parts) > 1:
            return self._input(parts[1])
        return None

    def _step_output(self, producer: Mapping[str, Any], job: Mapping[str, Any] | None) -> _Source | None:
        name = _uses_name(producer)
        if any(name == a or name.startswith(a + "/") for a in _UNTRUSTED_OUTPUT_ACTIONS):
            return _Source(f"the file or branch names of {name}", "the pull request's author chooses them", (), "error")
        for command in _commands(producer):
            if not any(t in _OUTPUT_SINKS for op, t in command["redirects"] if op in (">", ">>")):
                continue
            taint = self.of_value(command["text"], job, producer) or self._shell_variables(command["text"], job, producer)
            if taint:
                return taint
        return None

    def _shell_variables(self, text: str, job: Mapping[str, Any] | None,
                         step: Mapping[str, Any]) -> _Source | None:
        """`$NAME` in a command, where NAME is an `env:` entry set from untrusted text."""
        for name in re.findall(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)", text):
            taint = self._derived(f"env.{name}", job, step)
            if taint:
                return taint
        return None

    def _input(self, name: str) -> _Source | None:
        if self.workflow.get("is_action"):
            return _Source(f"inputs.{name}", "the action's callers choose it and may pass an issue title or a branch "
                           "name", (), "note")
        call = self.workflow.get("triggers", {}).get("workflow_call")
        if "workflow_call" not in self.workflow.get("triggers", {}):
            return None
        declared = _lookup((call or {}).get("inputs") if isinstance(call, dict) else None, name)
        kind = declared.get("type") if isinstance(declared, dict) else None
        if kind in ("boolean", "number", "choice"):
            return None
        return _Source(f"inputs.{name}", "the calling workflows choose it and may pass an issue title or a branch name",
                       (), "note")


_MISSING = object()


def _lookup(mapping: Any, key: str) -> Any:
    """A mapping's value for a key, case-insensitively (as GitHub's contexts), or _MISSING."""
    if not isinstance(mapping, dict):
        return _MISSING
    for k, v in mapping.items():
        if str(k).lower() == key.lower():
            return v
    return _MISSING


def _matrix_values(strategy: Any, key: str) -> list[Any]:
    """Every value `matrix.<key>` can take: the axis, the `include:` entries, or a computed matrix."""
    matrix = strategy.get("matrix") if isinstance(strategy, dict) else None
    if isinstance(matrix, str):
        return [matrix]
    if not isinstance(matrix, dict):
        return []
    values: list[Any] = []
    axis = _lookup(matrix, key)
    if axis is not _MISSING:
        values.extend(axis if isinstance(axis, list) else [axis])
    include = matrix.get("include")
    if isinstance(include, str):
        values.append(include)
    for entry in include if isinstance(include, list) else []:
        found = _lookup(entry, key)
        if found is not _MISSING:
            values.append(found)
        elif isinstance(entry, str):
            values.append(entry)
    return values


class _Source(NamedTuple):
    """Untrusted text: where it comes from, who chooses it, the hops it took, the severity it earns."""

    source: str
    who: str
    hops: tuple[str, ...]
    severity: str


def _via(taint: _Source | None, hop: str) -> _Source | None:
    """A taint that reached a path through `hop` (an env entry, a step's outputs, the matrix)."""
    return taint._replace(hops=(hop, *taint.hops)) if taint else None


def _code_sinks(step: Mapping[str, Any], options: dict[str, Any]) -> tuple[str, set[str]]:
    """The action's name and the `with:` inputs it runs as code (github-script's `script`, ...)."""
    name = _uses_name(step)
    if not name:
        return "", set()
    table = {**{str(k).lower(): v for k, v in (options.get("code_inputs") or {}).items()},
             **{str(k).lower(): v for k, v in (options.get("extra_code_inputs") or {}).items()}}
    base = "/".join(name.split("/")[:2])
    inputs = table.get(name, table.get(base, []))
    return name, {str(i).lower() for i in (inputs if isinstance(inputs, list) else [inputs])}


def script_injection(subject: Subject[WorkflowStep], options: dict[str, Any]) -> Iterator[Hit]:
    step = subject.data
    action, code_inputs = _code_sinks(step, options)
    taint = _Taint(subject)
    for expression in step.get("expressions") or []:
        if expression["error"]:
            continue
        if expression["field"] == "run":
            where = "run: script"
        elif expression["field"] == "with" and len(expression["pointer"]) > 1 and \
                str(expression["pointer"][-1]).lower() in code_inputs:
            where = f"{action} input '{expression['pointer'][-1]}', which it runs as code"
        else:
            continue
        inner = expression["text"][3:-2].strip()
        for path in dict.fromkeys(value_paths(inner)):
            found = taint.of_path(path)
            if found:
                carries = "" if found.source == path else f" and carries {found.source}"
                if found.hops[1:]:
                    carries += f" (through {' and '.join(found.hops[1:])})"
                severity = found.severity
                yield Hit(f"'{path}' is expanded into the {where}{carries}: {found.who}, so it can run code here; "
                          "pass it through env: and use the variable",
                          span=Span(expression["line"], expression["column"]), key=path,
                          severity=None if severity == "error" else severity,
                          fix=_injection_fix(subject, expression))


_PLAIN_CONTEXT = re.compile(r"\$\{\{\s*([A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z_][A-Za-z0-9_-]*)+)\s*\}\}")


def _shell_quoting(text: str) -> str | None:
    """Whether the end of `text` (shell code) is inside double quotes ('"'), outside quotes (''), or inside
    single quotes (None: nothing can be expanded there)."""
    state = ""
    escaped = False
    for char in text:
        if escaped:
            escaped = False
        elif char == "\\" and state != "'":
            escaped = True
        elif char == '"' and state in ("", '"'):
            state = "" if state else '"'
        elif char == "'" and state in ("", "'"):
            state = "" if state else "'"
    return None if state == "'" else state


def _injection_fix(subject: Subject[WorkflowStep], expression: Mapping[str, Any]) -> Fix:
    """The standard fix: the expression moves into the step's `env:` under a name of its own, and the script
    reads the variable, quoted. Unsafe: a value the script meant to split into words is now one word."""
    step = subject.data
    if expression["field"] != "run":
        return Fix.refused("the expression is in an action input run as code, not in a shell script")
    job = subject.context.get("job") or {}
    shell = str(step.get("shell") or "")
    if shell not in ("", "bash", "sh") or (not shell and "windows" in str(job.get("runs-on") or "").lower()):
        return Fix.refused("the step's shell is not bash or sh: `$VAR` would not read the variable")
    match = _PLAIN_CONTEXT.fullmatch(expression["text"])
    if match is None:
        return Fix.refused("the expression is more than one context value: it is not moved automatically")
    already = match[1].startswith("env.") and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", match[1][4:]) is not None
    name = match[1][4:] if already else re.sub(r"[^A-Za-z0-9]", "_", match[1]).upper()  # `env.X` is $X already
    env = {} if already else step.get("env") or {}
    if name in env and str(env[name]).strip() != expression["text"]:
        return Fix.refused(f"the step's env already sets {name} to something else")
    lines = subject.doc.lines
    run = subject.doc.locations.get(subject.pointer + ("run",))
    line, column = expression["line"], expression["column"]
    if run is None or not run.line <= line <= len(lines):
        return Fix.refused("the script's place in the file is not known")
    key_line = lines[run.line - 1]
    value_start = key_line.find(":", run.column - 1) + 1
    head = key_line[value_start:].strip()
    if head[:1] in ('"', "'") or (line == run.line and key_line[value_start:column - 1].strip() == ""):
        return Fix.refused("the script is a quoted YAML scalar, or starts with the expression")
    if head[:1] in ("|", ">"):
        code = "\n".join(lines[run.line: line - 1] + [lines[line - 1][: column - 1]])
    elif line == run.line:
        code = key_line[value_start: column - 1]
    else:
        code = "\n".join([key_line[value_start:], *lines[run.line: line - 1], lines[line - 1][: column - 1]])
    quoting = _shell_quoting(code)
    if quoting is None:
        return Fix.refused("the expression is inside single quotes in the script")
    written = lines[line - 1][column - 1: column - 1 + len(expression["text"])]
    if written != expression["text"]:
        return Fix.refused("the expression is not written where it was located")
    replacement = f"${{{name}}}" if quoting == '"' else f'"${{{name}}}"'
    edits: list[Edit | Refusal] = [Edit(line, column, line, column + len(written), written, replacement)]
    if name not in env and not already:
        edits.append(set_entry(subject.doc, subject.pointer, ["env", name], expression["text"]))
    if any(isinstance(e, Refusal) for e in edits):
        return make_fix("", next(e for e in edits if isinstance(e, Refusal)))
    description = f"read ${name} instead of {match[1]}" if already else f"move {match[1]} into the step's env as {name}"
    return Fix(description, tuple(e for e in edits if isinstance(e, Edit)), "unsafe")


def curl_pipe_shell(subject: Subject[WorkflowStep], options: dict[str, Any]) -> Iterator[Hit]:
    commands = _commands(subject.data)
    for index, command in enumerate(commands):
        verdict = piped_into_shell(commands, index)
        if verdict is not None:
            where = commands[verdict.source] if verdict.source is not None else command
            yield _line_hit(verdict.message, where["file_line"], where["file_column"])


_SCANNERS = ("aquasecurity/trivy-action", "anchore/scan-action", "snyk/actions", "docker/scout-action",
             "crazy-max/ghaction-container-scan", "aquasecurity/setup-trivy", "sysdiglabs/scan-action",
             "lacework/lw-scanner-action", "azure/container-scan", "neuvector/scan-action")
_SCAN_COMMANDS = {"trivy", "grype", "snyk", "clair-scanner", "docker-scout"}
_ATTESTERS = ("actions/attest-build-provenance", "actions/attest-sbom", "actions/attest", "sigstore/cosign-installer",
              "anchore/sbom-action", "slsa-framework/slsa-github-generator", "philips-labs/slsa-provenance-action")
_ATTEST_COMMANDS = {"cosign", "syft", "notation", "slsa-verifier"}


def _steps_everywhere(subject: Subject) -> list[dict[str, Any]]:
    workflow = subject.data
    steps = list(workflow.get("steps") or [])
    for job in workflow.get("jobs") or []:
        steps.extend(_steps_of(job))
    return steps


def _is_scan(step: dict[str, Any]) -> bool:
    name = _uses_name(step)
    if any(name == s or name.startswith(s + "/") for s in _SCANNERS):
        return True
    for command in _commands(step):
        args = _args(command)
        if command["name"] in _SCAN_COMMANDS or command["name"] == "docker" and args[:1] == ["scout"]:
            return True
    return False


def _is_attestation(step: dict[str, Any]) -> bool:
    name = _uses_name(step)
    if any(name == s or name.startswith(s + "/") for s in _ATTESTERS):
        return True
    with_ = step.get("with") or {}
    if name == "docker/build-push-action" and (
        str(with_.get("sbom", "")).lower() == "true" or str(with_.get("provenance", "")).lower() not in ("", "false")
    ):
        return True
    return any(c["name"] in _ATTEST_COMMANDS for c in _commands(step))


def _push_steps(subject: Subject[Workflow]) -> list[tuple[Pointer, WorkflowStep]]:
    workflow = subject.data
    found: list[tuple[Pointer, WorkflowStep]] = []
    for job in workflow.get("jobs") or []:
        for step in _steps_of(job):
            if step["pushes"]:
                found.append((("jobs", job["id"], "steps", *step["at"]), step))
    for step in workflow.get("steps") or []:
        if step["pushes"]:
            found.append((("runs", "steps", *step["at"]), step))
    return found


def _push_hit(subject: Subject, pointer: Pointer, step: Mapping[str, Any], message: str) -> Hit:
    at = pointer + (("uses",) if step.get("uses") else ("run",))
    return Hit(message, span=subject.doc.span_of(at))


def push_without_scan(subject: Subject[Workflow], options: dict[str, Any]) -> Iterator[Hit]:
    pushes = _push_steps(subject)
    if pushes and not any(_is_scan(s) for s in _steps_everywhere(subject)):
        pointer, step = pushes[0]
        yield _push_hit(subject, pointer, step, "an image is pushed but no step scans it for vulnerabilities "
                                                "(Trivy, Grype, Snyk, Docker Scout)")


def push_without_attestation(subject: Subject[Workflow], options: dict[str, Any]) -> Iterator[Hit]:
    pushes = _push_steps(subject)
    if pushes and not any(_is_attestation(s) for s in _steps_everywhere(subject)):
        pointer, step = pushes[0]
        yield _push_hit(subject, pointer, step, "an image is pushed with no SBOM, provenance attestation or signature")


MUTABLE_TAGS = {"latest", "main", "master", "edge", "dev", "develop", "nightly", "stable", "staging", "production",
                "prod", "test", "beta", "canary", "next"}


def _is_mutable(reference: str) -> bool:
    if "@sha256:" in reference or "${{" in reference or "$" in reference:
        return False
    tag = parse_image(reference).tag or FLOATING_TAG
    return tag.lower() in MUTABLE_TAGS


def mutable_tags_only(subject: Subject[WorkflowStep], options: dict[str, Any]) -> Iterator[Hit]:
    pushed = subject.data["pushes"]
    known = [p for p in pushed if p != "?"]
    if known and len(known) == len(pushed) and all(_is_mutable(p) for p in known):
        at: Pointer = ("with", "tags") if subject.data.get("uses") else ("run",)
        line = None
        if not subject.data.get("uses"):
            line = next((c["file_line"] for c in _commands(subject.data)
                         if (c["argv"][1:2] == ["push"] or "--push" in c["argv"]) and any(p in c["argv"] for p in known)),
                        None)
        hit = Hit(f"only mutable tags are pushed ({', '.join(known)}): a deploy cannot name what it runs; "
                  "add an immutable tag such as the commit SHA or a version", at=at)
        if line is not None:
            hit.span, hit.at = Span(line), None
        yield hit


def tls_verification_disabled(subject: Subject[WorkflowStep], options: dict[str, Any]) -> Iterator[Hit]:
    for command in _commands(subject.data):
        verdict = tls_off(command)
        if verdict is not None:
            yield _line_hit(verdict.message, command["file_line"], command["file_column"])


# ---------------------------------------------------------------- delivery: deploy jobs

def job_timeout_missing(subject: Subject[WorkflowJob], options: dict[str, Any]) -> Iterator[Hit]:
    job = subject.data
    if job.get("uses") or job.get("timeout-minutes") is not None:
        return
    minutes = options.get("fix_timeout_minutes")
    fix = None
    if isinstance(minutes, int) and not isinstance(minutes, bool) and minutes > 0:
        entry = [f"timeout-minutes: {minutes}"]
        edit = (insert_beside(subject.doc, subject.pointer + ("runs-on",), entry) if "runs-on" in job and job["runs-on"]
                else None) or insert_entry(subject.doc, subject.pointer, entry)
        fix = make_fix(f"add timeout-minutes: {minutes} (the rule's fix_timeout_minutes option)", edit, "unsafe")
    if job["is_deploy"]:
        yield Hit(f"deploy job '{job['id']}' has no timeout-minutes: a hung deploy holds the runner and the "
                  "deploy lock for 6 hours", severity="warning", fix=fix)
    else:
        yield Hit(f"job '{job['id']}' has no timeout-minutes: a hung step runs for the 6-hour default", severity="note",
                  fix=fix)


def deploy_without_environment(subject: Subject[WorkflowJob], options: dict[str, Any]) -> Iterator[Hit]:
    job = subject.data
    if job.get("environment") or job["passes_environment"] or not job["is_deploy"]:
        return
    yield Hit(f"deploy job '{job['id']}' has no environment: no protection rules, reviewers or environment secrets gate it")


_GATE_NAME = re.compile(r"(^|[-_ ])(test|tests|build|ci|check|checks|lint|verify|unit|e2e|integration)($|[-_ ])", re.I)
_TEST_TOOLS = {"pytest", "jest", "vitest", "mocha", "rspec", "phpunit", "ctest", "tox", "nox"}


def is_test_command(command: dict[str, Any]) -> bool:
    name, args = command["name"], _args(command)
    words = [a for a in args if not a.startswith("-")]
    if name in _TEST_TOOLS:
        return True
    if name in ("go", "cargo", "mix", "bun", "deno", "dotnet", "gradle", "./gradlew", "gradlew", "mvn", "./mvnw",
                "swift", "zig", "flutter", "dart") and words[:1] in (["test"], ["verify"], ["check"]):
        return True
    if name in ("npm", "yarn", "pnpm") and (words[:1] == ["test"] or words[:2] in (["run", "test"],) or words[:1] == ["t"]):
        return True
    return name == "make" and any(w in ("test", "check") for w in words)


def _is_gate_job(job: dict[str, Any]) -> bool:
    if _GATE_NAME.search(job["id"]) or (job.get("name") and _GATE_NAME.search(str(job["name"]))):
        return True
    for step in _steps_of(job):
        if any(is_test_command(c) for c in _commands(step)):
            return True
        if _uses_name(step) == "docker/build-push-action":
            return True
    return False


def deploy_without_gate(subject: Subject[WorkflowJob], options: dict[str, Any]) -> Iterator[Hit]:
    job = subject.data
    if not job["is_deploy"]:
        return
    jobs = {j["id"]: j for j in _all_jobs(subject)}
    seen: set[str] = set()
    pending = list(job.get("needs") or [])
    while pending:
        name = pending.pop()
        if name in seen or name not in jobs:
            continue
        seen.add(name)
        if _is_gate_job(jobs[name]):
            return
        pending.extend(jobs[name].get("needs") or [])
    if any(any(is_test_command(c) for c in _commands(s)) for s in _steps_of(job)):
        return
    yield Hit(f"deploy job '{job['id']}' does not need a test or build job: it can ship a commit nothing has checked")


def deploy_without_concurrency(subject: Subject[WorkflowJob], options: dict[str, Any]) -> Iterator[Hit]:
    job = subject.data
    workflow = subject.context["workflow"]
    if job.get("concurrency") or workflow.get("concurrency") or not job["is_deploy"]:
        return
    yield Hit(f"deploy job '{job['id']}' has no concurrency group: two runs can deploy at once and finish out of order")


_PR_EVENTS = {"pull_request", "pull_request_target"}


def deploy_on_pull_request(subject: Subject[WorkflowJob], options: dict[str, Any]) -> Iterator[Hit]:
    job = subject.data
    workflow = subject.context["workflow"]
    if not set(workflow["triggers"]) & _PR_EVENTS or not job["is_deploy"]:
        return
    condition = str(job.get("if") or "")
    if any(k in condition for k in ("github.ref", "github.event_name", "github.base_ref", "github.ref_name")):
        return
    environment = (job.get("environment") or {}).get("name")
    if environment and "${{" in str(environment):
        return
    yield Hit(f"deploy job '{job['id']}' runs on pull_request events: a pull request deploys to the environment",
              severity="error")


_VERIFY_WORDS = re.compile(r"smoke|verify|health|sanity|probe|check|e2e", re.I)


def _verifies(step: Mapping[str, Any]) -> bool:
    if step.get("name") and _VERIFY_WORDS.search(str(step["name"])):
        return True
    for command in _commands(step):
        args = _args(command)
        if command["name"] in ("curl", "wget", "hurl", "k6", "newman"):
            return True
        if command["name"] == "kubectl" and args[:2] == ["rollout", "status"]:
            return True
        if command["name"] == "helm" and (args[:1] == ["test"] or "--wait" in args or "--atomic" in args):
            return True
        if command["name"] == "aws" and "wait" in args or command["name"] == "argocd" and "wait" in args:
            return True
        if command["name"] in ("flyctl", "fly") and args[:1] == ["deploy"] and "--detach" not in args:
            return True
    return False


def deploy_without_verification(subject: Subject[WorkflowJob], options: dict[str, Any]) -> Iterator[Hit]:
    job = subject.data
    steps = _steps_of(job)
    deploys = [s["index"] for s in steps if s["deploys"]]
    if not deploys or job.get("uses"):
        return
    if any(_verifies(s) for s in steps if s["index"] >= deploys[0]):
        return
    yield Hit(f"deploy job '{job['id']}' never checks the deployment (smoke test, rollout status, health URL)")


def _rolls_back(step: Mapping[str, Any]) -> bool:
    if "failure()" in str(step.get("if") or ""):
        return True
    if step.get("name") and re.search(r"roll ?back|revert|undo", str(step["name"]), re.I):
        return True
    for command in _commands(step):
        args = _args(command)
        if command["name"] == "helm" and ("--atomic" in args or args[:1] == ["rollback"]):
            return True
        if command["name"] == "kubectl" and args[:2] == ["rollout", "undo"]:
            return True
        if command["name"] in ("flyctl", "fly") and args[:1] == ["deploy"] and "--strategy" in args:
            return True
        if "rollback" in command["text"].lower():
            return True
    name = _uses_name(step)
    return name == "aws-actions/amazon-ecs-deploy-task-definition" and "rollback" in str(step.get("with")).lower()


def deploy_without_rollback(subject: Subject[WorkflowJob], options: dict[str, Any]) -> Iterator[Hit]:
    job = subject.data
    steps = _steps_of(job)
    if job.get("uses") or not any(s["deploys"] for s in steps):
        return
    if any(_rolls_back(s) for s in steps):
        return
    yield Hit(f"deploy job '{job['id']}' has no rollback path (helm --atomic, rollout undo, an if: failure() step)")


def helm_without_wait(subject: Subject[WorkflowStep], options: dict[str, Any]) -> Iterator[Hit]:
    for command in _commands(subject.data):
        args = _args(command)
        if command["name"] != "helm" or not args or args[0] not in ("upgrade", "install"):
            continue
        missing = []
        if not any(a in ("--wait", "--atomic", "--rollback-on-failure") or a.startswith(("--wait=", "--atomic="))
                   for a in args):
            missing.append("--wait or --atomic")
        if not any(a == "--timeout" or a.startswith("--timeout=") for a in args):
            missing.append("--timeout")
        if missing:
            yield _line_hit(f"helm {args[0]} without {' and '.join(missing)}: the job reports success before the "
                            "release is ready", command["file_line"], command["file_column"])


_TEST_STEP_NAME = re.compile(r"\btests?\b|\bspecs?\b|unit|integration|e2e", re.I)


def _is_test_step(step: Mapping[str, Any]) -> bool:
    if step.get("name") and _TEST_STEP_NAME.search(str(step["name"])):
        return True
    return any(is_test_command(c) for c in _commands(step))


def test_continue_on_error(subject: Subject[WorkflowStep], options: dict[str, Any]) -> Iterator[Hit]:
    step = subject.data
    if step.get("continue-on-error") is True and _is_test_step(step):
        yield Hit("continue-on-error: true on a test step: failing tests never fail the build",
                  at=("continue-on-error",),
                  fix=make_fix("remove continue-on-error from the test step",
                               remove_entry(subject.doc, subject.pointer + ("continue-on-error",)), "unsafe"))


def test_failure_ignored(subject: Subject[WorkflowStep], options: dict[str, Any]) -> Iterator[Hit]:
    commands = _commands(subject.data)
    for index, command in enumerate(commands):
        if not is_test_command(command) or command["operator_after"] != "||":
            continue
        following = next((c for c in commands[index + 1:] if c["pipeline"] != command["pipeline"]), None)
        if following is not None and following["name"] in ("true", ":") or following is not None and \
                following["name"] == "exit" and _args(following)[:1] == ["0"]:
            yield _line_hit(f"'{command['text']} || {following['name']}' hides test failures", command["file_line"], command["file_column"])


# ---------------------------------------------------------------- structure (correctness)

def needs_unknown_job(subject: Subject[WorkflowJob], options: dict[str, Any]) -> Iterator[Hit]:
    job = subject.data
    known = {j["id"] for j in _all_jobs(subject)}
    for index, name in enumerate(job.get("needs") or []):
        if name not in known:
            yield Hit(f"job '{job['id']}' needs '{name}', which is not a job of this workflow",
                      span=subject.doc.span_of(subject.pointer + ("needs", index)), key=name)


def needs_cycle(subject: Subject[WorkflowJob], options: dict[str, Any]) -> Iterator[Hit]:
    job = subject.data
    jobs = {j["id"]: j for j in _all_jobs(subject)}
    path = _cycle_from(job["id"], jobs)
    if path:
        yield Hit(f"job '{job['id']}' is in a needs cycle: {' -> '.join(path)}", at=("needs",))


def _cycle_from(start: str, jobs: dict[str, dict[str, Any]]) -> list[str] | None:
    stack: list[tuple[str, list[str]]] = [(start, [start])]
    seen: set[str] = set()
    while stack:
        name, path = stack.pop()
        for nxt in jobs.get(name, {}).get("needs") or []:
            if nxt == start:
                return [*path, start]
            if nxt not in seen and nxt in jobs:
                seen.add(nxt)
                stack.append((nxt, [*path, nxt]))
    return None


_CRON_RANGES = [(0, 59), (0, 23), (1, 31), (1, 12), (0, 7)]
_CRON_NAMES = [
    {}, {},
    {},
    {m: i + 1 for i, m in enumerate(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"])},
    {d: i for i, d in enumerate(["sun", "mon", "tue", "wed", "thu", "fri", "sat"])},
]


def cron_problem(expression: str) -> str | None:
    """Why a POSIX cron expression (as GitHub accepts it) is invalid, or None."""
    fields = expression.split()
    if len(fields) != 5:
        return f"has {len(fields)} fields, cron needs 5 (minute hour day month weekday)"
    for field, (low, high), names in zip(fields, _CRON_RANGES, _CRON_NAMES, strict=True):
        for part in field.split(","):
            base, _, step = part.partition("/")
            if step and not (step.isdigit() and int(step) > 0):
                return f"step '{step}' in '{field}' is not a positive number"
            if base == "*":
                continue
            ends = base.split("-")
            if len(ends) > 2 or not all(ends):
                return f"'{part}' is not a value or range"
            values = []
            for end in ends:
                value = names.get(end.lower()) if not end.isdigit() else int(end)
                if value is None or not low <= value <= high:
                    return f"'{end}' is out of range {low}-{high} in '{field}'"
                values.append(value)
            if len(values) == 2 and values[0] > values[1]:
                return f"range '{base}' runs backwards"
    return None


def invalid_cron(subject: Subject[Workflow], options: dict[str, Any]) -> Iterator[Hit]:
    schedule = subject.data.get("triggers", {}).get("schedule")
    if not isinstance(schedule, list):
        return
    for index, item in enumerate(schedule):
        cron = item.get("cron") if isinstance(item, dict) else None
        if not isinstance(cron, str):
            continue
        problem = cron_problem(cron)
        if problem:
            yield Hit(f"cron '{cron}' {problem}", at=("on", "schedule", index, "cron"))


def _all_expressions(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every `${{ }}` of a workflow or action: top level, jobs, steps."""
    found = list(data.get("expressions") or [])
    for job in data.get("jobs") or []:
        found.extend(job.get("expressions") or [])
        for step in _steps_of(job):
            found.extend(step.get("expressions") or [])
    for step in data.get("steps") or []:
        found.extend(step.get("expressions") or [])
    return found


def invalid_expression(subject: Subject[Workflow], options: dict[str, Any]) -> Iterator[Hit]:
    for expression in _all_expressions(subject.data):
        if expression["error"]:
            yield _line_hit(f"invalid expression {expression['text'][:60]!r}: {expression['error']}", expression["line"],
                            expression["column"])


def action_image_unpinned(subject: Subject[Workflow], options: dict[str, Any]) -> Iterator[Hit]:
    image = subject.data.get("image")
    what = _image_unpinned(image) if subject.data.get("is_action") else None
    if image and what:
        yield Hit(f"the action's image '{image['image']}' {what}", at=("runs", "image"))


# ---------------------------------------------------------------- triggers, runners, identities

_PRIVILEGED = ("pull_request_target", "workflow_run")
_RISKY_TRIGGERS = {
    "pull_request_target": "runs for pull requests from forks with the base repository's secrets and a token "
                           "that can write",
    "workflow_run": "runs with the repository's secrets and a writable token after a run that a fork's pull "
                    "request may have triggered, and can read that run's artifacts",
    "issue_comment": "runs with the repository's secrets and a writable token for a comment anyone can post, "
                     "on issues and on pull requests from forks",
}


def _trigger_pointer(subject: Subject, name: str) -> Pointer:
    pointer: Pointer = ("on", name)
    return pointer if pointer in subject.doc.locations else ("on",)


def _writes(permissions: Any) -> bool:
    if permissions == "write-all":
        return True
    return isinstance(permissions, dict) and any(str(v) == "write" for v in permissions.values())


def _dangers(workflow: Mapping[str, Any]) -> list[str]:
    """What a privileged trigger hands over in this workflow: secrets, a writable token, pull request code."""
    found = []
    texts = [str(e["text"]) for e in workflow.get("expressions") or []]
    for job in workflow.get("jobs") or []:
        texts.extend(str(e["text"]) for e in job.get("expressions") or [])
        for step in _steps_of(job):
            texts.extend(str(e["text"]) for e in step.get("expressions") or [])
    if any("secrets." in t or "secrets[" in t for t in texts) or any(j.get("secrets") for j in workflow["jobs"]):
        found.append("it reads secrets")
    if not workflow["has_permissions"] and any(not j["has_permissions"] for j in workflow["jobs"]):
        found.append("its token keeps the repository's default scopes")
    elif _writes(workflow.get("permissions")) or any(_writes(j.get("permissions")) for j in workflow["jobs"]):
        found.append("its token can write")
    steps = [s for j in workflow["jobs"] for s in _steps_of(j)]
    if any(_checks_out_pr(s) for s in steps):
        found.append("it checks out the pull request's code")
    if any(_downloads_run_artifact(s) for s in steps):
        found.append("it downloads artifacts of the triggering run")
    return found


def risky_trigger(subject: Subject[Workflow], options: dict[str, Any]) -> Iterator[Hit]:
    workflow = subject.data
    if workflow["is_action"]:
        return
    dangers = _dangers(workflow)
    for name, why in _RISKY_TRIGGERS.items():
        if name not in workflow["triggers"]:
            continue
        if dangers:
            yield Hit(f"{name} {why}; here {', '.join(dangers)}", at=_trigger_pointer(subject, name), key=name)
        else:
            yield Hit(f"{name} {why}; this workflow uses none of that today (no secrets, a read-only token, no "
                      "checkout of the pull request): keep it so, or move the work to pull_request",
                      at=_trigger_pointer(subject, name), key=name, severity="note")


_BOT_COMPARISON = re.compile(
    r"github\s*(?:\.\s*|\[\s*')(actor|triggering_actor|actor_id)'?\s*\]?\s*(==|!=)\s*('[^']*'|\d+)"
    r"|('[^']*'|\d+)\s*(==|!=)\s*github\s*(?:\.\s*|\[\s*')(actor|triggering_actor|actor_id)\b",
    re.I,
)
_BOT_IDS = {"49699333", "29139614", "41898282", "27856297"}  # dependabot, renovate, github-actions, dependabot-preview


def _bot_condition(text: str) -> str | None:
    for match in _BOT_COMPARISON.finditer(text):
        field = (match.group(1) or match.group(6) or "").lower()
        value = (match.group(3) or match.group(4) or "").strip("'").lower()
        if value.endswith("[bot]") or (field == "actor_id" and value in _BOT_IDS):
            return f"github.{field} == {value}" if value.isdigit() else f"github.{field} == '{value}'"
    return None


def spoofable_bot_condition(subject: Subject[Workflow], options: dict[str, Any]) -> Iterator[Hit]:
    workflow = subject.data
    places: list[tuple[Pointer, Any]] = []
    for job in workflow.get("jobs") or []:
        places.append((("jobs", job["id"], "if"), job.get("if")))
        places.extend((("jobs", job["id"], "steps", *s["at"], "if"), s.get("if")) for s in _steps_of(job))
    places.extend((("runs", "steps", *s["at"], "if"), s.get("if")) for s in workflow.get("steps") or [])
    for pointer, condition in places:
        if not isinstance(condition, str):
            continue
        found = _bot_condition(condition)
        if found:
            yield Hit(f"the condition {found} names whoever caused the latest event, not who wrote the change: anyone can make "
                      "a bot act on their pull request (a rebase, a recreate) and pass this check; test "
                      "github.event.pull_request.user.login instead", span=subject.doc.span_of(pointer),
                      key="/".join(map(str, pointer)))


_FORK_PR_TRIGGERS = ("pull_request", "pull_request_target", "pull_request_review", "pull_request_review_comment")
_SAME_REPO_GUARD = re.compile(r"head\.repo\.(full_name|fork)|github\.event_name\s*!=", re.I)


def _runner_labels(job: Mapping[str, Any]) -> list[str]:
    runs_on = job.get("runs-on")
    values: list[Any] = runs_on if isinstance(runs_on, list) else [runs_on]
    if isinstance(runs_on, dict):
        values = list(runs_on.get("labels") or []) if isinstance(runs_on.get("labels"), list) else [runs_on.get("labels")]
        if runs_on.get("group"):
            values.append("self-hosted")  # a runner group is self-hosted (larger runners aside)
    labels: list[str] = []
    for value in values:
        if isinstance(value, str) and "${{" in value:
            for expression in find_expressions(value):
                for path in value_paths(expression.inner):
                    if path.startswith("matrix."):
                        labels.extend(str(v) for v in _matrix_values(job.get("strategy"), path.split(".")[1])
                                      if not isinstance(v, (dict, list)))
        elif value is not None:
            labels.append(str(value))
    return labels


def self_hosted_on_fork_prs(subject: Subject[WorkflowJob], options: dict[str, Any]) -> Iterator[Hit]:
    job = subject.data
    triggers = [t for t in _FORK_PR_TRIGGERS if t in subject.context["workflow"]["triggers"]]
    if not triggers or job.get("uses"):
        return
    if "self-hosted" not in [label.strip().lower() for label in _runner_labels(job)]:
        return
    if _SAME_REPO_GUARD.search(str(job.get("if") or "")):
        return
    yield Hit(f"job '{job['id']}' runs on a self-hosted runner for {triggers[0]} events: a pull request from a fork "
              "runs its code on your machine, which keeps state between jobs and sits inside your network",
              at=("runs-on",))


# ---------------------------------------------------------------- permissions

def permissions_read_all(subject: Subject[Workflow], options: dict[str, Any]) -> Iterator[Hit]:
    workflow = subject.data
    owners = _permission_owners(workflow)
    for pointer, owner in owners:
        if owner.get("permissions") == "read-all":
            who = "the called workflow" if owner.get("uses") else "every step"
            yield Hit(f"permissions: read-all lets {who} read every scope (packages, security events, actions, "
                      "issues...); name the scopes it needs, such as contents: read",
                      at=pointer + ("permissions",))


# ---------------------------------------------------------------- credentials

def container_credentials_literal(subject: Subject[WorkflowJob], options: dict[str, Any]) -> Iterator[Hit]:
    job = subject.data
    places: list[tuple[Pointer, Any]] = [(("container",), job.get("container"))]
    places.extend((("services", name), image) for name, image in (job.get("services") or {}).items())
    for pointer, image in places:
        credentials = (image or {}).get("credentials") or {}
        password = credentials.get("password")
        if isinstance(password, (str, int)) and str(password).strip() and "${{" not in str(password):
            what = "the job container" if pointer == ("container",) else f"service '{pointer[1]}'"
            yield Hit(f"the registry password of {what} is written in the workflow: anyone who can read the "
                      "repository can log in as that account; use ${{ secrets.NAME }}",
                      at=pointer + ("credentials", "password"))


_PUBLISH_ENV = {
    "npm": ("NODE_AUTH_TOKEN", "NPM_TOKEN", "NPM_AUTH_TOKEN", "BUN_AUTH_TOKEN"),
    "PyPI": ("TWINE_PASSWORD", "UV_PUBLISH_TOKEN", "UV_PUBLISH_PASSWORD", "POETRY_PYPI_TOKEN_PYPI", "PYPI_TOKEN",
             "FLIT_PASSWORD", "HATCH_INDEX_AUTH", "PDM_PUBLISH_PASSWORD"),
    "crates.io": ("CARGO_REGISTRY_TOKEN",),
    "RubyGems": ("GEM_HOST_API_KEY",),
    "NuGet": ("NUGET_API_KEY", "NUGET_AUTH_TOKEN"),
}


_RUNNERS = {"pipx": "run", "uvx": "", "npx": "", "bunx": "", "bundle": "exec", "poetry": "run", "uv": "run"}


def publish_target(command: Mapping[str, Any]) -> str | None:
    """The registry a command publishes to (npm, PyPI, crates.io, RubyGems, NuGet), or None."""
    words = [w.lower() for w in command_words(command) if not w.startswith("+")]
    while words:
        head = words[0].rsplit("/", 1)[-1]
        if re.fullmatch(r"python[0-9.]*|py", head) and words[1:2] == ["-m"]:
            words = words[2:]
        elif head in _RUNNERS and (not _RUNNERS[head] or words[1:2] == [_RUNNERS[head]]) and len(words) > 1 and (
                _RUNNERS[head] or not words[1].startswith("-")):
            words = words[2:] if _RUNNERS[head] else words[1:]
        else:
            break
    if not words or "--dry-run" in words:
        return None
    name = words[0].rsplit("/", 1)[-1].split("==")[0].split("@")[0]
    rest = [w for w in words[1:] if not w.startswith("-")]
    first, second = (rest + ["", ""])[:2]
    if name in ("npm", "pnpm", "bun") and first == "publish" or name == "yarn" and (
            (first, second) == ("npm", "publish") or first == "publish"):
        return "npm"
    if name == "twine" and first == "upload" or name in ("uv", "flit", "poetry", "hatch", "pdm") and first == "publish":
        return "PyPI"
    if name == "cargo" and first == "publish" and "-n" not in words:
        return "crates.io"
    if name == "gem" and first == "push":
        return "RubyGems"
    if name in ("nuget", "nuget.exe") and first == "push" or name == "dotnet" and (first, second) == ("nuget", "push"):
        return "NuGet"
    return None


_PUBLISH_ACTIONS = {
    "pypa/gh-action-pypi-publish": ("PyPI", ("password",)),
    "rubygems/configure-rubygems-credentials": ("RubyGems", ("api-token",)),
    "rubygems/release-gem": ("RubyGems", ()),
    "js-devtools/npm-publish": ("npm", ("token",)),
    "katyo/publish-crates": ("crates.io", ("registry-token",)),
}
_TOKEN_FLAGS = ("--token", "--password", "-p", "--api-key", "-k", "--auth-token", "-u")


def _has_id_token(job: Mapping[str, Any], workflow: Mapping[str, Any]) -> bool:
    permissions = job.get("permissions") if job.get("has_permissions") else workflow.get("permissions")
    if permissions == "write-all":
        return True
    return isinstance(permissions, dict) and str(permissions.get("id-token")) == "write"


def _secret_in(value: Any) -> bool:
    return isinstance(value, str) and any(r.context == "secrets" for r in _references(value))


def long_lived_publish_token(subject: Subject[WorkflowStep], options: dict[str, Any]) -> Iterator[Hit]:
    step = subject.data
    job = subject.context.get("job") or {}
    workflow = subject.context["workflow"]
    name = _uses_name(step)
    base = "/".join(name.split("/")[:2])
    if base in _PUBLISH_ACTIONS:
        service, inputs = _PUBLISH_ACTIONS[base]
        given = [i for i in inputs if _with_text(step, i)]
        legacy = base == "rubygems/release-gem" and _with_text(step, "setup-trusted-publisher").lower() == "false"
        repository = _with_text(step, "repository-url") or _with_text(step, "repository_url") or \
            _with_text(step, "gem-server")
        if repository and not re.search(r"(^|[/.])(pypi\.org|rubygems\.org)\b", repository):
            return  # a registry not known to offer trusted publishing
        if given or legacy:
            what = f"'{given[0]}'" if given else "setup-trusted-publisher: false"
            yield Hit(f"{name} publishes to {service} with a long-lived token ({what}); {service} supports trusted "
                      "publishing: grant id-token: write and drop the token", at=("uses",), key=name)
        return
    scopes = [step.get("env") or {}, job.get("env") or {}, workflow.get("env") or {}]
    secret_vars = {str(k) for scope in scopes for k, v in scope.items() if _secret_in(v)}
    for command in _commands(step):
        registry = publish_target(command)
        args = _args(command)
        if registry is None:
            continue
        if registry == "npm" and _private_npm_registry(job):
            continue
        token_vars = sorted(k for k in secret_vars if k in _PUBLISH_ENV[registry])
        flags = [a for a in args if a in _TOKEN_FLAGS or a.startswith(("--token=", "--password="))]
        stored = _secret_in(command["text"]) or any(re.search(r"\$\{?" + re.escape(k) + r"\b", command["text"])
                                                    for k in secret_vars)
        if token_vars or flags and stored:
            how = token_vars[0] if token_vars else flags[0]
            yield _line_hit(f"'{command['text'][:60]}' publishes to {registry} with a long-lived token ({how}); "
                            f"{registry} supports trusted publishing: grant id-token: write and drop the token",
                            command["file_line"], command["file_column"])
        elif not _has_id_token(job, workflow):
            yield _line_hit(f"'{command['text'][:60]}' publishes to {registry} without id-token: write, so with a "
                            f"long-lived token from elsewhere; {registry} supports trusted publishing: grant "
                            "id-token: write and drop the token", command["file_line"], command["file_column"])


def _private_npm_registry(job: Mapping[str, Any]) -> bool:
    """setup-node pointed at a registry other than npmjs.org (GitHub Packages uses the job's own token)."""
    for step in _steps_of(job):
        if _uses_name(step) == "actions/setup-node":
            url = _with_text(step, "registry-url")
            if url and "registry.npmjs.org" not in url:
                return True
    return False


# ---------------------------------------------------------------- untrusted files and data in privileged runs

def _checks_out_pr(step: Mapping[str, Any]) -> bool:
    """A step that checks out or fetches the pull request's head (its code, not the base's)."""
    if _uses_name(step) == "actions/checkout":
        ref, repo = _with_text(step, "ref"), _with_text(step, "repository")
        if "refs/pull/" in ref or any(r.path in _PR_HEAD or r.path.startswith("github.event.pull_request.head.repo")
                                      for r in _references(ref + repo)):
            return True
    for command in _commands(step):
        args = _args(command)
        if command["name"] == "gh" and args[:2] == ["pr", "checkout"] or (
                command["name"] == "git" and "fetch" in args and any("pull/" in a for a in args)):
            return True
    return False


_ARTIFACT_ACTIONS = ("dawidd6/action-download-artifact", "actions/download-artifact", "bettermarks/action-artifact-download",
                     "aochmann/actions-download-artifact")


def _downloads_run_artifact(step: Mapping[str, Any]) -> bool:
    """A step that fetches artifacts of another run (in a workflow_run job: the run that triggered it)."""
    name = _uses_name(step)
    if name == "actions/download-artifact":
        return bool(_with_text(step, "run-id"))
    if name in _ARTIFACT_ACTIONS:
        return True
    if name == "actions/github-script" and re.search(r"downloadArtifact|listWorkflowRunArtifacts",
                                                     _with_text(step, "script")):
        return True
    return any(c["name"] == "gh" and _args(c)[:2] == ["run", "download"] for c in _commands(step))


def workflow_run_artifact(subject: Subject[WorkflowJob], options: dict[str, Any]) -> Iterator[Hit]:
    job = subject.data
    if "workflow_run" not in subject.context["workflow"]["triggers"]:
        return
    steps = _steps_of(job)
    for position, step in enumerate(steps):
        if not _downloads_run_artifact(step) or position == len(steps) - 1:
            continue
        yield Hit("this workflow_run job downloads artifacts of the triggering run, which a fork's pull request "
                  "can fill, and goes on to use them with the repository's secrets and a writable token: "
                  "extract them outside the workspace (a temp dir), validate what they hold, and never execute, "
                  "source or write them to $GITHUB_ENV", at=("steps", *step["at"], "uses" if step.get("uses") else "run"),
                  key=f"step:{step['index']}")


_ENV_FILE = re.compile(r"GITHUB_(ENV|PATH|OUTPUT)\b")


def _env_file_written(commands: list[dict[str, Any]], index: int) -> tuple[str, str] | None:
    """(file, written text) when command `index` appends to $GITHUB_ENV, $GITHUB_PATH or $GITHUB_OUTPUT."""
    command = commands[index]
    targets = [t for op, t in command["redirects"] if op in (">", ">>")]
    if command["name"] in ("tee", "Out-File", "Add-Content") or command["name"].lower() in ("out-file", "add-content"):
        targets.extend(_args(command))
    for target in targets:
        match = _ENV_FILE.search(target)
        if match and re.match(r"[\"']?(\$\{?|\$env:|%)", target):
            if command["name"] == "tee":
                text = " ".join(c["text"] for c in commands if c["pipeline"] == command["pipeline"]
                                and c["position"] < command["position"])
            else:
                text = command["text"].replace(target, "")
            return "GITHUB_" + match.group(1), text
    return None


_REF_NAME = re.compile(r"(^github\.head_ref$|\.head\.ref$|\.head_branch$|\.head\.label$|\.tag_name$|\.base\.ref$)", re.I)


def _shell_assignments(step: Mapping[str, Any]) -> dict[str, str]:
    """`NAME=value` lines of a run: script (the value text), for following data into shell variables."""
    found = {}
    for line in str(step.get("run") or "").splitlines():
        match = re.match(r"\s*(?:export\s+|local\s+|declare\s+(?:-\w+\s+)?)?([A-Za-z_][A-Za-z0-9_]*)=(.*)", line)
        if match:
            found[match.group(1)] = match.group(2)
    return found


def untrusted_env_file_write(subject: Subject[WorkflowStep], options: dict[str, Any]) -> Iterator[Hit]:
    step = subject.data
    workflow = subject.context["workflow"]
    job = subject.context.get("job")
    taint = _Taint(subject)
    assigned = _shell_assignments(step)
    privileged = set(workflow["triggers"]) & set(_PRIVILEGED)
    handles_untrusted_files = bool(job) and any(_checks_out_pr(s) or _downloads_run_artifact(s) for s in _steps_of(job or {}))
    commands = _commands(step)
    for index, command in enumerate(commands):
        written = _env_file_written(commands, index)
        if written is None:
            continue
        sink, text = written
        found = taint.of_value(text)
        seen: set[str] = set()
        pending = re.findall(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)", text)
        while found is None and pending:
            name = pending.pop()
            if name in seen:
                continue
            seen.add(name)
            found = taint.of_path(f"env.{name}")
            if found is None and name in assigned:
                found = taint.of_value(assigned[name])
                pending.extend(re.findall(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)", assigned[name]))
        line, column = command["file_line"], command["file_column"]
        if found is not None and found.severity == "note":
            found = None  # a caller's input: too weak to report a write of it (GH401 notes its expansion)
        if found is not None and sink != "GITHUB_PATH" and _REF_NAME.search(found.source):
            found = None  # git refuses control characters in ref names: a branch name carries no newline
        if found is not None:
            if sink == "GITHUB_OUTPUT":
                yield Hit(f"text from {found.source} ({found.who}) is written to $GITHUB_OUTPUT: a newline in "
                          "it adds outputs of its own choosing for later steps; write it with a random delimiter "
                          "(name<<EOF) or validate it first", span=Span(line, column), key=f"{sink}:{line}",
                          severity="warning")
            else:
                yield Hit(f"text from {found.source} ({found.who}) is written to ${sink}: a newline in it "
                          "sets any variable (LD_PRELOAD, BASH_ENV, NODE_OPTIONS) or PATH entry for every later step; "
                          "validate it or pass it through env: of the steps that need it",
                          span=Span(line, column), key=f"{sink}:{line}",
                          severity=None if found.severity == "error" else "warning")
        elif privileged and handles_untrusted_files and sink != "GITHUB_OUTPUT" and re.search(r"\$|`|%\w+%", text):
            yield Hit(f"a {'/'.join(sorted(privileged))} job that handles the pull request's files writes a computed "
                      f"value to ${sink}: whatever those files put in it sets variables or PATH for every later step",
                      span=Span(line, column), key=f"{sink}:{line}", severity="warning")


# ---------------------------------------------------------------- cache poisoning

# action -> (input that controls caching, cached unless/when, values that turn caching on or off)
_CACHE_ACTIONS: dict[str, tuple[str, bool]] = {
    # name: (control input, cached by default); the input's value decides otherwise
    "actions/cache": ("lookup-only", True),
    "swatinem/rust-cache": ("lookup-only", True),
    "actions/setup-go": ("cache", True),
    "mlugg/setup-zig": ("use-cache", True),
    "oven-sh/setup-bun": ("no-cache", True),
    "determinatesystems/magic-nix-cache-action": ("use-gha-cache", True),
    "gradle/actions/setup-gradle": ("cache-disabled", True),
    "actions-rust-lang/setup-rust-toolchain": ("cache", True),
    "jdx/mise-action": ("cache", True),
    "ramsey/composer-install": ("ignore-cache", True),
    "mozilla-actions/sccache-action": ("", True),
    "nix-community/cache-nix-action": ("", True),
    "awalsh128/cache-apt-pkgs-action": ("", True),
    "actions/setup-java": ("cache", False),
    "actions/setup-node": ("cache", False),
    "actions/setup-python": ("cache", False),
    "actions/setup-dotnet": ("cache", False),
    "astral-sh/setup-uv": ("enable-cache", False),
    "ruby/setup-ruby": ("bundler-cache", False),
    "pyo3/maturin-action": ("sccache", False),
    "docker/setup-buildx-action": ("cache-binary", False),
    "graalvm/setup-graalvm": ("cache", False),
}
_OPT_OUT = {"lookup-only", "no-cache", "cache-disabled", "ignore-cache"}  # true here turns writing off
_PUBLISHERS = ("pypa/gh-action-pypi-publish", "rubygems/release-gem", "jreleaser/release-action",
               "goreleaser/goreleaser-action", "softprops/action-gh-release", "release-drafter/release-drafter",
               "googleapis/release-please-action", "ncipollo/release-action", "docker/build-push-action")


_TAG_TEST = re.compile(r"startswith\(\s*github\.ref\s*,\s*'refs/tags/'\s*\)|github\.ref_type\s*==\s*'tag'", re.I)


def _action_major(subject: Subject, pointer: Pointer, step: Mapping[str, Any]) -> int | None:
    """The major version of a step's action: from its tag, or the `# v1.2.3` comment beside a SHA."""
    uses = step.get("uses") or {}
    ref = str(uses.get("ref") or "")
    if uses.get("ref_kind") != "tag":
        span = subject.doc.span_of(subject.pointer + pointer + ("uses",))
        lines = subject.doc.text.splitlines()
        line = lines[span.line - 1] if span and 0 < span.line <= len(lines) else ""
        match = re.search(r"#\s*(?:tag=)?v?(\d+)\b", line)
        return int(match.group(1)) if match else None
    match = re.match(r"v?(\d+)", ref)
    return int(match.group(1)) if match else None


def _caches(subject: Subject, pointer: Pointer, step: Mapping[str, Any], tags_only: bool) -> bool:
    """Whether a step restores (and writes) a cache in this run, from its inputs, defaults and version."""
    name = _uses_name(step)
    key = next((k for k in _CACHE_ACTIONS if name == k or name.startswith(k + "/")), None)
    if key is None:
        return False
    control, default = _CACHE_ACTIONS[key]
    if key == "astral-sh/setup-uv":  # `auto` (the default) stopped caching release runs in v10
        major = _action_major(subject, pointer, step)
        default = major is None or major < 10
    if key == "actions/setup-node" and _with_text(step, "package-manager-cache").strip().lower() != "false":
        major = _action_major(subject, pointer, step)
        if major is None or major >= 5:  # v5 caches the package manager's store by default
            return True
    if key == "docker/setup-buildx-action":
        return bool(_with_text(step, "version")) and _with_text(step, "cache-binary").strip().lower() != "false"
    value = _with_text(step, control).strip().lower() if control else ""
    if "${{" in value:
        # opaque: it may be on in the release run, unless it only turns caching off for tags
        tests_tag = bool(_TAG_TEST.search(value)) or "ref_type != 'tag'" in value
        negated = bool(re.search(r"!\s*\(?\s*(" + _TAG_TEST.pattern + ")", value, re.I)) or \
            "ref_type != 'tag'" in value or value.removeprefix("${{").lstrip().startswith("!")
        # off only when caching (or writing) is turned off exactly for the tag runs this workflow has
        return not (tags_only and tests_tag and negated != (control in _OPT_OUT))
    if not value or value == "auto":
        return default
    if control in _OPT_OUT:
        return value not in ("true", "yes", "1")
    return value not in ("false", "no", "0", "")


def _release_triggers(triggers: Mapping[str, Any]) -> list[str]:
    found = []
    if "release" in triggers:
        found.append("release")
    push = triggers.get("push")
    if "push" in triggers and isinstance(push, dict):
        if push.get("tags") is not None:
            found.append("a tag push")
        if any("release" in str(b).lower() for b in push.get("branches") or []):
            found.append("a push to a release branch")
    return found


def _publishes(step: Mapping[str, Any]) -> bool:
    name = _uses_name(step)
    if any(name == p or name.startswith(p + "/") for p in _PUBLISHERS):
        return name != "docker/build-push-action" or bool(step["pushes"])
    return bool(step["pushes"]) or any(publish_target(c) for c in _commands(step))


def cache_poisoning(subject: Subject[WorkflowJob], options: dict[str, Any]) -> Iterator[Hit]:
    job = subject.data
    workflow = subject.context["workflow"]
    steps = _steps_of(job)
    triggers = _release_triggers(workflow["triggers"])
    publisher = next((s for s in steps if _publishes(s)), None)
    if not triggers and publisher is None:
        return
    why = f"runs on {' and '.join(triggers)}" if triggers else "publishes what it builds"
    tags_only = bool(triggers) and all(t in ("release", "a tag push") for t in triggers)  # every release run is a tag
    for step in steps:
        if _caches(subject, ("steps", *step["at"]), step, tags_only):
            yield Hit(f"{_uses_name(step)} restores a cache in a job that {why}: a cache entry written by a less "
                      "trusted run on the default branch (any workflow that runs a pull request's or an issue's text) "
                      "ends up in the release; build releases without caches",
                      at=("steps", *step["at"], "uses"), key=f"step:{step['index']}")


# ---------------------------------------------------------------- the secrets context as a whole

_FROM_JSON_SECRET = re.compile(r"fromjson\s*\(\s*secrets\s*[.\[]", re.I)


def secrets_context_exposed(subject: Subject[Workflow], options: dict[str, Any]) -> Iterator[Hit]:
    for expression in _all_expressions(subject.data):
        if not expression["error"] and any(path.lower() == "secrets" for path in expression["references"]):
            yield _line_hit("the whole secrets context is expanded here (toJSON(secrets)): every secret of the "
                            "repository and organisation reaches this step; name the secrets it needs",
                            expression["line"], expression["column"], key=f"all:{expression['line']}")


def secret_unpacked(subject: Subject[Workflow], options: dict[str, Any]) -> Iterator[Hit]:
    for expression in _all_expressions(subject.data):
        if not expression["error"] and _FROM_JSON_SECRET.search(expression["text"]):
            yield _line_hit("fromJSON() of a secret: GitHub masks the secret's whole text in logs, not the fields "
                            "taken out of it, so a printed field shows in clear; store each field as its own secret",
                            expression["line"], expression["column"], key=f"json:{expression['line']}")


def condition_always_true(subject: Subject[Workflow], options: dict[str, Any]) -> Iterator[Hit]:
    data = subject.data
    places: list[tuple[Pointer, Any]] = []
    for job in data.get("jobs") or []:
        places.append((("jobs", job["id"], "if"), job.get("if")))
        places.extend((("jobs", job["id"], "steps", *s["at"], "if"), s.get("if")) for s in _steps_of(job))
    places.extend((("runs", "steps", *s["at"], "if"), s.get("if")) for s in data.get("steps") or [])
    for pointer, condition in places:
        if not isinstance(condition, str) or "${{" not in condition:
            continue
        expressions = find_expressions(condition)
        if len(expressions) == 1 and expressions[0].start == 0 and expressions[0].end == len(condition):
            continue
        extra = condition.replace(expressions[0].text, "", 1) if expressions else condition
        why = "a trailing newline (use |- or >-)" if not extra.strip() else f"the text around it ({extra.strip()[:30]!r})"
        yield Hit(f"this if: is a string, not a condition: with {why} the expression is only interpolated into "
                  "text, and any non-empty text is true, so the step or job always runs; write the whole "
                  "condition inside one ${{ }} or without it", span=subject.doc.span_of(pointer),
                  key="/".join(map(str, pointer)))
