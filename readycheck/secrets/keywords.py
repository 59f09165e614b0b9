"""Key names that say "this value is a secret", and value shapes that look like one.

A key name is split into words (``dbPassword``, ``db-password``, ``DB_PASSWORD`` and
``db.password`` all give ``db password``). The last secret word decides; a metadata word
after it (``TOKEN_TTL``, ``PASSWORD_MIN_LENGTH``, ``SECRET_NAME``) means the value describes
a secret instead of holding one. Passwords are reported for any real-looking literal, since
weak passwords are the common case; other secret names need a value shaped like a key.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from functools import lru_cache

from .placeholders import is_placeholder, strip_quotes

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (a few ms)
if TYPE_CHECKING:
    from typing import Literal, TypeAlias

    from .model import Confidence

    SecretKind: TypeAlias = Literal["password", "secret"]


def _words(text: str) -> frozenset[str]:
    """A word list written as text, one place to read and extend."""
    return frozenset(text.split())


_PASSWORD_WORDS = frozenset({"password", "passwd", "passphrase", "passcode", "passwort", "pwd", "pass", "pw"})
# only as the last word: PWD alone is the shell's cwd, GetPassWarning is no password
_SHORT_PASSWORD_WORDS = frozenset({"pwd", "pass", "pw"})
_SECRET_WORDS = frozenset(
    {"secret", "token", "apikey", "credential", "credentials", "creds", "authorization", "privatekey"}
)
_SECRET_SUFFIXES = ("password", "passwd", "passphrase", "secret", "token", "apikey", "credentials")
# "<qualifier> key" is a secret (API_KEY, HMAC_KEY); other keys (CACHE_KEY, S3_KEY) are not. GPG_KEY and
# PGP_KEY are not: they hold the fingerprint a download is verified against (every official image's
# `ENV GPG_KEY 7169605F...`), public by design; an armored private key is caught by its format.
_KEY_QUALIFIERS = _words(
    """
    api access secret private signing sign encryption encrypt crypt crypto cipher hmac master
    license licence ssh deploy session cookie jwt app auth client webhook service account admin
    root aes rsa subscription storage shared sas host function write ingest
    """
)
# Words after the secret word that make the key describe the secret, not hold it.
_METADATA = _words(
    """
    ttl length len size min max file files path dir directory url uri urls endpoint host hosts
    port name names ref refs reference id ids enabled enable disabled disable timeout expiry
    expires expiration expire lifetime duration age seconds secs sec ms minutes mins hours days
    header headers type types kind algorithm algorithms alg algo version format encoding
    provider providers mode method methods backend strategy scheme schemes location store source
    policy policies rotation interval count prefix suffix field label selector env var variable
    arn hash hasher hashers regex pattern hint required validation validator complexity strength
    generator manager reset retries attempts audience issuer scope scopes grant cache namespace
    mount volume user username email stdin command cmd script helper program exec output input
    keyid realm domain server flag flags mapping map mappings rule rules class config
    configuration template
    """
)
# Leading words that turn the key into a switch, a limit or a digest: USE_AUTH, MAX_TOKENS, existingSecret,
# hashed_secret (detect-secrets baselines hold the hash of each secret, not the secret).
_LEADING_METADATA = _words(
    """
    max min num number no use enable enabled disable disabled require requires required allow
    skip is has show hide existing rotate verify validate check hashed
    """
)

_WORD = r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+"
_PART = r"[^A-Za-z0-9]+"


def key_words(key: str) -> list[str]:
    """Lower-case words of a key in any naming style; numbers are dropped (DB_PASSWORD_2)."""
    return [w.lower() for part in re.split(_PART, key) for w in re.findall(_WORD, part) if not w.isdigit()]


def _word_kind(words: list[str], i: int) -> SecretKind | None:
    w = words[i]
    if w in _PASSWORD_WORDS:
        short = w in _SHORT_PASSWORD_WORDS
        return None if short and (i == 0 or i != len(words) - 1) else "password"
    if w in _SECRET_WORDS:
        return "secret"
    if w == "auth":  # BASIC_AUTH, _auth; but AUTH_ENABLED, AUTH_PROVIDER describe
        return "secret" if i == len(words) - 1 else None
    if w == "key":
        return "secret" if i > 0 and words[i - 1] in _KEY_QUALIFIERS else None
    if w.endswith("key") and w[:-3] in _KEY_QUALIFIERS:  # apikey, hmackey, privatekey
        return "secret"
    for suffix in _SECRET_SUFFIXES:  # dbpassword, clientsecret, accesstoken
        if w.endswith(suffix) and len(w) > len(suffix):
            return "password" if suffix in _PASSWORD_WORDS else "secret"
    return None


@lru_cache(maxsize=8192)
def secret_kind(key: str) -> SecretKind | None:
    """Which kind of secret the key names, or None when it names none (or only metadata)."""
    words = key_words(key)
    for i in range(len(words) - 1, -1, -1):
        kind = _word_kind(words, i)
        if kind is None:
            continue
        if any(w in _METADATA for w in words[i + 1 :]):
            return None
        if i > 0 and (words[0] in _LEADING_METADATA or words[i - 1] in _LEADING_METADATA):
            return None  # MAX_TOKENS, USE_AUTH, auth.existingSecret
        return kind
    return None


def is_secret_name(key: str) -> bool:
    """True when a value under this key name is meant to be a secret itself."""
    return secret_kind(key) is not None


def shannon_entropy(value: str) -> float:
    """Bits per character of the value's own character distribution."""
    if not value:
        return 0.0
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in Counter(value).values())


