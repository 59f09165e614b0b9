"""`docker buildx bake` files (HCL or JSON): read as input of the service map only, no rule judges them.

A bake file says which Dockerfile each target builds (`context`, `dockerfile`, `target`) and the image names it
tags (`tags`), so it links a Dockerfile to the manifests that run its image. The document keeps, per target, only
those attributes and `inherits`, and per variable its default: readycheck.services resolves them (it never
stores a variable's value in the facts, which are cached and printed).
"""

from __future__ import annotations

from typing import Any

from readycheck.discover import Target
from readycheck.hcl import UNKNOWN, Block, parse
from readycheck.loaders import LoadContext
from readycheck.model import Document, Pointer, Span
from readycheck.textio import LoadError, read_text
from readycheck.yamlsource import load_yaml_documents

TARGET_ATTRIBUTES = ("context", "dockerfile", "target", "tags", "inherits")
"""What the service map reads of a target (args, secrets, outputs and the rest never reach the facts)."""


class BakeDocument(Document):
    """A bake file's variables (defaults), groups and targets; no rule has the kind `bake`."""

    kind = "bake"
    text_is_file = True


def _plain(value: Any) -> Any:
    """A value as the facts can hold it: UNKNOWN becomes None, lists and strings are kept."""
    if value is UNKNOWN:
        return None
    if isinstance(value, list):
        return [None if v is UNKNOWN else v for v in value]
    return value


def _from_hcl(root: Block) -> tuple[dict[str, Any], dict[Pointer, Span]]:
    data: dict[str, Any] = {"variables": {}, "groups": {}, "targets": {}}
    locations: dict[Pointer, Span] = {}
    for block in root.blocks:
        if len(block.labels) != 1 or block.type not in ("variable", "group", "target"):
            continue  # functions, and blocks bake does not know
        name = block.labels[0]
        section = {"variable": "variables", "group": "groups", "target": "targets"}[block.type]
        entry = data[section].setdefault(name, {})  # a block given twice is merged, as bake does
        locations.setdefault((section, name), Span(block.line))
        wanted = {"variable": ("default",), "group": ("targets",), "target": TARGET_ATTRIBUTES}[block.type]
        for key in wanted:
            if key in block.attributes:
                value, line = block.attributes[key]
                entry[key] = _plain(value)
                locations[(section, name, key)] = Span(line)
    return data, locations


def _from_json(text: str) -> tuple[dict[str, Any], dict[Pointer, Span]]:
    documents = load_yaml_documents(text)
    raw = documents[0].data if documents else {}
    if not isinstance(raw, dict):
        raise LoadError("a JSON bake file is an object with 'target', 'group' and 'variable' keys", 1)
    found = documents[0].locations if documents else {}
    data: dict[str, Any] = {"variables": {}, "groups": {}, "targets": {}}
    locations: dict[Pointer, Span] = {}
    for key, section, wanted in (("variable", "variables", ("default",)), ("group", "groups", ("targets",)),
                                 ("target", "targets", TARGET_ATTRIBUTES)):
        blocks = raw.get(key)
        if not isinstance(blocks, dict):
            continue
        for name, body in blocks.items():
            if not isinstance(body, dict):
                continue
            data[section][str(name)] = {k: body[k] for k in wanted if k in body}
            if (key, name) in found:
                locations[(section, str(name))] = found[(key, name)]
    return data, locations


def load(target: Target, context: LoadContext) -> list[Document]:
    text = read_text(target.path, context.max_bytes, context.root_of(target))
    data, locations = _from_json(text) if target.path.name.endswith(".json") else _from_hcl(parse(text))
    return [BakeDocument(context.relpath(target.path), text, data, locations)]
