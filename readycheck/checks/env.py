"""Env schema and env file checks: the schema itself, values against it, secrets, syntax, .gitignore."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from readycheck.envfile import Entry, EnvFile
from readycheck.envschema import EnvSchema
from readycheck.model import Document, Edit, Fix, Hit, Pointer, Span, Subject, nearest
from readycheck.secrets import is_placeholder, is_secret_name, redact, scan_value
from readycheck.textio import LoadError, read_text, within

if TYPE_CHECKING:
    from readycheck.targets import EnvEntry, EnvFileData, EnvSchemaData, EnvVariable

ENVIRONMENT_NAMES = ("NODE_ENV", "APP_ENV", "ENVIRONMENT", "LOG_LEVEL")
_PUBLIC_ID = re.compile(r"(CLIENT|APP|PROJECT|ACCOUNT|TENANT|SITE|PUBLISHABLE)_?(ID|KEY)$")

KEYWORD_FAMILIES = {
    "type": ("type",),
    "enum": ("enum", "const"),
    "pattern": ("pattern",),
    "format": ("format",),
    "range": ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"),
    "length": ("minLength", "maxLength"),
}


def _schema_span(schema: EnvSchema, pointer: Pointer) -> Span:
    found = nearest(schema.locations, pointer)
    return found[1] if found is not None else Span(1)


# --- the schema --------------------------------------------------------------------------------


def schema_invalid(subject: Subject[EnvSchemaData], options: dict[str, Any]) -> Iterator[Hit]:
    schema: EnvSchema = subject.context["schema"]
    for pointer, message in schema.problems:
        where = "/".join(map(str, pointer)) or "(top level)"
        yield Hit(f"not a valid JSON Schema at {where}: {message}", span=_schema_span(schema, pointer), key=where)


def schema_external_ref(subject: Subject[EnvSchemaData], options: dict[str, Any]) -> Iterator[Hit]:
    schema: EnvSchema = subject.context["schema"]
    for pointer, ref in schema.external_refs:
        yield Hit(f"$ref '{ref}' points outside this schema; readycheck never fetches it, so the variables "
                  "it declares are not checked", span=_schema_span(schema, pointer), key=ref)


def schema_without_variables(subject: Subject[EnvSchemaData], options: dict[str, Any]) -> Iterator[Hit]:
    schema: EnvSchema = subject.context["schema"]
    if not schema.variables:
        yield Hit("the env schema declares no variables (no `properties`)")


def required_not_declared(subject: Subject[EnvSchemaData], options: dict[str, Any]) -> Iterator[Hit]:
    schema: EnvSchema = subject.context["schema"]
    declared = schema.variables
    for i, name in enumerate(schema.required):
        if name not in declared:
            yield Hit(f"required variable {name} is not declared in `properties`: it has no type, and any "
                      "value passes", span=_schema_span(schema, ("required", i)), key=name)


# --- declared variables ------------------------------------------------------------------------


def secret_default(subject: Subject[EnvVariable], options: dict[str, Any]) -> Iterator[Hit]:
    var = subject.data
    default = var["schema"].get("default")
    if not isinstance(default, str) or not default or is_placeholder(default):
        return
    looks_secret = var["secret"] or _secret_name(var["name"]) or scan_value(default, key=var["name"])
    if looks_secret:
        yield Hit(f"secret variable {var['name']} has a default value ({redact(default)}) baked into the schema",
                  at=("default",))


def secret_name_not_marked(subject: Subject[EnvVariable], options: dict[str, Any]) -> Iterator[Hit]:
    var = subject.data
    if not var["secret"] and _secret_name(var["name"]):
        yield Hit(f"{var['name']} looks like a secret but is not marked `x-secret: true` or `writeOnly: true`")


def variable_undocumented(subject: Subject[EnvVariable], options: dict[str, Any]) -> Iterator[Hit]:
    var = subject.data
    if not var["schema"].get("description") and not var["schema"].get("title"):
        yield Hit(f"{var['name']} has no description")


def environment_name_without_enum(subject: Subject[EnvVariable], options: dict[str, Any]) -> Iterator[Hit]:
    var = subject.data
    names = options.get("names", ENVIRONMENT_NAMES)
    if var["name"] in names and "enum" not in var["schema"] and "const" not in var["schema"]:
        yield Hit(f"{var['name']} takes a small set of values but declares no `enum`: a typo such as "
                  "'prodution' passes silently")


def _secret_name(name: str) -> bool:
    """Secret-looking names, minus public identifiers (an OAuth client id is not a secret)."""
    return is_secret_name(name) and not _PUBLIC_ID.search(name.upper())


# --- env files against their schema ------------------------------------------------------------


def required_missing(subject: Subject[EnvFileData], options: dict[str, Any]) -> Iterator[Hit]:
    schema: EnvSchema | None = subject.context["schema"]
    if schema is None:
        return
    present = set(subject.data["keys"])
    missing = [name for name in schema.required if name not in present]
    if missing:
        kind = "example file" if subject.data["is_example"] else "env file"
        yield Hit(f"required variable{'s' if len(missing) > 1 else ''} {', '.join(missing)} missing from this "
                  f"{kind} ({schema.path} requires {'them' if len(missing) > 1 else 'it'})", key=",".join(missing))


def undeclared_variable(subject: Subject[EnvEntry], options: dict[str, Any]) -> Iterator[Hit]:
    schema: EnvSchema | None = subject.context["schema"]
    entry: Entry = subject.context["entry"]
    if schema is None or schema.allows_additional or entry.key in schema.variables:
        return
    close = difflib.get_close_matches(entry.key, list(schema.variables), n=1, cutoff=0.75)
    hint = f"; did you mean {close[0]}?" if close else ""
    yield Hit(f"{entry.key} is not declared in {schema.path}{hint}")


def _shown(entry: Entry, secret: bool) -> str:
    if secret or scan_value(entry.value, key=entry.key):
        return redact(entry.value)
    return entry.value if len(entry.value) <= 60 else entry.value[:57] + "..."


def _value_errors(schema: EnvSchema, entry: Entry, in_example: bool) -> list[Any]:
    """The schema's errors for this entry's value, validated once for all the value rules."""
    key = (entry.key, entry.value, entry.interpolated, in_example)
    if key not in schema.checked_values:
        schema.checked_values[key] = _validate_value(schema, entry, in_example)
    return schema.checked_values[key]


def _validate_value(schema: EnvSchema, entry: Entry, in_example: bool) -> list[Any]:
    if entry.interpolated:
        return []
    if in_example and (entry.value == "" or (schema.is_secret(entry.key) and is_placeholder(entry.value))):
        return []
    return schema.value_errors(entry.key, entry.value)


def value_check(subject: Subject[EnvEntry], options: dict[str, Any]) -> Iterator[Hit]:
    """The value breaks one of the schema keywords of `params.family` (see KEYWORD_FAMILIES)."""
    keywords = KEYWORD_FAMILIES[options["family"]]
    schema: EnvSchema | None = subject.context["schema"]
    entry: Entry = subject.context["entry"]
    if schema is None:
        return
    for error in _value_errors(schema, entry, subject.data["is_example"]):
        if error.validator in keywords:
            shown = _shown(entry, schema.is_secret(entry.key))
            yield Hit(f"{entry.key}={shown}: {describe_error(error)}", at=("value",), key=str(error.validator))
            return


def describe_error(error: Any) -> str:
    """The validation message without the raw value (which may be a secret)."""
    keyword, expected = error.validator, error.validator_value
    if keyword == "type":
        return f"expected {' or '.join(expected) if isinstance(expected, list) else expected}"
    if keyword == "enum":
        return "expected one of " + ", ".join(map(str, expected))
    if keyword == "const":
        return f"expected {expected}"
    if keyword == "pattern":
        return f"does not match the pattern {expected}"
    if keyword == "format":
        return f"is not a valid {expected}"
    return f"violates {keyword} {expected}"


# --- secrets in env files ----------------------------------------------------------------------


def _secret_value(subject: Subject, known_formats_only: bool = False) -> str | None:
    """Why this entry's value is a credential, or None.

    With `known_formats_only` (example files), a value counts only for a secret variable or when it has
    the shape of a real credential (a Stripe live key), not for sample passwords in local URLs.
    """
    schema: EnvSchema | None = subject.context["schema"]
    entry: Entry = subject.context["entry"]
    if not entry.value or entry.interpolated or is_placeholder(entry.value):
        return None
    if schema is not None and schema.is_secret(entry.key):
        return "a value for a secret variable"
    matches = scan_value(entry.value, key=entry.key)
    public = _PUBLIC_ID.search(entry.key.upper())
    for match in matches:
        if known_formats_only and match.rule in ("secret-named-key", "url-credentials"):
            continue
        if not (public and match.rule == "secret-named-key"):
            return match.description
    return None


def secret_in_env_file(subject: Subject[EnvEntry], options: dict[str, Any]) -> Iterator[Hit]:
    if subject.data["is_example"]:
        return
    entry: Entry = subject.context["entry"]
    reason = _secret_value(subject)
    if reason:
        yield Hit(f"{entry.key}={redact(entry.value)}: {reason} is committed in this env file", at=("value",))


def secret_in_example_file(subject: Subject[EnvEntry], options: dict[str, Any]) -> Iterator[Hit]:
    if not subject.data["is_example"]:
        return
    entry: Entry = subject.context["entry"]
    reason = _secret_value(subject, known_formats_only=True)
    if reason:
        yield Hit(f"{entry.key}={redact(entry.value)}: {reason} in an example file; use an empty value or a "
                  "placeholder", at=("value",))


# --- the file in the repository ----------------------------------------------------------------

LOCAL_ENV_FILE = re.compile(r"\.env(\.[^.]+)?\.local\Z|\.env\Z")


# Keys read by a client bundle or an app build (Expo, Next.js, Vite, Create React App): public by design.
_BUNDLED_PUBLIC = re.compile(r"(EXPO_PUBLIC|NEXT_PUBLIC|VITE|REACT_APP|NUXT_PUBLIC|PUBLIC)_")


def _holds_secret(subject: Subject[EnvFileData]) -> bool:
    """Whether any entry of the file is a credential, by the same judgement as ENV030."""
    return any(_secret_value(entry) for entry in subject.doc.build_subjects("env.entry"))


def _compose_beside(directory: Path) -> bool:
    """Whether a compose file sits in `directory`: compose reads that folder's `.env` for its variables."""
    import os

    from readycheck.discover import COMPOSE, kind_by_name
    from readycheck.textio import note_listing

    note_listing(directory)
    try:
        names = os.listdir(directory)
    except OSError:
        return False
    return any(kind_by_name(directory / name) == COMPOSE for name in names)


