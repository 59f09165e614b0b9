"""Credential formats that identify themselves: vendor prefixes, fixed shapes, PEM blocks, URLs.

Each format names literal trigger substrings; a text is searched with a format's regex only
when a trigger occurs in it, which is what keeps scanning fast (most lines hold none). Each
format says where the secret is inside its match (group ``s``, else the whole match), whether
it needs a key name or nearby word to count (Twilio ids are plain hex), and how to reject
look-alikes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache

from .model import SecretMatch
from .placeholders import is_placeholder

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (a few ms)
if TYPE_CHECKING:
    from .model import Confidence, Severity


class Format:
    """One credential format (a plain class: twenty dataclass creations would cost milliseconds at import)."""

    __slots__ = (
        "id",
        "description",
        "pattern",
        "triggers",
        "severity",
        "confidence",
        "lead",
        "context",
        "check",
    )

    def __init__(
        self,
        id: str,
        description: str,
        pattern: str,
        *,
        triggers: tuple[str, ...],
        severity: Severity = "error",
        confidence: Confidence = "high",
        lead: int = 0,
        context: str | None = None,
        check: Callable[[str], bool] | None = None,
    ) -> None:
        self.id = id
        self.description = description
        self.pattern = pattern  # the secret is group (?P<s>...) when present, else the whole match
        self.triggers = triggers  # substrings without which the pattern cannot match: a cheap prefilter
        self.severity: Severity = severity
        self.confidence: Confidence = confidence
        self.lead = lead  # length of the fixed lead-in ("ghp_") left out of the placeholder check
        self.context = context  # regex a key name or nearby text must match
        self.check = check  # extra validation of the secret


def _jwt_ok(token: str) -> bool:
    """A JWT's header is base64url JSON naming its algorithm."""
    import base64  # imported on first use: keeps `import readycheck.secrets` cheap
    import binascii
    import json

    header = token.split(".", 1)[0]
    try:
        data = json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))
    except (ValueError, binascii.Error, RecursionError):  # UnicodeDecodeError is a ValueError
        return False
    return isinstance(data, dict) and "alg" in data


_PEM_BODY = r"-----(?:BEGIN|END)[^-]*-----|\\n|\s|[A-Za-z-]+:.*"


def _pem_ok(block: str) -> bool:
    """A key block needs a body of real base64, not '...' or '<key>'."""
    body = re.sub(_PEM_BODY, "", block)
    return len(body) >= 32 and re.fullmatch(r"[A-Za-z0-9+/=]+", body) is not None


def _url_password_ok(password: str) -> bool:
    return not is_placeholder(password)


_B = r"(?<![A-Za-z0-9_-])"  # token boundary on the left
_E = r"(?![A-Za-z0-9_-])"  # and on the right

