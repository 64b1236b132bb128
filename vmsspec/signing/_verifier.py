"""Server-side verification of signed requests, with an explanation on failure."""

from __future__ import annotations

import hmac
from collections.abc import Collection, Iterable, Mapping
from datetime import datetime, timedelta, timezone

from . import _canonical as c
from ._checks import (
    REQUIRED_SIGNED_HEADERS,
    check_scope,
    check_time,
    claim,
    header_index,
    match,
    signed_block,
)
from ._keys import signing_key
from ._planned import (
    AUTHORIZATION_PREFIX,
    header_signed_query,
    plan,
    sdk_head_fields,
    verify_planned,
)
from ._presign import PRESIGN_HEADERS_BLOCK
from ._secret import Secret
from ._verdict import Verification, accepted, fail

__all__ = ["PRESIGN_MUST_SIGN", "REQUIRED_SIGNED_HEADERS", "Verification", "verify_request"]


# Query keys a presigned URL must list in X-SignedQueries when it carries them: Action
# and Version choose the call, X-Expires how long the URL lives, X-NotSignBody and
# X-SignedHeaders what else the signature covers. Every official presigner lists all
# five (Go base/sign.go, Java SignerV4Impl.java and VolcstackSign.java, PHP
# SignatureV4.php, Node.js sign.ts, the older Python SDK); a URL that leaves one out
# was changed after signing. Other keys left out are tolerated and not authenticated
# (the service reads nothing else from the query); X-Security-Token may be left out
# (the older Python SDK and the generated Java SDK add it after listing the keys).
PRESIGN_MUST_SIGN = ("Action", "Version", "X-Expires", "X-NotSignBody", "X-SignedHeaders")

_BODY_MISMATCH = "X-Content-Sha256 does not match the SHA-256 of the request body."


def _authorization_fields(text: str) -> tuple[str | None, str | None, str | None]:
    """(Credential, SignedHeaders, Signature) from what follows "HMAC-SHA256 "."""
    head, found, signature = text.rpartition("Signature=")
    # The SDKs' layouts first: three fields in this order, separated by ", " (most
    # SDKs) or "," (C++ VolcengineAuthSigner.cpp). The head (all but the signature)
    # is the same on every request, so it is parsed once.
    if found and "," not in signature:
        fields = sdk_head_fields(head)
        if fields is not None:
            return fields[0], fields[1], signature
    parts: dict[str, str] = {}
    for part in text.split(","):
        name, sep, value = part.strip().partition("=")
        if sep:
            parts[name] = value
    return parts.get("Credential"), parts.get("SignedHeaders"), parts.get("Signature")


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
    regions: Collection[str] | None = None,
) -> Verification:
    """Verify a request as it arrived: header-signed, or presigned in its query.

    ``raw_path`` and ``raw_query`` are the percent-encoded wire forms (query
    without ``?``); ``headers`` the wire headers with values decoded as
    Latin-1, which is how HTTP clients encode text header values;
    ``credentials`` maps access keys to secrets. ``regions`` are the credential
    scope regions the server accepts (None: any); ``region`` and ``service``,
    when given, must equal the scope's. ``max_skew`` bounds how far X-Date may
    lie in the future, and in the past unless a signed X-Expires says otherwise
    (up to ``max_expires``).

    Only ``x-date`` must be among the signed headers; the others are verified as
    SignedHeaders declares them. ``X-Content-Sha256`` is optional: when sent it
    must be the hash of the body received, and the canonical request always
    carries the hash the server computed.

    Checks, in the order their error codes take precedence:
    MissingAuthenticationToken (no or malformed Authorization / X-Credential),
    MissingSignature, InvalidAccessKey (unknown access key), InvalidTimestamp
    (X-Date missing, malformed or outside the window), then
    SignatureDoesNotMatch (scope date, region and service; x-date signed; the
    declared headers present; the body hash; the signature).
    """
    index, repeated = header_index(headers)
    return verify_indexed(
        method, raw_path, raw_query, index, repeated, body, credentials=credentials, now=now,
        max_skew=max_skew, max_expires=max_expires, region=region, service=service,
        regions=regions)


def verify_indexed(
    method: str,
    raw_path: str | bytes,
    raw_query: str | bytes,
    index: dict[str, str],
    repeated: set[str],
    body: bytes | bytearray | memoryview | str,
    *,
    credentials: Mapping[str, str | Secret],
    now: datetime | None = None,
    max_skew: timedelta = timedelta(minutes=15),
    max_expires: timedelta = timedelta(days=7),
    region: str | None = None,
    service: str | None = None,
    regions: Collection[str] | None = None,
) -> Verification:
    """``verify_request`` on headers already indexed by ``header_index``: a server that
    reads other headers too (Host, Content-Type) indexes them once for both.

    The usual request (one of each header, an SDK's Authorization layout, the
    reference canonical form) is accepted by the fast path (``_planned``); anything
    else, every refusal included, is decided by the general path."""
    if now is not None and now.tzinfo is not timezone.utc and now.utcoffset() is None:
        raise ValueError("now must be a timezone-aware datetime")
    authorization = index.get("authorization")
    if authorization is not None and not repeated:
        # The usual request: one of each header, the SDKs' Authorization layout.
        head, found_mark, sent = authorization.rpartition("Signature=")
        if found_mark and sent and "," not in sent:
            known = plan(head, method, raw_path, raw_query)
            if known is not None:
                verdict = verify_planned(known, sent, index, body, credentials, now,
                                         max_skew, max_expires, region, service, regions)
                if verdict is not None:
                    return verdict
    return _verify_general(method, raw_path, raw_query, index, repeated, body, credentials,
                           now, max_skew, max_expires, region, service, regions)


