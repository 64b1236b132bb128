"""Header signing, byte-identical to the older SDK's ``SignerV4``."""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from types import MappingProxyType
from typing import NamedTuple

from . import _canonical as c
from ._keys import SigningKey, signing_key
from ._redact import redact_headers
from ._secret import Secret, reveal

__all__ = ["SignedRequest", "format_x_date", "sign_request"]

BodyLike = bytes | bytearray | memoryview | str
QueryLike = Mapping[str, str | Sequence[str]] | Iterable[tuple[str, str]] | None
HeadersLike = Mapping[str, str] | Iterable[tuple[str, str]] | None

# Headers the signer writes itself. A caller's copy (any spelling) is dropped
# rather than sent next to ours: the SDK overwrites these names too.
_MANAGED = frozenset({"x-date", "x-content-sha256", "authorization"})
_MANAGED_WITH_TOKEN = _MANAGED | {"x-security-token"}


def format_x_date(now: datetime | None) -> str:
    """``%Y%m%dT%H%M%SZ`` in UTC; ``None`` means the current time."""
    global _last_given
    if now is None:
        return _x_date_now()
    last = _last_given
    # A naive datetime never equals an aware one, so it cannot hit and is refused below.
    if now == last[0] and now.tzinfo is not None:
        return last[1]
    given = now
    if now.tzinfo is not timezone.utc:
        if now.tzinfo is None or now.utcoffset() is None:
            # The SDK's sign_only() formats a naive datetime as if it were UTC;
            # refusing one avoids silently signing with local time.
            raise ValueError("now must be a timezone-aware datetime")
        now = now.astimezone(timezone.utc)
    # %-formatting: half the cost of strftime() or an f-string with format specs.
    text = "%04d%02d%02dT%02d%02d%02dZ" % (  # noqa: UP031
        now.year, now.month, now.day, now.hour, now.minute, now.second,
    )
    _last_given = (given, text)
    return text


# The last explicit time formatted: a fixed clock (tests, replays, a batch signed "at"
# one instant) repeats it. Equal datetimes are the same instant, so the same text.
_last_given: tuple[datetime | None, str] = (None, "")


# The current X-Date changes once a second and a client signs many requests within
# it: the text is kept with the second it spells (one tuple, replaced whole, so a
# thread never sees one half of it). int(time.time()) truncates exactly as
# datetime.now(timezone.utc) does: both read the same system clock.
_now_text: tuple[int, str] = (-1, "")


def _x_date_now() -> str:
    global _now_text
    second = int(time.time())
    cached = _now_text
    if cached[0] == second:
        return cached[1]
    text = "%04d%02d%02dT%02d%02d%02dZ" % time.gmtime(second)[:6]  # noqa: UP031
    _now_text = (second, text)
    return text


@dataclass(frozen=True, slots=True, repr=False)
class SignedRequest:
    """What :func:`sign_request` computed.

    ``headers`` is everything to send: the caller's headers followed by
    X-Date, X-Content-Sha256, X-Security-Token (with a session token) and
    Authorization. The repr hides Authorization, the session token and the
    signature: together with the request they are a usable credential until
    the request expires.
    """

    headers: Mapping[str, str]
    canonical_request: str
    string_to_sign: str
    signature: str

    # Derived on access rather than stored: each stored field costs time on
    # every signature, and these are read far less often than they are made.
    @property
    def signed_headers(self) -> tuple[str, ...]:
        return tuple(self.canonical_request.rsplit("\n", 2)[1].split(";"))

    @property
    def x_date(self) -> str:
        return self.string_to_sign.split("\n", 2)[1]

    @property
    def credential_scope(self) -> str:
        return self.string_to_sign.split("\n", 3)[2]

    @property
    def authorization(self) -> str:
        return self.headers["Authorization"]

    def __repr__(self) -> str:
        return (
            f"SignedRequest(x_date={self.x_date!r}, credential_scope={self.credential_scope!r},"
            f" signed_headers={self.signed_headers!r},"
            f" headers={dict(redact_headers(self.headers.items()))!r}, signature='<redacted>')"
        )


