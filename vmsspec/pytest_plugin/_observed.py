"""A ReferenceService that also notes when each API call arrived, and the httpx glue for it.

The arrival times are what the client kit judges backoff by; the httpx glue (a respx route
and a transport) honours the client's own read timeout against an injected delay, which
neither respx nor httpx.MockTransport does: an in-process client with a 0.5 s timeout
facing a 3 s answer gets ``httpx.ReadTimeout`` after 0.5 s, as it would on a socket.
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
    """The reference service plus ``arrivals``: monotonic times of the API calls."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._arrivals: list[float] = []
        self._arrivals_lock = threading.Lock()

    @property
    def arrivals(self) -> tuple[float, ...]:
        with self._arrivals_lock:
            return tuple(self._arrivals)

    def handle(self, request: HttpRequest) -> HttpResponse:
        if request.path == "/":
            with self._arrivals_lock:
                self._arrivals.append(time.monotonic())
        return super().handle(request)

    def reset(self, *args: Any, **kwargs: Any) -> None:
        super().reset(*args, **kwargs)
        with self._arrivals_lock:
            self._arrivals.clear()


def answer_httpx(service: ReferenceService, request: httpx.Request) -> httpx.Response:
    """Answer one httpx request from ``service`` as a socket would: delay, drop, timeout."""
    import httpx

    from ..adapters.respx_mock import _to_service

    response = service.handle(_to_service(request))
    if response.delay:
        timeout = (request.extensions.get("timeout") or {}).get("read")
        if timeout is not None and timeout < response.delay:
            time.sleep(timeout)
            raise httpx.ReadTimeout("timed out waiting for the answer", request=request)
        time.sleep(response.delay)
    if getattr(response, "drop", False):
        raise httpx.RemoteProtocolError("Server disconnected without sending a response.",
                                        request=request)
    return httpx.Response(response.status, headers=response.headers, content=response.body,
                          request=request)


def make_transport(service: ReferenceService) -> Any:
    """An ``httpx.BaseTransport`` answering from ``service`` without respx."""
    import httpx

    class _ServiceTransport(httpx.BaseTransport):
        def __init__(self) -> None:
            self.service = service

        def handle_request(self, request: httpx.Request) -> httpx.Response:
            return answer_httpx(self.service, request)

        def __repr__(self) -> str:
            return f"<vmsspec transport for {self.service!r}>"

    return _ServiceTransport()
