"""The shared judgements on their own: image references, wrappers, exec-form argv, locating a finding."""

from __future__ import annotations

import pytest

from readycheck.judge.commands import argv_commands, strip_wrappers, unpinned_install
from readycheck.judge.images import ImageRef, floating, major_only, parse_image
from readycheck.judge.locate import hit_at
from readycheck.model import Document, Span, Subject, nearest


@pytest.mark.parametrize(("ref", "parts"), [
    ("nginx", (None, "nginx", None, None)),
    ("nginx:1.27.0", (None, "nginx", "1.27.0", None)),
    ("localhost:5000/team/app:1.2@sha256:abc", ("localhost:5000", "team/app", "1.2", "sha256:abc")),
    ("ghcr.io/acme/api@sha256:0790", ("ghcr.io", "acme/api", None, "sha256:0790")),
    ("registry:5000/app", ("registry:5000", "app", None, None)),
])
def test_image_references_are_split_once_for_every_kind(ref: str, parts: tuple[object, ...]) -> None:
    image = parse_image(ref)
    assert (image.registry, image.repository, image.tag, image.digest) == parts


@pytest.mark.parametrize(("ref", "floats"), [
    ("postgres", "has no tag"), ("node:latest", "uses the 'latest' tag"), ("node:latest@sha256:ab", None),
    ("node:20", None), ("node:20.15.1", None), ("app@sha256:ab", None),
])
def test_floating_images(ref: str, floats: str | None) -> None:
    assert floating(parse_image(ref)) == floats


@pytest.mark.parametrize(("ref", "major"), [
    ("node:20", True), ("python:3-slim", True), ("node:20.15", False), ("node:20@sha256:ab", False),
    ("debian:bookworm-20240722-slim", False), ("postgres", False),
])
def test_major_only_tags(ref: str, major: bool) -> None:
    assert (major_only(parse_image(ref)) is not None) is major


@pytest.mark.parametrize(("argv", "words"), [
    (["sudo", "-u", "app", "curl", "-k"], ["curl", "-k"]),
    (["env", "-u", "HOME", "A=1", "B=2", "pip", "install", "x"], ["pip", "install", "x"]),
    (["nice", "-n", "10", "exec", "-a", "name", "curl"], ["curl"]),
    (["timeout", "-s", "KILL", "30", "curl", "x"], ["curl", "x"]),
    (["xargs", "-n", "1", "pip", "install"], ["pip", "install"]),
    (["command", "-v", "curl"], ["command", "-v", "curl"]),
    (["/usr/bin/sudo", "--", "apt-get", "install", "jq"], ["apt-get", "install", "jq"]),
])
def test_wrappers_are_stripped_with_their_options(argv: list[str], words: list[str]) -> None:
    assert strip_wrappers(argv) == words


def test_an_exec_form_argv_is_one_command_and_its_sh_c_script_more() -> None:
    found = argv_commands(["tini", "--", "sh", "-c", "pip install x && exec app"])
    assert [(element, c["argv"]) for element, c in found] == [
        (0, ["tini", "--", "sh", "-c", "pip install x && exec app"]),
        (4, ["pip", "install", "x"]),
        (4, ["exec", "app"]),
    ]
    assert {c["pipeline"] for _, c in found[1:]}.isdisjoint({found[0][1]["pipeline"]})


@pytest.mark.parametrize(("words", "family"), [
    (["apt-get", "install", "-y", "curl"], "os"), (["pip", "install", "httpx"], "python"),
    (["yarn", "add", "left-pad"], "node"), (["go", "get", "x@main"], "go"), (["gem", "install", "rails"], "ruby"),
    (["cargo", "install", "--locked", "just"], "rust"),
])
def test_unpinned_installs_of_every_manager(words: list[str], family: str) -> None:
    found = unpinned_install(words)
    assert found is not None and found.family == family and found.tool in found.message


@pytest.mark.parametrize("words", [
    ["apt-get", "install", "curl=7.88"], ["pip", "install", "httpx==0.27.0"], ["pip", "install", "-U", "pip"],
    ["yarn", "add", "left-pad@1.3.0"], ["go", "install", "./cmd/..."], ["gem", "install", "rails", "-v", "7.1"],
    ["cargo", "install", "just@1.30.0"], ["cargo", "install", "--path", "."],
])
def test_pinned_installs(words: list[str]) -> None:
    assert unpinned_install(words) is None


