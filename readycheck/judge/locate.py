"""Where a finding lands: the nearest located part of what it is about.

A check knows what a finding is about (a pointer into the document); not
every part of a document has a location (a scalar inside a flow list, a
value Helm rendered from a default). The finding lands on the deepest part
of the pointer that has one, in whichever file holds it (a chart maps into
several files). The walk itself is `readycheck.model.nearest`.
"""

from __future__ import annotations

from readycheck.model import Hit, Pointer, Subject, nearest


def hit_at(subject: Subject, pointer: Pointer, message: str, *, key: str = "", severity: str | None = None) -> Hit:
    """A hit at the nearest located part of the absolute `pointer`.

    Under the subject it is relative to the subject (so the engine adds the
    related places of that part); above it, it carries its own line and
    file. Nothing located at all: the subject's owner.
    """
    found = nearest(subject.doc.locations, pointer)
    if found is None:
        return Hit(message, key=key, severity=severity)
    located = found[0]
    if located[: len(subject.pointer)] == subject.pointer:
        return Hit(message, at=located[len(subject.pointer):], key=key, severity=severity)
    doc = subject.doc
    return Hit(message, span=found[1], path=doc.display_path_for(located), key=key, severity=severity)


def located_key(subject: Subject, pointer: Pointer) -> str:
    """The nearest located part of `pointer`, as a stable key (`chart/version`)."""
    found = nearest(subject.doc.locations, pointer)
    return "/".join(map(str, found[0] if found is not None else ()))
