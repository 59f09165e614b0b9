"""Sprig functions that touch the outside world (time, randomness, crypto, DNS)
plus paths, URLs and semver.

Offline rendering must be deterministic, so "now" is a fixed instant, random
functions draw from the render's seeded generator, and certificate/key/hash
generators return stable placeholders derived from their inputs.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import posixpath
import re
import string
import urllib.parse
import uuid
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from .executor import CallContext
from .funcs_base import FuncError, FuncSpec, spec, want_int, want_map, want_str
from .funcs_math import to_int64
from .govalues import GoStruct
from .semver import SemverError, constraint_matches, parse_version

FIXED_NOW = dt.datetime(2024, 1, 1, 0, 0, 0, tzinfo=dt.timezone.utc)


# -- time ---------------------------------------------------------------------------
class GoTime(GoStruct):
    """A ``time.Time``: prints like Go and offers the common methods."""

    def __init__(self, moment: dt.datetime) -> None:
        self.moment = moment
        super().__init__("time.Time", {}, {
            "Unix": lambda: int(moment.timestamp()),
            "Format": lambda layout: go_strftime(moment, want_str(layout)),
            "UTC": lambda: GoTime(moment.astimezone(dt.timezone.utc)),
            "Year": lambda: moment.year,
        }, string=go_strftime(moment, "2006-01-02 15:04:05.999999999 -0700 MST"))


_LAYOUT_TOKENS = [
    ("January", "%B"), ("Jan", "%b"), ("Monday", "%A"), ("Mon", "%a"), ("2006", "%Y"), ("-07:00", "@tzc"),
    ("-0700", "%z"), ("Z07:00", "@tzz"), ("MST", "@tzname"), ("01", "%m"), ("02", "%d"), ("_2", "@_d"), ("06", "%y"),
    ("15", "%H"), ("03", "%I"), ("04", "%M"), ("05", "%S"), ("PM", "%p"), ("pm", "@pm"), (".000000000", "@ns"),
    (".999999999", "@ns9"), (".000000", "@us"), (".000", "@ms"), ("1", "@m"), ("2", "@d"), ("3", "@h"), ("4", "@min"),
    ("5", "@s"),
]


def go_strftime(moment: dt.datetime, layout: str) -> str:
    """Format with a Go reference-time layout (``2006-01-02T15:04:05Z07:00``)."""
    out: list[str] = []
    i = 0
    while i < len(layout):
        for token, code in _LAYOUT_TOKENS:
            if layout.startswith(token, i):
                out.append(_layout_part(moment, code))
                i += len(token)
                break
        else:
            out.append(layout[i])
            i += 1
    return "".join(out)


def _layout_part(moment: dt.datetime, code: str) -> str:
    offset = moment.utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    hh, mm = divmod(abs(minutes), 60)
    special = {
        "@tzc": f"{sign}{hh:02d}:{mm:02d}", "@tzz": "Z" if minutes == 0 else f"{sign}{hh:02d}:{mm:02d}",
        "@tzname": moment.tzname() or "UTC", "@_d": f"{moment.day:2d}", "@pm": moment.strftime("%p").lower(),
        "@ns": f".{moment.microsecond * 1000:09d}", "@us": f".{moment.microsecond:06d}",
        "@ms": f".{moment.microsecond // 1000:03d}", "@m": str(moment.month), "@d": str(moment.day),
        "@h": str(moment.hour % 12 or 12), "@min": str(moment.minute), "@s": str(moment.second),
        "@ns9": (f".{moment.microsecond * 1000:09d}".rstrip("0") if moment.microsecond else ""),
    }
    if code in special:
        return special[code]
    return moment.strftime(code)


def _as_moment(value: Any) -> dt.datetime:
    if isinstance(value, GoTime):
        return value.moment
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return dt.datetime.fromtimestamp(int(value), dt.timezone.utc)
    return FIXED_NOW


def now() -> GoTime:
    return GoTime(FIXED_NOW)


def date(layout: Any, value: Any) -> str:
    return go_strftime(_as_moment(value), want_str(layout))


def date_in_zone(layout: Any, value: Any, zone: Any) -> str:
    try:
        tz = ZoneInfo(want_str(zone)) if want_str(zone) not in ("", "UTC", "Local") else dt.timezone.utc
    except (KeyError, ValueError):
        tz = dt.timezone.utc
    return go_strftime(_as_moment(value).astimezone(tz), want_str(layout))


def html_date(value: Any) -> str:
    return date("2006-01-02", value)


def html_date_in_zone(value: Any, zone: Any) -> str:
    return date_in_zone("2006-01-02", value, zone)


def unix_epoch(value: Any) -> str:
    return str(int(_as_moment(value).timestamp()))


_DURATION_PART = re.compile(r"(\d+(?:\.\d*)?)(ns|us|µs|ms|s|m|h)")
_UNIT_SECONDS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600}


def parse_go_duration(text: str) -> dt.timedelta:
    sign = -1 if text.startswith("-") else 1
    body = text.lstrip("+-")
    parts = _DURATION_PART.findall(body)
    if not parts or "".join(n + u for n, u in parts) != body:
        raise FuncError(f'time: invalid duration "{text}"')
    return dt.timedelta(seconds=sign * sum(float(n) * _UNIT_SECONDS[u] for n, u in parts))


def format_go_duration(delta: dt.timedelta) -> str:
    total = int(delta.total_seconds())
    if total == 0:
        return "0s"
    sign = "-" if total < 0 else ""
    hours, rest = divmod(abs(total), 3600)
    minutes, seconds = divmod(rest, 60)
    text = f"{hours}h{minutes}m{seconds}s" if hours else f"{minutes}m{seconds}s" if minutes else f"{seconds}s"
    return sign + text


def date_modify(change: Any, value: Any) -> GoTime:
    return GoTime(_as_moment(value) + parse_go_duration(want_str(change)))


def to_date(layout: Any, text: Any) -> GoTime:
    fmt = "".join(code if not code.startswith("@") else "" for code in _layout_codes(want_str(layout)))
    try:
        parsed = dt.datetime.strptime(want_str(text), fmt)
    except ValueError:
        return GoTime(dt.datetime(1, 1, 1, tzinfo=dt.timezone.utc))
    return GoTime(parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.timezone.utc))


def _layout_codes(layout: str) -> list[str]:
    codes, i = [], 0
    while i < len(layout):
        for token, code in _LAYOUT_TOKENS:
            if layout.startswith(token, i):
                codes.append({"@tzc": "%z", "@tzz": "%z", "@tzname": "%Z", "@m": "%m", "@d": "%d"}.get(code, code))
                i += len(token)
                break
        else:
            codes.append(layout[i].replace("%", "%%"))
            i += 1
    return codes


def ago(value: Any) -> str:
    return format_go_duration(FIXED_NOW - _as_moment(value))


def duration(seconds: Any) -> str:
    """Sprig's duration reads a string or an int64 only: a template's int literal and every values
    number (float64) count as 0 seconds."""
    if isinstance(seconds, str):
        try:
            count = int(seconds)
        except ValueError:
            count = 0
        return format_go_duration(dt.timedelta(seconds=count))
    return "0s"


def duration_round(value: Any) -> str:
    seconds = abs(to_int64(value)) if not isinstance(value, str) else abs(parse_go_duration(value).total_seconds())
    for unit, size in (("y", 31536000), ("mo", 2592000), ("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{int(seconds // size)}{unit}"
    return f"{int(seconds)}s"


# -- semver ----------------------------------------------------------------------------
def semver(text: Any) -> GoStruct:
    try:
        v = parse_version(want_str(text))
    except SemverError as exc:
        raise FuncError(str(exc)) from None
    fields = {"Major": v.major, "Minor": v.minor, "Patch": v.patch, "Prerelease": v.prerelease,
              "Metadata": v.metadata, "Original": v.original}
    methods: dict[str, Callable[..., Any]] = {name: (lambda value=value: value) for name, value in fields.items()}
    methods["String"] = lambda: str(v)
    methods["Compare"] = lambda other: v.compare(parse_version(str(other)))
    return GoStruct("*semver.Version", {}, methods, string=str(v))


def semver_compare(constraint: Any, version: Any) -> bool:
    try:
        return constraint_matches(want_str(constraint), want_str(version))
    except SemverError as exc:
        raise FuncError(str(exc)) from None


# -- paths and URLs ------------------------------------------------------------------------
def go_clean(path: Any) -> str:
    text = want_str(path)
    if text == "":
        return "."
    cleaned = posixpath.normpath(text)
    return cleaned[1:] if cleaned.startswith("//") else cleaned


def base(path: Any) -> str:
    text = want_str(path).rstrip("/")
    if text == "":
        return "/" if want_str(path) else "."
    return text.rsplit("/", 1)[-1]


def dir_(path: Any) -> str:
    text = want_str(path)
    return go_clean(text[: text.rfind("/") + 1] if "/" in text else "")


def ext(path: Any) -> str:
    text = want_str(path)
    for i in range(len(text) - 1, -1, -1):
        if text[i] == "/":
            break
        if text[i] == ".":
            return text[i:]
    return ""


def is_abs(path: Any) -> bool:
    return want_str(path).startswith("/")


def url_parse(text: Any) -> dict[str, Any]:
    parts = urllib.parse.urlsplit(want_str(text))
    userinfo = parts.netloc.rpartition("@")[0] if "@" in parts.netloc else ""
    return {"scheme": parts.scheme, "host": parts.netloc.rpartition("@")[2], "hostname": parts.hostname or "",
            "path": parts.path, "query": parts.query, "opaque": "", "fragment": parts.fragment, "userinfo": userinfo}


def url_join(parts: Any) -> str:
    p = want_map(parts)
    netloc = (f"{p['userinfo']}@" if p.get("userinfo") else "") + str(p.get("host", ""))
    return urllib.parse.urlunsplit((str(p.get("scheme", "")), netloc, str(p.get("path", "")),
                                    str(p.get("query", "")), str(p.get("fragment", ""))))


# -- randomness (seeded per render) -------------------------------------------------------------
def _rand_from(ctx: CallContext, alphabet: str, count: Any) -> str:
    count = want_int(count)
    if count > 1_000_000:
        raise FuncError("random string too long")
    return "".join(ctx.executor.rng.choice(alphabet) for _ in range(max(count, 0)))


def rand_alpha_num(ctx: CallContext, count: Any) -> str:
    return _rand_from(ctx, string.ascii_letters + string.digits, count)


def rand_alpha(ctx: CallContext, count: Any) -> str:
    return _rand_from(ctx, string.ascii_letters, count)


def rand_numeric(ctx: CallContext, count: Any) -> str:
    return _rand_from(ctx, string.digits, count)


def rand_ascii(ctx: CallContext, count: Any) -> str:
    return _rand_from(ctx, "".join(chr(c) for c in range(32, 127)), count)


def rand_int(ctx: CallContext, low: Any, high: Any) -> int:
    low, high = want_int(low), want_int(high)
    if high <= low:
        raise FuncError("invalid argument to Intn")
    return ctx.executor.rng.randrange(low, high)


def rand_bytes(ctx: CallContext, count: Any) -> str:
    return base64.b64encode(bytes(ctx.executor.rng.randrange(256) for _ in range(want_int(count)))).decode()


def shuffle(ctx: CallContext, text: Any) -> str:
    chars = list(want_str(text))
    ctx.executor.rng.shuffle(chars)
    return "".join(chars)


def uuidv4(ctx: CallContext) -> str:
    return str(uuid.UUID(int=ctx.executor.rng.getrandbits(128), version=4))


# -- crypto and network placeholders -----------------------------------------------------------------
def _digest(*parts: Any) -> str:
    return hashlib.sha256("\x00".join(str(p) for p in parts).encode("utf-8", "surrogateescape")).hexdigest()


def _pem(kind: str, *seed: Any) -> str:
    body = base64.b64encode(("readycheck-offline-placeholder:" + _digest(kind, *seed)).encode()).decode()
    return f"-----BEGIN {kind}-----\n{body}\n-----END {kind}-----\n"


def _certificate(cn: Any, *seed: Any) -> GoStruct:
    return GoStruct("certificate", {"Cert": _pem("CERTIFICATE", cn, *seed), "Key": _pem("RSA PRIVATE KEY", cn, *seed)})


def gen_ca(cn: Any, days: Any) -> GoStruct:
    return _certificate(want_str(cn), want_int(days), "ca")


def _with_key(cert: GoStruct, key: Any) -> GoStruct:
    """The ``*WithKey`` variants sign with the key given, and hand that key back."""
    cert.fields["Key"] = want_str(key)
    return cert


def gen_ca_with_key(cn: Any, days: Any, key: Any) -> GoStruct:
    return _with_key(_certificate(want_str(cn), want_int(days), key), key)


def gen_self_signed_cert(cn: Any, ips: Any, dns: Any, days: Any) -> GoStruct:
    return _certificate(want_str(cn), ips, dns, days)


def gen_self_signed_cert_with_key(cn: Any, ips: Any, dns: Any, days: Any, key: Any) -> GoStruct:
    return _with_key(_certificate(want_str(cn), ips, dns, days, key), key)


def gen_signed_cert(cn: Any, ips: Any, dns: Any, days: Any, ca: Any) -> GoStruct:
    return _certificate(want_str(cn), ips, dns, days, "signed")


def gen_signed_cert_with_key(cn: Any, ips: Any, dns: Any, days: Any, ca: Any, key: Any) -> GoStruct:
    return _with_key(_certificate(want_str(cn), ips, dns, days, key), key)


def gen_private_key(kind: Any) -> str:
    return _pem({"ecdsa": "EC PRIVATE KEY", "ed25519": "PRIVATE KEY"}.get(want_str(kind), "RSA PRIVATE KEY"), kind)


def build_custom_cert(cert: Any, key: Any) -> GoStruct:
    """Sprig takes both base64-encoded and hands them back decoded."""
    try:
        decoded = [base64.b64decode(want_str(part), validate=True).decode("utf-8", "replace") for part in (cert, key)]
    except (ValueError, binascii.Error):
        raise FuncError("unable to decode base64 certificate or key") from None
    return GoStruct("certificate", {"Cert": decoded[0], "Key": decoded[1]})


def htpasswd(user: Any, password: Any) -> str:
    return f"{want_str(user)}:$2a$10${_digest(user, password)[:53]}"


def bcrypt(password: Any) -> str:
    return "$2a$10$" + _digest(want_str(password))[:53]


_MP_TEMPLATES = {
    "maximum": ["anoxxxxxxxxxxxxxxxxx", "axxxxxxxxxxxxxxxxxno"],
    "long": ["CvcvnoCvcvCvcv", "CvcvCvcvnoCvcv", "CvcvCvcvCvcvno", "CvccnoCvcvCvcv", "CvccCvcvnoCvcv",
             "CvccCvcvCvcvno", "CvcvnoCvccCvcv", "CvcvCvccnoCvcv", "CvcvCvccCvcvno", "CvcvnoCvcvCvcc",
             "CvcvCvcvnoCvcc", "CvcvCvcvCvccno", "CvccnoCvccCvcv", "CvccCvccnoCvcv", "CvccCvccCvcvno",
             "CvcvnoCvccCvcc", "CvcvCvccnoCvcc", "CvcvCvccCvccno", "CvccnoCvcvCvcc", "CvccCvcvnoCvcc",
             "CvccCvcvCvccno"],
    "medium": ["CvcnoCvc", "CvcCvcno"],
    "short": ["Cvcn"],
    "basic": ["aaanaaan", "aannaaan", "aaannaaa"],
    "pin": ["nnnn"],
}
_MP_CHARS = {"V": "AEIOU", "C": "BCDFGHJKLMNPQRSTVWXYZ", "v": "aeiou", "c": "bcdfghjklmnpqrstvwxyz",
             "A": "AEIOUBCDFGHJKLMNPQRSTVWXYZ", "a": "AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz",
             "n": "0123456789", "o": "@&%?,=[]_:-+*$#!'^~;()/.", "x": "AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz0123456789!@#$%^&*()"}


def derive_password(counter: Any, kind: Any, password: Any, user: Any, site: Any) -> str:
    """Sprig's derivePassword: the Master Password algorithm (scrypt, then HMAC-SHA256 into a template)."""
    import hmac

    templates = _MP_TEMPLATES.get(want_str(kind))
    if templates is None:
        return f"cannot find password template {want_str(kind)}"
    scope = b"com.lyndir.masterpassword"
    user_b, site_b = want_str(user).encode(), want_str(site).encode()
    salt = scope + len(user_b).to_bytes(4, "big") + user_b
    key = hashlib.scrypt(want_str(password).encode(), salt=salt, n=32768, r=8, p=2, maxmem=64 * 1024 * 1024, dklen=64)
    message = scope + len(site_b).to_bytes(4, "big") + site_b + (want_int(counter) & 0xFFFFFFFF).to_bytes(4, "big")
    seed = hmac.new(key, message, hashlib.sha256).digest()
    template = templates[seed[0] % len(templates)]
    return "".join(_MP_CHARS[ch][seed[i + 1] % len(_MP_CHARS[ch])] for i, ch in enumerate(template))


