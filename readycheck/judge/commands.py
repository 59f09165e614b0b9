"""What a shell command does, judged once for every kind that runs commands.

The input is a parsed command (readycheck.shell's `Command.as_dict()`: name,
argv, text, pipeline, position...) or its words. A Dockerfile RUN, a workflow
or composite-action `run:`, a compose `command:` and a Kubernetes container's
`command`/`args` all come here, so one command gets one judgement and one
message wherever it is written. Each judgement returns a `Verdict` (or an
`Install`), never a finding: where it lands and under which rule is the
kind's business.
"""

from __future__ import annotations

import functools
import re
import shlex
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

Command = dict[str, Any]
"""A parsed simple command, as `readycheck.shell.Command.as_dict()` gives it."""


@dataclass(frozen=True)
class Verdict:
    """One judgement of one command: what it does (`what`), in the words every kind reports (`message`).

    `source` is, for a shell fed by a download, the index of the downloading
    command in the same script (None when the download is substituted inline).
    """

    what: str
    message: str
    source: int | None = None


@dataclass(frozen=True)
class Install:
    """A package install that leaves versions open: the manager's family, the loose packages, the words."""

    family: str  # os, python, node, go, ruby, rust
    tool: str
    loose: tuple[str, ...]
    message: str


# ---------------------------------------------------------------- words

# Commands that run the command after them: the options each takes with a value, and positional words before it.
_WRAPPERS: dict[str, tuple[frozenset[str], int]] = {
    "sudo": (frozenset({"-u", "--user", "-g", "--group", "-h", "--host", "-p", "--prompt", "-C", "--close-from",
                        "-D", "--chdir", "-r", "--role", "-t", "--type", "-U", "--other-user", "-T",
                        "--command-timeout"}), 0),
    "doas": (frozenset({"-u", "-C"}), 0),
    "env": (frozenset({"-u", "--unset", "-C", "--chdir", "-S", "--split-string"}), 0),
    "exec": (frozenset({"-a"}), 0),
    "nice": (frozenset({"-n", "--adjustment"}), 0),
    "nohup": (frozenset(), 0),
    "time": (frozenset({"-f", "--format", "-o", "--output"}), 0),
    "command": (frozenset(), 0),
    "xargs": (frozenset({"-a", "--arg-file", "-d", "--delimiter", "-E", "-I", "-L", "-n", "--max-args", "-P",
                         "--max-procs", "-s", "--max-chars"}), 0),
    "stdbuf": (frozenset({"-i", "-o", "-e"}), 0),
    "timeout": (frozenset({"-s", "--signal", "-k", "--kill-after"}), 1),
    "tini": (frozenset({"-p", "-e"}), 0),  # inits in a container's command line run the command after them
    "tini-static": (frozenset({"-p", "-e"}), 0),
    "dumb-init": (frozenset({"-r", "--rewrite"}), 0),
    "catatonit": (frozenset(), 0),
}
_ASSIGNING_WRAPPERS = {"sudo", "doas", "env"}  # `env VAR=x cmd`, `sudo VAR=x cmd`
_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")


def tool_of(words: Sequence[str]) -> str:
    """The program a command runs, without its directory (`/usr/bin/curl` is `curl`)."""
    return words[0].rsplit("/", 1)[-1] if words else ""


def strip_wrappers(argv: Sequence[str]) -> list[str]:
    """The words of the command a wrapper runs: `sudo -u app env X=1 nohup curl ...` is `curl ...`.

    `command -v x` only looks a name up, so it is left as it is.
    """
    words = list(argv)
    while words and _ASSIGNMENT.match(words[0]):
        words = words[1:]  # `A=1 B=2 cmd`: a parser may leave assignments after a line continuation in argv
    while words:
        name = tool_of(words)
        spec = _WRAPPERS.get(name)
        if spec is None or (name == "command" and words[1:2] in (["-v"], ["-V"])):
            break
        value_flags, positionals = spec
        words = words[1:]
        while words:
            word = words[0]
            if word == "--":
                words = words[1:]
                break
            if word.startswith("-") and len(word) > 1:
                words = words[2:] if word in value_flags else words[1:]
            elif name in _ASSIGNING_WRAPPERS and re.match(r"[A-Za-z_][A-Za-z0-9_]*=", word):
                words = words[1:]
            else:
                break
        words = words[positionals:]
    return words


def command_words(command: Mapping[str, Any]) -> list[str]:
    """The argv of a parsed command without wrappers such as `sudo` or `env` in front."""
    return strip_wrappers(command["argv"])


def operands(words: Sequence[str], value_flags: set[str] | frozenset[str]) -> list[str]:
    """The non-option words, skipping the value of options that take one (`-o Dpkg::x`)."""
    found: list[str] = []
    skip = False
    for word in words:
        if skip:
            skip = False
        elif word.startswith("-"):
            skip = word in value_flags
        else:
            found.append(word)
    return found


def _shown(names: Sequence[str]) -> str:
    return ", ".join(names[:4]) + (", ..." if len(names) > 4 else "")


# ---------------------------------------------------------------- commands of an exec-form argv

_SHELL_NAMES = {"sh", "bash", "dash", "ash", "zsh", "ksh"}


