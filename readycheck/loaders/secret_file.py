"""Repository-level secret files (private keys, .npmrc, .pypirc, .netrc, cloud credentials) as documents.

Discovery only names files that .gitignore does not exclude, so a file seen
here is one that is (or is about to be) committed. What the file holds is
decided by the shared detector (`readycheck.secrets.classify_secret_file`).
"""

from __future__ import annotations

from collections.abc import Iterator

from readycheck.discover import Target
from readycheck.loaders import LoadContext
from readycheck.model import Document, Span, Subject
from readycheck.secrets import classify_secret_file
from readycheck.textio import LoadError, decode, read_bytes


class SecretFileDocument(Document):
    kind = "secret-file"

    def build_subjects(self, target: str) -> Iterator[Subject]:
        if target == "secret-file.file":
            yield Subject(self, self.data, (), key=self.path)


def load(target: Target, context: LoadContext) -> list[Document]:
    raw = read_bytes(target.path, context.max_bytes, context.root_of(target))
    try:
        text: str | None = decode(raw)
    except LoadError:
        text = None  # a binary key bundle (.p12): its presence is what matters
    match = classify_secret_file(target.path, text)
    data = {"name": target.path.name, "binary": text is None}
    line = (text or "").count("\n", 0, match.start) + 1 if match is not None else 1
    doc = SecretFileDocument(context.relpath(target.path), text or "", data, {(): Span(1), ("match",): Span(line)})
    doc.data["match"] = match
    return [doc]
