"""The `readycheck` command: check, report, baseline, rules, explain, merge."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from readycheck import __version__
from readycheck.catalog import Catalog, CatalogError, Rule, load_catalog
from readycheck.config import FAIL_ON, Config, ConfigError, load_config
from readycheck.model import SEVERITY_RANK

if TYPE_CHECKING:
    from readycheck.baseline import BaselineEntry
    from readycheck.limits import Limits
    from readycheck.model import ScanResult

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2

# The path types the options share: click builds each instance's messages through gettext (about
# 0.1 ms apiece, and three commands declare the scanning options).
FILE = click.Path(dir_okay=False)
DIRECTORY = click.Path(file_okay=False)
PATH = click.Path()


def split_selectors(values: tuple[str, ...]) -> list[str]:
    """`--select a,b --select c` to ["a", "b", "c"]."""
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def echo_err(message: str) -> None:
    """One line on stderr; what it quotes from the tree is shown escaped and starts no workflow command."""
    from readycheck.neutralise import log_line

    click.echo(log_line(f"readycheck: {message}"), err=True)


def fail(message: str) -> None:
    echo_err(message)
    sys.exit(EXIT_USAGE)


def load_everything(config_file: str | None, rules_dirs: tuple[str, ...],
                    cache_dir: Path | None = None, paths: list[str] | None = None) -> tuple[Config, Catalog]:
    """The configuration (the nearest to the `paths` scanned) and the rule catalog (the built-in rules' parsed
    form cached in `cache_dir`)."""
    from readycheck.cache import default_cache_dir

    try:
        config = load_config(config_file, Path.cwd(), paths or [])
        catalog = load_catalog([Path(d) for d in [*config.rules_dirs, *rules_dirs]],
                               cache_dir=cache_dir or default_cache_dir())
    except (ConfigError, CatalogError) as exc:
        fail(str(exc))
        raise  # unreachable: fail() exits
    return config, catalog


def exit_code(findings: list[Any], errors: list[Any], fail_on: str) -> int:
    if errors:
        return EXIT_USAGE
    if fail_on == "never":
        return EXIT_OK
    threshold = SEVERITY_RANK[fail_on]
    return EXIT_FINDINGS if any(SEVERITY_RANK[f.severity] >= threshold for f in findings) else EXIT_OK


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="readycheck")
def main() -> None:
    """readycheck: is this service ready for production?"""


def complete_selectors(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[str]:
    """Shell completion for --select and --ignore: rule ids and names, checklists and kinds."""
    from readycheck.cache import default_cache_dir
    from readycheck.model import CHECKLISTS

    try:
        catalog = load_catalog(cache_dir=default_cache_dir())
    except CatalogError:
        return []
    words = {r.id for r in catalog.rules} | {r.name for r in catalog.rules} | set(CHECKLISTS)
    words |= {r.kind for r in catalog.rules}
    last = incomplete.rsplit(",", 1)
    prefix, partial = (last[0] + ",", last[1]) if len(last) == 2 else ("", incomplete)
    return sorted(prefix + w for w in words if w.startswith(partial))


def scan_option(*decls: str, default: Any = None, repro: bool = False, identity: bool = True, fixing: bool = False,
                **click_kwargs: Any) -> Any:
    """A ScanRequest field that is also a command-line option: declared here once.

    `repro`: the option appears in the command that reproduces a scan; `identity`: it decides the scan's
    findings (so shards of one scan must agree on it); `fixing`: an option of `check` alone (it edits files).
    """
    return field(default=default, metadata={"decls": decls, "click": click_kwargs, "repro": repro, "identity": identity,
                                            "fixing": fixing})


@dataclass
class ScanRequest:
    """What the user asked to scan: every option of the scanning commands (check, report, baseline) is a field
    here, with its command-line declaration, so that adding one is one line."""

    paths: list[str] = field(default_factory=list)
    config_file: str | None = scan_option("--config", type=FILE, repro=True, help="Config file (default: .readycheck.yaml or [tool.readycheck]).")
    select: tuple[str, ...] = scan_option("--select", default=(), repro=True, multiple=True,
                                          shell_complete=complete_selectors, help="Only these rules (id, name, checklist or kind); repeatable, comma-separated.")
    ignore: tuple[str, ...] = scan_option("--ignore", default=(), repro=True, multiple=True,
                                          shell_complete=complete_selectors, help="Skip these rules (id, name, checklist or kind); repeatable, comma-separated.")
    rules_dirs: tuple[str, ...] = scan_option("--rules", default=(), repro=True, multiple=True, type=DIRECTORY, help="Extra rule directory; repeatable.")
    dockerfile_target: str | None = scan_option("--target", repro=True, help="Dockerfile build stage to judge as the final one.")
    shard: str | None = scan_option("--shard", repro=True, identity=False, metavar="K/N", help="Check only shard K of N (1-based), for splitting a scan across CI runners.")
    helm_values: tuple[str, ...] = scan_option("--values", default=(), repro=True, multiple=True, type=FILE, help="Helm values file for the charts scanned; repeatable.")
    helm_set: tuple[str, ...] = scan_option("--set", default=(), repro=True, multiple=True, metavar="KEY=VALUE", help="Helm value for the charts scanned (Helm's --set syntax); repeatable.")
    helm_renderer: str | None = scan_option("--helm-renderer", repro=True, type=click.Choice(["builtin", "helm"]), help="Render charts with readycheck's renderer (default, with line mapping) or `helm template` from PATH.")
    kube_version: str | None = scan_option("--kube-version", repro=True, help="Kubernetes version charts are rendered for [default: 1.30.0].")
    baseline: str | None = field(default=None, metadata={"repro": True, "identity": True})
    """Declared by each command that takes it (check and report hide what it records; baseline writes one)."""
    fail_on: str | None = scan_option("--fail-on", identity=False, type=click.Choice(FAIL_ON), help="Lowest severity that fails the run [default: error].")
    jobs: int | None = scan_option("--jobs", "-j", identity=False, type=click.IntRange(1, 256), help="Worker processes [default: the number of cores].")
    cache_dir: str | None = scan_option("--cache-dir", identity=False, type=DIRECTORY, help="Result cache [default: the user cache directory].")
    no_cache: bool = scan_option("--no-cache", default=False, identity=False, is_flag=True, help="Neither read nor write cached results (the parsed built-in rule catalog is still cached).")
    max_file_size: str | None = scan_option("--max-file-size", metavar="SIZE", help="Larger files are reported as errors, unread (bytes, or 500k, 20M) [default: 20M].")
    time_limit: float | None = scan_option("--time-limit", type=click.FloatRange(min=0), metavar="SECONDS", help="Seconds of CPU time one file may take to load and check; 0 for none [default: 10].")
    service_scope: tuple[str, ...] = scan_option("--service-scope", default=(), repro=True, multiple=True, type=DIRECTORY, help="Also link the files under DIR into the service map (read for their links, not judged): with a file list (pre-commit), the repository root, so that a change at either end of a link shows its finding.")
    verbose: bool = scan_option("--verbose", "-v", default=False, is_flag=True, help="Also say on stderr which files were passed over and why (template sources, backups, ignore files).")
    fix: bool = scan_option("--fix", default=False, identity=False, fixing=True, is_flag=True, help="Apply the safe fixes, then report what remains.")
    unsafe_fixes: bool = scan_option("--unsafe-fixes", default=False, identity=False, fixing=True, is_flag=True, help="With --fix or --diff, also the fixes that change behaviour (review them).")
    diff: bool = scan_option("--diff", default=False, identity=False, fixing=True, is_flag=True, help="Print the unified diff of the fixes and write nothing; exit 1 when there is one.")
    fix_only: bool = scan_option("--fix-only", default=False, identity=False, fixing=True, is_flag=True, help="Apply the fixes (as --fix) and report only what was fixed, not the remaining findings.")
    show_fixes: bool = scan_option("--show-fixes", default=False, identity=False, fixing=True, is_flag=True, help="Say on stderr which fixes were applied, and why any were not.")

    @property
    def fixing(self) -> bool:
        return self.fix or self.fix_only or self.diff

    def limits(self) -> Limits:
        """Per-file limits from the command line, defaults otherwise. A bad size is a usage error."""
        from readycheck.limits import DEFAULT_MAX_FILE_SIZE, DEFAULT_TIME_LIMIT, Limits, parse_size

        try:
            size = DEFAULT_MAX_FILE_SIZE if self.max_file_size is None else parse_size(self.max_file_size)
        except ValueError as exc:
            fail(f"--max-file-size: {exc}")
            raise  # unreachable: fail() exits
        return Limits(size, DEFAULT_TIME_LIMIT if self.time_limit is None else self.time_limit)

    def helm_options(self) -> dict[str, Any]:
        """Chart rendering options from the command line (they override the config's `helm:`). A `--set` Helm
        could not parse is a usage error here, not an error entry per chart."""
        if self.helm_set:
            from readycheck.helm.values import SetValueError, parse_set

            try:
                parse_set(list(self.helm_set))
            except SetValueError as exc:
                fail(f"--set: {exc}")
        options: dict[str, Any] = {"values": [str(Path(v).resolve()) for v in self.helm_values], "set": list(self.helm_set)}
        if self.helm_renderer:
            options["renderer"] = self.helm_renderer
        if self.kube_version:
            options["kube-version"] = self.kube_version
        return options

    def identity(self) -> dict[str, Any]:
        """What decides the findings of this scan: every option except where it runs, how, and which shard."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.metadata.get("identity", True)}

    def command(self, fail_on: str) -> str:
        """The `readycheck check` command that reproduces this scan."""
        import shlex

        args = ["readycheck", "check"]
        for option in fields(self):
            if not option.metadata.get("repro"):
                continue
            flag = option.metadata["decls"][0] if option.metadata.get("decls") else f"--{option.name}"
            value = getattr(self, option.name)
            for one in value if isinstance(value, tuple) else [value] if value else []:
                args += [flag, one]
        args += ["--fail-on", fail_on, *(self.paths or ["."])]
        return shlex.join(args)


def _declare(function: Callable[..., Any], fixing: bool) -> Callable[..., Any]:
    for option in reversed(fields(ScanRequest)):
        if option.metadata.get("decls") and option.metadata.get("fixing", False) == fixing:
            function = click.option(*option.metadata["decls"], option.name, default=option.default,
                                    **option.metadata["click"])(function)
    return function


def scan_options(function: Callable[..., Any]) -> Callable[..., Any]:
    """The options every scanning command shares: the ScanRequest fields that declare one."""
    return _declare(function, fixing=False)


def fix_options(function: Callable[..., Any]) -> Callable[..., Any]:
    """The options of `check` that apply fixes: the ScanRequest fields marked `fixing`."""
    return _declare(function, fixing=True)


def refuse_missing_paths(paths: list[str]) -> None:
    """A path that does not exist is a usage error, whatever its name: a typo must never scan nothing and pass."""
    for path in paths:
        if not os.path.exists(path):
            fail(f"{click.format_filename(path)}: no such file or directory (nothing was checked)")


def say_if_nothing_found(result: ScanResult, request: ScanRequest) -> None:
    """On stderr, whatever the format: a scan that found no file of any kind it knows checked nothing."""
    if result.files or result.errors:
        return
    where = ", ".join(click.format_filename(p) for p in request.paths) or "."
    shard = f" (shard {request.shard})" if request.shard else ""
    echo_err(f"found no file of a kind it checks in {where}{shard}: nothing was checked")


def run_scan(request: ScanRequest, again: bool = False, service_map: bool = False) -> tuple[Config, ScanResult]:
    """The scan the request asks for; `again` (a re-scan after fixes) says nothing on stderr a second time;
    `service_map`: the groups return their documents' facts even when no service rule is selected."""
    from readycheck.cache import default_cache_dir
    from readycheck.orchestrate import scan

    refuse_missing_paths(request.paths)
    config, catalog = load_everything(request.config_file, request.rules_dirs,
                                      Path(request.cache_dir) if request.cache_dir else None, request.paths)
    if request.select:
        config.select = split_selectors(request.select)
    config.ignore = [*config.ignore, *split_selectors(request.ignore)]
    if request.fail_on:
        config.fail_on = request.fail_on
    if request.dockerfile_target:
        config.dockerfile_target = request.dockerfile_target
    selected_shard: tuple[int, int] | None = None
    if request.shard:
        from readycheck.shard import ShardError, parse_shard

        try:
            selected_shard = parse_shard(request.shard)
        except ShardError as exc:
            fail(str(exc))
            raise  # unreachable: fail() exits
    cache_dir = None if request.no_cache else Path(request.cache_dir) if request.cache_dir else default_cache_dir()
    if cache_dir is not None:
        from readycheck.cache import cache_dir_problem

        problem = cache_dir_problem(cache_dir)
        if problem is not None:
            echo_err(f"warning: cache directory {cache_dir} is not usable ({problem}); scanning without a cache")
            cache_dir = None
    try:
        result = scan(
            request.paths or ["."],
            catalog,
            config,
            jobs=request.jobs or os.cpu_count() or 1,
            cache_dir=cache_dir,
            shard=selected_shard,
            context_options={"helm": request.helm_options(), **({"service_map": True} if service_map else {})},
            limits=request.limits(),
            report_only_given=bool(request.paths),
            service_scope=list(request.service_scope),
        )
    except ConfigError as exc:
        fail(str(exc))
        raise  # unreachable: fail() exits
    if selected_shard is not None:
        from readycheck.shard import scan_id

        result.shard = (*selected_shard, scan_id(request.identity(), selected_shard[1], os.environ))
        result.replay = {"fail_on": config.fail_on, "command": replace(request, shard=None).command(config.fail_on)}
    if not again:
        say_skipped(result, request.verbose)
        say_if_nothing_found(result, request)
    return config, result


def say_skipped(result: ScanResult, verbose: bool) -> None:
    """On stderr: each file given by name that is not checked (always), each passed over in a walk (verbose)."""
    for skipped in result.skipped:
        if skipped.named or verbose:
            prefix = "not checked" if skipped.named else "skipped"
            echo_err(f"{prefix}: {skipped.path}: {skipped.reason}")


def apply_baseline(result: ScanResult, path: str, paths: list[str]) -> list[BaselineEntry]:
    """Hide baselined findings (listed as suppressed); return the entries of the `paths` scanned that no longer
    occur."""
    from readycheck import baseline
    from readycheck.suppression import apply_baseline as hide_baselined

    try:
        entries = baseline.load(path)
    except baseline.BaselineError as exc:
        fail(str(exc))
        raise  # unreachable: fail() exits
    stale = hide_baselined(result, entries, path)
    if paths:
        from readycheck.orchestrate import given_paths_filter

        # with a file list (pre-commit), an entry of a file not given was not looked for: it is not stale
        within = given_paths_filter(paths, Path.cwd())
        stale = [entry for entry in stale if within is None or within(entry.path)]
    return stale


def link_base_from_environment() -> str:
    """On GitHub Actions, links to the scanned commit's files; elsewhere, relative links."""
    server, repository, sha = (os.environ.get(k, "") for k in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_SHA"))
    return f"{server}/{repository}/blob/{sha}/" if server and repository and sha else ""


def render_report(result: ScanResult, request: ScanRequest, fail_on: str, fmt: str, link_base: str | None = None,
                  compare_with: str | None = None, declared: dict[str, Any] | None = None) -> str:
    return render_readiness(result, request.command(fail_on), fail_on, fmt, link_base, compare_with, declared)


def render_readiness(result: ScanResult, command: str, fail_on: str, fmt: str, link_base: str | None = None,
                     compare_with: str | None = None, declared: dict[str, Any] | None = None) -> str:
    """The readiness report of a result; with `compare_with`, what changed since that JSON report or baseline;
    with the service facts of the scan, its service map (`declared`: the config's `services:`)."""
    from readycheck import readiness

    previous = None
    if compare_with:
        from readycheck.compare import CompareError, load

        try:
            previous = load(compare_with)
        except CompareError as exc:
            fail(f"--compare: {exc}")
        except OSError as exc:
            fail(f"--compare: cannot read {compare_with}: {exc.strerror or exc}")
    mapped = None
    if result.facts:
        from readycheck.services import build_map

        mapped = build_map(result.facts, declared or {})
        if not (any(s["links"] for s in mapped["services"]) or mapped["unlinked"]):
            mapped = None  # a tree with no link between artifacts gets the report it always got
    service_of = None
    if mapped is not None:
        from readycheck.services import service_of_paths

        service_of = service_of_paths(mapped)
    model = readiness.build(
        result, fail_on, command, link_base if link_base is not None else link_base_from_environment(),
        previous=previous, previous_source=compare_with or "", service_of=service_of,
    )
    model.service_map = mapped
    if fmt == "html":
        from readycheck.reporters import readiness_html

        return readiness_html.render(model)
    if fmt == "markdown":
        from readycheck.reporters import readiness_markdown

        return readiness_markdown.render(model)
    from readycheck.reporters import readiness_text

    return readiness_text.render(model)


def use_colour(choice: str, to_terminal: bool, environ: Any = os.environ) -> bool:
    """--color always|never decides; on auto, NO_COLOR (set and not empty) turns colour off and FORCE_COLOR turns
    it on, as no-color.org and force-color.org say; otherwise colour when writing to a terminal."""
    if choice != "auto":
        return choice == "always"
    if environ.get("NO_COLOR"):
        return False
    if environ.get("FORCE_COLOR"):
        return True
    return to_terminal


def render_check(result: ScanResult, fmt: str, no_color: bool, quiet: bool, to_terminal: bool,
                 sarif_category: str | None = None, statistics: bool = False) -> str:
    if fmt == "json":
        from readycheck.reporters import json_report

        return json_report.render(result)
    if fmt == "sarif":
        from readycheck.reporters import sarif

        return sarif.render(result, category=sarif_category)
    if fmt == "github":
        from readycheck.reporters import github

        return github.render(result)
    if fmt == "gitlab":
        from readycheck.reporters import gitlab

        return gitlab.render(result)
    if fmt in ("junit", "checkstyle"):
        from readycheck.reporters import xml_reports

        return xml_reports.junit(result) if fmt == "junit" else xml_reports.checkstyle(result)
    from readycheck.reporters import text

    if statistics:
        return text.render_statistics(result)
    return text.render_rich(result, quiet) if to_terminal and not no_color else text.render_plain(result, quiet)


def emit(text: str, output: str | None) -> None:
    """To stdout, or atomically to a file."""
    if output:
        from readycheck.output import write_atomic

        try:
            write_atomic(output, text)
        except OSError as exc:
            fail(f"cannot write {output}: {exc.strerror or exc}")
    else:
        sys.stdout.write(text)


@main.command()
@click.argument("paths", nargs=-1, type=PATH)
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif", "github", "gitlab", "junit", "checkstyle"]),
              default="text", show_default=True,
              help="text, the JSON report, SARIF 2.1.0, GitHub annotations, GitLab Code Quality, JUnit or Checkstyle XML.")
@scan_options
@click.option("--baseline", "baseline_file", type=FILE, help="Hide findings recorded in this baseline file.")
@click.option("--output", "-o", "output", type=FILE, help="Write the main format to FILE (atomically) instead of stdout.")
@click.option("--sarif-output", type=FILE, help="Also write SARIF 2.1.0 to FILE.")
@click.option("--sarif-category", metavar="CATEGORY", help="SARIF automationDetails category: code scanning keeps one "
              "analysis per category [default: readycheck, or readycheck/shard-K-of-N with --shard].")
@click.option("--json-output", type=FILE, help="Also write the JSON report to FILE.")
@click.option("--report-output", type=FILE, help="Also write the readiness report to FILE (HTML if it ends in .html, else Markdown).")
@click.option("--color", "colour", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True,
              help="Colour in text output; auto: on a terminal, unless NO_COLOR is set (FORCE_COLOR forces it).")
@click.option("--no-color", is_flag=True, help="Plain text even on a terminal (--color never).")
@click.option("--quiet", "-q", is_flag=True, help="Only findings, one per line (path:line:col: RULE ...), no headers.")
@click.option("--statistics", is_flag=True, help="Text output: the count of findings per rule instead of the findings.")
@fix_options
def check(
    paths: tuple[str, ...],
    fmt: str,
    baseline_file: str | None,
    output: str | None,
    sarif_output: str | None,
    sarif_category: str | None,
    json_output: str | None,
    report_output: str | None,
    colour: str,
    no_color: bool,
    quiet: bool,
    statistics: bool,
    **scan_args: Any,
) -> None:
    """Check PATHS (default: the current directory) and report findings.

    Exit codes: 0 nothing at or above --fail-on; 1 findings at or above --fail-on; 2 a usage error, or a file
    that could not be checked.
    """
    request = ScanRequest(list(paths), baseline=baseline_file, **scan_args)
    config, result = run_scan(request)
    stale = apply_baseline(result, baseline_file, request.paths) if baseline_file else []
    if request.diff:
        sys.exit(show_diff(request, result))
    if request.fixing:
        result, stale = apply_fixes(request, result, stale)
        if request.fix_only:
            sys.exit(EXIT_USAGE if result.errors else EXIT_OK)
    coloured = use_colour("never" if no_color else colour, output is None and sys.stdout.isatty())
    emit(render_check(result, fmt, not coloured, quiet, to_terminal=coloured, sarif_category=sarif_category,
                      statistics=statistics), output)
    for extra_format, extra_output in (("sarif", sarif_output), ("json", json_output)):
        if extra_output:
            emit(render_check(result, extra_format, True, False, False, sarif_category), extra_output)
    if report_output:
        report_format = "html" if report_output.lower().endswith((".html", ".htm")) else "markdown"
        emit(render_report(result, request, config.fail_on, report_format, declared=config.services), report_output)
    if stale and fmt in ("text", "github"):
        from readycheck.neutralise import log_line
        from readycheck.wording import plural

        verb = "occurs" if len(stale) == 1 else "occur"
        echo_err(f"{plural(len(stale), 'baseline entry', 'baseline entries')} no longer {verb} (prune {baseline_file}):")
        for entry in stale:
            click.echo(log_line(f"  {entry.path}:{entry.line} {entry.rule} {entry.message}"), err=True)
    sys.exit(exit_code(result.findings, result.errors, config.fail_on))


def show_diff(request: ScanRequest, result: ScanResult) -> int:
    """`--diff`: the fixes as one unified diff on stdout, nothing written; 1 when there is a diff."""
    from readycheck.fix import OVERLAP, fix_roots, plan_fixes, wanted

    plans = plan_fixes(wanted(result.findings, request.unsafe_fixes), fix_roots(request.paths or ["."], Path.cwd()),
                       Path.cwd())
    changed = [p for p in plans if p.changed]
    from readycheck.neutralise import log_line

    sys.stdout.write("".join(log_line(line) + "\n" for plan in changed for line in plan.diff().splitlines()))
    say_skipped_fixes(plans, request.show_fixes)
    say_refused_fixes(result, request.show_fixes)
    from readycheck.wording import plural

    count = sum(len(p.applied) for p in changed)
    later = sum(1 for p in plans for _, why in p.skipped if why == OVERLAP)
    echo_err(f"would fix {plural(count, 'finding')} in {plural(len(changed), 'file')}"
             + (f"; {plural(later, 'more fix', 'more fixes')} would follow once these are applied (--fix applies them "
                "in rounds)" if later else ""))
    if result.errors:
        return EXIT_USAGE
    return EXIT_FINDINGS if changed else EXIT_OK


def say_refused_fixes(result: ScanResult, show: bool) -> None:
    """With --show-fixes: each finding of a rule that fixes, for which this file allows no fix, and why."""
    if not show:
        return
    for finding in result.findings:
        why = finding.extra.get("fix_refused")
        if why:
            echo_err(f"no fix: {finding.path}:{finding.span.line} {finding.rule}: {why}")


def say_skipped_fixes(plans: list[Any], show: bool) -> None:
    """With --show-fixes: each fix applied and each left out, with why (the rest is in the summary line)."""
    if not show:
        return
    for plan in plans:
        for finding in plan.applied:
            assert finding.autofix is not None
            echo_err(f"fixed: {finding.path}:{finding.span.line} {finding.rule} {finding.autofix.description}")
        for finding, why in plan.skipped:
            echo_err(f"not fixed: {finding.path}:{finding.span.line} {finding.rule}: {why}")


MAX_FIX_ROUNDS = 5
"""Fixes whose edits overlap are applied over several rounds (a re-scan between); a few suffice."""


def apply_fixes(request: ScanRequest, result: ScanResult, stale: list[BaselineEntry]) -> tuple[ScanResult, list[BaselineEntry]]:
    """`--fix`: apply the chosen fixes, re-scan, and again while a round changed something. A file a fix made
    unreadable (a new load error) is put back as it was. The final scan's result is what is reported."""
    from readycheck.fix import fix_roots, plan_fixes, restore, wanted, write_plan
    from readycheck.wording import plural

    roots = fix_roots(request.paths or ["."], Path.cwd())
    say_refused_fixes(result, request.show_fixes)
    fixed: dict[str, int] = {}
    for _ in range(MAX_FIX_ROUNDS):
        plans = plan_fixes(wanted(result.findings, request.unsafe_fixes), roots, Path.cwd())
        say_skipped_fixes(plans, request.show_fixes)
        written = []
        for plan in plans:
            if not plan.changed:
                continue
            why = write_plan(plan)
            if why:
                echo_err(f"not fixed: {plan.path}: {why}")
                continue
            written.append(plan)
        if not written:
            break
        broken_before = {e.path for e in result.errors}
        _, result = run_scan(request, again=True)
        stale = apply_baseline(result, request.baseline, request.paths) if request.baseline else []
        for plan in written:
            if plan.path in {e.path for e in result.errors} - broken_before:
                restore(plan)
                echo_err(f"fix undone: {plan.path}: the fixed file no longer loaded")
            else:
                fixed[plan.path] = fixed.get(plan.path, 0) + len(plan.applied)
        if any(plan.path in {e.path for e in result.errors} - broken_before for plan in written):
            _, result = run_scan(request, again=True)
            stale = apply_baseline(result, request.baseline, request.paths) if request.baseline else []
            break
    count = sum(fixed.values())
    echo_err(f"fixed {plural(count, 'finding')} in {plural(len(fixed), 'file')} ({plural(len(result.findings), 'finding')} remaining)")
    return result, stale


@main.command()
@click.argument("paths", nargs=-1, type=PATH)
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "html"]), default="text", show_default=True)
@scan_options
@click.option("--baseline", "baseline_file", type=FILE, help="Hide findings recorded in this baseline file.")
@click.option("--output", "-o", "output", type=FILE, help="Write the report to FILE (atomically) instead of stdout.")
@click.option("--link-base", help="Prefix for links to files (default on GitHub Actions: the scanned commit's blob URL).")
@click.option("--compare", "compare_with", type=FILE, metavar="PREVIOUS.json",
              help="Show new, fixed and unchanged findings since this JSON report (check --format json) or baseline.")
