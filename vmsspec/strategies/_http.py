"""Signed CreateTask HTTP requests, and single tamperings labelled with the auth error.

Requests are signed with vmsspec's reference signer. The label of a tampered request
is not computed by running the verifier (that would only test it against itself):
it follows from the documented order of the checks (``verify_request``'s docstring),
MissingAuthenticationToken, MissingSignature, InvalidAccessKey, InvalidTimestamp,
SignatureDoesNotMatch, and from which part of the request each mutation changes.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

import orjson
from hypothesis import strategies as st

from .._endpoint import ACTION, DEFAULT_HOST, DEFAULT_REGION, DEFAULT_SERVICE, VERSION
from .._errors import error_code
from ..contract import Profile
from ..signing import Secret, Verification, format_x_date, parse_query, sign_request, verify_request

__all__ = [
    "DEFAULT_HOST",
    "DEFAULT_REGION",
    "DEFAULT_SERVICE",
    "MUTATIONS",
    "AuthContext",
    "ClientRequest",
    "SignedHTTPRequest",
    "TamperedRequest",
    "signed_requests",
    "tampered_requests",
]

_OTHER_REGIONS = ("cn-shanghai", "cn-guangzhou", "ap-southeast-1", "cn-beijing2", "CN-BEIJING")
_OTHER_SERVICES = ("iam", "sms", "vms2", "VMS", "volc_vms")


@dataclass(frozen=True)
class ClientRequest:
    """One HTTP request as it goes on the wire (headers in order, repeats allowed)."""

    method: str
    url: str
    headers: tuple[tuple[str, str], ...]
    body: bytes

    @property
    def raw_path(self) -> str:
        """The percent-encoded path, ``/`` when the URL has none."""
        return urlsplit(self.url).path or "/"

    @property
    def raw_query(self) -> str:
        """The query string without ``?``."""
        return urlsplit(self.url).query

    def header(self, name: str) -> str | None:
        """The first value of header ``name`` (case-insensitive), or None."""
        lower = name.lower()
        return next((v for k, v in self.headers if k.lower() == lower), None)

    def __repr__(self) -> str:
        # A body can be a megabyte: keep failure reports readable.
        body = self.body if len(self.body) <= 200 else self.body[:200] + b"..."
        return (f"ClientRequest(method={self.method!r}, url={self.url!r}, "
                f"headers={self.headers!r}, body={body!r} ({len(self.body)} bytes))")

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))


@dataclass(frozen=True)
class AuthContext:
    """What the server side knows: the key pair, the scope it serves, its clock."""

    access_key: str
    secret_key: Secret = field(repr=False)
    region: str
    service: str
    now: datetime
    """The server's clock when the request arrives."""
    max_skew: timedelta = timedelta(minutes=15)

    @property
    def credentials(self) -> Mapping[str, Secret]:
        """The server's credential store: this one access key."""
        return MappingProxyType({self.access_key: self.secret_key})

    def verify(self, request: ClientRequest) -> Verification:
        """``request`` checked by the reference verifier in this context."""
        return verify_request(
            request.method, request.raw_path, request.raw_query, request.headers, request.body,
            credentials=self.credentials, now=self.now, max_skew=self.max_skew,
            region=self.region, service=self.service,
        )


@dataclass(frozen=True)
class SignedHTTPRequest:
    """A correctly signed request; ``verify()`` must accept it."""

    request: ClientRequest
    context: AuthContext
    signed_at: datetime
    signed_headers: tuple[str, ...]
    """Lower-case names in the Authorization's SignedHeaders."""
    payload: Any = field(repr=False)
    """The JSON value the body encodes (None when the body strategy gave bytes)."""
    unsigned_request: ClientRequest = field(repr=False)
    """The request as given to the signer: without X-Date, X-Content-Sha256, Authorization."""
    session_token: Secret | None = field(default=None, repr=False)

    def verify(self) -> Verification:
        return self.context.verify(self.request)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        # Hypothesis's reports use this protocol; the dataclass repr hides the secrets.
        printer.text(repr(self))


