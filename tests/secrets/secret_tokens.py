"""Made-up credentials for the tests, built at run time so the repository holds no literal token.

Each builder mixes upper case, lower case and digits from a seeded generator, so the values
look like real tokens to the detector but are reproducible and belong to nobody.
"""

from __future__ import annotations

import random
import string

ALNUM = string.ascii_letters + string.digits
HEX = "0123456789abcdef"
B64 = ALNUM + "+/"
URLSAFE = ALNUM + "-_"


def mix(n: int, alphabet: str = ALNUM, seed: int = 0) -> str:
    rng = random.Random(f"{seed}-{n}-{alphabet}")
    return "".join(rng.choice(alphabet) for _ in range(n))


def github_classic(prefix: str = "ghp", seed: int = 1) -> str:
    return prefix + "_" + mix(36, seed=seed)


def github_fine_grained(seed: int = 2) -> str:
    return "github" + "_pat_" + mix(22, seed=seed) + "_" + mix(59, seed=seed + 1)


def aws_key_id(prefix: str = "AKIA", seed: int = 3) -> str:
    return prefix + mix(16, string.ascii_uppercase + "234567", seed)


def aws_secret(seed: int = 4) -> str:
    return mix(40, B64, seed)


def slack_token(kind: str = "b", seed: int = 5) -> str:
    return (
        "xox"
        + kind
        + "-"
        + mix(12, string.digits, seed)
        + "-"
        + mix(13, string.digits, seed + 1)
        + "-"
        + mix(24, seed=seed)
    )


def slack_webhook(seed: int = 6) -> str:
    return (
        "https://hooks.slack.com/services/T"
        + mix(8, string.ascii_uppercase + string.digits, seed)
        + "/B"
        + mix(10, string.ascii_uppercase + string.digits, seed + 1)
        + "/"
        + mix(24, seed=seed + 2)
    )


def stripe(kind: str = "sk_live_", seed: int = 7) -> str:
    return kind + mix(24, seed=seed)


def google_api_key(seed: int = 8) -> str:
    return "AI" + "za" + mix(35, URLSAFE, seed)


def gitlab_token(seed: int = 9) -> str:
    return "gl" + "pat-" + mix(20, URLSAFE, seed)


def azure_connection_string(seed: int = 10) -> str:
    key = mix(86, B64, seed) + "=="
    return (
        "DefaultEndpointsProtocol=https;AccountName=acmeprod;"
        + "Account"
        + "Key="
        + key
        + ";EndpointSuffix=core.windows.net"
    )


def npm_token(seed: int = 11) -> str:
    return "npm" + "_" + mix(36, seed=seed)


def pypi_token(seed: int = 12) -> str:
    return "pypi-" + "AgEIcHlwaS5vcmc" + mix(60, URLSAFE, seed)


def sendgrid_key(seed: int = 13) -> str:
    return "SG" + "." + mix(22, URLSAFE, seed) + "." + mix(43, URLSAFE, seed + 1)


def twilio_sid(prefix: str = "SK", seed: int = 14) -> str:
    return prefix + mix(32, HEX, seed)


def openai_key(seed: int = 15) -> str:
    return "sk-" + "proj-" + mix(48, URLSAFE, seed)


def openai_legacy_key(seed: int = 16) -> str:
    return "sk-" + mix(48, seed=seed)


def anthropic_key(seed: int = 17) -> str:
    return "sk-" + "ant-api03-" + mix(80, URLSAFE, seed)


def google_oauth_secret(seed: int = 18) -> str:
    return "GOC" + "SPX-" + mix(28, URLSAFE, seed)


def jwt(seed: int = 19) -> str:
    import base64
    import json

    def part(obj: object) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    return (
        part({"alg": "HS256", "typ": "JWT"})
        + "."
        + part({"sub": mix(10, seed=seed), "iat": 1700000000})
        + "."
        + mix(43, URLSAFE, seed)
    )


def pem_private_key(kind: str = "RSA ", seed: int = 20) -> str:
    body = "\n".join(mix(64, B64, seed + i) for i in range(6))
    dashes = "-" * 5
    return f"{dashes}BEGIN {kind}PRIVATE KEY{dashes}\n{body}\n{dashes}END {kind}PRIVATE KEY{dashes}"


def hex_key(n: int = 64, seed: int = 21) -> str:
    return mix(n, HEX, seed)


# AWS's documented example keys, assembled from halves.
AWS_EXAMPLE_KEY_ID = "AKIAIOSFODNN7" + "EXAMPLE"
AWS_EXAMPLE_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCY" + "EXAMPLEKEY"
