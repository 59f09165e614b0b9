"""Edits that fix a finding, made the same way in every kind: text edits at exact spans of a document's text.

A fix must change only what it fixes: comments, quoting, key order, indentation and blank lines elsewhere stay
as written. So a fix is never a re-serialisation of parsed data; it is an insertion or a replacement at a place
the document's locations name, checked against the text that is there. Where the text does not allow a clean
edit (a flow mapping, an anchor or alias that other nodes share, a block scalar that keeps trailing lines, a
command written in a way the locations do not map) the helpers return a Refusal saying why: no fix is better
than a wrong one, and `check --show-fixes` tells the reader why there was none.

YAML helpers work on any Document whose `locations` hold the key position of each mapping entry (every YAML
kind); command helpers on a parsed shell Command whose first line is known.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from readycheck.model import Document, Edit, Fix, Pointer


class Refusal:
    """Why an edit was not made (falsy, so `edit or other` tries another place)."""

    def __init__(self, why: str) -> None:
        self.why = why

    def __bool__(self) -> bool:
        return False


ANCHORS = Refusal("the node to edit carries a YAML anchor (or comes from one): aliases elsewhere share it")
FLOW = Refusal("the mapping is written in flow style ({...}) or its keys do not line up: it cannot be extended cleanly")
KEEP = Refusal("a block scalar keeps its trailing lines (|+): an entry added after it would change its value")
NOT_LOCATED = Refusal("the place to edit has no location in the file")
NOT_ONE_LINE = Refusal("the entry's value goes on over several lines")
NOT_PLAIN = Refusal("the value is not a plain one-line scalar")
COMMAND_NOT_FOUND = Refusal("the command's text does not map back onto the file (a heredoc, an exec form, a reflowed script)")


def make_fix(description: str, edit: Edit | Refusal, safety: str = "safe") -> Fix:
    """A fix of one edit, or (for a refusal) a fix without edits whose description says why there is none."""
    if isinstance(edit, Edit):
        return Fix(description, (edit,), safety)
    return Fix.refused(edit.why)


_BLOCK_PREFIX = re.compile(r"^[ ]*(?:-[ ]+)*$")
_KEEP_CHOMPING = re.compile(r":[ \t]*[|>][0-9]?\+")
_PLAIN_SAFE = re.compile(r"^[A-Za-z0-9_.\-/:@]*$")


_ANCHOR = re.compile(r"(?:^|[:,\[{]|-(?=[ \t]))[ \t]*&[A-Za-z0-9_.\-/]+(?=[ \t]*(?:$|[#,\]}])|[ \t]+\S)")


def anchored_lines(doc: Document) -> frozenset[int]:
    """The lines of every node that carries an anchor (`&name`): aliases share it, so an edit there would change
    each place that refers to it. A block node runs from its anchor's line to the last line indented deeper."""
    cached: frozenset[int] | None = getattr(doc, "_anchored_lines", None)
    if cached is not None:
        return cached
    lines = doc.lines
    found: set[int] = set()
    for number, line in enumerate(lines, 1):
        if line.lstrip().startswith("#") or not _ANCHOR.search(line.split(" #", 1)[0]):
            continue
        found.add(number)
        indent = _indent(line)
        for following in range(number + 1, len(lines) + 1):
            text = lines[following - 1]
            if text.strip() and not text.lstrip().startswith("#") and _indent(text) <= indent:
                break
            found.add(following)
    cached = frozenset(found)
    doc._anchored_lines = cached  # type: ignore[attr-defined]
    return cached


def _shared(doc: Document, *lines: int) -> bool:
    """Whether an edit at these lines would land in an anchored node (an alias's target)."""
    anchored = anchored_lines(doc)
    return bool(anchored) and any(n in anchored for n in lines)


