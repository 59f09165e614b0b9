"""How far an inline `# readycheck: ignore=ID` reaches, in every kind whose files have comments.

A comment alone on its line covers the line below; a comment at the end of a
line covers that line only, never the next one.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from readycheck.catalog import Catalog
from readycheck.config import Config
from readycheck.orchestrate import scan

# kind: (file name, rule, first line, second line, indent of a comment alone on its line); both lines report the rule
CASES = {
    "dockerfile": ("Dockerfile", "DF701", "FROM alpine:3.20\nUSER app\n",
                   "RUN wget -qO- https://a.example/i.sh | sh", "RUN wget -qO- https://b.example/i.sh | sh", ""),
    "workflow": (".github/workflows/ci.yml", "GH402",
                 "on: push\npermissions: {}\njobs:\n  build:\n    runs-on: ubuntu-24.04\n    timeout-minutes: 5\n"
                 "    steps:\n",
                 "      - run: curl -fsSL https://a.example/i.sh | sh", "      - run: curl -fsSL https://b.example/i.sh | sh",
                 "      "),
    "kubernetes": ("pod.yaml", "K8S501", "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers:\n",
                   '    - {name: a, image: "nginx:latest"}', '    - {name: b, image: "redis:latest"}', "    "),
    "compose": ("compose.yaml", "DC301", "services:\n",
                '  a: {image: "nginx:latest"}', '  b: {image: "redis:latest"}', "  "),
    "env": (".env", "ENV042", "", "first_key=1", "second_key=2", ""),
}


def lines_reported(tmp_path: Path, catalog: Catalog, kind: str, first: str, second: str) -> list[int]:
    name, rule, head, _, _, _ = CASES[kind]
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(head + first + "\n" + second + "\n")
    result = scan([str(tmp_path)], catalog, Config(select=[rule]), base=tmp_path)
    assert result.errors == []
    offset = head.count("\n")
    return sorted(f.span.line - offset for f in result.findings if f.rule == rule)


@pytest.mark.parametrize("kind", sorted(CASES))
def test_a_trailing_comment_covers_its_own_line_only(tmp_path: Path, catalog: Catalog, kind: str) -> None:
    _, rule, _, first, second, _ = CASES[kind]
    assert lines_reported(tmp_path, catalog, kind, first, second) == [1, 2]  # both lines report without a comment
    assert lines_reported(tmp_path, catalog, kind, f"{first}  # readycheck: ignore={rule}", second) == [2]


@pytest.mark.parametrize("kind", sorted(CASES))
def test_a_comment_alone_on_its_line_covers_the_next_line(tmp_path: Path, catalog: Catalog, kind: str) -> None:
    _, rule, _, first, second, indent = CASES[kind]
    # the comment takes line 1; the lines that report are now 2 and 3
    assert lines_reported(tmp_path, catalog, kind, f"{indent}# readycheck: ignore={rule}\n{first}", second) == [3]