def committed_on_purpose(subject: Subject[EnvFileData]) -> bool:
    """An env file a project commits deliberately: no secret in it, and it is a compose project's
    variables (a compose file beside it) or holds only keys that are public by design (`EXPO_PUBLIC_...`)."""
    if _holds_secret(subject):
        return False
    doc: Any = subject.doc
    keys = subject.data["keys"]
    if keys and all(_BUNDLED_PUBLIC.match(key) for key in keys):
        return True
    return _compose_beside(doc.directory)


def local_env_file_committed(subject: Subject[EnvFileData], options: dict[str, Any]) -> Iterator[Hit]:
    name = subject.data["name"]
    if LOCAL_ENV_FILE.match(name) and not committed_on_purpose(subject):
        yield Hit(f"{name} is a local env file, and it is not ignored: it will be committed with whatever "
                  "credentials a developer puts in it")


def _gitignores(directory: Path, base: Path) -> Iterator[Path]:
    """The .gitignore files from `directory` up to the scan base (or the repository root).

    Each directory looked in is a dependency of the cached result (a .gitignore or .git appearing
    there changes the answer), and so is each .gitignore read.
    """
    from readycheck.textio import note_listing, note_read

    current = directory
    while True:
        note_listing(current)
        candidate = current / ".gitignore"
        if candidate.is_file():
            note_read(candidate)
            yield candidate
        if current == base or (current / ".git").exists() or current.parent == current:
            return
        try:
            current.relative_to(base)
        except ValueError:
            return
        current = current.parent


