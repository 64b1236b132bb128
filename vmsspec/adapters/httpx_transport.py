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
from typing import TypeVar

import httpx

from ..service import HttpRequest, HttpResponse, ReferenceService

__all__ = ["VmsTransport", "to_httpx_response", "to_service_request"]

_T = TypeVar("_T")

DROPPED = "Server disconnected without sending a response."
"""httpx's own words when a server closes the connection before answering."""


def to_service_request(request: httpx.Request, body: bytes) -> HttpRequest:
    """The service's view of an httpx request (``body`` read by the caller, sync or async)."""
    target = request.url.raw_path.decode("ascii")
    # httpx keeps header values as bytes; Latin-1 is what reaches the wire.
    if _RAW_TRIPLES:  # httpx's own (raw name, lower name, value) list: no copy of it
        headers = tuple([(k.decode("latin-1"), v.decode("latin-1"))
                         for k, _, v in request.headers._list])
    else:
        headers = tuple([(k.decode("latin-1"), v.decode("latin-1"))
                         for k, v in request.headers.raw])
    return HttpRequest(request.method, target, headers, body)


_RAW_TRIPLES = getattr(httpx.Headers({"X-Probe": "1"}), "_list", None) == [
    (b"X-Probe", b"x-probe", b"1")]


def _read_timeout(request: httpx.Request) -> float | None:
    timeout = (request.extensions.get("timeout") or {}).get("read")
    return None if timeout is None else float(timeout)


def _wait(answer: HttpResponse, request: httpx.Request) -> float:
    """How long to wait before answering: the delay, or the client's read timeout when
    that is shorter (a socket client would give up then, and so does this one)."""
    timeout = _read_timeout(request)
    return answer.delay if timeout is None else min(answer.delay, timeout)


def _raise_if_timed_out(answer: HttpResponse, request: httpx.Request) -> None:
    timeout = _read_timeout(request)
    if timeout is not None and timeout < answer.delay:
        raise httpx.ReadTimeout("timed out waiting for the answer", request=request)


class _SlowBody(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A body that arrives ``delay`` seconds late: ``time.sleep`` for a sync client,
    ``asyncio.sleep`` for an async one (so a slow answer never blocks an event loop), for
    an adapter that cannot tell which kind of client called it (respx)."""

    def __init__(self, answer: HttpResponse, request: httpx.Request) -> None:
        self._answer, self._request = answer, request

    def __iter__(self) -> Iterator[bytes]:
        time.sleep(_wait(self._answer, self._request))
        yield self._deliver()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        await asyncio.sleep(_wait(self._answer, self._request))
        yield self._deliver()

    def _deliver(self) -> bytes:
        _raise_if_timed_out(self._answer, self._request)
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
    if _READ_RESPONSE_LAYOUT and answer.body and not _has_content_headers(answer.headers):
        return _read_response(answer.status, answer.headers, answer.body, request)
    return httpx.Response(answer.status, headers=answer.headers, content=answer.body,
                          request=request)


def _has_content_headers(headers: tuple[tuple[str, str], ...]) -> bool:
    return any(name.lower() in _CONTENT_HEADERS for name, _ in headers)


_CONTENT_HEADERS = frozenset({"content-length", "transfer-encoding", "content-encoding"})


def _read_response(status: int, headers: tuple[tuple[str, str], ...], body: bytes,
                   request: httpx.Request) -> httpx.Response:
    """What ``httpx.Response(status, headers=headers, content=body, request=request)``
    builds (its body already read), without its generic path: ~25 us a call, most of it
    reading a byte string through httpx's stream, chunker and decoder machinery. Used only
    when the import-time check below found this httpx's Response to have the known
    layout, and only for a non-empty body with no Content-Length, Transfer-Encoding or
    Content-Encoding of its own (httpx's content= path treats those specially)."""
    fields = [(name.encode("ascii"), value.encode("ascii")) for name, value in headers]
    fields.append((b"Content-Length", str(len(body)).encode("ascii")))
    header_map = _bare(httpx.Headers)
    header_map.__dict__.update(
        # "ascii": what httpx's Headers.encoding finds (and keeps) once the body is read;
        # every name and value here was just encoded as ASCII.
        _list=[(name, name.lower(), value) for name, value in fields], _encoding="ascii")
    response = _bare(httpx.Response)
    response.__dict__.update(
        status_code=status, headers=header_map, _request=request, next_request=None,
        extensions={}, history=[], is_closed=True, is_stream_consumed=True,
        default_encoding="utf-8", stream=httpx.ByteStream(body), _decoder=_IDENTITY(),
        _num_bytes_downloaded=0, _content=body)
    return response


def _bare(cls: type[_T]) -> _T:
    return cls.__new__(cls)


def _layout(response: httpx.Response) -> tuple[object, ...]:
    state = vars(response)
    return (sorted((k, type(v).__name__) for k, v in state.items()),
            {k: v for k, v in state.items() if isinstance(v, (bool, int, str, bytes))},
            vars(response.headers), vars(response.stream), response.extensions,
            response.history, response.next_request)


def _same_layout() -> bool:
    """Whether this httpx builds a read Response exactly as ``_read_response`` does."""
    request = httpx.Request("POST", "https://probe.invalid/", content=b"{}")
    headers = (("Content-Type", "application/json"), ("X-Probe", "1"))
    try:
        made = _read_response(201, headers, b'{"a":1}', request)
        reference = httpx.Response(201, headers=headers, content=b'{"a":1}', request=request)
        return (_layout(made) == _layout(reference) and made.request is request
                and type(made._decoder) is type(reference._decoder))
    except Exception:  # any other httpx: take its public path
        return False


try:
    from httpx._decoders import IdentityDecoder as _IDENTITY
except ImportError:  # pragma: no cover - another httpx: the check below fails
    _IDENTITY = None  # type: ignore[assignment,misc]
_READ_RESPONSE_LAYOUT = _IDENTITY is not None and _same_layout()


class VmsTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Answers every request, sync or async, from ``service`` (a new one by default)."""

    def __init__(self, service: ReferenceService | None = None) -> None:
        self.service = service if service is not None else ReferenceService()

    def __repr__(self) -> str:
        return f"VmsTransport({self.service!r})"

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        answer = self.service.handle(to_service_request(request, request.read()))
        if answer.delay:
            time.sleep(_wait(answer, request))
            _raise_if_timed_out(answer, request)
        return to_httpx_response(answer, request)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        answer = self.service.handle(to_service_request(request, await request.aread()))
        if answer.delay:
            await asyncio.sleep(_wait(answer, request))
            _raise_if_timed_out(answer, request)
        return to_httpx_response(answer, request)