@dataclass(frozen=True)
class TamperedRequest:
    """A signed request changed in one way, and the auth error that change must get."""

    request: ClientRequest
    original: SignedHTTPRequest
    mutation: str
    """One of :data:`MUTATIONS`."""
    detail: str
    """What exactly was changed, for the failure report."""
    expected_code: str

    @property
    def context(self) -> AuthContext:
        return self.original.context

    @property
    def expected_status(self) -> int:
        return error_code(self.expected_code).status

    def verify(self) -> Verification:
        return self.context.verify(self.request)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        # Hypothesis's reports use this protocol; the dataclass repr hides the secrets.
        printer.text(repr(self))


def _sign(unsigned: ClientRequest, context: AuthContext, signed_at: datetime,
          token: Secret | None) -> tuple[ClientRequest, tuple[str, ...]]:
    signed = sign_request(
        unsigned.method, "/", parse_query(unsigned.raw_query), list(unsigned.headers),
        unsigned.body, access_key=context.access_key, secret_key=context.secret_key,
        region=context.region, service=context.service, now=signed_at,
        session_token=token,
    )
    return replace(unsigned, headers=tuple(signed.headers.items())), signed.signed_headers


_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def _encode(body: Any) -> tuple[bytes, Any]:
    if isinstance(body, (bytes, bytearray, memoryview)):
        return bytes(body), None
    return orjson.dumps(body), body


def _build_signed(body: Any, seed: int, host: str, region: str, service: str,
                  max_skew: timedelta) -> SignedHTTPRequest:
    r = random.Random(seed)  # noqa: S311 -- test data, not secrets: reproducible by design
    raw, payload = _encode(body)
    access_key = "AKLT" + "".join(r.choices(_ALNUM, k=r.randrange(16, 41)))
    secret = Secret("".join(r.choices(_ALNUM + "+/=", k=40)))
    signed_at = datetime(2000, 1, 1, tzinfo=timezone.utc) + timedelta(
        seconds=r.randrange(100 * 365 * 86400))
    pick = r.random()
    skew = int(max_skew.total_seconds())
    # The server's clock: both edges of the window are still inside it.
    offset = -skew if pick < 0.1 else skew if pick < 0.2 else r.randint(-skew, skew)
    query = (f"Action={ACTION}&Version={VERSION}" if r.random() < 0.7
             else f"Version={VERSION}&Action={ACTION}")
    # Some clients send the default port; the signer drops it from the signed copy only.
    default_port = r.random() < 0.2 and ":" not in host
    headers = [("Host", host + ":443" if default_port else host)]
    pick = r.random()
    content_type = r.choice(("application/json", "application/json; charset=utf-8"))
    if pick < 0.7:
        headers.append(("Content-Type", content_type))
    elif pick < 0.9:
        headers.append(("content-type", content_type))  # the SDK leaves this spelling unsigned
    if r.random() < 0.3:
        headers.append(("X-Request-Id", f"{r.getrandbits(128):032x}"))
    if r.random() < 0.3:
        headers.append(("User-Agent", "vmsspec-strategies/1.0"))
    token = Secret("STS" + "".join(r.choices(_ALNUM, k=32))) if r.random() < 0.2 else None
    context = AuthContext(access_key, secret, region, service,
                          signed_at + timedelta(seconds=offset), max_skew)
    unsigned = ClientRequest("POST", f"https://{host}/?{query}", tuple(headers), raw)
    request, signed_headers = _sign(unsigned, context, signed_at, token)
    return SignedHTTPRequest(request, context, signed_at, signed_headers, payload, unsigned,
                             token)