def report(
    paths: tuple[str, ...],
    fmt: str,
    baseline_file: str | None,
    output: str | None,
    link_base: str | None,
    compare_with: str | None,
    **scan_args: Any,
) -> None:
    """The readiness report for PATHS: verdict, scores per checklist, artifacts, blocking findings.

    Exits 0 once the report is written, whatever the verdict (gate with `check`); 2 on usage errors.
    """
    request = ScanRequest(list(paths), baseline=baseline_file, **scan_args)
    config, result = run_scan(request, service_map=True)
    if baseline_file:
        apply_baseline(result, baseline_file, request.paths)
    emit(render_report(result, request, config.fail_on, fmt, link_base, compare_with, config.services), output)


@main.command("baseline")
@click.argument("paths", nargs=-1, type=PATH)
@scan_options
@click.option("--output", "-o", "output", type=FILE, default=".readycheck-baseline.json", show_default=True)
def baseline_command(
    paths: tuple[str, ...],
    output: str,
    **scan_args: Any,
) -> None:
    """Record today's findings so that `check --baseline FILE` reports only new ones."""
    from readycheck import baseline

    request = ScanRequest(list(paths), **scan_args)
    _, result = run_scan(request)
    emit(baseline.render(result.findings), output)
    from readycheck.wording import plural

    echo_err(f"recorded {plural(len(result.findings), 'finding')} in {output}")
    if result.errors:
        echo_err(f"{plural(len(result.errors), 'file')} could not be checked; their findings are not in the baseline")


