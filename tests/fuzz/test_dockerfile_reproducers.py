"""Reproducers the campaign found in the Dockerfile loader, kept as regression tests."""

from __future__ import annotations

from pathlib import Path

from readycheck.discover import Target
from readycheck.evaluate import load_target
from readycheck.loaders import LoadContext
from readycheck.loaders.dockerfile import build_model

HERE = Path(__file__).resolve().parent


def test_campaign_crasher_stage_named_like_its_own_base() -> None:
    """`FROM ${BASE} AS node:22` repeated: each stage's base names the stage before it (was KeyError)."""
    path = HERE / "dockerfile-repeated-stage-name.Dockerfile"
    docs, errors = load_target(Target(path, "dockerfile"), LoadContext(base=HERE))
    assert errors == [] and len(docs) == 1
    parents = [s["parent_stage"] for s in docs[0].data["stages"]]
    assert parents[:4] == [None, 0, 1, 2]
    assert all(p is None or p < i for i, p in enumerate(parents))


def test_a_stage_reference_means_the_latest_stage_of_that_name_before_it() -> None:
    text = (
        "FROM alpine:3.20 AS base\n"
        "FROM base AS base\nHEALTHCHECK CMD true\n"
        "FROM base\n"
    )
    data, _ = build_model(text, "Dockerfile", None, None)
    stages = data["stages"]
    assert [s["parent_stage"] for s in stages] == [None, 0, 1]
    assert [s["inherits_healthcheck"] for s in stages] == [False, False, True]
    assert stages[2]["root_base"]["image"] == "alpine:3.20"
