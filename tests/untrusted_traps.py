"""Traps for the hostile-repository tests: processes started, files opened, requests received.

`forbid_side_effects` (sockets and process creation) comes from test_hostile_side_effects; this adds
what a test about reading outside the root and fetching needs: an audit hook that records every file
opened under a directory, and a local HTTP server that counts the connections it accepts.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

_watched: list[tuple[str, list[str]]] = []
_hooked = False


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if event != "open" or not _watched or not args or not isinstance(args[0], (str, bytes, os.PathLike)):
        return
    path = os.fsdecode(args[0])
    resolved = os.path.realpath(path)
    for directory, opened in _watched:
        if resolved == directory or resolved.startswith(directory + os.sep):
            opened.append(resolved)


@contextmanager
def opens_under(directory: Path) -> Iterator[list[str]]:
    """Every file opened (builtins.open, io.open, os.open, urllib's file://) under `directory` while inside."""
    global _hooked
    if not _hooked:
        sys.addaudithook(_audit)  # an audit hook cannot be removed: one, idle outside these blocks
        _hooked = True
    opened: list[str] = []
    entry = (os.path.realpath(directory), opened)
    _watched.append(entry)
    try:
        yield opened
    finally:
        _watched.remove(entry)


class CountingServer:
    """An HTTP server on 127.0.0.1 that serves a small JSON schema and counts every connection it accepts."""

    def __init__(self) -> None:
        self.connections = 0
        self.requests: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (the http.server name)
                outer.requests.append(self.path)
                body = b'{"type": "string", "$anchor": "meta", "$dynamicAnchor": "meta"}'
                self.send_response(200)
                self.send_header("Content-Type", "application/schema+json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                return

        class Server(ThreadingHTTPServer):
            def verify_request(self, request: Any, client_address: Any) -> bool:
                outer.connections += 1
                return True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> CountingServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


# A small chart whose image comes from values: the tree the config and cache cases scan.
CHART = {
    "Chart.yaml": "apiVersion: v2\nname: shop\nversion: 0.1.0\n",
    "values.yaml": "image:\n  repository: ghcr.io/acme/shop\n  tag: 1.2.3\n",
    "templates/deployment.yaml": """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: shop
spec:
  selector: {matchLabels: {app: shop}}
  template:
    metadata: {labels: {app: shop}}
    spec:
      containers:
        - name: shop
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
""",
}