FORMATS: tuple[Format, ...] = (
    Format(
        "private-key-block",
        "PEM private key block",
        # the body stops at the next "-----" without backtracking, so unterminated blocks stay linear
        r"-----BEGIN [A-Z0-9 ]{0,30}PRIVATE KEY(?: BLOCK)?-----(?:[A-Za-z0-9+/=\s\\:,.]|-(?!----)){0,20000}"
        r"(?:-----END [A-Z0-9 ]{0,30}PRIVATE KEY(?: BLOCK)?-----)?",
        triggers=("PRIVATE KEY",),
        check=_pem_ok,
    ),
    Format(
        "aws-access-key-id",
        "AWS access key id",
        r"(?<![A-Za-z0-9])(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{16}(?![A-Za-z0-9])",
        triggers=("AKIA", "ASIA", "ABIA", "ACCA", "A3T"),
        lead=4,
    ),
    Format(
        "github-fine-grained-token",
        "GitHub fine-grained personal access token",
        _B + r"github_pat_[A-Za-z0-9_]{82}" + _E,
        triggers=("github_pat_",),
        lead=11,
    ),
    Format(
        "github-token",
        "GitHub token",
        _B + r"gh[pousr]_[A-Za-z0-9]{36,251}" + _E,
        triggers=("ghp_", "gho_", "ghu_", "ghs_", "ghr_"),
        lead=4,
    ),
    Format(
        "gitlab-token",
        "GitLab token",
        _B + r"gl(?:pat|dt|rt|ptt|cbt|soat)-[A-Za-z0-9_-]{20,}",
        triggers=("glpat-", "gldt-", "glrt-", "glptt-", "glcbt-", "glsoat-"),
        lead=6,
    ),
    Format(
        "slack-webhook-url",
        "Slack incoming webhook URL",
        r"https://hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9_/+-]{20,}",
        triggers=("hooks.slack.com",),
        lead=33,
    ),
    Format(
        "slack-token",
        "Slack token",
        _B + r"(?:xox[abeoprs]|xapp)-[0-9]+-[A-Za-z0-9-]{8,}",
        triggers=("xox", "xapp-"),
        lead=5,
    ),
    Format(
        "stripe-live-key",
        "Stripe live secret key",
        _B + r"[sr]k_live_[A-Za-z0-9]{20,}" + _E,
        triggers=("k_live_",),
        lead=8,
    ),
    Format(
        "stripe-test-key",
        "Stripe test-mode secret key",
        _B + r"[sr]k_test_[A-Za-z0-9]{20,}" + _E,
        triggers=("k_test_",),
        severity="warning",
        lead=8,
    ),
    Format(
        "google-api-key", "Google API key", _B + r"AIza[0-9A-Za-z_-]{35}" + _E, triggers=("AIza",), lead=4
    ),
    Format(
        "google-oauth-client-secret",
        "Google OAuth client secret",
        _B + r"GOCSPX-[A-Za-z0-9_-]{24,64}" + _E,
        triggers=("GOCSPX-",),
        lead=7,
    ),
    Format(
        "azure-storage-account-key",
        "Azure storage account key in a connection string",
        r"(?i:AccountKey|SharedAccessKey)=(?P<s>[A-Za-z0-9+/]{20,}={0,2})",
        triggers=("ccessKey=", "ccountKey="),
    ),
    Format("npm-token", "npm access token", _B + r"npm_[A-Za-z0-9]{36}" + _E, triggers=("npm_",), lead=4),
    Format(
        "pypi-token",
        "PyPI API token",
        _B + r"pypi-AgE(?:IcHlwaS5vcmc|NdGVzdC5weXBpLm9yZw)[A-Za-z0-9_-]{50,}",
        triggers=("pypi-AgE",),
        lead=20,
    ),
    Format(
        "sendgrid-api-key",
        "SendGrid API key",
        _B + r"SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}" + _E,
        triggers=("SG.",),
        lead=3,
    ),
    Format(
        "anthropic-api-key",
        "Anthropic API key",
        _B + r"sk-ant-[A-Za-z0-9_-]{32,}",
        triggers=("sk-ant-",),
        lead=7,
    ),
    Format(
        "openai-api-key",
        "OpenAI API key",
        _B + r"sk-(?:(?:proj|svcacct|admin)-[A-Za-z0-9_-]{20,}|[A-Za-z0-9]{48}" + _E + ")",
        triggers=("sk-",),
        lead=3,
    ),
    Format(
        "twilio-key",
        "Twilio API key or account SID",
        r"(?<![A-Za-z0-9])(?:SK|AC)[0-9a-fA-F]{32}(?![A-Za-z0-9])",
        triggers=("SK", "AC"),
        severity="warning",
        confidence="medium",
        lead=2,
        context=r"(?i)twilio",
    ),
    Format(
        "jwt",
        "JSON Web Token",
        _B + r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*",
        triggers=("eyJ",),
        check=_jwt_ok,
    ),
    Format(
        "url-credentials",
        "password in a URL or connection string",
        # anchored on "//" after "scheme:" (a literal start keeps the search fast on long texts)
        r"(?<=[A-Za-z0-9+.-]:)//(?P<u>[^\s:@/'\"]{0,128}):(?P<s>[^\s@/'\"]{1,256})@(?=[A-Za-z0-9\[_])",
        triggers=("://",),
        check=_url_password_ok,
    ),
)

