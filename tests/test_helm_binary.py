"""`--helm-renderer helm`: helm's output is cut at its `# Source:` comments; without helm, a clear error."""

from __future__ import annotations

from pathlib import Path

import pytest

from readycheck.helm.binary import render_with_helm, split_sources

OUTPUT = """\
---
# Source: shop/templates/service.yaml
apiVersion: v1
kind: Service
metadata:
  name: rel-shop
---
# Source: shop/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
"""


def test_helm_output_is_cut_per_template_with_lines_inside_it() -> None:
    manifests = split_sources(OUTPUT, "shop")
    assert [m.template for m in manifests] == ["templates/service.yaml", "templates/deployment.yaml"]
    service = manifests[0]
    assert service.text.splitlines()[1] == "kind: Service"
    assert (service.origins[1].template, service.origins[1].line) == ("templates/service.yaml", 2)


def test_missing_helm_binary_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "Chart.yaml").write_text("apiVersion: v2\nname: shop\nversion: 0.1.0\n")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    result = render_with_helm(tmp_path)
    assert result.manifests == []
    assert [e.message for e in result.errors] == ["--helm-renderer helm: no `helm` on PATH"]