def argv_commands(argv: Sequence[str]) -> list[tuple[int, Command]]:
    """The commands an exec-form argv runs (a compose `command:` list, a container's `command` + `args`).

    Each comes with the index of the argv element that holds it: the argv
    itself is one command (element 0); a `sh -c SCRIPT` adds the commands
    of SCRIPT, held by SCRIPT's element.
    """
    from readycheck.shell import parse_script

    words = [str(w) for w in argv]
    if not words:
        return []
    top: Command = {"name": tool_of(words), "argv": words, "text": shlex.join(words), "line": 0, "pipeline": 0,
                    "position": 0, "pipeline_length": 1, "redirects": [], "assignments": {}, "nested": False,
                    "operator_after": ""}
    found: list[tuple[int, Command]] = [(0, top)]
    inner = strip_wrappers(words)
    offset = len(words) - len(inner)
    if tool_of(inner) in _SHELL_NAMES:
        script_at = next((i + 1 for i, w in enumerate(inner[1:], 1) if w.startswith("-") and "c" in w[1:]
                          and not w.startswith("--")), None)
        if script_at is not None and script_at < len(inner):
            for command in parse_script(inner[script_at]).commands:
                data = command.as_dict()
                data["pipeline"] += 1  # pipeline 0 is the argv itself
                found.append((offset + script_at, data))
    return found


def judgements_of(commands: Sequence[Command], index: int) -> list[tuple[str, str]]:
    """(idea, message) for one command of a script: the "tls", "pipe" and "install" ideas, for kinds whose rules take them whole."""
    words = command_words(commands[index])
    found: list[tuple[str, str]] = []
    tls = tls_off(commands[index])
    if tls is not None:
        found.append(("tls", tls.message))
    pipe = piped_into_shell(commands, index)
    if pipe is not None:
        found.append(("pipe", pipe.message))
    install = install_message(words)
    if install is not None:
        found.append(("install", install))
    return found


def argv_judgements(argv: Sequence[str], idea: str) -> list[tuple[int, str]]:
    """(argv element, message) for each command an exec-form argv runs that gets `idea`'s judgement.

    The commands of one element (the argv itself, or a `sh -c` script) are
    judged together, so a pipe is seen across the commands of its script.
    """
    scripts: dict[int, list[Command]] = {}
    for element, command in argv_commands(argv):
        scripts.setdefault(element, []).append(command)
    return [(element, message) for element, script in scripts.items() for index in range(len(script))
            for found, message in judgements_of(script, index) if found == idea]


# ---------------------------------------------------------------- TLS and signature verification turned off

_CURL_VALUE_LETTERS = set("oudHXAebcFTwxmrCEKQyYz")
_SKIP_TLS_VERIFY = {"--insecure-skip-tls-verify", "--insecure-skip-tls-verify=true"}
_TLS_VERIFY_FALSE = {"--tls-verify=false", "--src-tls-verify=false", "--dest-tls-verify=false"}
_PIP_LIKE = re.compile(r"pip[0-9.]*|python[0-9.]*|uv|pipenv|poetry")


def _curl_insecure(args: Sequence[str]) -> str | None:
    for word in args:
        if word == "--insecure":
            return "--insecure"
        if word.startswith("-") and not word.startswith("--"):
            for letter in word[1:]:
                if letter == "k":
                    return "-k"
                if letter in _CURL_VALUE_LETTERS:
                    break
    return None


def _tls_off_flag(tool: str, args: list[str], text: str) -> tuple[str, str] | None:
    """(what the command does, which verification) when it turns verification off."""
    if tool == "curl":
        flag = _curl_insecure(args)
        return (f"curl {flag}", "TLS") if flag else None
    if tool == "wget" and "--no-check-certificate" in args:
        return "wget --no-check-certificate", "TLS"
    if tool in ("kubectl", "helm", "oc") and _SKIP_TLS_VERIFY & set(args):
        return f"{tool} --insecure-skip-tls-verify", "TLS"
    if tool == "argocd" and "--insecure" in args:
        return "argocd --insecure", "TLS"
    if tool in ("docker", "dockerd") and any(a == "--insecure-registry" or a.startswith("--insecure-registry=") for a in args):
        return f"{tool} --insecure-registry", "TLS"
    if tool in ("skopeo", "podman", "buildah"):
        flag = next((a for a in args if a in _TLS_VERIFY_FALSE), None)
        return (f"{tool} {flag}", "TLS") if flag else None
    if _PIP_LIKE.fullmatch(tool) and ("--trusted-host" in text or "global.trusted-host" in text):
        return "pip --trusted-host", "TLS"
    if tool == "apk" and "--allow-untrusted" in args:
        return "apk --allow-untrusted", "signature"
    if tool in ("npm", "yarn", "pnpm") and _strict_ssl_off(args):
        return f"{tool} strict-ssl false", "TLS"
    if tool == "git" and re.search(r"http\.sslverify[ =](false|0)\b", text):
        return "git http.sslVerify=false", "TLS"
    if (tool in RPM_MANAGERS or tool.endswith("config-manager")) and re.search(r"sslverify=(0|false|no)\b", text):
        return f"{tool} sslverify=0", "TLS"
    return _signature_off(tool, args, text)


def _strict_ssl_off(args: list[str]) -> bool:
    """`npm config set strict-ssl false` (also `npm set`, `npm c set`, `strict-ssl=false`) or `--strict-ssl=false`."""
    words = [a.lower() for a in args]
    for i, word in enumerate(words):
        if word in ("--strict-ssl=false", "--strict-ssl=0"):
            return True
        if word == "--strict-ssl" and words[i + 1 : i + 2] in (["false"], ["0"]):
            return True
    if not ({"set"} & set(words[:3])):
        return False
    for i, word in enumerate(words):
        key, eq, value = word.partition("=")
        if key in ("strict-ssl", "strictssl", "enablestrictssl", "strict_ssl"):
            value = value if eq else (words[i + 1] if i + 1 < len(words) else "")
            return value in ("false", "0")
    return False


_APT_UNSIGNED = ("--allow-unauthenticated", "--force-yes", "--allow-insecure-repositories",
                 "--allow-downgrades-unauthenticated")


