"""A ReferenceService that also notes when each API call arrived, and the httpx glue for it.

The arrival times are what the client kit judges backoff by; the httpx glue (a respx route
and a transport) honours the client's own read timeout against an injected delay, which
neither respx nor httpx.MockTransport does: an in-process client with a 0.5 s timeout
facing a 3 s answer gets ``httpx.ReadTimeout`` after 0.5 s, as it would on a socket.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator, Iterator
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from ..service import HttpRequest, HttpResponse, ReferenceService

if TYPE_CHECKING:  # pragma: no cover - types only
    import httpx

__all__ = ["ObservedService", "answer_httpx"]


class ObservedService(ReferenceService):
    """The reference service plus when each API call arrived and its whole body (the
    recording keeps the first 64 KiB; the kit compares a 10,000-phone body in full)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._calls: list[tuple[float, bytes]] = []
        self._calls_lock = threading.Lock()

    @property
    def arrivals(self) -> tuple[float, ...]:
        """Monotonic arrival times of the API calls since the last reset."""
        with self._calls_lock:
            return tuple(t for t, _ in self._calls)

    @property
    def bodies(self) -> tuple[bytes, ...]:
        """The bodies of the API calls since the last reset, as received."""
        with self._calls_lock:
            return tuple(b for _, b in self._calls)

    def handle(self, request: HttpRequest) -> HttpResponse:
        if request.path == "/":
            with self._calls_lock:
                self._calls.append((time.monotonic(), request.body))
        return super().handle(request)

    def reset(self, *args: Any, **kwargs: Any) -> None:
        super().reset(*args, **kwargs)
        with self._calls_lock:
            self._calls.clear()


@lru_cache(maxsize=1)
def _times_out() -> type:
    """The class of a body that never comes (built on first use: httpx is imported only
    when a test sends a request): the client's read timeout elapses, ``time.sleep`` for a
    sync client, ``asyncio.sleep`` for an async one, then ``httpx.ReadTimeout``."""
    import httpx

    class TimesOut(httpx.SyncByteStream, httpx.AsyncByteStream):
        def __init__(self, request: httpx.Request, timeout: float) -> None:
            self._request, self._timeout = request, timeout

        def __iter__(self) -> Iterator[bytes]:
            time.sleep(self._timeout)
            raise httpx.ReadTimeout("timed out waiting for the answer", request=self._request)

        async def __aiter__(self) -> AsyncIterator[bytes]:
            await asyncio.sleep(self._timeout)
            raise httpx.ReadTimeout("timed out waiting for the answer", request=self._request)
            yield b""  # pragma: no cover - makes this an async generator

    return TimesOut


def answer_httpx(service: ReferenceService, request: httpx.Request) -> httpx.Response:
    """Answer one httpx request from ``service`` as a socket would, the client's read
    timeout included: an answer delayed past it raises ``httpx.ReadTimeout`` on time.

    The wait happens while the client reads the body, so respx serves sync and async
    clients alike without blocking an event loop (as SERVICE's respx adapter does).
    """
    import httpx

    from ..adapters.httpx_transport import to_httpx_response, to_service_request

    answer = service.handle(to_service_request(request, request.read()))
    timeout = (request.extensions.get("timeout") or {}).get("read")
    if answer.delay and timeout is not None and timeout < answer.delay:
        return httpx.Response(answer.status or 200, headers=answer.headers,
                              stream=_times_out()(request, timeout), request=request)
    return to_httpx_response(answer, request, delay_in_body=True)


def make_transport(service: ReferenceService) -> Any:
    """``VmsTransport`` on ``service``, whose sync path also honours the client's timeout."""
    from ..adapters.httpx_transport import VmsTransport

    class _TimedTransport(VmsTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            return answer_httpx(self.service, request)

    return _TimedTransport(service)
