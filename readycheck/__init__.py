"""readycheck: a production-readiness linter.

The Python API is one function, `scan`; the result is `readycheck.model.ScanResult` (findings, errors,
suppressed findings, artifacts). Importing the package imports nothing else: `scan` loads what it needs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

    from readycheck.model import ScanResult

__version__ = "0.1.0"
__all__ = ["__version__", "scan"]


def scan(
    paths: list[str] | tuple[str, ...] = (".",),
    *,
    config: str | None = None,
    select: list[str] | tuple[str, ...] = (),
    ignore: list[str] | tuple[str, ...] = (),
    rules_dirs: list[str] | tuple[str, ...] = (),
    jobs: int = 1,
    cache_dir: str | Path | None = None,
) -> ScanResult:
    """Check `paths` as `readycheck check` does, and return what it found.

    `config` names a config file (trusted, as `--config`); without it the nearest `.readycheck.yaml` or
    `[tool.readycheck]` is used, as on the command line. `select` and `ignore` take rule ids, names,
    checklists or kinds. Results are cached only when `cache_dir` is given. Raises
    `readycheck.config.ConfigError` or `readycheck.catalog.CatalogError` for a usage error, and
    FileNotFoundError for a path that does not exist (a typo never checks nothing).
    """
    import os
    from pathlib import Path

    from readycheck.catalog import load_catalog
    from readycheck.config import load_config
    from readycheck.orchestrate import scan as scan_paths

    given = [str(p) for p in paths]
    for path in given:
        if not os.path.exists(path):
            raise FileNotFoundError(path)
    settings = load_config(config, Path.cwd(), given)
    catalog = load_catalog([Path(d) for d in [*settings.rules_dirs, *rules_dirs]])
    if select:
        settings.select = list(select)
    settings.ignore = [*settings.ignore, *ignore]
    return scan_paths(given, catalog, settings, jobs=jobs, cache_dir=Path(cache_dir) if cache_dir else None,
                      context_options={"helm": {"values": [], "set": []}}, report_only_given=True)
