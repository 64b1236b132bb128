"""The ASGI app: a ReferenceService on a real port, plus its control path.

The control path ``/_vmsspec/`` is reserved and never signed:
``GET /_vmsspec/exchanges`` (the recording, secrets redacted), ``GET /_vmsspec/tasks``,
``POST /_vmsspec/faults`` with ``{"kind": "internal-error"|"throttle"|"latency",
"count": N, "latency": seconds}``, ``POST /_vmsspec/reset``, ``GET /_vmsspec/health``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import orjson

from ..service import HttpRequest, HttpResponse, ReferenceService

__all__ = ["CONTROL_PREFIX", "create_app"]

CONTROL_PREFIX = "/_vmsspec/"

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def _json(status: int, doc: Any) -> HttpResponse:
    return HttpResponse(status, (("Content-Type", "application/json"),), orjson.dumps(doc))


def _control(service: ReferenceService, method: str, path: str, body: bytes) -> HttpResponse:
    name = path[len(CONTROL_PREFIX):]
    if (method, name) == ("GET", "health"):
        return _json(200, {"ok": True})
    if (method, name) == ("GET", "exchanges"):
        return _json(200, [e.as_dict() for e in service.exchanges])
    if (method, name) == ("GET", "tasks"):
        return _json(200, [{"TaskOpenId": t.task_open_id, "Name": t.name, "State": t.state}
                           for t in service.tasks.values()])
    if (method, name) == ("POST", "reset"):
        service.reset()
        return _json(200, {"ok": True})
    if (method, name) == ("POST", "faults"):
        # The fields of ReferenceService.respond_next, or the older {"kind", "count",
        # "latency"}; parsed strictly by the service (1.9 or true is no count).
        try:
            pending = service.force_from_json(orjson.loads(body or b"{}"))
        except ValueError as exc:  # orjson.JSONDecodeError is a ValueError
            return _json(400, {"error": str(exc).splitlines()[0]})
        return _json(200, {"ok": True, "pending": pending})
    return _json(404, {"error": f"no control endpoint {method} {path}"})


async def _drop_connection(receive: Receive) -> None:
    """Close the connection without a byte of response (a forced ``drop``).

    ASGI has no message for it, so this reaches uvicorn's transport through the request
    cycle that ``receive`` is bound to (uvicorn's h11 and httptools protocols alike)."""
    transport = getattr(getattr(receive, "__self__", None), "transport", None)
    if transport is None:
        raise RuntimeError("this ASGI server gives no way to drop a connection")
    transport.close()
    # Let the protocol see the connection lost, so the server sends no 500 for an app
    # that returned without answering.
    await asyncio.sleep(0)


def create_app(service: ReferenceService) -> ASGIApp:
    """An ASGI 3 application answering from ``service`` (no framework: one route table)."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        chunks: list[bytes] = []
        size, too_large = 0, False
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size <= service.max_body_bytes:
                chunks.append(chunk)
            else:
                too_large = True  # keep draining, stop keeping
            if not message.get("more_body", False):
                break
        path: str = scope["path"]
        if path.startswith(CONTROL_PREFIX):
            response = _control(service, scope["method"], path, b"".join(chunks))
        else:
            raw_path = scope.get("raw_path") or path.encode("utf-8")
            query: bytes = scope.get("query_string", b"")
            target = raw_path.decode("latin-1") + ("?" + query.decode("latin-1") if query else "")
            headers = tuple((k.decode("latin-1"), v.decode("latin-1"))
                            for k, v in scope["headers"])
            request = HttpRequest(scope["method"], target, headers, b"".join(chunks), too_large,
                                  scope.get("http_version", "1.1"))
            response = service.handle(request)
        if response.delay:
            await asyncio.sleep(response.delay)
        if response.drop:
            await _drop_connection(receive)
            return
        await send({
            "type": "http.response.start", "status": response.status,
            "headers": [(k.lower().encode("latin-1"), v.encode("latin-1"))
                        for k, v in response.headers],
        })
        await send({"type": "http.response.body", "body": response.body})

    return app
