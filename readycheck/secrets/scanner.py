"""scan_value and scan_text: known formats first, then secret-named keys with literal values.

A value under a key is judged with its key name; free text (a RUN line, a run: script, an
error message) is searched for formats and for the places where shells and configs put a
credential next to its name: KEY=value, key: value, --password value, curl -u user:pass,
mysql -pSECRET, docker login -p, and Authorization headers.
"""

from __future__ import annotations

import bisect
import re
from functools import lru_cache

from .formats import aws_example, example_match, find_formats
from .keywords import assess_value, key_words, secret_kind
from .model import SecretMatch
from .placeholders import is_placeholder

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (a few ms)
if TYPE_CHECKING:
    from .keywords import SecretKind

# a quoted string, a ${...} / ${{ ... }} reference (which may hold spaces), or a bare word
_VALUE = (
    r"""(?P<val>"(?:[^"\\\n]|\\.){0,2000}"|'[^'\n]{0,2000}'|\$\{\{[^}\n]*\}\}|\$\{[^}\n]*\}\S*"""
    r"""|[^\s;&|'"`,)}\]]{1,4096})"""
)
# After a key: KEY=value, key: value, "key": "value"; after a flag: --password value, --token=value.
_AFTER_KEY = r"""["']?[ \t]*=[ \t]*""" + _VALUE
_AFTER_FLAG = r"""(?:=|[ \t]+)(?!-)""" + _VALUE
# "key: value" only as a whole YAML/JSON entry, so prose ("Password: must be 8 chars") is left alone
_AFTER_COLON = r"""(?m)["']?[ \t]*:(?=[ \t"'])[ \t]*""" + _VALUE + r"""(?=[ \t]*(?:[,}\]#][^\n]*)?$)"""
# An unquoted value that is code, not a literal: a call, an index, an attribute, a type or private
# name (auth[2], self.password, KeyFlexible, _token_chars).
_CODE = r"[A-Za-z_][\w.]*[(\[].*|[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+|(?:[A-Z][a-z]+){2,}|_\w+"
# A regular expression in the value's place: `password=\K.+`, `token=(.*)`, `secret=.+$`.
_PATTERN_VALUE = r"\\[A-Za-z]|\.[*+?]|\((?:\.|\[\^)"
_KEY_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-")
# Every secret-named key holds one of these words; pairs are found from them outward, which is
# far cheaper than matching every KEY=value in the text.
_KEY_HINTS = r"pass|pw|secret|token|key|cred|auth"  # searched in the lower-cased text: faster than (?i)
_COMMAND_HINTS = r"curl|mysql|login|authorization"
_MAX_KEY = 128  # longer runs of name characters are data, not a key name
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_COMMAND = (
    r"""\bcurl\b[^\n|;&]{0,400}?[ \t](?:-u|--user)[ \t]+["']?[^\s:'"]*:(?P<curl>[^\s'"]+)"""
    r"""|\bmysql(?:dump|admin)?\b[^\n|;&]{0,400}?[ \t]-p(?P<mysql>[^\s'"]+)"""
    r"""|\b(?:docker|podman|helm\s+registry)\s+login\b[^\n|;&]{0,400}?[ \t]-p[ \t]+["']?(?P<login>[^\s'"]+)"""
    r"""|(?i:\bauthorization)["']?[ \t]*[:=][ \t]*["']?(?i:bearer|basic|token)[ \t]+(?P<header>[^\s'"]+)"""
)
_COMMAND_KEYS = {"curl": "curl -u", "mysql": "mysql -p", "login": "login -p", "header": "Authorization"}
_AWS_SECRET_VALUE = r"[A-Za-z0-9/+]{40}"
_DEFAULT_PASSWORDS = frozenset(
    {
        "postgres",
        "postgresql",
        "mysql",
        "mariadb",
        "root",
        "admin",
        "test",
        "testing",
        "guest",
        "user",
        "demo",
        "dev",
    }
)


def _strip_span(value: str) -> tuple[int, int]:
    """Offsets of the value without surrounding whitespace and one pair of quotes."""
    start, end = 0, len(value)
    while start < end and value[start].isspace():
        start += 1
    while end > start and value[end - 1].isspace():
        end -= 1
    if end - start >= 2 and value[start] == value[end - 1] and value[start] in "'\"`":
        start, end = start + 1, end - 1
    return start, end


@lru_cache(maxsize=8192)
def _is_aws_secret_name(key: str) -> bool:
    words = set(key_words(key))
    return "secret" in words and ("aws" in words or {"access", "key"} <= words)