def _child_index(doc: Document) -> dict[Pointer, list[tuple[int, int, object]]]:
    """Each located pointer's located children as (line, column, key), in file order: built once per document,
    so that a fix per container of a large manifest does not scan every location again."""
    cached: dict[Pointer, list[tuple[int, int, object]]] | None = getattr(doc, "_child_index", None)
    if cached is None:
        cached = {}
        for p, span in doc.locations.items():
            if p:
                cached.setdefault(p[:-1], []).append((span.line, span.column, p[-1]))
        for children in cached.values():
            children.sort(key=lambda c: (c[0], c[1]))
        doc._child_index = cached  # type: ignore[attr-defined]
    return cached


def _children(doc: Document, pointer: Pointer) -> list[tuple[int, int]]:
    """(line, column) of each key of the mapping at `pointer`, in file order (keys merged in from an anchor
    defined above it are not its own)."""
    parent = doc.locations.get(pointer)
    first = parent.line if parent is not None else 0
    return [(line, column) for line, column, key in _child_index(doc).get(pointer, [])
            if isinstance(key, str) and line >= first]


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _block_end(doc: Document, first_line: int, indent: int) -> int | Refusal:
    """The last line (1-based) holding content of the block mapping whose keys start at column `indent` + 1 and
    whose first key is on `first_line`; None when a block scalar keeps its trailing lines (`|+`)."""
    lines = doc.lines
    last = first_line
    for number in range(first_line + 1, len(lines) + 1):
        line = lines[number - 1]
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped in ("---", "...") and _indent(line) == 0:
            break
        own = _indent(line)
        if own < indent or (own == indent and not stripped.startswith("- ") and stripped != "-"):
            if own == indent:
                last = number  # a sibling key: still this mapping
                continue
            break
        last = number
    if any(_KEEP_CHOMPING.search(doc.lines[n - 1]) for n in range(first_line, last + 1)):
        return KEEP
    return last


def _mapping_place(doc: Document, pointer: Pointer) -> tuple[int, int] | Refusal:
    """The last content line of the block mapping at `pointer` and its key indentation, or why it is not a block
    mapping that can be extended cleanly."""
    keys = _children(doc, pointer)
    if not keys:
        return FLOW if pointer in doc.locations else NOT_LOCATED  # `{}` or a value that is no mapping
    indent = keys[0][1] - 1
    for line, column in keys:
        if column - 1 != indent or not _BLOCK_PREFIX.match(doc.lines[line - 1][: column - 1]):
            return FLOW
    end = _block_end(doc, keys[0][0], indent)
    return (end, indent) if isinstance(end, int) else end


def insert_entry(doc: Document, pointer: Pointer, entry: list[str]) -> Edit | Refusal:
    """An edit adding `entry` (lines relative to the mapping's indentation, `key: value` first) as the last entry
    of the block mapping at `pointer`, or why that cannot be done cleanly."""
    place = _mapping_place(doc, pointer)
    if isinstance(place, Refusal):
        return place
    end, indent = place
    if _shared(doc, end, *(line for line, _ in _children(doc, pointer))):
        return ANCHORS
    line = doc.lines[end - 1]
    text = "".join("\n" + " " * indent + part for part in entry)
    return Edit.insert(end, len(line) + 1, text)


def insert_beside(doc: Document, key: Pointer, entry: list[str], before: bool = False) -> Edit | Refusal:
    """An edit adding `entry` as a sibling right after the one-line mapping entry `key` (or right before it), so
    that related keys stay together (`timeout-minutes` after `runs-on`, `permissions` before `jobs`)."""
    span = doc.locations.get(key)
    if span is None or span.line > len(doc.lines):
        return NOT_LOCATED
    if _shared(doc, span.line):
        return ANCHORS
    line = doc.lines[span.line - 1]
    indent = span.column - 1
    if not _BLOCK_PREFIX.match(line[:indent]):
        return FLOW
    if before:
        if line[:indent].strip():
            return FLOW  # the first key of a sequence item: nothing can go before it
        return Edit.insert(span.line, 1, "".join(" " * indent + part + "\n" for part in entry))
    for number in range(span.line + 1, len(doc.lines) + 1):
        following = doc.lines[number - 1]
        if following.strip() and not following.strip().startswith("#"):
            if _indent(following) > indent:
                return NOT_ONE_LINE
            break
    if _KEEP_CHOMPING.search(line):
        return KEEP
    return Edit.insert(span.line, len(line) + 1, "".join("\n" + " " * indent + part for part in entry))


