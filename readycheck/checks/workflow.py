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
from typing import TYPE_CHECKING, Any

from readycheck.expressions import Reference, find_expressions, is_untrusted
from readycheck.judge.commands import command_words, install_message, piped_into_shell, tls_verification_off
from readycheck.judge.images import FLOATING_TAG, floating, parse_image
from readycheck.loaders.workflow import passes_environment
from readycheck.model import Hit, Pointer, Span, Subject

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


def job_image_unpinned(subject: Subject[WorkflowJob], options: dict[str, Any]) -> Iterator[Hit]:
    job = subject.data
    container = job.get("container")
    what = _image_unpinned(container)
    if container and what:
        yield Hit(f"job container image '{container['image']}' {what}", at=("container",))
    for name, image in (job.get("services") or {}).items():
        what = _image_unpinned(image)
        if image and what:
            yield Hit(f"service '{name}' image '{image['image']}' {what}", at=("services", name))


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
    if not uses or uses["kind"] != "remote" or not str(uses.get("repo", "")).startswith("setup-"):
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
    bare = [j["id"] for j in workflow["jobs"] if not j["has_permissions"] and not j.get("uses")]
    if bare:
        yield Hit(f"no permissions block: job(s) {', '.join(bare)} get the repository's default GITHUB_TOKEN scope")


def permissions_write_all(subject: Subject[Workflow], options: dict[str, Any]) -> Iterator[Hit]:
    workflow = subject.data
    owners: list[tuple[Pointer, Mapping[str, Any]]] = [((), workflow)]
    owners.extend((("jobs", job["id"]), job) for job in workflow["jobs"])
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


_WORKSPACE_ROOTS = {".", "./", "*", "./*", "**", "./**", "**/*", "./**/*", "${{ github.workspace }}",
                    "${{github.workspace}}", "$GITHUB_WORKSPACE", "${GITHUB_WORKSPACE}"}


def _uploads_checkout(upload: Mapping[str, Any], checkouts: list[str]) -> bool:
    """Whether an upload step's `path` takes in a checkout's root or its `.git` (where the token is).

    Named report files, build output folders and globs under a subfolder do not carry `.git/config`.
    """
    paths = str(upload["with"].get("path", "_site/" if _uses_name(upload) == "actions/upload-pages-artifact" else ""))
    roots = _WORKSPACE_ROOTS | {c.strip().rstrip("/") for c in checkouts if c.strip()} \
        | {c.strip().rstrip("/") + "/" for c in checkouts if c.strip()}
    for line in paths.splitlines():
        entry = line.strip()
        if not entry or entry.startswith("!"):
            continue
        trimmed = entry.rstrip("/")
        for root in ("${{ github.workspace }}/", "${{github.workspace}}/", "$GITHUB_WORKSPACE/", "./"):
            if trimmed.startswith(root):
                trimmed = trimmed[len(root):] or "."
        if entry in roots or trimmed in roots or trimmed == "" or ".git" in trimmed.split("/"):
            return True
    return False


def checkout_persists_credentials(subject: Subject[WorkflowJob], options: dict[str, Any]) -> Iterator[Hit]:
    job = subject.data
    workflow = subject.context["workflow"]
    checkouts = [str(s["with"].get("path", "")) for s in _steps_of(job) if _uses_name(s) == "actions/checkout"]
    uploads = any(_uses_name(s) in _UPLOADS and _uploads_checkout(s, checkouts) for s in _steps_of(job))
    untrusted = bool(set(workflow["triggers"]) & {"pull_request_target", "workflow_run"})
    if not uploads and not untrusted:
        return
    why = "the workspace is uploaded as an artifact" if uploads else "the job runs on a privileged trigger"
    for step in _steps_of(job):
        if _uses_name(step) == "actions/checkout" and str(step["with"].get("persist-credentials", "true")).lower() != "false":
            yield Hit(f"actions/checkout leaves the token in .git/config and {why}; set persist-credentials: false",
                      at=("steps", step["index"], "uses"))


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
            yield base + ("steps", step["index"], "env"), "env", step.get("env") or {}
            yield base + ("steps", step["index"], "with"), "with", step.get("with") or {}
    for step in workflow.get("steps") or []:
        yield ("runs", "steps", step["index"], "env"), "env", step.get("env") or {}
        yield ("runs", "steps", step["index"], "with"), "with", step.get("with") or {}


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
        if command["name"] not in ("echo", "printf", "cat", "tee") or command["nested"] or command.get("captured"):
            continue  # inside `$(...)` its output is an argument of the outer command, never printed
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

