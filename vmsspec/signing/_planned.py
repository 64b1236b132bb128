"""The verifier's fast path: a header-signed request in the reference form that passes.

Most of what ``verify_indexed`` works out for a request depends only on its
Authorization header without the signature, its method, path and query: the claim
(access key, scope, SignedHeaders), which headers go into the canonical request and
in which order, the canonical path and query. A client sends the same of these on
every call for a day, so they are worked out once into a ``Plan`` (cached: an exact
function of those four strings, bounded, right for any client). What changes per
request is still checked on every request, in full: the secret, X-Date and the time
window, the scope against the server's regions, each signed header's value, the body
hash and the signature itself.

The fast path only ever accepts. On anything else (a check fails, a header is
missing or repeated, the signature matches no reference form) it returns None and
the general path runs from the start, so every refusal, its code, reason and
explanation, and every other SDK's canonical form (``_variants``) come from the one
general implementation. ``tests/perf/test_verify_fast_path.py`` holds the two equal.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Collection, Mapping
from datetime import datetime, timedelta
from functools import lru_cache
from hashlib import sha256
from operator import itemgetter
from typing import Any

from . import _canonical as c
from ._checks import Claim, check_scope, check_time, claim
from ._keys import SigningKey, signing_key
from ._secret import Secret
from ._verdict import Verification, accepted

__all__ = ["AUTHORIZATION_PREFIX", "Plan", "header_signed_query", "plan", "sdk_head_fields",
           "verify_planned"]

AUTHORIZATION_PREFIX = c.ALGORITHM + " "
_STS_HEAD = c.ALGORITHM + "\n"


@lru_cache(maxsize=256)
def sdk_head_fields(head: str) -> tuple[str, str] | None:
    """(Credential, SignedHeaders) from "Credential=..., SignedHeaders=...,", else None.

    ``head`` is what precedes "Signature=" after "HMAC-SHA256 ": the SDKs' layouts
    separate the three fields by ", " (most SDKs) or "," (C++
    VolcengineAuthSigner.cpp), in this order.
    """
    if not head.endswith(","):
        if not head.endswith(", "):
            return None
        head = head[:-1]
    parts = [part.strip() for part in head[:-1].split(",")]
    if (
        len(parts) == 2
        and parts[0].startswith("Credential=")
        and parts[1].startswith("SignedHeaders=")
    ):
        return parts[0][11:], parts[1][14:]
    return None


@lru_cache(maxsize=256)
def header_signed_query(
    raw_query: str | bytes,
) -> tuple[tuple[tuple[str, str], ...], str]:
    """The decoded pairs and the older SDK's canonical query line.

    Cached: a client sends the same few query strings (Action and Version) each time.
    """
    pairs = tuple(c.parse_query(raw_query))
    return pairs, c.canonical_query(pairs)


class Plan:
    """What one Authorization head, method, path and query fix for the reference form."""

    __slots__ = (
        "_key",
        "chunks",
        "expires_signed",
        "found",
        "host_at",
        "single",
        "sts_scope",
        "values",
        "verdict",
    )

    def __init__(self, found: Claim, lowers: tuple[str, ...], chunks: list[str]) -> None:
        self.found = found
        # The signed headers' values from the index in declared order (KeyError if one
        # is missing); itemgetter of one name gives a bare value (``single``).
        self.values: Callable[[Mapping[str, str]], Any] = itemgetter(*lowers)
        self.single = len(lowers) == 1
        # Where Host's value goes in ``chunks`` (its port may need dropping), -1 if unsigned.
        self.host_at = 2 * lowers.index("host") + 1 if "host" in lowers else -1
        self.expires_signed = "x-expires" in found.lowered
        # The canonical request's fixed parts, with a slot after each for the values of
        # the signed headers in turn, then one for the body hash (see ``plan``).
        self.chunks = chunks
        # What follows X-Date in the string to sign, up to the canonical request's hash.
        self.sts_scope = "\n" + found.scope + "\n"
        self.verdict = accepted(found.access_key, found.names, False, found.region, "")
        self._key: tuple[str | Secret, SigningKey] | None = None

    def __repr__(self) -> str:  # never the secret the key memo holds
        return f"Plan(<{self.found.access_key}/{self.found.scope}>)"

    def key(self, secret: str | Secret) -> SigningKey:
        """The signing key for ``secret`` and the plan's date, region and service.

        The last one is kept with the very object it came from: a str is immutable and
        a Secret never changes its value, so the same object is the same secret (a
        rotated secret is another object and is derived afresh, via ``signing_key``'s
        own cache). One tuple, read and replaced whole, so threads cannot mix halves.
        """
        memo = self._key
        if memo is not None and memo[0] is secret:
            return memo[1]
        found = self.found
        key = signing_key(secret, found.date, found.region, found.service)
        self._key = (secret, key)
        return key


@lru_cache(maxsize=256)
def plan(head: str, method: str, raw_path: str | bytes, raw_query: str | bytes) -> Plan | None:
    """The plan for an Authorization that reads ``head`` + "Signature=...", or None when
    the general path must decide (another layout, a malformed Credential, x-date not
    signed, a header declared twice)."""
    if not head.startswith(AUTHORIZATION_PREFIX):
        return None
    fields = sdk_head_fields(head[len(AUTHORIZATION_PREFIX):])
    if fields is None or not fields[0]:
        return None
    found = claim(*fields)
    if found is None or found.missing:
        return None
    names = found.names
    lowers = tuple(name.lower() for name in names)
    if len(set(lowers)) != len(lowers):
        return None
    path = c.encode_path(c.decode_path(raw_path))
    query_line = header_signed_query(raw_query)[1]
    # The canonical request is "\n".join((method, path, query, block, signed line, body
    # hash)) (_canonical.canonical_request), the block one "name:value\n" per declared
    # header (_checks.signed_block): fixed text, a value, fixed text, ..., the body hash.
    chunks = ["\n".join((method, path, query_line)) + "\n" + names[0] + ":", ""]
    for name in names[1:]:
        chunks += ["\n" + name + ":", ""]
    chunks += ["\n\n" + fields[1] + "\n", ""]
    return Plan(found, lowers, chunks)


def verify_planned(
    p: Plan,
    provided: str,
    index: dict[str, str],
    body: bytes | bytearray | memoryview | str,
    credentials: Mapping[str, str | Secret],
    now: datetime | None,
    max_skew: timedelta,
    max_expires: timedelta,
    region: str | None,
    service: str | None,
    regions: Collection[str] | None,
) -> Verification | None:
    """The accepted verdict when every check passes and the reference form matches,
    else None (the caller runs the general path). The caller has made sure that no
    header was sent twice and that ``provided`` is the non-empty text after the last
    "Signature=" and holds no ","."""
    found = p.found
    secret = credentials.get(found.access_key)
    if secret is None or not provided.isascii():
        return None
    x_date = index.get("x-date")
    x_expires = index.get("x-expires") if p.expires_signed else None
    if x_date is None or check_time(x_date, x_expires, now, max_skew, max_expires) is not None:
        return None
    if check_scope(found, x_date, region, service, regions)[0] is not None:
        return None
    try:
        values = p.values(index)
    except KeyError:
        return None
    body_hash = sha256(body).hexdigest() if type(body) is bytes else c.body_sha256(body)
    # Not a secret (the server hashed what the client sent), so a plain comparison;
    # any difference, encoding oddities included, is left to the general path.
    declared = index.get("x-content-sha256")
    if declared is not None and declared != body_hash:
        return None
    chunks = p.chunks.copy()
    if p.single:
        chunks[1] = values
    else:
        chunks[1:-2:2] = values
    chunks[-1] = body_hash
    at = p.host_at
    if at >= 0 and ":" in chunks[at]:
        chunks[at] = c.canonical_host(chunks[at])
    canonical = "".join(chunks)
    digest = sha256(canonical.encode("utf-8", c.ENCODING_ERRORS)).hexdigest()
    expected = p.key(secret).sign(_STS_HEAD + x_date + p.sts_scope + digest)
    if not hmac.compare_digest(provided, expected):  # both ASCII str
        return None
    return p.verdict