def signed_requests(
    profile: str | Profile = "documented",
    *,
    bodies: st.SearchStrategy[Any] | None = None,
    host: str = DEFAULT_HOST,
    region: str = DEFAULT_REGION,
    service: str = DEFAULT_SERVICE,
    max_skew: timedelta = timedelta(minutes=15),
) -> st.SearchStrategy[SignedHTTPRequest]:
    """CreateTask POSTs signed by the reference signer, with the context that verifies them.

    ``bodies`` gives the JSON values (or raw bytes) to send, :func:`valid_bodies` of
    ``profile`` by default. Varied: the key pair, the signing time (2000-2099), the
    server's clock anywhere in the skew window including both edges, Host with and
    without its default port, Content-Type signed, unsigned (the SDK's
    case-sensitive quirk) or absent, extra signed and unsigned headers, an STS
    session token, and the order of the query parameters.
    """
    if bodies is None:
        from . import valid_bodies  # the package imports this module: import late

        bodies = valid_bodies(profile)
    return st.tuples(bodies, st.integers(0, 2**32 - 1)).map(
        lambda t: _build_signed(t[0], t[1], host, region, service, max_skew))


# -- mutations ---------------------------------------------------------------------------

Mutated = tuple[ClientRequest, str, str]
"""(the changed request, what was changed, the error code it must get)"""
Mutation = Callable[[SignedHTTPRequest, random.Random], Mutated]


def _with_headers(req: ClientRequest, headers: Iterable[tuple[str, str]]) -> ClientRequest:
    return replace(req, headers=tuple(headers))


def _edit_header(req: ClientRequest, name: str, edit: Callable[[str], str]) -> ClientRequest:
    lower = name.lower()
    return _with_headers(req, ((k, edit(v) if k.lower() == lower else v) for k, v in req.headers))


def _drop_header(req: ClientRequest, name: str) -> ClientRequest:
    lower = name.lower()
    return _with_headers(req, ((k, v) for k, v in req.headers if k.lower() != lower))


def _authorization(s: SignedHTTPRequest) -> str:
    value = s.request.header("Authorization")
    assert value is not None, "a signed request has an Authorization header"
    return value


def _body_byte(s: SignedHTTPRequest, r: random.Random) -> Mutated:
    body = bytearray(s.request.body)
    if not body:
        body.append(0x20)
        return replace(s.request, body=bytes(body)), "a byte appended", "SignatureDoesNotMatch"
    i = r.randrange(len(body))
    body[i] ^= 1 << r.randrange(8)
    return (replace(s.request, body=bytes(body)), f"one bit of body byte {i} flipped",
            "SignatureDoesNotMatch")


def _signed_header_value(s: SignedHTTPRequest, r: random.Random) -> Mutated:
    # X-Date is left to the date mutations: its label depends on the skew window.
    name = r.choice([h for h in s.signed_headers if h != "x-date"])
    # a prefix changes the value even after the verifier drops a default port from Host
    return (_edit_header(s.request, name, lambda v: "x" + v), f"signed header {name} changed",
            "SignatureDoesNotMatch")


def _x_date_changed(s: SignedHTTPRequest, r: random.Random) -> Mutated:
    ctx = s.context
    shift = r.choice((-1, 1)) * r.choice((1, 59, 3600, 86400, 400 * 86400))
    new = s.signed_at + timedelta(seconds=shift)
    age = ctx.now - new
    code = "InvalidTimestamp" if abs(age) > ctx.max_skew else "SignatureDoesNotMatch"
    return (_edit_header(s.request, "X-Date", lambda v: format_x_date(new)),
            f"X-Date moved by {shift} s (server clock {age.total_seconds():+.0f} s from it)", code)


def _outside_skew(s: SignedHTTPRequest, r: random.Random) -> Mutated:
    ctx = s.context
    beyond = timedelta(seconds=r.choice((1, 2, 60, 3600, 86400 * 30)))
    late = r.random() < 0.5
    signed_at = ctx.now - ctx.max_skew - beyond if late else ctx.now + ctx.max_skew + beyond
    request, _ = _sign(s.unsigned_request, ctx, signed_at, s.session_token)
    where = "before" if late else "after"
    return request, f"signed {beyond} {where} the skew window", "InvalidTimestamp"