def _signature_off(tool: str, args: list[str], text: str) -> tuple[str, str] | None:
    """Package managers told to install what nobody signed (or that fails its signature check)."""
    if tool in ("apt-get", "apt", "aptitude"):
        flag = next((a for a in args if a in _APT_UNSIGNED), None)
        if flag is None and re.search(r"allowunauthenticated[ =\"']*(true|1|yes)\b", text):
            flag = "-o APT::Get::AllowUnauthenticated=true"
        return (f"{tool} {flag}", "signature") if flag else None
    if tool in RPM_MANAGERS:
        if "--nogpgcheck" in args or "--no-gpgchecks" in args:
            return f"{tool} --nogpgcheck", "signature"
        if re.search(r"(?<!repo_|local)gpgcheck=(0|false|no)\b", text):
            return f"{tool} gpgcheck=0", "signature"
    if tool == "zypper" and ("--no-gpg-checks" in args or "--no-gpg-check" in args):
        return "zypper --no-gpg-checks", "signature"
    if tool == "rpm":
        flag = next((a for a in args if a in ("--nodigest", "--nosignature", "--nofiledigest", "--noverify")), None)
        return (f"rpm {flag}", "signature") if flag else None
    if tool == "gem" and re.search(r"-P\s*(NoSecurity|LowSecurity)|--trust-policy[ =](NoSecurity|LowSecurity)", text,
                                   re.IGNORECASE):
        return "gem --trust-policy NoSecurity", "signature"
    return None


INSECURE_ENVIRONMENT = {
    "NODE_TLS_REJECT_UNAUTHORIZED": lambda v: v == "0",
    "GIT_SSL_NO_VERIFY": lambda v: True,  # git checks only that it is set: "false" turns verification off too
    "PYTHONHTTPSVERIFY": lambda v: v == "0",
    "PIP_TRUSTED_HOST": lambda v: bool(v),
    "NPM_CONFIG_STRICT_SSL": lambda v: v.lower() in ("false", "0"),
    "CURL_INSECURE": lambda v: v.lower() not in ("", "0", "false"),
    "YARN_ENABLE_STRICT_SSL": lambda v: v.lower() in ("false", "0"),
    "CURL_CA_BUNDLE": lambda v: v == "",  # requests: an empty bundle turns verification off
}
"""Environment variables that turn TLS verification off, and the values that do (exact for variables a tool
reads as a number, any value where only being set counts)."""


def insecure_variable(name: str, value: str) -> bool:
    test = INSECURE_ENVIRONMENT.get(name.upper())
    value = value.strip().strip("'\"")
    if name.upper() == "GIT_SSL_NO_VERIFY":
        return True  # set at all, even to "" or to a variable's value: git checks only that it exists
    return test is not None and "$" not in value and test(value)


def _assigned(command: Mapping[str, Any]) -> list[tuple[str, str]]:
    """`NAME=value` pairs a command sets: its prefix assignments, `export`/`env` words before the program."""
    found = [(str(k), str(v)) for k, v in (command.get("assignments") or {}).items()]
    argv = [str(w) for w in command.get("argv") or []]
    while argv and _ASSIGNMENT.match(argv[0]):
        name, _, value = argv.pop(0).partition("=")
        found.append((name, value))
    if tool_of(argv) in ("export", "env", "declare", "typeset", "sudo") or not argv:
        for word in argv[1:]:
            match = re.match(r"([A-Za-z_][A-Za-z0-9_]*)=(.*)", word, re.S)
            if match:
                found.append((match.group(1), match.group(2)))
            elif not word.startswith("-") and tool_of(argv) not in ("export", "declare", "typeset"):
                break
    return found


def insecure_environment(command: Mapping[str, Any]) -> Verdict | None:
    """A command that sets a variable turning TLS verification off (`PYTHONHTTPSVERIFY=0 python ...`,
    `export GIT_SSL_NO_VERIFY=1`): everything it or the rest of the script downloads is unverified."""
    for name, value in _assigned(command):
        if insecure_variable(name, value):
            shown = value.strip().strip("'\"")
            return Verdict(f"{name}={shown}", f"{name}={shown} turns off TLS verification: anyone on the path can "
                           "answer in the server's place")
    return None


def tls_off(command: Mapping[str, Any]) -> Verdict | None:
    """The one TLS/signature judgement of a parsed command: its flags, and the environment it sets."""
    return tls_verification_off(command_words(command)) or insecure_environment(command)


def tls_verification_off(words: Sequence[str]) -> Verdict | None:
    """Whether a command (its words, wrappers stripped) turns off TLS or package-signature verification."""
    if not words:
        return None
    found = _tls_off_flag(tool_of(words), list(words[1:]), " ".join(words).lower())
    if found is None:
        return None
    what, verification = found
    if verification == "signature":
        return Verdict(what, f"{what} turns off signature verification: a package nobody signed can be installed")
    return Verdict(what, f"{what} turns off TLS verification: anyone on the path can answer in the server's place")


# ---------------------------------------------------------------- a download piped into a shell

DOWNLOADERS = {"curl", "wget", "fetch"}
INTERPRETERS = {"sh", "bash", "dash", "ash", "zsh", "ksh", "python", "python2", "python3", "perl", "ruby", "node",
                "pwsh", "iex"}
_SUBSTITUTED_DOWNLOAD = re.compile(r"\s*[<$]\(\s*(?:curl|wget|fetch)\b")
_CODE_OPTIONS = {"-c", "-m", "-e", "-E", "-Command", "-File"}


def _runs_stdin(words: Sequence[str]) -> bool:
    """Whether an interpreter runs its standard input: no script operand and no `-c CODE`/`-m MODULE`."""
    for word in words[1:]:
        if word in ("-", "--", "-s"):  # `bash -s ARGS`: the script from stdin, ARGS as its parameters
            return True
        if word in _CODE_OPTIONS:
            return False
        if not word.startswith("-"):
            return False
    return True


