"""An ``httpx.Auth`` that signs every request, for sync and async clients alike."""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import replace
from datetime import datetime

import httpx

from .._endpoint import DEFAULT_REGION, DEFAULT_SERVICE
from ..signing import Credentials, Secret, parse_query, sign_request

__all__ = ["VolcSignatureAuth"]


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

    # httpx reads a streamed body into memory before calling auth_flow, so the
    # one generator below serves both sync and async clients.
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
        encoding = request.headers.encoding
        headers = [
            (name.decode(encoding), value.decode(encoding))
            for name, value in request.headers.raw
        ]
        creds = self._credentials
        signed = sign_request(
            request.method,
            request.url.path,
            # The query exactly as it goes on the wire, decoded the way the
            # server will decode it.
            parse_query(request.url.query),
            headers,
            request.content,
            access_key=creds.access_key,
            secret_key=creds.secret_key,
            region=self.region,
            service=self.service,
            now=self._clock() if self._clock is not None else None,
            session_token=creds.session_token,
        )
        for name in ("X-Date", "X-Content-Sha256", "X-Security-Token", "Authorization"):
            value = signed.headers.get(name)
            if value is not None:
                request.headers[name] = value

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        self.sign(request)
        yield request