def _scope_part(index: int, others: tuple[str, ...], what: str) -> Mutation:
    def mutate(s: SignedHTTPRequest, r: random.Random) -> Mutated:
        auth = _authorization(s)
        head, sep, rest = auth.partition("Credential=")
        credential, comma, tail = rest.partition(",")
        parts = credential.split("/")
        current = parts[-5 + index]
        parts[-5 + index] = r.choice([o for o in others if o != current])
        new_auth = head + sep + "/".join(parts) + comma + tail
        return (_edit_header(s.request, "Authorization", lambda v: new_auth),
                f"scope {what} {current!r} -> {parts[-5 + index]!r}", "SignatureDoesNotMatch")

    return mutate


def _scope_date(s: SignedHTTPRequest, r: random.Random) -> Mutated:
    other = (s.signed_at + timedelta(days=r.choice((-1, 1, 365)))).strftime("%Y%m%d")
    date = format_x_date(s.signed_at)[:8]
    auth = _authorization(s).replace(f"/{date}/", f"/{other}/", 1)
    return (_edit_header(s.request, "Authorization", lambda v: auth),
            f"scope date {date} -> {other}", "SignatureDoesNotMatch")


def _unknown_access_key(s: SignedHTTPRequest, r: random.Random) -> Mutated:
    ak = s.context.access_key
    other = r.choice((ak[:-1], ak + "0", ak.lower() if ak.lower() != ak else ak.upper(),
                      "AKLTunknownAccessKey"))
    auth = _authorization(s).replace(f"Credential={ak}/", f"Credential={other}/", 1)
    return (_edit_header(s.request, "Authorization", lambda v: auth),
            f"access key {other!r} is not the server's", "InvalidAccessKey")


def _dropped_signed_header(s: SignedHTTPRequest, r: random.Random) -> Mutated:
    # Not Host: an HTTP/1.1 request without one is refused before it is routed.
    name = r.choice([h for h in s.signed_headers if h != "host"] or s.signed_headers)
    # Without X-Date the time check, which comes before the signature check, fails.
    code = "InvalidTimestamp" if name == "x-date" else "SignatureDoesNotMatch"
    return _drop_header(s.request, name), f"signed header {name} dropped", code


def _missing_authorization(s: SignedHTTPRequest, r: random.Random) -> Mutated:
    return (_drop_header(s.request, "Authorization"), "Authorization dropped",
            "MissingAuthenticationToken")


def _malformed_authorization(s: SignedHTTPRequest,
                             r: random.Random) -> Mutated:
    auth = _authorization(s)
    rest = auth.partition(" ")[2]
    credential = rest.split(",", 1)[0]
    broken = r.choice((
        "HMAC-SHA1 " + rest,                               # another algorithm
        "Bearer " + rest,
        rest,                                              # no algorithm at all
        auth.replace(credential + ",", "", 1),             # no Credential
        auth.replace(credential, credential.rsplit("/", 1)[0], 1),  # scope without "request"
    ))
    return (_edit_header(s.request, "Authorization", lambda v: broken),
            "Authorization malformed", "MissingAuthenticationToken")


def _missing_signature(s: SignedHTTPRequest, r: random.Random) -> Mutated:
    auth = _authorization(s)
    head = auth.rpartition(", Signature=")[0]
    new = head if r.random() < 0.5 else head + ", Signature="
    return (_edit_header(s.request, "Authorization", lambda v: new),
            "Signature removed from Authorization", "MissingSignature")


