"""Server-side verification of signed requests, with an explanation on failure."""

from __future__ import annotations

import hmac
import logging
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import lru_cache

from .._errors import ErrorCode, error_code
from . import _canonical as c
from ._keys import SigningKey, signing_key
from ._presign import PRESIGN_HEADERS_BLOCK
from ._secret import Secret

__all__ = ["REQUIRED_SIGNED_HEADERS", "Verification", "verify_request"]

logger = logging.getLogger("vmsspec.signing")

REQUIRED_SIGNED_HEADERS = ("host", "x-content-sha256", "x-date")
_REQUIRED = frozenset(REQUIRED_SIGNED_HEADERS)

_X_DATE = re.compile(r"[0-9]{8}T[0-9]{6}Z")
# Python 3.11 taught fromisoformat() the basic format (20250527T114634Z).
_FROMISO_BASIC = sys.version_info >= (3, 11)
_DIGITS = re.compile(r"[0-9]{1,12}")
_PREFIX = c.ALGORITHM + " "


@dataclass(frozen=True, slots=True, repr=False)
class Verification:
    """The outcome: ``ok``, or the vendor's error ``code`` with a ``reason``.

    On a signature mismatch ``canonical_request`` and ``string_to_sign`` are
    what the server computed, for the client's author to diff against their
    own; ``alternatives`` are the other canonical requests tried (the newer
    SDK's variants). The expected signature itself is never exposed: handing
    it back would let anyone holding a request forge its signature.
    """

    ok: bool
    code: str | None = None
    reason: str = ""
    access_key: str | None = None
    canonical_request: str | None = None
    string_to_sign: str | None = None
    alternatives: tuple[str, ...] = ()
    signed_headers: tuple[str, ...] = ()
    presigned: bool = False

    def __bool__(self) -> bool:
        return self.ok

    @property
    def error(self) -> ErrorCode | None:
        return None if self.code is None else error_code(self.code)

    @property
    def status(self) -> int:
        err = self.error
        return 200 if err is None else err.status

    def __repr__(self) -> str:
        if self.ok:
            return f"Verification(ok=True, access_key={self.access_key!r})"
        return f"Verification(ok=False, code={self.code!r}, reason={self.reason!r})"

    def explain(self) -> str:
        """A text report: the verdict, and what the server signed when it matters."""
        err = self.error
        if err is None:
            head = "OK: the signature matches"
        else:
            head = f"{err.code} (HTTP {err.status}): {err.format()}"
        lines = [head]
        if self.reason:
            lines.append(f"Reason: {self.reason}")
        if self.access_key is not None:
            lines.append(f"Access key: {self.access_key}")
        if self.signed_headers:
            lines.append(f"Signed headers: {';'.join(self.signed_headers)}")
        if self.canonical_request is not None:
            lines += ["", "Canonical request (server):", self.canonical_request]
        if self.string_to_sign is not None:
            lines += ["", "String to sign (server):", self.string_to_sign]
        for n, alt in enumerate(self.alternatives, 1):
            lines += ["", f"Also tried, canonical request variant {n} (newer SDK):", alt]
        return "\n".join(lines)


# A verdict is immutable, and a client sends the same key and header list on every call;
# sharing the accepted ones spares a 9-field frozen dataclass (~2 us) per request.
@lru_cache(maxsize=256)
def _accepted(access_key: str, signed_headers: tuple[str, ...], presigned: bool) -> Verification:
    return Verification(True, None, "", access_key, None, None, (), signed_headers, presigned)


def _fail(
    code: str,
    reason: str,
    *,
    access_key: str | None = None,
    signed_headers: tuple[str, ...] = (),
    presigned: bool = False,
    canonical_request: str | None = None,
    string_to_sign: str | None = None,
    alternatives: tuple[str, ...] = (),
) -> Verification:
    # Reasons name headers, keys and times, never a secret or a signature.
    logger.debug("request rejected: %s: %s", code, reason)
    return Verification(
        False, code, reason, access_key, canonical_request, string_to_sign, alternatives,
        signed_headers, presigned,
    )