def _keyed(key: str, text: str, start: int, end: int) -> SecretMatch | None:
    """Judge text[start:end] as the value of ``key``."""
    s, e = _strip_span(text[start:end])
    start, end = start + s, start + e
    value = text[start:end]
    if not value:
        return None
    if re.fullmatch(_AWS_SECRET_VALUE, value) and _is_aws_secret_name(key):
        if aws_example(value):
            return example_match("aws-secret-access-key", value, start, end, key)
        return SecretMatch(
            "aws-secret-access-key", "AWS secret access key", value, start, end, "error", "high", key
        )
    kind = secret_kind(key)
    if kind is None:
        return None
    confidence = assess_value(kind, value)
    if confidence is None:
        return None
    if kind == "password" and value.lower() in _DEFAULT_PASSWORDS:
        # POSTGRES_PASSWORD: postgres in a CI service or dev compose: worth a word, not a failure
        return SecretMatch(
            "secret-named-key",
            f"well-known default password in '{key}'",
            value,
            start,
            end,
            "warning",
            "low",
            key,
        )
    what = "password" if kind == "password" else "secret"
    return SecretMatch(
        "secret-named-key", f"hard-coded {what} in '{key}'", value, start, end, "error", confidence, key
    )


def _select(candidates: list[SecretMatch]) -> list[SecretMatch]:
    """Keep matches in priority order, dropping any that overlaps one already kept."""
    kept: list[SecretMatch] = []  # sorted by start, pairwise disjoint
    for m in candidates:
        i = bisect.bisect_left(kept, m.start, key=_start)
        if (i == 0 or kept[i - 1].end <= m.start) and (i == len(kept) or m.end <= kept[i].start):
            kept.insert(i, m)
    return kept


def _start(m: SecretMatch) -> int:
    return m.start


def _pairs(text: str) -> list[SecretMatch]:
    """Secrets that sit next to their name in free text."""
    found: list[SecretMatch] = []
    done = -1
    lowered = text.lower()
    if len(lowered) != len(text):  # some non-ASCII letters lower-case to two characters
        lowered = text.translate(_ASCII_LOWER)
    for h in re.finditer(_KEY_HINTS, lowered):
        start, end = h.start(), h.end()
        if start < done:
            continue  # another hint inside a key already handled
        while start > 0 and text[start - 1] in _KEY_CHARS:
            start -= 1
        while end < len(text) and text[end] in _KEY_CHARS:
            end += 1
        done = end
        key = text[start:end]
        flag = key.startswith("-")
        key = key.lstrip("-")
        if not key or len(key) > _MAX_KEY or (secret_kind(key) is None and not _is_aws_secret_name(key)):
            continue
        m = None
        for after in (_AFTER_FLAG,) if flag else (_AFTER_KEY, _AFTER_COLON):
            m = re.compile(after).match(text, end)
            if m is not None:
                break
        if m is not None:
            done = m.end()  # hints inside this value are part of it, not keys
        if m is not None and (text[start - 1:start] == "^" or re.match(_PATTERN_VALUE, m.group("val"))):
            continue  # `grep -oP '^password=\K.+'`: a pattern that reads the secret, not the secret
        if m is not None and not re.fullmatch(_CODE, m.group("val")):
            hit = _keyed(key, text, *m.span("val"))
            if hit is not None:
                found.append(hit)
    if re.search(_COMMAND_HINTS, lowered) is not None:
        found += _commands(text)
    return found


def _commands(text: str) -> list[SecretMatch]:
    """Credentials passed on well-known command lines and in Authorization headers."""
    found: list[SecretMatch] = []
    pos = 0
    for line in text.splitlines(keepends=True):
        if re.search(_COMMAND_HINTS, line.translate(_ASCII_LOWER)) is not None:
            found += _command_line(line, pos)
        pos += len(line)
    return found


def _command_line(text: str, offset: int) -> list[SecretMatch]:
    found: list[SecretMatch] = []
    for m in re.finditer(_COMMAND, text):
        group = m.lastgroup or ""
        value = m.group(group)
        if group and not is_placeholder(value):
            kind: SecretKind = "secret" if group == "header" else "password"
            if assess_value(kind, value) is not None:
                name = _COMMAND_KEYS[group]
                found.append(
                    SecretMatch(
                        "command-line-credentials",
                        f"credential on a '{name}' command line",
                        value,
                        m.start(group) + offset,
                        m.end(group) + offset,
                        "error",
                        "medium",
                        name,
                    )
                )
    return found