def _substituted_download(words: Sequence[str]) -> bool:
    """`bash <(curl ...)` or `sh -c "$(curl ...)"`: the download is the script the interpreter runs."""
    return any(_SUBSTITUTED_DOWNLOAD.match(w) and w.rstrip().endswith(")") for w in words[1:])


def piped_into_shell(commands: Sequence[Command], index: int) -> Verdict | None:
    """Whether `commands[index]` is an interpreter that runs a downloaded script, unverified."""
    command = commands[index]
    words = command_words(command)
    shell = tool_of(words)
    if shell not in INTERPRETERS:
        return None
    source = None
    if _runs_stdin(words):
        source = next((i for i, c in enumerate(commands) if c["pipeline"] == command["pipeline"]
                       and c["position"] < command["position"] and tool_of(command_words(c)) in DOWNLOADERS), None)
    if source is None and not _substituted_download(words):
        return None
    return Verdict(f"download | {shell}", f"a downloaded script is piped into {shell}: nothing verifies what runs; "
                   "download it, check its checksum or signature, then run it", source)


# ---------------------------------------------------------------- installs that leave the version open

_APT_VALUE_FLAGS = {"-o", "-t", "--target-release", "-c", "--config-file"}
_RPM_VALUE_FLAGS = {"--setopt", "--enablerepo", "--disablerepo", "--repo", "--repofrompath", "--releasever",
                    "--installroot", "-c", "--config", "--exclude", "-x"}
_APK_VALUE_FLAGS = {"-X", "--repository", "-t", "--virtual", "-p", "--root", "--arch", "--keys-dir"}
RPM_MANAGERS = ("yum", "dnf", "dnf5", "microdnf", "tdnf")


def _apt_pinned(package: str) -> bool:
    return "=" in package or package.endswith(".deb")


def _apk_pinned(package: str) -> bool:
    return any(op in package for op in ("=", "~", "<", ">")) or package.endswith(".apk")


def _rpm_pinned(package: str) -> bool:
    return bool(re.search(r"-\d", package)) or package.endswith(".rpm") or "/" in package


ZYPPER_VALUE_FLAGS = {"-r", "--repo", "-t", "--type", "--root", "-R", "--reposd-root", "-D", "--cache-dir",
                      "--raw-cache-dir", "--solv-cache-dir", "--pkg-cache-dir", "--releasever", "-p", "--from"}
_ACTIONS: dict[str, dict[str, str]] = {
    "apt": {"install": "install", "reinstall": "install", "upgrade": "upgrade", "dist-upgrade": "upgrade",
            "full-upgrade": "upgrade", "update": "update", "remove": "remove", "purge": "remove",
            "autoremove": "remove", "build-dep": "install", "clean": "clean", "autoclean": "clean"},
    "apk": {"add": "install", "upgrade": "upgrade", "update": "update", "del": "remove", "cache": "clean"},
    "rpm": {"install": "install", "in": "install", "reinstall": "install", "localinstall": "install",
            "groupinstall": "install", "rei": "install", "upgrade": "upgrade", "up": "upgrade", "update": "upgrade",
            "upgrade-minimal": "upgrade", "up-min": "upgrade", "update-minimal": "upgrade",
            "distro-sync": "upgrade", "dsync": "upgrade", "distrosync": "upgrade", "dist-upgrade": "upgrade",
            "remove": "remove", "erase": "remove", "rm": "remove", "autoremove": "remove", "clean": "clean",
            "makecache": "update", "mc": "update"},
    "zypper": {"install": "install", "in": "install", "source-install": "install", "si": "install",
               "update": "upgrade", "up": "upgrade", "dist-upgrade": "upgrade", "dup": "upgrade", "patch": "upgrade",
               "remove": "remove", "rm": "remove", "clean": "clean", "cc": "clean", "refresh": "update",
               "ref": "update"},
}
_FAMILY = {"apt-get": "apt", "apt": "apt", "aptitude": "apt", "apk": "apk", "zypper": "zypper",
           **{m: "rpm" for m in ("yum", "dnf", "dnf5", "microdnf", "tdnf")}}
_VALUE_FLAGS = {"apt": _APT_VALUE_FLAGS, "apk": _APK_VALUE_FLAGS, "rpm": _RPM_VALUE_FLAGS, "zypper": ZYPPER_VALUE_FLAGS}


@dataclass(frozen=True)
class PackageAction:
    """An OS package manager command, its aliases resolved: `dnf in x` is an install like `dnf install x`."""

    tool: str
    family: str  # apt, apk, rpm, zypper
    action: str  # install, upgrade, update, remove, clean, or the word itself
    verb: str
    operands: tuple[str, ...]
    """The words after the verb that are not options (package names for an install)."""
    kind: str = ""
    """"module" or "group" for `dnf module install` / `dnf group install` ("" for packages)."""


def package_action(words: Sequence[str]) -> PackageAction | None:
    """What an apt/apk/yum/dnf/microdnf/zypper command does, or None for any other command."""
    return _package_action(tuple(words))


@functools.lru_cache(maxsize=4096)
def _package_action(words: tuple[str, ...]) -> PackageAction | None:
    tool = tool_of(words)
    family = _FAMILY.get(tool)
    if family is None:
        return None
    rest = operands(words[1:], _VALUE_FLAGS[family])
    kind = ""
    if family == "rpm" and rest[:1] in (["module"], ["group"], ["groups"]) and len(rest) > 1:
        kind, rest = rest[0], rest[1:]  # `yum module install x:stream`, `dnf group install "Development Tools"`
    if not rest:
        return None
    verb = rest[0]
    return PackageAction(tool, family, _ACTIONS[family].get(verb, verb), verb, tuple(rest[1:]), kind)