# Cached: every request a client signs within one second carries the same X-Date.
@lru_cache(maxsize=64)
def _parse_x_date(value: str) -> datetime | None:
    if len(value) != 16 or not _X_DATE.fullmatch(value):
        return None
    try:
        if _FROMISO_BASIC:
            # The regex has fixed the format; fromisoformat() is ~10x faster than
            # building the datetime from slices.
            return datetime.fromisoformat(value)
        return datetime(
            int(value[0:4]), int(value[4:6]), int(value[6:8]),
            int(value[9:11]), int(value[11:13]), int(value[13:15]), tzinfo=timezone.utc,
        )
    except ValueError:  # well-formed but not a date, e.g. 20251332T...
        return None


def _check_time(
    x_date: str | None,
    x_expires: str | None,
    now: datetime | None,
    max_skew: timedelta,
    max_expires: timedelta,
) -> str | None:
    """None when the time is acceptable, else the reason for InvalidTimestamp."""
    if x_date is None:
        return "X-Date is missing"
    signed_at = _parse_x_date(x_date)
    if signed_at is None:
        return f"X-Date {x_date!r} is not of the form YYYYMMDDTHHMMSSZ"
    if now is None:
        now = datetime.now(timezone.utc)
    lifetime = max_skew
    if x_expires is not None:
        if not _DIGITS.fullmatch(x_expires):
            return f"X-Expires {x_expires!r} is not a number of seconds"
        lifetime = timedelta(seconds=int(x_expires))
        if lifetime > max_expires:
            limit = int(max_expires.total_seconds())
            return f"X-Expires {x_expires} exceeds the maximum of {limit}"
    age = now - signed_at
    if -age > max_skew:
        return f"X-Date {x_date} is {int(-age.total_seconds())} s in the future"
    if age > lifetime:
        return (
            f"X-Date {x_date} is {int(age.total_seconds())} s old,"
            f" more than the allowed {int(lifetime.total_seconds())} s"
        )
    return None


def _header_index(
    headers: Mapping[str, str] | Iterable[tuple[str, str]],
) -> tuple[dict[str, str], set[str]]:
    """Lower-cased name -> value (the last one sent), and the names sent more than once."""
    items: Sequence[tuple[str, str]]
    # Exact type checks first: the ABC check costs more than the rest of this function.
    if type(headers) is tuple or type(headers) is list:
        items = headers
    elif type(headers) is dict or isinstance(headers, Mapping):
        items = list(headers.items())
    else:
        items = list(headers)
    index = {name.lower(): value for name, value in items}
    if len(index) == len(items):  # the usual case: no name repeated
        return index, set()
    seen: set[str] = set()
    repeated: set[str] = set()
    for name, _ in items:
        lower = name.lower()
        (repeated if lower in seen else seen).add(lower)
    return index, repeated


def _authorization_fields(text: str) -> tuple[str | None, str | None, str | None]:
    """(Credential, SignedHeaders, Signature) from what follows "HMAC-SHA256 "."""
    head, found, signature = text.rpartition(", Signature=")
    # The SDKs' exact layout first: three fields, in this order, ", "-separated. Its
    # head (all but the signature) is the same on every request, so it is parsed once.
    if found and ", " not in signature:
        fields = _sdk_head_fields(head)
        if fields is not None:
            return fields[0], fields[1], signature
    parts: dict[str, str] = {}
    for part in text.split(","):
        name, sep, value = part.strip().partition("=")
        if sep:
            parts[name] = value
    return parts.get("Credential"), parts.get("SignedHeaders"), parts.get("Signature")


@lru_cache(maxsize=256)
def _sdk_head_fields(head: str) -> tuple[str, str] | None:
    """(Credential, SignedHeaders) from "Credential=..., SignedHeaders=...", else None."""
    parts = head.split(", ")
    if (
        len(parts) == 2
        and parts[0].startswith("Credential=")
        and parts[1].startswith("SignedHeaders=")
    ):
        return parts[0][11:], parts[1][14:]
    return None


def _parse_credential(credential: str) -> tuple[str, str, str, str] | None:
    parts = credential.rsplit("/", 4)
    if len(parts) != 5 or parts[4] != "request" or not all(parts[:4]):
        return None
    return parts[0], parts[1], parts[2], parts[3]