def dotenv_gitignore(directory: Path, base: Path, root: Path | None = None) -> tuple[Path | None, bool]:
    """The .gitignore between `directory` and the top that ignores `.env` there, if any was read.

    The second value says whether one lay outside the scanned `root` (not read: it may hold the answer).
    A `.env` ignored by the repository is also evidence that developers keep one locally (DF408).
    """
    import pathspec

    for path in _gitignores(directory, base):
        if root is not None and not within(str(path), str(root)):
            return None, True  # not read: it lies outside the scanned root
        try:
            lines = read_text(path, root=root).splitlines()
        except LoadError:
            continue
        spec = pathspec.GitIgnoreSpec.from_lines(lines)
        rel = directory.relative_to(path.parent).as_posix()
        target = ".env" if rel == "." else f"{rel}/.env"
        if spec.match_file(target):
            return path, False
    return None, False


def _ignores_dotenv(directory: Path, base: Path, root: Path | None = None) -> bool:
    """Whether a .gitignore between `directory` and the top ignores `.env`.

    Only those inside the scanned `root` are read; one above it (a folder of a
    repository scanned alone) may hold the answer, so then there is no
    evidence either way, and the answer is yes (no finding).
    """
    found, unread = dotenv_gitignore(directory, base, root)
    return found is not None or unread


