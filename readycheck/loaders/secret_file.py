"""Repository-level secret files (private keys, .npmrc, .pypirc, .netrc, cloud credentials) as documents.

In a secrets-only scan, a file named one by one that is of no other kind (a `.py`, an `.ini`, a `.tf`, a YAML
that is no manifest) is loaded here too, and its whole text is searched by the shared detector.

Discovery only names files that .gitignore does not exclude, so a file seen
here is one that is (or is about to be) committed. What the file holds is
decided by the shared detector (`readycheck.secrets.classify_secret_file`).
"""

from __future__ import annotations

from collections.abc import Iterator

from readycheck.discover import Target, is_secret_file_name
from readycheck.loaders import LoadContext
from readycheck.model import Document, Pointer, Span, Subject
from readycheck.secrets import classify_secret_file, scan_text
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
    named_like_a_credential = is_secret_file_name(target.path)
    if text is None and not named_like_a_credential:
        return []  # any other file searched for secrets (a secrets-only scan): binary data is not text to search
    match = classify_secret_file(target.path, text)
    data: dict[str, object] = {"name": target.path.name, "binary": text is None, "text": not named_like_a_credential}
    line = (text or "").count("\n", 0, match.start) + 1 if match is not None else 1
    spans: dict[Pointer, Span] = {(): Span(1), ("match",): Span(line)}
    found = [] if named_like_a_credential or text is None else scan_text(text)
    for index, secret in enumerate(found):
        spans[("secrets", index)] = Span(text.count("\n", 0, secret.start) + 1 if text else 1)
    doc = SecretFileDocument(context.relpath(target.path), text or "", data, spans)
    doc.data["match"] = match
    doc.data["secrets"] = found
    return [doc]
