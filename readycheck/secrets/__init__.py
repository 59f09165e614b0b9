"""readycheck's secret detector, shared by every artifact kind.

Known credential formats, secret-named keys with literal values, a placeholder filter,
redaction, and repository-level secret files. The README's "How it works / Secrets" section says what is detected.
"""

from __future__ import annotations

from .files import classify_secret_file
from .keywords import is_secret_name
from .masking import mask_secrets, secrets_in_data
from .model import SecretMatch
from .placeholders import is_placeholder
from .redaction import contains_secret, redact
from .scanner import scan_text, scan_value

__all__ = [
    "SecretMatch",
    "classify_secret_file",
    "contains_secret",
    "is_placeholder",
    "is_secret_name",
    "mask_secrets",
    "redact",
    "scan_text",
    "scan_value",
    "secrets_in_data",
]