def dotenv_not_gitignored(subject: Subject[EnvFileData], options: dict[str, Any]) -> Iterator[Hit]:
    if subject.data["is_example"] or LOCAL_ENV_FILE.match(subject.data["name"]):
        return  # `.env` itself not being ignored is ENV032's finding: one finding per file
    if committed_on_purpose(subject):
        return
    doc: Any = subject.doc
    if not _ignores_dotenv(doc.directory, doc.base, getattr(doc, "root", None)):
        yield Hit("no .gitignore between this directory and the repository root ignores `.env`: a local env "
                  "file with real credentials would be committed")


# --- syntax ------------------------------------------------------------------------------------


def syntax_issue(subject: Subject[EnvFileData], options: dict[str, Any]) -> Iterator[Hit]:
    """Every issue of code `params.issue` the env-file parser recorded."""
    env: EnvFile = subject.context["env"]
    for issue in env.issues:
        if issue.code == options["issue"]:
            fixer = _SYNTAX_FIXES.get(issue.code)
            yield Hit(issue.message, span=Span(issue.line, issue.column), key=f"{issue.line}:{issue.key}",
                      fix=fixer(subject.doc, env, issue.line) if fixer else None)


_NO_ENTRY = "the assignment is not written where the parser located it"
_SECRET = "the value may be a secret: an edit carrying it would put it in reports and the cache"


def _entry_on(env: EnvFile, line: int) -> Entry | None:
    return next((e for e in env.entries if e.line == line), None)


_AROUND_EQUALS = re.compile(r"[ \t]*=[ \t]*")


def _may_be_secret(entry: Entry) -> bool:
    """An edit that would carry the value's text (into a report, the cache) is not made for a possible secret."""
    return is_secret_name(entry.key) or bool(scan_value(entry.value))


