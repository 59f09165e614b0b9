"""Kubernetes manifest files: YAML or JSON, multi-document, `List` objects flattened."""

from __future__ import annotations

from readycheck.discover import Target
from readycheck.k8s import build_kubernetes_documents
from readycheck.loaders import LoadContext
from readycheck.model import Document, ScanError
from readycheck.textio import never_cached, read_text
from readycheck.yamlsource import load_yaml_documents


def load(target: Target, context: LoadContext) -> list[Document]:
    text = read_text(target.path, context.max_bytes, context.root_of(target))
    yaml_docs = load_yaml_documents(text)

    def shape_error(path: str, line: int | None, message: str) -> None:
        context.extra_errors.append(ScanError(path, line, message, never_cached(message)))

    return list(build_kubernetes_documents(context.relpath(target.path), text, yaml_docs,
                                           config=context.options.get("config"), on_shape_error=shape_error))