@dataclass(frozen=True, slots=True)
class _Claim:
    """What an Authorization header says apart from its signature: the same on every
    request a client sends for a day, so it is parsed once (see ``_claim``)."""

    access_key: str
    date: str
    region: str
    service: str
    names: tuple[str, ...]
    """The SignedHeaders as declared (their case and order are signed)."""
    lowered: frozenset[str]
    missing: str
    """The required headers left out of SignedHeaders, comma-separated; "" if none."""
    scope: str


@lru_cache(maxsize=256)
def _claim(credential: str, signed_line: str) -> _Claim | None:
    """None when the Credential is not ``AK/yyyymmdd/region/service/request``."""
    scope_parts = _parse_credential(credential)
    if scope_parts is None:
        return None
    names = tuple(signed_line.split(";")) if signed_line else ()
    lowered = frozenset(name.lower() for name in names)
    missing = ", ".join(h for h in REQUIRED_SIGNED_HEADERS if h not in lowered)
    return _Claim(*scope_parts, names, lowered, missing,
                  c.credential_scope(scope_parts[1], scope_parts[2], scope_parts[3]))


def _signed_block(
    names: Sequence[str], index: dict[str, str], repeated: set[str]
) -> tuple[str | None, str]:
    """The header block built in the order the client declared, or (None, reason)."""
    lines = []
    for name in names:
        lower = name.lower()
        value = index.get(lower)
        if value is None:
            return None, f"signed header {lower!r} is not in the request"
        if lower in repeated:
            return None, f"signed header {lower!r} was sent more than once"
        if lower == "host":
            # A Host with its default port (as some clients and proxies send it)
            # is canonicalized the way the client canonicalized it when signing.
            value = c.canonical_host(value)
        lines.append(f"{name}:{value}\n")
    return "".join(lines), ""


def _match(
    provided: str,
    key: SigningKey,
    x_date: str,
    scope: str,
    method: str,
    path: str,
    older_query_line: str,
    newer_query: Sequence[tuple[str, str]],
    block: str,
    signed_line: str,
    body_hash: str,
) -> tuple[bool, str, str, tuple[str, ...]]:
    """Try the older SDK's canonical request, then the newer SDK's variants.

    Older: path percent-encoded, query ordered by raw key. Newer: query ordered
    by encoded (key, value), path as given or encoded, and (presigned only)
    X-Security-Token left out of the canonical query. Every variant still
    covers the whole request, so accepting any of them authenticates the same
    bytes. The other variants cost nothing unless the first one fails.
    """
    provided_bytes = provided.encode("utf-8", c.ENCODING_ERRORS)
    encoded_path = c.encode_path(path)
    first = c.canonical_request(
        method, encoded_path, older_query_line, block, signed_line, body_hash
    )
    first_sts = c.string_to_sign(x_date, scope, first)
    if hmac.compare_digest(provided_bytes, key.sign(first_sts).encode()):
        return True, first, first_sts, ()
    newer_q = c.canonical_query(newer_query, encoded_order=True)
    tried = [first]
    for p in dict.fromkeys((encoded_path, path)):
        candidate = c.canonical_request(method, p, newer_q, block, signed_line, body_hash)
        if candidate in tried:
            continue
        tried.append(candidate)
        sts = c.string_to_sign(x_date, scope, candidate)
        if hmac.compare_digest(provided_bytes, key.sign(sts).encode()):
            return True, candidate, sts, ()
    return False, first, first_sts, tuple(tried[1:])


@lru_cache(maxsize=256)
def _header_signed_query(
    raw_query: str | bytes,
) -> tuple[tuple[tuple[str, str], ...], str]:
    """The decoded pairs and the older SDK's canonical query line.

    Cached: a client sends the same few query strings (Action and Version) each time.
    """
    pairs = tuple(c.parse_query(raw_query))
    return pairs, c.canonical_query(pairs)