def sign_request(
    method: str,
    path: str,
    query: QueryLike,
    headers: HeadersLike,
    body: BodyLike,
    *,
    access_key: str,
    secret_key: str | Secret,
    region: str,
    service: str,
    now: datetime | None = None,
    session_token: str | Secret | None = None,
) -> SignedRequest:
    """Sign a request the way the older SDK's ``SignerV4`` does.

    ``path`` and the query keys and values are unencoded text. ``query`` is a
    mapping (a list value repeats the key) or a list of pairs; ``headers`` a
    mapping or a list of pairs, each name at most once (case-insensitively).
    ``now`` is a timezone-aware datetime, the current time by default.

    Differences from the SDK, all on inputs it does not handle sensibly: a
    naive ``now`` or a header name given twice raises ``ValueError``; a
    caller's X-Date, X-Content-Sha256 or Authorization in another spelling is
    dropped instead of sent unsigned next to the signer's. Unlike the SDK's
    ``sign()``, no default Content-Type is invented for non-GET requests: pass
    the one you send (``sign_only()``, which the known-answer vector uses,
    does not add one either).
    """
    x_date = format_x_date(now)
    body_hash = c.body_sha256(body)
    token = reveal(session_token) if session_token is not None else None
    plan = _plan_for(method, path, query, headers, token or None)
    if plan.parts is None:  # a caller's value holds a placeholder: build it directly
        plan = _build_plan(method, path, query, headers, token or None, (body_hash, x_date))
    canonical, to_sign, signature, authorization = _sign_planned(
        plan, body_hash, x_date, access_key, secret_key, region, service)
    send = plan.send.copy()
    send["X-Date"] = x_date
    send["X-Content-Sha256"] = body_hash
    if token:
        send["X-Security-Token"] = token
    send["Authorization"] = authorization
    signed = _new_signed(SignedRequest)
    _set_headers(signed, MappingProxyType(send))
    _set_canonical(signed, canonical)
    _set_to_sign(signed, to_sign)
    _set_signature(signed, signature)
    return signed


# SignedRequest is a frozen dataclass: its generated __init__ sets each field through
# object.__setattr__ by name (plain assignment is refused), 0.8 us of a ~6 us signature.
# sign_request sets the four slots through their descriptors, the step that call ends
# in, at half the cost; tests/perf/test_signer_shortcuts.py holds the result equal to
# one made by SignedRequest(...) itself.
_new_signed = object.__new__
_set_headers, _set_canonical, _set_to_sign, _set_signature = (
    SignedRequest.__dict__[name].__set__
    for name in ("headers", "canonical_request", "string_to_sign", "signature"))


def _sign_planned(plan: _Plan, body_hash: str, x_date: str, access_key: str,
                  secret_key: str | Secret, region: str, service: str,
                  ) -> tuple[str, str, str, str]:
    """(canonical request, string to sign, signature, Authorization value) for a plan.

    The one place a signature is computed: sign_request calls it, and so does the httpx
    auth, which keeps the plan of the request shape it saw last and needs only the
    headers, not a SignedRequest.
    """
    global _last_key
    parts = plan.parts
    if parts is None:  # built with the real values (see sign_request)
        canonical = plan.canonical
    else:
        # The body hash is on its header line and the last line; X-Date on its line.
        canonical = "".join((parts[0], body_hash, parts[1], x_date, parts[2], body_hash))
    date = x_date[:8]
    last = _last_key
    if (secret_key is last[0] and date == last[1] and region == last[2]
            and service == last[3]):
        scope, key = last[4], last[5]
    else:
        scope = c.credential_scope(date, region, service)
        key = signing_key(secret_key, date, region, service)
        _last_key = (secret_key, date, region, service, scope, key)
    to_sign = c.string_to_sign(x_date, scope, canonical)
    signature = key.sign(to_sign)
    authorization = (
        f"{c.ALGORITHM} Credential={access_key}/{scope},"
        f" SignedHeaders={plan.signed_names}, Signature={signature}"
    )
    return canonical, to_sign, signature, authorization


# The last (secret, date, region, service) signed with, its scope and its key: a client
# signs with one secret for a whole day. Testing the secret by identity is exact (a str
# never changes, and neither does a Secret's value) and, with three short string
# compares, costs a third of the key cache's lookup plus the scope's formatting. One
# tuple, replaced whole: a thread never sees half of it. The secret is held as the key
# cache holds it, never shown (nothing prints this tuple).
# It starts with a sentinel no caller's secret is, and a key never used.
_last_key: tuple[object, str, str, str, str, SigningKey] = (
    object(), "", "", "", "", SigningKey(bytes(32)))


class _Plan(NamedTuple):
    """What a request's method, path, query and headers decide, before its body and time.

    ``parts`` is the canonical request built by the canonicalizer itself with
    placeholders for the body hash and X-Date, cut at the placeholders; joining it with
    the real values is all that is left per request. A client sends the same method,
    path, query and headers again and again, so plans are cached.
    """

    send: dict[str, str]  # the caller's headers that go out, in order (copied per use)
    signed_names: str
    parts: tuple[str, str, str] | None  # None: a value held a placeholder
    canonical: str  # with the placeholders, or the real one when parts is None


