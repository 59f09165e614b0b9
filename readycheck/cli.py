"""The `readycheck` command: check, rules, explain."""

from __future__ import annotations

import os
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


def load_everything(config_file: str | None, rules_dirs: tuple[str, ...],
                    cache_dir: Path | None = None) -> tuple[Config, Catalog]:
    """The configuration and the rule catalog (the built-in rules' parsed form cached in `cache_dir`)."""
    from readycheck.runner import default_cache_dir

    try:
        config = load_config(config_file, Path.cwd())
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
@click.option("--jobs", "-j", type=click.IntRange(1, 256), default=None, help="Worker processes [default: the number of cores].")
@click.option("--cache-dir", type=click.Path(file_okay=False), default=None, help="Result cache [default: the user cache directory].")
@click.option("--no-cache", is_flag=True, help="Neither read nor write cached results (the parsed built-in rule catalog is still cached).")
@click.option("--shard", default=None, metavar="K/N", help="Check only shard K of N (1-based), for splitting a scan across CI runners.")
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
    jobs: int | None,
    cache_dir: str | None,
    no_cache: bool,
    shard: str | None,
) -> None:
    """Check PATHS (default: the current directory) and report findings."""
    from readycheck.engine import scan
    from readycheck.runner import default_cache_dir
    from readycheck.shard import ShardError, parse_shard

    config, catalog = load_everything(config_file, rules_dirs, Path(cache_dir) if cache_dir else None)
    if select:
        config.select = split_selectors(select)
    config.ignore = [*config.ignore, *split_selectors(ignore)]
    if fail_on:
        config.fail_on = fail_on
    if dockerfile_target:
        config.dockerfile_target = dockerfile_target
    try:
        selected_shard = parse_shard(shard) if shard else None
    except ShardError as exc:
        fail(str(exc))
        return
    try:
        result = scan(
            list(paths) or ["."],
            catalog,
            config,
            jobs=jobs or os.cpu_count() or 1,
            cache_dir=None if no_cache else Path(cache_dir) if cache_dir else default_cache_dir(),
            shard=selected_shard,
        )
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


@main.command("merge")
@click.argument("reports", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
def merge_command(reports: tuple[str, ...]) -> None:
    """Merge the JSON reports of `check --shard K/N` runs into one report."""
    import json

    from readycheck.merge import MergeError, merge_json_reports

    try:
        merged = merge_json_reports((name, Path(name).read_text(encoding="utf-8")) for name in reports)
    except (MergeError, OSError) as exc:
        fail(str(exc))
        return
    sys.stdout.write(json.dumps(merged, indent=2, ensure_ascii=False) + "\n")