def _fix_space_around_equals(doc: Document, env: EnvFile, line: int) -> Fix:
    """`KEY = value` becomes `KEY=value`: the spaces every reader agrees to drop."""
    entry = _entry_on(env, line)
    if entry is None:
        return Fix.refused(_NO_ENTRY)
    text = doc.lines[line - 1]
    start = entry.column - 1 + len(entry.key)
    match = _AROUND_EQUALS.match(text, start)
    if match is None or text[start: start + 1] not in (" ", "\t", "="):
        return Fix.refused(_NO_ENTRY)
    old = match.group()
    return Fix("remove the spaces around '='", (Edit(line, start + 1, line, match.end() + 1, old, "="),))


def _fix_unquoted_spaces(doc: Document, env: EnvFile, line: int) -> Fix:
    """`KEY=a b` becomes `KEY="a b"` when double quotes change nothing (no `$`, backslash or quote in it)."""
    entry = _entry_on(env, line)
    if entry is None or entry.quote:
        return Fix.refused(_NO_ENTRY)
    if any(c in entry.raw for c in "$\\\"'`"):
        return Fix.refused("the value holds `$`, a backslash or a quote: quoting it could change what readers get")
    if _may_be_secret(entry):
        return Fix.refused(_SECRET)
    text = doc.lines[line - 1]
    start = entry.value_column - 1
    if text[start: start + len(entry.raw)] != entry.raw:
        return Fix.refused(_NO_ENTRY)
    return Fix("quote the value", (Edit(line, start + 1, line, start + 1 + len(entry.raw), entry.raw, f'"{entry.raw}"'),))


def _fix_trailing_whitespace(doc: Document, env: EnvFile, line: int) -> Fix:
    """Trailing blanks removed, except where they are inside a double-quoted value that goes on to the next line."""
    entry = _entry_on(env, line)
    if entry is not None and entry.quote == '"' and "\n" in entry.raw:
        return Fix.refused("the blanks are inside a double-quoted value that goes on to the next line")
    text = doc.lines[line - 1]
    end = len(text.rstrip(" \t"))
    return Fix("remove trailing whitespace", (Edit(line, end + 1, line, len(text) + 1, text[end:], ""),))


def _fix_duplicated_key(doc: Document, env: EnvFile, line: int) -> Fix:
    """The earlier assignment of a key set again is removed (the later value is the one readers use)."""
    later = _entry_on(env, line)
    if later is None:
        return Fix.refused(_NO_ENTRY)
    earlier = [e for e in env.entries if e.key == later.key and e.line < line]
    if not earlier or "\n" in earlier[-1].raw or earlier[-1].line >= len(doc.lines):
        return Fix.refused("the earlier assignment spans several lines")
    if _may_be_secret(earlier[-1]):
        return Fix.refused(_SECRET)
    first = earlier[-1].line
    return Fix(f"remove the earlier assignment of {later.key} (line {first})",
               (Edit(first, 1, first + 1, 1, doc.lines[first - 1] + "\n", ""),))


def _fix_lowercase_key(doc: Document, env: EnvFile, line: int) -> Fix:
    """The key in upper case (unsafe: whatever reads the lower-case name no longer finds it)."""
    entry = _entry_on(env, line)
    if entry is None:
        return Fix.refused(_NO_ENTRY)
    upper = entry.key.upper()
    if any(e.key == upper for e in env.entries):
        return Fix.refused(f"{upper} is set in the file too: the rename would make a duplicate")
    text = doc.lines[line - 1]
    start = entry.column - 1
    if text[start: start + len(entry.key)] != entry.key:
        return Fix.refused(_NO_ENTRY)
    return Fix(f"rename {entry.key} to {upper}", (Edit(line, start + 1, line, start + 1 + len(entry.key), entry.key, upper),),
               "unsafe")


_SYNTAX_FIXES = {
    "lowercase-key": _fix_lowercase_key,
    "space-around-equals": _fix_space_around_equals,
    "unquoted-value-with-spaces": _fix_unquoted_spaces,
    "trailing-whitespace": _fix_trailing_whitespace,
    "duplicated-key": _fix_duplicated_key,
}
