"""Values that stand in for a secret instead of being one.

Every artifact kind has its own way to say "the secret comes from elsewhere": shell and
compose interpolation, GitHub expressions, Helm templates, secret-manager references,
mounted files. Reporting those would drown the real findings, so they are filtered here,
in one place, for every detector.
"""

from __future__ import annotations

import re
from functools import lru_cache

# A whole value that is only one of these words is a stand-in, not a credential.
_WORDS = frozenset(
    [
        "changeme",
        "change-me",
        "change_me",
        "changeit",
        "change-it",
        "replaceme",
        "replace-me",
        "replace_me",
        "example",
        "sample",
        "dummy",
        "placeholder",
        "todo",
        "tbd",
        "fixme",
        "none",
        "null",
        "nil",
        "undefined",
        "true",
        "false",
        "yes",
        "no",
        "on",
        "off",
        "secret",
        "secrets",
        "password",
        "passwd",
        "pass",
        "token",
        "apikey",
        "api-key",
        "redacted",
        "hidden",
        "masked",
        "omitted",
        "notset",
        "not-set",
        "not_set",
        "unset",
        "empty",
        "default",
        "n/a",
        "na",
        "-",
        "?",
        "required",
        "optional",
        "string",
        "value",
    ]
)

# Patterns are kept as strings: re caches them on first use, so importing costs no compilation.
# References: interpolation syntaxes of shells, compose, Make, GitHub, Helm/Jinja, Windows, Ruby, Maven.
_REFERENCE = r"""(?x)
      \$\{\{.*?\}\}            # GitHub Actions expression
    | \{\{.*?\}\}              # Helm / Jinja / Go template
    | \{%.*?%\}                # Jinja statement
    | (?<!\$)\$\{[^{}]*\}      # ${VAR}, ${VAR:-x}, ${VAR:?msg}
    | (?<!\$)\$\([^()]*\)      # $(VAR) / $(command)
    | (?<!\$)\$[A-Za-z_][A-Za-z0-9_]*   # $VAR ($$ is an escaped dollar in compose)
    | %[A-Za-z_][A-Za-z0-9_]*%  # %VAR%
    | \#\{[^{}]*\}             # #{var}
    | <[^<>\n]{1,80}>          # <your-token>
    | @[A-Za-z_][A-Za-z0-9_]*@ # @VAR@
"""

# Prefixes that point at a secret store or a file rather than holding the secret.
_REFERENCE_PREFIXES = (
    "secretkeyref",
    "valuefrom",
    "vault:",
    "ref+",
    "sm://",
    "ssm://",
    "ssm:/",
    "awssm://",
    "arn:aws:secretsmanager:",
    "arn:aws:ssm:",
    "arn:aws:kms:",
    "op://",
    "gcp:secretmanager:",
    "gcpsm://",
    "azkv://",
    "@microsoft.keyvault(",
    "keyvault:",
    "enc[",
    "$ansible_vault",
    "secret://",
    "secrets://",
    "file://",
    "doppler://",
    "bws://",
    "infisical://",
    "/",
    "./",
    "../",
    "~/",
)

_PATTERNS = r"""(?xis)
      [x*•#._\-]{3,}                     # xxxx, *****, ...., ----
    | .*x{5,}.*                          # sk_live_xxxxx, AKIAXXXXXXXXXX
    | (?:your|my|the|insert|enter|put|add|fill|set)[-_ .].*  # your-token-here, insert_key
    | .*[-_ .](?:here|goes[-_ .]here)    # token-goes-here
    | replace.*|change[-_ ]?me.*|fill[-_ ]?me.*|set[-_ ]?me.*|update[-_ ]?me.*|override[-_ ]?me.*
    | .*\b(?:example|placeholder|dummy|redacted|changeme|replaceme|sample)\b.*
    | [a-z]:\\.*                         # C:\path
"""

_AUTH_SCHEMES = frozenset({"bearer", "basic", "token", "digest", "apikey"})


def strip_quotes(value: str) -> str:
    """The value without surrounding whitespace and one pair of matching quotes."""
    v = value.strip()
    if len(v) >= 2 and v[0] == v[-1] and v[0] in "'\"`":
        v = v[1:-1].strip()
    return v


@lru_cache(maxsize=4096)
def is_placeholder(value: str) -> bool:
    """True when ``value`` is a stand-in (empty, template, reference, dummy word), not a secret."""
    v = strip_quotes(value)
    if not v:
        return True
    low = v.lower()
    if low in _WORDS or low.startswith(_REFERENCE_PREFIXES) or v.startswith(("${", "$(", "{{")):
        # (a reference at the start that is cut off, "${API_KEY:?set", is still a reference)
        return True
    if re.fullmatch(_PATTERNS, v):
        return True
    if re.search(_REFERENCE, v):
        # What is left once references are removed decides: "Bearer ${TOKEN}" is a stand-in.
        rest = re.sub(r"[^A-Za-z0-9]", "", re.sub(_REFERENCE, "", v))
        if len(rest) < 6 or rest.lower() in _AUTH_SCHEMES:
            return True
    # Only one or two distinct characters ("aaaaaaaa", "0000") is filler.
    return len(v) >= 4 and len(set(v)) <= 2
