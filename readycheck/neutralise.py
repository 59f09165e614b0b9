"""Untrusted text made inert for each place readycheck writes it.

Everything a report shows that came from the scanned tree (file and directory
names, values quoted in messages, parser and render errors, suppression
reasons, baseline entries) is untrusted. Each output context has its own
dangers, so each has one function here, and every reporter and every message
on stderr goes through them:

- terminal (`terminal`, `inline`): C0 controls except newline and tab, DEL,
  C1, the Unicode line separators and bidirectional overrides, and bytes of
  a file name that are not UTF-8 are shown escaped (`\\x1b`, `\\u202e`, `\\xff`), so no escape sequence (OSC 52 clipboard write,
  OSC 0 title, CSI screen clearing) reaches a terminal. `inline` escapes
  newlines too (`\\n`): a value must never start a line of its own.
- workflow commands (`no_workflow_commands`, applied to every text output and
  every stderr line): a line whose first non-blank characters are `::` gets a
  `\\` in front, and `##[` / `##vso[` anywhere become `##\\[` / `##vso\\[`, so the
  GitHub runner (or Azure Pipelines) executes nothing a tree wrote. This is
  done always, not only when `GITHUB_ACTIONS=true`: output saved with `-o` and
  printed by a later step is just as dangerous, and the same input then gives
  the same bytes everywhere. Escaping was chosen over wrapping output in a
  `::stop-commands::<token>` block because it needs no state: it survives
  output being split over stdout and stderr, cut short by a kill, or
  concatenated by another step, and the `github` format can still emit its
  own annotations.
- GitHub annotations (`annotation_data`, `annotation_property`): the terminal
  escaping above (CR and LF kept: GitHub encodes them), then GitHub's own
  (`%`, CR, LF; `:` and `,` in properties).
- JSON and SARIF (`json_text`, on the serialised document): DEL, C1, line
  separators, bidi overrides and lone surrogates as `\\uXXXX`, `##[` as `##\\u005b`. Lossless: a
  JSON reader gets exactly the same strings.
- Markdown (`markdown_text`, `markdown_code`): on one line (newlines shown
  escaped), every character that can start inline Markdown is
  backslash-escaped (no link, image, raw HTML, entity, emphasis, table cell
  break), and a word joiner (U+2060) follows `@`, `#`, the `:` of `://` and
  `www`, so GitHub finds no mention, issue reference or bare URL to link.
- HTML (`html_text`) and links (`file_url`): text escaped; a link is the file
  path percent-encoded (it cannot carry a scheme, query or markup) after a base
  that is relative or http(s).
"""

from __future__ import annotations

import html
import re
from urllib.parse import quote

from readycheck.lazyre import lazy

# Lone surrogates are bytes of a file name that are not UTF-8 (surrogateescape): written out, \udc9b is a raw 0x9b.
_CONTROLS = "\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff"
_BLOCK = lazy(f"[{_CONTROLS}]")
_INLINE = lazy(f"[\n{_CONTROLS}]")
_NAMED = {"\n": "\\n", "\r": "\\r"}
_ANNOTATION = lazy("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")

# The runner trims a line (C#'s Trim: Unicode white space) before looking for `::`; BOM for old runtimes.
_COMMAND_LINE = lazy(r"^([\s\ufeff]*)::", re.MULTILINE)
_V1_COMMAND = lazy(r"##(?:vso)?\[", re.IGNORECASE)

_JSON_UNSAFE = lazy("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")

# Inside one line that our own text starts, only these can begin Markdown: code, emphasis, links and
# images, footnotes, raw HTML and autolinks, entities, tables, strikethrough, math, escapes.
# An `_` between two ASCII letters or digits can neither open nor close emphasis (CommonMark's flanking rules):
# SECRET_KEY stays as it is.
_MARKDOWN_SPECIAL = lazy(r"[\\`*\[\]<>!|~&$]|(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])")
WORD_JOINER = "\u2060"
_AUTOLINKED = lazy(r"[@#]|:(?=//)|www(?=\.)", re.IGNORECASE)