_FAKE_BODY = r"(?i).*(?:x{5,}|\*{3,}|\.{3}|<|>|\$\{|\{\{).*"
_CONTEXT_WINDOW = 120


def _looks_fake(body: str) -> bool:
    """Bodies like 'xxxxxxxx', '<token>' or 'your-token-here' behind a real prefix are documentation."""
    return (
        len(set(body)) <= 4 or re.fullmatch(_FAKE_BODY, body, re.DOTALL) is not None or is_placeholder(body)
    )


def aws_example(value: str) -> bool:
    """AWS documentation keys end in EXAMPLE (the key id) or EXAMPLEKEY (the secret key)."""
    return value.endswith(("EXAMPLE", "EXAMPLEKEY"))


def example_match(rule: str, value: str, start: int, end: int, key: str | None = None) -> SecretMatch:
    return SecretMatch(
        rule,
        "example key from the AWS documentation (not a live credential, but do not ship it)",
        value,
        start,
        end,
        "note",
        "high",
        key,
    )


def find_formats(text: str, key: str | None = None, offset: int = 0) -> list[SecretMatch]:
    """All known-format credentials in ``text``; ``key`` (a key name) can satisfy a format's context."""
    found: list[SecretMatch] = []
    triggers, formats_of = _triggers()
    present = {i for t in set(re.findall(triggers, text)) for i in formats_of[t]}
    for i in sorted(present):
        fmt = FORMATS[i]
        if fmt.context is None or re.search(fmt.context, text) or (key and re.search(fmt.context, key)):
            found += _find(fmt, text, key, offset)
    return found


@cache
def _triggers() -> tuple[str, dict[str, list[int]]]:
    """One alternation of every format's trigger, and which formats each trigger wakes up."""
    formats_of: dict[str, list[int]] = {}
    for i, fmt in enumerate(FORMATS):
        for t in fmt.triggers:
            formats_of.setdefault(t, []).append(i)
    return "|".join(re.escape(t) for t in sorted(formats_of, key=len, reverse=True)), formats_of


def _find(fmt: Format, text: str, key: str | None, offset: int) -> list[SecretMatch]:
    found: list[SecretMatch] = []
    for m in re.finditer(fmt.pattern, text):
        start, end = m.span("s") if "s" in m.re.groupindex else m.span()
        value = text[start:end]
        if fmt.context is not None:
            near = text[max(0, m.start() - _CONTEXT_WINDOW) : m.start()]
            if not (re.search(fmt.context, near) or (key and re.search(fmt.context, key))):
                continue
        if fmt.id == "aws-access-key-id" and aws_example(value):
            found.append(example_match(fmt.id, value, start + offset, end + offset, key))
            continue
        body = value[fmt.lead :]
        if fmt.check is not None:
            if not fmt.check(value):
                continue
        elif _looks_fake(body):
            continue
        severity, confidence = fmt.severity, fmt.confidence
        description = _describe(fmt, value)
        if fmt.id == "private-key-block" and "ENCRYPTED" in value[:40]:
            severity = "warning"
        if fmt.id == "url-credentials":
            user = m.group("u") or ""
            if user and user == value:  # chat:chat@db is a throwaway development login
                severity, confidence = "warning", "low"
        found.append(
            SecretMatch(fmt.id, description, value, start + offset, end + offset, severity, confidence, key)
        )
    return found


_GITHUB_KINDS = {
    "ghp": "GitHub personal access token (classic)",
    "gho": "GitHub OAuth access token",
    "ghu": "GitHub App user-to-server token",
    "ghs": "GitHub App installation token",
    "ghr": "GitHub refresh token",
}


def _describe(fmt: Format, value: str) -> str:
    if fmt.id == "github-token":
        return _GITHUB_KINDS.get(value[:3], fmt.description)
    return fmt.description
