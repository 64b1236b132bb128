"""In-process mode without respx: an httpx transport answered by a ReferenceService.

For clients that accept ``transport=`` this is the fast path (no router, no patching):

>>> client = httpx.Client(transport=VmsTransport(), auth=auth)   # doctest: +SKIP

The conversion between httpx and the service's plain values lives here once; the respx
adapter uses the same two functions.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator

import httpx

from ..service import HttpRequest, HttpResponse, ReferenceService

__all__ = ["VmsTransport", "to_httpx_response", "to_service_request"]

DROPPED = "Server disconnected without sending a response."
"""httpx's own words when a server closes the connection before answering."""


def to_service_request(request: httpx.Request, body: bytes) -> HttpRequest:
    """The service's view of an httpx request (``body`` read by the caller, sync or async)."""
    target = request.url.raw_path.decode("ascii")
    # httpx keeps header values as bytes; Latin-1 is what reaches the wire.
    headers = tuple([(k.decode("latin-1"), v.decode("latin-1"))
                     for k, v in request.headers.raw])
    return HttpRequest(request.method, target, headers, body)


class _SlowBody(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A body that arrives ``delay`` seconds late: ``time.sleep`` for a sync client,
    ``asyncio.sleep`` for an async one (so a slow answer never blocks an event loop), for
    an adapter that cannot tell which kind of client called it (respx)."""

    def __init__(self, answer: HttpResponse, request: httpx.Request) -> None:
        self._answer, self._request = answer, request

    def __iter__(self) -> Iterator[bytes]:
        time.sleep(self._answer.delay)
        yield self._deliver()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        await asyncio.sleep(self._answer.delay)
        yield self._deliver()

    def _deliver(self) -> bytes:
        if self._answer.drop:
            raise httpx.RemoteProtocolError(DROPPED, request=self._request)
        return self._answer.body


def to_httpx_response(answer: HttpResponse, request: httpx.Request, *,
                      delay_in_body: bool = False) -> httpx.Response:
    """The httpx response for ``answer``; a dropped answer raises RemoteProtocolError.

    ``delay_in_body``: the wait happens while the client reads the body (respx); else the
    caller has already waited.
    """
    if delay_in_body and answer.delay:
        return httpx.Response(answer.status or 200, headers=answer.headers,
                              stream=_SlowBody(answer, request), request=request)
    if answer.drop:
        raise httpx.RemoteProtocolError(DROPPED, request=request)
    # Bound to its request here, so respx has no reason to clone it: one Response built
    # per call instead of two (~20 us of a ~500 us round trip).
    return httpx.Response(answer.status, headers=answer.headers, content=answer.body,
                          request=request)


class VmsTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Answers every request, sync or async, from ``service`` (a new one by default)."""

    def __init__(self, service: ReferenceService | None = None) -> None:
        self.service = service if service is not None else ReferenceService()

    def __repr__(self) -> str:
        return f"VmsTransport({self.service!r})"

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        answer = self.service.handle(to_service_request(request, request.read()))
        if answer.delay:
            time.sleep(answer.delay)
        return to_httpx_response(answer, request)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        answer = self.service.handle(to_service_request(request, await request.aread()))
        if answer.delay:
            await asyncio.sleep(answer.delay)
        return to_httpx_response(answer, request)