# Placeholders: NUL cannot come out of the path or query encoders, and a header value
# holding one is detected (the NUL count) and signed without a template.
_HASH_MARK, _DATE_MARK = "\0h\0", "\0d\0"
_PLACEHOLDERS = (_HASH_MARK, _DATE_MARK)


def _plan_for(method: str, path: str, query: QueryLike, headers: HeadersLike,
              token: str | None) -> _Plan:
    """The cached plan; inputs that cannot be a cache key are planned every time."""
    try:
        if type(query) is dict:
            query_key: object = tuple(query.items())
        elif query is None or type(query) is list or type(query) is tuple:
            query_key = tuple(query) if query else None
        else:
            raise TypeError  # another Mapping type: not worth a key
        if type(headers) is dict:
            header_key: object = tuple(headers.items())
        elif headers is None or type(headers) is list or type(headers) is tuple:
            header_key = tuple(headers) if headers else None
        else:
            raise TypeError
        return _cached_plan(method, path, type(query) is dict, query_key, header_key, token)
    except TypeError:  # unhashable (a list value, a list pair): plan without the cache
        return _build_plan(method, path, query, headers, token, _PLACEHOLDERS)


# Bounded: a client with many distinct paths or header sets only loses the cache's
# benefit. The session token is part of the key, as the secret is in _keys' cache;
# neither is ever shown (lru_cache reports only hit and miss counts).
@lru_cache(maxsize=512)
def _cached_plan(method: str, path: str, query_is_dict: bool, query_key: object,
                 header_key: object, token: str | None) -> _Plan:
    query: QueryLike = (dict(query_key) if query_is_dict  # type: ignore[call-overload]
                        else query_key)  # type: ignore[assignment]
    return _build_plan(method, path, query, header_key,  # type: ignore[arg-type]
                       token, _PLACEHOLDERS)


def _build_plan(method: str, path: str, query: QueryLike, headers: HeadersLike,
                token: str | None, dynamic: tuple[str, str]) -> _Plan:
    """Select, check and canonicalize the headers; ``dynamic`` is (body hash, X-Date).

    With the placeholders as ``dynamic`` the result carries a template; with real
    values it carries the real canonical request (and no template).
    """
    body_hash, x_date = dynamic
    managed = _MANAGED_WITH_TOKEN if token else _MANAGED
    send: list[tuple[str, str]] = []
    signed: dict[str, str] = {}
    if headers:
        seen: set[str] = set()
        items: Iterable[tuple[str, str]]
        items = headers.items() if isinstance(headers, Mapping) else headers
        for name, value in items:
            if not (isinstance(name, str) and isinstance(value, str)):
                raise TypeError("header names and values must be str")
            lower = name.lower()
            if lower in seen:
                raise ValueError(f"header {name!r} given more than once")
            seen.add(lower)
            if lower in managed:
                continue
            send.append((name, value))
            # Quirk (header selection): signed only if spelled exactly Content-Type,
            # Content-Md5 or Host, or starting with a capital "X-" (case-sensitive:
            # "content-type", "Content-MD5" and "x-foo" are sent but not signed).
            # Names then go in lower-cased.
            if name in c.SIGNED_NAMES or name.startswith("X-"):
                signed[lower] = value
    # Quirk: X-Date and X-Content-Sha256 are always signed (their names start
    # with "X-"), and so is X-Security-Token when a session token is used.
    signed["x-date"] = x_date
    signed["x-content-sha256"] = body_hash
    if token:
        signed["x-security-token"] = token
    host = signed.get("host")
    if host is not None:
        # Only the signed copy loses its default port; the header sent keeps it.
        signed["host"] = c.canonical_host(host)

    block, signed_names = c.canonical_headers(signed)
    canonical = c.canonical_request(
        method, c.encode_path(path), c.signer_query(query), block, signed_names, body_hash)
    parts = None
    if dynamic is _PLACEHOLDERS and canonical.count("\0") == 6:  # hash twice, date once
        # x-content-sha256 sorts before x-date, and the body hash ends the request.
        head, middle, tail = canonical.split(_HASH_MARK)
        between = middle.split(_DATE_MARK)
        if not tail and len(between) == 2:
            parts = (head, between[0], between[1])
    return _Plan(dict(send), signed_names, parts, canonical)
