"""Benchmark: readycheck.secrets.scan_text over 10,000 mixed artifact lines, and detect-secrets beside it.

Lines are generated deterministically (fixed seed) from templates of Dockerfile, workflow,
compose, Kubernetes and env-file lines; about one in twenty holds a made-up credential.
Run: PYTHONPATH=. python bench/bench_secrets.py [--lines N] [--runs R]
"""

from __future__ import annotations

import argparse
import random
import statistics
import string
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ALNUM = string.ascii_letters + string.digits

PLAIN = [
    "RUN apt-get update && apt-get install -y --no-install-recommends curl ca-certificates && rm -rf /var/lib/apt/lists/*",
    "COPY --from=build /src/target/app.jar /app/app.jar",
    "ENV PORT=8080 LOG_LEVEL=info",
    "      - uses: actions/checkout@b4ffde65f46336ab88eb53be808477a3936bae11",
    "        run: npm ci && npm test -- --coverage",
    "      DATABASE_URL: postgres://app:${DB_PASSWORD}@db:5432/app",
    "          password: ${{ secrets.REGISTRY_PASSWORD }}",
    "        image: ghcr.io/acme/api:1.4.2",
    "              key: password",
    "            - name: TOKEN_TTL",
    '              value: "3600"',
    "PASSWORD_MIN_LENGTH=12",
    "SECRET_NAME=my-secret",
    "TOKEN_URL=https://auth.acme.example/oauth/token",
    "AUTH_ENABLED=true",
    "export API_KEY=${API_KEY:?set it}",
    "    resources: {limits: {cpu: 500m, memory: 256Mi}}",
    "HEALTHCHECK --interval=30s CMD curl -fsS http://localhost:8080/healthz || exit 1",
    '  echo "deploying $GITHUB_SHA to $ENVIRONMENT"',
    "# the client secret comes from the vault: vault:secret/data/api#client_secret",
]


def _rand(rng: random.Random, n: int, alphabet: str = ALNUM) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def _secret_line(rng: random.Random) -> str:
    makers: list[Callable[[], str]] = [
        lambda: "ENV GITHUB_TOKEN=ghp_" + _rand(rng, 36),
        lambda: "      SLACK_BOT_TOKEN: xoxb-" + _rand(rng, 12, string.digits) + "-" + _rand(rng, 24),
        lambda: "DB_PASSWORD=" + _rand(rng, 10),
        lambda: "  STRIPE_KEY: sk_live_" + _rand(rng, 24),
        lambda: "RUN curl -u deploy:" + _rand(rng, 14) + " https://artifacts.acme.example/upload",
        lambda: "AWS_ACCESS_KEY_ID=AKIA" + _rand(rng, 16, string.ascii_uppercase + "234567"),
        lambda: "SESSION_SIGNING_KEY=" + _rand(rng, 64, "0123456789abcdef"),
    ]
    return rng.choice(makers)()


def make_lines(n: int, seed: int = 20240722) -> list[str]:
    rng = random.Random(seed)
    return [_secret_line(rng) if rng.random() < 0.05 else rng.choice(PLAIN) for _ in range(n)]


def _median_time(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    lines = make_lines(args.lines)

    t = time.perf_counter()
    from readycheck.secrets import scan_text

    import_ms = (time.perf_counter() - t) * 1000
    found = sum(1 for line in lines if scan_text(line))
    ours = _median_time(lambda: [scan_text(line) for line in lines], args.runs)
    print(
        f"readycheck.secrets: import {import_ms:.1f} ms, {len(lines)} lines in {ours * 1000:.0f} ms "
        f"(median of {args.runs}), {len(lines) / ours:,.0f} lines/s, {found} lines with findings"
    )

    try:
        from detect_secrets import SecretsCollection
        from detect_secrets.settings import default_settings
    except ImportError:
        print("detect-secrets: not importable, skipped")
        return 0
    # detect-secrets scans files (its keyword plugin depends on the file name); .yaml gives it
    # its unquoted-value keyword rules, the closest to these mixed config lines.
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "lines.yaml"
        path.write_text("\n".join(lines) + "\n")

        def scan_file() -> set[int]:
            collection = SecretsCollection()
            with default_settings():
                collection.scan_file(str(path))
            return {secret.line_number for _, secret in collection}

        ds_found = len(scan_file())
        theirs = _median_time(scan_file, args.runs)
    print(
        f"detect-secrets:     {len(lines)} lines in {theirs * 1000:.0f} ms (median of {args.runs}), "
        f"{len(lines) / theirs:,.0f} lines/s, {ds_found} lines with findings"
    )
    print(f"readycheck.secrets is {theirs / ours:.1f}x faster")
    return 0


if __name__ == "__main__":
    sys.exit(main())