def _verify_general(
    method: str,
    raw_path: str | bytes,
    raw_query: str | bytes,
    index: dict[str, str],
    repeated: set[str],
    body: bytes | bytearray | memoryview | str,
    credentials: Mapping[str, str | Secret],
    now: datetime | None,
    max_skew: timedelta,
    max_expires: timedelta,
    region: str | None,
    service: str | None,
    regions: Collection[str] | None,
) -> Verification:
    """Every check in turn, each refusal explained, every SDK's canonical form tried."""
    authorization = index.get("authorization")
    if authorization is None:
        pairs = c.parse_query(raw_query)
        if any(k in ("X-Credential", "X-Signature") for k, _ in pairs):
            return _verify_presigned(
                method, raw_path, pairs, index, repeated, body, credentials, now,
                max_skew, max_expires, region, service, regions,
            )
        return fail(
            "MissingAuthenticationToken",
            "the request has neither an Authorization header nor an X-Credential query parameter",
        )
    if "authorization" in repeated:
        return fail("MissingAuthenticationToken", "Authorization was sent more than once")
    if not authorization.startswith(AUTHORIZATION_PREFIX):
        return fail(
            "MissingAuthenticationToken", f"Authorization does not start with {c.ALGORITHM!r}"
        )
    credential, signed_line, provided = _authorization_fields(
        authorization[len(AUTHORIZATION_PREFIX):])
    if not credential or signed_line is None:
        return fail(
            "MissingAuthenticationToken",
            "Authorization must have Credential=..., SignedHeaders=... and Signature=...",
        )
    found = claim(credential, signed_line)
    if found is None:
        return fail(
            "MissingAuthenticationToken",
            "Credential must be AK/yyyymmdd/region/service/request",
        )
    if not provided:
        return fail("MissingSignature", "Authorization has no Signature")
    access_key = found.access_key
    secret = credentials.get(access_key)
    if secret is None:
        return fail("InvalidAccessKey", f"access key {access_key!r} is unknown")
    x_date = index.get("x-date")
    x_expires = index.get("x-expires") if "x-expires" in found.lowered else None
    problem = check_time(x_date, x_expires, now, max_skew, max_expires)
    if problem is not None:
        return fail("InvalidTimestamp", problem, access_key=access_key, region=found.region)
    assert x_date is not None
    declared = found.names
    problem, message = check_scope(found, x_date, region, service, regions)
    if problem is None and found.missing:
        problem = f"SignedHeaders must include {found.missing}"
    block: str | None = None
    if problem is None:
        block, problem = signed_block(declared, index, repeated)
    body_hash = c.body_sha256(body)
    if not problem and "x-content-sha256" in index:
        problem, message = _check_body_hash(index["x-content-sha256"], repeated, body_hash)
    if problem or block is None:
        return fail("SignatureDoesNotMatch", problem or "", access_key=access_key,
                    signed_headers=declared, region=found.region, message=message)
    key = signing_key(secret, found.date, found.region, found.service)
    signed_pairs, older_line = header_signed_query(raw_query)
    result = match(
        provided, key, x_date, found.scope, method, c.decode_path(raw_path),
        (("", signed_pairs, older_line),), declared, index, block, signed_line,
        (("", body_hash),),
    )
    if isinstance(result, str):
        return accepted(access_key, declared, False, found.region, result)
    return fail(
        "SignatureDoesNotMatch",
        "the signature matches none of the canonical requests below",
        access_key=access_key, signed_headers=declared, region=found.region,
        canonical_request=result.canonical_request, string_to_sign=result.string_to_sign,
        alternatives=result.alternatives, variants=result.variants,
    )


def _check_body_hash(
    declared_hash: str, repeated: set[str], body_hash: str
) -> tuple[str | None, str | None]:
    """X-Content-Sha256, when sent, must be the hash of the body the server received.

    Sent or not, the canonical request carries the server's hash: the generated Java,
    PHP (hand-written) and C++ SDKs never send the header (FACTS section 7), so for
    them the signature alone binds the body.
    """
    if "x-content-sha256" in repeated:
        return "X-Content-Sha256 was sent more than once", None
    if hmac.compare_digest(declared_hash.encode("utf-8", c.ENCODING_ERRORS), body_hash.encode()):
        return None, None
    return (f"X-Content-Sha256 is {declared_hash[:80]!r} but the body hashes to {body_hash!r}",
            _BODY_MISMATCH)