_SAFE_SCHEMES = ("http://", "https://")


def _shown(match: re.Match[str]) -> str:
    char = match.group()
    named = _NAMED.get(char)
    if named:
        return named
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:
        code -= 0xDC00  # the byte the file name had
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal(text: str) -> str:
    """`text` with every control character but newline and tab shown escaped."""
    return _BLOCK.sub(_shown, text)


def inline(text: str) -> str:
    """`text` for use inside one line: newlines are shown escaped too."""
    return _INLINE.sub(_shown, text)


def no_workflow_commands(text: str) -> str:
    """Output in which no line can start a CI workflow command."""
    text = _COMMAND_LINE.sub(lambda m: m.group(1) + "\\::", text)
    return _V1_COMMAND.sub(lambda m: m.group()[:-1] + "\\[", text)


def log_line(text: str) -> str:
    """One line for stderr or a log, from text that may quote the tree."""
    return no_workflow_commands(inline(text))


def annotation_data(text: str) -> str:
    """The message of a `::error ...::message` annotation (GitHub decodes %25, %0D, %0A)."""
    shown = _V1_COMMAND.sub(lambda m: m.group()[:-1] + "\\[", _ANNOTATION.sub(_shown, text))
    return shown.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def annotation_property(text: str) -> str:
    """A property value of an annotation (GitHub also decodes %3A and %2C there)."""
    return annotation_data(text).replace(":", "%3A").replace(",", "%2C")


def json_text(document: str) -> str:
    """Serialised JSON that is also safe on a terminal and in a CI log; it parses to the same value.

    The characters replaced can only occur inside strings, where `\\uXXXX` means the same.
    """
    document = _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", document)
    return _V1_COMMAND.sub(lambda m: m.group()[:-1] + "\\u005b", document)


def markdown_text(text: str) -> str:
    """Text that Markdown (GitHub's included) renders as exactly this text, on one line."""
    escaped = _MARKDOWN_SPECIAL.sub(lambda m: "\\" + m.group(), inline(text))
    return _AUTOLINKED.sub(lambda m: m.group() + WORD_JOINER, escaped)


def markdown_code(text: str) -> str:
    """A code span showing `text` (a path): nothing inside is linked or rendered; `|` kept out of table syntax."""
    shown = inline(text).replace("|", "\\|")
    if not shown:
        return ""
    longest = max((len(run) for run in re.findall("`+", shown)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if shown.startswith("`") or shown.endswith("`") else ""
    return f"{fence}{pad}{shown}{pad}{fence}"


def markdown_fence(text: str, info: str = "") -> str:
    """A fenced code block holding `text` (one line), with a fence no line of it can close."""
    shown = inline(text)
    longest = max((len(run) for run in re.findall("`+", shown)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{info}\n{shown}\n{fence}"


def html_text(text: str) -> str:
    """Text for an HTML element or attribute value."""
    return html.escape(inline(text), quote=True)


def safe_link_base(base: str) -> str:
    """`base` if it is http(s) or relative (no scheme at all); otherwise nothing."""
    if not base or base.lower().startswith(_SAFE_SCHEMES):
        return base
    first = base.split("/", 1)[0]
    return "" if ":" in first or base.startswith("//") or any(c in base for c in "\\\r\n\t") else base


def url_path(path: str) -> str:
    """`path` percent-encoded for a URL, `/` kept; bytes of a name that are not UTF-8 as they were (%FF)."""
    try:
        data = path.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a surrogate no file name has (from a JSON escape): encoded as it stands
        data = path.encode("utf-8", "surrogatepass")
    return quote(data, safe="/")


def file_url(base: str, path: str, line: int | None = None) -> str:
    """A link to `path` (and a line in it): percent-encoded, so the path adds no scheme, query, host or markup."""
    encoded = url_path(path)
    if encoded.startswith("//"):
        encoded = "/" + encoded.lstrip("/")
    return safe_link_base(base) + encoded + (f"#L{line}" if line else "")
