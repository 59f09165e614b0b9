"""Files whose presence in a repository is itself the leak: keys, registry and cloud credentials.

The caller decides whether the file is tracked; this only says what the file is. Where the
file format has a place for a reference instead of a literal (.npmrc ``${NPM_TOKEN}``), a
reference is not reported.
"""

from __future__ import annotations

import re

from .formats import FORMATS, find_formats
from .model import SecretMatch
from .placeholders import is_placeholder, strip_quotes

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (a few ms)
if TYPE_CHECKING:
    from pathlib import Path

_KEY_NAMES = frozenset({"id_rsa", "id_dsa", "id_ecdsa", "id_ed25519", "id_ecdsa_sk", "id_ed25519_sk"})
_KEY_SUFFIXES = frozenset({".pem", ".key", ".p12", ".pfx", ".ppk"})
_BINARY_BUNDLES = frozenset({".p12", ".pfx"})

_NPMRC = r"(?m)^\s*(?:[^\s=]*:)?_(?:authToken|auth|password)\s*=\s*(?P<s>.+?)\s*$"
_PYPIRC = r"(?mi)^\s*password\s*[=:]\s*(?P<s>.+?)\s*$"
_AWS = r"(?mi)^\s*aws_secret_access_key\s*=\s*(?P<s>.+?)\s*$"
_NETRC = r"\bpassword\s+(?P<s>\S+)"
_GCP = r'"private_key"\s*:\s*"(?P<s>-----BEGIN[^"]+)"'
_PEM = next(f for f in FORMATS if f.id == "private-key-block")


def _first(regex: str, text: str, rule: str, description: str) -> SecretMatch | None:
    for m in re.finditer(regex, text):
        value = strip_quotes(m.group("s"))
        if not is_placeholder(value):
            start = text.index(value, m.start("s"))
            return SecretMatch(rule, description, value, start, start + len(value), "error", "high")
    return None


def classify_secret_file(path: Path, text: str | None) -> SecretMatch | None:
    """What secret file ``path`` is, if any; ``text`` is its content (None when unreadable or binary)."""
    name = path.name.lower()
    suffix = path.suffix.lower()
    if name in _KEY_NAMES or suffix in _KEY_SUFFIXES:
        if text is None:
            if name in _KEY_NAMES or suffix in _BINARY_BUNDLES:
                return SecretMatch(
                    "private-key-file", "private key file (unreadable content)", "", 0, 0, "warning", "low"
                )
            return None
        for m in find_formats(text):
            if m.rule == _PEM.id:
                return SecretMatch(
                    "private-key-file", "private key file", m.value, m.start, m.end, m.severity, "high"
                )
        return None
    if text is None:
        return None
    if name == ".npmrc":
        return _first(_NPMRC, text, "npmrc-auth-token", ".npmrc with a registry auth token")
    if name == ".pypirc":
        return _first(_PYPIRC, text, "pypirc-password", ".pypirc with an index password or token")
    if name in {".netrc", "_netrc"}:
        return _first(_NETRC, text, "netrc-password", ".netrc with a password")
    if name == ".git-credentials":
        for m in find_formats(text):
            if m.rule == "url-credentials":
                return SecretMatch(
                    "git-credentials",
                    ".git-credentials with a stored password or token",
                    m.value,
                    m.start,
                    m.end,
                    "error",
                    "high",
                )
        return None
    if name == "credentials" and (path.parent.name == ".aws" or "aws_secret_access_key" in text.lower()):
        return _first(_AWS, text, "aws-credentials-file", "AWS shared credentials file with a secret key")
    if suffix == ".json" and '"private_key"' in text:
        hit = _first(_GCP, text, "cloud-credentials-json", "cloud service-account key file (private_key)")
        if hit is not None and '"service_account"' in text:
            return SecretMatch(
                hit.rule,
                "Google Cloud service-account key file",
                hit.value,
                hit.start,
                hit.end,
                hit.severity,
                hit.confidence,
            )
        return hit
    return None
