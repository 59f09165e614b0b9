"""`--helm-renderer helm`: helm's output is cut at its `# Source:` comments; without helm, a clear error."""

from __future__ import annotations

import json
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


FAKE_HELM = """\
#!/bin/sh
# a stand-in for `helm template`: an overlay adds lines above the container, as a real overlay would
printf -- '---\\n# Source: shop/templates/pod.yaml\\napiVersion: v1\\nkind: Pod\\nmetadata:\\n  name: p\\n'
case "$*" in *values.test.yaml*) printf -- '  labels:\\n    tier: test\\n    team: qa\\n' ;; esac
printf -- 'spec:\\n  containers:\\n  - name: a\\n    image: nginx:latest\\n'
"""


def test_an_overlay_does_not_report_every_finding_again(tmp_path: Path) -> None:
    from tests.clirun import invoke, write

    bin_dir = tmp_path / "bin"
    helm = write(bin_dir, "helm", FAKE_HELM)
    helm.chmod(0o755)
    repo = tmp_path / "repo"
    write(repo, "shop/Chart.yaml", "apiVersion: v2\nname: shop\nversion: 0.1.0\n")
    write(repo, "shop/values.yaml", "tier: prod\n")
    write(repo, "shop/templates/pod.yaml", "apiVersion: v1\nkind: Pod\n")

    def findings() -> list[tuple[str, int]]:
        run = invoke(["check", "--no-cache", "--format", "json", "--helm-renderer", "helm", "."], repo,
                     env={"PATH": str(bin_dir)})
        return sorted((f["rule"], f["line"]) for f in json.loads(run.stdout)["findings"])

    alone = findings()
    assert ("K8S501", 8) in alone  # the image line of the default rendering
    write(repo, "shop/values.test.yaml", "tier: test\n")
    assert findings() == alone