def verify_request(
    method: str,
    raw_path: str | bytes,
    raw_query: str | bytes,
    headers: Mapping[str, str] | Iterable[tuple[str, str]],
    body: bytes | bytearray | memoryview | str,
    *,
    credentials: Mapping[str, str | Secret],
    now: datetime | None = None,
    max_skew: timedelta = timedelta(minutes=15),
    max_expires: timedelta = timedelta(days=7),
    region: str | None = None,
    service: str | None = None,
) -> Verification:
    """Verify a request as it arrived: header-signed, or presigned in its query.

    ``raw_path`` and ``raw_query`` are the percent-encoded wire forms (query
    without ``?``); ``headers`` the wire headers with values decoded as
    Latin-1, which is how HTTP clients encode text header values;
    ``credentials`` maps access keys to secrets. ``region`` and ``service``,
    when given, must match the credential scope. ``max_skew`` bounds how far
    X-Date may lie in the future, and in the past unless a signed X-Expires
    says otherwise (up to ``max_expires``).

    Checks, in the order their error codes take precedence:
    MissingAuthenticationToken (no or malformed Authorization / X-Credential),
    MissingSignature, InvalidAccessKey (unknown access key), InvalidTimestamp
    (X-Date missing, malformed or outside the window), then
    SignatureDoesNotMatch (scope, required signed headers, body hash, signature).
    """
    if now is not None and now.tzinfo is not timezone.utc and now.utcoffset() is None:
        raise ValueError("now must be a timezone-aware datetime")
    index, repeated = _header_index(headers)
    authorization = index.get("authorization")
    if authorization is None:
        pairs = c.parse_query(raw_query)
        if any(k in ("X-Credential", "X-Signature") for k, _ in pairs):
            return _verify_presigned(
                method, raw_path, pairs, index, repeated, body, credentials, now,
                max_skew, max_expires, region, service,
            )
        return _fail(
            "MissingAuthenticationToken",
            "the request has neither an Authorization header nor an X-Credential query parameter",
        )
    if "authorization" in repeated:
        return _fail("MissingAuthenticationToken", "Authorization was sent more than once")
    if not authorization.startswith(_PREFIX):
        return _fail(
            "MissingAuthenticationToken", f"Authorization does not start with {c.ALGORITHM!r}"
        )
    credential, signed_line, provided = _authorization_fields(authorization[len(_PREFIX):])
    if not credential or signed_line is None:
        return _fail(
            "MissingAuthenticationToken",
            "Authorization must have Credential=..., SignedHeaders=... and Signature=...",
        )
    claim = _claim(credential, signed_line)
    if claim is None:
        return _fail(
            "MissingAuthenticationToken",
            "Credential must be AK/yyyymmdd/region/service/request",
        )
    if not provided:
        return _fail("MissingSignature", "Authorization has no Signature")
    access_key = claim.access_key
    secret = credentials.get(access_key)
    if secret is None:
        return _fail("InvalidAccessKey", f"access key {access_key!r} is unknown")
    x_date = index.get("x-date")
    x_expires = index.get("x-expires") if "x-expires" in claim.lowered else None
    problem = _check_time(x_date, x_expires, now, max_skew, max_expires)
    if problem is not None:
        return _fail("InvalidTimestamp", problem, access_key=access_key)
    assert x_date is not None
    declared = claim.names
    problem = _check_scope(claim.date, claim.region, claim.service, x_date, region, service)
    if problem is None and claim.missing:
        problem = f"SignedHeaders must include {claim.missing}"
    if problem is not None:
        return _fail(
            "SignatureDoesNotMatch", problem, access_key=access_key, signed_headers=declared
        )
    block, problem = _signed_block(declared, index, repeated)
    if block is None:
        return _fail(
            "SignatureDoesNotMatch", problem, access_key=access_key, signed_headers=declared
        )
    declared_hash = index["x-content-sha256"]
    body_hash = c.body_sha256(body)
    if not hmac.compare_digest(
        declared_hash.encode("utf-8", c.ENCODING_ERRORS), body_hash.encode()
    ):
        return _fail(
            "SignatureDoesNotMatch",
            f"X-Content-Sha256 is {declared_hash!r} but the body hashes to {body_hash!r}",
            access_key=access_key, signed_headers=declared,
        )
    key = signing_key(secret, claim.date, claim.region, claim.service)
    signed_pairs, older_line = _header_signed_query(raw_query)
    ok, creq, sts, alternatives = _match(
        provided, key, x_date, claim.scope, method, c.decode_path(raw_path),
        older_line, signed_pairs, block, signed_line, body_hash,
    )
    if ok:
        return _accepted(access_key, declared, False)
    return _fail(
        "SignatureDoesNotMatch",
        "the signature does not match the canonical request below",
        access_key=access_key, signed_headers=declared,
        canonical_request=creq, string_to_sign=sts, alternatives=alternatives,
    )