_NUMBER = r"[+-]?\d+(?:[.,]\d+)*"
_DURATION = r"(?i)\d+(?:\.\d+)?\s*(?:ns|us|ms|s|m|h|d|w|y|sec|secs|min|mins|hours?|days?)"
_VERSION = r"(?i)v?\d+(?:\.\d+)+(?:[-+][\w.]+)?"
_URL = r"[A-Za-z][A-Za-z0-9+.-]*://\S*"
# lower-case words joined by separators (my-secret, wiki.settings.staging) or an UPPER_CASE name
_IDENTIFIER = r"[a-z]+(?:[-_.][a-z0-9]+)*|[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+"


# A path into a secret store that ends with the name of the secret it fetches (`dockerhub:password`,
# `ci/data/slack:oauth-token`): the value names where the secret is, as Vault-fetching actions take it.
_STORE_REFERENCE = re.compile(r"[a-z0-9][a-z0-9_.-]*(?:[:/][a-z0-9][a-z0-9_.-]*)+")


def _store_reference(value: str) -> bool:
    if not _STORE_REFERENCE.fullmatch(value):
        return False
    last = re.split(r"[:/]", value)[-1]
    return len(last) >= 5 and (secret_kind(last) is not None or last in _PASSWORD_WORDS or last in _SECRET_WORDS)


def assess_value(kind: SecretKind, value: str) -> Confidence | None:
    """Confidence that ``value``, stored under a key of this kind, is a real secret (None: it is not)."""
    v = strip_quotes(value)
    if is_placeholder(v) or re.fullmatch(_URL, v) or re.fullmatch(_DURATION, v) or re.fullmatch(_VERSION, v):
        return None
    if _store_reference(v):
        return None
    if v[0] in "{[":  # structured values are scanned for their own formats and keys
        return None
    entropy = shannon_entropy(v)
    strong = len(v) >= 16 and entropy >= 3.0 and not re.fullmatch(_IDENTIFIER, v)
    if kind == "password":
        if len(v) < 4 or (re.fullmatch(_NUMBER, v) and len(v) < 6):
            return None
        if re.fullmatch(_IDENTIFIER, v) and "_" in v and v.isupper():  # PASSWORD=DB_PASSWORD names a variable
            return None
        return "high" if strong else "medium"
    if len(v) < 8 or any(c.isspace() for c in v) or re.fullmatch(_NUMBER, v) or re.fullmatch(_IDENTIFIER, v):
        return None
    if entropy < 2.5:
        return None
    return "high" if strong else "medium"