@main.command("services")
@click.argument("paths", nargs=-1, type=PATH)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@scan_options
@click.option("--output", "-o", "output", type=FILE, help="Write the map to FILE (atomically) instead of stdout.")
def services_command(paths: tuple[str, ...], fmt: str, output: str | None, **scan_args: Any) -> None:
    """The service map of PATHS: each service's Dockerfile, images, pipelines, charts, manifests and env schema.

    Exits 0 once the map is written; 2 on usage errors or when a file could not be read.
    """
    from readycheck.reporters import service_map
    from readycheck.services import build_map

    request = ScanRequest(list(paths), **scan_args)
    request.select = ("service",)  # the map needs the files loaded, not judged by the rules of their kind
    config, result = run_scan(request, service_map=True)
    mapped = build_map(result.facts, config.services)
    emit(service_map.render_json(mapped) if fmt == "json" else service_map.render_text(mapped), output)
    for error in result.errors:
        echo_err(f"{error.path}{f':{error.line}' if error.line else ''}: {error.message}")
    sys.exit(EXIT_USAGE if result.errors else EXIT_OK)


@main.command("rules")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "markdown"]), default="table", show_default=True)
@click.option("--rules", "rules_dirs", multiple=True, type=DIRECTORY, help="Extra rule directory; repeatable.")
@click.option("--config", "config_file", type=FILE)
def rules_command(fmt: str, rules_dirs: tuple[str, ...], config_file: str | None) -> None:
    """List the rule catalog."""
    from readycheck import ruledoc

    _, catalog = load_everything(config_file, rules_dirs)
    if fmt == "json":
        sys.stdout.write(ruledoc.catalog_json(catalog.rules))
    elif fmt == "markdown":
        sys.stdout.write(ruledoc.catalog_markdown(catalog.rules))
    else:
        sys.stdout.write(ruledoc.catalog_table(catalog.rules))


