"""The checks a header-signed and a presigned request share: time, scope, signed
headers, and the search for the canonical form the client signed."""

from __future__ import annotations

import hmac
import re
import sys
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import lru_cache

from . import _canonical as c
from ._keys import SigningKey
from ._variants import Form, combined, header_blocks, path_forms, query_forms
from ._verdict import client_text

__all__ = [
    "REQUIRED_SIGNED_HEADERS",
    "Claim",
    "Mismatch",
    "check_scope",
    "check_time",
    "claim",
    "header_index",
    "match",
    "signed_block",
]

# FACTS section 7: x-date is the only header every official SDK signs (the generated
# Java SDK signs nothing else; Node.js leaves out Host, C++ and PHP X-Content-Sha256).
# Everything else in SignedHeaders is verified as the request declares it.
REQUIRED_SIGNED_HEADERS = ("x-date",)

_X_DATE = re.compile(r"[0-9]{8}T[0-9]{6}Z")
# Python 3.11 taught fromisoformat() the basic format (20250527T114634Z).
_FROMISO_BASIC = sys.version_info >= (3, 11)
_DIGITS = re.compile(r"[0-9]{1,12}")

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


def check_time(
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


def header_index(
    headers: Mapping[str, str] | Iterable[tuple[str, str]],
) -> tuple[dict[str, str], set[str]]:
    """Lower-cased name -> value (the last one sent), and the names sent more than once."""
    items: Sequence[tuple[str, str]]
    # Exact type checks first: the ABC check costs more than the rest of this function.
    if type(headers) is dict:
        # Read in place: a dict's names are unique, so only their lower-case forms
        # can collide.
        index = {name.lower(): value for name, value in headers.items()}
        if len(index) == len(headers):
            return index, set()
        return index, _repeated(headers)
    if type(headers) is tuple or type(headers) is list:
        items = headers
    elif isinstance(headers, Mapping):
        items = list(headers.items())
    else:
        items = list(headers)
    index = {name.lower(): value for name, value in items}
    if len(index) == len(items):  # the usual case: no name repeated
        return index, set()
    return index, _repeated(name for name, _ in items)


def _repeated(names: Iterable[str]) -> set[str]:
    seen: set[str] = set()
    repeated: set[str] = set()
    for name in names:
        lower = name.lower()
        (repeated if lower in seen else seen).add(lower)
    return repeated


def _parse_credential(credential: str) -> tuple[str, str, str, str] | None:
    parts = credential.rsplit("/", 4)
    if len(parts) != 5 or parts[4] != "request" or not all(parts[:4]):
        return None
    return parts[0], parts[1], parts[2], parts[3]


@dataclass(frozen=True, slots=True)
class Claim:
    """What an Authorization header (or a presigned query) says apart from its
    signature: the same on every request a client sends for a day, so it is
    parsed once (see ``claim``)."""

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
def claim(credential: str, signed_line: str) -> Claim | None:
    """None when the Credential is not ``AK/yyyymmdd/region/service/request``."""
    scope_parts = _parse_credential(credential)
    if scope_parts is None:
        return None
    names = tuple(signed_line.split(";")) if signed_line else ()
    lowered = frozenset(name.lower() for name in names)
    missing = ", ".join(h for h in REQUIRED_SIGNED_HEADERS if h not in lowered)
    return Claim(*scope_parts, names, lowered, missing,
                 c.credential_scope(scope_parts[1], scope_parts[2], scope_parts[3]))


def signed_block(
    names: Sequence[str], index: dict[str, str], repeated: set[str]
) -> tuple[str | None, str]:
    """The header block built in the order the client declared, or (None, reason)."""
    if not repeated and type(names) is tuple:
        # The usual case: no header repeated and each signed one present. The names'
        # lower-case forms are the same on every request a client sends.
        try:
            return "".join([
                f"{name}:{c.canonical_host(index[lower]) if lower == 'host' else index[lower]}\n"
                for name, lower in _lowered(names)]), ""
        except KeyError:
            pass  # the loop below names the first one missing
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


@lru_cache(maxsize=256)
def _lowered(names: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    return tuple((name, name.lower()) for name in names)


def check_scope(
    found: Claim,
    x_date: str,
    region: str | None,
    service: str | None,
    regions: Collection[str] | None,
) -> tuple[str | None, str | None]:
    """(reason, client message) for a credential scope the server refuses, else (None, None).

    A region outside ``regions`` gets a message naming it and the accepted ones: the
    gateway derives signing keys only for the regions it serves, so no other scope can
    ever match, and saying so is the one hint that helps (see the package docstring).
    """
    if found.date != x_date[:8]:
        return f"the credential scope date {found.date} is not the date of X-Date {x_date}", None
    if regions is not None and found.region not in regions:
        accepted = ", ".join(sorted(regions)) or "none"
        shown = client_text(found.region)
        return (f"the credential scope region {found.region!r} is not accepted"
                f" (accepted: {accepted})",
                f"The credential scope region {shown} is not accepted here;"
                f" accepted regions: {accepted}.")
    if region is not None and found.region != region:
        return f"the credential scope region is {found.region!r}, expected {region!r}", None
    if service is not None and found.service != service:
        return (f"the credential scope service is {found.service!r}, expected {service!r}",
                None)
    return None, None


@dataclass(frozen=True, slots=True)
class Mismatch:
    """No form matched: the reference form, and the other forms tried with their labels."""

    canonical_request: str
    string_to_sign: str
    alternatives: tuple[str, ...] = ()
    variants: tuple[str, ...] = ()


def match(
    provided: str,
    key: SigningKey,
    x_date: str,
    scope: str,
    method: str,
    path: str,
    queries: Sequence[tuple[str, Sequence[tuple[str, str]], str]],
    names: Sequence[str],
    index: Mapping[str, str],
    block: str,
    signed_line: str,
    body_hashes: Sequence[Form],
) -> str | Mismatch:
    """Try the reference canonical request, then the other official SDKs' forms.

    ``queries`` are (label, pairs, reference line) for each set of query pairs that
    may have been signed (a presigned URL has more than one reading); the first is
    the reference. ``body_hashes`` are (label, hash), the reference first. The
    reference form costs one HMAC; the others (``_variants``) are built and tried
    only after it fails, so a correctly signed request from the reference signer
    pays nothing for them. Returns the label of the form that matched ("" for the
    reference), else a ``Mismatch``.
    """
    provided_bytes = provided.encode("utf-8", c.ENCODING_ERRORS)
    first = c.canonical_request(
        method, c.encode_path(path), queries[0][2], block, signed_line, body_hashes[0][1]
    )
    first_sts = c.string_to_sign(x_date, scope, first)
    if hmac.compare_digest(provided_bytes, key.sign(first_sts).encode()):
        return ""
    query_dim: list[Form] = []
    for q_label, pairs, line in queries:
        for label, text in query_forms(pairs, line):
            query_dim.append(("; ".join(x for x in (q_label, label) if x), text))
    block_dim = header_blocks(names, index, block) if names else [("", block)]
    tried = {first}
    alternatives: list[str] = []
    labels: list[str] = []
    for label, (query, p, b, body_hash) in combined(
        query_dim, path_forms(path), block_dim, body_hashes
    ):
        candidate = c.canonical_request(method, p, query, b, signed_line, body_hash)
        if candidate in tried:
            continue
        tried.add(candidate)
        sts = c.string_to_sign(x_date, scope, candidate)
        if hmac.compare_digest(provided_bytes, key.sign(sts).encode()):
            return label
        alternatives.append(candidate)
        labels.append(label)
    return Mismatch(first, first_sts, tuple(alternatives), tuple(labels))