def set_entry(doc: Document, pointer: Pointer, keys: list[str], value: str) -> Edit | Refusal:
    """An edit giving `keys` (a path below the mapping at `pointer`) the scalar `value`: inserted where the path
    is missing (creating the mappings on the way), the scalar replaced where the last key is there."""
    for depth in range(len(keys), 0, -1):
        here = pointer + tuple(keys[:depth])
        if here not in doc.locations:
            continue
        if depth == len(keys):
            return replace_scalar(doc, here, value)
        return insert_entry(doc, here, _nested(keys[depth:], value))
    return insert_entry(doc, pointer, _nested(keys, value))


def _nested(keys: list[str], value: str) -> list[str]:
    return [("  " * i) + key + ":" for i, key in enumerate(keys[:-1])] + [("  " * (len(keys) - 1)) + f"{keys[-1]}: {value}"]


_KEY_LINE = re.compile(r"""(?P<key>"[^"]*"|'[^']*'|[^\s:#][^:#]*?)[ \t]*:[ \t]+(?P<value>[^\s#][^#]*?)[ \t]*(?:[ \t]#.*)?$""")


def replace_scalar(doc: Document, pointer: Pointer, value: str) -> Edit | Refusal:
    """An edit replacing the plain one-line scalar at the mapping entry `pointer` by `value`."""
    span = doc.locations.get(pointer)
    if span is None or span.line > len(doc.lines):
        return NOT_LOCATED
    if _shared(doc, span.line):
        return ANCHORS
    line = doc.lines[span.line - 1]
    match = _KEY_LINE.match(line, span.column - 1)
    if match is None:
        return NOT_PLAIN
    old = match["value"]
    if not _PLAIN_SAFE.match(old.strip("'\"")) or old[0] in "[{|>&*!":
        return NOT_PLAIN
    start = match.start("value") + 1
    return Edit(span.line, start, span.line, start + len(old), old, value)


# --- shell commands ---------------------------------------------------------------------------------------------


def command_edit(doc: Document, line: int, text: str, start: int, end: int, new: str) -> Edit | Refusal:
    """An edit replacing `text[start:end]` of a command written as `text`, whose first line begins on `line` of
    the document; a refusal when the command cannot be found where it should be (a heredoc, a reflowed script)."""
    if not 1 <= line <= len(doc.lines):
        return COMMAND_NOT_FOUND
    first = text.split("\n", 1)[0]
    column = doc.lines[line - 1].find(first)
    if not first or column < 0:
        return COMMAND_NOT_FOUND
    before = text[:start]
    if "\n" in text[start:end]:
        return COMMAND_NOT_FOUND
    row = line + before.count("\n")
    if row > len(doc.lines):
        return COMMAND_NOT_FOUND
    if "\n" in before:
        tail = before.rsplit("\n", 1)[1]
        written = doc.lines[row - 1]
        text_line = text.split("\n")[before.count("\n")]
        offset = len(written) - len(text_line.rstrip()) if written.rstrip().endswith(text_line.rstrip()) else -1
        if offset < 0:
            return COMMAND_NOT_FOUND
        col = offset + len(tail) + 1
    else:
        col = column + start + 1
    old = text[start:end]
    if doc.lines[row - 1][col - 1: col - 1 + len(old)] != old:
        return COMMAND_NOT_FOUND
    return Edit(row, col, row, col + len(old), old, new)


