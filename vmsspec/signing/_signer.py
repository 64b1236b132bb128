"""Header signing, byte-identical to the older SDK's ``SignerV4``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from types import MappingProxyType

from . import _canonical as c
from ._keys import signing_key
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
    if now is None:
        now = datetime.now(timezone.utc)
    elif now.tzinfo is not timezone.utc:
        if now.tzinfo is None or now.utcoffset() is None:
            # The SDK's sign_only() formats a naive datetime as if it were UTC;
            # refusing one avoids silently signing with local time.
            raise ValueError("now must be a timezone-aware datetime")
        now = now.astimezone(timezone.utc)
    # %-formatting: half the cost of strftime() or an f-string with format specs.
    return "%04d%02d%02dT%02d%02d%02dZ" % (  # noqa: UP031
        now.year, now.month, now.day, now.hour, now.minute, now.second,
    )


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
    date = x_date[:8]
    body_hash = c.body_sha256(body)
    if session_token is None:
        token = None
        managed = _MANAGED
    else:
        token = reveal(session_token)
        managed = _MANAGED_WITH_TOKEN if token else _MANAGED

    send: dict[str, str] = {}
    signed: dict[str, str] = {}
    if headers:
        seen: set[str] = set()
        # type() before isinstance(): the ABC check costs more than the rest of
        # an iteration, and a plain dict is by far the common case.
        items: Iterable[tuple[str, str]]
        if type(headers) is dict or isinstance(headers, Mapping):
            items = headers.items()
        else:
            items = headers
        for name, value in items:
            if not (isinstance(name, str) and isinstance(value, str)):
                raise TypeError("header names and values must be str")
            lower = name.lower()
            if lower in seen:
                raise ValueError(f"header {name!r} given more than once")
            seen.add(lower)
            if lower in managed:
                continue
            send[name] = value
            # Quirk (header selection): signed only if spelled exactly Content-Type,
            # Content-Md5 or Host, or starting with a capital "X-" (case-sensitive:
            # "content-type", "Content-MD5" and "x-foo" are sent but not signed).
            # Names then go in lower-cased.
            if name in c.SIGNED_NAMES or name.startswith("X-"):
                signed[lower] = value
    send["X-Date"] = x_date
    send["X-Content-Sha256"] = body_hash
    # Quirk: X-Date and X-Content-Sha256 are always signed (their names start
    # with "X-"), and so is X-Security-Token when a session token is used.
    signed["x-date"] = x_date
    signed["x-content-sha256"] = body_hash
    if token:
        send["X-Security-Token"] = token
        signed["x-security-token"] = token
    host = signed.get("host")
    if host is not None:
        # Only the signed copy loses its default port; the header sent keeps it.
        signed["host"] = c.canonical_host(host)

    block, signed_names = c.canonical_headers(signed)
    canonical = c.canonical_request(
        method,
        c.encode_path(path),
        c.signer_query(query),
        block,
        signed_names,
        body_hash,
    )
    scope = c.credential_scope(date, region, service)
    to_sign = c.string_to_sign(x_date, scope, canonical)
    signature = signing_key(secret_key, date, region, service).sign(to_sign)
    send["Authorization"] = (
        f"{c.ALGORITHM} Credential={access_key}/{scope},"
        f" SignedHeaders={signed_names}, Signature={signature}"
    )
    return SignedRequest(MappingProxyType(send), canonical, to_sign, signature)
