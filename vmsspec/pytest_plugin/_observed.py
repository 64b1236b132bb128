"""A ReferenceService that also notes when each API call arrived, and the httpx glue for it.

The arrival times are what the client kit judges backoff by. The httpx adapters
(``vmsspec.adapters.httpx_transport``) honour the client's own read timeout against an
injected delay: an in-process client with a 0.5 s timeout facing a 3 s answer gets
``httpx.ReadTimeout`` after 0.5 s, as it would on a socket.
"""

from __future__ import annotations

import threading
import time
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


def answer_httpx(service: ReferenceService, request: httpx.Request) -> httpx.Response:
    """Answer one httpx request from ``service`` as the respx adapter does (the wait, up to
    the client's read timeout, happens while the client reads the body)."""
    from ..adapters.httpx_transport import to_httpx_response, to_service_request

    answer = service.handle(to_service_request(request, request.read()))
    return to_httpx_response(answer, request, delay_in_body=True)


def make_transport(service: ReferenceService) -> Any:
    """``VmsTransport`` on ``service`` (it honours the client's read timeout itself)."""
    from ..adapters.httpx_transport import VmsTransport

    return VmsTransport(service)