def _presigned_queries(
    pairs: list[tuple[str, str]], params: dict[str, str]
) -> tuple[list[tuple[str, list[tuple[str, str]], str]] | None, str]:
    """The readings of a presigned query as (label, signed pairs, reference line).

    First everything but X-Signature (the older Python SDK's ``sign_url`` signs every
    key, X-Security-Token included, whatever X-SignedQueries lists). Then, when
    X-SignedQueries is sent, only the keys it lists: it need not list itself (PHP and
    Node.js build it before adding it) and X-Security-Token may be outside it and
    outside the signature (generated Java ``VolcstackSign.presign``). Without it, the
    newer Python SDK's reading: everything but the token. A listed key that is not in
    the query is ignored (a key holding ";" cannot be listed unambiguously).
    Returns (None, reason) when a key of ``PRESIGN_MUST_SIGN`` is left unlisted.
    """
    token = "X-Security-Token"  # noqa: S105 (a parameter name, not a secret)
    every = [(k, v) for k, v in pairs if k != "X-Signature"]
    readings = [("", every)]
    listed_line = params.get("X-SignedQueries")
    if listed_line is None:
        if token in params:
            readings.append(("X-Security-Token not signed (newer Python SDK)",
                             [(k, v) for k, v in every if k != token]))
    else:
        listed = set(listed_line.split(";"))
        unsigned = [k for k in PRESIGN_MUST_SIGN if k in params and k not in listed]
        if unsigned:
            return None, (f"{', '.join(unsigned)} must be listed in X-SignedQueries:"
                          " left out, it could be changed without breaking the signature")
        readings.append(("only the keys X-SignedQueries lists (Go, Java, PHP, Node.js SDKs)",
                         [(k, v) for k, v in every if k in listed]))
    return [(label, signed, c.canonical_query(signed)) for label, signed in readings], ""


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
    regions: Collection[str] | None,
) -> Verification:
    params: dict[str, str] = {}
    for name, value in pairs:
        if name.startswith("X-") and name in params:
            return fail(
                "MissingAuthenticationToken", f"{name} appears more than once in the query"
            )
        params[name] = value
    if params.get("X-Algorithm") != c.ALGORITHM:
        return fail("MissingAuthenticationToken", f"X-Algorithm must be {c.ALGORITHM!r}")
    signed_line = params.get("X-SignedHeaders", "")
    found = claim(params.get("X-Credential", ""), signed_line)
    if found is None:
        return fail(
            "MissingAuthenticationToken",
            "X-Credential must be AK/yyyymmdd/region/service/request",
        )
    provided = params.get("X-Signature")
    if not provided:
        return fail("MissingSignature", "the query has no X-Signature")
    access_key = found.access_key
    secret = credentials.get(access_key)
    if secret is None:
        return fail("InvalidAccessKey", f"access key {access_key!r} is unknown")
    x_date = params.get("X-Date")
    problem = check_time(x_date, params.get("X-Expires"), now, max_skew, max_expires)
    if problem is not None:
        return fail("InvalidTimestamp", problem, access_key=access_key, presigned=True,
                    region=found.region)
    assert x_date is not None
    # Unlike a header signature, a presigned URL need not sign any header: X-Date is
    # in the query, and with no signed header the block is one empty line.
    declared = found.names
    problem, message = check_scope(found, x_date, region, service, regions)
    block: str | None = PRESIGN_HEADERS_BLOCK
    if problem is None and declared:
        block, problem = signed_block(declared, index, repeated)  # problem "" when built
    queries = None
    if not problem and block is not None:
        queries, problem = _presigned_queries(pairs, params)
    if problem or block is None or queries is None:
        return fail(
            "SignatureDoesNotMatch", problem or "", access_key=access_key,
            signed_headers=declared, presigned=True, region=found.region, message=message,
        )
    if "X-NotSignBody" in params:
        # X-NotSignBody: the payload hash is that of an empty body, whatever is sent.
        # The PHP SDK's signRequestToUrl hashes the real body all the same.
        body_hashes = [("", c.EMPTY_BODY_SHA256)]
        real = c.body_sha256(body)
        if real != c.EMPTY_BODY_SHA256:
            body_hashes.append(("body hashed despite X-NotSignBody (PHP SDK)", real))
    else:
        body_hashes = [("", c.body_sha256(body))]
    key = signing_key(secret, found.date, found.region, found.service)
    result = match(
        provided, key, x_date, found.scope, method, c.decode_path(raw_path),
        queries, declared, index, block, signed_line, body_hashes,
    )
    if isinstance(result, str):
        return accepted(access_key, declared, True, found.region, result)
    return fail(
        "SignatureDoesNotMatch",
        "the signature matches none of the canonical requests below",
        access_key=access_key, signed_headers=declared, presigned=True, region=found.region,
        canonical_request=result.canonical_request, string_to_sign=result.string_to_sign,
        alternatives=result.alternatives, variants=result.variants,
    )