def os_packages(words: Sequence[str]) -> list[str] | None:
    """The package operands of an apt/apk/yum/dnf/zypper install (aliases such as `dnf in` included), or None."""
    found = package_action(words)
    if found is None or found.action != "install" or found.verb == "build-dep":
        return None
    if found.kind.startswith("group"):
        return []  # a group has no version to pin
    if found.kind == "module":
        return [m for m in found.operands if ":" not in m]  # `name:stream` chooses the stream
    return list(found.operands)


def _zypper_pinned(package: str) -> bool:
    return any(op in package for op in ("=", "<", ">")) or package.endswith(".rpm") or "/" in package


def option_values(words: Sequence[str], flags: Iterable[str]) -> list[tuple[int, str]]:
    """Each value given to one of `flags` in `words` (`--tag X` or `--tag=X`), in order, with the index of the word
    that holds it."""
    wanted = set(flags)
    found: list[tuple[int, str]] = []
    for i, word in enumerate(words):
        if word in wanted and i + 1 < len(words):
            found.append((i + 1, words[i + 1]))
            continue
        name, eq, value = word.partition("=")
        if eq and name in wanted:
            found.append((i, value))
    return found


def _flag_value(words: Sequence[str], flags: set[str]) -> str | None:
    """The value of the first of `flags` in `words` (`--virtual .deps` or `--virtual=.deps`)."""
    values = option_values(words, flags)
    return values[0][1] if values else None


_APT_REMOVE_VERBS = {"purge", "remove", "autoremove", "autopurge"}
_RPM_REMOVE_VERBS = {"remove", "erase", "autoremove"}


def removed_later(words_of: Sequence[Sequence[str]], index: int) -> set[str] | None:
    """What the commands after `index` in the same script remove of what command `index` installed.

    The packages (names as written) that a later `apk del`, `apt-get purge`/`remove`, or
    `yum`/`dnf remove` takes out again; None when everything it installed goes: `apk del` of
    its `--virtual` group, or the `apt-mark auto` ... `apt-get purge --auto-remove` idiom of the
    official images (everything installed since `apt-mark showmanual` is marked automatic and
    auto-removed). The build tools of such a RUN never reach a layer.
    """
    words = list(words_of[index])
    installed = os_packages(words)
    if installed is None:
        return set()
    tool = tool_of(words)
    group = _flag_value(words, {"--virtual", "-t"}) if tool == "apk" else None
    removed: set[str] = set()
    marked_auto = False
    for later in words_of[index + 1:]:
        later = list(later)
        name = tool_of(later)
        if tool == "apk" and name == "apk":
            rest = operands(later[1:], _APK_VALUE_FLAGS)
            if rest[:1] == ["del"]:
                if group is not None and group in rest[1:]:
                    return None
                removed.update(rest[1:])
        elif tool in ("apt-get", "apt") and name == "apt-mark":
            rest = operands(later[1:], set())
            marked_auto = marked_auto or rest[:1] == ["auto"]
        elif tool in ("apt-get", "apt") and name in ("apt-get", "apt"):
            rest = operands(later[1:], _APT_VALUE_FLAGS)
            if rest[:1] and rest[0] in _APT_REMOVE_VERBS:
                auto = rest[0] in ("autoremove", "autopurge") or "--auto-remove" in later or "--autoremove" in later
                if marked_auto and auto:
                    return None
                removed.update(rest[1:])
        elif tool in RPM_MANAGERS and name in RPM_MANAGERS:
            rest = operands(later[1:], _RPM_VALUE_FLAGS)
            if rest[:1] and rest[0] in _RPM_REMOVE_VERBS:
                removed.update(rest[1:])
    return removed


def _os_install(words: Sequence[str]) -> Install | None:
    packages = os_packages(words)
    if packages is None:
        return None
    name = tool_of(words)
    family = _FAMILY[name]
    pinned = {"apt": _apt_pinned, "apk": _apk_pinned, "zypper": _zypper_pinned}.get(family, _rpm_pinned)
    hint = "name-version" if family == "rpm" else "name=version"
    return _install("os", name, [p for p in packages if "$" not in p and not pinned(p)], hint)


_PIP_VALUE_FLAGS = {"-i", "--index-url", "--extra-index-url", "-t", "--target", "--prefix", "--root", "-f",
                    "--find-links", "--trusted-host", "--platform", "--python-version", "--implementation",
                    "--abi", "--src", "--upgrade-strategy", "--progress-bar", "--cache-dir", "--log", "--proxy",
                    "--timeout", "--retries", "--cert", "--client-cert", "--exists-action", "-C",
                    "--config-settings", "--global-option", "--python", "-p", "--only-binary", "--no-binary",
                    "--root-user-action", "--build", "--log-file", "--report", "--keyring-provider",
                    "--use-feature", "--use-deprecated", "--install-option", "--build-option"}
_LOCKED_PIP_FLAGS = ("-r", "--requirement", "-c", "--constraint", "--require-hashes")
_PIP_TOOLING = {"pip", "setuptools", "wheel"}  # `pip install -U pip setuptools wheel` refreshes the installer itself
_PYTHON_VERBS = {"pip": ("install",), "pipenv": ("install",), "poetry": ("add",), "pipx": ("install",), "uv": ("add",)}


