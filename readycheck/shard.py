"""`--shard K/N`: a deterministic split of a scan across CI runners.

A group (a directory's files, or a whole chart) always lands in one shard,
chosen by a hash of its path relative to where readycheck runs, so adding a
service elsewhere moves nothing else, and every runner agrees without talking.

A shard's JSON report carries K, N and a scan id, so that `readycheck merge`
can refuse a shard given twice, shards of different scans, and a missing shard.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from readycheck.discover import Target


class ShardError(ValueError):
    pass


def parse_shard(text: str) -> tuple[int, int]:
    try:
        k_text, n_text = text.split("/")
        k, n = int(k_text), int(n_text)
    except ValueError:
        raise ShardError(f"--shard takes K/N such as 2/4, not '{text}'") from None
    if n < 1 or not 1 <= k <= n:
        raise ShardError(f"--shard {text}: K must be between 1 and N")
    return k, n


def group_identity(group: list[Target], base: Path) -> str:
    first = group[0]
    anchor = first.path if first.kind == "helm" else first.path.parent
    try:
        return anchor.resolve().relative_to(base).as_posix()
    except ValueError:
        return anchor.as_posix()


def in_shard(group: list[Target], shard: tuple[int, int], base: Path) -> bool:
    k, n = shard
    digest = hashlib.sha256(group_identity(group, base).encode()).digest()
    return int.from_bytes(digest[:8], "big") % n == k - 1


SCAN_ID_ENVIRONMENT = ("READYCHECK_SCAN_ID", "GITHUB_SHA", "GITHUB_RUN_ID")
"""The variables that tell one CI run (of one commit) from another; READYCHECK_SCAN_ID for any other CI."""


def scan_id(options: Mapping[str, Any], count: int, environ: Mapping[str, str]) -> str:
    """The same for every shard of one scan, without the runners talking: a hash of the readycheck version,
    N, what decides the findings (paths and options, not K) and the CI run it belongs to."""
    from readycheck import __version__

    identity = {
        "version": __version__,
        "count": count,
        "options": dict(options),
        "environment": {name: environ.get(name, "") for name in SCAN_ID_ENVIRONMENT},
    }
    return hashlib.sha256(json.dumps(identity, sort_keys=True, default=str).encode()).hexdigest()[:16]
