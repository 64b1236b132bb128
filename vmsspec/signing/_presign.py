"""Query-string ("presigned URL") signing, as the older SDK's ``sign_url`` does it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from . import _canonical as c
from ._keys import signing_key
from ._secret import Secret, reveal
from ._signer import QueryLike, format_x_date

__all__ = ["PRESIGN_PARAMETERS", "PresignedURL", "presign_url"]

# Query keys the presigner owns. A caller's pair with one of these names would
# either be overwritten (the SDK's behaviour) or forge a signature parameter, so
# it is refused.
PRESIGN_PARAMETERS = frozenset(
    {
        "X-Algorithm",
        "X-Credential",
        "X-Date",
        "X-Expires",
        "X-NotSignBody",
        "X-Security-Token",
        "X-SignedHeaders",
        "X-SignedQueries",
        "X-Signature",
    }
)

# Quirk: the SDK writes a lone "\n" where the header block would be and then an
# empty SignedHeaders line, so a presigned canonical request has four newlines
# between the query and the body hash where a header-signed one with no headers
# would have three.
PRESIGN_HEADERS_BLOCK = "\n"


@dataclass(frozen=True, slots=True, repr=False)
class PresignedURL:
    """The query to put on the URL (``query_string``), plus how it was computed.

    The repr leaves out the signature and the session token: the URL is a
    bearer credential until it expires.
    """

    query: tuple[tuple[str, str], ...]
    query_string: str
    canonical_request: str
    string_to_sign: str
    signature: str
    x_date: str
    credential_scope: str

    def url(self, base: str) -> str:
        """``base`` (scheme, host and encoded path, no query) with the signed query."""
        return f"{base}?{self.query_string}"

    def __repr__(self) -> str:
        return (
            f"PresignedURL(x_date={self.x_date!r}, credential_scope={self.credential_scope!r},"
            " signature='<redacted>')"
        )


def presign_url(
    method: str,
    path: str,
    query: QueryLike,
    *,
    access_key: str,
    secret_key: str | Secret,
    region: str,
    service: str,
    now: datetime | None = None,
    expires: int | None = 900,
    session_token: str | Secret | None = None,
) -> PresignedURL:
    """Sign a request in its query string; no header and no body is signed.

    ``expires`` (seconds) adds ``X-Expires``; ``expires=None`` leaves it out and
    reproduces the SDK's ``sign_url`` byte for byte (the server then applies its
    default window).
    """
    pairs = c.query_pairs(query)
    for key, _ in pairs:
        if key in PRESIGN_PARAMETERS:
            raise ValueError(f"query parameter {key!r} is set by the presigner")
    if expires is not None and (isinstance(expires, bool) or expires < 0):
        raise ValueError("expires must be a non-negative number of seconds")
    x_date = format_x_date(now)
    date = x_date[:8]
    scope = c.credential_scope(date, region, service)
    pairs.append(("X-Date", x_date))
    if expires is not None:
        pairs.append(("X-Expires", str(int(expires))))
    pairs.append(("X-NotSignBody", ""))
    pairs.append(("X-Credential", f"{access_key}/{scope}"))
    pairs.append(("X-Algorithm", c.ALGORITHM))
    pairs.append(("X-SignedHeaders", ""))
    # Quirk: X-SignedQueries lists every distinct key, itself included, in
    # raw-key order, and is computed before X-Security-Token is added, so the
    # token is signed (it is in the canonical query) without being listed.
    keys = {key for key, _ in pairs}
    keys.add("X-SignedQueries")
    pairs.append(("X-SignedQueries", ";".join(sorted(keys))))
    if session_token:
        token = reveal(session_token)
        pairs.append(("X-Security-Token", token))

    canonical = c.canonical_request(
        method,
        c.encode_path(path),
        c.canonical_query(pairs),
        PRESIGN_HEADERS_BLOCK,
        "",
        # Quirk: X-NotSignBody means the body hash is that of an empty body,
        # whatever is sent.
        c.EMPTY_BODY_SHA256,
    )
    to_sign = c.string_to_sign(x_date, scope, canonical)
    signature = signing_key(secret_key, date, region, service).sign(to_sign)
    pairs.append(("X-Signature", signature))
    enc = c.encode_query_component
    return PresignedURL(
        query=tuple(pairs),
        query_string="&".join([f"{enc(k)}={enc(v)}" for k, v in pairs]),
        canonical_request=canonical,
        string_to_sign=to_sign,
        signature=signature,
        x_date=x_date,
        credential_scope=scope,
    )