def python_install(words: Sequence[str]) -> tuple[str, list[str]] | None:
    """(tool, words after the install verb) for pip/pipenv/poetry/uv/pipx installs by name."""
    words = list(words)
    name = tool_of(words)
    if re.fullmatch(r"python[0-9.]*", name) and words[1:3] == ["-m", "pip"]:
        words, name = words[2:], "pip"
    if re.fullmatch(r"pip[0-9.]*", name):
        name = "pip"
    if name == "uv" and words[1:3] == ["pip", "install"]:
        return "uv pip", words[3:]
    if name == "uv" and words[1:3] == ["tool", "install"]:
        return "uv tool", words[3:]
    if name in _PYTHON_VERBS and len(words) > 1 and words[1] in _PYTHON_VERBS[name]:
        return name, words[2:]
    return None


_MOVING_REFS = {"main", "master", "head", "develop", "trunk", "latest"}


def vcs_pinned(url: str, separator: str) -> bool:
    """A VCS requirement (`git+https://host/repo.git@v1.2#egg=x` for pip, `...#v1.2` for npm) that names a ref
    after `separator`; a branch such as main or master is no pin. User info (`git@host`) is not a ref."""
    if separator == "@":
        after_scheme = url.split("://", 1)[-1].split("#", 1)[0]
        path = after_scheme.split("/", 1)[1] if "/" in after_scheme else ""
        ref = path.rsplit("@", 1)[1] if "@" in path else ""
    else:
        ref = url.split("#", 1)[1] if "#" in url else ""
    ref = ref.removeprefix("semver:")
    return bool(ref) and ref.lower() not in _MOVING_REFS


_VCS_PREFIXES = ("git+", "hg+", "svn+", "bzr+")


def _pip_pinned(requirement: str) -> bool:
    if requirement.startswith(_VCS_PREFIXES):
        return vcs_pinned(requirement, "@")
    if "://" not in requirement and "/" in requirement:
        return True  # a local folder or file
    return "==" in requirement or "@" in requirement or requirement.startswith((".", "~", "http://", "https://", "file:")) \
        or requirement.endswith((".whl", ".tar.gz", ".zip")) or "$" in requirement


def _python_install(words: Sequence[str]) -> Install | None:
    found = python_install(words)
    if found is None:
        return None
    tool, rest = found
    if any(w in _LOCKED_PIP_FLAGS or w.startswith(tuple(f + "=" for f in _LOCKED_PIP_FLAGS)) for w in rest):
        return None
    upgrade = any(w in ("-U", "--upgrade") for w in rest)
    names = operands(rest, _PIP_VALUE_FLAGS)
    loose = [n for n in names if not _pip_pinned(n) and not (upgrade and n.lower() in _PIP_TOOLING)]
    return _install("python", tool, loose, "name==1.2.3, or -r with a lock or constraints file")


NODE_TOOLS = ("npm", "yarn", "pnpm", "bun")


_NODE_FILES = (".tgz", ".tar", ".tar.gz")
_NODE_VCS = ("git+", "git://", "github:", "gitlab:", "bitbucket:", "gist:")


def node_spec_pinned(spec: str) -> bool:
    """`name@1.2.3`, a local path or tarball, a git URL with a `#commit-ish`, or a variable: a fixed version (a range
    such as `@^1` is not, nor is a git URL without a ref)."""
    if spec.startswith((".", "/", "~", "file:")) or spec.endswith(_NODE_FILES) or "$" in spec:
        return True
    if spec.startswith(_NODE_VCS) or re.fullmatch(r"[\w.-]+/[\w.-]+(#.*)?", spec):
        return vcs_pinned(spec, "#")  # `user/repo#v1` is a GitHub shorthand
    at = spec.rfind("@")
    return at > 0 and bool(re.match(r"\d", spec[at + 1 :].lstrip("\"'=v")))


_NODE_VALUE_FLAGS = {"--loglevel", "--registry", "--prefix", "--cache", "--tag", "--userconfig", "--globalconfig",
                     "-w", "--workspace", "--omit", "--include", "--install-strategy", "--save-prefix",
                     "--fetch-retries", "--fetch-timeout", "--proxy", "--https-proxy", "--before", "-C", "--dir",
                     "--network-timeout", "--modules-folder", "--cache-folder", "--mutex", "--cwd", "--filter", "-F",
                     "--reporter", "--store-dir", "--virtual-store-dir"}
"""npm/yarn/pnpm options whose value is the next word (`--loglevel verbose`): that word is not a package."""


def node_install_verb(tool: str, args: Sequence[str]) -> bool:
    """`npm install`, `yarn`, `yarn install`, `pnpm install`, `bun install` (with or without package names)."""
    if tool == "npm":
        return list(args[:1]) in (["install"], ["i"])
    if not args:
        return tool == "yarn"
    return args[0] in ("install", "i") or (tool == "yarn" and args[0].startswith("-"))


def node_packages(words: Sequence[str]) -> list[str] | None:
    """The package names of an npm/yarn/pnpm/bun install or add, or None for any other command."""
    tool = tool_of(words)
    if tool not in NODE_TOOLS:
        return None
    args = list(words[1:])
    names = operands(args[1:], _NODE_VALUE_FLAGS)
    if args[:1] == ["add"] or args[:2] == ["global", "add"]:
        return [n for n in names if n != "add"]
    return names if node_install_verb(tool, args) else None


def _node_install(words: Sequence[str]) -> Install | None:
    names = node_packages(words)
    if not names:
        return None
    return _install("node", tool_of(words), [n for n in names if not node_spec_pinned(n)], "name@1.2.3")


_MOVING_GO_VERSIONS = ("@latest", "@master", "@main", "@HEAD")


