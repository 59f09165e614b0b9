"""Rule documentation rendered from the rule files: table, JSON, Markdown, explain."""

from __future__ import annotations

import json
import re
from typing import Any

from readycheck.catalog import Rule


def catalog_table(rules: list[Rule]) -> str:
    width = max((len(r.name) for r in rules), default=10)
    lines = [f"{'ID':<8} {'NAME':<{width}} {'CHECKLIST':<18} {'SEVERITY':<8} {'FIX':<6} SUMMARY"]
    for r in rules:
        lines.append(f"{r.id:<8} {r.name:<{width}} {r.checklist:<18} {r.severity:<8} {r.fix_safety or '-':<6} {r.summary}")
    lines.append(f"{len(rules)} rules")
    return "\n".join(lines) + "\n"


def catalog_json(rules: list[Rule]) -> str:
    return json.dumps([r.as_dict() for r in rules], indent=2) + "\n"


def rule_markdown(rule: Rule, heading: str = "##") -> str:
    return (
        f"{heading} {rule.id} {rule.name}\n\n"
        f"*{rule.checklist}* · default severity **{rule.severity}** · target `{rule.target}`\n\n"
        f"**What it does.** {rule.summary}\n\n"
        f"**Why it matters.** {rule.why.strip()}\n\n"
        f"**How to fix.** {rule.fix.strip()}\n\n"
        f"**Fix safety.** {fix_safety_text(rule)}\n\n"
        f"Bad:\n\n{_example_markdown(rule.examples['bad'])}\n"
        f"Good:\n\n{_example_markdown(rule.examples['good'])}"
        + (
            "\nOptions: " + ", ".join(f"`{k}` (default `{json.dumps(v)}`)" for k, v in rule.options.items()) + "\n"
            if rule.options
            else ""
        )
    )


def catalog_markdown(rules: list[Rule]) -> str:
    parts = ["# readycheck rules\n", "| id | name | checklist | severity | fix | summary |",
             "| --- | --- | --- | --- | --- | --- |"]
    parts += [f"| {r.id} | {r.name} | {r.checklist} | {r.severity} | {r.fix_safety or ''} | {r.summary} |" for r in rules]
    parts.append("")
    parts += [rule_markdown(r) for r in rules]
    return "\n".join(parts)


def explain_text(rule: Rule) -> str:
    options = "".join(f"  {k}: {json.dumps(v)}\n" for k, v in rule.options.items())
    return (
        f"{rule.id} {rule.name} ({rule.checklist}, {rule.severity})\n\n"
        f"What: {rule.summary}\n\n"
        f"Why: {rule.why.strip()}\n\n"
        f"Fix: {rule.fix.strip()}\n\n"
        f"Bad:\n{_indent(rule.examples['bad'])}\n\n"
        f"Good:\n{_indent(rule.examples['good'])}\n"
        + (f"\nOptions:\n{options}" if options else "")
    )


def fix_safety_text(rule: Rule) -> str:
    """Whether `check --fix` fixes the rule's findings, in a sentence (ruff's "Fix safety")."""
    if rule.fix_safety == "safe":
        return ("`readycheck check --fix` fixes it where the file allows a clean edit (some cases need "
                "--unsafe-fixes; --show-fixes says which and why).")
    if rule.fix_safety == "unsafe":
        return "the fix changes behaviour: `readycheck check --fix --unsafe-fixes` applies it; review the diff."
    return "no automatic fix."


def explain_sources(rule: Rule) -> str:
    """What `readycheck explain` adds after the documentation: the upstream references, and how the rule judges.

    Kept out of explain_text, which is also the SARIF help of every rule: those bytes do not change.
    """
    lines = ["", "References:", *(f"  {url}" for url in rule.references)] if rule.references else []
    if rule.check:
        params = ", ".join(f"{k}={json.dumps(v)}" for k, v in rule.params.items())
        lines += ["", f"Check: {rule.check}" + (f" with fixed params {params}" if params else "")]
    elif rule.schema is not None:
        lines += ["", "Check: a JSON Schema on the subject (see the rule file)"]
    lines.append(f"Target: {rule.target} (`readycheck targets`)")
    lines.append(f"Fix safety: {rule.fix_safety or 'none'}: {fix_safety_text(rule)}")
    return "\n".join(lines) + "\n"


EXAMPLE_FILE = re.compile(r"^# file: (?P<path>[\w.@+-]+(?:/[\w.@+-]+)*)[ \t]*$")
"""The line that starts each file of an example written as several files."""


def example_files(text: str) -> list[tuple[str, str]] | None:
    """The (path, text) of each file of an example that starts with a `# file: PATH` line, else None (a snippet).

    An example that needs a second file to be true (the .dockerignore beside a Dockerfile, the schema beside an
    env file, the Service that selects a Deployment's pods) writes each whole file under its own marker line, so
    the reader sees every file and tests/test_rule_examples.py can scan them as they are.
    """
    lines = text.splitlines()
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None or not EXAMPLE_FILE.match(lines[first]):
        return None
    files: list[tuple[str, list[str]]] = []
    for line in lines[first:]:
        marker = EXAMPLE_FILE.match(line)
        if marker:
            files.append((marker["path"], []))
        else:
            files[-1][1].append(line)
    out = []
    for path, body in files:
        content = "\n".join(body).strip("\n")
        out.append((path, content + "\n" if content else ""))
    return out


def _example_markdown(text: str) -> str:
    """One fenced block for a snippet; for an example of several files, one block per file under its path."""
    files = example_files(text)
    if files is None:
        return f"```\n{text.rstrip()}\n```\n"
    return "\n".join(f"`{path}`\n\n```\n{content.rstrip()}\n```\n" for path, content in files)


