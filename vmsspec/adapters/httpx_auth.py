"""An ``httpx.Auth`` that signs every request, for sync and async clients alike."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable, Generator, Sequence
from dataclasses import replace
from datetime import datetime
from functools import lru_cache
from hashlib import sha256
from typing import NamedTuple
from urllib.parse import unquote

import httpx

from .._endpoint import DEFAULT_REGION, DEFAULT_SERVICE
from ..signing import Credentials, Secret, format_x_date, parse_query, sign_request
from ..signing._secret import reveal
from ..signing._signer import _Plan, _plan_for, _sign_planned

__all__ = ["VolcSignatureAuth"]

_ADDED = ("X-Date", "X-Content-Sha256", "X-Security-Token", "Authorization")
_ADDED_RAW = tuple((name, name.encode(), name.lower().encode()) for name in _ADDED)
_MANAGED = frozenset(name.lower().encode() for name in _ADDED)


class _Prepared(NamedTuple):
    """What signing needs from a request's method, target and headers, decoded once."""

    path: str
    query: tuple[tuple[str, str], ...]
    headers: tuple[tuple[str, str], ...]
    encoding: str  # the one httpx would pick for these headers
    has_managed: bool  # the request already carries one of the headers signing adds


# A client sends the same target and headers again and again (Content-Length aside,
# which changes with the body): decoding them is done once per distinct set.
@lru_cache(maxsize=256)
def _prepared(method: str, raw_target: bytes, entries: tuple[tuple[bytes, ...], ...],
              ) -> _Prepared:
    # entries: httpx's (raw name, lower name, value) triples, or (raw name, value) pairs.
    raw_headers = [(entry[0], entry[-1]) for entry in entries]
    encoding = httpx.Headers(raw_headers).encoding
    raw_path, _, raw_query = raw_target.partition(b"?")
    return _Prepared(
        # The path and query exactly as they go on the wire, decoded the way the server
        # will decode them (httpx's URL.path is this same unquote of the raw path).
        unquote(raw_path.decode("ascii")) or "/",
        tuple(parse_query(raw_query.decode("ascii"))),
        tuple([(name.decode(encoding), value.decode(encoding)) for name, value in raw_headers]),
        encoding,
        any(name.lower() in _MANAGED for name, _ in raw_headers),
    )


def _appends_raw() -> bool:
    """Whether httpx.Headers keeps (raw name, lower name, value) triples in ``_list``.

    True for every httpx this project supports (>= 0.27); checked rather than assumed,
    so another layout falls back to the public ``headers[name] = value``.
    """
    probe = httpx.Headers({"X-Probe": "1"})
    return getattr(probe, "_list", None) == [(b"X-Probe", b"x-probe", b"1")]


def _keeps_uri_reference() -> bool:
    """Whether httpx.URL keeps its parsed parts as a tuple in ``_uri_reference``.

    URL.raw_path is built from that tuple's path and query on every access (a string
    concatenation and an encode, a seventh of what signing costs); comparing the tuple
    itself tells the same thing: equal tuples give equal targets. Checked at import,
    else raw_path is compared.
    """
    url = httpx.URL("https://h/a%20b?x=1")
    parts = getattr(url, "_uri_reference", None)
    return (isinstance(parts, tuple) and getattr(parts, "path", None) == "/a%20b"
            and getattr(parts, "query", None) == "x=1" and url.raw_path == b"/a%20b?x=1")


_APPEND_RAW = _appends_raw()
_URI_REFERENCE = _keeps_uri_reference()


class _Shape:
    """The last request shape an auth signed (method, target, header list) and its plan.

    ``entries`` is a copy of httpx's header list taken before the signer's headers were
    added. The plan embeds the session token, so the repr says nothing.
    """

    __slots__ = ("entries", "fast", "method", "plan", "prepared", "target")

    def __init__(self, method: str, target: object, entries: list[tuple[bytes, ...]],
                 prepared: _Prepared, plan: _Plan) -> None:
        self.method = method
        self.target = target
        self.entries = entries
        self.prepared = prepared
        self.plan = plan
        # Appending to httpx's list is right only when none of the names is there yet;
        # a plan without a template (a header value held a placeholder) is rebuilt by
        # sign_request per request.
        self.fast = _APPEND_RAW and not prepared.has_managed and plan.parts is not None

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.method} (redacted)>"