def _go_install(words: Sequence[str]) -> Install | None:
    """`go install x@latest` (a bare `go install x` takes go.mod's version, or fails outside a module)."""
    if len(words) < 3 or tool_of(words) != "go" or words[1] not in ("install", "get", "run"):
        return None
    moving = [w for w in words[2:] if w.endswith(_MOVING_GO_VERSIONS)]
    if words[1] == "get":  # `go get x` with no version takes the newest (@upgrade); `go get ./...` is local
        moving += [w for w in operands(words[2:], {"-modfile"}) if "@" not in w and not w.startswith(".")
                   and "$" not in w]
    if not moving:
        return None
    return Install("go", "go", tuple(moving), f"`go {words[1]} {moving[0]}` takes whatever is newest: pin a version "
                   "such as @v1.2.3")


def _gem_install(words: Sequence[str]) -> Install | None:
    if tool_of(words) != "gem" or words[1:2] not in (["install"], ["i"]):  # `gem i` is gem's own alias
        return None
    args = list(words[2:])
    args = args[: args.index("--")] if "--" in args else args  # after `--`: build options of the gem
    if any(a in ("-v", "--version") or a.startswith("--version=") for a in args):
        return None
    names = operands(args, {"-v", "--version", "-i", "--install-dir", "-n", "--bindir", "-s", "--source", "-P",
                            "--trust-policy", "--platform", "-g", "--file"})
    loose = [n for n in names if ":" not in n and not n.endswith(".gem") and "$" not in n]
    return _install("ruby", "gem", loose, "-v 1.2.3")


def _cargo_install(words: Sequence[str]) -> Install | None:
    if tool_of(words) != "cargo" or words[1:2] != ["install"]:
        return None
    args = list(words[2:])
    if any(a in ("--version", "--vers", "--path", "--rev", "--tag") or a.startswith(("--version=", "--vers=", "--path=",
                                                                                     "--rev=", "--tag=")) for a in args):
        return None
    names = operands(args, {"--git", "--branch", "--root", "--registry", "--index", "--target", "--features", "-F",
                            "--profile", "-j", "--jobs", "--bin", "--example", "--target-dir", "--config", "-Z"})
    loose = [n for n in names if "@" not in n and "$" not in n]
    return _install("rust", "cargo", loose, "name@1.2.3 or --version 1.2.3")


def _install(family: str, tool: str, loose: list[str], hint: str) -> Install | None:
    if not loose:
        return None
    return Install(family, tool, tuple(loose), f"{tool} installs {_shown(loose)} without a pinned version ({hint}): "
                   "the next install may get another one")


def unpinned_install(words: Sequence[str]) -> Install | None:
    """A package install (OS, Python, Node, Go, Ruby, Rust) that names packages without a version.

    Four Dockerfile rules and every kind's install rule ask about the same command: judged once per words."""
    return _unpinned_install(tuple(words))


@functools.lru_cache(maxsize=4096)
def _unpinned_install(words: tuple[str, ...]) -> Install | None:
    if not words:
        return None
    as_list = list(words)  # the judges compare slices with lists
    for judge in (_os_install, _python_install, _node_install, _go_install, _gem_install, _cargo_install):
        found = judge(as_list)
        if found is not None:
            return found
    return None


def latest_release_url(words: Sequence[str]) -> str | None:
    """A URL of a moving `.../releases/latest...` download among a command's words (a `sh -c` script is not a URL)."""
    return next((w for w in words if "://" in w and "/releases/latest" in w and not any(c.isspace() for c in w)), None)


def latest_release_message(url: str) -> str:
    return f"download from a moving 'latest' release: {url[:90]}"


def lockfile_bypassed(words: Sequence[str]) -> Verdict | None:
    """`npm install` (not `npm ci`) or `yarn/pnpm/bun install` without a frozen lockfile: versions resolved afresh."""
    tool = tool_of(words)
    args = list(words[1:])
    if tool not in NODE_TOOLS or not node_install_verb(tool, args) or node_packages(words):
        return None
    if tool == "npm":
        return Verdict("npm install", "`npm install` resolves versions afresh: use `npm ci`, which installs exactly "
                       "the lockfile")
    flags = {a.split("=", 1)[0] for a in args if a.startswith("-")}
    if flags & {"--frozen-lockfile", "--immutable", "--ci"}:
        return None
    return Verdict(f"{tool} install", f"`{tool} install` without --frozen-lockfile (or --immutable) may change the "
                   "lockfile during the build")


def install_message(words: Sequence[str]) -> str | None:
    """The words for a command that installs or downloads something with its version left open, or None."""
    found = unpinned_install(words)
    if found is not None:
        return found.message
    url = latest_release_url(words)
    return latest_release_message(url) if url else None


def password_set_in_script(commands: Sequence[Mapping[str, Any]], index: int) -> Verdict | None:
    """`echo 'root:secret' | chpasswd`: a password written into the script (and so into the image history)."""
    command = commands[index]
    if tool_of(command_words(command)) != "chpasswd":
        return None
    for other in commands:
        if other["pipeline"] != command["pipeline"] or other["position"] >= command["position"]:
            continue
        words = command_words(other)
        if tool_of(words) not in ("echo", "printf"):
            continue
        for word in words[1:]:
            if ":" in word and "$" not in word and not word.startswith("-"):
                user = word.split(":", 1)[0]
                return Verdict("chpasswd", f"the password of '{user}' is written into the build script: it stays in the "
                               "image history; lock the account or set the password at run time from a secret")
    return None


# ---------------------------------------------------------------- programs a build adds to an image, or removes

PROGRAM_PACKAGES = {"curl": {"curl", "curl-minimal"}, "wget": {"wget"}}
"""The OS packages that install each program a health check runs (apt, apk, yum/dnf name them alike)."""
_SCRIPT_SUFFIXES = (".sh", ".bash")


def _package_name(operand: str) -> str:
    """`curl=7.88.1-10` and `curl~8` are the package `curl`."""
    return re.split(r"[=<>~]", operand, maxsplit=1)[0]