def _indent(text: str) -> str:
    """Indented four spaces; a blank line (between the files of an example) stays empty, with no trailing space."""
    return "\n".join("    " + line if line.strip() else "" for line in text.rstrip().splitlines())


# --- targets: what a rule can judge, and the data of each subject -----------------------------------


def _type_name(hint: Any) -> str:
    """A field's type as written in Python (`list[Command]`, `str | None`)."""
    import types
    import typing

    if hint is Any:
        return "Any"
    if hint is type(None):
        return "None"
    args = typing.get_args(hint)
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        return " | ".join(_type_name(a) for a in args)
    if args:
        return f"{typing.get_origin(hint).__name__}[{', '.join(_type_name(a) for a in args)}]"
    return str(getattr(hint, "__name__", hint))


def _field_notes() -> dict[str, dict[str, str]]:
    """The docstring under each field of each TypedDict in readycheck/targets.py, by class and field."""
    import ast
    import inspect

    from readycheck import targets

    notes: dict[str, dict[str, str]] = {}
    for node in ast.parse(inspect.getsource(targets)).body:
        if isinstance(node, ast.ClassDef):
            fields = notes.setdefault(node.name, {})
            for before, after in zip(node.body, node.body[1:], strict=False):
                if (isinstance(before, ast.AnnAssign) and isinstance(before.target, ast.Name)
                        and isinstance(after, ast.Expr) and isinstance(after.value, ast.Constant)):
                    fields[before.target.id] = " ".join(str(after.value.value).split())
    return notes


def _data_types(root: type) -> list[type]:
    """`root` and every TypedDict its fields use, in the order they are first met."""
    import typing

    found: list[type] = []

    def visit(hint: Any) -> None:
        if isinstance(hint, type) and typing.is_typeddict(hint):
            if hint in found:
                return
            found.append(hint)
            for value in typing.get_type_hints(hint).values():
                visit(value)
        for arg in typing.get_args(hint):
            visit(arg)

    visit(root)
    return found


def _fields(data: type, notes: dict[str, dict[str, str]]) -> list[tuple[str, str, str]]:
    """(name, type, note) of every field of a TypedDict, optional ones marked with `?`."""
    import typing

    own: dict[str, str] = {}
    for klass in reversed(data.__mro__):
        own.update(notes.get(klass.__name__, {}))
    hints = typing.get_type_hints(data)
    return [(name + ("" if name in data.__required_keys__ else "?"), _type_name(hint), own.get(name, ""))  # type: ignore[attr-defined]
            for name, hint in hints.items()]


def targets_text() -> str:
    """`readycheck targets`: every target, what it judges, and its subject's data type."""
    from readycheck.targets import TARGETS

    lines = []
    for kind, specs in TARGETS.items():
        lines.append(f"{kind}:")
        for spec in specs.values():
            lines.append(f"  {spec.name:<30} {spec.data.__name__:<20} {spec.subject}")
    lines.append("")
    lines.append("Fields, context and an example of each: `readycheck targets --format markdown` (docs/targets.md).")
    return "\n".join(lines) + "\n"


def targets_markdown() -> str:
    """docs/targets.md: every target with its subject's fields, what else a check may read, and an example."""
    from readycheck.targets import EXAMPLES, TARGETS

    notes = _field_notes()
    out = [
        "# Rule targets",
        "",
        "Generated by `readycheck targets --format markdown` from `readycheck/targets.py`; "
        "tests/test_targets.py fails when this page is out of date.",
        "",
        "A rule's `target` says what it judges. A check function receives one subject at a time: "
        "`subject.data` (the type below, which its annotation names, e.g. `Subject[Stage]`, so mypy checks "
        "the fields it reads), `subject.context` (more of the document) and `subject.doc`. A JSON Schema rule "
        "validates `subject.data`. Fields typed `Any` hold the scanned file's own values, as written: "
        "untrusted and of any JSON type. A field marked `?` is not always present.",
        "",
        "| target | subject | data |",
        "| --- | --- | --- |",
    ]
    for specs in TARGETS.values():
        out += [f"| `{s.name}` | {s.subject} | [`{s.data.__name__}`](#{s.data.__name__.lower()}) |" for s in specs.values()]
    documented: set[type] = set()
    for kind, specs in TARGETS.items():
        out += ["", f"## Kind: {kind}", "", "Example:"]
        for name, text in EXAMPLES[kind]:
            out += ["", f"`{name}`", "", "```", text.rstrip(), "```"]
        for spec in specs.values():
            out += ["", f"### `{spec.name}`", "", f"{spec.subject[:1].upper()}{spec.subject[1:]}. "
                    f"Data: [`{spec.data.__name__}`](#{spec.data.__name__.lower()})."]
            if spec.context:
                out += ["", "Context:", ""]
                out += [f"- `{key}`: {text}" for key, text in spec.context.items()]
        for data in [t for s in specs.values() for t in _data_types(s.data)]:
            if data in documented:
                continue
            documented.add(data)
            out += ["", f"#### {data.__name__}", ""]
            if data.__doc__ and not data.__doc__.startswith(("dict(", "A TypedDict")):
                out += [" ".join(data.__doc__.split()), ""]
            out += ["| field | type | |", "| --- | --- | --- |"]
            out += [f"| `{name}` | `{kind_.replace('|', chr(92) + '|')}` | {note} |"  # a | would end the cell
                    for name, kind_, note in _fields(data, notes)]
    return "\n".join(out) + "\n"