def _signature_changed(s: SignedHTTPRequest, r: random.Random) -> Mutated:
    auth = _authorization(s)
    head, sep, signature = auth.rpartition("Signature=")
    i = r.randrange(len(signature))
    digit = r.choice([c for c in "0123456789abcdef" if c != signature[i]])
    new = head + sep + signature[:i] + digit + signature[i + 1:]
    return (_edit_header(s.request, "Authorization", lambda v: new),
            f"signature hex digit {i} changed", "SignatureDoesNotMatch")


def _query_changed(s: SignedHTTPRequest, r: random.Random) -> Mutated:
    # Action and Version stay: a service routes on them before it checks a signature,
    # and the label must hold for a whole service, not just for the verifier.
    parts = urlsplit(s.request.url)
    query = parts.query + r.choice(("&Extra=1", "&ClientToken=t%20x", "&Action2=CreateTask"))
    url = parts._replace(query=query).geturl()
    return replace(s.request, url=url), f"query -> {query!r}", "SignatureDoesNotMatch"


def _method_changed(s: SignedHTTPRequest, r: random.Random) -> Mutated:
    # The canonical request keeps the method's case. Not GET: only POST reaches the API,
    # so the service refuses any other method by routing, before reading a signature.
    method = r.choice(("post", "Post"))
    return replace(s.request, method=method), f"method -> {method}", "SignatureDoesNotMatch"


_MUTATIONS: dict[str, Mutation] = {
    "body-byte": _body_byte,
    "signed-header-value": _signed_header_value,
    "x-date-changed": _x_date_changed,
    "date-outside-skew": _outside_skew,
    "scope-region": _scope_part(2, (DEFAULT_REGION, *_OTHER_REGIONS), "region"),
    "scope-service": _scope_part(3, (DEFAULT_SERVICE, *_OTHER_SERVICES), "service"),
    "scope-date": _scope_date,
    "unknown-access-key": _unknown_access_key,
    "dropped-signed-header": _dropped_signed_header,
    "missing-authorization": _missing_authorization,
    "malformed-authorization": _malformed_authorization,
    "missing-signature": _missing_signature,
    "signature-changed": _signature_changed,
    "query-changed": _query_changed,
    "method-changed": _method_changed,
}

MUTATIONS: tuple[str, ...] = tuple(_MUTATIONS)
"""The names of the single changes :func:`tampered_requests` makes."""


def tampered_requests(
    profile: str | Profile = "documented",
    *,
    mutations: Iterable[str] | None = None,
    bodies: st.SearchStrategy[Any] | None = None,
    host: str = DEFAULT_HOST,
    region: str = DEFAULT_REGION,
    service: str = DEFAULT_SERVICE,
    max_skew: timedelta = timedelta(minutes=15),
) -> st.SearchStrategy[TamperedRequest]:
    """:func:`signed_requests` changed in one way each, labelled with the error it must get.

    ``mutations`` restricts the kinds (names from :data:`MUTATIONS`; all by default):
    a flipped body bit, a changed signed header, X-Date moved, a request signed
    outside the skew window, another region, service or date in the credential
    scope, an unknown access key, a dropped signed header, no Authorization, a
    malformed one, no signature, a changed signature, query or method.
    """
    chosen = list(MUTATIONS if mutations is None else mutations)
    unknown = sorted(set(chosen) - set(MUTATIONS))
    if unknown or not chosen:
        raise ValueError(f"unknown or no mutations: {unknown}; known: {', '.join(MUTATIONS)}")
    signed = signed_requests(profile, bodies=bodies, host=host, region=region, service=service,
                             max_skew=max_skew)

    def build(t: tuple[str, SignedHTTPRequest, int]) -> TamperedRequest:
        name, original, seed = t
        request, detail, code = _MUTATIONS[name](original, random.Random(seed))  # noqa: S311
        return TamperedRequest(request, original, name, detail, code)

    return st.tuples(st.sampled_from(chosen), signed, st.integers(0, 2**32 - 1)).map(build)