def script_injection(subject: Subject[WorkflowStep], options: dict[str, Any]) -> Iterator[Hit]:
    step = subject.data
    fields = {"run"}
    if _uses_name(step) == "actions/github-script":
        fields.add("with")
    for expression in step.get("expressions") or []:
        if expression["field"] not in fields:
            continue
        if expression["field"] == "with" and expression["pointer"][-1] != "script":
            continue
        for path in expression["references"]:
            if is_untrusted(Reference(path)):
                where = "run: script" if expression["field"] == "run" else "github-script script"
                yield _line_hit(f"'{path}' is expanded into the {where}: anyone who controls it can run code here; "
                                "pass it through env: and use the variable", expression["line"], expression["column"], key=path)


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
                found.append((("jobs", job["id"], "steps", step["index"]), step))
    for step in workflow.get("steps") or []:
        if step["pushes"]:
            found.append((("runs", "steps", step["index"]), step))
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
        verdict = tls_verification_off(command_words(command))
        if verdict is not None:
            yield _line_hit(verdict.message, command["file_line"], command["file_column"])


# ---------------------------------------------------------------- delivery: deploy jobs

def job_timeout_missing(subject: Subject[WorkflowJob], options: dict[str, Any]) -> Iterator[Hit]:
    job = subject.data
    if job.get("uses") or job.get("timeout-minutes") is not None:
        return
    if job["is_deploy"]:
        yield Hit(f"deploy job '{job['id']}' has no timeout-minutes: a hung deploy holds the runner and the "
                  "deploy lock for 6 hours", severity="warning")
    else:
        yield Hit(f"job '{job['id']}' has no timeout-minutes: a hung step runs for the 6-hour default", severity="note")


def deploy_without_environment(subject: Subject[WorkflowJob], options: dict[str, Any]) -> Iterator[Hit]:
    job = subject.data
    if job.get("environment") or passes_environment(job) or not job["is_deploy"]:
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


_TEST_WORDS = {"test", "tests", "testing", "spec", "specs", "unit", "integration", "e2e", "acceptance", "smoke"}
# Commands that run a script or target named by their first operand (`make e2e`, `bash scripts/test.sh`).
_RUNNERS = {"make", "just", "task", "bash", "sh", "zsh", "python", "python3", "node", "ruby", "perl", "php",
            "npx", "nx", "turbo", "hatch", "tox", "nox"}
_SCRIPT_RUNNERS = {"npm", "yarn", "pnpm", "bun", "poetry", "uv", "pdm", "composer"}  # `npm run test:unit`
# Actions whose job is to run a test suite; reporting actions (Codecov, Coveralls, test reporters) are not.
_TEST_ACTIONS = {"cypress-io/github-action", "microsoft/playwright-github-action", "gabrielbb/xvfb-action",
                 "coactions/setup-xvfb"}


def _names_tests(word: str) -> bool:
    return bool(_TEST_WORDS & set(re.split(r"[^a-z0-9]+", word.rsplit("/", 1)[-1].lower())))


def _runs_tests(command: dict[str, Any]) -> bool:
    """Whether a command runs tests: a test tool, or a script or target whose name says tests."""
    if is_test_command(command):
        return True
    name = str(command["name"])
    program = str(command["argv"][0]) if command.get("argv") else name
    words = [a for a in _args(command) if not a.startswith("-")]
    if "/" in program or re.search(r"\.(sh|bash|py|rb|js|mjs|ts|pl|ps1)$", program):
        return _names_tests(program)
    if name in _RUNNERS and words:
        return _names_tests(words[0])
    if name in _SCRIPT_RUNNERS and words:
        target = words[1] if words[0] in ("run", "run-script", "exec") and len(words) > 1 else words[0]
        return _names_tests(target)
    return False


def _is_test_step(step: Mapping[str, Any]) -> bool:
    """A step that runs tests, judged by what it runs (its commands, or a test-running action), not its name."""
    if _uses_name(step).lower() in _TEST_ACTIONS:
        return True
    return any(_runs_tests(c) for c in _commands(step))


def test_continue_on_error(subject: Subject[WorkflowStep], options: dict[str, Any]) -> Iterator[Hit]:
    step = subject.data
    if step.get("continue-on-error") is True and _is_test_step(step):
        yield Hit("continue-on-error: true on a test step: failing tests never fail the build",
                  at=("continue-on-error",))


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

def job_without_runner(subject: Subject[WorkflowJob], options: dict[str, Any]) -> Iterator[Hit]:
    job = subject.data
    if job.get("runs-on") is None and not job.get("uses"):
        yield Hit(f"job '{job['id']}' has neither runs-on nor uses: GitHub rejects the workflow")


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


def invalid_expression(subject: Subject[Workflow], options: dict[str, Any]) -> Iterator[Hit]:
    data = subject.data
    found = list(data.get("expressions") or [])
    for job in data.get("jobs") or []:
        found.extend(job.get("expressions") or [])
        for step in _steps_of(job):
            found.extend(step.get("expressions") or [])
    for step in data.get("steps") or []:
        found.extend(step.get("expressions") or [])
    for expression in found:
        if expression["error"]:
            yield _line_hit(f"invalid expression {expression['text'][:60]!r}: {expression['error']}", expression["line"],
                            expression["column"])


def action_image_unpinned(subject: Subject[Workflow], options: dict[str, Any]) -> Iterator[Hit]:
    image = subject.data.get("image")
    what = _image_unpinned(image) if subject.data.get("is_action") else None
    if image and what:
        yield Hit(f"the action's image '{image['image']}' {what}", at=("runs", "image"))