def scan_text(text: str, *, context: str | None = None) -> list[SecretMatch]:
    """Every secret in free text (a RUN line, a run: script, a message), ordered by offset."""
    if not text:
        return []
    return _select(find_formats(text) + _pairs(text) + _name_value_items(text))


# A YAML list item that names a variable and gives its value on the next line, as Kubernetes
# `env:` and workflow inputs do:  `- name: DB_PASSWORD` / `  value: hunter2`.
_NAME_VALUE = re.compile(
    r"""^[ \t]*-?[ \t]*name:[ \t]*["']?([A-Za-z_][A-Za-z0-9_.-]*)["']?[ \t]*\n[ \t]*value:[ \t]*(["']?)([^\n"']+)\2[ \t]*$""",
    re.M,
)


def _name_value_items(text: str) -> list[SecretMatch]:
    if "value:" not in text:
        return []
    found: list[SecretMatch] = []
    for item in _NAME_VALUE.finditer(text):
        key, value = item.group(1), item.group(3)
        for m in scan_value(value, key=key):
            offset = item.start(3)
            found.append(SecretMatch(m.rule, m.description, m.value, m.start + offset, m.end + offset,
                                     m.severity, m.confidence, m.key))
    return found


def _decoded_secret_data(value: str) -> str | None:
    """A Kubernetes Secret ``data`` value decoded from base64 when it is valid, printable text."""
    import base64  # first use only: keeps the package import cheap
    import binascii

    try:
        raw = base64.b64decode(value, validate=True)
        text = raw.decode("utf-8")
    except (binascii.Error, ValueError):
        return None
    return text if all(c.isprintable() or c in "\r\n\t" for c in text) else None


def scan_value(value: str, *, key: str | None = None, context: str | None = None) -> list[SecretMatch]:
    """Secrets in one value, judged together with its key name when it has one.

    ``context`` is the artifact kind ("dockerfile", "workflow", "kubernetes", "helm-values",
    "compose", "env-file", "shell"). "kubernetes-secret" marks a value of a Secret object's
    data/stringData: every literal there is a credential, and base64 data is decoded first.
    """
    if not value:
        return []
    start, end = _strip_span(value)
    inner = value[start:end]
    if context == "kubernetes-secret":
        return _scan_secret_object_value(inner, start, end, key)
    candidates = find_formats(inner, key, offset=start)
    candidates += [
        SecretMatch(
            m.rule, m.description, m.value, m.start + start, m.end + start, m.severity, m.confidence, m.key
        )
        for m in _pairs(inner)
    ]
    if key is not None:
        hit = _keyed(key, value, start, end)
        if hit is not None:
            candidates.append(hit)
    return _select(candidates)


# Keys of a Secret that address the credential rather than hold it (Argo CD's repository Secrets carry
# url/type/name/project beside the password; a TLS Secret carries its public certificate in tls.crt).
_SECRET_OBJECT_PUBLIC_KEYS = frozenset({"url", "type", "name", "project", "host", "hostname", "port", "region",
                                        "endpoint", "server", "namespace", "cluster", "insecure", "enableoci",
                                        "githubappid", "githubappinstallationid"})
_CERTIFICATES_ONLY = re.compile(
    r"\s*(?:-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\s]*-----END CERTIFICATE-----\s*)+\Z")


def _public_secret_key(key: str | None) -> bool:
    """A Secret key that addresses a credential (url, type) rather than holds one."""
    return key is not None and key.lower().replace("-", "").replace("_", "") in _SECRET_OBJECT_PUBLIC_KEYS


def _scan_secret_object_value(inner: str, start: int, end: int, key: str | None) -> list[SecretMatch]:
    """A Secret's value is judged decoded, and reported as the whole value as written."""
    decoded = _decoded_secret_data(inner)
    plain = inner if decoded is None else decoded
    if is_placeholder(plain) or _CERTIFICATES_ONLY.match(plain):
        return []
    found = scan_value(plain, key=key)
    if found:
        m = found[0]
        return [SecretMatch(m.rule, m.description, inner, start, end, m.severity, m.confidence, key)]
    if _public_secret_key(key):
        return []  # only what it holds counts (a password in the URL was found above)
    return [
        SecretMatch(
            "kubernetes-secret-data",
            "literal value in a Kubernetes Secret",
            inner,
            start,
            end,
            "error",
            "medium",
            key,
        )
    ]