def insert_after_word(doc: Document, line: int, text: str, word: str, addition: str) -> Edit | Refusal:
    """An edit inserting `addition` right after the first whole word `word` (past the program name) of a command."""
    match = re.search(r"(?<=\s)" + re.escape(word) + r"(?=\s|$)", text)
    if match is None:
        return COMMAND_NOT_FOUND
    return command_edit(doc, line, text, match.end(), match.end(), addition)


_SEQUENCE_ITEM = re.compile(r"""^(?P<indent>[ ]*)-[ ]+(?P<quote>["']?)(?P<value>[A-Za-z0-9_.\-]+)(?P=quote)[ \t]*$""")
_FLOW_SEQUENCE = re.compile(r"""^(?P<head>.*?:)[ \t]*\[(?P<items>[^\[\]{}#&*]*)\][ \t]*$""")


def sequence_to_mapping(doc: Document, pointer: Pointer, entry: Callable[[str], list[str]]) -> Edit | Refusal:
    """An edit turning the sequence of plain names at the mapping entry `pointer` into a mapping, each name
    followed by the lines `entry(name)` gives (indented below it): compose's short `depends_on` to the long form.
    Block sequences (one name per line, nothing else between) and one-line flow sequences are rewritten."""
    key = doc.locations.get(pointer)
    if key is None or key.line > len(doc.lines):
        return NOT_LOCATED
    items = [(line, key) for line, _, key in _child_index(doc).get(pointer, []) if isinstance(key, int)]
    if not items:
        return NOT_LOCATED
    if _shared(doc, key.line, *(line for line, _ in items)):
        return ANCHORS
    key_line = doc.lines[key.line - 1]
    if items[0][0] == key.line:
        flow = _FLOW_SEQUENCE.match(key_line)
        if flow is None or any(line != key.line for line, _ in items):
            return NOT_PLAIN
        names = [part.strip().strip("'\"") for part in flow["items"].split(",") if part.strip()]
        if len(names) != len(items) or not all(re.fullmatch(r"[A-Za-z0-9_.\-]+", n) for n in names):
            return NOT_PLAIN
        indent = " " * (key.column - 1 + 2)
        start = len(flow["head"]) + 1
        text = "".join(f"\n{indent}{name}:" + "".join(f"\n{indent}  {line}" for line in entry(name)) for name in names)
        return Edit(key.line, start, key.line, len(key_line) + 1, key_line[start - 1:], text)
    first, last = items[0][0], items[-1][0]
    if last - first + 1 != len(items):
        return NOT_ONE_LINE  # comments, blank lines or multi-line items between the names
    names = []
    indent = ""
    for number in range(first, last + 1):
        match = _SEQUENCE_ITEM.match(doc.lines[number - 1])
        if match is None:
            return NOT_PLAIN
        indent = match["indent"]
        names.append(match["value"])
    old = "\n".join(doc.lines[first - 1: last])
    new = "\n".join(f"{indent}{name}:" + "".join(f"\n{indent}  {line}" for line in entry(name)) for name in names)
    return Edit(first, 1, last, len(doc.lines[last - 1]) + 1, old, new)


def remove_entry(doc: Document, pointer: Pointer) -> Edit | Refusal:
    """An edit deleting the one-line mapping entry `pointer`, its whole line (not the first key of a sequence item,
    whose line holds the dash)."""
    span = doc.locations.get(pointer)
    if span is None or span.line >= len(doc.lines) + 1:
        return NOT_LOCATED
    if _shared(doc, span.line):
        return ANCHORS
    line = doc.lines[span.line - 1]
    indent = span.column - 1
    if line[:indent].strip():
        return Refusal("the entry shares its line with the sequence item's dash")
    for number in range(span.line + 1, len(doc.lines) + 1):
        following = doc.lines[number - 1]
        if following.strip() and not following.strip().startswith("#"):
            if _indent(following) > indent:
                return NOT_ONE_LINE
            break
    return Edit(span.line, 1, span.line + 1, 1, line + "\n", "")
