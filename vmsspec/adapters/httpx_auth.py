"""An ``httpx.Auth`` that signs every request, for sync and async clients alike."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable, Generator
from dataclasses import replace
from datetime import datetime
from functools import lru_cache
from typing import NamedTuple
from urllib.parse import unquote

import httpx

from .._endpoint import DEFAULT_REGION, DEFAULT_SERVICE
from ..signing import Credentials, Secret, parse_query, sign_request

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


_APPEND_RAW = _appends_raw()


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
        # The last request's key and preparation: a client mostly repeats its previous
        # request's shape, and comparing with one key costs less than hashing it for
        # the shared cache (the bytes of a new request's headers have no hash yet).
        self._last: tuple[object, _Prepared | None] = (None, None)

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
        headers = request.headers
        # httpx's (raw name, lower name, value) triples as they are, when the layout is
        # the known one: Headers.raw would build a list of pairs first.
        entries = tuple(headers._list) if _APPEND_RAW else tuple(headers.raw)
        key = (request.method, request.url.raw_path, entries)
        last_key, prepared = self._last
        if prepared is None or key != last_key:
            prepared = _prepared(*key)
            self._last = (key, prepared)  # one tuple, replaced whole: safe across threads
        creds = self._credentials
        sent = sign_request(
            request.method,
            prepared.path,
            prepared.query,
            prepared.headers,
            request.content,
            access_key=creds.access_key,
            secret_key=creds.secret_key,
            region=self.region,
            service=self.service,
            now=self._clock() if self._clock is not None else None,
            session_token=creds.session_token,
        ).headers
        if _APPEND_RAW and not prepared.has_managed:
            # The names are new to this request: append them to httpx's own list rather
            # than through Headers.__setitem__, which searches the whole list once per
            # name (four searches cost a third of what signing itself costs).
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
        request.read()
        self.sign(request)
        yield request

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        await request.aread()
        self.sign(request)
        yield request

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        self.sign(request)
        yield request
