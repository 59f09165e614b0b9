"""The `readycheck` command: check, rules, explain."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from readycheck import __version__
from readycheck.catalog import Catalog, CatalogError, Rule, load_catalog
from readycheck.config import FAIL_ON, Config, ConfigError, load_config
from readycheck.model import SEVERITY_RANK

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


def split_selectors(values: tuple[str, ...]) -> list[str]:
    """`--select a,b --select c` to ["a", "b", "c"]."""
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def fail(message: str) -> None:
    click.echo(f"readycheck: {message}", err=True)
    sys.exit(EXIT_USAGE)


def load_everything(config_file: str | None, rules_dirs: tuple[str, ...]) -> tuple[Config, Catalog]:
    try:
        config = load_config(config_file, Path.cwd())
        catalog = load_catalog([Path(d) for d in [*config.rules_dirs, *rules_dirs]])
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


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--fail-on", type=click.Choice(FAIL_ON), default=None, help="Lowest severity that fails the run [default: error].")
@click.option("--select", multiple=True, help="Only these rules (id, name, checklist or kind); repeatable, comma-separated.")
@click.option("--ignore", multiple=True, help="Skip these rules (id, name, checklist or kind); repeatable, comma-separated.")
@click.option("--config", "config_file", type=click.Path(dir_okay=False), help="Config file (default: .readycheck.yaml or [tool.readycheck]).")
@click.option("--rules", "rules_dirs", multiple=True, type=click.Path(file_okay=False), help="Extra rule directory; repeatable.")
@click.option("--target", "dockerfile_target", help="Dockerfile build stage to judge as the final one.")
@click.option("--no-color", is_flag=True, help="Plain text even on a terminal.")
@click.option("--quiet", "-q", is_flag=True, help="Only findings, one per line, no headers.")
@click.option("--max-file-size", default=None, metavar="SIZE",
              help="Larger files are reported as errors, unread (bytes, or 500k, 20M) [default: 20M].")
@click.option("--time-limit", type=click.FloatRange(min=0), default=None, metavar="SECONDS",
              help="Seconds one file may take to load and check; 0 for none [default: 2].")
def check(
    paths: tuple[str, ...],
    fmt: str,
    fail_on: str | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    config_file: str | None,
    rules_dirs: tuple[str, ...],
    dockerfile_target: str | None,
    no_color: bool,
    quiet: bool,
    max_file_size: str | None,
    time_limit: float | None,
) -> None:
    """Check PATHS (default: the current directory) and report findings."""
    from readycheck.engine import scan
    from readycheck.limits import DEFAULT_MAX_FILE_SIZE, DEFAULT_TIME_LIMIT, Limits, parse_size

    try:
        size = DEFAULT_MAX_FILE_SIZE if max_file_size is None else parse_size(max_file_size)
    except ValueError as exc:
        fail(f"--max-file-size: {exc}")
        return
    limits = Limits(size, DEFAULT_TIME_LIMIT if time_limit is None else time_limit)

    config, catalog = load_everything(config_file, rules_dirs)
    if select:
        config.select = split_selectors(select)
    config.ignore = [*config.ignore, *split_selectors(ignore)]
    if fail_on:
        config.fail_on = fail_on
    if dockerfile_target:
        config.dockerfile_target = dockerfile_target
    try:
        result = scan(list(paths) or ["."], catalog, config, limits=limits)
    except ConfigError as exc:
        fail(str(exc))
        return
    if fmt == "json":
        from readycheck.reporters import json_report

        output = json_report.render(result)
    else:
        from readycheck.reporters import text

        use_color = sys.stdout.isatty() and not no_color
        output = text.render_rich(result, quiet) if use_color else text.render_plain(result, quiet)
    sys.stdout.write(output)
    sys.exit(exit_code(result.findings, result.errors, config.fail_on))


@main.command("rules")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "markdown"]), default="table", show_default=True)
@click.option("--rules", "rules_dirs", multiple=True, type=click.Path(file_okay=False), help="Extra rule directory; repeatable.")
@click.option("--config", "config_file", type=click.Path(dir_okay=False))
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


@main.command()
@click.argument("rule")
@click.option("--rules", "rules_dirs", multiple=True, type=click.Path(file_okay=False))
def explain(rule: str, rules_dirs: tuple[str, ...]) -> None:
    """Print one rule's documentation: what, why, fix, examples."""
    from readycheck import ruledoc

    _, catalog = load_everything(None, rules_dirs)
    found: Rule | None = catalog.by_id.get(rule.upper()) or catalog.by_name.get(rule)
    if found is None:
        fail(f"unknown rule '{rule}' (see `readycheck rules`)")
        return
    sys.stdout.write(ruledoc.explain_text(found))