def _runs_script_file(words: Sequence[str]) -> bool:
    """`./install.sh`, `bash scripts/deps.sh`: a script of the build context, which may install anything."""
    name = tool_of(words)
    if name.endswith(_SCRIPT_SUFFIXES):
        return True
    if name in _SHELL_NAMES:
        rest = [w for w in words[1:] if w not in ("-e", "-x", "-ex", "-eux", "-eu", "-o", "pipefail")]
        return bool(rest) and not rest[0].startswith("-")
    return False


def program_changes(commands: Sequence[Command]) -> list[list[str]]:
    """What the commands of one RUN do to the programs of PROGRAM_PACKAGES, in order: ["add", program] (installed,
    or run, so present), ["remove", program] (uninstalled), ["unknown", "*"] (a package list not known, or a script
    of the context that may install anything). An install that the same RUN removes again (`apk del .deps`, the
    `apt-mark auto` idiom) adds nothing."""
    words_of = [command_words(c) for c in commands]
    changes: list[list[str]] = []
    gone_here: set[str] = set()  # installed for the build and removed by this RUN: its use here leaves nothing
    for index, words in enumerate(words_of):
        name = tool_of(words)
        action = package_action(words)
        if action is not None and action.action in ("install", "remove"):
            names = {_package_name(o) for o in action.operands}
            if any("$" in n or "`" in n for n in names) or (action.action == "install" and not names):
                changes.append(["unknown", "*"])  # `apt-get install $PACKAGES`, `xargs apt-get install`
                continue
            removed = removed_later(words_of, index) if action.action == "install" else set()
            for program, packages in sorted(PROGRAM_PACKAGES.items()):
                if names & packages:
                    gone = removed is None or bool(packages & {_package_name(r) for r in removed})
                    if gone:
                        gone_here.add(program)
                    changes.append(["remove" if action.action == "remove" or gone else "add", program])
        elif _runs_script_file(words):
            changes.append(["unknown", "*"])
        else:
            # the build runs it, so it is there; a helper installs what it is given (`install_packages curl`); a
            # command writes a file of its name (`wget -O /usr/local/bin/curl ...`): each taken as added
            named = {w.rsplit("/", 1)[-1] for w in words[1:]} | {name}
            changes += [["add", p] for p in sorted(PROGRAM_PACKAGES) if p in named and p not in gone_here]
    return changes


# ---------------------------------------------------------------- what a health check runs, and which port it asks

_LOCAL_URL = re.compile(r"^(?:(?P<scheme>https?)://)?(?:localhost|127\.0\.0\.1|0\.0\.0\.0|\[::1\])"
                        r"(?::(?P<port>[^/?#\s]*))?(?:[/?#]|$)", re.I)
_GRPC_ADDR = re.compile(r"^-?-addr[= ](?:localhost|127\.0\.0\.1|0\.0\.0\.0)?:(?P<port>\d+)$")
HTTP_CLIENTS = frozenset({"curl", "wget"})


@dataclass(frozen=True)
class HealthCommand:
    """What a health check (a HEALTHCHECK, a compose `healthcheck.test`, an exec probe) runs.

    `programs` are the programs it starts, in order (`sh` first for a shell form); `ports` the local ports its
    HTTP clients (curl, wget) and grpc_health_probe ask, None when one of them is not known (`$PORT`)."""

    programs: tuple[str, ...]
    ports: tuple[int, ...] | None
    paths: tuple[tuple[int, str], ...] | None = ()
    """(port, path) of each local URL its HTTP clients ask, the query left out; None when a port is not known."""


def _local_urls(words: Sequence[str]) -> list[tuple[int | None, str]]:
    """The port (80 or 443 when the URL names none; None when it is not a number) and the path (`/` when it names
    none, without query or fragment) of each local URL among an HTTP client's words."""
    found: list[tuple[int | None, str]] = []
    for word in words[1:]:
        match = _LOCAL_URL.match(word)
        if match is None:
            continue
        port = match.group("port")
        path = "/" + word[match.end():].split("?", 1)[0].split("#", 1)[0] if word[match.end() - 1:match.end()] == "/" \
            else "/"
        if port is None or port == "":
            found.append((443 if (match.group("scheme") or "").lower() == "https" else 80, path))
        else:
            found.append((int(port) if port.isdigit() else None, path))
    return found


def health_command(argv: Sequence[str] | None = None, script: str | None = None) -> HealthCommand:
    """Judge a health check given as an exec form (`argv`) or a shell form (`script`, which `/bin/sh -c` runs)."""
    from readycheck.shell import parse_script

    if script is not None:
        commands = [c.as_dict() for c in parse_script(script).commands]
        programs = ["sh"]
    else:
        commands = [c for _, c in argv_commands(list(argv or []))]
        programs = []
    ports: list[int | None] = []
    urls: list[tuple[int | None, str]] = []
    for command in commands:
        words = command_words(command)
        name = tool_of(words)
        if not name or name in programs:
            continue
        programs.append(name)
    for command in commands:
        words = command_words(command)
        name = tool_of(words)
        if name in HTTP_CLIENTS:
            found = _local_urls(words)
            urls += found
            ports += [port for port, _ in found]
        elif name == "grpc_health_probe":
            joined = [" ".join(words[i:i + 2]) for i in range(1, len(words))] + list(words[1:])
            ports += [int(m.group("port")) for w in joined if (m := _GRPC_ADDR.match(w))]
    known = None if any(p is None for p in ports) else tuple(sorted({p for p in ports if p is not None}))
    paths = None if any(p is None for p, _ in urls) else tuple(sorted({(int(p), u[:200]) for p, u in urls if p is not None}))
    return HealthCommand(tuple(programs), known, paths)