class VolcSignatureAuth(httpx.Auth):
    """Sign each request with the Volcengine HMAC-SHA256 scheme.

    ``httpx.Client(auth=VolcSignatureAuth())`` reads VOLC_ACCESSKEY,
    VOLC_SECRETKEY and VOLC_SESSION_TOKEN from the environment; pass
    ``access_key`` and ``secret_key`` (or ``credentials``) to use others.
    The headers are signed as httpx will send them, in their original
    spelling, so the older SDK's header-selection rule applies unchanged:
    ``Host`` and ``Content-Type`` as httpx writes them, and ``X-...`` headers
    spelled with a capital X.
    """

    # The body is hashed, so it is read into memory first (a streamed body too): the
    # flows below do that themselves; auth_flow (kept for callers that drive it) relies
    # on httpx's default flows honouring this flag.
    requires_request_body = True

    def __init__(
        self,
        access_key: str | None = None,
        secret_key: str | Secret | None = None,
        *,
        session_token: str | Secret | None = None,
        credentials: Credentials | None = None,
        region: str = DEFAULT_REGION,
        service: str = DEFAULT_SERVICE,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        if credentials is None:
            if access_key is None and secret_key is None:
                credentials = Credentials.from_env()
                if session_token is not None:
                    credentials = replace(credentials, session_token=Secret(session_token))
            elif access_key is None or secret_key is None:
                raise TypeError("pass both access_key and secret_key, or neither")
            else:
                # Credentials drops an empty token, as the SDKs do.
                credentials = Credentials(
                    access_key, Secret(secret_key),
                    None if session_token is None else Secret(session_token))
        self._credentials = credentials
        self.region = region
        self.service = service
        self._clock = clock
        # The last request's shape and plan: a client mostly repeats its previous
        # request's shape, and comparing with one shape costs less than hashing it for
        # the shared caches (the bytes of a new request's headers have no hash yet).
        # Exact (the whole method, target and header list are compared) and one entry.
        self._shape: _Shape | None = None

    @property
    def access_key(self) -> str:
        return self._credentials.access_key

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(access_key={self.access_key!r},"
            f" region={self.region!r}, service={self.service!r})"
        )

    def sign(self, request: httpx.Request) -> None:
        """Add X-Date, X-Content-Sha256, X-Security-Token and Authorization in place."""
        self._sign(request, request.content)

    def _sign(self, request: httpx.Request, body: bytes) -> None:
        headers = request.headers
        # httpx's (raw name, lower name, value) triples as they are, when the layout is
        # the known one: Headers.raw would build a list of pairs first.
        entries: Sequence[tuple[bytes, ...]] = headers._list if _APPEND_RAW else headers.raw
        url = request.url
        target = url._uri_reference if _URI_REFERENCE else url.raw_path
        method = request.method
        shape = self._shape
        if (shape is None or entries != shape.entries or target != shape.target
                or method != shape.method):
            shape = self._shape_of(request, method, target, entries)
        if not shape.fast:
            self._sign_general(request, body, shape.prepared)
            return
        # sign_request's own steps on the plan it would look up (the same plan: see
        # _shape_of), without the SignedRequest and header dict a client never reads.
        creds = self._credentials
        x_date = format_x_date(self._clock() if self._clock is not None else None)
        body_hash = sha256(body).hexdigest()  # httpx's content is always bytes
        authorization = _sign_planned(shape.plan, body_hash, x_date, creds.access_key,
                                      creds.secret_key, self.region, self.service)[3]
        # The names are new to this request: append them to httpx's own list rather
        # than through Headers.__setitem__, which searches the whole list once per name.
        # X-Date and the hash are ASCII, the same bytes in any encoding httpx picks.
        encoding = shape.prepared.encoding
        append = headers._list.append  # fast implies httpx's known layout
        append((b"X-Date", b"x-date", x_date.encode()))
        append((b"X-Content-Sha256", b"x-content-sha256", body_hash.encode()))
        token = creds.session_token
        if token:  # Secret is falsy when empty, and sign_request sends no empty token
            append((b"X-Security-Token", b"x-security-token", reveal(token).encode(encoding)))
        append((b"Authorization", b"authorization", authorization.encode(encoding)))

    def _shape_of(self, request: httpx.Request, method: str, target: object,
                  entries: Sequence[tuple[bytes, ...]]) -> _Shape:
        prepared = _prepared(method, request.url.raw_path, tuple(entries))
        token = self._credentials.session_token
        # Exactly the plan sign_request looks up for these inputs (a tuple of pairs
        # is one of the cached key types): same canonical template, same headers.
        plan = _plan_for(method, prepared.path, prepared.query, prepared.headers,
                         reveal(token) if token else None)  # an empty Secret is falsy
        shape = _Shape(method, target, list(entries), prepared, plan)
        self._shape = shape  # one object, replaced whole: safe across threads
        return shape

    def _sign_general(self, request: httpx.Request, body: bytes, prepared: _Prepared) -> None:
        """sign_request itself and httpx's public setter: any header layout, any plan."""
        creds = self._credentials
        sent = sign_request(
            request.method,
            prepared.path,
            prepared.query,
            prepared.headers,
            body,
            access_key=creds.access_key,
            secret_key=creds.secret_key,
            region=self.region,
            service=self.service,
            now=self._clock() if self._clock is not None else None,
            session_token=creds.session_token,
        ).headers
        headers = request.headers
        if _APPEND_RAW and not prepared.has_managed:
            encoding = prepared.encoding
            append = headers._list.append
            for name, raw, lower in _ADDED_RAW:
                value = sent.get(name)
                if value is not None:
                    append((raw, lower, value.encode(encoding)))
        else:
            for name in _ADDED:
                value = sent.get(name)
                if value is not None:
                    headers[name] = value

    # httpx's default flows wrap auth_flow in a second generator; these are the same
    # steps (read the body, sign, send once) without it.
    def sync_auth_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        self._sign(request, request.read())
        yield request

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        self._sign(request, await request.aread())
        yield request

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        self.sign(request)
        yield request