def _check_scope(
    date: str,
    scope_region: str,
    scope_service: str,
    x_date: str,
    region: str | None,
    service: str | None,
) -> str | None:
    if date != x_date[:8]:
        return f"the credential scope date {date} is not the date of X-Date {x_date}"
    if region is not None and scope_region != region:
        return f"the credential scope region is {scope_region!r}, expected {region!r}"
    if service is not None and scope_service != service:
        return f"the credential scope service is {scope_service!r}, expected {service!r}"
    return None


def _verify_presigned(
    method: str,
    raw_path: str | bytes,
    pairs: list[tuple[str, str]],
    index: dict[str, str],
    repeated: set[str],
    body: bytes | bytearray | memoryview | str,
    credentials: Mapping[str, str | Secret],
    now: datetime | None,
    max_skew: timedelta,
    max_expires: timedelta,
    region: str | None,
    service: str | None,
) -> Verification:
    params: dict[str, str] = {}
    for name, value in pairs:
        if name.startswith("X-") and name in params:
            return _fail(
                "MissingAuthenticationToken", f"{name} appears more than once in the query"
            )
        params[name] = value
    if params.get("X-Algorithm") != c.ALGORITHM:
        return _fail("MissingAuthenticationToken", f"X-Algorithm must be {c.ALGORITHM!r}")
    signed_line = params.get("X-SignedHeaders", "")
    claim = _claim(params.get("X-Credential", ""), signed_line)
    if claim is None:
        return _fail(
            "MissingAuthenticationToken",
            "X-Credential must be AK/yyyymmdd/region/service/request",
        )
    provided = params.get("X-Signature")
    if not provided:
        return _fail("MissingSignature", "the query has no X-Signature")
    access_key = claim.access_key
    secret = credentials.get(access_key)
    if secret is None:
        return _fail("InvalidAccessKey", f"access key {access_key!r} is unknown")
    x_date = params.get("X-Date")
    problem = _check_time(x_date, params.get("X-Expires"), now, max_skew, max_expires)
    if problem is not None:
        return _fail("InvalidTimestamp", problem, access_key=access_key, presigned=True)
    assert x_date is not None
    # Unlike a header signature, a presigned URL need not sign any header.
    declared = claim.names
    problem = _check_scope(claim.date, claim.region, claim.service, x_date, region, service)
    block: str | None = PRESIGN_HEADERS_BLOCK
    if problem is None and declared:
        block, problem = _signed_block(declared, index, repeated)  # problem "" when built
    if problem or block is None:
        return _fail(
            "SignatureDoesNotMatch", problem or "",
            access_key=access_key, signed_headers=declared, presigned=True,
        )
    body_hash = c.EMPTY_BODY_SHA256 if "X-NotSignBody" in params else c.body_sha256(body)
    # Everything but the signature is signed. The newer SDK alone also leaves
    # the session token out (it adds the token after choosing what to sign).
    older = [(k, v) for k, v in pairs if k != "X-Signature"]
    newer = [(k, v) for k, v in older if k != "X-Security-Token"]
    key = signing_key(secret, claim.date, claim.region, claim.service)
    ok, creq, sts, alternatives = _match(
        provided, key, x_date, claim.scope, method, c.decode_path(raw_path),
        c.canonical_query(older), newer, block, signed_line, body_hash,
    )
    if ok:
        return _accepted(access_key, declared, True)
    return _fail(
        "SignatureDoesNotMatch",
        "the signature does not match the canonical request below",
        access_key=access_key, signed_headers=declared, presigned=True,
        canonical_request=creq, string_to_sign=sts, alternatives=alternatives,
    )
