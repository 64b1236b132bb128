"""In-process mode: a respx router that answers httpx clients from a ReferenceService."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import respx

from .._endpoint import DEFAULT_HOST
from ..service import ReferenceService
from .httpx_transport import to_httpx_response, to_service_request

__all__ = ["DEFAULT_HOST", "mock_vms", "service_router"]


def service_router(service: ReferenceService, *, host: str = DEFAULT_HOST,
                   assert_all_mocked: bool = True) -> respx.MockRouter:
    """A respx router whose route for ``host`` is answered by ``service``.

    Requests to other hosts, loopback excepted, are refused by respx
    (``assert_all_mocked``), so a test cannot reach a real endpoint by accident.
    """
    router = respx.mock(assert_all_called=False, assert_all_mocked=assert_all_mocked)

    def answer(request: httpx.Request) -> httpx.Response:
        # respx calls this for sync and async clients alike: a delay is served while the
        # client reads the body, with asyncio.sleep for an async client.
        reply = service.handle(to_service_request(request, request.read()))
        return to_httpx_response(reply, request, delay_in_body=True)

    # respx asks inspect.getfullargspec(side_effect) on every call (whether it wants a
    # ``route`` argument): ~6 µs of a ~330 µs round trip, unless the function carries its
    # signature, which inspect then returns as it is (the same signature, computed once).
    answer.__signature__ = inspect.signature(answer)  # type: ignore[attr-defined]
    router.route(host=host).mock(side_effect=answer)
    # Loopback stays reachable so that the real-port mode (a ThreadedServer on
    # 127.0.0.1) can be used in the same test, against the same service.
    for loopback in ("127.0.0.1", "localhost"):
        router.route(host=loopback).pass_through()
    return router


@contextmanager
def mock_vms(service: ReferenceService | None = None, *,
             host: str = DEFAULT_HOST) -> Iterator[ReferenceService]:
    """Route every httpx request to ``host`` to a reference service (moto's in-process mode).

    >>> with mock_vms() as vms:
    ...     ...  # httpx calls to https://cloud-vms.volcengineapi.com are answered by vms
    """
    service = service if service is not None else ReferenceService()
    with service_router(service, host=host):
        yield service