@main.command("targets")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown"]), default="text", show_default=True)
def targets_command(fmt: str) -> None:
    """List the rule targets: what a rule can judge, and the data each subject carries."""
    from readycheck import ruledoc

    sys.stdout.write(ruledoc.targets_markdown() if fmt == "markdown" else ruledoc.targets_text())


@main.command()
@click.argument("rule")
@click.option("--rules", "rules_dirs", multiple=True, type=DIRECTORY)
def explain(rule: str, rules_dirs: tuple[str, ...]) -> None:
    """Print one rule's documentation: what, why, fix, examples."""
    from readycheck import ruledoc

    _, catalog = load_everything(None, rules_dirs)
    found: Rule | None = catalog.by_id.get(rule.upper()) or catalog.by_name.get(rule)
    if found is None:
        fail(f"unknown rule '{rule}' (see `readycheck rules`)")
        return
    sys.stdout.write(ruledoc.explain_text(found) + ruledoc.explain_sources(found))


@main.command("merge")
@click.argument("reports", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["json", "sarif", "text", "markdown", "html"]), default="json",
              show_default=True, help="The JSON report, SARIF 2.1.0, or the readiness report (text, Markdown, HTML).")
@click.option("--output", "-o", "output", type=FILE, help="Write to FILE (atomically) instead of stdout.")
@click.option("--sarif-category", metavar="CATEGORY", help="SARIF automationDetails category [default: readycheck].")
@click.option("--link-base", help="Readiness report: prefix for links to files.")
@click.option("--compare", "compare_with", type=FILE, metavar="PREVIOUS.json",
              help="Readiness report: new, fixed and unchanged findings since this JSON report or baseline.")