def test_a_finding_lands_on_the_nearest_located_part() -> None:
    doc = Document("f.yaml", "", {}, {(0,): Span(1), (0, "spec"): Span(3), (1,): Span(9)})
    subject = Subject(doc, {}, (0, "spec", "containers", 0))
    assert nearest(doc.locations, (0, "spec", "x", "y")) == ((0, "spec"), Span(3))
    assert nearest(doc.locations, (5,)) is None
    above = hit_at(subject, subject.pointer + ("image",), "m")
    assert above.span == Span(3) and above.at is None
    inside = Subject(doc, {}, (0,))
    assert hit_at(inside, (0, "spec", "image"), "m").at == ("spec",)
    assert ImageRef(None, "x", None, None).as_dict()["repository"] == "x"


def test_tls_and_signature_verification_off_by_flag_or_environment() -> None:
    """One judgement for every kind: the flags of apt/dnf/rpm/zypper and the variables a command sets."""
    from readycheck.judge.commands import argv_judgements, tls_off
    from readycheck.shell import parse_script

    def judged(script: str) -> list[str]:
        return [v.what for c in parse_script(script).commands if (v := tls_off(c.as_dict()))]

    assert judged("apt-get install -y --allow-unauthenticated x=1") == ["apt-get --allow-unauthenticated"]
    assert judged("apt-get install --force-yes x=1") == ["apt-get --force-yes"]
    assert judged("dnf install -y --nogpgcheck x-1") == ["dnf --nogpgcheck"]
    assert judged("rpm -i --nodigest x.rpm") == ["rpm --nodigest"]
    assert judged("zypper --no-gpg-checks in x=1") == ["zypper --no-gpg-checks"]
    assert judged("PYTHONHTTPSVERIFY=0 python fetch.py") == ["PYTHONHTTPSVERIFY=0"]
    assert judged("export GIT_SSL_NO_VERIFY=false && git clone https://h/r") == ["GIT_SSL_NO_VERIFY=false"]
    assert judged("env GIT_SSL_NO_VERIFY=1 git clone https://h/r") == ["GIT_SSL_NO_VERIFY=1"]
    assert judged("PYTHONHTTPSVERIFY=1 python fetch.py; rpm --import key.asc; apt-get install -y x=1") == []
    assert judged("export PYTHONHTTPSVERIFY=$FROM_BUILD_ARG") == []  # a value the script does not show
    assert judged("export GIT_SSL_NO_VERIFY=$FROM_BUILD_ARG") == ["GIT_SSL_NO_VERIFY=$FROM_BUILD_ARG"]  # set: enough
    # the exec form of a compose or Kubernetes command gets the same judgement
    assert [e for e, _ in argv_judgements(["sh", "-c", "export GIT_SSL_NO_VERIFY=1; git pull"], "tls")] == [2]


def test_package_words_are_not_option_values_or_local_paths() -> None:
    from readycheck.judge.commands import unpinned_install

    def loose(command: str) -> tuple[str, ...]:
        found = unpinned_install(command.split())
        return found.loose if found else ()

    assert loose("npm install --loglevel verbose --registry https://r.example sax@0.1.1") == ()
    assert loose("npm install ./pkg.tgz ~/folder ../lib user/repo#v1.2 git+https://h/r.git#abc123") == ()
    assert loose("npm install git://github.com/npm/npm.git express") == ("git://github.com/npm/npm.git", "express")
    assert loose("pip install --root-user-action ignore foo/bar poetry==1.8.5") == ()
    assert loose("pip install git+https://github.com/a/b.git#egg=b") == ("git+https://github.com/a/b.git#egg=b",)
    assert loose("pip install git+https://github.com/a/b.git@v1.0#egg=b git+ssh://git@github.com/a/c@main") == (
        "git+ssh://git@github.com/a/c@main",)
    assert loose("dnf in -y mariadb") == ("mariadb",)
    assert loose("zypper in -y tomcat=9.0.39 httpd") == ("httpd",)
    assert loose("yum module install -y tomcat") == ("tomcat",)
