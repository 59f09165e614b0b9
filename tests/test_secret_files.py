"""Secret files are discovered by name unless .gitignore excludes them; findings never show the secret."""

from __future__ import annotations

from pathlib import Path

from readycheck.catalog import Catalog
from readycheck.config import Config
from readycheck.discover import SECRET_FILE, discover
from readycheck.orchestrate import scan

TOKEN = "npm_1a2B3c4D5e6F7g8H9i0JkLmNoPqRsTuVwXyZ"


def test_secret_file_names_are_discovered(tmp_path: Path) -> None:
    for name in ("id_rsa", "server.key", "tls.pem", "bundle.p12", ".npmrc", ".pypirc", ".netrc",
                 ".git-credentials", "credentials.json", "ci-service-account.json", "gcp-credentials.json",
                 ".aws/credentials"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x\n")
    (tmp_path / "credentials").write_text("not under .aws\n")
    found = {t.path.relative_to(tmp_path).as_posix() for t in discover([tmp_path]) if t.kind == SECRET_FILE}
    assert len(found) == 12 and "credentials" not in found


def test_gitignored_secret_files_are_not_reported(tmp_path: Path, catalog: Catalog) -> None:
    (tmp_path / ".gitignore").write_text(".npmrc\n")
    (tmp_path / ".npmrc").write_text(f"//registry.npmjs.org/:_authToken={TOKEN}\n")
    assert scan([str(tmp_path)], catalog, Config(), base=tmp_path).findings == []


def test_binary_key_bundle_is_reported_not_an_error(tmp_path: Path, catalog: Catalog) -> None:
    (tmp_path / "client.p12").write_bytes(b"\x30\x82\x00\x00binary\x00")
    result = scan([str(tmp_path)], catalog, Config(), base=tmp_path)
    assert result.errors == []
    assert [(f.rule, f.severity) for f in result.findings] == [("SEC001", "warning")]


def test_token_is_redacted(tmp_path: Path, catalog: Catalog) -> None:
    (tmp_path / ".npmrc").write_text(f"//registry.npmjs.org/:_authToken={TOKEN}\n")
    result = scan([str(tmp_path)], catalog, Config(), base=tmp_path)
    assert [f.rule for f in result.findings] == ["SEC002"]
    assert TOKEN not in result.findings[0].message and TOKEN[:4] in result.findings[0].message