def merge_command(reports: tuple[str, ...], fmt: str, output: str | None, sarif_category: str | None,
                  link_base: str | None, compare_with: str | None) -> None:
    """Merge the JSON reports of `check --shard K/N` runs into the report of the whole scan.

    Run it where the shards ran (SARIF line hashes are read from the files): the result equals the unsharded
    `check --format json|sarif` or `report --format text|markdown|html`.
    """
    import json

    from readycheck.merge import MergeError, merge_json_reports, merge_scan, read_report

    try:
        texts = [read_report(name) for name in reports]
        if fmt == "json":
            merged = merge_json_reports(texts)
        else:
            config, catalog = load_everything(None, ())
            whole = merge_scan(texts, catalog)
    except MergeError as exc:
        fail(str(exc))
        return
    except OSError as exc:
        fail(f"cannot read {exc.filename}: {exc.strerror or exc}")
        return
    from readycheck.neutralise import json_text

    if fmt == "json":
        emit(json_text(json.dumps(merged, indent=2, ensure_ascii=False)) + "\n", output)
    elif fmt == "sarif":
        emit(render_check(whole.result, "sarif", True, False, False, sarif_category), output)
    else:
        emit(render_readiness(whole.result, whole.command, whole.fail_on, fmt, link_base, compare_with,
                              config.services), output)