def encrypt_aes(password: Any, plaintext: Any) -> str:
    return base64.b64encode(("aes-placeholder:" + want_str(plaintext)).encode()).decode()


def decrypt_aes(password: Any, ciphertext: Any) -> str:
    try:
        text = base64.b64decode(want_str(ciphertext)).decode()
    except ValueError:
        return ""
    return text.removeprefix("aes-placeholder:")


def get_host_by_name(name: Any) -> str:
    want_str(name)
    return "127.0.0.1"


MISC_FUNCS: dict[str, FuncSpec] = {
    "now": spec(now), "date": spec(date), "dateInZone": spec(date_in_zone), "date_in_zone": spec(date_in_zone),
    "htmlDate": spec(html_date), "htmlDateInZone": spec(html_date_in_zone), "unixEpoch": spec(unix_epoch),
    "dateModify": spec(date_modify), "date_modify": spec(date_modify), "mustDateModify": spec(date_modify),
    "toDate": spec(to_date), "mustToDate": spec(to_date), "ago": spec(ago), "duration": spec(duration),
    "durationRound": spec(duration_round), "semver": spec(semver), "semverCompare": spec(semver_compare, keeps_origin=False),
    "base": spec(base), "dir": spec(dir_), "ext": spec(ext), "clean": spec(go_clean), "isAbs": spec(is_abs),
    "osBase": spec(base), "osDir": spec(dir_), "osExt": spec(ext), "osClean": spec(go_clean), "osIsAbs": spec(is_abs),
    "urlParse": spec(url_parse), "urlJoin": spec(url_join),
    "randAlphaNum": spec(rand_alpha_num, needs_state=True), "randAlpha": spec(rand_alpha, needs_state=True),
    "randNumeric": spec(rand_numeric, needs_state=True), "randAscii": spec(rand_ascii, needs_state=True),
    "randInt": spec(rand_int, needs_state=True), "randBytes": spec(rand_bytes, needs_state=True),
    "shuffle": spec(shuffle, needs_state=True), "uuidv4": spec(uuidv4, needs_state=True),
    "genCA": spec(gen_ca), "genCAWithKey": spec(gen_ca_with_key), "genSelfSignedCert": spec(gen_self_signed_cert),
    "genSelfSignedCertWithKey": spec(gen_self_signed_cert_with_key), "genSignedCert": spec(gen_signed_cert),
    "genSignedCertWithKey": spec(gen_signed_cert_with_key), "genPrivateKey": spec(gen_private_key),
    "buildCustomCert": spec(build_custom_cert), "htpasswd": spec(htpasswd), "bcrypt": spec(bcrypt),
    "derivePassword": spec(derive_password), "encryptAES": spec(encrypt_aes), "decryptAES": spec(decrypt_aes),
    "getHostByName": spec(get_host_by_name),
}
